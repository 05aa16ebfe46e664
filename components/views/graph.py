"""The layered network graph: a pure function from engine state to a plotly figure.

``graph_data`` holds the structure and numbers (layout, values, colour buckets, typed
arrays); this module draws them as plotly traces, highlights, annotations, colour bar.
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

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from components.views.chip_layout import chip_positions
from components.views.graph_data import (
    BUCKET_COLORS,
    COLOR_BY,
    DENSE_PAIR,
    N_BUCKETS,
    STEPPED_COLORSCALE,
    EdgeBuckets,
    GraphLayout,
    K,
    build_graph,
    diverging_colors,
    edge_buckets,
    edge_done,
    edge_hover_rows,
    edge_values,
    event_marks,
    fit_scale,
    flat_edges,
    graph_layout,
    node_colours,
    node_sizes,
    node_values,
    segments,
    typed,
    typed_rows,
    typed_static,
    valid_node,
)
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
X_PAD = 0.32  # the x axis reaches this far (in column gaps) beyond the first and last column
_INK, _RING, _SELECT = "#1a1a1a", "#111111", "#c51b7d"
_HALO = "0 0 2px #ffffff, 0 0 2px #ffffff, 0 0 3px #ffffff"  # a white rim: text stays legible over edges
_FONT = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"
_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


@dataclass(frozen=True)
class GraphOptions:
    """How to draw the graph.

    color_by:    "weight" (w at the cursor) | "gradient" (∂E/∂w) | "delta_w" (Δw of this update)
    node_value:  "auto" (a up to the loss event, δ after) | "activation" | "delta"
    scale:       fixed colour range ±scale for the edges (values beyond clip to the end
                 colours); None fits ``fit_scale`` to the values shown
    sample:      the batch sample whose a/δ the nodes show; None follows the current event
    show_labels: print values on nodes (and edges of tiny nets); None = when readable
    selected:    (layer, neuron) to ring, e.g. from ``graph_view.show_graph``; invalid = none
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


# ------------------------------------------------------------------------ text
def _fmt(v: float, digits: int = 4) -> str:
    """Fixed decimals for ordinary magnitudes, scientific for tiny or huge ones; "−" signs."""
    v = float(v) + 0.0  # no "−0"
    a = abs(v)
    s = f"{v:.{digits}f}" if (a == 0 or 10.0 ** -(digits - 1) <= a < 1e5) else f"{v:.{digits - 1}e}"
    return s.replace("-", "−")


def _fmts(values) -> list[str]:
    """``_fmt`` of every value of an array, fast: one f-string each, fixed up where needed."""
    v = np.asarray(values, float).ravel() + 0.0
    out = [f"{x:.4f}" for x in v.tolist()]
    a = np.abs(v)
    odd = (a >= 1e5) | ((a < 1e-3) & (a > 0))
    if odd.any():
        for e in np.flatnonzero(odd).tolist():
            out[e] = f"{v[e]:.3e}"
    return "\n".join(out).replace("-", "−").split("\n") if (odd | (v < 0)).any() else out


def _short(v: float, sig: int = 3) -> str:
    s = f"{float(v):.{sig}g}"
    return "0" if s in ("-0", "0") else s.replace("-", "−")


def _label(v: float, decimals: int = 4) -> str:
    """A node's printed value: fixed decimals like the hover text, ≤ 7 characters (≤ 6 for
    decimals < 4, the narrower nodes: −1.8e−5 becomes −2e−5)."""
    a = abs(float(v))
    if a == 0 or 10.0**-decimals <= a < 10:
        s = f"{float(v) + 0.0:.{decimals}f}"
    elif 10 <= a < 1e4:
        s = f"{float(v):.{decimals}g}"
    else:
        s = f"{float(v):.{1 if decimals >= 4 else 0}e}".replace("e-0", "e-").replace("e+0", "e")
    return s.replace("-", "−")


def _sub(*idx) -> str:
    """Engine indices (0-based) as a Unicode subscript shown 1-based, as components.notation
    writes them: side by side (w₁₂), comma-separated when one has two digits (w₁₀,₂)."""
    shown = [str(int(i) + 1) for i in idx]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown).translate(_SUB)


def _layer_name(l: int, L: int) -> str:
    return "input" if l == 0 else ("output" if l == L else f"hidden {l}")


_SHORT_ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "lReLU", "linear": "lin", "softmax": "soft"}


