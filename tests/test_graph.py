"""The network graph's figure DATA: colours, widths, highlights, node values, selection, size.

Over 400 lines: one suite for the one figure builder, its cases parametrised over networks and events."""

from __future__ import annotations

import collections
import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from components.views import chip_layout as C
from components.views import graph as G
from components.views import graph_data as D
from components.views import graph_labels as T
from components.views import graph_scene as S
from components.views.formulas import event_formula
from components.views.graph import (
    GraphOptions,
    build_figure,
    build_graph,
    edge_done,
    edge_values,
    fit_scale,
    graph_layout,
)
from engine import Network, Stepper
from plotly_arrays import arr

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
ORANGE = set(D.BUCKET_COLORS[D.K + 1 :].tolist())
BLUE = set(D.BUCKET_COLORS[: D.K].tolist())
NEUTRAL = str(D.BUCKET_COLORS[D.K])


# ------------------------------------------------------------------------ helpers
def traces(fig, name=None, prefix=None) -> list:
    return [
        t
        for t in fig.data
        if (name is None or t.name == name) and (prefix is None or (t.name or "").startswith(prefix))
    ]


def one(fig, name):
    found = traces(fig, name)
    assert len(found) == 1, f"{name}: {len(found)} traces"
    return found[0]


def bar(fig):
    """The marker carrying the colour bar."""
    found = [t.marker for t in fig.data if t.marker.showscale]
    assert len(found) == 1
    return found[0]


def segments(t) -> list[tuple]:
    """(x0, y0, x1, y1) of each NaN-separated segment of a line trace."""
    x, y = arr(t.x), arr(t.y)
    assert x.size % 3 == 0 and np.isnan(x[2::3]).all()
    return list(zip(x[0::3], y[0::3], x[1::3], y[1::3]))


def edge_index(fig_net, lay=None) -> dict:
    """Segment coordinates → edge number in GraphLayout order."""
    lay = lay or graph_layout(tuple(fig_net.layer_sizes), fig_net.bias)
    return {tuple(np.float32(c).item() for c in seg): e for e, seg in enumerate(zip(lay.x0, lay.y0, lay.x1, lay.y1))}


def drawn_edges(fig, net) -> dict:
    """edge number → (colour, width, pending) over the bucket traces."""
    index, out = edge_index(net), {}
    for t in traces(fig, prefix="edges "):
        for seg in segments(t):
            e = index[tuple(float(np.float32(c)) for c in seg)]
            assert e not in out, "an edge drawn twice"
            out[e] = (t.line.color, t.line.width, t.name.endswith("pending"))
    return out


def flat(ws, bs, bias=True):
    return D.flat_edges(ws, bs, bias)


def mazur():
    """Matt Mazur's 2-2-2 example (biases per neuron, as the engine has them)."""
    net = Network([2, 2, 2], seed=0)
    net.set_parameters(
        [np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])],
        [np.array([0.35, 0.35]), np.array([0.60, 0.60])],
    )
    return net, Stepper(net, [[0.05, 0.10]], [[0.01, 0.99]], lr=0.5)


def stepper(sizes, m=3, seed=0, **kw):
    net = Network(sizes, seed=seed, **kw)
    rng = np.random.default_rng(seed)
    return net, Stepper(net, rng.random((m, sizes[0])), rng.random((m, sizes[-1])), lr=0.5)


def first(tr, kind, layer=None):
    lay = tr.layout
    for k in range(lay.n_events):
        if lay.locate(k)[0] == kind and (layer is None or lay.locate(k)[1] == layer):
            return k
    raise AssertionError(kind)


@pytest.fixture(scope="module")
def big():
    net = Network([784, 32, 10], seed=0)
    rng = np.random.default_rng(1)
    X = rng.random((2, 784)) * (rng.random((2, 784)) > 0.5)
    return net, net.trace(X, np.eye(10)[:2], 0.1)


# ---------------------------------------------------------------- structure
def test_build_graph_nodes_edges_and_layers():
    Gr = build_graph((2, 3, 1), bias=True)
    assert {n for n in Gr if n[0] == "b"} == {("b", 0), ("b", 1)}
    assert Gr.nodes[("n", 1, 2)]["layer"] == 1 and Gr.nodes[("b", 1)]["layer"] == 1
    assert Gr.number_of_edges() == 2 * 3 + 3 * 1 + 3 + 1
    assert Gr.edges[("n", 0, 1), ("n", 1, 2)]["lij"] == (0, 2, 1)
    assert not any(n[0] == "b" for n in build_graph((2, 3, 1), bias=False))


