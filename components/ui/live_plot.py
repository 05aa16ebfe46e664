"""A plotly chart that stays mounted and is patched in place: for play mode's redraws.

``st.plotly_chart`` mounts a new chart for every new figure (Streamlit 1.67 derives the
element's identity from the spec) and plotly then draws it twice: once before Streamlit has
measured the width and once after. While playing, that was most of the browser's time and
held the redraws under 3 a second (bench_play). ``show_live`` instead hands each figure to
one long-lived plotly instance per key, patched in place: new points are appended
(``Plotly.extendTraces``), a new boundary image or title is relaid out, and only a figure that
changes otherwise is drawn again by ``Plotly.react``. Figures that arrive while a draw is still
running wait, and only the newest of them is drawn.

The browser's plotly.js is the one the installed ``plotly`` package ships
(``plotly/package_data/plotly.min.js``), served by Streamlit's custom-component file route:
nothing is vendored into this repository and nothing is fetched from a CDN.
"""

from __future__ import annotations

import os

import plotly
import streamlit as st
import streamlit.components.v1 as components_v1

__all__ = ["show_live", "PLOTLY_JS"]

PLOTLY_DIR = os.path.join(os.path.dirname(plotly.__file__), "package_data")
PLOTLY_JS = "plotly.min.js"

# Static code of ours; the figure arrives as JSON data, never as code or HTML.
_JS = """
// Streamlit's own address (its bundle is at <base>static/js/…), so a baseUrlPath or a hosting
// proxy prefix is kept; the page's address otherwise.
const base = () => {
  const own = [...document.scripts].map(s => s.src).find(u => /\\/static\\/js\\/[^/]+\\.js$/.test(u));
  return own ? own.replace(/static\\/js\\/[^/]+$/, '') : document.baseURI;
};
const plotly = src => window.__bpPlotly || (window.__bpPlotly = new Promise((resolve, reject) => {
  const s = document.createElement('script');
  s.src = new URL(src, base()).href;
  s.onload = () => resolve(window.Plotly);
  s.onerror = () => reject(new Error('plotly.js did not load'));  // (not retried every tick)
  document.head.appendChild(s);
}));

// What a figure draws beyond its data points, image sources and titles (and the data's revision, which
// follows the points): equal for two figures means the second is the first with points appended, new
// images or new titles.
const frameOf = fig => JSON.stringify([
  fig.data.map(t => ({ ...t, x: undefined, y: undefined })),
  { ...fig.layout, title: undefined, datarevision: undefined,
    images: (fig.layout.images || []).map(i => ({ ...i, source: undefined })) },
]);
const startsWith = (a, b) =>
  Array.isArray(a) && Array.isArray(b) && b.length <= a.length && b.every((x, i) => Object.is(x, a[i]));
const same = (a, b) => a === b || JSON.stringify(a) === JSON.stringify(b);

// plotly's JSON writes numpy arrays as {dtype, bdata: base64}; the points of x and y are read into
// plain arrays, so appended points can be found and extended.
const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array, i2: Int16Array,
  u2: Uint16Array, i1: Int8Array, u1: Uint8Array };
const plain = a => {
  if (!a || typeof a.bdata !== 'string' || !TYPED[a.dtype] || a.shape && String(a.shape).includes(',')) return a;
  const bytes = Uint8Array.from(atob(a.bdata), c => c.charCodeAt(0));
  return Array.from(new TYPED[a.dtype](bytes.buffer));
};
const readFigure = text => {
  const fig = JSON.parse(text);
  fig.data.forEach(t => { t.x = plain(t.x); t.y = plain(t.y); });
  return fig;
};

// What is drawn, read before plotly gets the figure (plotly adds its own keys to the objects it is given):
// the figure's frame, its points and its titles and image sources.
const drawnOf = fig => ({
  frame: frameOf(fig),
  points: fig.data.map(t => [t.x, t.y]),
  title: JSON.stringify(fig.layout.title),
  images: (fig.layout.images || []).map(i => i.source),
});

// How to go from what is drawn to `fig` without drawing it whole: {extend, indices, relayout}, or null
// (react). Appended points are extended, images and titles relaid out; an equal figure: nothing to do.
function patchFor(old, now, fig) {
  if (!old || old.frame !== now.frame || old.points.length !== now.points.length) return null;
  const x = [], y = [], indices = [];
  for (let i = 0; i < now.points.length; i++) {
    const [ax, ay] = now.points[i], [bx, by] = old.points[i];
    if (same(ax, bx) && same(ay, by)) continue;
    if (!startsWith(ax, bx) || !startsWith(ay, by) || ax.length !== ay.length || bx.length !== by.length) return null;
    x.push(ax.slice(bx.length)); y.push(ay.slice(by.length)); indices.push(i);
  }
  const relayout = {};
  if (now.title !== old.title) relayout.title = fig.layout.title;
  now.images.forEach((source, i) => { if (source !== old.images[i]) relayout[`images[${i}].source`] = source; });
  return { extend: indices.length ? { x, y } : null, indices, relayout };
}

async function drawFigure(Plotly, div, fig, config) {
  const now = drawnOf(fig);
  const patch = patchFor(div.__drawnFig, now, fig);
  div.__drawnFig = now;
  if (!patch) return Plotly.react(div, fig.data, fig.layout, config);
  if (patch.extend) await Plotly.extendTraces(div, patch.extend, patch.indices);
  if (Object.keys(patch.relayout).length) await Plotly.relayout(div, patch.relayout);
}

export default function ({ parentElement, data }) {
  let div = parentElement.querySelector('.bp-live-plot');
  if (!div) {
    div = document.createElement('div');
    div.className = 'bp-live-plot';
    div.style.width = '100%';
    parentElement.appendChild(div);
  }
  if (!window.Plotly && !div.__drawn) div.textContent = 'Loading the live chart…';  // (first play: ~5 MB)
  const draw = async Plotly => {
    if (div.__busy) return;  // the running draw takes div.__next when it ends
    div.__busy = true;
    try {
      if (!div.__drawn) { div.replaceChildren(); div.__drawn = true; }
      while (div.__next) {
        const fig = readFigure(div.__next); div.__next = null;
        await drawFigure(Plotly, div, fig, data.config);
      }
    } finally { div.__busy = false; }
  };
  const loaded = plotly(data.src);
  loaded.catch(() => { div.textContent = 'The live chart could not load plotly.js: pause to see the charts.'; });
  // A batch of figures drawn `spacing` ms apart, once (the same batch sent again is not redrawn); only the
  // newest figure waits while a draw runs.
  if (data.batch !== div.__batch) {
    div.__batch = data.batch;
    clearTimeout(div.__timer);
    const figures = data.figures || [];
    const show = i => {
      if (figures[i] !== null) { div.__next = figures[i]; loaded.then(draw, () => {}); }  // null: no change then
      if (i + 1 < figures.length) div.__timer = setTimeout(() => show(i + 1), data.spacing);
    };
    if (figures.length) show(0);
  }
  return () => {  // (called when the chart leaves the page)
    clearTimeout(div.__timer);
    if (window.Plotly) window.Plotly.purge(div);
  };
}
"""