def _layer_title(l: int, L: int, n: int, act: str, fs: int, labels: bool, width: int) -> str:
    """A column's head: its name in bold over its activation (and size, when nodes carry no
    labels). Columns are ~width / (L + 0.64) px apart; a head that would run into its
    neighbour's is shortened (h2, σ) rather than overlapping it."""
    room = 0.85 * width / (L + 0.64)  # with a gap between neighbours
    name = _layer_name(l, L)
    if len(name) * 0.7 * fs > room:  # bold
        name = "in" if l == 0 else ("out" if l == L else f"h{l}")
    sub = act if labels else f"{n} · {act}"
    if len(sub) * 0.5 * fs > room:
        sub = _SHORT_ACT.get(act, act) if labels else f"{n} {_SHORT_ACT.get(act, act)}"
    if not labels and len(sub) * 0.5 * fs > room:  # still too wide: the size alone
        sub = str(n)
    return f"<b>{name}</b><br><span style='font-size:{round(fs * 0.8)}px'>{sub}</span>"


# ---------------------------------------------------------------------------- traces
def _scatter(name: str, mode: str, x, y, **kw) -> dict:
    return dict(type="scatter", name=name, mode=mode, x=x, y=y, **kw)  # layout.showlegend is False


def _lines(name, lay, idx, color, width, opacity=1.0, dash=None) -> dict:
    x, y = segments(lay, np.asarray(idx, int))
    line = dict(color=color, width=width) if dash is None else dict(color=color, width=width, dash=dash)
    extra = {} if opacity == 1 else {"opacity": opacity}
    return _scatter(name, "lines", typed(x), typed(y), hoverinfo="skip", line=line, **extra)


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


def _edge_hover(lay, trace, cursor, w_now) -> list[dict]:
    """Invisible points at the edge midpoints whose hover shows w at the cursor, then ∂E/∂w
    and Δw once computed, and the old value once applied. The numbers travel as customdata
    and a few templates (by kind and state), not as one string per edge (a template per point
    made a 2-8×6-1 graph 100 kB larger). One plain colour: a colour per point (they used to carry
    the colour bar) cost plotly a colour conversion per edge on every redraw."""
    cd, state = edge_hover_rows(lay, trace, cursor, w_now)
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
                _scatter(
                    "edge hover",
                    "markers",
                    typed(mx),
                    typed(my),
                    customdata=typed_rows(cd[idx]),
                    hovertemplate=_hover_template(kind, st, compact),
                    marker=dict(size=14, opacity=0, color=_INK),
                    selected=dict(marker=dict(opacity=0)),
                    unselected=dict(marker=dict(opacity=0)),
                )
            )
    return out


def _edge_chips(lay, ed, fs, plot_px: tuple[float, float], y_range, diam) -> dict | None:
    """Each computed edge value printed on its edge (small nets), as one text trace with a white
    halo (as annotations on white boxes they cost the browser ~7 ms per redraw). Where on the
    edge: ``chip_positions``, clear of the other values and of the nodes where there is room.
    plot_px: (width, height) of the plot area in pixels; y_range: its y axis; diam: node px per layer."""
    done = np.flatnonzero(ed.done)
    if not done.size:
        return None
    texts = [_short(v) for v in ed.v[done].tolist()]
    L = len(lay.sizes) - 1
    px_x = plot_px[0] / (L + 2 * X_PAD)
    px_y = plot_px[1] / max(y_range[1] - y_range[0], 1e-9)
    size = np.repeat(diam, lay.sizes)
    bias_px = _bias_px(diam, fs, L) if lay.bias else []
    obstacles = (
        np.concatenate([lay.node_x, np.arange(len(bias_px))]),
        np.concatenate([lay.node_y, np.asarray(lay.bias_y[: len(bias_px)], float)]),
        np.concatenate([size, bias_px]),
    )
    chip_fs = round(fs * 0.85)
    widths = np.array([0.58 * chip_fs * len(t) + 4 for t in texts])
    lx, ly = chip_positions(lay, done, widths, 1.2 * chip_fs, px_per_x=px_x, px_per_y=px_y, obstacles=obstacles)
    return _scatter(
        "edge values",
        "text",
        typed(lx),
        typed(ly),
        text=texts,
        textposition="middle center",
        hoverinfo="skip",
        textfont=dict(size=chip_fs, color=_INK, shadow=_HALO),
    )


def _bias_px(diam, fs: int, L: int) -> list[float]:
    """The bias squares' size in px, one per layer 0 … L−1 (a bit smaller than that layer's nodes)."""
    return [max(10.0, min(0.8 * d, 2.1 * fs)) for d in diam[:L]]