def test_layout_is_cached_read_only_and_left_to_right():
    lay = graph_layout((2, 3, 1), True)
    assert graph_layout((2, 3, 1), True) is lay
    with pytest.raises(ValueError):
        lay.node_x[0] = 5
    xs = [lay.node_x[lay.node_start[l]] for l in range(3)]
    assert xs == sorted(xs) and len(set(xs)) == 3  # inputs left, outputs right
    y1 = lay.node_y[lay.node_start[1] : lay.node_start[2]]
    assert (np.diff(y1) < 0).all()  # neuron 0 on top
    assert all(b < lay.node_y[lay.node_start[l] : lay.node_start[l + 1]].min() for l, b in enumerate(lay.bias_y))


# ------------------------------------------------------------------- colours
def test_colour_sign_width_order_and_zero_neutral():
    net = Network([3, 4, 2], seed=0)
    W = [
        np.array([[0.5, -0.5, 0.0], [0.1, -0.1, 0.9], [-0.9, 0.3, -0.3], [0.02, 0.7, -0.7]]),
        np.array([[1.0, -1.0, 0.25, -0.25], [0.0, 0.6, -0.6, 0.45]]),
    ]
    net.set_parameters(W, [np.array([0.2, -0.2, 0.0, 0.4]), np.array([-0.05, 0.8])])
    fig = build_figure(net, None, -1, GraphOptions(scale=1.0))
    v = flat(net.weights, net.biases)
    drawn = drawn_edges(fig, net)
    assert len(drawn) == v.size  # every edge, in exactly one bucket
    for e, (color, _width, _) in drawn.items():
        if v[e] > 1 / 12:
            assert color in ORANGE
        elif v[e] < -1 / 12:
            assert color in BLUE
        else:
            assert color == NEUTRAL
    order = np.argsort(np.abs(v), kind="stable")
    widths = [drawn[e][1] for e in order]
    assert widths == sorted(widths)  # width grows with |value|
    assert drawn[int(np.argmax(np.abs(v)))][1] == max(widths) and min(widths) == drawn[2][1]  # w[1]_02 = 0
    # +v and −v get mirrored colours and the same width
    assert drawn[0][1] == drawn[1][1] and drawn[0][0] in ORANGE and drawn[1][0] in BLUE


def test_scale_is_the_passed_one_and_clips():
    net, st = mazur()
    fig = build_figure(net, st.trace, -1, GraphOptions(scale=0.1))
    b = bar(fig)
    assert b.cmin == -0.1 and b.cmax == 0.1 and b.colorbar.title.text == "weight w"
    assert b.colorbar.ticktext[-1] == "≥ 0.1"
    drawn = drawn_edges(fig, net)
    assert {c for c, _, _ in drawn.values()} == {D.BUCKET_COLORS[-1]}  # all ≥ 0.15 > 0.1: clipped to the end colour
    mid = drawn_edges(build_figure(net, st.trace, -1, GraphOptions(scale=0.6)), net)
    assert mid[0][0] == D.BUCKET_COLORS[D.K + round(0.15 / 0.6 * D.K)]  # w[1]_00 = 0.15 → bucket round(1.5) = 2
    refit = build_figure(net, st.trace, -1, GraphOptions())
    assert bar(refit).cmax == fit_scale(flat(net.weights, net.biases))


def test_node_label_format():
    assert [T.node_label(v) for v in (0.5932699, -0.0380982, 0.00877, 0, 12.3456, -2.5e-5, 123456.0)] == [
        "0.5933",
        "−0.0381",
        "0.0088",
        "0.0000",
        "12.35",
        "−2.5e−5",
        "1.2e5",
    ]
    assert T.node_label(0.5932699, 3) == "0.593"
    assert T.node_label(-1.8e-5, 3) == "−2e−5" and all(
        len(T.node_label(v, 3)) <= 6 for v in (-1.8e-5, -123456.0, 1e-300)
    )


def test_fit_scale_never_zero_and_robust():
    assert fit_scale(np.zeros(5)) > 0 and fit_scale([]) > 0 and fit_scale([np.array([np.nan, np.inf])]) > 0
    assert fit_scale(np.array([1e-320])) > 0
    assert fit_scale([np.array([0.3, -0.47])]) == 0.5
    assert fit_scale(np.array([2.0e-3])) == pytest.approx(2.0e-3)
    big = np.r_[np.full(5000, 0.1), 100.0]
    assert fit_scale(big) == pytest.approx(0.1)  # the 99th percentile ignores one outlier


