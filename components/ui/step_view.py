"""The step view: graph, step panel and layer table drawn in the browser for the browser's cursor.

Over 400 lines: the component's JavaScript and CSS are literal module constants here, as the isolation
audit (tests/test_isolation.py) requires of any code the page runs; the Python part is short.

Every → used to be a full rerun that rebuilt and resent the graph, the formulas and the table.
Instead the server sends one JSON payload per update (schema v = 1, built by
components/views/step_view_data.py): a window of events with their formula lines (LaTeX),
the layer tables' cells with the cursor from which each is shown, and the graph as SVG
primitives whose styles change at given events. The browser moves its own cursor through
that window with no round trip (← → PageUp PageDown Space Shift+Space Home End, the buttons,
the scrubber) and draws at most once per animation frame, touching only the SVG elements
whose state differs. It asks the server only at update boundaries and window edges, and
records its cursor now and then (debounced). It never computes or writes mathematics: every
string it shows comes from the payload.

Formulas are drawn by the vendored KaTeX (components/ui/static/katex), served by Streamlit's
custom-component file route as live_plot.py serves plotly.min.js: nothing from a CDN.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st
import streamlit.components.v1 as components_v1

__all__ = ["show_step_view", "show_play_frames", "latest_report", "KATEX_DIR"]

KATEX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "katex")

# Static code of ours (module constants); the payload arrives as JSON data, never as code or HTML.
_JS = r"""
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

// ------------------------------------------------------------------ the view of one element
function createView(root) {
  const v = {
    root, data: null, key: null, seq: null, katexDir: null, katex: null, katexFailed: false,
    cursor: -1,            // the browser's cursor, moved by every press at once
    reported: -1,          // the cursor the server last knew (adopted or reported)
    pending: null,         // {kind, target, since}: a request the server has not answered yet
    left: null,            // {key, seq} of the update left for the one sent ahead, until the server follows
    queue: [],             // presses made while a request is pending, replayed on its answer
    n: 0,                  // report counter (increasing, so identical reports still arrive)
    frame: 0, cursorTimer: 0, urlTimer: 0, giveUpTimer: 0,
    drawn: {},             // what the DOM shows now, to touch only what differs
    g: null,               // the graph's elements
    setStateValue: null,
  };

  // Skeleton: controls, then graph (left) and panel (right).
  const wrap = h('div', 'bp-sv', root);
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', 'Step through the update');
  wrap.tabIndex = -1;  // (Escape in practice's answer field gives the focus back to the view: the keys step)
  const bar = h('div', 'bp-sv-controls', wrap);
  const back = h('button', 'bp-sv-btn', bar, '← Back');
  const next = h('button', 'bp-sv-btn bp-sv-primary', bar, 'Next →');
  back.type = next.type = 'button';
  back.setAttribute('aria-keyshortcuts', 'ArrowLeft PageUp Shift+Space');
  next.setAttribute('aria-keyshortcuts', 'ArrowRight PageDown Space');
  const scrub = h('label', 'bp-sv-scrub', bar);
  const scrubText = h('span', 'bp-sv-scrub-label', scrub);
  const slider = h('input', 'bp-sv-slider', scrub);
  slider.type = 'range';
  slider.step = '1';
  const count = h('span', 'bp-sv-count', bar);
  const wait = h('span', 'bp-sv-wait', bar);
  wait.setAttribute('aria-live', 'polite');
  const body = h('div', 'bp-sv-body', wrap);
  const figure = h('div', 'bp-sv-graph', body);
  const svg = s('svg', { class: 'bp-sv-svg', role: 'img', 'aria-label': 'The network at this step' }, figure);
  const caption = h('div', 'bp-sv-caption', figure);
  const panel = h('div', 'bp-sv-panel', body);
  const sample = h('img', 'bp-sv-sample', panel);  // the current sample as a picture (digits), if it is one
  sample.hidden = true;
  const progress = h('div', 'bp-sv-progress', panel);
  const title = h('div', 'bp-sv-title', panel);
  title.setAttribute('role', 'heading');
  title.setAttribute('aria-level', '4');
  const formulas = h('div', 'bp-sv-formulas', panel);
  const quiz = createQuiz(v, panel);
  const explanation = h('p', 'bp-sv-expl', panel);
  const tableBox = h('div', 'bp-sv-tablebox', panel);
  Object.assign(v, { wrap, back, next, slider, scrubText, count, wait, body, svg, caption, sample, progress, title,
    formulas, quiz, explanation, tableBox });

  // A click keeps the focus where it was (the keys keep stepping); the buttons still work by keyboard.
  for (const b of [back, next]) b.addEventListener('mousedown', e => e.preventDefault());
  back.addEventListener('click', () => act(v, 'b'));
  next.addEventListener('click', () => act(v, 'f'));
  slider.addEventListener('input', () => act(v, ['goto', Number(slider.value)]));
  svg.addEventListener('click', e => {
    if (performance.now() - (v.zoomedAt || -1e9) < 600) return;  // the click of the tap that zoomed
    const node = e.target.closest && e.target.closest('[data-neuron]');
    if (node && v.data) select(v, Number(node.dataset.layer), Number(node.dataset.i));
  });
  // A tap on the graph (not on a neuron) zooms in twice around it; another tap shows the whole network.
  svg.addEventListener('pointerup', e => {
    if (e.pointerType !== 'touch' || !v.data || (e.target.closest && e.target.closest('[data-neuron]'))) return;
    v.zoomedAt = performance.now();
    toggleZoom(v, e.clientX, e.clientY);
  });
  // A swipe across the view steps (left: next, right: back); vertical moves stay the page's scrolling.
  let touch = null;
  body.addEventListener('touchstart', e => {
    touch = e.touches.length === 1 ? [e.touches[0].clientX, e.touches[0].clientY] : null;
  }, { passive: true });
  body.addEventListener('touchend', e => {
    const t = e.changedTouches[0];
    if (!touch || !t || (v.data && v.data.graph_only)) return;
    const dx = t.clientX - touch[0], dy = t.clientY - touch[1];
    touch = null;
    if (Math.abs(dx) >= 48 && Math.abs(dx) > 1.5 * Math.abs(dy)) act(v, dx < 0 ? 'f' : 'b');
  }, { passive: true });
  // A too-wide formula line is fitted again when the panel's width changes.
  // Stacked, a formula that grows (its fonts arrive) pushes the graph down: it is fitted again.
  new ResizeObserver(() => {
    fitFormulas(v);
    if (v.data && fits(v)) fitGraph(v);
  }).observe(formulas);
  return v;
}

// ------------------------------------------------------------------ a new payload
function receive(v, data) {
  if (!data || data.v !== 1 || !data.graph) {
    v.progress.textContent = 'The step view received a payload it cannot read.';
    return;
  }
  if (v.left) {  // we stepped into the update sent ahead; until the server follows, it may still send the old one
    if (data.key === v.left.key && data.seq === v.left.seq) return;
    v.left = null;
  }
  const old = v.data;
  const fresh = data.key !== v.key;
  const moved = !fresh && data.seq !== v.seq;
  const rewindowed = !fresh && !moved && (data.window[0] !== old.window[0] || data.window[1] !== old.window[1]);
  v.stopped = false;  // any answer from the server lifts a stop at stop_at (blocked says whether → may go on)
  // The newest payload is the one to step on (a new step size changes next and back, a problem blocked) …
  if (!fresh && !moved && !rewindowed) {  // … but the server only re-sends: keep our cursor, draw nothing
    v.data = data;                           // (but practice's question box, the paths, the flags)
    v.quiz.waiting = false;
    drawQuiz(v, v.cursor);
    if (v.g && !data.graph_only) drawOverlays(v);
    return;
  }
  v.quiz.waiting = false;
  const asked = v.pending;
  v.data = data;
  v.key = data.key;
  v.seq = data.seq;
  v.wrap.classList.toggle('bp-sv-graph-only', !!data.graph_only);
  if (fresh) {
    if (data.graph_only && v.g && geometryKey(data.graph) === v.geometry) reuseGraph(v);
    else buildGraph(v);
    v.tallest = v.titleTallest = v.formulaTallest = 0;  // a new update (or other settings) may be shorter
    v.graphMax = Infinity;
  }
  v.drawn.cursor = null;  // draw again (only what differs changes)
  if (fresh || moved) {
    v.cursor = data.cursor;  // the server moved the cursor (new update, jump, restore)
    v.reported = data.cursor;
  } else if (asked && asked.kind === 'window') {
    v.cursor = asked.target;  // the window around the cursor we asked for
  }
  const [k0, k1] = data.window;
  v.cursor = Math.max(k0 - 1, Math.min(k1, v.cursor));
  v.wrap.classList.toggle('bp-sv-present', !!data.presentation);
  // Any new payload answers the pending request; the presses made meanwhile apply to it now.
  v.pending = null;
  clearTimeout(v.giveUpTimer);
  while (v.queue.length && !v.pending) apply(v, v.queue.shift());
  moved_(v, fresh || moved);
  if (!v.announced && !data.graph_only) {  // the first page: once drawn, say where we are (then come the charts)
    v.announced = true;
    v.reported = NaN;
    requestAnimationFrame(() => requestAnimationFrame(() => reportCursor(v)));
  }
}

