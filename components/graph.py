"""The layered network graph: a pure function from engine state to a plotly figure.

Layer l is the column x = l (inputs left, outputs right). Neuron i of layer l is node
("n", l, i); with biases, the constant unit of layer l < L is node ("b", l), a small
"+1" square below its column feeding layer l+1. Edge (l, i, j) is ``weights[l][i, j]``,
from neuron j of layer l to neuron i of layer l+1, written w[l+1]ᵢⱼ (seed 001's W^l_ij).

Colour: every signed number uses one colour-blind-safe diverging scale, blue < 0 <
orange (as TensorFlow Playground), light grey at 0. Edges fall in 2K+1 = 13 buckets of
v / scale (clipped to ±1, so values beyond ±scale take the end colours); a bucket's
width grows with its |v|, and each bucket is ONE plotly trace of many segments split by
gaps (never one trace per edge), so a figure has < 40 traces whatever the network.
Nodes use the same scale: x by the batch's max |x|, a of sigmoid/softmax/tanh on ±1
(others by the batch), δ on one range for all layers of the update.

What the cursor has reached is drawn fully, the rest faded (edges) or blank (nodes):
- color_by "weight": the weights at the cursor, ``trace.parameters_at(cursor)``;
- "gradient": ∂E/∂w of this update, faded until its grad event is reached;
- "delta_w": Δw = −η ∂E/∂w of this update, full strength once applied (update event
  ≤ cursor), faded while pending;
- node values (a or δ of one sample) appear once their event is reached; inputs show x.
  node_value "auto" shows a up to the loss event, δ = ∂E/∂z (the engine's sign) after.

The current event is marked: a ring on the neuron just computed (forward, δ) or on the
whole output layer (loss, with "E = …"); a dark halo under the edges into a forward
neuron (a translucent wedge for a fan of > 100 edges); dashed lines on the edges a hidden
δ came back along (w[l+1]ₖᵢ, k = all of layer l+1); the edge of a grad/update event drawn
thick with an outline and a note "∂E/∂w[2]₀₁ = …" or "w[2]₀₁  0.4500 → 0.4087".

Size limits (the numbers are the module constants below): values are printed on nodes
only for ≤ 12 neurons per layer and ≤ 60 weights per layer pair (or show_labels=True), on
edges for ≤ 12 weights per pair; edge hover exists only up to 2,000 edges; layers wider
than 40 neurons are dots; a layer pair with more than 5,000 weights (784→32) draws only
its 400 strongest |values| — the colour bar and every other pair still cover all edges.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

import networkx as nx
import numpy as np
import plotly.graph_objects as go

__all__ = ["GraphOptions", "GraphLayout", "build_graph", "graph_layout", "edge_values", "edge_done",
           "node_values", "fit_scale", "diverging_colors", "build_figure", "COLOR_BY", "NODE_VALUES",
           "EDGE_TITLES", "N_BUCKETS"]

COLOR_BY = ("weight", "gradient", "delta_w")
NODE_VALUES = ("auto", "activation", "delta")
EDGE_TITLES = {"weight": "weight w", "gradient": "gradient ∂E/∂w", "delta_w": "update Δw"}
K = 6  # buckets per sign
N_BUCKETS = 2 * K + 1
LABEL_MAX_NEURONS, LABEL_MAX_PAIR, EDGE_LABEL_MAX_PAIR = 12, 60, 12
HOVER_MAX_EDGES, DENSE_PAIR, DENSE_KEEP, DOT_MIN_NEURONS = 2000, 5000, 400, 40
EDGE_LABEL_AT, NODE_FILL_MAX = 0.4, 0.7  # edge value chips 40 % along the edge; node fills ≤ 70 % of the scale
_STOPS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])  # ColorBrewer Blues / Oranges, grey at zero
_RGB = np.array([[8, 81, 156], [107, 174, 214], [224, 224, 224], [253, 174, 107], [217, 72, 1]], float)
_INK, _RING, _SELECT = "#1a1a1a", "#111111", "#c51b7d"
_NAN_FILL = "#b8b8b8"  # darker than the grey of 0; a NaN node's label and hover say "nan"
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
    """

    color_by: str = "weight"
    node_value: str = "auto"
    scale: float | None = None
    sample: int | None = 0
    show_labels: bool | None = None
    selected: tuple[int, int] | None = None
    height: int = 520
    font_size: int = 16

    def __post_init__(self):
        if self.color_by not in COLOR_BY:
            raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}, got {self.color_by!r}")
        if self.node_value not in NODE_VALUES:
            raise ValueError(f"node_value must be one of {', '.join(NODE_VALUES)}, got {self.node_value!r}")
        if self.scale is not None and not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive number or None, got {self.scale!r}")


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
    return GraphLayout(sizes, bias, _frozen(node_x), _frozen(node_y), node_start, tuple(spacing), tuple(bias_y),
                       x0, y0, x1, y1, tuple(np.cumsum([0, *n_w]).tolist()), tuple(np.cumsum([0, *sizes[1:]]).tolist()),
                       int(sum(n_w)), (float(all_y.min()), float(all_y.max())))


