"""∂E/∂w as a sum over paths (components.model.chain_paths) against the engine's backward pass.

The path sum multiplies the engine's own factors (a, g'(z), w, ∂E/∂a or δ^L) along every path and adds
the products; the engine adds first and multiplies after (δ^l = (δ^{l+1} W) ⊙ g'). The two agree up to
the rounding of the additions: |path sum − engine| ≤ 1e-12 · Σ|terms| (``abs_sum``), which is a
relative 1e-12 whenever the terms do not cancel.
"""

from __future__ import annotations

import itertools
import math
import time

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.model import chain_paths as cp
from components.model.lab import build_lab
from components.model.presets import PRESETS
from engine import ACTIVATIONS, LOSSES, Network
from engine_helpers import build_case

ELEMENTWISE = tuple(a for a, act in ACTIVATIONS.items() if act.elementwise)
RTOL = 1e-12


def _close(path: float, engine: float, abs_sum: float) -> bool:
    """Agreement up to rounding: 1e-12 relative, measured against the terms' size before cancellation."""
    return abs(path - engine) <= RTOL * max(abs(engine), abs(path), abs_sum) + 1e-300


def _targets(net: Network):
    L, sizes = net.n_layers, net.layer_sizes
    for l in range(1, L + 1):
        for i in range(sizes[l]):
            yield cp.neuron(l, i)
            if net.bias:
                yield cp.bias(l, i)
            for j in range(sizes[l - 1]):
                yield cp.weight(l, i, j)


@st.composite
def networks(draw):
    """(net, X, Y): 1–3 hidden layers, widths 1–4, any registry activation (softmax output only), any valid loss,
    bias on/off, m = 1–5, weights N(0, 1)."""
    hidden = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(hidden + 2)]
    out = draw(st.sampled_from(tuple(ACTIVATIONS)))
    if out == "softmax":
        sizes[-1] = max(2, sizes[-1])
    losses = LOSSES if out in ("sigmoid", "softmax") else tuple(x for x in LOSSES if x != "cross_entropy")
    loss = draw(st.sampled_from(losses))
    acts = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(hidden)] + [out]
    bias = draw(st.booleans())
    m = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    return build_case(sizes, acts, loss, bias, m, seed=seed)


# ------------------------------------------------------------------ equals the engine
@settings(max_examples=150, deadline=None)
@given(networks())
def test_path_sums_equal_the_engines_gradients_and_deltas(case):
    net, X, Y = case
    tr = net.trace(X, Y, lr=0.0)
    gw, gb = net.gradients(X, Y)
    for t in _targets(net):
        ps = cp.path_sum_of_trace(tr, t)
        assert ps.enumerated and ps.n_paths == len(ps.paths) == math.prod(net.layer_sizes[t.layer + 1 :])
        if t.kind == "weight":
            engine = gw[t.layer - 1][t.i, t.j]
            per_sample = tr.deltas[t.layer][:, t.i] * tr.A[t.layer - 1][:, t.j]
        else:
            engine = gb[t.layer - 1][t.i] if t.kind == "bias" else tr.deltas[t.layer][:, t.i].sum()
            per_sample = tr.deltas[t.layer][:, t.i]
        assert ps.engine_total == engine
        assert _close(ps.total, engine, ps.abs_sum), (t, ps.total, engine, ps.abs_sum)
        for c in range(tr.m):  # δ^l_ic (neurons) and δ_ic a_jc (weights), sample by sample
            assert _close(ps.per_sample[c], per_sample[c], ps.abs_sum), (t, c)
        if abs(ps.abs_sum) <= 4 * abs(engine):  # no cancellation to speak of: plainly 1e-12 relative
            assert abs(ps.total - engine) <= RTOL * abs(engine) + 1e-15


def test_sums_mirror_the_losses_normalisation():
    """half_mse and cross_entropy carry 1/m inside ∂E/∂a^L (or δ^L): the path sum is a plain Σ over samples."""
    for loss, out in (("half_sse", "sigmoid"), ("half_mse", "tanh"), ("cross_entropy", "softmax")):
        net, X, Y = build_case([3, 2, 2], ["tanh", out], loss, True, 4, seed=7)
        ps = cp.path_sum(net, X, Y, cp.weight(1, 1, 2))
        assert ps.loss_name == loss and ps.m == 4
        assert _close(ps.total, net.gradients(X, Y)[0][0][1, 2], ps.abs_sum)
        assert ps.total == pytest.approx(ps.per_sample.sum(), rel=1e-13)


