"""The graph's edges as plotly traces: colour buckets, the event's halo and δ path, values, hover, colour bar.

Each colour bucket is ONE trace of many segments split by gaps (never one trace per edge), so a
figure has < 40 traces whatever the network; pending values are faded. The edge of a grad/update
event is drawn thick and outlined; a forward event's incoming edges get a dark halo (a wedge for
> 100), a hidden δ's outgoing edges a dashed line. Values are printed on the edges of small nets
(``edge_chips``); hover points carry every edge's numbers (``edge_hover``).
"""

from __future__ import annotations

import itertools

import numpy as np

from components.views.chip_layout import chip_positions
from components.views.graph_data import (
    BUCKET_COLORS,
    N_BUCKETS,
    STEPPED_COLORSCALE,
    EdgeBuckets,
    GraphLayout,
    K,
    bias_sizes,
    edge_hover_rows,
    segments,
)
from components.views.graph_labels import short_value
from components.views.graph_scene import HALO, INK, RING, X_PAD, Scene, scatter
from components.views.typed_arrays import typed, typed_rows

__all__ = ["edge_traces", "bucket_draw_order", "edge_chips", "chip_texts_and_positions", "edge_hover", "colour_bar"]


def _lines(name: str, lay: GraphLayout, idx, color: str, width: float, *, opacity=1.0, dash=None) -> dict:
    """The edges idx as one line trace."""
    x, y = segments(lay, np.asarray(idx, int))
    line = dict(color=color, width=width) if dash is None else dict(color=color, width=width, dash=dash)
    extra = {} if opacity == 1 else {"opacity": opacity}
    return scatter(name, "lines", typed(x), typed(y), hoverinfo="skip", line=line, **extra)


def _hover_template(bias: bool, state: int, compact: bool) -> str:
    """plotly.js formats the numbers from customdata (``edge_hover_rows``) [l+1, i, i+1, j+1,
    l, w, ∂E/∂w, Δw, w before], showing neurons 1-based: state 0 = nothing computed yet,
    1 = gradient computed, 2 = update applied; compact: all indices one digit (w₁₂, not w₁,₂)."""
    cd = "%{{customdata[{}]{}}}".format
    if bias:
        name, q = f"b[{cd(0, '')}]<sub>{cd(2, '')}</sub>", "b"
        where = f"bias of neuron {cd(2, '')} of layer {cd(0, '')}"
    else:
        name, q = f"w[{cd(0, '')}]<sub>{cd(2, '')}{'' if compact else ','}{cd(3, '')}</sub>", "w"
        where = f"from neuron {cd(3, '')} of layer {cd(4, '')} to neuron {cd(2, '')} of layer {cd(0, '')}"
    out = f"<b>{name} = {cd(5, ':.4f')}</b> ({where})"
    if state >= 1:
        out += f"<br>∂E/∂{q} = {cd(6, ':.4g')},  Δ{q} = −η·∂E/∂{q} = {cd(7, ':.4g')}"
    if state == 2:
        out += f"<br>updated: {cd(8, ':.4f')} → {cd(5, ':.4f')}"
    return out + "<extra></extra>"


def edge_hover(scene: Scene, w_now: np.ndarray) -> list[dict]:
    """Invisible points at the edge midpoints whose hover shows w at the cursor, then ∂E/∂w
    and Δw once computed, and the old value once applied. The numbers travel as customdata
    and a few templates (by kind and state), not as one string per edge (a template per point
    made a 2-8×6-1 graph 100 kB larger). One plain colour: a colour per point (they used to carry
    the colour bar) cost plotly a colour conversion per edge on every redraw."""
    lay = scene.lay
    cd, state = edge_hover_rows(lay, scene.trace, scene.cursor, w_now)
    E = w_now.size
    is_bias = np.arange(E) >= lay.n_weights
    compact = max(lay.sizes) <= 9  # one digit, 1-based
    out = []
    for kind in (False, True):
        for st in (0, 1, 2):
            idx = np.flatnonzero((is_bias == kind) & (state == st))
            if idx.size == 0:
                continue
            mx, my = segments(lay, idx, 0.5)
            out.append(
                scatter(
                    "edge hover",
                    "markers",
                    typed(mx),
                    typed(my),
                    customdata=typed_rows(cd[idx]),
                    hovertemplate=_hover_template(kind, st, compact),
                    marker=dict(size=14, opacity=0, color=INK),
                    selected=dict(marker=dict(opacity=0)),
                    unselected=dict(marker=dict(opacity=0)),
                )
            )
    return out


def edge_chips(scene: Scene, ed: EdgeBuckets, plot_px: tuple[float, float], y_range) -> dict | None:
    """Each computed edge value printed on its edge (small nets), as one text trace with a white
    halo (as annotations on white boxes they cost the browser ~7 ms per redraw). Where on the
    edge: ``chip_positions``, clear of the other values and of the nodes where there is room.
    plot_px: (width, height) of the plot area in pixels; y_range: its y axis."""
    placed = chip_texts_and_positions(scene, ed, plot_px, y_range)
    if not placed:
        return None
    texts, lx, ly = (list(col) for col in zip(*placed.values()))
    return scatter(
        "edge values",
        "text",
        typed(np.asarray(lx)),
        typed(np.asarray(ly)),
        text=texts,
        textposition="middle center",
        hoverinfo="skip",
        textfont=dict(size=round(scene.font_size * 0.85), color=INK, shadow=HALO),
    )