# ---------------------------------------------------------------------------- values
def edge_values(net, trace, cursor: int, color_by: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(per-weight values, per-bias values), shaped like (net.weights, net.biases):
    weights at the cursor, ∂E/∂w, or Δw = −η ∂E/∂w of the trace's update (see module doc)."""
    if trace is None:
        W, b = net.weights, net.biases
        if color_by == "weight":
            return list(W), list(b)
        return [np.zeros_like(w) for w in W], [np.zeros_like(x) for x in b]
    if color_by == "weight":
        return trace.parameters_at(cursor)
    if color_by == "gradient":
        return list(trace.grad_weights), list(trace.grad_biases)
    return list(trace.delta_weights), list(trace.delta_biases)


def _param_event_grid(lay, l: int, update: bool) -> np.ndarray:
    """Event index of every (i, j) of layer l's incoming parameters, (n_l, n_{l−1}+1); the
    last column is the bias (meaningful only when that event kind exists)."""
    if update:
        cum, rows, start = lay.cum_upd, lay.upd_rows, lay.update_start
    else:
        cum, rows, start = lay.cum_grad, lay.grad_rows, lay.grad_start
    base = start + cum[lay.L - l]
    return base + np.arange(lay.sizes[l])[:, None] * rows[l] + np.arange(lay.sizes[l - 1] + 1)[None, :]


def edge_done(trace, cursor: int, color_by: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Boolean masks like ``edge_values``: True where the value is computed (gradient) or
    applied (delta_w) at the cursor; all True for weights; (None, None) without a trace."""
    if trace is None:
        return None, None
    if color_by == "weight":
        sizes = trace.layer_sizes
        return [np.ones((o, i), bool) for i, o in zip(sizes[:-1], sizes[1:])], [np.ones(o, bool) for o in sizes[1:]]
    lay, upd = trace.layout, color_by == "delta_w"
    has_b = lay.update_biases if upd else lay.bias
    ws, bs = [], []
    for l in range(1, lay.L + 1):
        grid = _param_event_grid(lay, l, upd) <= cursor
        ws.append(grid[:, :-1])
        bs.append(grid[:, -1] if has_b else np.ones(lay.sizes[l], bool))
    return ws, bs


def node_values(trace, cursor: int, sample: int, quantity: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(values, done) per layer 0..L for one sample, each (n_l,): x for the inputs, then
    a^l (quantity "activation") or δ^l = ∂E/∂z^l ("delta"); done marks events ≤ cursor."""
    lay, c = trace.layout, sample
    vals, done = [trace.X[c]], [np.ones(lay.sizes[0], bool)]
    for l in range(1, lay.L + 1):
        n = np.arange(lay.sizes[l])
        if quantity == "activation":
            vals.append(trace.A[l][c])
            done.append(c * lay.N + lay.cum_fwd[l - 1] + n <= cursor)
        else:
            vals.append(trace.deltas[l][c])
            done.append(lay.delta_start + c * lay.N + lay.cum_bwd[lay.L - l] + n <= cursor)
    return vals, done


def fit_scale(values) -> float:
    """A robust, never-zero max |value| of an array or list of arrays, rounded up to a
    readable 1-1.5-2-3-4-5-6-8 × 10^k: max |v|, or the 99th percentile beyond 1,000 values."""
    parts = [np.abs(np.asarray(v, float)).ravel() for v in (values if isinstance(values, (list, tuple)) else [values])]
    a = np.concatenate(parts) if parts else np.zeros(0)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return 1.0
    m = float(np.percentile(a, 99) if a.size > 1000 else a.max())
    if m <= 0:
        m = float(a.max())
    if m <= 1e-300:
        return 1.0
    e = 10.0 ** np.floor(np.log10(m))
    return float(next(s * e for s in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if s * e >= m * (1 - 1e-12)))


# --------------------------------------------------------------------------- colours
def diverging_colors(t) -> np.ndarray:
    """'#rrggbb' strings for t in [−1, 1] (clipped): blue < 0, grey at 0, orange > 0."""
    t = np.clip(np.asarray(t, float), -1, 1)
    rgb = np.stack([np.interp(t, _STOPS, _RGB[:, k]) for k in range(3)], -1).round().astype(int)
    return np.array(["#%02x%02x%02x" % tuple(c) for c in rgb.reshape(-1, 3)]).reshape(t.shape)


BUCKET_COLORS = diverging_colors(np.arange(-K, K + 1) / K)
_LUT = diverging_colors(np.linspace(-1, 1, 1001))  # node fills, to 1/500 of the range


def _fill(t) -> np.ndarray:
    return _LUT[np.rint((np.clip(t, -1, 1) + 1) * 500).astype(int)]


def _stepped_colorscale() -> tuple:
    """The colour bar shows exactly the 13 bucket colours, each over its share of ±scale."""
    out = []
    for k in range(-K, K + 1):
        lo, hi = max(-1.0, (k - 0.5) / K), min(1.0, (k + 0.5) / K)
        out += [((lo + 1) / 2, str(BUCKET_COLORS[k + K])), ((hi + 1) / 2, str(BUCKET_COLORS[k + K]))]
    return tuple(out)


STEPPED_COLORSCALE = _stepped_colorscale()


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
    """A node's printed value: fixed decimals like the hover text, ≤ 7 characters."""
    a = abs(float(v))
    if a == 0 or 10.0 ** -decimals <= a < 10:
        s = f"{float(v) + 0.0:.{decimals}f}"
    elif 10 <= a < 1e4:
        s = f"{float(v):.{decimals}g}"
    else:
        s = f"{float(v):.1e}".replace("e-0", "e-").replace("e+0", "e")
    return s.replace("-", "−")


def _sub(*idx) -> str:
    sep = "," if any(int(i) > 9 for i in idx) else ""
    return sep.join(str(int(i)) for i in idx).translate(_SUB)


# ---------------------------------------------------------------------------- figure
def _flat(ws, bs, bias: bool) -> np.ndarray:
    """Edge order of GraphLayout: every weight (l, i, j), then every bias edge (l, i)."""
    return np.concatenate([np.ravel(w) for w in ws] + ([np.ravel(b) for b in bs] if bias else []))


def _layer_name(l: int, L: int) -> str:
    return "input" if l == 0 else ("output" if l == L else f"hidden {l}")


def _segments(lay: GraphLayout, idx: np.ndarray, frac: float | None = None):
    """x, y of the edges idx as one polyline with NaN gaps (or points at ``frac`` along them)."""
    if frac is not None:
        return lay.x0[idx] + frac * (lay.x1[idx] - lay.x0[idx]), lay.y0[idx] + frac * (lay.y1[idx] - lay.y0[idx])
    xs, ys = np.full((idx.size, 3), np.nan, np.float32), np.full((idx.size, 3), np.nan, np.float32)
    xs[:, 0], xs[:, 1], ys[:, 0], ys[:, 1] = lay.x0[idx], lay.x1[idx], lay.y0[idx], lay.y1[idx]
    return xs.ravel(), ys.ravel()


def _typed(a) -> dict:
    """A float32 array as plotly.js's typed-array spec (what plotly itself emits, minus its
    per-array conversion cost); NaN entries are gaps in lines."""
    with np.errstate(over="ignore"):  # a diverged value beyond float32's range becomes ±inf, without a warning
        a = np.ascontiguousarray(a, np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(a).decode("ascii")}


@functools.lru_cache(maxsize=16)
def _static_b64(sizes: tuple, bias: bool) -> dict:
    """Base64 float32 coordinates that never change for an architecture (encoded once)."""
    lay = graph_layout(sizes, bias)
    arrays = {"node_x": lay.node_x, "node_y": lay.node_y}
    return {k: _typed(a)["bdata"] for k, a in arrays.items()}


def _typed_static(lay: GraphLayout, key: str) -> dict:
    return {"dtype": "f4", "bdata": _static_b64(lay.sizes, lay.bias)[key]}


def _scatter(name: str, mode: str, x, y, **kw) -> dict:
    return dict(type="scatter", name=name, mode=mode, x=x, y=y, **kw)  # layout.showlegend is False


def _lines(name, lay, idx, color, width, opacity=1.0, dash=None) -> dict:
    x, y = _segments(lay, np.asarray(idx, int))
    line = dict(color=color, width=width) if dash is None else dict(color=color, width=width, dash=dash)
    extra = {} if opacity == 1 else {"opacity": opacity}
    return _scatter(name, "lines", _typed(x), _typed(y), hoverinfo="skip", line=line, **extra)


@functools.lru_cache(maxsize=16)
def _edge_ids(sizes: tuple, bias: bool) -> np.ndarray:
    """(E, 4) per edge in GraphLayout order: target layer l+1, neuron i, source j (−1 for a
    bias), source layer l — the indices its hover text shows."""
    rows = [(l + 1, i, j, l) for l in range(len(sizes) - 1) for i in range(sizes[l + 1]) for j in range(sizes[l])]
    if bias:
        rows += [(l + 1, i, -1, l) for l in range(len(sizes) - 1) for i in range(sizes[l + 1])]
    return _frozen(np.array(rows, float).reshape(-1, 4))


def _hover_template(bias: bool, state: int, compact: bool) -> str:
    """plotly.js formats the numbers from customdata [l+1, i, j, l, w, ∂E/∂w, Δw, w before]:
    state 0 = nothing computed yet, 1 = gradient computed, 2 = update applied."""
    cd = "%{{customdata[{}]{}}}".format
    if bias:
        name, q = f"b[{cd(0, '')}]<sub>{cd(1, '')}</sub>", "b"
        where = f"bias of neuron {cd(1, '')} of layer {cd(0, '')}"
    else:
        name, q = f"w[{cd(0, '')}]<sub>{cd(1, '')}{'' if compact else ','}{cd(2, '')}</sub>", "w"
        where = f"from neuron {cd(2, '')} of layer {cd(3, '')} to neuron {cd(1, '')} of layer {cd(0, '')}"
    out = f"<b>{name} = {cd(4, ':.4f')}</b> ({where})"
    if state >= 1:
        out += f"<br>∂E/∂{q} = {cd(5, ':.4g')},  Δ{q} = −η·∂E/∂{q} = {cd(6, ':.4g')}"
    if state == 2:
        out += f"<br>updated: {cd(7, ':.4f')} → {cd(4, ':.4f')}"
    return out + "<extra></extra>"


def _typed_rows(a: np.ndarray, dtype: str = "f8") -> dict:
    """A 2-D array as a typed-array spec with its shape: plotly.js hands each point its row
    (Streamlit's selection event then carries it as {"0": …, "1": …})."""
    a = np.ascontiguousarray(a, {"f8": np.float64, "i2": np.int16}[dtype])
    return {"dtype": dtype, "bdata": base64.b64encode(a).decode("ascii"), "shape": f"{a.shape[0]}, {a.shape[1]}"}


def _edge_hover(lay, trace, w_now, done_g, done_u, ed, bar) -> list[dict]:
    """Invisible points at the edge midpoints whose hover shows w at the cursor, then ∂E/∂w
    and Δw once computed, and the old value once applied. The numbers travel as customdata
    and a few templates (by kind and state), not as one string per edge; the first trace
    also carries the colour bar."""
    E = w_now.size
    zeros = np.zeros(E)
    g = _flat(trace.grad_weights, trace.grad_biases, lay.bias) if trace is not None else zeros
    d = _flat(trace.delta_weights, trace.delta_biases, lay.bias) if trace is not None else zeros
    before = _flat(trace.weights_before, trace.biases_before, lay.bias) if trace is not None else w_now
    state = np.zeros(E, int) if trace is None else done_g.astype(int) + (done_u & (d != 0))
    cd = np.column_stack([_edge_ids(lay.sizes, lay.bias), w_now, g, d, before])
    is_bias = np.arange(E) >= lay.n_weights
    compact = max(lay.sizes) <= 10
    out = []
    for kind in (False, True):
        for st in (0, 1, 2):
            idx = np.flatnonzero((is_bias == kind) & (state == st))
            if idx.size == 0:
                continue
            mx, my = _segments(lay, idx, 0.5)
            marker = dict(size=14, opacity=0)
            if not out:
                marker.update(color=_typed(ed.v[idx]), **bar)
            out.append(_scatter("edge hover", "markers", _typed(mx), _typed(my), customdata=_typed_rows(cd[idx]),
                                hovertemplate=_hover_template(kind, st, compact), marker=marker,
                                selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0))))
    return out