@pytest.mark.parametrize("color_by,title", [("gradient", "gradient ∂E/∂w"), ("delta_w", "update Δw")])
def test_gradient_and_delta_w_colours_and_pending_fade(color_by, title):
    net, st = stepper([2, 3, 2])
    tr = st.trace
    k = tr.layout.update_start + 4 if color_by == "delta_w" else tr.layout.grad_start + 4
    fig = build_figure(net, tr, k, GraphOptions(color_by=color_by))
    assert bar(fig).colorbar.title.text == title
    v = flat(*edge_values(net, tr, k, color_by))
    done = flat(*edge_done(tr, k, color_by))
    ref = tr.delta_weights if color_by == "delta_w" else tr.grad_weights
    assert np.array_equal(v[:12], np.concatenate([w.ravel() for w in ref]))
    assert done.sum() == 5  # events start .. k, in the engine's order (layer L first)
    drawn = drawn_edges(fig, net)
    for e, (color, _, pending) in drawn.items():
        assert pending == (not done[e])
        scale = bar(fig).cmax
        if v[e] > scale / 12:
            assert color in ORANGE
        elif v[e] < -scale / 12:
            assert color in BLUE


def test_edge_done_matches_the_events():
    net, st = stepper([2, 3, 2])
    tr = st.trace
    for k in range(tr.layout.grad_start, tr.layout.n_events):
        ev = tr.event(k)
        mode = "delta_w" if ev.kind.startswith("update") else "gradient"
        ws, bs = edge_done(tr, k, mode)
        pw, pb = edge_done(tr, k - 1, mode)
        if ev.kind.endswith("_w"):
            assert ws[ev.layer - 1][ev.i, ev.j] and not pw[ev.layer - 1][ev.i, ev.j]
        else:
            assert bs[ev.layer - 1][ev.i] and not pb[ev.layer - 1][ev.i]
        assert (
            sum(w.sum() for w in ws) + sum(b.sum() for b in bs)
            == k - (tr.layout.update_start if mode == "delta_w" else tr.layout.grad_start) + 1
        )


# ---------------------------------------------------------------- highlights
def ring_nodes(fig, color=S.RING):
    t = traces(fig, "rings")
    if not t:
        return set()
    x, y = arr(t[0].x), arr(t[0].y)
    return {(float(a), float(b)) for a, b, c in zip(x, y, t[0].marker.color) if c == color}


def node_xy(net, l, i):
    lay = graph_layout(tuple(net.layer_sizes), net.bias)
    q = lay.node_start[l] + i
    return float(np.float32(lay.node_x[q])), float(np.float32(lay.node_y[q]))


def edge_of(net, l, i, j=None):
    """GraphLayout edge number of weights[l][i, j] (j None: the bias of neuron i of layer l+1)."""
    lay = graph_layout(tuple(net.layer_sizes), net.bias)
    return lay.w_start[l] + i * lay.sizes[l] + j if j is not None else lay.n_weights + lay.b_start[l] + i


def line_edges(fig, net, name) -> set:
    index = edge_index(net)
    return {index[tuple(float(np.float32(c)) for c in s)] for t in traces(fig, name) for s in segments(t)}


def test_forward_event_rings_neuron_and_marks_incoming_edges():
    net, st = stepper([2, 3, 2], m=2)
    tr = st.trace
    k = tr.layout.N + 1  # sample 1, layer 1, neuron 1
    ev = tr.event(k)
    assert (ev.kind, ev.layer, ev.i, ev.sample) == ("forward", 1, 1, 1)
    fig = build_figure(net, tr, k, GraphOptions(sample=None))
    assert ring_nodes(fig) == {node_xy(net, 1, 1)}
    assert line_edges(fig, net, "event halo") == {edge_of(net, 0, 1, 0), edge_of(net, 0, 1, 1), edge_of(net, 0, 1)}
    assert not traces(fig, "δ path") and not traces(fig, "event edge")
    bare = build_figure(net, tr, k, GraphOptions(sample=None, show_labels=False))  # the value in a note instead
    assert [a.text for a in bare.layout.annotations if a.showarrow] == [  # neuron 2 of layer 1 (engine i = 1)
        f"a[1]₂ = {T.fmt_value(ev.value)}<br><span style='font-size:13px'>sample 2</span>"
    ]


def test_loss_event_highlights_the_output_layer():
    net, st = mazur()
    k = st.trace.layout.loss_index
    fig = build_figure(net, st.trace, k, GraphOptions())
    assert ring_nodes(fig) == {node_xy(net, 2, 0), node_xy(net, 2, 1)}
    assert any(a.text == f"E = {st.trace.loss:.4f}" for a in fig.layout.annotations)


def test_hidden_delta_marks_the_edges_that_carried_it_back():
    net, st = mazur()
    tr = st.trace
    k = first(tr, "delta", layer=1) + 1  # δ of hidden neuron 1
    assert (tr.event(k).layer, tr.event(k).i) == (1, 1)
    fig = build_figure(net, tr, k, GraphOptions())
    assert ring_nodes(fig) == {node_xy(net, 1, 1)}
    assert line_edges(fig, net, "δ path") == {edge_of(net, 1, 0, 1), edge_of(net, 1, 1, 1)}  # w[2]_01, w[2]_11


