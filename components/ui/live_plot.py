"""A plotly chart that stays mounted and is patched in place: for play mode's redraws.

``st.plotly_chart`` mounts a new chart for every new figure (Streamlit 1.67 derives the
element's identity from the spec) and plotly then draws it twice: once before Streamlit has
measured the width and once after. While playing, that was most of the browser's time and
held the redraws under 3 a second (bench_play). ``show_live`` instead hands each figure to
one long-lived plotly instance per key, which ``Plotly.react`` patches, and drops figures
that arrive while a draw is still running (only the newest is drawn).

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

export default function ({ parentElement, data }) {
  let div = parentElement.querySelector('.bp-live-plot');
  if (!div) {
    div = document.createElement('div');
    div.className = 'bp-live-plot';
    div.style.width = '100%';
    parentElement.appendChild(div);
  }
  div.__next = data;  // only the newest figure is drawn
  if (!window.Plotly && !div.__drawn) div.textContent = 'Loading the live chart…';  // (first play: ~5 MB)
  const draw = async Plotly => {
    if (div.__busy) return;  // the running draw takes div.__next when it ends
    div.__busy = true;
    try {
      if (!div.__drawn) { div.replaceChildren(); div.__drawn = true; }
      while (div.__next) {
        const d = div.__next; div.__next = null;
        const fig = JSON.parse(d.figure);
        await Plotly.react(div, fig.data, fig.layout, d.config);
      }
    } finally { div.__busy = false; }
  };
  plotly(data.src).then(draw, () => {
    div.textContent = 'The live chart could not load plotly.js: pause to see the charts.';
  });
  return () => { if (window.Plotly) window.Plotly.purge(div); };  // (called when the chart leaves the page)
}
"""

_live = st.components.v2.component("backprop_lab.live_plot", js=_JS, isolate_styles=False)


def _plotly_src() -> str:
    """The page-relative address of plotly.min.js, registering its folder for this runtime."""
    served = components_v1.declare_component("plotly_js", path=PLOTLY_DIR)
    return f"component/{served.name}/{PLOTLY_JS}"


def show_live(fig, key: str) -> None:
    """Draw ``fig`` (a plotly Figure) in the long-lived chart ``key``; later calls patch it.

    No toolbar: a drawing or a download belongs to a picture that holds still (paused)."""
    height = int(fig.layout.height or 450)
    _live(
        key=key,
        data={"figure": fig.to_json(), "config": {"displayModeBar": False, "responsive": True}, "src": _plotly_src()},
        height=height,
        width="stretch",
    )