# ----------------------------------------------------------------- the textbook example
def test_the_textbook_2_2_2_example_gives_its_published_values():
    lab = build_lab(PRESETS["mazur"].config)
    X, Y = lab.dataset.X_train, lab.dataset.Y_train
    w5 = cp.path_sum(lab.net, X, Y, cp.weight(2, 0, 0))  # ∂E/∂w^{(2)}_{11} (w5)
    w1 = cp.path_sum(lab.net, X, Y, cp.weight(1, 0, 0))  # ∂E/∂w^{(1)}_{11} (w1)
    assert w5.total == pytest.approx(0.082167041, abs=1e-9)
    assert w1.total == pytest.approx(0.000438568, abs=1e-9)
    assert w5.n_paths == 1 and w1.n_paths == 2 and w5.terminal == "dE_da"
    names = [(f.name, round(f.value, 4)) for f in w5.paths[0].factors]
    assert names == [("a^{(1)}_1", 0.5933), ("g'(z^{(2)}_1)", 0.1868), ("∂E/∂a^{(2)}_1", 0.7414)]
    first = w1.paths[0]
    assert first.nodes == ((0, 0), (1, 0), (2, 0))
    assert [(f.name, round(f.value, 4)) for f in first.factors] == [
        ("a^{(0)}_1", 0.05),
        ("g'(z^{(1)}_1)", 0.2413),
        ("w^{(2)}_{11}", 0.4),
        ("g'(z^{(2)}_1)", 0.1868),
        ("∂E/∂a^{(2)}_1", 0.7414),
    ]
    assert [(f.kind, f.layer, f.i, f.j) for f in first.factors] == [
        ("a", 0, 0, None),
        ("g'", 1, 0, None),
        ("w", 2, 0, 0),
        ("g'", 2, 0, None),
        ("dE_da", 2, 0, None),
    ]
    assert w1.paths[1].nodes == ((0, 0), (1, 0), (2, 1))
    assert w1.paths[0].product + w1.paths[1].product == pytest.approx(w1.total, rel=1e-15)
    assert w5.description == "∂E/∂w^{(2)}_{11}" and cp.neuron(1, 0).description == "δ^{(1)}_1 = ∂E/∂z^{(1)}_1"


# ------------------------------------------------------------------------ paths
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=5), st.data())
def test_paths_are_every_route_to_the_outputs_and_count_as_the_product_of_widths(sizes, data):
    net = Network(sizes, "tanh", "half_sse", bias=True, seed=0)
    L = net.n_layers
    l = data.draw(st.integers(1, L))
    i = data.draw(st.integers(0, sizes[l] - 1))
    j = data.draw(st.integers(0, sizes[l - 1] - 1))
    X = np.ones((2, sizes[0]))
    Y = np.zeros((2, sizes[-1]))
    ps = cp.path_sum(net, X, Y, cp.weight(l, i, j))
    assert ps.n_paths == math.prod(sizes[l + 1 :]) == cp.count_paths(sizes, cp.weight(l, i, j))
    routes = {tuple(p.nodes) for p in ps.paths}
    expected = {
        ((l - 1, j), (l, i), *((l + 1 + s, k) for s, k in enumerate(ks)))
        for ks in itertools.product(*(range(n) for n in sizes[l + 1 :]))
    }
    assert routes == expected and len(routes) == ps.n_paths
    on_paths = {(a, b) for p in ps.paths for a, b in zip(p.nodes, p.nodes[1:])}
    assert cp.path_edges(net, cp.weight(l, i, j)) == on_paths
    assert cp.path_edges(net, cp.neuron(l, i)) == on_paths - {((l - 1, j), (l, i))}
    for p in ps.paths:  # a path's product is its factors multiplied, summed over the samples
        prod = np.ones(2)
        for f in p.factors:
            prod = prod * f.values
        assert np.array_equal(prod, p.per_sample) and p.product == ps.products[p.index]


def test_largest_sums_back_to_the_total():
    net, X, Y = build_case([2, 4, 4, 3, 2], ["tanh", "sigmoid", "relu", "linear"], "half_mse", True, 3, seed=3)
    ps = cp.path_sum(net, X, Y, cp.weight(1, 2, 1))
    assert ps.n_paths == 24
    for k in (0, 1, 5, 24, 30):
        top = ps.largest(k)
        assert len(top.paths) == min(k, 24) and top.n_rest == 24 - len(top.paths)
        sizes = [abs(p.product) for p in top.paths]
        assert sizes == sorted(sizes, reverse=True)
        chosen = {p.index for p in top.paths}
        assert all(abs(p.product) <= min(sizes) for p in ps.paths if p.index not in chosen) if sizes else True
        assert _close(top.total, ps.total, ps.abs_sum)
    assert ps.largest(30).rest == 0.0