@functools.lru_cache(maxsize=16)
def _node_heads(sizes: tuple, acts: tuple) -> tuple:
    L = len(sizes) - 1
    return tuple(
        f"<b>{_layer_name(l, L)} · neuron {i + 1}</b>" + (f" ({acts[l - 1]})" if l else "")
        for l, n in enumerate(sizes)
        for i in range(n)
    )


def _node_hover(trace, cursor, c, sizes, acts, b_now) -> list[str]:
    """Hover text of every neuron, layer by layer: what is known of it at the cursor for sample c."""
    L = len(sizes) - 1
    heads = _node_heads(tuple(sizes), tuple(acts))
    if trace is None:
        return list(heads)
    tail = f"<br>sample {c + 1} of {trace.m}"
    out = [f"{h}<br>x{_sub(i)} = {x}{tail}" for i, (h, x) in enumerate(zip(heads, _fmts(trace.X[c])))]
    fwd = np.concatenate(node_values(trace, cursor, c, "activation")[1][1:]).tolist()
    bwd = np.concatenate(node_values(trace, cursor, c, "delta")[1][1:]).tolist()
    z, a, d = (_fmts(np.concatenate([M[l][c] for l in range(1, L + 1)])) for M in (trace.Z, trace.A, trace.deltas))
    b = _fmts(np.concatenate(b_now)) if trace.bias else None
    y = _fmts(trace.Y[c])
    first_out = len(fwd) - sizes[L]
    for q, h in enumerate(heads[sizes[0] :]):
        s = h + tail + (f"<br>z = {z[q]}<br>a = {a[q]}" if fwd[q] else "<br>a: not computed yet")
        if q >= first_out and fwd[q]:
            s += f"<br>target y = {y[q - first_out]}"
        if bwd[q]:
            s += f"<br>δ = ∂E/∂z = {d[q]}"
        out.append(s + (f"<br>b = {b[q]}" if b is not None else ""))
    return out


def _event_note(ev) -> str | None:
    if ev is None or not (ev.is_gradient or ev.is_update):
        return None
    name = f"w[{ev.layer}]{_sub(ev.i, ev.j)}" if ev.is_weight else f"b[{ev.layer}]{_sub(ev.i)}"
    if ev.is_gradient:
        return f"∂E/∂{name} = {_fmt(ev.value)}"
    return f"{name}  {_fmt(ev.factors.old)} → {_fmt(ev.factors.new)}"


def _colour_bar(ed: EdgeBuckets, title: str, fs: int) -> dict:
    """Marker properties that draw the edges' colour bar (stepped like the buckets)."""
    s = ed.scale
    ticks = [f"≤ {_short(-s)}", _short(-s / 2), "0", _short(s / 2), f"≥ {_short(s)}"]
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


def _bucket_draw_order(group: np.ndarray, split_crowded: bool = True) -> list[tuple[int, np.ndarray]]:
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


