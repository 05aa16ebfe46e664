"""The layered network graph: a pure function from engine state to a plotly figure.

``graph_data`` holds the structure and numbers (layout, values, colour buckets); this module
puts the figure together from its parts: ``graph_edges`` (edge traces, hover, colour bar),
``graph_nodes`` (bias squares, neurons, rings), ``graph_annotations`` (column heads, caption,
the event's callout), which share a ``graph_scene.Scene`` and write numbers with ``graph_labels``.
Each colour bucket is ONE trace of many segments split by gaps (never one trace per
edge), so a figure has < 40 traces whatever the network; pending values are faded,
nodes blank until their event is reached; "auto" nodes show a up to the loss, δ after.

The current event is marked: a ring on the neuron just computed (forward, δ) or on the
output layer (loss, "E = …"); a dark halo under the edges into a forward neuron (a
wedge for > 100); dashed lines on the edges a hidden δ came back along; the edge of a
grad/update event thick, outlined, with "∂E/∂w[2]₁₂ = …" or "w[2]₁₂  0.4500 → 0.4087".
Values are printed on nodes for ≤ 12 neurons per layer and ≤ 60 weights per pair (or
show_labels=True), on edges for ≤ 12 weights per pair; edge hover up to 2,000 edges.
Text shows neurons 1-based (neuron 1…n, w[l]ᵢⱼ with i, j from 1) like the step panel's
formulas; customdata and everything else keeps the engine's 0-based indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from components.views.graph_annotations import annotations
from components.views.graph_data import (
    COLOR_BY,
    DENSE_PAIR,
    N_BUCKETS,
    GraphLayout,
    build_graph,
    diverging_colors,
    edge_buckets,
    edge_done,
    edge_values,
    event_marks,
    fit_scale,
    flat_edges,
    graph_layout,
    node_sizes,
    node_values,
    valid_node,
)
from components.views.graph_edges import colour_bar, edge_chips, edge_hover, edge_traces
from components.views.graph_nodes import node_traces
from components.views.graph_scene import FONT, INK, X_PAD, Scene, scatter
from components.views.revision import data_revision

__all__ = [
    "GraphOptions",
    "GraphLayout",
    "build_graph",
    "graph_layout",
    "edge_values",
    "edge_done",
    "node_values",
    "fit_scale",
    "diverging_colors",
    "build_figure",
    "COLOR_BY",
    "NODE_VALUES",
    "EDGE_TITLES",
    "N_BUCKETS",
]

NODE_VALUES = ("auto", "activation", "delta")
EDGE_TITLES = {"weight": "weight w", "gradient": "gradient ∂E/∂w", "delta_w": "update Δw"}
LABEL_MAX_NEURONS, LABEL_MAX_PAIR, EDGE_LABEL_MAX_PAIR = 12, 60, 12
HOVER_MAX_EDGES = 2000


@dataclass(frozen=True)
class GraphOptions:
    """How to draw the graph.

    color_by:    "weight" (w at the cursor) | "gradient" (∂E/∂w) | "delta_w" (Δw of this update)
    node_value:  "auto" (a up to the loss event, δ after) | "activation" | "delta"
    scale:       fixed colour range ±scale for the edges (values beyond clip to the end
                 colours); None fits ``fit_scale`` to the values shown
    sample:      the batch sample whose a/δ the nodes show; None follows the current event
    show_labels: print values on nodes (and edges of tiny nets); None = when readable
    selected:    (layer, neuron) to ring, e.g. a neuron clicked in the step view; invalid = none
    height, font_size: pixels; presentation mode passes a larger font (nodes grow with it)
    width:       the plot's expected width in pixels (it fills its column): heads fit it
    live:        drawn several times a second while playing: no invisible hover points on the
                 edges (their values), and one trace per colour bucket (crowded buckets are not
                 split in halves, see ``_bucket_draw_order``); each trace costs plotly time on
                 every redraw (bench_play)
    """

    color_by: str = "weight"
    node_value: str = "auto"
    scale: float | None = None
    sample: int | None = 0
    show_labels: bool | None = None
    selected: tuple[int, int] | None = None
    height: int = 520
    font_size: int = 16
    width: int = 430  # px the plot is expected to get (autosized): column heads are shortened to fit it
    live: bool = False

    def __post_init__(self):
        if self.color_by not in COLOR_BY:
            raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}, got {self.color_by!r}")
        if self.node_value not in NODE_VALUES:
            raise ValueError(f"node_value must be one of {', '.join(NODE_VALUES)}, got {self.node_value!r}")
        if self.scale is not None and not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number or None, got {self.scale!r}")


def build_figure(net, trace, cursor: int, options: GraphOptions = GraphOptions()) -> go.Figure:
    """The network at event ``cursor`` of ``trace`` (−1: before the first; trace None: just
    ``net``'s parameters, no node values) as a plotly figure; see the module doc.

    Traces, bottom to top: the colour bar (a point-less trace), the event's halo, ≤ 26 edge
    buckets (13 colours × done/pending), δ path (dashed), the event's edge, edge values (text,
    small nets), edge hover points (≤ 2,000 edges, ≤ 6 traces; none with ``live=True``),
    bias squares, neurons (customdata [layer, neuron], for click selection), rings (event black,
    selection pink).
    """
    o, sizes, L = options, tuple(net.layer_sizes), net.n_layers
    lay, acts, fs = graph_layout(sizes, bool(net.bias)), tuple(net.activations), int(o.font_size)
    ev = trace.event(cursor) if trace is not None and cursor >= 0 else None
    pair = max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    labels = o.show_labels
    if labels is None:
        labels = max(sizes) <= LABEL_MAX_NEURONS and pair <= LABEL_MAX_PAIR
    ring, halo, dashed, focus = event_marks(ev, lay)

    ed = edge_buckets(net, trace, cursor, lay, o.color_by, scale=o.scale, dense=pair > DENSE_PAIR)
    data = edge_traces(lay, ed, halo, dashed, focus, split_crowded=not o.live)
    bar = colour_bar(ed, EDGE_TITLES[o.color_by], fs)
    w_now, b_now = edge_values(net, trace, cursor, "weight")
    top, bottom, right = int(2.6 * fs) + 10, int(1.7 * fs) + 6, int(3.5 * fs) + 46
    plot_px = (max(o.width - 12 - right, 80), max(o.height - top - bottom, 80))  # the plot area, expected
    diam, y_range = node_sizes(lay, labels, plot_px[1], fs)

    c, quantity = 0, None
    if trace is not None:
        c = ev.sample if (o.sample is None and ev is not None and ev.sample is not None) else (o.sample or 0)
        c = int(min(max(c, 0), trace.m - 1))
        forward = cursor <= trace.layout.loss_index
        quantity = "activation" if o.node_value == "activation" or (o.node_value == "auto" and forward) else "delta"
    scene = Scene(lay, trace, cursor, ev, acts, c, quantity, labels, fs, tuple(diam), int(o.width))

    if labels and pair <= EDGE_LABEL_MAX_PAIR and (chips := edge_chips(scene, ed, plot_px, y_range)) is not None:
        data.append(chips)
    if not o.live and ed.v.size <= HOVER_MAX_EDGES:
        data += edge_hover(scene, flat_edges(w_now, b_now, lay.bias))
    # the colour bar on a point-less trace, drawn first (under everything)
    data.insert(0, scatter("colour bar", "markers", [None], [None], hoverinfo="skip", marker=dict(color=[0.0], **bar)))
    selected = valid_node(o.selected, sizes) if o.selected is not None else None
    data += node_traces(scene, b_now, ring, selected)
    notes = annotations(scene, focus)
    layout = dict(
        height=o.height,
        margin=dict(l=12, r=right, t=top, b=bottom, pad=0),
        autosize=True,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        showlegend=False,
        # what Streamlit sets on a selectable chart anyway (given here, its second pass changes
        # nothing), and a fingerprint of the data: see components/revision.py
        dragmode="pan",
        clickmode="event+select",
        datarevision=data_revision(data),
        hovermode="closest",
        uirevision=f"graph-{'-'.join(map(str, sizes))}-{int(lay.bias)}",
        font=dict(family=FONT, size=fs, color=INK),
        annotations=notes,
        template={},
        modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.7)"),
        hoverlabel=dict(
            font=dict(size=round(fs * 0.85), family=FONT, color=INK),
            bgcolor="#ffffff",
            bordercolor="#444444",
            align="left",
        ),
        xaxis=dict(visible=False, fixedrange=True, range=[-X_PAD, L + X_PAD]),
        yaxis=dict(visible=False, fixedrange=True, range=y_range),
    )
    try:  # plotly's per-property validation is most of the cost; the tests validate the output instead
        return go.Figure(data=data, layout=layout, _validate=False)
    except TypeError:  # pragma: no cover - a plotly without the private flag
        return go.Figure(data=data, layout=layout)
