"""Streamlit wrapper of the network graph: draw the figure, report a clicked neuron.

Streamlit 1.67 derives a plotly chart's widget id from its spec, so every new figure
(a step, a new selection ring) is a new widget with an empty selection: a click shows up
exactly once, on the rerun it triggers. ``show_graph`` therefore returns the neuron
clicked in THIS run, or None for "no new click" (not "deselect"); keep the selection in
your own session state and pass it back as ``GraphOptions.selected``.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["show_graph", "clicked_node", "CONFIG"]

CONFIG = {
    "displaylogo": False,
    "displayModeBar": True,
    "scrollZoom": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "backprop-lab-network"},
    # a lecturer can draw on the projected graph; zooming and box selection make no sense here
    "modeBarButtonsToAdd": ["drawopenpath", "drawcircle", "eraseshape"],
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
    ],
}


def clicked_node(event) -> tuple[int, int] | None:
    """(layer, neuron) of the first selected point carrying customdata [layer, neuron ≥ 0];
    None for an empty, missing or malformed selection (e.g. a bias square or an edge)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError, IndexError):
        return None
    for p in points if isinstance(points, (list, tuple)) else ():
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, dict):  # a typed array arrives as {"0": l, "1": i}
            cd = [cd.get("0"), cd.get("1")]
        if isinstance(cd, (list, tuple)) and len(cd) >= 2:
            try:
                layer, neuron = int(cd[0]), int(cd[1])
            except (TypeError, ValueError):
                continue
            if layer >= 0 and neuron >= 0:
                return layer, neuron
    return None


def show_graph(fig, key: str = "graph", image_format: str = "png") -> tuple[int, int] | None:
    """Draw ``fig`` full width; return the (layer, neuron) clicked in this run, else None.

    image_format: "png" (default, 2× scale) or "svg" for the toolbar's download button.
    """
    config = {**CONFIG, "toImageButtonOptions": {**CONFIG["toImageButtonOptions"], "format": image_format}}
    event = st.plotly_chart(
        fig, key=key, on_select="rerun", selection_mode="points", config=config, width="stretch", theme=None
    )  # theme=None: exactly the designed colours
    return clicked_node(event)