_live = st.components.v2.component("backprop_lab.live_plot", js=_JS, isolate_styles=False)


def _plotly_src() -> str:
    """The page-relative address of plotly.min.js, registering its folder for this runtime."""
    served = components_v1.declare_component("plotly_js", path=PLOTLY_DIR)
    return f"component/{served.name}/{PLOTLY_JS}"


def show_live(figures: list, key: str, *, batch: str, spacing: float) -> None:
    """Draw ``figures`` (plotly Figures, oldest first; None: none at that time) in the long-lived chart
    ``key``, ``spacing`` seconds apart, the first at once; later calls patch it. ``batch`` names the figures: the same
    batch sent again is not drawn again. In the browser a figure that only appends points to the
    drawn one's lines, or changes its images or titles, is patched (``extendTraces``, ``relayout``);
    any other is drawn by ``Plotly.react``.

    No toolbar: a drawing or a download belongs to a picture that holds still (paused)."""
    height = int(figures[-1].layout.height or 450) if figures and figures[-1] is not None else 450
    _live(
        key=key,
        data={
            "figures": [None if fig is None else fig.to_json() for fig in figures],
            "batch": str(batch),
            "spacing": round(1000 * spacing),
            "config": {"displayModeBar": False, "responsive": True},
            "src": _plotly_src(),
        },
        height=height,
        width="stretch",
    )