@functools.lru_cache(maxsize=16)
def _node_heads(sizes: tuple, acts: tuple) -> tuple:
    L = len(sizes) - 1
    return tuple(f"<b>{_layer_name(l, L)} · neuron {i}</b>" + (f" ({acts[l - 1]})" if l else "")
                 for l, n in enumerate(sizes) for i in range(n))


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
    for q, h in enumerate(heads[sizes[0]:]):
        s = h + tail + (f"<br>z = {z[q]}<br>a = {a[q]}" if fwd[q] else "<br>a: not computed yet")
        if q >= first_out and fwd[q]:
            s += f"<br>target y = {y[q - first_out]}"
        if bwd[q]:
            s += f"<br>δ = ∂E/∂z = {d[q]}"
        out.append(s + (f"<br>b = {b[q]}" if b is not None else ""))
    return out


def _event_marks(ev, lay: GraphLayout, L: int):
    """(ring node ids, halo edge ids, dashed edge ids, focus edge id or None) for an event."""
    if ev is None:
        return [], [], [], None
    k, l, i, j = ev.kind, ev.layer, ev.i, ev.j
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
    if k.endswith("_w"):
        return [], [], [], lay.w_start[l - 1] + i * lay.sizes[l - 1] + j
    return [], [], [], lay.n_weights + lay.b_start[l - 1] + i  # a bias edge