def test_output_delta_rings_without_a_path():
    net, st = mazur()
    k = first(st.trace, "delta", layer=2)
    fig = build_figure(net, st.trace, k, GraphOptions())
    assert ring_nodes(fig) == {node_xy(net, 2, 0)} and not traces(fig, "δ path")


@pytest.mark.parametrize("kind", ["grad_w", "grad_b", "update_w", "update_b"])
def test_parameter_events_highlight_their_edge(kind):
    net, st = mazur()
    tr = st.trace
    k = first(tr, kind) + (1 if kind.endswith("_w") else 0)  # w[2]_12 (Mazur's w6) or b[2]_1, 1-based
    ev = tr.event(k)
    assert ev.kind == kind and (ev.layer, ev.i) == (2, 0) and ev.j == (1 if kind.endswith("_w") else None)
    fig = build_figure(net, tr, k, GraphOptions())
    e = edge_of(net, ev.layer - 1, ev.i, ev.j)
    assert line_edges(fig, net, "event edge") == {e} == line_edges(fig, net, "event edge outline")
    texts = [a.text for a in fig.layout.annotations if a.showarrow]
    sym = "w[2]₁₂" if kind.endswith("_w") else "b[2]₁"  # neuron 1 (engine i = 0), input 2 (j = 1)
    if kind.startswith("update"):
        expected = f"{sym}  {ev.factors.old:.4f} → {ev.factors.new:.4f}"
    else:
        expected = f"∂E/∂{sym} = {ev.value:.4f}"
    assert expected.replace("-", "−") in texts


def test_mazur_update_annotation_numbers():
    net, st = mazur()
    tr = st.trace
    k = tr.layout.update_start + 1  # w[2]_12 (Mazur's w6): 0.45 → 0.408666…
    fig = build_figure(net, tr, k, GraphOptions())
    assert any(a.text == "w[2]₁₂  0.4500 → 0.4087" for a in fig.layout.annotations)


def test_edge_hover_can_be_left_out_and_the_colour_bar_stays():
    """While playing (live) the graph has no edge hover points (redrawn several times a second);
    the colour bar is on its own point-less trace either way (not a colour per hover point)."""
    net, st = mazur()
    for live in (False, True):
        fig = build_figure(net, st.trace, 3, GraphOptions(live=live))
        assert bool(traces(fig, "edge hover")) is not live
        assert one(fig, "colour bar").marker is bar(fig) and fig.data[0].name == "colour bar"
        assert all(t.marker.color == S.INK for t in traces(fig, "edge hover"))


def test_edge_values_are_one_text_trace_of_the_computed_values():
    """Small nets print each edge's value on it (one text trace, not an annotation per edge);
    a value not yet computed (∂E/∂w before the backward pass) is left off."""
    net, st = mazur()
    tr = st.trace
    fig = build_figure(net, tr, tr.layout.update_start + 1, GraphOptions())  # w[2]₁₂ updated: 0.4087
    chips = one(fig, "edge values")
    assert chips.mode == "text" and chips.hoverinfo == "skip" and "#ffffff" in chips.textfont.shadow
    assert len(chips.text) == 12 and "0.409" in chips.text and "0.15" in chips.text
    assert not traces(build_figure(net, tr, 0, GraphOptions(color_by="gradient")), "edge values")  # none computed yet
    wide = Network([2, 16, 1], seed=0)  # 32 weights between two columns: too many to print
    assert not traces(build_figure(wide, None, -1, GraphOptions()), "edge values")


def _chip_overlaps(lay, idx, xs, ys, texts, *, px, fs) -> int:
    """Pairs of value chips whose text boxes (the width estimate the placement uses) overlap."""
    w = np.array([0.58 * fs * len(t) + 4 for t in texts])
    px_x, px_y = px
    cx, cy, h = np.asarray(xs) * px_x, np.asarray(ys) * px_y, 1.2 * fs
    ox = np.minimum(cx[:, None] + w[:, None] / 2, cx[None] + w[None] / 2) - np.maximum(
        cx[:, None] - w[:, None] / 2, cx[None] - w[None] / 2
    )
    oy = h - np.abs(cy[:, None] - cy[None])
    hit = (ox > 0) & (oy > 0)
    return int(np.triu(hit, 1).sum())