// ------------------------------------------------------------------ moving the cursor
// A press: applied at once, or queued while the server is being asked.
function act(v, action) {
  if (!v.data) return;
  if (v.pending) {
    const last = v.queue[v.queue.length - 1];
    if (Array.isArray(action) && Array.isArray(last)) v.queue[v.queue.length - 1] = action;  // newest slider value
    else v.queue.push(action);
    showWait(v);
    return;
  }
  apply(v, action);
  moved_(v, false);
}

function apply(v, action) {
  const d = v.data;
  const [k0, k1] = d.window;
  const j = v.cursor - (k0 - 1);
  let to;
  if (action === 'f') {
    if (d.blocked || v.stopped) return;  // a problem (divergence) holds → until the server has spoken
    to = d.next[j];
    const stop = d.stop_at;
    if (stop !== null && stop !== undefined && v.cursor < stop && stop < to) to = stop;
    if (d.stop_end !== null && d.stop_end !== undefined && v.cursor >= d.stop_end) {  // a lesson's next stop
      return ask(v, 'next_stop', v.cursor);
    }
    if (limited(d) && to > d.limit && to < d.n_events) {  // practice: the question comes first
      if (v.cursor < d.limit) to = d.limit;
      else return askQuestion(v);
    }
    if (to >= d.n_events) return d.ahead ? enterAhead(v) : ask(v, 'next_update', v.cursor);
  } else if (action === 'b') {
    if (v.cursor === -1 && !d.can_back) return;
    to = d.back[j];
    if (to === -2) return ask(v, 'prev_update', v.cursor);
  } else if (action === 'home') {
    to = -1;
  } else if (action === 'end') {
    to = limited(d) ? d.limit : d.n_events - 1;
  } else if (Array.isArray(action)) {
    to = Math.max(-1, Math.min(limited(d) ? d.limit : d.n_events - 1, action[1]));
  } else {
    return;
  }
  if (to < k0 - 1 || to > k1) return ask(v, 'window', to);
  v.cursor = to;
  if (action === 'f' && to === d.stop_at) {  // the first event whose parameter goes non-finite: checked now
    v.stopped = true;
    clearTimeout(v.cursorTimer);
    v.reported = to;
    send(v, { kind: 'cursor', cursor: to });
  }
}

// → past the update's end when the server sent the next update ahead: step into it here, as the server
// would (its first group), and tell the server at once (it follows, and the charts with it).
function enterAhead(v) {
  const a = v.data.ahead;
  v.left = { key: v.key, seq: v.seq };  // payloads still for the update we left are stale now
  v.data = a;
  v.key = a.key;
  v.seq = a.seq;
  buildGraph(v);
  v.tallest = v.titleTallest = v.formulaTallest = 0;
  v.graphMax = Infinity;
  v.drawn.cursor = null;
  v.cursor = a.next[-1 - (a.window[0] - 1)];  // one press from the start (cursor −1)
  clearTimeout(v.cursorTimer);
  v.reported = v.cursor;
  send(v, { kind: 'cursor', cursor: v.cursor });
}

// After the cursor moved (or a payload arrived): draw on the next frame, report later.
function moved_(v, fromServer) {
  if (!v.frame) v.frame = requestAnimationFrame(() => { v.frame = 0; render(v); });
  if (v.data && v.data.graph_only) return;  // play's graph: the server owns the cursor and the link
  clearTimeout(v.cursorTimer);
  if (!fromServer) v.cursorTimer = setTimeout(() => reportCursor(v), DEBOUNCE_CURSOR_MS);
  clearTimeout(v.urlTimer);
  v.urlTimer = setTimeout(() => syncUrl(v), fromServer ? 0 : DEBOUNCE_URL_MS);
  showWait(v);
}

// ------------------------------------------------------------------ asking the server
function send(v, report) {
  if (!v.setStateValue) return;
  v.n = Math.max(v.n + 1, Date.now());
  v.setStateValue('report', { ...report, key: v.data.key, seq: v.data.seq, n: v.n });
}

function reportCursor(v) {
  if (v.pending || !v.data || v.cursor === v.reported) return;
  v.reported = v.cursor;
  send(v, { kind: 'cursor', cursor: v.cursor });
}

function ask(v, kind, cursor) {
  clearTimeout(v.cursorTimer);
  v.pending = { kind, target: cursor, since: performance.now() };
  send(v, { kind, cursor });
  showWait(v);
  clearTimeout(v.giveUpTimer);
  v.giveUpTimer = setTimeout(() => {  // no answer: stop queueing (the presses made meanwhile are dropped)
    v.pending = null;
    v.queue = [];
    showWait(v);
  }, PENDING_GIVE_UP_MS);
}

function select(v, layer, i) {
  if (layer < 0 || i < 0 || v.data.graph_only) return;
  clearTimeout(v.cursorTimer);  // the report carries the cursor too
  v.reported = v.cursor;
  send(v, { kind: 'select', node: [layer, i], cursor: v.cursor });
}

function selectTarget(v, target) {
  if (v.data.graph_only) return;
  clearTimeout(v.cursorTimer);
  v.reported = v.cursor;
  send(v, { kind: 'select', node: [target[1], target[2]], target, cursor: v.cursor });
}

function showWait(v) {
  const waiting = !!v.pending;
  v.wait.textContent = waiting ? (v.queue.length ? `… +${v.queue.length}` : '…') : '';
  v.wait.title = waiting ? 'Asking the server; presses made meanwhile are kept' : '';
}

// The address bar's k (and u) follow the browser's cursor; other parameters stay as they are.
function syncUrl(v) {
  if (!v.data || !v.root.isConnected) return;
  const url = new URL(window.location.href);
  const q = url.searchParams;
  if (v.cursor >= 0) q.set('k', String(v.cursor)); else q.delete('k');
  if (Number(q.get('u') || 0) !== v.data.update) {
    if (v.data.update > 0) q.set('u', String(v.data.update)); else q.delete('u');
  }
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url.href);
}