def _event_note(ev, lay, L) -> str | None:
    if ev is None or ev.kind in ("forward", "delta", "loss"):
        return None
    name = f"w[{ev.layer}]{_sub(ev.i, ev.j)}" if ev.kind.endswith("_w") else f"b[{ev.layer}]{_sub(ev.i)}"
    if ev.kind.startswith("grad"):
        return f"∂E/∂{name} = {_fmt(ev.value)}"
    return f"{name}  {_fmt(ev.factors['old'])} → {_fmt(ev.factors['new'])}"


@dataclass(frozen=True)
class _Edges:
    """The edge values of one figure in GraphLayout order and how they are drawn."""

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


def _edges(net, trace, cursor, lay: GraphLayout, o: GraphOptions, pair: int) -> _Edges:
    ws, bs = edge_values(net, trace, cursor, o.color_by)
    v = _flat(ws, bs, lay.bias)
    dw, db = edge_done(trace, cursor, o.color_by)
    done = _flat(dw, db, lay.bias) if dw is not None else np.ones(v.size, bool)
    scale = float(o.scale) if o.scale else fit_scale(v[done] if done.any() else v)
    nan = np.isnan(v)  # a NaN weight has no colour: left out of the buckets (its hover says NaN)
    bucket = np.rint(np.clip(np.where(nan, 0.0, v) / scale, -1, 1) * K).astype(int)
    group = np.where(nan, -1, (bucket + K) + N_BUCKETS * done)
    for l in range(len(lay.sizes) - 1):  # a dense layer pair draws only its strongest weights
        a, b = lay.w_start[l], lay.w_start[l + 1]
        if b - a > DENSE_PAIR:
            group[a + np.argpartition(np.abs(v[a:b]), b - a - DENSE_KEEP)[: b - a - DENSE_KEEP]] = -1
    drawn = int((group >= 0).sum())  # thinner, lighter lines the more are drawn
    style = ((0.3, 1.5, 0.6) if pair > DENSE_PAIR else (0.5, 6.0, 1.0) if drawn <= 300 else
             (0.4, 3.5, 0.85) if drawn <= 1000 else (0.3, 2.0, 0.6))
    return _Edges(v, done, bucket, group, scale, *style)