@pytest.mark.parametrize("sizes", [[2, 4, 1], [2, 5, 1], [2, 3, 3, 1]])
def test_edge_values_spread_along_their_edges_to_avoid_each_other(sizes):
    """Where many edges leave one node their values used to print on top of each other at 40 %
    along every edge; each now sits on its own edge at one of CHIP_AT, overlapping fewer others."""
    net = Network(sizes, seed=3)
    opts = GraphOptions()
    fig = build_figure(net, None, -1, opts)
    chips = one(fig, "edge values")
    lay = graph_layout(tuple(sizes), True)
    L = len(sizes) - 1
    fs = round(opts.font_size * 0.85)
    top, bottom, right = int(2.6 * opts.font_size) + 10, int(1.7 * opts.font_size) + 6, int(3.5 * opts.font_size) + 46
    px_x = (opts.width - 12 - right) / (L + 2 * S.X_PAD)
    y0, y1 = fig.layout.yaxis.range
    px_y = (opts.height - top - bottom) / (y1 - y0)
    xs, ys, idx = arr(chips.x), arr(chips.y), np.arange(lay.x0.size)
    t = (xs - lay.x0[idx]) / (lay.x1[idx] - lay.x0[idx])  # every edge has a value here (weights at cursor −1)
    assert np.allclose(lay.y0[idx] + t * (lay.y1[idx] - lay.y0[idx]), ys, atol=1e-5)  # on its own edge
    assert np.isclose(t[:, None], np.array(C.CHIP_AT)[None], atol=1e-5).any(axis=1).all()
    fixed = D.segments(lay, idx, 0.4)
    before = _chip_overlaps(lay, idx, *fixed, list(chips.text), px=(px_x, px_y), fs=fs)
    after = _chip_overlaps(lay, idx, xs, ys, list(chips.text), px=(px_x, px_y), fs=fs)
    if sizes[1] >= 4:  # a fan of ≥ 8 edges from two inputs and a bias unit
        assert after < before, (before, after)


def test_chip_placement_never_overlaps_more_than_the_fixed_fraction():
    """Greedy placement is kept only when its overlap (values with values, and 4× values with
    nodes) is smaller than every value at CHIP_AT[0]."""
    lay = graph_layout((2, 6, 3, 1), True)
    idx = np.arange(lay.x0.size)
    rng = np.random.default_rng(0)
    for _ in range(5):
        widths = rng.uniform(20, 60, idx.size)
        obstacles = (lay.node_x, lay.node_y, rng.uniform(10, 40, lay.node_x.size))
        xs, ys = C.chip_positions(lay, idx, widths, 15.0, px_per_x=120.0, px_per_y=200.0, obstacles=obstacles)

        def cost(x, y):
            b = np.stack([x * 120 - widths / 2, x * 120 + widths / 2, y * 200 - 7.5, y * 200 + 7.5], axis=1)
            n = np.stack(
                [
                    obstacles[0] * 120 - obstacles[2] / 2,
                    obstacles[0] * 120 + obstacles[2] / 2,
                    obstacles[1] * 200 - obstacles[2] / 2,
                    obstacles[1] * 200 + obstacles[2] / 2,
                ],
                axis=1,
            )
            return np.triu(C.overlap(b, b), 1).sum() + 4 * C.overlap(b, n).sum()

        assert cost(xs, ys) <= cost(*D.segments(lay, idx, C.CHIP_AT[0])) + 1e-6


# ------------------------------------------------------------------ node values
def node_trace_values(fig):
    t = one(fig, "neurons")
    return t.text, t.hovertext, t.marker.color


def test_node_labels_are_the_engines_activations_then_deltas():
    net, st = stepper([2, 3, 2], m=3)
    tr = st.trace
    fwd = build_figure(net, tr, tr.layout.loss_index, GraphOptions(sample=2))
    text, hover, _ = node_trace_values(fwd)
    values = np.concatenate([tr.X[2]] + [tr.A[l][2] for l in (1, 2)])
    assert list(text) == [
        T.node_label(v, 4 if d >= 60 else 3) for v, d in zip(values, arr(one(fwd, "neurons").marker.size))
    ]
    assert len(set(text)) > 3
    assert f"a = {T.fmt_value(tr.A[1][2, 0])}" in hover[2] and f"z = {T.fmt_value(tr.Z[1][2, 0])}" in hover[2]
    assert hover[0].startswith("<b>input · neuron 1</b><br>x₁ = ")  # neurons shown 1-based
    assert hover[1].startswith("<b>input · neuron 2</b>") and hover[-1].startswith("<b>output · neuron 2</b>")
    assert hover[2].startswith("<b>hidden 1 · neuron 1</b> (sigmoid)")
    bwd = build_figure(net, tr, tr.layout.grad_start - 1, GraphOptions(sample=2))
    text, hover, _ = node_trace_values(bwd)
    values = np.concatenate([tr.X[2]] + [tr.deltas[l][2] for l in (1, 2)])
    assert [float(t.replace("−", "-")) for t in text] == pytest.approx(values.tolist(), abs=0.5e-3)
    assert f"δ = ∂E/∂z = {T.fmt_value(tr.deltas[2][2, 1])}" in hover[-1]


