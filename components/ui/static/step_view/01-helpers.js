
// The step view: graph, step panel and layer table for the browser's cursor.
// The server sends one payload per update (schema v = 1, see step_view.py); this code only
// displays it and moves a cursor through it. Every string shown comes from the payload.

const SVG = 'http://www.w3.org/2000/svg';
// A "cursor" report this long after the last move: every report is a server run, so a student pressing
// every second or two sends none until they pause (a click elsewhere on the page sends it at once).
const DEBOUNCE_CURSOR_MS = 2000;
const DEBOUNCE_URL_MS = 300;     // the address bar's k this long after the last move
const PENDING_GIVE_UP_MS = 8000; // a request the server never answered stops blocking the keys
const TABLE_ROWS = 12;           // rows of a layer table shown around the highlighted row
const MIN_FORMULA_SCALE = 0.55;  // a too-wide formula line shrinks down to this, then scrolls

// ------------------------------------------------------------------ small DOM helpers
const h = (tag, cls, parent, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
};
const s = (tag, attrs, parent) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
};

// Streamlit's own address (its bundle is at <base>static/js/…), so a baseUrlPath or a hosting
// proxy prefix is kept; the page's address otherwise. (As live_plot.py.)
const base = () => {
  const own = [...document.scripts].map(x => x.src).find(u => /\/static\/js\/[^/]+\.js$/.test(u));
  return own ? own.replace(/static\/js\/[^/]+$/, '') : document.baseURI;
};

// The vendored KaTeX (components/ui/static/katex), loaded once per page: a <link> for the CSS
// (its fonts/ come from the same folder) and a <script> for the code.
const loadKatex = dir => window.__bpKatex || (window.__bpKatex = new Promise((resolve, reject) => {
  const root = new URL(dir, base()).href;
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = root + 'katex.min.css';
  document.head.appendChild(css);
  const js = document.createElement('script');
  js.src = root + 'katex.min.js';
  js.onload = () => (window.katex ? resolve(window.katex) : reject(new Error('no katex')));
  js.onerror = () => reject(new Error('KaTeX did not load'));
  document.head.appendChild(js);
}));

// How many entries of a change list sorted by k have k ≤ c (binary search).
const upto = (list, c) => {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid][0] <= c) lo = mid + 1; else hi = mid;
  }
  return lo;
};

// Dark text on light fills, white text on dark ones (fills are "#rrggbb" or "rgb(r, g, b)").
const darkFill = fill => {
  let rgb = null;
  const hex = /^#([0-9a-f]{6})$/i.exec(fill || '');
  if (hex) rgb = [0, 2, 4].map(i => parseInt(hex[1].slice(i, i + 2), 16));
  const fn = /^rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(fill || '');
  if (fn) rgb = fn.slice(1, 4).map(Number);
  if (!rgb) return false;
  return (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255 < 0.5;
};