// ------------------------------------------------------------------ keys (one listener per page)
function onKey(e) {
  const v = window.__bpStepViewActive;
  if (!v || !v.data || !v.root.isConnected || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
  const t = e.target;
  const ours = t && t.closest && t.closest('.bp-sv') === v.wrap;
  if (t !== v.slider && t && t.closest && (t.isContentEditable || t.closest('input, textarea, select'))) return;
  if (e.key === ' ' && !ours && t && t.closest && t.closest('button, a, [role="button"]')) return;  // Space clicks it
  const action = {
    ArrowRight: 'f', PageDown: 'f', ArrowLeft: 'b', PageUp: 'b', Home: 'home', End: 'end',
    ' ': e.shiftKey ? 'b' : 'f',
  }[e.key];
  if (!action) return;
  e.preventDefault();  // no scrolling, and our slider does not move by itself
  act(v, action);
}
if (!window.__bpStepViewKeys) {
  window.__bpStepViewKeys = true;
  document.addEventListener('keydown', onKey);
  // A click anywhere else on the page (a Streamlit control acts on the server's cursor): report ours first.
  document.addEventListener('pointerdown', e => {
    const v = window.__bpStepViewActive;
    if (v && v.root.isConnected && !(e.target && e.target.closest && e.target.closest('.bp-sv') === v.wrap)) {
      clearTimeout(v.cursorTimer);
      reportCursor(v);
    }
  }, true);
  // Space on our own focused button would click it again on keyup.
  document.addEventListener('keyup', e => {
    const v = window.__bpStepViewActive;
    if (v && e.key === ' ' && (e.target === v.back || e.target === v.next)) e.preventDefault();
  });
}

// ------------------------------------------------------------------ the graph
// The drawing's viewBox: the whole network, or (zoomed) half its width and height around a tap.
function toggleZoom(v, clientX, clientY) {
  const g = v.data.graph, r = v.svg.getBoundingClientRect();
  if (v.zoom || !r.width) {
    v.zoom = null;
  } else {
    const k = Math.min(r.width / g.width, r.height / g.height);  // (the drawing is centred in its box)
    const x = (clientX - r.left - (r.width - g.width * k) / 2) / k;
    const y = (clientY - r.top - (r.height - g.height * k) / 2) / k;
    const w = g.width / 2, hh = g.height / 2;
    v.zoom = [Math.min(Math.max(x - w / 2, 0), g.width - w), Math.min(Math.max(y - hh / 2, 0), g.height - hh), w, hh];
  }
  v.svg.setAttribute('viewBox', (v.zoom || [0, 0, g.width, g.height]).map(n => Math.round(n)).join(' '));
  v.svg.dataset.zoomed = v.zoom ? '1' : '';
  if (v.data && !v.data.graph_only) holdHeight(v);  // edge values may be legible now (or no longer)
}

let clipCount = 0;  // (clip-path ids unique on the page)
function buildGraph(v) {
  const g = v.data.graph;
  const svg = v.svg;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${g.width} ${g.height}`);
  v.zoom = null;  // a new drawing shows the whole network
  svg.dataset.zoomed = '';
  svg.style.setProperty('--bp-sv-aspect', `${g.width} / ${g.height}`);
  const layer = name => s('g', { class: `bp-sv-${name}` }, svg);
  const statics = layer('static');
  for (const [x, y, w, hh, fill, stroke] of g.rects) s('rect', { x, y, width: w, height: hh, fill, stroke }, statics);
  const texts = g.texts.map(([x, y, text, size, anchor, weight, colour]) => {
    const attrs = { x, y, 'font-size': size, 'text-anchor': anchor, 'font-weight': weight, fill: colour };
    const t = s('text', attrs, statics);
    t.textContent = text;
    return t;
  });
  const halo = layer('halo');
  const pathLayer = layer('paths');  // the chain-rule paths of the selected neuron or weight
  const edgeLayer = layer('edges');
  const edges = g.edges.map(([x1, y1, x2, y2]) => s('line', { x1, y1, x2, y2 }, edgeLayer));
  const focus = layer('focus');
  const chipLayer = layer('chips');
  const chips = g.chips.map(([x, y]) => {
    const grp = s('g', { transform: `translate(${x} ${y})`, display: 'none' }, chipLayer);
    const rect = s('rect', { rx: 3, ry: 3 }, grp);
    return { grp, rect, text: s('text', { 'text-anchor': 'middle', dy: '0.35em' }, grp) };
  });
  const defs = s('defs', {}, svg);  // (the pictures' clip paths: not inside the nodes' groups)
  const nodeLayer = layer('nodes');
  const nodes = g.nodes.map(([x, y, r, shape, lay, i]) => {
    const grp = s('g', {}, nodeLayer);
    const body = shape === 1
      ? s('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, rx: 2 }, grp)
      : s('circle', { cx: x, cy: y, r }, grp);
    if (shape === 0 && i >= 0) Object.assign(grp.dataset, { neuron: '1', layer: String(lay), i: String(i) });
    const picture = shape === 0 && v.data.pictures ? v.data.pictures[`${lay},${i}`] : null;
    if (picture) {  // the neuron's activation over the input plane, inside its circle
      const id = `bp-sv-clip-${++clipCount}`;
      s('circle', { cx: x, cy: y, r }, s('clipPath', { id }, defs));
      s('image', { href: picture, x: x - r, y: y - r, width: 2 * r, height: 2 * r, 'clip-path': `url(#${id})`,
        preserveAspectRatio: 'none', class: 'bp-sv-picture' }, grp);
    }
    const text = s('text', { x, y, 'text-anchor': 'middle', dy: '0.35em' }, grp);
    return { grp, body, text, r, x, y, shape };
  });
  v.wrap.classList.toggle('bp-sv-pictures', !!v.data.pictures);
  const rings = layer('rings');
  const flagLayer = layer('flags');  // diagnostics: a badge by each unit or layer in trouble
  const callout = layer('callout');
  v.g = { halo, paths: pathLayer, flags: flagLayer, edges, focus, chips, nodes, rings, callout, texts, font: g.font };
  v.geometry = geometryKey(g);
  v.edgeStyles = JSON.stringify(g.edge_styles);
  v.drawn = {
    paths: null, flags: null,
    edge: new Int32Array(edges.length).fill(-1), dashed: new Set(),
    fill: nodes.map(() => null), text: nodes.map(() => null), chip: chips.map(() => null),
    marks: null, cursor: null, lines: null, table: null, count: null,
  };
}

// What the drawing's elements depend on: the same for every tick of play on one network.
const geometryKey = g =>
  JSON.stringify([g.width, g.height, g.font, g.edges, g.nodes, g.chips.length, g.rects, g.texts.length]);

// A new graph of the same geometry (play's next tick): keep the elements, retext the legend, move the
// edge-value chips, and let drawGraph touch only what differs (every edge again if the edge styles,
// i.e. the scale, changed).
function reuseGraph(v) {
  const g = v.data.graph, G = v.g, D = v.drawn;
  g.texts.forEach(([, , text], q) => { if (G.texts[q].textContent !== text) G.texts[q].textContent = text; });
  g.chips.forEach(([x, y], q) => G.chips[q].grp.setAttribute('transform', `translate(${x} ${y})`));  // placed anew
  const styles = JSON.stringify(g.edge_styles);
  if (styles !== v.edgeStyles) { D.edge.fill(-1); v.edgeStyles = styles; }
  D.marks = null;
}