def test_values_not_reached_are_blank():
    net, st = stepper([2, 3, 2], m=2)
    tr = st.trace
    fig = build_figure(net, tr, 1, GraphOptions(sample=0))  # forward: hidden 0 and 1 computed
    text, hover, color = node_trace_values(fig)
    assert [t != "" for t in text] == [True, True, True, True, False, False, False]
    assert color[4] == "#ffffff" and "not computed yet" in hover[4]
    later = build_figure(net, tr, 1, GraphOptions(sample=1))  # sample 1 not started
    assert [t != "" for t in node_trace_values(later)[0]] == [True, True] + [False] * 5
    delta_mode = build_figure(net, tr, 1, GraphOptions(node_value="delta"))
    assert [t != "" for t in node_trace_values(delta_mode)[0]] == [True, True] + [False] * 5


def test_mazur_values_on_the_nodes():
    net, st = mazur()
    tr = st.trace
    text, _, _ = node_trace_values(build_figure(net, tr, tr.layout.loss_index, GraphOptions()))
    assert list(text)[2:] == ["0.5933", "0.5969", "0.7514", "0.7729"]  # out_h1, out_h2, out_o1, out_o2
    text, _, _ = node_trace_values(build_figure(net, tr, tr.layout.grad_start - 1, GraphOptions()))
    assert list(text)[2:4] == ["0.0088", "0.0100"]  # δ_h1, δ_h2 (0.008771, 0.009954)
    assert list(text)[4:] == ["0.1385", "−0.0381"]  # δ_o1, δ_o2


# ------------------------------------------------------------ bias, labels, size
def test_bias_nodes_iff_bias():
    net, st = stepper([2, 3, 1])
    fig = build_figure(net, st.trace, -1, GraphOptions())
    b = one(fig, "bias units")
    assert len(arr(b.x)) == 2 and b.marker.symbol == "square"
    assert len(drawn_edges(fig, net)) == 2 * 3 + 3 + 3 + 1
    nb, stb = stepper([2, 3, 1], bias=False)
    fig = build_figure(nb, stb.trace, -1, GraphOptions())
    assert not traces(fig, "bias units") and len(drawn_edges(fig, nb)) == 2 * 3 + 3


def test_labels_drop_out_for_big_nets(big):
    small_net, st = stepper([2, 4, 4, 1])
    small = one(build_figure(small_net, st.trace, 30, GraphOptions()), "neurons")
    assert small.mode == "markers+text" and any(small.text)
    deep_net, dst = stepper([2, 8, 8, 8, 1])  # 64 weights per pair > 60
    assert one(build_figure(deep_net, dst.trace, 5, GraphOptions()), "neurons").mode == "markers"
    forced = one(build_figure(deep_net, dst.trace, 5, GraphOptions(show_labels=True)), "neurons")
    assert forced.mode == "markers+text"
    net, tr = big
    n = one(build_figure(net, tr, 50, GraphOptions()), "neurons")
    assert n.mode == "markers" and not n.text
    size = arr(n.marker.size)
    assert size[:784].max() <= 6 and size[784:816].max() < 12  # the wide layers are dots


