"""The network graph's structure and numbers, before any drawing (``graph.py`` draws them).

Layer l is the column x = l (inputs left). Neuron i of layer l is node ("n", l, i); with
biases, the constant unit of layer l < L is node ("b", l), a "+1" square below its column.
Edge (l, i, j) is ``weights[l][i, j]``, from neuron j of layer l to neuron i of layer l+1.
Per-edge arrays follow GraphLayout's order: every weight (l, i, j), then every bias edge.

Values at the cursor: "weight" = ``trace.parameters_at(cursor)``; "gradient" = ∂E/∂w of
the update, done once its grad event is reached; "delta_w" = Δw = −η ∂E/∂w, done once
applied; node values (x, a or δ = ∂E/∂z of one sample) done once their event is reached.
Colour: one colour-blind-safe diverging scale (``palette``), blue < 0 < orange, grey at
0; edges fall in 2K+1 = 13 buckets of v / scale, clipped to ±1. The drawing sends the arrays
to plotly.js as base64 typed arrays (``typed_arrays``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import networkx as nx
import numpy as np

from components.model.colour_scale import edge_values, fit_scale
from components.views.palette import DIVERGING, rgb

__all__ = [
    "GraphLayout",
    "build_graph",
    "graph_layout",
    "flat_edges",
    "segments",
    "edge_ids",
    "edge_hover_rows",
    "event_marks",
    "node_sizes",
    "bias_sizes",
    "valid_node",
    "edge_values",
    "edge_done",
    "node_values",
    "node_ranges",
    "fit_scale",
    "diverging_colors",
    "node_fill",
    "node_colours",
    "EdgeBuckets",
    "edge_buckets",
    "COLOR_BY",
    "K",
    "N_BUCKETS",
    "BUCKET_COLORS",
    "STEPPED_COLORSCALE",
]

COLOR_BY = ("weight", "gradient", "delta_w")
K = 6  # buckets per sign
N_BUCKETS = 2 * K + 1
DENSE_PAIR, DENSE_KEEP = 5000, 400  # a layer pair with more weights keeps only its strongest
DOT_MIN_NEURONS = 40  # wider layers are drawn as dots
NODE_FILL_MAX, NAN_FILL = 0.7, "#b8b8b8"  # node fills ≤ 70 % of the scale; NaN darker than the grey of 0
_STOPS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])  # where palette.DIVERGING's colours sit
_RGB = np.array([rgb(c) for c in DIVERGING], float)


# ------------------------------------------------------------------------ structure
def build_graph(layer_sizes, bias: bool) -> nx.DiGraph:
    """Nodes ("n", l, i) (layer=l) and, with biases, ("b", l) (layer=l) for l < L; edges
    carry (l, i, j) of ``weights[l][i, j]``, j = None for the bias edge of neuron i."""
    sizes = tuple(int(n) for n in layer_sizes)
    G = nx.DiGraph()
    for l, n in enumerate(sizes):
        G.add_nodes_from((("n", l, i) for i in range(n)), layer=l, kind="neuron")
        if bias and l < len(sizes) - 1:
            G.add_node(("b", l), layer=l, kind="bias")
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        G.add_edges_from((("n", l, j), ("n", l + 1, i), {"lij": (l, i, j)}) for i in range(n_out) for j in range(n_in))
        if bias:
            G.add_edges_from((("b", l), ("n", l + 1, i), {"lij": (l, i, None)}) for i in range(n_out))
    return G


@dataclass(frozen=True, eq=False)
class GraphLayout:
    """Read-only positions for one (layer_sizes, bias). Neurons are numbered layer by
    layer (``node_start[l] + i``); edges are all weights in (l, i, j) order
    (``w_start[l] + i·n_l + j``), then the bias edges (``n_weights + b_start[l] + i``)."""

    sizes: tuple
    bias: bool
    node_x: np.ndarray  # (N,)
    node_y: np.ndarray  # (N,)
    node_start: tuple  # (L+2,)
    spacing: tuple  # vertical distance between neighbours, per layer
    bias_y: tuple  # per layer 0..L−1 (empty without biases)
    x0: np.ndarray  # (E,) float32 segment ends
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    w_start: tuple
    b_start: tuple
    n_weights: int
    y_range: tuple


def _frozen(a, dtype=float) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=dtype)
    a.flags.writeable = False
    return a


def graph_layout(layer_sizes, bias: bool) -> GraphLayout:
    """The cached, read-only layout of an architecture (see ``_graph_layout``)."""
    return _graph_layout(tuple(int(n) for n in layer_sizes), bool(bias))


@functools.lru_cache(maxsize=16)
def _graph_layout(layer_sizes: tuple, bias: bool) -> GraphLayout:
    """Columns from ``nx.multipartite_layout``; within a column neuron 0 is at the top and
    each column is spaced on its own (multipartite spaces every column like the widest,
    squashing 32 hidden units beside 784 inputs). The bias square hangs below its column."""
    sizes, L = tuple(layer_sizes), len(layer_sizes) - 1
    pos = nx.multipartite_layout(build_graph(sizes, bias), subset_key="layer")
    columns = sorted({round(float(p[0]), 9) for p in pos.values()})
    gap = min(max(max(sizes) - 1 + int(bias), 3), 19)
    xs, ys, spacing, bias_y = [], [], [], []
    for l, n in enumerate(sizes):
        s = 2.0 / max(n - 1, gap)
        y = (n - 1) / 2 * s - s * np.arange(n)  # neuron 0 at the top, as in W[i, j]
        xs.append(np.full(n, float(columns.index(round(float(pos[("n", l, 0)][0]), 9)))))
        ys.append(y)
        spacing.append(s)
        if bias and l < L:
            bias_y.append(float(y.min() - max(s, 0.1)))
    node_x, node_y = np.concatenate(xs), np.concatenate(ys)
    node_start = tuple(np.cumsum([0, *sizes]).tolist())
    seg = []
    for l in range(L):
        n_in, n_out = sizes[l], sizes[l + 1]
        src = node_start[l] + np.tile(np.arange(n_in), n_out)  # edge (i, j) in row-major order
        dst = node_start[l + 1] + np.repeat(np.arange(n_out), n_in)
        seg.append((node_x[src], node_y[src], node_x[dst], node_y[dst]))
    for l in range(L if bias else 0):
        dst = node_start[l + 1] + np.arange(sizes[l + 1])
        seg.append((np.full(dst.size, float(l)), np.full(dst.size, bias_y[l]), node_x[dst], node_y[dst]))
    x0, y0, x1, y1 = (_frozen(np.concatenate([s[k] for s in seg]), np.float32) for k in range(4))
    n_w = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    all_y = np.concatenate([node_y, bias_y]) if bias_y else node_y
    return GraphLayout(
        sizes,
        bias,
        _frozen(node_x),
        _frozen(node_y),
        node_start,
        tuple(spacing),
        tuple(bias_y),
        x0,
        y0,
        x1,
        y1,
        tuple(np.cumsum([0, *n_w]).tolist()),
        tuple(np.cumsum([0, *sizes[1:]]).tolist()),
        int(sum(n_w)),
        (float(all_y.min()), float(all_y.max())),
    )


def flat_edges(ws, bs, bias: bool) -> np.ndarray:
    """Edge order of GraphLayout: every weight (l, i, j), then every bias edge (l, i)."""
    return np.concatenate([np.ravel(w) for w in ws] + ([np.ravel(b) for b in bs] if bias else []))


def segments(lay: GraphLayout, idx: np.ndarray, frac: float | None = None):
    """x, y of the edges idx as one polyline with NaN gaps (or points at ``frac`` along them)."""
    if frac is not None:
        return lay.x0[idx] + frac * (lay.x1[idx] - lay.x0[idx]), lay.y0[idx] + frac * (lay.y1[idx] - lay.y0[idx])
    xs, ys = np.full((idx.size, 3), np.nan, np.float32), np.full((idx.size, 3), np.nan, np.float32)
    xs[:, 0], xs[:, 1], ys[:, 0], ys[:, 1] = lay.x0[idx], lay.x1[idx], lay.y0[idx], lay.y1[idx]
    return xs.ravel(), ys.ravel()


@functools.lru_cache(maxsize=16)
def edge_ids(sizes: tuple, bias: bool) -> np.ndarray:
    """(E, 5) per edge in GraphLayout order: the neuron it feeds as (layer l+1, neuron i),
    0-based like the neurons' customdata, then
    what its hover text shows: i+1, j+1 (1-based; 0 for a bias) and the source layer l."""
    rows = [
        (l + 1, i, i + 1, j + 1, l) for l in range(len(sizes) - 1) for i in range(sizes[l + 1]) for j in range(sizes[l])
    ]
    if bias:
        rows += [(l + 1, i, i + 1, 0, l) for l in range(len(sizes) - 1) for i in range(sizes[l + 1])]
    return _frozen(np.array(rows, float).reshape(-1, 5))


def event_marks(ev, lay: GraphLayout):
    """(ring node ids, halo edge ids, dashed edge ids, focus edge id or None) for an event:
    the neuron it computes, the edges into a forward neuron, the edges a hidden δ came back
    along (w[l+1]ₖᵢ, k = all of layer l+1), the parameter of a grad/update event."""
    if ev is None:
        return [], [], [], None
    k, l, i, j, L = ev.kind, ev.layer, ev.i, ev.j, len(lay.sizes) - 1
    if k == "loss":
        return list(range(lay.node_start[L], lay.node_start[L + 1])), [], [], None
    if k == "forward":  # the incoming edges w[l]_i· and b[l]_i
        halo = [lay.w_start[l - 1] + i * lay.sizes[l - 1] + q for q in range(lay.sizes[l - 1])]
        if lay.bias:
            halo.append(lay.n_weights + lay.b_start[l - 1] + i)
        return [lay.node_start[l] + i], halo, [], None
    if k == "delta":  # a hidden δ comes back along w[l+1]_·i
        back = [lay.w_start[l] + q * lay.sizes[l] + i for q in range(lay.sizes[l + 1])] if l < L else []
        return [lay.node_start[l] + i], [], back, None
    if ev.is_weight:
        return [], [], [], lay.w_start[l - 1] + i * lay.sizes[l - 1] + j
    return [], [], [], lay.n_weights + lay.b_start[l - 1] + i  # a bias edge


def node_sizes(lay: GraphLayout, labels: bool, plot_h: float, fs: int) -> tuple[list[float], list[float]]:
    """(marker diameter per layer in px, y range): 62 % of the neighbour spacing, at most
    5 font sizes (80 px at 16 px: room for "−0.0381"; 40 px without labels) and 45 % of the
    column gap of a plot 0.9× as wide as tall (a Streamlit column), 6 px dots beyond 40
    neurons; neighbours at most 9.4 font sizes apart, the column centred."""
    gap = 0.9 * plot_h / (len(lay.sizes) - 1 + 0.64)  # px between columns, conservatively
    d_max = min(5.0 * fs if labels else 40.0, 0.45 * gap)
    room = d_max / 2 + 18  # the largest node's radius and its selection ring
    span = max(lay.y_range[1] - lay.y_range[0], 1e-9)
    px = min((plot_h - 2 * room) / span, 9.4 * fs / max(lay.spacing))  # pixels per y unit
    diam = [float(np.clip(0.62 * s * px, 3, d_max)) for s in lay.spacing]
    diam = [min(d, 6.0) if n > DOT_MIN_NEURONS else d for d, n in zip(diam, lay.sizes)]
    pad = (plot_h / px - span) / 2
    return diam, [lay.y_range[0] - pad, lay.y_range[1] + pad]


def bias_sizes(diam, fs: int) -> list[float]:
    """The bias squares' size in px, one per layer 0 … L−1 (a bit smaller than that layer's nodes);
    diam: ``node_sizes``' diameters per layer 0 … L."""
    return [max(10.0, min(0.8 * d, 2.1 * fs)) for d in diam[:-1]]