// Edge values that would cover one shown before them (in edge order) are left out: where edges crowd
// (many from one neuron, a short gap between layers) the picture keeps what can be read.
function thinChips(v, g, callout) {
  const G = v.g, D = v.drawn, kept = [];
  D.chipsAt = g;
  D.chipsFor = callout;
  for (const { x, y, r } of G.nodes) kept.push([x - r, y - r, x + r, y + r]);  // no value over a neuron
  if (Array.isArray(callout)) {  // the callout's box (as drawGraph sizes it) comes first
    const [x, y, text] = callout, w = 0.58 * G.font * [...String(text)].length + 12, hh = 1.6 * G.font;
    kept.push([x - w / 2, y - hh / 2, x + w / 2, y + hh / 2]);
  }
  G.chips.forEach((chip, k) => {
    const text = D.chip[k];
    let show = !!text && !!chip.size;
    if (show) {
      const [x, y] = g.chips[k], [w, hh] = chip.size;
      const box = [x - w / 2, y - hh / 2, x + w / 2, y + hh / 2];
      show = !kept.some(b => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
      if (show) kept.push(box);
    }
    chip.grp.setAttribute('display', show ? 'inline' : 'none');
  });
}

// The state at cursor c: base entries then every change with k ≤ c, in order.
function stateAt(list, c, size, pick) {
  const out = new Array(size).fill(null);
  const end = upto(list, c);
  for (let m = 0; m < end; m++) out[list[m][1]] = pick(list[m]);
  return out;
}

// The chain-rule paths ([layer, i, layer + 1, k] node pairs) and the diagnostics' flags ([layer, i or −1,
// kind, sentence]): drawn when they change, from the payload (the server finds them).
function drawOverlays(v) {
  const G = v.g, D = v.drawn, d = v.data;
  const at = new Map(d.graph.nodes.filter(n => n[3] === 0 && n[5] >= 0).map(n => [`${n[4]},${n[5]}`, n]));
  const pathKey = JSON.stringify(d.paths || []);
  if (pathKey !== D.paths) {
    D.paths = pathKey;
    G.paths.replaceChildren(...(d.paths || []).map(([l, i, l2, k]) => {
      const a = at.get(`${l},${i}`), b = at.get(`${l2},${k}`);
      return a && b ? s('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: 'bp-sv-path' }) : null;
    }).filter(Boolean));
  }
  const flagKey = JSON.stringify(d.flags || []);
  if (flagKey !== D.flags) {
    D.flags = flagKey;
    G.flags.replaceChildren(...(d.flags || []).map(([l, i, kind, sentence]) => {
      const nodes = [...at.values()].filter(n => n[4] === l && (i < 0 || n[5] === i));
      if (!nodes.length) return null;
      const top = nodes.reduce((p, q) => (q[1] < p[1] ? q : p));
      const [x, y, r] = top;
      const place = `translate(${x + 0.8 * r} ${y - 0.8 * r})`;
      const grp = s('g', { class: `bp-sv-flag bp-sv-flag-${kind}`, transform: place });
      s('circle', { r: Math.max(7, 0.35 * r) }, grp);
      const t = s('text', { 'text-anchor': 'middle', dy: '0.35em', 'font-size': Math.max(9, 0.45 * r) }, grp);
      t.textContent = '!';
      s('title', {}, grp).textContent = sentence;
      return grp;
    }).filter(Boolean));
  }
}

function drawGraph(v, c) {
  const g = v.data.graph, G = v.g, D = v.drawn;
  drawOverlays(v);
  const styles = g.edge_styles;
  const setEdge = (line, st, wide) => {
    line.setAttribute('stroke', st[0]);
    line.setAttribute('stroke-width', st[1] + (wide || 0));
    line.setAttribute('stroke-opacity', st[2]);
  };
  // Edges: only those whose style differs from what is drawn.
  const edgeStyle = stateAt(g.edge_changes, c, G.edges.length, x => x[2]);
  edgeStyle.forEach((st, e) => {
    if (st === null || st === D.edge[e]) return;
    D.edge[e] = st;
    setEdge(G.edges[e], styles[st] || styles[0]);
  });
  // Nodes: fill and text.
  const nodeState = stateAt(g.node_changes, c, G.nodes.length, x => x);
  nodeState.forEach((ch, n) => {
    if (!ch) return;
    const node = G.nodes[n];
    const [, , fill, text] = ch;
    if (fill !== D.fill[n]) {
      D.fill[n] = fill;
      node.body.setAttribute('fill', fill);
      node.text.setAttribute('fill', darkFill(fill) ? '#ffffff' : '#1a1a1a');
    }
    if (text !== D.text[n]) {
      D.text[n] = text;
      node.text.textContent = text;
      // The label fits its circle (or square): about 0.58 em per character.
      const room = node.shape === 1 ? 2 * node.r - 2 : 2 * node.r - 5;
      const size = Math.max(6, Math.min(G.font, room / (0.58 * Math.max(1, [...text].length))));
      node.text.setAttribute('font-size', size.toFixed(1));
    }
  });
  // Edge-value chips: "" hides one.
  const chipText = stateAt(g.chip_changes, c, G.chips.length, x => x[2]);
  let chipsMoved = false;
  chipText.forEach((text, k) => {
    if (text === null || text === D.chip[k]) return;
    D.chip[k] = text;
    chipsMoved = true;
    const chip = G.chips[k];
    chip.text.textContent = text;
    const size = Math.max(8, G.font - 3);
    const w = 0.58 * size * [...text].length + 6;
    chip.size = [w, size * 1.4];
    chip.text.setAttribute('font-size', size);
    Object.entries({ x: -w / 2, y: -size * 0.7, width: w, height: size * 1.4 })
      .forEach(([a, b]) => chip.rect.setAttribute(a, b));
  });
  const mark = g.marks[c - (v.data.window[0] - 1)] || {};
  if (chipsMoved || D.chipsAt !== g || D.chipsFor !== mark.callout) thinChips(v, g, mark.callout);
  // Marks of this cursor (a few elements: rebuilt when they change).
  const markKey = JSON.stringify(mark);
  if (markKey === D.marks) return;
  D.marks = markKey;
  const dashed = new Set(mark.dashed || []);
  for (const e of D.dashed) if (!dashed.has(e)) G.edges[e].removeAttribute('stroke-dasharray');
  for (const e of dashed) if (G.edges[e]) G.edges[e].setAttribute('stroke-dasharray', '6 4');
  D.dashed = dashed;
  G.halo.replaceChildren(...(mark.halo || []).filter(e => g.edges[e]).map(e => {
    const [x1, y1, x2, y2] = g.edges[e];
    return s('line', { x1, y1, x2, y2, class: 'bp-sv-halo-line' });
  }));
  G.focus.replaceChildren();
  if (mark.focus !== null && mark.focus !== undefined && g.edges[mark.focus]) {
    const [x1, y1, x2, y2] = g.edges[mark.focus];
    const st = styles[D.edge[mark.focus]] || styles[0];
    s('line', { x1, y1, x2, y2, stroke: '#1a1a1a', 'stroke-width': st[1] + 3.5, 'stroke-linecap': 'round' }, G.focus);
    setEdge(s('line', { x1, y1, x2, y2, 'stroke-linecap': 'round' }, G.focus), [st[0], st[1] + 1, 1]);
  }
  G.rings.replaceChildren(...(mark.ring || []).filter(n => G.nodes[n]).map(n => {
    const { x, y, r, shape } = G.nodes[n];
    return shape === 1
      ? s('rect', { x: x - r - 5, y: y - r - 5, width: 2 * r + 10, height: 2 * r + 10, class: 'bp-sv-ring' })
      : s('circle', { cx: x, cy: y, r: r + 5, class: 'bp-sv-ring' });
  }));
  G.callout.replaceChildren();
  if (Array.isArray(mark.callout)) {
    const [x, y, text] = mark.callout;
    const size = G.font;
    const rect = s('rect', { class: 'bp-sv-callout-box', rx: 4, ry: 4 }, G.callout);
    const attrs = { x, y, 'font-size': size, 'text-anchor': 'middle', dy: '0.35em', fill: '#1a1a1a' };
    const label = s('text', attrs, G.callout);
    label.textContent = text;
    let w = 0.58 * size * [...String(text)].length;
    try { w = label.getComputedTextLength() || w; } catch (err) { /* not laid out yet: the estimate */ }
    Object.entries({ x: x - w / 2 - 6, y: y - size * 0.8, width: w + 12, height: size * 1.6 })
      .forEach(([a, b]) => rect.setAttribute(a, b));
  }
  v.caption.textContent = mark.caption || '';
  drawFillKey(v.caption, (g.fills || [])[mark.fill]);
}

// The node fills' legend after the caption's words: its colours and end values come with the graph.
function drawFillKey(where, key) {
  if (!key) return;
  const box = h('span', 'bp-sv-fillkey', where);
  box.title = `each node's fill: ${key.what}`;
  h('span', null, box, 'fill: ');
  if (key.low) h('span', null, box, key.low);
  const bar = h('span', 'bp-sv-fillbar', box);
  key.colours.forEach(c => { h('span', null, bar).style.background = c; });
  if (key.high) h('span', null, box, key.high);
  if (key.per_layer) h('span', null, box, ' each layer on its own scale');
  if (key.inputs) h('span', null, box, `; ${key.inputs}`);
}

// ------------------------------------------------------------------ the panel
function drawPanel(v, c) {
  const d = v.data;
  const ev = c >= 0 ? d.events[c - d.window[0]] : null;
  v.progress.textContent = ev ? ev.progress : d.start.progress;
  const pic = ev && d.samples && ev.sample !== null && ev.sample !== undefined ? d.samples[ev.sample] : null;
  v.sample.hidden = !pic;
  if (pic && v.sample.getAttribute('src') !== pic) {
    v.sample.src = pic;
    v.sample.alt = `sample ${ev.sample + 1} as a picture`;
  }
  v.title.textContent = ev ? ev.title : `Update ${d.update + 1}`;
  drawInline(v, v.explanation, ev ? ev.explanation : d.start.note);
  drawLines(v, ev ? ev.lines : d.start.lines);
  drawTable(v, c, ev);
}

// A sentence with inline maths between $ … $ (the explanations): the text as text, the maths by KaTeX.
function drawInline(v, el, text) {
  const key = JSON.stringify([text, !!v.katex]);
  if (el.__key === key) return;
  el.__key = key;
  el.replaceChildren();
  text.split(/\$([^$]+)\$/).forEach((part, i) => {  // odd parts are the maths
    if (i % 2 === 0) { if (part) el.appendChild(document.createTextNode(part)); return; }
    const span = h('span', 'bp-sv-inline', el);
    if (v.katex) v.katex.render(part, span, { displayMode: false, throwOnError: false, output: 'htmlAndMathml' });
    else span.textContent = part;  // KaTeX not (yet) loaded: its source, still readable
  });
}

function drawLines(v, lines) {
  const key = JSON.stringify([lines, !!v.katex, v.katexFailed]);
  if (key === v.drawn.lines) return;
  v.drawn.lines = key;
  v.formulas.replaceChildren(...lines.map(tex => {
    const line = h('div', 'bp-sv-line');
    const fit = h('div', 'bp-sv-fit', line);
    if (v.katex) {
      v.katex.render(tex, fit, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    } else if (v.katexFailed) {
      h('code', 'bp-sv-tex', fit, tex);  // KaTeX could not load: its source, still readable
    }
    return line;
  }));
  fitFormulas(v);
  // KaTeX's fonts may still be loading (the first formulas of a page): fit again once they are in.
  if (document.fonts && document.fonts.status !== 'loaded') document.fonts.ready.then(() => fitFormulas(v));
}

// A line wider than the box is drawn smaller (down to MIN_FORMULA_SCALE); beyond that the box scrolls.
function fitFormulas(v) {
  fitBox(v, v.formulas);
  if (v.quiz && !v.quiz.box.hidden) fitBox(v, v.quiz.lines, 2.5 * v.quiz.form.offsetHeight);
}

// `below`: px the box keeps free under the formula (the question's answer row).
function fitBox(v, box, below = 0) {
  const avail = box.clientWidth - 4;
  if (avail <= 0) return;
  const fits = [...box.querySelectorAll('.bp-sv-fit')];
  const scales = fits.map(fit => {
    fit.style.fontSize = '';
    const natural = fit.scrollWidth;
    return natural > avail ? Math.max(MIN_FORMULA_SCALE, avail / natural) : 1;
  });
  // Presentation: the whole formula on the screen (a long sum is tall): all lines shrink together.
  let tall = 1;
  if (v.wrap.classList.contains('bp-sv-present') && fits.length) {
    const main = document.querySelector('[data-testid="stMain"]');
    const top = fits[0].getBoundingClientRect().top + (main ? main.scrollTop : 0) + window.scrollY;
    const height = fits[fits.length - 1].getBoundingClientRect().bottom - fits[0].getBoundingClientRect().top;
    const room = window.innerHeight - top - 8 - below;
    if (height > room && room > 0) tall = Math.max(MIN_FORMULA_SCALE, room / height);
  }
  fits.forEach((fit, q) => {
    const k = Math.min(scales[q], tall);
    if (k < 1) fit.style.fontSize = `${k.toFixed(3)}em`;
  });
}

function drawTable(v, c, ev) {
  const d = v.data;
  const t = ev && ev.table !== null && ev.table !== undefined ? d.tables[ev.table] : null;
  const row = t && ev.row !== null && ev.row !== undefined ? ev.row : -1;
  const key = t ? `${ev.table}|${row}|${c}` : '';
  if (key === v.drawn.table) return;
  v.drawn.table = key;
  if (!t) { v.tableBox.replaceChildren(); return; }
  const n = t.cells.length;
  let a = 0, b = n;
  if (n > TABLE_ROWS) {  // TABLE_ROWS rows around the highlighted one
    a = Math.max(0, Math.min(n - TABLE_ROWS, (row < 0 ? 0 : row) - Math.floor(TABLE_ROWS / 2)));
    b = a + TABLE_ROWS;
  }
  const cap = h('div', 'bp-sv-tablecap', null, t.caption);
  if (n > TABLE_ROWS) h('span', 'bp-sv-rows', cap, ` · rows ${a + 1}–${b} of ${n}`);
  const scroll = h('div', 'bp-sv-tablescroll');
  const table = h('table', 'bp-sv-table', scroll);
  const headRow = h('tr', null, h('thead', null, table));
  for (const col of t.columns) h('th', null, headRow, col);
  const tbody = h('tbody', null, table);
  for (let r = a; r < b; r++) {
    const tr = h('tr', r === row ? 'bp-sv-hl' : null, tbody);
    t.cells[r].forEach((cell, k) => h('td', null, tr, c >= t.reveal[r][k] ? cell : ''));
    const target = t.targets ? t.targets[r] : null;
    if (target && target[1] >= 1) {  // a click shows its chain-rule paths (as a click on the neuron does)
      tr.classList.add('bp-sv-pick');
      tr.title = 'Show its chain-rule paths to the loss';
      tr.addEventListener('click', () => selectTarget(v, target));
    }
  }
  v.tableBox.replaceChildren(cap, scroll);
}

// ------------------------------------------------------------------ practice: the question box
// The server asks; this code shows the question and sends what is typed. It never sees the value asked
// (it is not in the payload until answered) and never checks an answer itself.
const limited = d => d && d.limit !== null && d.limit !== undefined;

function createQuiz(v, panel) {
  const box = h('section', 'bp-sv-quiz', panel);
  box.hidden = true;
  box.setAttribute('aria-label', 'Your turn');
  const q = { box, title: h('div', 'bp-sv-quiz-title', box) };
  q.title.setAttribute('role', 'heading');
  q.title.setAttribute('aria-level', '4');
  q.ask = h('p', 'bp-sv-quiz-ask', box);
  q.lines = h('div', 'bp-sv-formulas bp-sv-quiz-lines', box);
  q.form = h('form', 'bp-sv-quiz-form', box);
  q.label = h('label', 'bp-sv-quiz-label', q.form);
  q.symbol = h('span', 'bp-sv-quiz-symbol', q.label);
  q.input = h('input', 'bp-sv-quiz-input', q.label);
  // (no inputmode="decimal": a phone's decimal pad may have no minus sign, and δ and ∂E/∂w are often negative)
  Object.assign(q.input, { type: 'text', autocomplete: 'off', spellcheck: false });
  q.input.setAttribute('enterkeyhint', 'done');
  q.input.setAttribute('aria-describedby', 'bp-sv-quiz-feedback');
  q.check = h('button', 'bp-sv-btn bp-sv-primary', q.form, 'Check ⏎');
  q.check.type = 'submit';
  q.hint = h('button', 'bp-sv-btn', q.form, '');
  q.hint.type = 'button';
  q.reveal = h('button', 'bp-sv-btn bp-sv-primary', q.form, 'Reveal →');
  q.reveal.type = 'button';
  q.feedback = h('p', 'bp-sv-quiz-feedback', box);
  q.feedback.id = 'bp-sv-quiz-feedback';
  q.feedback.setAttribute('aria-live', 'polite');
  q.score = h('p', 'bp-sv-quiz-note', box);
  q.tolerance = h('p', 'bp-sv-quiz-note', box);
  q.form.addEventListener('submit', e => {
    e.preventDefault();
    if (!v.data || q.waiting) return;
    q.waiting = true;
    q.feedback.textContent = 'Checking …';
    q.feedback.className = 'bp-sv-quiz-feedback';
    send(v, { kind: 'answer', cursor: v.cursor, text: q.input.value.slice(0, 200) });
  });
  const hint = () => { if (v.data && !q.waiting) { q.waiting = true; send(v, { kind: 'hint', cursor: v.cursor }); } };
  q.hint.addEventListener('click', hint);
  q.reveal.addEventListener('click', () => revealQuestion(v));
  q.input.addEventListener('keydown', e => {
    if (e.key === '?') { e.preventDefault(); hint(); }
    else if (e.key === 'Escape') { e.preventDefault(); q.input.blur(); v.wrap.focus(); }  // the arrows step again
  });
  return q;
}

// → at the frontier: the question, not the next value (a class question is revealed).
function askQuestion(v) {
  const quiz = v.data.quiz;
  if (!quiz || quiz.done) return;
  if (quiz.class) return revealQuestion(v);
  v.quiz.input.focus();
}

function revealQuestion(v) {
  if (!v.data || v.quiz.waiting) return;
  v.quiz.waiting = true;
  send(v, { kind: 'reveal', cursor: v.cursor });
}

function drawQuiz(v, c) {
  const q = v.quiz, quiz = v.data && v.data.quiz;
  const show = !!quiz && !v.data.graph_only && c === quiz.at;
  q.box.hidden = !show;
  v.wrap.classList.toggle('bp-sv-practice', !!quiz);
  v.wrap.classList.toggle('bp-sv-asking', show && !!quiz.class && !quiz.done);  // the question is the panel
  if (!show) return;
  const key = JSON.stringify([quiz, !!v.katex]);
  if (q.key === key) return;
  const newQuestion = q.event !== quiz.event;
  q.key = key;
  q.event = quiz.event;
  q.title.textContent = quiz.title;
  q.ask.textContent = quiz.done ? quiz.text : quiz.ask;
  q.form.hidden = !!quiz.done;
  q.lines.replaceChildren(...(quiz.lines || []).map(tex => {
    const line = h('div', 'bp-sv-line');
    const fit = h('div', 'bp-sv-fit', line);
    if (v.katex) v.katex.render(tex, fit, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    else h('code', 'bp-sv-tex', fit, tex);
    return line;
  }));
  q.lines.hidden = !(quiz.lines || []).length;
  q.symbol.replaceChildren();
  if (quiz.symbol && v.katex) v.katex.render(quiz.symbol, q.symbol, { throwOnError: false, output: 'htmlAndMathml' });
  else q.symbol.textContent = quiz.symbol || '';
  q.input.hidden = q.check.hidden = q.symbol.hidden = !!quiz.class;
  q.reveal.hidden = !quiz.class;
  q.hint.hidden = !quiz.hint;
  q.hint.textContent = quiz.hint || '';
  q.hint.title = quiz.hint_title || '';
  q.input.setAttribute('aria-label', quiz.ask || 'Your answer');
  const [kind, text] = quiz.feedback || ['', ''];
  q.feedback.textContent = text;
  q.feedback.className = `bp-sv-quiz-feedback${kind ? ' bp-sv-quiz-' + kind : ''}`;
  q.score.textContent = quiz.class ? '' : quiz.score;
  q.tolerance.textContent = quiz.class || quiz.done ? '' : quiz.tolerance;
  if (newQuestion) q.input.value = '';
  else if (kind === 'wrong') q.input.select();
  if (!quiz.class) requestAnimationFrame(() => q.box.scrollIntoView({ block: 'nearest' }));  // (a hint makes it taller)
  // Keyboard alone is enough: the answer field has the focus unless the reader is elsewhere.
  const here = document.activeElement;
  if (!quiz.class && !quiz.done && (!here || here === document.body || here === q.input || v.wrap.contains(here))) {
    if (here !== q.input) q.input.focus({ preventScroll: true });
  }
  fitFormulas(v);
}

// ------------------------------------------------------------------ one frame
function render(v) {
  const d = v.data;
  if (!d) return;
  const c = v.cursor;
  v.slider.min = '-1';
  v.slider.max = String(d.n_events - 1);
  if (v.slider.value !== String(c)) v.slider.value = String(c);
  v.slider.setAttribute('aria-valuetext', c >= 0 ? `event ${c + 1} of ${d.n_events}` : 'start');
  v.scrubText.textContent = `Scrub through update ${d.update + 1} (${d.n_events} events)`;
  v.count.textContent = c >= 0 ? `event ${c + 1} of ${d.n_events}` : `start · ${d.n_events} events`;
  v.back.disabled = c === -1 && !d.can_back;
  v.root.dataset.cursor = String(c);  // (for tests and for reading the page)
  v.root.dataset.update = String(d.update);
  if (v.drawn.cursor === c) return;
  drawGraph(v, c);
  v.root.dataset.frame = String((Number(v.root.dataset.frame) || 0) + 1);  // (a drawing reached the page)
  v.drawn.cursor = c;
  if (d.graph_only) return;
  drawPanel(v, c);
  drawQuiz(v, c);
  holdHeight(v);
}

// The view never shrinks while one update is shown: a shorter formula or table must not pull the page
// below it up (and a press must never move what the reader is looking at).
function holdHeight(v) {
  if (PHONE.matches || v.wrap.clientWidth <= 760) holdStacked(v);  // (the CSS stacks the view there)
  else if (SHORT.matches) fitGraph(v);
  else if (!SHORT.matches && v.svg.style.maxHeight) v.svg.style.maxHeight = '';
  // Edge values drawn smaller than 12 px (a phone's width) are left out: the callout and the formula
  // still give the current one.
  const g = v.data && v.data.graph;
  const chip = g && Math.max(8, g.font - 3);  // (as drawGraph sizes them)
  const shownWidth = v.zoom ? v.zoom[2] : g && g.width;
  if (g) v.wrap.classList.toggle('bp-sv-tiny', chip * v.svg.getBoundingClientRect().width / shownWidth < 12);
  v.body.style.minHeight = '';
  const h = v.body.offsetHeight;
  if (h > (v.tallest || 0)) v.tallest = h;
  v.body.style.minHeight = `${v.tallest}px`;
}

// Stacked (a phone, a tablet, a narrow window) the title and formula sit above the graph: they keep the
// height of the tallest seen in this update (the graph does not jump at every press), and the graph is
// scaled to the rest of the first screen, above a phone's step bar (it shrinks when a taller formula
// comes, never grows back in one update).
const PHONE = window.matchMedia('(max-width: 640px)');
const SHORT = window.matchMedia('(max-height: 500px)');  // a phone held sideways: side by side, fitted
const fits = v => PHONE.matches || SHORT.matches || v.wrap.clientWidth <= 760;  // the graph is fitted to the screen
function holdStacked(v) {
  for (const [el, k] of [[v.title, 'titleTallest'], [v.formulas, 'formulaTallest']]) {
    el.style.minHeight = '';
    v[k] = Math.max(v[k] || 0, el.offsetHeight);
    el.style.minHeight = `${v[k]}px`;
  }
  fitGraph(v);
}

function fitGraph(v) {
  const bar = v.wrap.querySelector('.bp-sv-controls');
  const main = document.querySelector('[data-testid="stMain"]');
  const top = v.svg.getBoundingClientRect().top + (main ? main.scrollTop : 0) + window.scrollY;
  const below = bar && getComputedStyle(bar).position === 'fixed' ? bar.offsetHeight : 0;
  const room = Math.max(window.innerHeight - below - top - 8, 0.33 * window.innerHeight);
  v.graphMax = Math.min(v.graphMax || Infinity, room);
  v.svg.style.maxHeight = `${Math.round(v.graphMax)}px`;
}

// ------------------------------------------------------------------ the component
export default function ({ parentElement, data, setStateValue }) {
  let v = parentElement.__bpStepView;
  if (!v) v = parentElement.__bpStepView = createView(parentElement);
  v.setStateValue = setStateValue;
  const plays = data && (Array.isArray(data.frames) || (data.payload && data.payload.graph_only));
  if (!plays) window.__bpStepViewActive = v;  // the keys step this view
  if (data && data.katex && !v.katex && !v.katexFailed && v.katexDir !== data.katex) {
    v.katexDir = data.katex;
    loadKatex(data.katex).then(
      k => { v.katex = k; v.drawn.lines = null; drawLines(v, currentLines(v)); v.drawn.cursor = null; render(v); },
      () => { v.katexFailed = true; v.drawn.lines = null; drawLines(v, currentLines(v)); },
    );
  }
  if (data && Array.isArray(data.frames)) playFrames(v, data);
  else receive(v, data && data.payload);
  return () => {  // the element leaves the page
    clearTimeout(v.frameTimer);
    clearTimeout(v.cursorTimer);
    clearTimeout(v.giveUpTimer);
    if (window.__bpStepViewActive === v) window.__bpStepViewActive = null;
  };
}

// Play's drawings: a batch of graph-only payloads, drawn `spacing` ms apart. A batch is drawn once
// (a rerun that sends it again changes nothing); a new batch replaces what is left of the last.
function playFrames(v, data) {
  if (data.batch === v.batch) return;
  v.batch = data.batch;
  clearTimeout(v.frameTimer);
  const frames = data.frames, spacing = Math.max(0, Number(data.spacing) || 0);
  const show = i => {
    receive(v, frames[i]);
    if (i + 1 < frames.length) v.frameTimer = setTimeout(() => show(i + 1), spacing);
  };
  if (frames.length) show(0);
}

function currentLines(v) {
  const d = v.data;
  if (!d) return [];
  const c = v.drawn.cursor ?? v.cursor;
  return c >= 0 ? d.events[c - d.window[0]].lines : d.start.lines;
}
"""

_CSS = r"""
.bp-sv {
  --bp-sv-ink: #1a1a1a;
  --bp-sv-muted: #4a5568;
  --bp-sv-line: #d5dae1;
  --bp-sv-font: 1rem;
  container-type: inline-size;
  background: #ffffff;
  color: var(--bp-sv-ink);
  font-family: "Source Sans Pro", "DejaVu Sans", Arial, sans-serif;
  font-size: var(--bp-sv-font);
  line-height: 1.4;
  max-width: 100%;
  box-sizing: border-box;
}
.bp-sv *, .bp-sv *::before, .bp-sv *::after { box-sizing: border-box; }
.bp-sv.bp-sv-present { --bp-sv-font: 1.3rem; }
.bp-sv-present .bp-sv-scrub { display: none; }  /* a projector shows the step, not the controls */

/* Controls: ← Back, Next →, the scrubber and the position. */
.bp-sv-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; margin-bottom: 0.75rem; }
.bp-sv-btn {
  font: inherit; color: var(--bp-sv-ink); background: #ffffff; border: 1px solid #c3c9d1;
  border-radius: 0.5rem; padding: 0.3rem 0.9rem; cursor: pointer; min-height: 2.4rem;
}
.bp-sv-btn:hover:not(:disabled) { border-color: #ff4b4b; color: #d43030; }
.bp-sv-btn:focus-visible { outline: 2px solid #2b6cb0; outline-offset: 2px; }
.bp-sv-btn:disabled { color: #a0aec0; cursor: default; }
.bp-sv-primary { font-weight: 600; }
.bp-sv-scrub { display: flex; flex-direction: column; flex: 1 1 14rem; min-width: 10rem; gap: 0.1rem; }
.bp-sv-scrub-label { font-size: 0.8em; color: var(--bp-sv-muted); }
.bp-sv-slider { width: 100%; margin: 0; accent-color: #ff4b4b; }
.bp-sv-count { font-size: 0.85em; color: var(--bp-sv-muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.bp-sv-wait { font-size: 0.85em; color: var(--bp-sv-muted); min-width: 2.5em; }

/* Graph (left, about 55 %) and panel (right); stacked below 760 px. */
.bp-sv-body { display: grid; grid-template-columns: minmax(0, 55fr) minmax(0, 45fr); gap: 1.25rem; align-items: start; }
@container (max-width: 760px) {  /* stacked: the formula first, then the graph (a tablet, a narrow window) */
  .bp-sv-body { grid-template-columns: minmax(0, 1fr); }
  .bp-sv.bp-sv-present .bp-sv-fit .katex { font-size: 1em; }  /* the graph shares the screen's height */
  .bp-sv-panel { display: contents; }
  .bp-sv-progress { order: 1; } .bp-sv-title { order: 2; } .bp-sv-formulas { order: 3; } .bp-sv-quiz { order: 3; }
  .bp-sv-graph { order: 4; } .bp-sv-expl { order: 5; } .bp-sv-tablebox { order: 6; }
}
.bp-sv-graph { min-width: 0; }
.bp-sv-svg {
  display: block; width: 100%; height: auto; aspect-ratio: var(--bp-sv-aspect, auto); background: #ffffff;
  max-height: 70vh;  /* a wide screen (a projector) scales the picture to the screen's height, not past it */
}
.bp-sv-svg text { font-family: "Source Sans Pro", "DejaVu Sans", Arial, sans-serif; pointer-events: none; }
.bp-sv-svg circle, .bp-sv-svg .bp-sv-nodes rect { stroke: #4a5568; stroke-width: 1.5; }
.bp-sv-svg [data-neuron] { cursor: pointer; }
@media (hover: hover) { .bp-sv-svg [data-neuron]:hover circle { stroke: var(--bp-sv-ink); stroke-width: 2.5; } }
.bp-sv-halo-line { stroke: #fbd38d; stroke-width: 12; stroke-opacity: 0.55; stroke-linecap: round; }
.bp-sv-path { stroke: #805ad5; stroke-width: 9; stroke-opacity: 0.45; stroke-linecap: round; }
.bp-sv-flag circle { fill: #c53030; stroke: #ffffff; stroke-width: 1.5; }
.bp-sv-flag text { fill: #ffffff; font-weight: 700; pointer-events: none; }
.bp-sv-flag { cursor: help; }
.bp-sv-picture { pointer-events: none; }
.bp-sv-pictures .bp-sv-nodes text { fill: #1a1a1a; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
.bp-sv-sample {
  float: right; width: 64px; height: 64px; image-rendering: pixelated; border: 1px solid var(--bp-sv-line);
  margin: 0 0 0.25rem 0.5rem;
}
.bp-sv-sample[hidden] { display: none; }
.bp-sv-svg .bp-sv-ring { fill: none; stroke: var(--bp-sv-ink); stroke-width: 3; }
.bp-sv-tiny .bp-sv-chips { display: none; }
.bp-sv-chips rect { fill: #ffffff; fill-opacity: 0.9; stroke: #cbd5e0; stroke-width: 0.8; }
.bp-sv-chips text { fill: var(--bp-sv-ink); }
.bp-sv-callout-box { fill: #ffffff; stroke: #4a5568; stroke-width: 1; }
.bp-sv-caption { font-size: 0.85em; color: var(--bp-sv-muted); margin-top: 0.25rem; min-height: 1.4em; }
.bp-sv-fillkey { display: block; white-space: nowrap; }
.bp-sv-fillbar { display: inline-flex; vertical-align: middle; margin: 0 0.3em; border: 1px solid #cbd5e0; }
.bp-sv-fillbar span { display: inline-block; width: 0.9em; height: 0.8em; }

/* The step panel. */
.bp-sv-panel { min-width: 0; }
.bp-sv-graph-only .bp-sv-controls, .bp-sv-graph-only .bp-sv-panel { display: none; }
.bp-sv-graph-only .bp-sv-body { grid-template-columns: minmax(0, 1fr); }
.bp-sv-progress { font-size: 0.8em; color: var(--bp-sv-muted); }
.bp-sv-title { font-weight: 700; font-size: 1.1em; margin: 0.15rem 0 0.4rem; }
.bp-sv-formulas { overflow-x: auto; overflow-y: hidden; max-width: 100%; min-height: 3em; }
.bp-sv-fit { width: max-content; margin: 0 auto; }
.bp-sv-fit .katex-display { margin: 0.45em 0; }
.bp-sv-present .bp-sv-fit .katex { font-size: 1.35em; }
.bp-sv-present .bp-sv-title { font-size: 0.9em; }  /* the formula is what the room reads */
.bp-sv-present .bp-sv-table { font-size: 0.8em; }  /* every column in view */
@media (max-height: 800px) { .bp-sv-present .bp-sv-fit .katex { font-size: 1.2em; } }
.bp-sv-tex { font-size: 0.85em; white-space: pre; }
.bp-sv-expl { margin: 0.4rem 0 0.75rem; }
.bp-sv-tablecap { font-size: 0.85em; font-weight: 600; margin-bottom: 0.25rem; }
.bp-sv-rows { font-weight: 400; color: var(--bp-sv-muted); }
.bp-sv-tablescroll { overflow-x: auto; max-width: 100%; }
.bp-sv-table { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }
.bp-sv-table th, .bp-sv-table td {
  border-bottom: 1px solid var(--bp-sv-line); padding: 0.2rem 0.6rem; text-align: right;
}
.bp-sv-table th { font-weight: 600; color: var(--bp-sv-muted); border-bottom-color: #a0aec0; }
.bp-sv-table td:first-child, .bp-sv-table th:first-child { text-align: left; }
.bp-sv-table tr.bp-sv-hl td { background: #fff3cd; font-weight: 600; }
.bp-sv-table tr.bp-sv-pick { cursor: pointer; }
@media (hover: hover) { .bp-sv-table tr.bp-sv-pick:hover td { background: #f3ebff; } }

/* Practice: the question box under the formula of the last value seen. A class question is the panel. */
.bp-sv-asking .bp-sv-panel > :not(.bp-sv-quiz) { display: none; }
.bp-sv-asking .bp-sv-quiz { border: none; background: none; padding: 0; margin-top: 0; }
.bp-sv-quiz {
  border: 2px solid #2b6cb0; border-radius: 0.6rem; padding: 0.6rem 0.8rem; margin: 0.5rem 0 0.75rem;
  background: #f5f9ff;
}
.bp-sv-quiz[hidden] { display: none; }
.bp-sv-quiz-title { font-weight: 700; }
.bp-sv-quiz-ask { margin: 0.2rem 0 0.4rem; }
.bp-sv-quiz-lines { min-height: 0; }
.bp-sv-quiz-lines[hidden], .bp-sv-quiz-form[hidden], .bp-sv-quiz [hidden] { display: none; }
.bp-sv-quiz-form { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.bp-sv-quiz-label { display: flex; align-items: center; gap: 0.4rem; flex: 1 1 12rem; min-width: 0; }
.bp-sv-quiz-symbol { white-space: nowrap; }
.bp-sv-quiz-input {
  font: inherit; font-variant-numeric: tabular-nums; min-width: 0; flex: 1 1 6rem; min-height: 2.4rem;
  border: 1px solid #8a94a3; border-radius: 0.4rem; padding: 0.2rem 0.5rem;
  background: #ffffff; color: var(--bp-sv-ink);
}
.bp-sv-quiz-input:focus { outline: 2px solid #2b6cb0; outline-offset: 1px; }
.bp-sv-quiz-feedback { margin: 0.4rem 0 0; min-height: 1.4em; font-weight: 600; }
.bp-sv-quiz-feedback:empty { min-height: 0; margin: 0; }
.bp-sv-quiz-right { color: #276749; }
.bp-sv-quiz-wrong { color: #c53030; }
.bp-sv-quiz-note { margin: 0.2rem 0 0; font-size: 0.8em; color: var(--bp-sv-muted); }
.bp-sv-quiz-note:empty { display: none; }

/* A phone held sideways (short): smaller type, the title on one line, the graph fitted to the height. */
@media (max-height: 500px) {
  .bp-sv.bp-sv-present { --bp-sv-font: 0.95rem; }
  .bp-sv.bp-sv-present .bp-sv-fit .katex { font-size: 1em; }
  .bp-sv-controls { margin-bottom: 0.35rem; }
  .bp-sv-btn { min-height: 2.2rem; padding: 0.2rem 0.8rem; }
  .bp-sv-title { font-size: 1em; margin: 0 0 0.2rem; }
  .bp-sv-fit .katex-display { margin: 0.25em 0; }
}

/* Phones (portrait): the formula first, then the graph, in the first screen; ← Back, the position and
   Next → in a bar fixed at the bottom, within thumb reach; a swipe on the view steps too. (No container
   query here: its containment would hold the fixed bar inside the view.) */
@media (max-width: 640px) {
  .bp-sv { container-type: normal; }
  .bp-sv.bp-sv-present { --bp-sv-font: 1rem; }
  .bp-sv.bp-sv-present .bp-sv-fit .katex { font-size: 1em; }  /* a phone is held close: no projector sizes */
  .bp-sv:not(.bp-sv-graph-only) .bp-sv-controls {
    position: fixed; left: 0; right: 0; bottom: 0; z-index: 999990; margin: 0; flex-wrap: nowrap; gap: 0.5rem;
    background: #ffffff; border-top: 1px solid var(--bp-sv-line); box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.08);
    padding: 0.5rem 0.75rem calc(0.5rem + env(safe-area-inset-bottom));
  }
  .bp-sv-controls .bp-sv-btn { flex: 1 1 0; min-height: 3rem; font-size: 1.05rem; }
  .bp-sv-controls .bp-sv-count { order: 1; text-align: center; min-width: 5.5em; white-space: normal; }
  .bp-sv-controls .bp-sv-primary { order: 2; }
  .bp-sv-scrub, .bp-sv-wait:empty { display: none; }
  .bp-sv-wait { position: absolute; bottom: 100%; left: 0.75rem; background: #ffffff; }
  .bp-sv-body { grid-template-columns: minmax(0, 1fr); gap: 0.25rem; touch-action: pan-y; }
  .bp-sv-panel { display: contents; }
  .bp-sv-progress { order: 1; } .bp-sv-title { order: 2; margin-bottom: 0; } .bp-sv-formulas { order: 3; }
  .bp-sv-quiz { order: 3; }
  .bp-sv-graph { order: 4; } .bp-sv-expl { order: 5; } .bp-sv-tablebox { order: 6; }
  .bp-sv-svg { max-height: 56vh; margin: 0 auto; }
}
"""

_step_view = st.components.v2.component("backprop_lab.step_view", js=_JS, css=_CSS, isolate_styles=False)


def _katex_dir() -> str:
    """The page-relative address of the vendored KaTeX folder, registering it for this runtime."""
    served = components_v1.declare_component("katex_static", path=KATEX_DIR)
    return f"component/{served.name}/"


def _ignore() -> None:
    """The report's change callback when the caller has none (Streamlit returns only the state
    keys that have one)."""


def show_step_view(
    payload: dict,
    *,
    key: str = "step_view",
    height: int | None = None,
    on_report: Callable[[], None] | None = None,
) -> dict | None:
    """Mount the step view for ``payload`` (schema v = 1) and return the browser's newest report.

    The return value is None until the browser has reported, then the last report it sent,
    exactly as sent (a JSON object; check it with components.model.step_report.parse_report)::

        {"kind": "cursor", "key": str, "seq": int, "cursor": int, "n": int}       # 400 ms after the last move
        {"kind": "next_update", "key": str, "seq": int, "cursor": int, "n": int}  # → past the last event
        {"kind": "prev_update", "key": str, "seq": int, "cursor": int, "n": int}  # ← before the first event
        {"kind": "window", "key": str, "seq": int, "cursor": int, "n": int}       # cursor: the target outside
        {"kind": "select", "key": str, "seq": int, "cursor": int, "node": [layer, i], "n": int}  # neuron clicked

    ``key`` and ``seq`` are the payload's the browser was showing; ``n`` increases with every
    report (so an identical report still arrives). A report is a state value: it comes back
    on every later rerun until the browser sends another, so act on it when ``n`` is new, or
    rely on parse_report ignoring it once key or seq have moved on. Each report causes one
    rerun; ``on_report`` (no arguments) runs first, before the script, and can read the report
    with :func:`latest_report` and move the lab before the next payload is built.

    To move the browser's cursor, send a payload with a new ``seq`` (or a new ``key``); the same
    key and seq again keep the browser's own cursor and change nothing on the page.

    ``payload["ahead"]`` (optional): the next update's payload, with the key the server gives it once
    it follows. → past the last event then steps into it in the browser and reports its cursor there at
    once (a "cursor" report with the ahead payload's key and seq), instead of asking "next_update".
    ``height``: pixels, or None to fit the content."""
    result = _step_view(
        key=key,
        data={"payload": payload, "katex": _katex_dir()},
        height=height if height is not None else "content",
        width="stretch",
        on_report_change=on_report or _ignore,
    )
    report = result.get("report") if result is not None else None
    return report if isinstance(report, dict) else None


def show_play_frames(frames: list[dict], *, batch: str, spacing: float, key: str) -> None:
    """Mount the step view as play's graph: ``frames`` (graph-only payloads, ``graph_frame``) drawn
    ``spacing`` seconds apart, the first at once. ``batch`` names them: the same batch sent again is
    not drawn again. The view sends no reports."""
    _step_view(
        key=key,
        data={"frames": frames, "batch": str(batch), "spacing": round(1000 * spacing), "katex": _katex_dir()},
        height="content",
        width="stretch",
        on_report_change=_ignore,
    )


def latest_report(key: str = "step_view") -> dict | None:
    """The browser's newest report for the step view ``key`` (see show_step_view), or None.

    Readable before the view is mounted in this run (e.g. in ``on_report``), so the lab can act
    on it before it builds the payload."""
    state = st.session_state.get(key)
    report = state.get("report") if hasattr(state, "get") else None
    return report if isinstance(report, dict) else None