def test_more_paths_than_the_cap_are_counted_and_the_total_comes_from_the_engine():
    net, X, Y = build_case([2, 64, 64, 64, 64, 1], ["relu"] * 4 + ["sigmoid"], "half_sse", True, 2, seed=1)
    ps = cp.path_sum(net, X, Y, cp.weight(1, 3, 0))
    assert not ps.enumerated and ps.n_paths == 64**3 and len(ps.paths) == 0
    assert ps.total == ps.engine_total == net.gradients(X, Y)[0][0][3, 0]
    assert ps.largest(5).paths == () and ps.largest(5).rest == ps.total and ps.largest(5).n_rest == 64**3
    small = cp.path_sum(net, X, Y, cp.weight(4, 0, 0), max_paths=0)
    assert not small.enumerated and small.n_paths == 1


def test_a_hundred_thousand_paths_are_enumerated_quickly():
    net, X, Y = build_case([2, *[10] * 6, 1], ["tanh"] * 6 + ["sigmoid"], "half_mse", True, 4, seed=2)
    start = time.perf_counter()
    ps = cp.path_sum(net, X, Y, cp.weight(1, 0, 0))
    elapsed = time.perf_counter() - start
    assert ps.enumerated and ps.n_paths == cp.MAX_PATHS == 10**5
    assert _close(ps.total, ps.engine_total, ps.abs_sum)
    assert elapsed < 10, elapsed
    assert len(ps.largest(10).paths) == 10


def test_output_layer_targets_have_one_path_and_the_terminal_follows_the_output_delta():
    for loss, out, terminal in (
        ("half_sse", "linear", "dE_da"),
        ("half_mse", "softmax", "delta"),  # the softmax Jacobian: the path ends at δ^L_k
        ("cross_entropy", "sigmoid", "delta"),  # g' cancels: δ^L = s (a − y)
        ("cross_entropy", "softmax", "delta"),
    ):
        net, X, Y = build_case([2, 3, 2], ["sigmoid", out], loss, True, 3, seed=5)
        tr = net.trace(X, Y, 0.0)
        ps = cp.path_sum_of_trace(tr, cp.neuron(2, 1))
        assert ps.terminal == terminal and ps.n_paths == 1 and ps.paths[0].nodes == ((2, 1),)
        kinds = [f.kind for f in ps.paths[0].factors]
        assert kinds == (["g'", "dE_da"] if terminal == "dE_da" else ["delta"])
        if terminal == "delta":
            assert np.array_equal(ps.paths[0].factors[0].values, tr.deltas[2][:, 1])
        assert cp.path_edges(net, cp.neuron(2, 1)) == set()
        hidden = cp.path_sum_of_trace(tr, cp.bias(1, 0))
        assert [f.kind for f in hidden.paths[0].factors] == ["g'", "w"] + kinds


def test_network_graph_carries_the_weights():
    net = Network([3, 4, 2], "tanh", "half_sse", seed=4)
    G = cp.network_graph(net)
    assert G.number_of_nodes() == 9 and G.number_of_edges() == 3 * 4 + 4 * 2
    assert nx.is_directed_acyclic_graph(G)
    assert G.edges[(0, 2), (1, 3)]["weight"] == net.weights[0][3, 2]
    assert G.nodes[(2, 1)]["layer"] == 2


def test_paths_sequence_indexing():
    net, X, Y = build_case([2, 3, 3, 2], ["tanh", "tanh", "sigmoid"], "half_sse", False, 2, seed=9)
    ps = cp.path_sum(net, X, Y, cp.neuron(1, 0))
    assert len(ps.paths) == 6 and ps.paths[-1].index == 5 and [p.index for p in ps.paths[1:3]] == [1, 2]
    with pytest.raises(IndexError):
        ps.paths[6]
    with pytest.raises(TypeError):
        ps.paths["0"]


@pytest.mark.parametrize(
    "target",
    [cp.weight(0, 0, 0), cp.weight(3, 0, 0), cp.weight(1, 5, 0), cp.weight(1, 0, 2), cp.neuron(2, 2),
     cp.Target("weight", 1, 0), cp.Target("edge", 1, 0), cp.Target("neuron", 1, 0, 1), cp.bias(1, 0)],
)  # fmt: skip
def test_impossible_targets_are_refused(target):
    net = Network([2, 3, 2], "sigmoid", "half_sse", bias=False, seed=0)  # no biases: bias targets are refused too
    with pytest.raises(ValueError):
        cp.path_sum(net, [[0.1, 0.2]], [[0.0, 1.0]], target)