def valid_node(sel, sizes) -> tuple[int, int] | None:
    """(layer, neuron) of a neuron of these layer sizes, else None."""
    try:
        l, i = int(sel[0]), int(sel[1])
    except (TypeError, ValueError, IndexError):
        return None
    return (l, i) if 0 <= l < len(sizes) and 0 <= i < sizes[l] else None


# ---------------------------------------------------------------------------- values
def edge_done(trace, cursor: int, color_by: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Boolean masks like ``edge_values``: True where the value is computed (gradient) or
    applied (delta_w) at the cursor; all True for weights; (None, None) without a trace."""
    if trace is None:
        return None, None
    if color_by == "weight":
        sizes = trace.layer_sizes
        return [np.ones((o, i), bool) for i, o in zip(sizes[:-1], sizes[1:])], [np.ones(o, bool) for o in sizes[1:]]
    lay, upd = trace.layout, color_by == "delta_w"
    index, has_b = (lay.update_index, lay.update_biases) if upd else (lay.grad_index, lay.bias)
    ws, bs = [], []
    for l in range(1, lay.L + 1):
        i, n_in = np.arange(lay.sizes[l]), lay.sizes[l - 1]
        ws.append(index(l, i[:, None], np.arange(n_in)[None, :]) <= cursor)  # (n_l, n_{l−1})
        bs.append(index(l, i, n_in) <= cursor if has_b else np.ones(lay.sizes[l], bool))  # (n_l,)
    return ws, bs


def edge_hover_rows(lay: GraphLayout, trace, cursor: int, w_now: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(customdata (E, 9), state (E,)) for every edge's hover, w_now (E,) the parameters at
    the cursor: rows ``edge_ids`` [l+1, i, i+1, j+1, l] then w, ∂E/∂w, Δw, w before the
    update; state 0 = nothing computed yet, 1 = gradient computed, 2 = update applied."""
    E = w_now.size
    if trace is None:
        g = d = np.zeros(E)
        before, state = w_now, np.zeros(E, int)
    else:
        g = flat_edges(trace.grad_weights, trace.grad_biases, lay.bias)
        d = flat_edges(trace.delta_weights, trace.delta_biases, lay.bias)
        before = flat_edges(trace.weights_before, trace.biases_before, lay.bias)
        done_g, done_u = (flat_edges(*edge_done(trace, cursor, m), lay.bias) for m in ("gradient", "delta_w"))
        state = done_g.astype(int) + (done_u & (d != 0))
    return np.column_stack([edge_ids(lay.sizes, lay.bias), w_now, g, d, before]), state


def node_values(trace, cursor: int, sample: int, quantity: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(values, done) per layer 0..L for one sample, each (n_l,): x for the inputs, then
    a^l (quantity "activation"), δ^l = ∂E/∂z^l ("delta") or δ^l = −∂E/∂z^l ("neg_delta", the notations
    whose δ has the other sign); done marks events ≤ cursor."""
    lay, c = trace.layout, sample
    vals, done = [trace.X[c]], [np.ones(lay.sizes[0], bool)]
    for l in range(1, lay.L + 1):
        n = np.arange(lay.sizes[l])
        if quantity == "activation":
            vals.append(trace.A[l][c])
            done.append(lay.forward_index(l, n, c) <= cursor)
        else:
            vals.append(-trace.deltas[l][c] if quantity == "neg_delta" else trace.deltas[l][c])
            done.append(lay.delta_index(l, n, c) <= cursor)
    return vals, done


def node_ranges(trace, acts, quantity: str) -> list[float]:
    """Colour range per layer 0..L: x by its batch max; a of sigmoid/softmax/tanh ±1, others
    by the batch; δ one range for all layers (small hidden δ stay pale, as they are)."""
    if quantity in ("delta", "neg_delta"):
        return [fit_scale(trace.X)] + [fit_scale(trace.deltas[1:])] * len(acts)
    return [fit_scale(trace.X)] + [
        1.0 if a in ("sigmoid", "softmax", "tanh") else fit_scale(trace.A[l]) for l, a in enumerate(acts, start=1)
    ]


# --------------------------------------------------------------------------- colours
def diverging_colors(t) -> np.ndarray:
    """'#rrggbb' strings for t in [−1, 1] (clipped): blue < 0, grey at 0, orange > 0."""
    t = np.clip(np.asarray(t, float), -1, 1)
    rgb = np.stack([np.interp(t, _STOPS, _RGB[:, k]) for k in range(3)], -1).round().astype(int)
    return np.array(["#{:02x}{:02x}{:02x}".format(*c) for c in rgb.reshape(-1, 3)]).reshape(t.shape)


BUCKET_COLORS = diverging_colors(np.arange(-K, K + 1) / K)
_LUT = diverging_colors(np.linspace(-1, 1, 1001))  # node fills, to 1/500 of the range


def node_fill(t) -> np.ndarray:
    """``diverging_colors`` of t (finite), from a table to 1/500 of the range."""
    return _LUT[np.rint((np.clip(t, -1, 1) + 1) * 500).astype(int)]


def node_colours(
    trace, cursor: int, c: int, quantity: str, acts, ranges: list[float] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fill, shown, value), each (N,) over the neurons layer by layer, for sample c: white
    until the neuron's event is reached, then its value on its layer's ``node_ranges`` at most
    NODE_FILL_MAX of the way to the end colours (dark text stays readable); NaN: NAN_FILL.
    ``ranges``: ``node_ranges(trace, acts, quantity)`` when the caller has it already."""
    vals, vdone = node_values(trace, cursor, c, quantity)
    shown = np.concatenate(vdone)
    ranges = node_ranges(trace, acts, quantity) if ranges is None else ranges
    t = np.clip(np.concatenate([x / r for x, r in zip(vals, ranges)]), -1, 1)
    nan = np.isnan(t)  # a NaN value gets its own fill, never a colour of the number scale
    fill = np.full(shown.size, "#ffffff")
    fill[shown & nan] = NAN_FILL
    fill[shown & ~nan] = node_fill(NODE_FILL_MAX * t[shown & ~nan])
    return fill, shown, np.concatenate(vals)


def _stepped_colorscale() -> tuple:
    """The colour bar shows exactly the 13 bucket colours, each over its share of ±scale."""
    out = []
    for k in range(-K, K + 1):
        lo, hi = max(-1.0, (k - 0.5) / K), min(1.0, (k + 0.5) / K)
        out += [((lo + 1) / 2, str(BUCKET_COLORS[k + K])), ((hi + 1) / 2, str(BUCKET_COLORS[k + K]))]
    return tuple(out)


STEPPED_COLORSCALE = _stepped_colorscale()


@dataclass(frozen=True)
class EdgeBuckets:
    """The edge values of one figure in GraphLayout order, their colour buckets, and the
    line widths w_min … w_max of bucket 0 … ±K and opacity alpha the buckets are drawn with."""

    v: np.ndarray  # (E,) value coloured
    done: np.ndarray  # (E,) computed/applied at the cursor
    bucket: np.ndarray  # (E,) −K … K
    group: np.ndarray  # (E,) bucket + K + N_BUCKETS·done, −1 = not drawn
    scale: float
    w_min: float
    w_max: float
    alpha: float

    def width(self, b) -> float:
        return self.w_min + (self.w_max - self.w_min) * abs(int(b)) / K


def edge_buckets(
    net, trace, cursor: int, lay: GraphLayout, color_by: str, *, scale: float | None = None, dense: bool = False
) -> EdgeBuckets:
    """Values, done masks and buckets of every edge; ``scale`` None fits it to the done
    values. NaN values and all but the DENSE_KEEP strongest of a dense pair get group −1.
    Lines are thinner and lighter the more are drawn (``dense``: a pair > DENSE_PAIR)."""
    ws, bs = edge_values(net, trace, cursor, color_by)
    v = flat_edges(ws, bs, lay.bias)
    dw, db = edge_done(trace, cursor, color_by)
    done = flat_edges(dw, db, lay.bias) if dw is not None else np.ones(v.size, bool)
    scale = float(scale) if scale else fit_scale(v[done] if done.any() else v)
    nan = np.isnan(v)  # a NaN weight has no colour: left out of the buckets (its hover says NaN)
    bucket = np.rint(np.clip(np.where(nan, 0.0, v) / scale, -1, 1) * K).astype(int)
    group = np.where(nan, -1, (bucket + K) + N_BUCKETS * done)
    for l in range(len(lay.sizes) - 1):  # a dense layer pair draws only its strongest weights
        a, b = lay.w_start[l], lay.w_start[l + 1]
        if b - a > DENSE_PAIR:
            group[a + np.argpartition(np.abs(v[a:b]), b - a - DENSE_KEEP)[: b - a - DENSE_KEEP]] = -1
    drawn = int((group >= 0).sum())
    style = (
        (0.3, 1.5, 0.6)
        if dense
        else (0.5, 6.0, 1.0)
        if drawn <= 300
        else (0.4, 3.5, 0.85)
        if drawn <= 1000
        else (0.3, 2.0, 0.6)
    )
    return EdgeBuckets(v, done, bucket, group, scale, *style)