def _colour_bar(ed: _Edges, title: str, fs: int) -> dict:
    """Marker properties that draw the edges' colour bar (stepped like the buckets)."""
    s = ed.scale
    ticks = [f"≤ {_short(-s)}", _short(-s / 2), "0", _short(s / 2), f"≥ {_short(s)}"]
    return dict(colorscale=STEPPED_COLORSCALE, cmin=-s, cmax=s, showscale=True,
                colorbar=dict(title=dict(text=title, side="right", font=dict(size=fs)), thickness=max(12, fs),
                              len=0.85, x=1.0, xanchor="left", xpad=12, outlinewidth=0,
                              tickfont=dict(size=round(fs * 0.85)), tickvals=[-s, -s / 2, 0, s / 2, s], ticktext=ticks))


def _edge_traces(lay: GraphLayout, ed: _Edges, halo, dashed, focus) -> list[dict]:
    """The event's halo, the buckets (pending before done, faint before strong), δ path, event edge."""
    data = []
    if halo and len(halo) <= 100:  # a dark halo under the incoming edges
        data.append(_lines("event halo", lay, halo, "rgba(17,17,17,0.30)", ed.w_max + 7))
    present = set(np.unique(ed.group).tolist()) - {-1}
    for g in sorted(present, key=lambda g: (g // N_BUCKETS, abs(g % N_BUCKETS - K))):
        b, done = g % N_BUCKETS - K, g >= N_BUCKETS
        data.append(_lines(f"edges {b:+d}" + ("" if done else " pending"), lay, np.flatnonzero(ed.group == g),
                           str(BUCKET_COLORS[b + K]), ed.width(b), ed.alpha if done else 0.18))
    if len(halo) > 100:  # a wide fan (784 inputs): one translucent wedge from the whole column
        h = np.asarray(halo)
        x0, tip = float(lay.x0[h].min()), h[0]
        data.append(_scatter("event wedge", "lines", [x0, float(lay.x1[tip]), x0],
                             [float(lay.y0[h].max()), float(lay.y1[tip]), float(lay.y0[h].min())],
                             fill="toself", fillcolor="rgba(17,17,17,0.25)", hoverinfo="skip",
                             line=dict(width=1.5, color="rgba(17,17,17,0.7)")))
    if dashed:
        data.append(_lines("δ path", lay, dashed, _RING, 3 if len(dashed) <= 12 else 1.5, dash="dash"))
    if focus is not None:
        fw = max(ed.width(ed.bucket[focus]), 5.0)
        data += [_lines("event edge outline", lay, [focus], _RING, fw + 5),
                 _lines("event edge", lay, [focus], str(BUCKET_COLORS[ed.bucket[focus] + K]), fw)]
    return data


def _node_sizes(lay: GraphLayout, labels: bool, plot_h: float, fs: int) -> tuple[list[float], list[float]]:
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


def _node_ranges(trace, acts, quantity: str) -> list[float]:
    """Colour range per layer: x by its batch max; a of sigmoid/softmax/tanh ±1, others by
    the batch; δ one range for all layers (small hidden δ stay pale, as they are)."""
    if quantity == "delta":
        return [fit_scale(trace.X)] + [fit_scale(trace.deltas[1:])] * len(acts)
    return [fit_scale(trace.X)] + [1.0 if a in ("sigmoid", "softmax", "tanh") else fit_scale(trace.A[l])
                                   for l, a in enumerate(acts, start=1)]


def _node_fills(trace, cursor, c, quantity, acts, size, labels, fs):
    """(fill colour, printed value) per neuron; white and blank until computed."""
    n = size.size
    fill, text = np.full(n, "#ffffff"), np.full(n, "", dtype=object)
    if trace is None:
        return fill, text
    vals, vdone = node_values(trace, cursor, c, quantity)
    shown = np.concatenate(vdone)
    t = np.clip(np.concatenate([x / r for x, r in zip(vals, _node_ranges(trace, acts, quantity))]), -1, 1)
    nan = np.isnan(t)  # a NaN value gets its own fill, never a colour of the number scale
    fill[shown & nan] = _NAN_FILL
    fill[shown & ~nan] = _fill(NODE_FILL_MAX * t[shown & ~nan])  # never darker than dark text can sit on
    if labels:
        flat = np.concatenate(vals)
        text[shown] = [_label(x, 4 if d >= 3.75 * fs else 3) for x, d in zip(flat[shown], size[shown])]
    return fill, text


def _node_traces(lay, trace, cursor, c, quantity, acts, b_now, diam, labels, fs, ring, selected) -> list[dict]:
    """Bias squares, neurons (customdata [layer, neuron]) and the rings on top of them."""
    sizes, L, data = lay.sizes, len(lay.sizes) - 1, []
    size = np.repeat(diam, sizes)
    fill, text = _node_fills(trace, cursor, c, quantity, acts, size, labels, fs)
    keep = dict(marker=dict(opacity=1), textfont=dict(color=_INK))  # a click selection must not dim anything
    mode = "markers+text" if labels else "markers"
    if lay.bias:
        data.append(_scatter("bias units", mode, _typed(np.arange(L)), _typed(lay.bias_y), text=["+1"] * L,
                             textfont=dict(size=round(fs * 0.8), color=_INK), hoverinfo="text",
                             hovertext=[f"<b>bias unit of layer {l}</b>: constant +1; its edges carry b[{l + 1}]"
                                        for l in range(L)],
                             marker=dict(symbol="square", color="#f2f2f2", line=dict(color="#555555", width=1.5),
                                         size=_typed([max(10.0, min(0.8 * d, 2.1 * fs)) for d in diam[:L]])),
                             selected=keep, unselected=keep))
    layer_of = np.repeat(np.arange(L + 1), sizes)
    neuron = np.arange(size.size) - np.asarray(lay.node_start)[layer_of]
    outline = np.where(size >= 20, 2.0, np.where(size >= 8, 1.0, 0.0))
    node = _scatter("neurons", "markers", _typed_static(lay, "node_x"), _typed_static(lay, "node_y"),
                    customdata=_typed_rows(np.stack([layer_of, neuron], 1), "i2"),  # rows [layer, neuron]
                    hoverinfo="text", hovertext=_node_hover(trace, cursor, c, sizes, acts, b_now),
                    marker=dict(size=_typed(size), color=fill.tolist(), opacity=1,
                                line=dict(color="#444444", width=_typed(outline))),
                    selected=keep, unselected=keep)
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
        data.append(_scatter("rings", "markers", _typed(lay.node_x[q]), _typed(lay.node_y[q]), hoverinfo="skip",
                             marker=dict(symbol="circle-open", size=_typed(rs), color=rc, opacity=1,
                                         line=dict(width=_typed(rw))),
                             unselected=dict(marker=dict(opacity=1))))
    return data


def _valid_selection(sel, sizes) -> tuple[int, int] | None:
    try:
        l, i = int(sel[0]), int(sel[1])
    except (TypeError, ValueError, IndexError):
        return None
    return (l, i) if 0 <= l < len(sizes) and 0 <= i < sizes[l] else None


def _annotations(lay, ed, ev, acts, labels, edge_labels, fs, caption, diam, focus, other_sample) -> list[dict]:
    """Layer titles, edge value chips (small nets), caption, and the event's number."""
    sizes, L = lay.sizes, len(lay.sizes) - 1
    notes = [dict(x=l, y=1.0, xref="x", yref="paper", yanchor="bottom", showarrow=False, font=dict(size=fs, color=_INK),
                  text=f"<b>{_layer_name(l, L)}</b>{f' ({n})' if not labels else ''}<br>"
                       f"<span style='font-size:{round(fs * 0.8)}px'>{'x' if l == 0 else acts[l - 1]}</span>")
             for l, n in enumerate(sizes)]
    if edge_labels:  # each edge's value 40 % along it, on a white chip; nothing for pending values
        lx, ly = _segments(lay, np.arange(ed.v.size), EDGE_LABEL_AT)
        chip = dict(showarrow=False, bgcolor="rgba(255,255,255,0.85)", borderpad=1,
                    font=dict(size=round(fs * 0.85), color=_INK))
        notes += [dict(x=x, y=y, text=_short(val), **chip)
                  for x, y, val, d in zip(lx.tolist(), ly.tolist(), ed.v.tolist(), ed.done.tolist()) if d]
    if caption:
        notes.append(dict(x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top", showarrow=False,
                          text=caption, font=dict(size=round(fs * 0.8), color="#555555")))
    if ev is None:
        return notes
    box = dict(bgcolor="rgba(255,255,255,0.92)", bordercolor=_RING, borderwidth=1.5, borderpad=4,
               font=dict(size=fs, color=_INK), arrowcolor=_RING, arrowwidth=1.5, showarrow=True)
    note = _event_note(ev, lay, L)
    if note and focus is not None:
        fx, fy = _segments(lay, np.array([focus]), 0.5)
        notes.append(dict(x=float(fx[0]), y=float(fy[0]), text=note, ax=0, ay=-46, **box))
    elif ev.kind == "loss":
        q = lay.node_start[L + 1] - 1
        notes.append(dict(x=L, y=float(lay.node_y[q]), text=f"E = {_fmt(ev.value)}", ax=0, ay=diam[L] / 2 + 34, **box))
    elif ev.kind in ("forward", "delta") and (not labels or other_sample):  # else the node's label shows it
        q = lay.node_start[ev.layer] + ev.i
        sym = "a" if ev.kind == "forward" else "δ"
        side = -1 if ev.layer > 0 else 1  # up and to the left, over edges rather than the column's nodes
        notes.append(dict(x=float(lay.node_x[q]), y=float(lay.node_y[q]), ax=side * (diam[ev.layer] / 2 + 60),
                          ay=-(diam[ev.layer] / 2 + 24), xanchor="right" if side < 0 else "left", **box,
                          text=f"{sym}[{ev.layer}]{_sub(ev.i)} = {_fmt(ev.value)} (sample {ev.sample + 1})"))
    return notes


def _caption(trace, ev, c: int, quantity: str, cursor: int) -> str:
    what = "activation a" if quantity == "activation" else "δ = ∂E/∂z"
    pending = not all(d.all() for d in node_values(trace, cursor, c, quantity)[1])
    return (f"nodes: {what}, sample {c + 1} of {trace.m}" + ("; blank = not computed yet" if pending else "")
            + (f"; the event is sample {ev.sample + 1}" if ev is not None and ev.sample not in (None, c) else ""))


def build_figure(net, trace, cursor: int, options: GraphOptions = GraphOptions()) -> go.Figure:
    """The network at event ``cursor`` of ``trace`` (−1: before the first; trace None: just
    ``net``'s parameters, no node values) as a plotly figure; see the module doc.

    Traces, bottom to top: the event's halo, ≤ 26 edge buckets (13 colours × done/pending),
    δ path (dashed), the event's edge, edge hover points (≤ 2,000 edges, ≤ 6 traces, the
    first carrying the colour bar; beyond, a point-less colour-bar trace comes first), bias squares, neurons
    (customdata [layer, neuron], for click selection), rings (event black, selection pink).
    """
    o, sizes, L = options, tuple(net.layer_sizes), net.n_layers
    lay, acts, fs = graph_layout(sizes, bool(net.bias)), tuple(net.activations), int(o.font_size)
    ev = trace.event(cursor) if trace is not None and cursor >= 0 else None
    pair = max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    labels = o.show_labels
    if labels is None:
        labels = max(sizes) <= LABEL_MAX_NEURONS and pair <= LABEL_MAX_PAIR
    ring, halo, dashed, focus = _event_marks(ev, lay, L)

    ed = _edges(net, trace, cursor, lay, o, pair)
    data = _edge_traces(lay, ed, halo, dashed, focus)
    bar = _colour_bar(ed, EDGE_TITLES[o.color_by], fs)
    w_now, b_now = edge_values(net, trace, cursor, "weight")
    if ed.v.size <= HOVER_MAX_EDGES:
        gd = ud = None
        if trace is not None:
            gd, ud = (_flat(*edge_done(trace, cursor, m), lay.bias) for m in ("gradient", "delta_w"))
        data += _edge_hover(lay, trace, _flat(w_now, b_now, lay.bias), gd, ud, ed, bar)
    else:  # the colour bar on a point-less trace
        data.insert(0, _scatter("colour bar", "markers", [None], [None], hoverinfo="skip",
                                marker=dict(color=[0.0], **bar)))

    top, bottom, right = int(2.6 * fs) + 10, int(1.7 * fs) + 6, int(3.5 * fs) + 46
    diam, y_range = _node_sizes(lay, labels, max(o.height - top - bottom, 80), fs)
    c, quantity, caption = 0, None, ""
    if trace is not None:
        c = ev.sample if (o.sample is None and ev is not None and ev.sample is not None) else (o.sample or 0)
        c = int(min(max(c, 0), trace.m - 1))
        forward = cursor <= trace.layout.loss_index
        quantity = "activation" if o.node_value == "activation" or (o.node_value == "auto" and forward) else "delta"
        caption = _caption(trace, ev, c, quantity, cursor)
    selected = _valid_selection(o.selected, sizes) if o.selected is not None else None
    data += _node_traces(lay, trace, cursor, c, quantity, acts, b_now, diam, labels, fs, ring, selected)
    other_sample = ev is not None and ev.sample not in (None, c)
    notes = _annotations(lay, ed, ev, acts, labels, labels and pair <= EDGE_LABEL_MAX_PAIR, fs, caption, diam, focus,
                         other_sample)
    layout = dict(height=o.height, margin=dict(l=12, r=right, t=top, b=bottom, pad=0), autosize=True,
                  paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", showlegend=False, dragmode=False,
                  hovermode="closest", uirevision=f"graph-{'-'.join(map(str, sizes))}-{int(lay.bias)}",
                  font=dict(family=_FONT, size=fs, color=_INK), annotations=notes, template={},
                  modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.7)"),
                  hoverlabel=dict(font=dict(size=round(fs * 0.85), family=_FONT, color=_INK), bgcolor="#ffffff",
                                  bordercolor="#444444", align="left"),
                  xaxis=dict(visible=False, fixedrange=True, range=[-0.32, L + 0.32]),
                  yaxis=dict(visible=False, fixedrange=True, range=y_range))
    try:  # plotly's per-property validation is most of the cost; the tests validate the output instead
        return go.Figure(data=data, layout=layout, _validate=False)
    except TypeError:  # pragma: no cover - a plotly without the private flag
        return go.Figure(data=data, layout=layout)