def _edge_traces(lay: GraphLayout, ed: EdgeBuckets, halo, dashed, focus, split_crowded: bool = True) -> list[dict]:
    """The event's halo, the buckets (pending before done, faint before strong), δ path, event edge."""
    data = []
    if halo and len(halo) <= 100:  # a dark halo under the incoming edges
        data.append(_lines("event halo", lay, halo, "rgba(17,17,17,0.30)", ed.w_max + 7))
    for g, idx in _bucket_draw_order(ed.group, split_crowded):
        b, done = g % N_BUCKETS - K, g >= N_BUCKETS
        data.append(
            _lines(
                f"edges {b:+d}" + ("" if done else " pending"),
                lay,
                idx,
                str(BUCKET_COLORS[b + K]),
                ed.width(b),
                ed.alpha if done else 0.18,
            )
        )
    if len(halo) > 100:  # a wide fan (784 inputs): one translucent wedge from the whole column
        h = np.asarray(halo)
        x0, tip = float(lay.x0[h].min()), h[0]
        data.append(
            _scatter(
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
        data.append(_lines("δ path", lay, dashed, _RING, 3 if len(dashed) <= 12 else 1.5, dash="dash"))
    if focus is not None:
        fw = max(ed.width(ed.bucket[focus]), 5.0)
        data += [
            _lines("event edge outline", lay, [focus], _RING, fw + 5),
            _lines("event edge", lay, [focus], str(BUCKET_COLORS[ed.bucket[focus] + K]), fw),
        ]
    return data


def _node_fills(trace, cursor, c, quantity, acts, size, labels, fs):
    """(fill colour, printed value) per neuron; white and blank until computed."""
    n = size.size
    text = np.full(n, "", dtype=object)
    if trace is None:
        return np.full(n, "#ffffff"), text
    fill, shown, values = node_colours(trace, cursor, c, quantity, acts)
    if labels:
        text[shown] = [_label(x, 4 if d >= 3.75 * fs else 3) for x, d in zip(values[shown], size[shown])]
    return fill, text


def _node_traces(lay, trace, cursor, c, quantity, acts, b_now, diam, labels, fs, ring, selected) -> list[dict]:
    """Bias squares, neurons (customdata [layer, neuron]) and the rings on top of them."""
    sizes, L, data = lay.sizes, len(lay.sizes) - 1, []
    size = np.repeat(diam, sizes)
    fill, text = _node_fills(trace, cursor, c, quantity, acts, size, labels, fs)
    keep = dict(marker=dict(opacity=1), textfont=dict(color=_INK))  # a click selection must not dim anything
    mode = "markers+text" if labels else "markers"
    if lay.bias:
        data.append(
            _scatter(
                "bias units",
                mode,
                typed(np.arange(L)),
                typed(lay.bias_y),
                text=["+1"] * L,
                textfont=dict(size=round(fs * 0.8), color=_INK),
                hoverinfo="text",
                hovertext=[f"<b>bias unit of layer {l}</b>: constant +1; its edges carry b[{l + 1}]" for l in range(L)],
                marker=dict(
                    symbol="square",
                    color="#f2f2f2",
                    line=dict(color="#555555", width=1.5),
                    size=typed(_bias_px(diam, fs, L)),
                ),
                selected=keep,
                unselected=keep,
            )
        )
    layer_of = np.repeat(np.arange(L + 1), sizes)
    neuron = np.arange(size.size) - np.asarray(lay.node_start)[layer_of]
    outline = np.where(size >= 20, 2.0, np.where(size >= 8, 1.0, 0.0))
    node = _scatter(
        "neurons",
        "markers",
        typed_static(lay, "node_x"),
        typed_static(lay, "node_y"),
        customdata=typed_rows(np.stack([layer_of, neuron], 1), "i2"),  # rows [layer, neuron]
        hoverinfo="text",
        hovertext=_node_hover(trace, cursor, c, sizes, acts, b_now),
        marker=dict(size=typed(size), color=fill.tolist(), opacity=1, line=dict(color="#444444", width=typed(outline))),
        selected=keep,
        unselected=keep,
    )
    if labels:
        font = round(fs * (0.95 if max(diam) >= 3.75 * fs else 0.8))
        node.update(mode=mode, text=text.tolist(), textposition="middle center", textfont=dict(size=font, color=_INK))
    data.append(node)
    rings = [(q, max(size[q] + 14, 14), _RING, 5 if size[q] >= 20 else 3) for q in ring]
    if selected is not None:
        q = lay.node_start[selected[0]] + selected[1]
        rings.append((q, max(size[q] + 26, 22), _SELECT, 3.5))
    if rings:
        q, rs, rc, rw = (list(col) for col in zip(*rings))
        data.append(
            _scatter(
                "rings",
                "markers",
                typed(lay.node_x[q]),
                typed(lay.node_y[q]),
                hoverinfo="skip",
                marker=dict(symbol="circle-open", size=typed(rs), color=rc, opacity=1, line=dict(width=typed(rw))),
                unselected=dict(marker=dict(opacity=1)),
            )
        )
    return data


def _annotations(lay, ev, acts, labels, fs, caption, diam, focus, other_sample, width) -> list[dict]:
    """Layer titles, caption, and the event's number."""
    sizes, L = lay.sizes, len(lay.sizes) - 1
    notes = [
        dict(
            x=l,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=fs, color=_INK),
            text=_layer_title(l, L, n, "x" if l == 0 else acts[l - 1], fs, labels, width),
        )
        for l, n in enumerate(sizes)
    ]
    if caption:
        notes.append(
            dict(
                x=0,
                y=0,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                text=caption,
                font=dict(size=round(fs * 0.8), color="#555555"),
            )
        )
    if ev is None:
        return notes
    box = dict(
        bgcolor="rgba(255,255,255,0.92)",
        bordercolor=_RING,
        borderwidth=1.5,
        borderpad=4,
        font=dict(size=fs, color=_INK),
        arrowcolor=_RING,
        arrowwidth=1.5,
        showarrow=True,
    )
    note = _event_note(ev)
    if note and focus is not None:  # above the edge's middle, reaching towards the picture's middle
        fx, fy = segments(lay, np.array([focus]), 0.5)
        right = float(fx[0]) < L / 2
        notes.append(
            dict(
                x=float(fx[0]),
                y=float(fy[0]),
                text=note,
                ax=-12 if right else 12,
                ay=-46,
                xanchor="left" if right else "right",
                **box,
            )
        )
    elif ev.kind == "loss":
        q = lay.node_start[L + 1] - 1
        notes.append(dict(x=L, y=float(lay.node_y[q]), text=f"E = {_fmt(ev.value)}", ax=0, ay=diam[L] / 2 + 34, **box))
    elif ev.kind in ("forward", "delta") and (not labels or other_sample):  # else the node's label shows it
        q = lay.node_start[ev.layer] + ev.i
        sym = "a" if ev.kind == "forward" else "δ"
        # up and towards the middle of the picture (over edges rather than the column's nodes), in two
        # short lines, so the box stays inside a narrow picture
        side = 1 if ev.layer < L / 2 else -1
        notes.append(
            dict(
                x=float(lay.node_x[q]),
                y=float(lay.node_y[q]),
                ax=side * (diam[ev.layer] / 2 + 28),
                ay=-(diam[ev.layer] / 2 + 30),
                xanchor="right" if side < 0 else "left",
                **box,
                text=f"{sym}[{ev.layer}]{_sub(ev.i)} = {_fmt(ev.value)}<br>"
                f"<span style='font-size:{round(fs * 0.8)}px'>sample {ev.sample + 1}</span>",
            )
        )
    return notes


def _caption(trace, ev, c: int, quantity: str, cursor: int) -> str:
    what = "activation a" if quantity == "activation" else "δ = ∂E/∂z"
    pending = not all(d.all() for d in node_values(trace, cursor, c, quantity)[1])
    return (
        f"nodes: {what}, sample {c + 1} of {trace.m}"
        + ("; blank = not computed yet" if pending else "")
        + (f"; the event is sample {ev.sample + 1}" if ev is not None and ev.sample not in (None, c) else "")
    )


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
    data = _edge_traces(lay, ed, halo, dashed, focus, split_crowded=not o.live)
    bar = _colour_bar(ed, EDGE_TITLES[o.color_by], fs)
    w_now, b_now = edge_values(net, trace, cursor, "weight")
    top, bottom, right = int(2.6 * fs) + 10, int(1.7 * fs) + 6, int(3.5 * fs) + 46
    plot_px = (max(o.width - 12 - right, 80), max(o.height - top - bottom, 80))  # the plot area, expected
    diam, y_range = node_sizes(lay, labels, plot_px[1], fs)
    if (
        labels
        and pair <= EDGE_LABEL_MAX_PAIR
        and (chips := _edge_chips(lay, ed, fs, plot_px, y_range, diam)) is not None
    ):
        data.append(chips)
    if not o.live and ed.v.size <= HOVER_MAX_EDGES:
        data += _edge_hover(lay, trace, cursor, flat_edges(w_now, b_now, lay.bias))
    # the colour bar on a point-less trace, drawn first (under everything)
    data.insert(0, _scatter("colour bar", "markers", [None], [None], hoverinfo="skip", marker=dict(color=[0.0], **bar)))

    c, quantity, caption = 0, None, ""
    if trace is not None:
        c = ev.sample if (o.sample is None and ev is not None and ev.sample is not None) else (o.sample or 0)
        c = int(min(max(c, 0), trace.m - 1))
        forward = cursor <= trace.layout.loss_index
        quantity = "activation" if o.node_value == "activation" or (o.node_value == "auto" and forward) else "delta"
        caption = _caption(trace, ev, c, quantity, cursor)
    selected = valid_node(o.selected, sizes) if o.selected is not None else None
    data += _node_traces(lay, trace, cursor, c, quantity, acts, b_now, diam, labels, fs, ring, selected)
    other_sample = ev is not None and ev.sample not in (None, c)
    notes = _annotations(lay, ev, acts, labels, fs, caption, diam, focus, other_sample, int(o.width))
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
        font=dict(family=_FONT, size=fs, color=_INK),
        annotations=notes,
        template={},
        modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.7)"),
        hoverlabel=dict(
            font=dict(size=round(fs * 0.85), family=_FONT, color=_INK),
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