def test_784_32_10_stays_few_traces_in_every_mode(big):
    net, tr = big
    lay = tr.layout
    for k in (-1, 50, lay.loss_index, lay.delta_start + 12, lay.grad_start + 40, lay.update_start + 300):
        for color_by in G.COLOR_BY:
            fig = build_figure(net, tr, k, GraphOptions(color_by=color_by, selected=(1, 3)))
            assert len(fig.data) < 40 and bar(fig).cmax > 0
            assert not traces(fig, "edge hover")  # > 2,000 edges: no edge hover
            n_segments = sum(len(arr(t.x)) // 3 for t in traces(fig, prefix="edges "))
            assert n_segments >= 300 + D.DENSE_KEEP  # many edges per trace, never one each
            assert len(traces(fig, prefix="edges ")) <= 2 * D.N_BUCKETS


def test_one_trace_per_bucket_not_per_edge():
    net, st = stepper([2, 8, 8, 8, 8, 8, 8, 1])
    tr = st.trace
    for k, color_by in [
        (-1, "weight"),
        (tr.layout.grad_start + 100, "gradient"),
        (tr.layout.update_start + 50, "delta_w"),
    ]:
        fig = build_figure(net, tr, k, GraphOptions(color_by=color_by))
        buckets = traces(fig, prefix="edges ")
        assert len(buckets) <= 2 * D.N_BUCKETS and len(fig.data) < 40
        assert len(drawn_edges(fig, net)) == 344 + 49  # all weights and biases
        per_bucket = collections.Counter((t.line.color, t.name) for t in buckets)
        assert max(per_bucket.values()) <= 2  # a bucket is at most split in two halves (never per edge)


def test_live_graph_draws_one_trace_per_bucket_and_the_same_edges():
    """While playing, crowded buckets are not split in halves: half the traces for plotly to
    redraw each tick, the same edges in the same colours."""
    net, st = stepper([2, 8, 8, 8, 8, 8, 8, 1])
    still = build_figure(net, st.trace, -1, GraphOptions())
    live = build_figure(net, st.trace, -1, GraphOptions(live=True))
    per_bucket = collections.Counter((t.line.color, t.name) for t in traces(live, prefix="edges "))
    assert max(per_bucket.values()) == 1 and set(per_bucket) == {
        (t.line.color, t.name) for t in traces(still, prefix="edges ")
    }
    assert len(traces(live, prefix="edges ")) < len(traces(still, prefix="edges "))
    assert drawn_edges(live, net) == drawn_edges(still, net)


def test_neither_colour_is_always_drawn_on_top():
    """Where lines cross, the trace drawn later covers: with a fixed order one sign would
    look dominant. For every magnitude both colours have edges above the other's."""
    net, st = stepper([2, 64, 64, 1])
    for k in (-1, st.trace.layout.grad_start + 2000):
        fig = build_figure(net, st.trace, k, GraphOptions(color_by="weight"))
        order = [(t.name, t.line.color) for t in traces(fig, prefix="edges ")]
        for mag in range(1, D.K + 1):
            neg = [i for i, (name, _) in enumerate(order) if name.split()[1] == f"-{mag}"]
            pos = [i for i, (name, _) in enumerate(order) if name.split()[1] == f"+{mag}"]
            if neg and pos:
                assert max(neg) > min(pos) and max(pos) > min(neg), (mag, order)
        weights = np.concatenate([w.ravel() for w in net.weights])
        assert (weights > 0).mean() == pytest.approx(0.5, abs=0.05)  # the picture has both signs to show


def test_dense_pair_draws_its_strongest_weights(big):
    net, tr = big
    fig = build_figure(net, tr, -1, GraphOptions())
    drawn = drawn_edges(fig, net)
    first_pair = [e for e in drawn if e < 784 * 32]
    assert len(first_pair) == D.DENSE_KEEP
    w = np.abs(tr.weights_before[0].ravel())
    assert w[first_pair].min() >= np.sort(w)[-D.DENSE_KEEP]
    assert all(e in drawn for e in range(784 * 32, 784 * 32 + 320))  # the 32→10 pair in full


# --------------------------------------------------------- selection, hover, JSON
def test_selection_ring_on_the_selected_node_and_customdata():
    net, st = stepper([2, 3, 2])
    fig = build_figure(net, st.trace, -1, GraphOptions(selected=(1, 2)))
    assert ring_nodes(fig, S.SELECT) == {node_xy(net, 1, 2)}
    n = one(fig, "neurons")
    assert arr(n.customdata).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1]]
    for t in (n, one(fig, "bias units")):  # a click selection must not dim markers or labels
        assert t.unselected.marker.opacity == 1 and t.unselected.textfont.color == S.INK
    for bad in [(5, 0), (1, 9), ("x", 1), (1,), None]:
        assert not ring_nodes(build_figure(net, st.trace, -1, GraphOptions(selected=bad)), S.SELECT)


def hover_texts(fig, net) -> dict:
    """edge number → its hover text, rendered from customdata the way plotly.js does."""
    out = {}
    for tr in traces(fig, "edge hover"):
        for row in arr(tr.customdata):

            def fill(m, row=row):
                v = row[int(m.group(1))]
                return format(v, m.group(2)) if m.group(2) else str(int(v))

            text = re.sub(r"%\{customdata\[(\d)\](?::([^}]*))?\}", fill, tr.hovertemplate)
            l1, i, j = int(row[0]), int(row[1]), int(row[3]) - 1  # [l+1, i, i+1, j+1 (0: bias), l, …]
            assert row[2] == i + 1 and row[4] == l1 - 1
            out[edge_of(net, l1 - 1, i, None if j < 0 else j)] = text.replace("<extra></extra>", "")
    return out


def test_edge_hover_text_small_nets_only():
    net, st = mazur()
    tr = st.trace
    k = tr.layout.update_start + 1
    fig = build_figure(net, tr, k, GraphOptions())
    hover = hover_texts(fig, net)
    assert len(hover) == 12 and len(traces(fig, "edge hover")) <= 4
    w6, w1 = hover[edge_of(net, 1, 0, 1)], hover[edge_of(net, 0, 0, 0)]  # neurons shown 1-based
    assert w6.startswith("<b>w[2]<sub>12</sub> = 0.4087</b> (from neuron 2 of layer 1 to neuron 1 of layer 2)")
    assert "∂E/∂w = 0.08267" in w6 and "Δw = −η·∂E/∂w = -0.04133" in w6 and "updated: 0.4500 → 0.4087" in w6
    assert w1.startswith("<b>w[1]<sub>11</sub> = 0.1500</b> (from neuron 1 of layer 0 to neuron 1 of layer 1)")
    assert "∂E" in w1 and "updated" not in w1  # computed, not yet applied
    assert hover[edge_of(net, 1, 1)].startswith("<b>b[2]<sub>2</sub> = 0.6000</b> (bias of neuron 2 of layer 2)")
    early = hover_texts(build_figure(net, tr, 0, GraphOptions()), net)
    assert len(early) == 12 and not any("∂E" in h for h in early.values())  # nothing computed yet