def chip_texts_and_positions(scene: Scene, ed: EdgeBuckets, plot_px: tuple[float, float], y_range) -> dict:
    """{edge id: (text, x, y)} of every computed edge value, in graph units (``edge_chips``)."""
    lay, fs, diam = scene.lay, scene.font_size, scene.diam
    done = np.flatnonzero(ed.done)
    if not done.size:
        return {}
    texts = [short_value(v) for v in ed.v[done].tolist()]
    px_x = plot_px[0] / (scene.L + 2 * X_PAD)
    px_y = plot_px[1] / max(y_range[1] - y_range[0], 1e-9)
    size = np.repeat(diam, lay.sizes)
    bias_px = bias_sizes(diam, fs) if lay.bias else []
    obstacles = (
        np.concatenate([lay.node_x, np.arange(len(bias_px))]),
        np.concatenate([lay.node_y, np.asarray(lay.bias_y[: len(bias_px)], float)]),
        np.concatenate([size, bias_px]),
    )
    chip_fs = round(fs * 0.85)
    widths = np.array([0.58 * chip_fs * len(t) + 4 for t in texts])
    lx, ly = chip_positions(lay, done, widths, 1.2 * chip_fs, px_per_x=px_x, px_per_y=px_y, obstacles=obstacles)
    return {int(e): (t, float(x), float(y)) for e, t, x, y in zip(done.tolist(), texts, lx, ly)}


def colour_bar(ed: EdgeBuckets, title: str, fs: int) -> dict:
    """Marker properties that draw the edges' colour bar (stepped like the buckets)."""
    s = ed.scale
    ticks = [f"≤ {short_value(-s)}", short_value(-s / 2), "0", short_value(s / 2), f"≥ {short_value(s)}"]
    return dict(
        colorscale=STEPPED_COLORSCALE,
        cmin=-s,
        cmax=s,
        showscale=True,
        colorbar=dict(
            title=dict(text=title, side="right", font=dict(size=fs)),
            thickness=max(12, fs),
            len=0.85,
            x=1.0,
            xanchor="left",
            xpad=12,
            outlinewidth=0,
            tickfont=dict(size=round(fs * 0.85)),
            tickvals=[-s, -s / 2, 0, s / 2, s],
            ticktext=ticks,
        ),
    )


def bucket_draw_order(group: np.ndarray, split_crowded: bool = True) -> list[tuple[int, np.ndarray]]:
    """(group, edge indices) per bucket trace, bottom to top: pending before done, faint before
    strong. The trace drawn last covers the others where lines cross, so in a crowded picture a
    fixed colour order would make that colour look dominant (64×64 random weights looked all
    orange). Where one trace per bucket leaves room (≤ N_BUCKETS groups), each bucket is split
    into two halves and a magnitude is drawn negative, positive, positive, negative; otherwise
    (or with ``split_crowded=False``, while playing: half the traces to redraw) the colour on top
    alternates from one magnitude to the next."""

    def layer_of(g: int) -> tuple[int, int]:  # (done, |bucket|): the drawing order
        return g // N_BUCKETS, abs(g % N_BUCKETS - K)

    present = sorted(set(np.unique(group).tolist()) - {-1}, key=lambda g: (*layer_of(g), g))
    split = split_crowded and len(present) <= N_BUCKETS and int((group >= 0).sum()) > 300
    out = []
    for (_, mag), gs in itertools.groupby(present, key=layer_of):
        gs = list(gs)  # negative bucket first, then positive (or just one)
        if split:
            halves = [(g, np.flatnonzero(group == g)) for g in gs]
            out += [(g, idx[0::2]) for g, idx in halves] + [(g, idx[1::2]) for g, idx in reversed(halves)]
        else:
            out += [(g, np.flatnonzero(group == g)) for g in (gs if mag % 2 == 0 else gs[::-1])]
    return [(g, idx) for g, idx in out if idx.size]


def edge_traces(lay: GraphLayout, ed: EdgeBuckets, halo, dashed, focus, *, split_crowded: bool = True) -> list[dict]:
    """The event's halo, the buckets (pending before done, faint before strong), δ path, event edge."""
    data = []
    if halo and len(halo) <= 100:  # a dark halo under the incoming edges
        data.append(_lines("event halo", lay, halo, "rgba(17,17,17,0.30)", ed.w_max + 7))
    for g, idx in bucket_draw_order(ed.group, split_crowded):
        b, done = g % N_BUCKETS - K, g >= N_BUCKETS
        data.append(
            _lines(
                f"edges {b:+d}" + ("" if done else " pending"),
                lay,
                idx,
                str(BUCKET_COLORS[b + K]),
                ed.width(b),
                opacity=ed.alpha if done else 0.18,
            )
        )
    if len(halo) > 100:  # a wide fan (784 inputs): one translucent wedge from the whole column
        h = np.asarray(halo)
        x0, tip = float(lay.x0[h].min()), h[0]
        data.append(
            scatter(
                "event wedge",
                "lines",
                [x0, float(lay.x1[tip]), x0],
                [float(lay.y0[h].max()), float(lay.y1[tip]), float(lay.y0[h].min())],
                fill="toself",
                fillcolor="rgba(17,17,17,0.25)",
                hoverinfo="skip",
                line=dict(width=1.5, color="rgba(17,17,17,0.7)"),
            )
        )
    if dashed:
        data.append(_lines("δ path", lay, dashed, RING, 3 if len(dashed) <= 12 else 1.5, dash="dash"))
    if focus is not None:
        fw = max(ed.width(ed.bucket[focus]), 5.0)
        data += [
            _lines("event edge outline", lay, [focus], RING, fw + 5),
            _lines("event edge", lay, [focus], str(BUCKET_COLORS[ed.bucket[focus] + K]), fw),
        ]
    return data
