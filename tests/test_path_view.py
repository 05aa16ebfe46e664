"""∂E/∂w as a sum over paths, written out (components.views.path_view): the textbook 2-2-2 example's
published numbers, every notation's symbols, batches, and the "largest paths" form of a big network."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from components.model.chain_paths import bias, neuron, path_sum_of_trace, weight
from components.model.display import NOTATION_KEYS
from components.model.links import restore_from_query
from components.views.notation import Shape, activation_symbol, format_number, get_notation
from components.views.path_view import path_lines, path_route, path_rows, path_summary
from engine import Network

FLIPPED = ("seed002", "seed003")  # δ = −∂E/∂z


@pytest.fixture(scope="module")
def mazur():
    """Mazur's 2-2-2 worked example (one sample, biases frozen): the lab's own trace."""
    lab, ignored = restore_from_query({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    assert not ignored
    return lab.trace


def _balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and tex.count(r"\left(") == tex.count(r"\right)")


def _batch_trace(sizes=(2, 3, 2), m=3, acts="sigmoid", loss="half_sse", seed=0):
    rng = np.random.default_rng(seed)
    net = Network(list(sizes), activations=acts, loss=loss, seed=seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)] if loss == "cross_entropy" else rng.random((m, sizes[-1]))
    return net.trace(X, Y, lr=0.1)


# -------------------------------------------------------------------- the textbook numbers
def test_mazur_first_layer_weight_published_numbers(mazur):
    ps = path_sum_of_trace(mazur, weight(1, 0, 0))  # Mazur's w1
    lines = path_lines(ps, mazur, "neutral", 9)
    text = "\n".join(lines)
    # ∂E/∂w1 = 0.000438568; its factors: ∂out_h1/∂net_h1 = 0.241300709, ∂E/∂out_o1 = 0.74136507,
    # ∂out_o1/∂net_o1 = 0.186815602, w5 = 0.4, w7 = 0.5, i1 = 0.05
    for number in ("0.000438568", "0.241300709", "0.74136507", "0.186815602", "0.05", "0.4", "0.5"):
        assert number in text, number
    assert lines[0].startswith(r"\frac{\partial E}{\partial w^{(1)}_{11}} = a^{(0)}_{1}\cdot \sigma'(z^{(1)}_{1})")
    assert len(lines) == 4  # symbolic, two paths, the sum
    assert lines[-1].endswith("= 0.000438568")
    assert r"\sigma'(z^{(2)}_{2})\cdot \frac{\partial E}{\partial a^{(2)}_{2}}" in lines[0]


def test_mazur_output_weight_is_one_path(mazur):
    ps = path_sum_of_trace(mazur, weight(2, 0, 0))  # Mazur's w5: ∂E/∂w5 = 0.082167041
    lines = path_lines(ps, mazur, "neutral", 9)
    assert lines[1] == (
        r"a^{(1)}_{1}\cdot \sigma'(z^{(2)}_{1})\cdot \frac{\partial E}{\partial a^{(2)}_{1}} = "
        r"0.593269992\cdot 0.186815602\cdot 0.74136507 = 0.082167041"
    )
    assert lines[-1] == r"\frac{\partial E}{\partial w^{(2)}_{11}} = 0.082167041"
    assert path_summary(ps) == "1 path from w⁽²⁾₁₁ to the loss; its product is ∂E/∂w⁽²⁾₁₁ = 0.082167"


def test_mazur_summary(mazur):
    ps = path_sum_of_trace(mazur, weight(1, 0, 0))
    assert path_summary(ps) == "2 paths from w⁽¹⁾₁₁ to the loss; their products add up to ∂E/∂w⁽¹⁾₁₁ = 0.000438568"
    assert path_summary(ps, "seed003", mazur).startswith("2 paths from w₁₁ to the loss")
    assert path_summary(ps, "seed003", mazur).endswith("∂J/∂w₁₁ = 0.000438568")
    ps = path_sum_of_trace(mazur, neuron(1, 1))
    assert path_summary(ps).endswith("δ⁽¹⁾₂ = ∂E/∂z⁽¹⁾₂ = 0.00995425")
    assert path_summary(ps, "seed002", mazur).endswith("∂RSS/∂z₂⁽¹⁾ = −δ₂⁽¹⁾ = 0.00995425")


def test_mazur_rows(mazur):
    ps = path_sum_of_trace(mazur, weight(1, 0, 0))
    rows = path_rows(ps, "neutral", 4)
    assert [r["path"] for r in rows] == ["x₁ → h₁ → o₁", "x₁ → h₁ → o₂"]
    assert rows[0]["factors"] == "a⁽⁰⁾₁ · g'(z⁽¹⁾₁) · w⁽²⁾₁₁ · g'(z⁽²⁾₁) · ∂E/∂a⁽²⁾₁"
    assert rows[1]["values"] == "0.05 · 0.2413 · 0.5 · 0.1755 · (-0.2171)"
    assert math.fsum(r["product"] for r in rows) == pytest.approx(0.000438568, abs=1e-9)
    assert math.fsum(r["share"] for r in rows) == pytest.approx(1.0)
    assert rows[0]["share"] > 1 > 0 > rows[1]["share"]  # the two paths partly cancel
    named = path_rows(ps, "seed000", 4, mazur)
    assert named[0]["factors"] == "Lₕ₁ · σ'(netᵢ₁) · wᵢ₁ⱼ₁ · σ'(netⱼ₁) · ∂E/∂Lⱼ₁"
    with pytest.raises(ValueError, match="needs the trace"):
        path_rows(ps, "seed000", 4)


# ------------------------------------------------------------------------- every notation
TARGETS = [weight(1, 0, 1), weight(2, 1, 0), bias(1, 1), bias(2, 0), neuron(1, 0), neuron(2, 1)]


@pytest.mark.parametrize("key", NOTATION_KEYS)
@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_every_notation_renders_and_names_its_symbols(mazur, key, target):
    nt, s = get_notation(key), Shape(tuple(mazur.layer_sizes), mazur.m)
    ps = path_sum_of_trace(mazur, target)
    lines = path_lines(ps, mazur, key, 4)
    assert all(_balanced(line) for line in lines), lines
    l, i = target.layer, target.i
    if target.kind == "weight":
        lhs = nt.d(nt.weight(s, l, i, target.j))
        assert nt.inp(s, l, i, target.j) in lines[0]  # the input the weight multiplies
    elif target.kind == "bias":
        lhs = nt.d(nt.bias(s, l, i))
    else:
        lhs = nt.d(nt.pre(s, l, i)) if key in FLIPPED else nt.delta(s, l, i)
    assert lines[0].startswith(lhs)
    assert rf"\sigma'({nt.pre(s, l, i)})" in lines[0]  # the target neuron's g'
    for k in range(2) if l == 1 else [i]:  # every output's ∂E/∂a ends a path (the neuron's own in layer 2)
        assert nt.d(nt.act(s, 2, k)) in lines[0]
    if l == 1:  # the weights the paths run through
        assert nt.weight(s, 2, 0, i) in lines[0] and nt.weight(s, 2, 1, i) in lines[0]
    total = format_number(ps.total, 4)
    assert lines[-1].endswith(f"= {total}" if not (target.kind == "neuron" and key in FLIPPED) else "")
    if target.kind == "neuron" and key in FLIPPED:
        assert lines[-1] == f"{nt.delta(s, l, i)} = {format_number(-ps.total, 4)}"
    if target.kind == "bias" and nt.bias_input:  # seed002's bias W_k0 multiplies x_0 = 1
        assert lines[0].count(nt.bias_input) == ps.n_paths and r"= 1\cdot " in lines[1]


@pytest.mark.parametrize("key", NOTATION_KEYS)
def test_output_delta_paths_keep_the_sign(key):
    """Cross-entropy with softmax outputs: paths end with the output δ = ∂E/∂z, written (−δ) where δ = −∂E/∂z."""
    tr = _batch_trace((3, 4, 3), m=1, acts=["relu", "softmax"], loss="cross_entropy", seed=2)
    nt, s = get_notation(key), Shape(tuple(tr.layer_sizes), 1)
    ps = path_sum_of_trace(tr, neuron(1, 0))
    assert ps.terminal == "delta"
    lines = path_lines(ps, tr, key, 6)
    assert all(_balanced(x) for x in lines)
    D = nt.delta(s, 2, 0)
    assert (rf"\left(-{D}\right)" in lines[0]) == (key in FLIPPED)
    assert r"\operatorname{ReLU}'(" in lines[0]
    # the numbers substituted for the last factor are the engine's ∂E/∂z in every notation
    assert (r"\text{This notation's } \delta" in lines[1]) == (key in FLIPPED)
    first = lines[2 if key in FLIPPED else 1]  # path 1: …· δ^{(2)}_1 = …· ∂E/∂z^{(2)}_1's number = its product
    want = format_number(float(tr.output.delta[0, 0]), 6, paren=True)
    assert first.endswith(f"\\cdot {want} = {format_number(ps.paths[0].product, 6)}")


def test_a_shape_writes_g_prime(mazur):
    ps = path_sum_of_trace(mazur, weight(1, 0, 0))
    lines = path_lines(ps, Shape(tuple(mazur.layer_sizes), 1), "neutral", 4)
    assert r"g'(z^{(1)}_{1})" in lines[0] and r"\sigma" not in lines[0]
    net_lines = path_lines(ps, Network([2, 2, 2], activations=["tanh", "sigmoid"]), "neutral", 4)
    assert rf"{activation_symbol('tanh')}'(z^{{(1)}}_{{1}})" in net_lines[0]


# ----------------------------------------------------------------------------------- batches
def test_batch_sums_over_samples():
    tr = _batch_trace((2, 3, 2), m=3)
    ps = path_sum_of_trace(tr, weight(1, 2, 0))
    lines = path_lines(ps, tr, "neutral", 6)
    assert all(_balanced(x) for x in lines)
    assert lines[0].startswith(r"\frac{\partial E}{\partial w^{(1)}_{31}} = \sum_{c=1}^{3} \Big(a^{(0)}_{1c}")
    assert r"\text{With 3 samples" in lines[1]
    path_lines_ = lines[2:-1]
    assert len(path_lines_) == ps.n_paths == 2
    for line, p in zip(path_lines_, ps.paths):
        assert line.startswith(r"\sum_{c=1}^{3} a^{(0)}_{1c}")
        assert format_number(p.factors[2].value, 6, paren=True) in line  # the weight, substituted
        assert line.endswith(f"= {format_number(p.product, 6)}")  # the product summed over the samples
    assert lines[-1].endswith(f"= {format_number(float(tr.grad_weights[0][2, 0]), 6)}")
    rows = path_rows(ps, "seed001", 4, tr)
    assert all(r["values"].startswith("Σ_c ") for r in rows)
    assert math.fsum(r["product"] for r in rows) == pytest.approx(ps.engine_total, rel=1e-12, abs=1e-15)
    assert "summed over the 3 samples" in path_summary(ps)


def test_batch_neuron_target_sums_its_deltas():
    tr = _batch_trace((2, 3, 2), m=4)
    ps = path_sum_of_trace(tr, neuron(1, 0))
    for key in NOTATION_KEYS:
        lines = path_lines(ps, tr, key, 4)
        assert r"\sum_{c=1}^{4}" in lines[0].split(" = ")[0]
        assert all(_balanced(x) for x in lines)


# -------------------------------------------------------------------------- large networks
@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(0)
    net = Network([2, 16, 16, 16, 1], activations="tanh", seed=0)
    return net.trace(rng.normal(size=(1, 2)), rng.normal(size=(1, 1)), lr=0.1)


def test_large_network_lists_the_largest_paths(big):
    ps = path_sum_of_trace(big, weight(1, 3, 1))
    assert ps.n_paths == 256
    lines = path_lines(ps, big, "neutral", 4)
    assert all(_balanced(x) for x in lines)
    assert r"\cdots_{(253\text{ more})}" in lines[0]
    assert lines[1] == r"\text{256 paths; the 5 largest:}"
    shown = lines[2:7]
    top = ps.largest(5)
    for line, p in zip(shown, top.paths):
        assert line.endswith(f"= {format_number(p.product, 4)}")
    assert lines[7] == rf"+\;(\text{{rest of 251 paths}}) = {format_number(top.rest, 4)}"
    assert lines[8].endswith(f"= {format_number(ps.total, 4)}") and len(lines) == 9
    assert path_lines(ps, big, "neutral", 4, max_full=300)[1].startswith(r"a^{(0)}_{2}")  # every path
    assert len(path_lines(ps, big, "neutral", 4, max_full=300)) == 256 + 2


def test_large_network_rows_keep_the_largest_and_the_rest(big):
    ps = path_sum_of_trace(big, weight(1, 3, 1))
    rows = path_rows(ps, "seed003", 4, big, max_rows=10)
    assert len(rows) == 10 and rows[-1]["path"] == "the other 247 paths"
    assert rows[0]["path"].startswith("x₂ → h⁽¹⁾₄ → h⁽²⁾") and rows[0]["path"].endswith("→ o₁")
    assert abs(rows[0]["product"]) >= abs(rows[1]["product"])
    assert math.fsum(r["product"] for r in rows) == pytest.approx(ps.total, rel=1e-9)


def test_not_enumerated_paths_are_counted_and_written_symbolically(big):
    every = path_sum_of_trace(big, weight(1, 3, 1))
    counted = path_sum_of_trace(big, weight(1, 3, 1), max_paths=100)
    assert not counted.enumerated
    lines = path_lines(counted, big, "neutral", 4)
    assert lines[0] == path_lines(every, big, "neutral", 4)[0]  # the same first and last paths, without enumerating
    assert lines[1].startswith(r"\text{256 paths: too many")
    assert lines[-1].endswith(f"= {format_number(counted.total, 4)}")
    assert path_rows(counted)[0]["path"] == "all 256 paths"
    assert "too many to list" in path_summary(counted)


def test_up_to_max_full_paths_are_all_listed_and_their_sum_elided():
    tr = _batch_trace((2, 3, 4, 3), m=1, acts="tanh", seed=5)
    ps = path_sum_of_trace(tr, weight(1, 0, 0))
    assert ps.n_paths == 12
    lines = path_lines(ps, tr, "seed000", 4)
    assert len(lines) == 1 + 12 + 1 and all(_balanced(x) for x in lines)
    assert r"\cdots_{(5\text{ more})}" in lines[-1] and lines[-1].endswith(f"= {format_number(ps.total, 4)}")
    few = path_lines(ps, tr, "neutral", 4, max_full=4, top=20)  # every path is among the "largest"
    assert few[1] == r"\text{12 paths; the 12 largest:}" and not any("rest of" in x for x in few)


def test_route_names():
    assert path_route(((0, 0), (1, 1), (2, 0)), 2) == "x₁ → h₂ → o₁"
    assert path_route(((1, 0), (2, 9), (3, 0)), 3) == "h⁽¹⁾₁ → h⁽²⁾₁₀ → o₁"