@pytest.mark.parametrize("sizes", [[2, 3, 2], [2, 11, 2]])
def test_delta_w_text_names_the_weight_like_the_formula(sizes):
    """Every Δw event: the graph's note and the edge's hover name the weight with the same
    1-based subscripts as the step panel's formula (neutral notation, w^{(l)}_{ij})."""
    net, st = stepper(sizes, m=1)
    tr = st.trace
    events = [tr.event(k) for k in range(tr.layout.update_start, tr.layout.n_events)]
    for ev in (e for e in events if e.kind == "update_w"):
        sym = event_formula(ev, tr, "neutral").symbolic
        layer, sub = re.search(r"w\^\{\((\d+)\)\}_\{([\d,]+)\}", sym).groups()
        indices = sub.split(",") if "," in sub else list(sub)
        assert (int(layer), indices) == (ev.layer, [str(ev.i + 1), str(ev.j + 1)])  # the formula is 1-based
        fig = build_figure(net, tr, ev.index, GraphOptions())
        notes = [a.text for a in fig.layout.annotations if a.showarrow]
        assert len(notes) == 1 and notes[0].startswith(f"w[{layer}]{sub.translate(SUBSCRIPT)}  ")
        hover = hover_texts(fig, net)[edge_of(net, ev.layer - 1, ev.i, ev.j)]
        h_layer, h_sub = re.match(r"<b>w\[(\d+)\]<sub>([\d,]+)</sub>", hover).groups()
        assert h_layer == layer and (h_sub.split(",") if "," in h_sub else list(h_sub)) == indices
        if max(sizes) <= 9:  # one-digit indices: written exactly alike (a wider net's hover always has commas)
            assert h_sub == sub


def test_trace_count_small_for_every_event_and_mode():
    net, st = stepper([2, 4, 4, 1], m=2)
    tr = st.trace
    for k in range(-1, tr.layout.n_events, 3):
        for color_by in G.COLOR_BY:
            assert len(build_figure(net, tr, k, GraphOptions(color_by=color_by, selected=(1, 1))).data) < 40


def test_figure_serialises_and_is_valid_plotly(big):
    net, st = mazur()
    for k in (-1, 3, st.trace.layout.loss_index, st.trace.layout.delta_start + 3, st.trace.layout.update_start + 2):
        for color_by in G.COLOR_BY:
            fig = build_figure(net, st.trace, k, GraphOptions(color_by=color_by, selected=(0, 1)))
            json.loads(fig.to_json())
            go.Figure(fig.to_dict())  # full plotly validation of what the fast path built
    json.loads(build_figure(*big, 100, GraphOptions()).to_json())
    fig = build_figure(net, None, -1, GraphOptions())  # just a network, no trace: weights, blank nodes
    go.Figure(fig.to_dict())
    assert set(one(fig, "neurons").marker.color) == {"#ffffff"} and len(drawn_edges(fig, net)) == 12


def test_layout_is_quiet_and_sized():
    net, st = mazur()
    fig = build_figure(net, st.trace, -1, GraphOptions(height=600, font_size=22))
    lay = fig.layout
    assert lay.height == 600 and lay.font.size == 22 and lay.dragmode == "pan" and lay.clickmode == "event+select"
    assert lay.xaxis.fixedrange and lay.yaxis.fixedrange  # (so "pan" moves nothing: what Streamlit sets anyway)
    assert lay.uirevision and lay.xaxis.visible is False and lay.yaxis.visible is False
    titles = [a.text for a in lay.annotations if a.yref == "paper" and a.yanchor == "bottom"]
    assert [t.split("</b>")[0][3:] for t in titles] == ["input", "hidden 1", "output"]
    assert "sigmoid" in titles[1]


def test_datarevision_follows_the_data():
    """Same picture, same fingerprint (Streamlit's second pass over a new chart draws nothing);
    any change of the data, a new one."""
    net, st = mazur()
    rev = lambda k, **o: build_figure(net, st.trace, k, GraphOptions(**o)).layout.datarevision
    assert rev(3) == rev(3) and len(rev(3)) == 16
    assert len({rev(3), rev(4), rev(3, color_by="gradient"), rev(3, selected=(1, 0))}) == 4


def test_options_are_validated():
    with pytest.raises(ValueError):
        GraphOptions(color_by="colour")
    with pytest.raises(ValueError):
        GraphOptions(node_value="z")
    with pytest.raises(ValueError):
        GraphOptions(scale=0)
