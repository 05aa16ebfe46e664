"""Layout: the vectorised index functions invert ``locate`` and refuse positions without an event."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine_helpers import build_case, cases

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@st.composite
def traces(draw, max_layers=4):
    net, X, Y = draw(cases(max_layers=max_layers))
    return net.trace(X, Y, 0.1, update_biases=draw(st.booleans()))


@SETTINGS
@given(traces())
def test_index_functions_invert_locate(tr):
    lay = tr.layout
    for k in range(lay.n_events):
        kind, l, i, j, c = lay.locate(k)
        if kind == "forward":
            assert lay.forward_index(l, i, c) == k
        elif kind == "delta":
            assert lay.delta_index(l, i, c) == k
        elif kind != "loss":  # a parameter: column j of [W^l | b^l], the bias in column n_{l−1}
            col = lay.sizes[l - 1] if j is None else j
            assert (lay.grad_index if kind.startswith("grad") else lay.update_index)(l, i, col) == k
    for l in range(1, lay.L + 1):  # arrays broadcast like numpy, entry by entry the scalar answer
        i, c = np.arange(lay.sizes[l])[:, None], np.arange(lay.m)[None, :]
        for index in (lay.forward_index, lay.delta_index):
            got = index(l, i, c)
            assert got.shape == (lay.sizes[l], lay.m)
            assert all(got[q, s] == index(l, q, s) for q in range(lay.sizes[l]) for s in range(lay.m))
        for index, cols in ((lay.grad_index, lay.sizes[l - 1] + tr.bias), (lay.update_index, lay.upd_rows[l])):
            got = index(l, i, np.arange(cols)[None, :])
            assert got.shape == (lay.sizes[l], cols)
            assert all(got[q, r] == index(l, q, r) for q in range(lay.sizes[l]) for r in range(cols))


def test_index_functions_reject_positions_that_have_no_event():
    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_sse", True, 2, seed=0)
    lay = net.trace(X, Y, 0.1, update_biases=False).layout
    for call, match in [
        (lambda: lay.forward_index(0, 0), "neuron"),
        (lambda: lay.forward_index(3, 0), "neuron"),
        (lambda: lay.delta_index(1, 3), "neuron"),
        (lambda: lay.delta_index(1, np.array([0, 3])), "neuron"),
        (lambda: lay.forward_index(1, 0, 2), "sample"),
        (lambda: lay.grad_index(1, 0, 3), "grad"),
        (lambda: lay.grad_index(2, 0, -1), "grad"),
        (lambda: lay.update_index(1, 0, 2), "update"),  # biases are not updated: no column n_{l−1}
        (lambda: lay.index_of("update_b", 1, 0), "update"),
        (lambda: lay.index_of("grad_w", 1, 0), "grad_w"),  # a weight needs its j
        (lambda: lay.index_of("gradient", 1, 0), "kind"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()
    assert lay.grad_index(1, 0, 2) == lay.index_of("grad_b", 1, 0)
    assert lay.update_index(1, 0, 1) == lay.index_of("update_w", 1, 0, 1)


def test_index_of_inverts_locate():
    from engine import Network

    for bias, ub in ((True, True), (True, False), (False, True)):
        net = Network([3, 4, 2, 2], ["tanh", "sigmoid", "sigmoid"], bias=bias, seed=1)
        X = np.random.default_rng(0).normal(size=(3, 3))
        tr = net.trace(X, np.full((3, 2), 0.5), 0.1, update_biases=ub)
        lay = tr.layout
        for k in range(lay.n_events):
            kind, l, i, j, c = lay.locate(k)
            assert lay.index_of(kind, l, i, j, 0 if c is None else c) == k
    with pytest.raises(ValueError):
        lay.index_of("forward", 1, 99)
    with pytest.raises(ValueError):
        lay.index_of("update_b", 1, 0)  # bias=False: no bias updates
