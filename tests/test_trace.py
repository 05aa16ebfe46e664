"""Trace: events in teaching order, their values and factors, Layout groups, laziness, parameters_at."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import GRANULARITIES, KINDS, PHASES, Event, EventSequence, Network, Trace
from tests.engine_helpers import arrays_equal, build_case, cases, rel_close

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@st.composite
def traces(draw, max_layers=4):
    net, X, Y = draw(cases(max_layers=max_layers))
    lr = draw(st.sampled_from([0.0, 0.1, 0.5, 3.0]))
    update_biases = draw(st.booleans())
    return net.trace(X, Y, lr, update_biases=update_biases)


def teaching_order(sizes, m, bias, update_biases):
    """(kind, phase, layer, i, j, sample) of every event, written as nested loops."""
    L = len(sizes) - 1
    out = []
    for c in range(m):
        for l in range(1, L + 1):
            out += [("forward", "forward", l, i, None, c) for i in range(sizes[l])]
    out.append(("loss", "forward", L, None, None, None))
    for c in range(m):
        for l in range(L, 0, -1):
            out += [("delta", "backward", l, i, None, c) for i in range(sizes[l])]
    for prefix, phase, with_bias in (("grad_", "backward", bias), ("update_", "update", bias and update_biases)):
        for l in range(L, 0, -1):
            for i in range(sizes[l]):
                out += [(prefix + "w", phase, l, i, j, None) for j in range(sizes[l - 1])]
                if with_bias:
                    out.append((prefix + "b", phase, l, i, None, None))
    return out


def expected_length(sizes, m, bias, update_biases):
    """m·N forward + 1 loss + m·N δ + Σ n_l (n_{l−1} + bias) gradients + Σ n_l (n_{l−1} + updated bias)."""
    N = sum(sizes[1:])
    pairs = list(zip(sizes[:-1], sizes[1:]))
    return (
        2 * m * N
        + 1
        + sum(o * (i + bias) for i, o in pairs)
        + sum(o * (i + (bias and update_biases)) for i, o in pairs)
    )


# ------------------------------------------------------------ length and order
@SETTINGS
@given(traces())
def test_events_follow_the_teaching_order(tr):
    evs = list(tr.events)
    order = teaching_order(tr.layer_sizes, tr.m, tr.bias, tr.update_biases)
    assert len(tr.events) == len(evs) == len(order) == tr.layout.n_events
    assert len(order) == expected_length(tr.layer_sizes, tr.m, tr.bias, tr.update_biases)
    for k, (ev, exp) in enumerate(zip(evs, order)):
        assert isinstance(ev, Event) and ev.index == k
        assert (ev.kind, ev.phase, ev.layer, ev.i, ev.j, ev.sample) == exp
        assert ev.kind in KINDS and ev.phase in PHASES
        assert tr.layout.locate(k) == (exp[0], exp[2], exp[3], exp[4], exp[5])
    # phase bounds are the first and last events of each phase
    for p in PHASES:
        first, last = tr.layout.phase_bounds(p)
        idx = [k for k, e in enumerate(order) if e[1] == p]
        assert (first, last) == (idx[0], idx[-1])


def test_length_formula_on_named_shapes():
    for sizes, m, bias, ub, n in [
        ([1, 1], 1, False, True, 1 + 1 + 1 + 1 + 1),
        ([2, 2, 2], 1, True, True, 4 + 1 + 4 + 12 + 12),
        ([2, 2, 2], 1, True, False, 4 + 1 + 4 + 12 + 8),
        ([2, 3, 1], 4, True, True, 16 + 1 + 16 + 13 + 13),
    ]:
        net = Network(sizes, bias=bias)
        tr = net.trace(np.zeros((m, sizes[0])), np.zeros((m, sizes[-1])), 0.1, update_biases=ub)
        assert len(tr.events) == n == expected_length(sizes, m, bias, ub)


def test_indexing_negative_out_of_range_and_slices():
    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_sse", True, 2, seed=0)
    tr = net.trace(X, Y, 0.5)
    ev, n = tr.events, len(tr.events)
    assert ev[-1] == ev[n - 1] and ev[-n] == ev[0]
    assert ev[-1].index == n - 1 and ev[np.int64(3)].index == 3
    for bad in (n, -n - 1, 10**9):
        with pytest.raises(IndexError):
            ev[bad]
    for bad in ("1", 1.0, None, True):
        with pytest.raises(TypeError):
            ev[bad]
    assert [e.index for e in ev[2:7]] == [2, 3, 4, 5, 6]
    assert [e.index for e in ev[::-5]] == list(range(n - 1, -1, -5))
    assert [e.index for e in ev[-3:]] == [n - 3, n - 2, n - 1]
    assert ev[n:] == [] and ev[5:2] == []
    assert ev[4] == tr.event(4) and ev[4] is not ev[4]  # built on demand, equal by value
    assert ev[4] != ev[5] and hash(ev[4]) == hash(tr.event(4)) and len({ev[4], ev[4], ev[5]}) == 2
    # Sequence protocol
    assert ev.index(ev[7]) == 7 and ev[7] in ev


# ------------------------------------------------------------------ laziness
def test_events_are_lazy_on_a_784_32_10_network():
    net = Network([784, 32, 10], ["relu", "softmax"], "cross_entropy", seed=0, init="he")
    rng = np.random.default_rng(0)
    tr = net.trace(rng.uniform(0, 1, (1, 784)), np.eye(10)[[3]], 0.1)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        seq = tr.events
        n = len(seq)
        last = seq[-1]
        mid = seq[n // 2]
        used = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert 50_000 <= n <= 52_000
    assert n == expected_length([784, 32, 10], 1, True, True)
    assert used < 1_000_000, f"{used} bytes for len() and two events"
    assert isinstance(seq, EventSequence)
    assert not hasattr(seq, "__dict__") and EventSequence.__slots__ == ("_trace",)
    assert not any(isinstance(v, list) and len(v) > 100 for v in vars(tr).values())
    assert (last.kind, last.layer, last.i) == ("update_b", 1, 31)
    assert last.value == tr.biases_after[0][31]
    assert mid.index == n // 2


# ---------------------------------------------------- values equal the arrays
@SETTINGS
@given(traces())
def test_every_value_equals_its_trace_array_entry(tr):
    L, m = len(tr.layer_sizes) - 1, tr.m
    for e in tr.events:
        l, i, j, c = e.layer, e.i, e.j, e.sample
        expected = {
            "forward": lambda: tr.A[l][c, i],
            "loss": lambda: tr.loss,
            "delta": lambda: tr.deltas[l][c, i],
            "grad_w": lambda: tr.grad_weights[l - 1][i, j],
            "grad_b": lambda: tr.grad_biases[l - 1][i],
            "update_w": lambda: tr.weights_after[l - 1][i, j],
            "update_b": lambda: tr.biases_after[l - 1][i],
        }[e.kind]()
        assert e.value == expected and type(e.value) is float
    assert tr.loss == float(tr.loss_per_sample.sum()) and tr.loss_per_sample.shape == (m,)
    assert tr.A[0] is tr.X and tr.Z[0] is None and tr.deltas[0] is None and len(tr.A) == L + 1


@SETTINGS
@given(traces())
def test_factors_multiply_to_the_value(tr):
    L, m, s = len(tr.layer_sizes) - 1, tr.m, tr.output.scale
    out_act = tr.activations[-1]
    squared = tr.loss_name != "cross_entropy"
    assert s == (1.0 if tr.loss_name == "half_sse" else 1.0 / m)
    for e in tr.events:
        f = e.factors
        if e.kind == "forward":  # a = g(z), z = w · a_prev + b
            assert f.a == e.value and f.activation == tr.activations[e.layer - 1]
            z = float(f.w @ f.a_prev + f.b)
            assert rel_close(f.z, z, 1e-12, 1e-14 * (np.abs(f.w) @ np.abs(f.a_prev) + abs(f.b)))
            assert np.array_equal(f.w, tr.weights_before[e.layer - 1][e.i])
        elif e.kind == "loss":
            assert e.value == float(np.sum(f.per_sample)) and f.loss == tr.loss_name and f.scale == s
        elif e.kind == "delta" and e.layer == L:  # output δ
            assert f.output is True and f.error == f.a - f.y and f.scale == s
            if not squared:  # cross-entropy: δ = s (a − y)
                assert f.simplified and f.dE_da is None and f.da_dz is None
                assert e.value == s * f.error
            elif out_act == "softmax":  # δ_i = Σ_k ∂E/∂a_k a_k (1[i=k] − a_i)
                assert f.dE_da == s * f.error and f.da_dz is None and not f.simplified
                a, dE = tr.A[L][e.sample], tr.output.dE_da[e.sample]
                want = sum(dE[k] * a[k] * ((k == e.i) - a[e.i]) for k in range(len(a)))
                assert rel_close(e.value, want, 1e-12, 1e-15 * float(np.abs(dE) @ a))
            else:  # δ = error · s · g'(z)
                assert f.dE_da == s * f.error and not f.simplified
                assert e.value == f.dE_da * f.da_dz
                assert rel_close(e.value, f.error * s * f.da_dz, 1e-15)
        elif e.kind == "delta":  # hidden δ = (Σ_k δ_next w_next) · g'(z)
            assert f.output is False
            dE = float(f.delta_next @ f.w_next)
            assert f.dE_da == dE
            bound = float(np.abs(f.delta_next) @ np.abs(f.w_next)) * abs(f.da_dz)
            assert abs(e.value - f.dE_da * f.da_dz) <= 1e-12 * bound
            assert np.array_equal(f.w_next, tr.weights_before[e.layer][:, e.i])
            assert np.array_equal(f.delta_next, tr.deltas[e.layer + 1][e.sample])
        elif e.kind in ("grad_w", "grad_b"):  # Σ_c δ_c a_c
            assert f.per_sample.shape == (m,) and f.delta.shape == (m,)
            assert np.array_equal(f.per_sample, f.delta * f.a_prev)
            if e.kind == "grad_b":
                assert np.array_equal(f.a_prev, np.ones(m))
            assert abs(float(np.sum(f.per_sample)) - e.value) <= 1e-12 * float(np.sum(np.abs(f.per_sample)))
            assert f.sum == e.value and f.mean == e.value / m
        else:  # update: old + Δw = new exactly, Δw = −η ∂E/∂w
            assert f.old + f.delta_w == f.new == e.value
            assert f.delta_w == -tr.lr * f.grad and f.lr == tr.lr
            arr = tr.weights_before if e.kind == "update_w" else tr.biases_before
            idx = (e.i, e.j) if e.kind == "update_w" else (e.i,)
            assert f.old == arr[e.layer - 1][idx]


def test_batch_events_carry_per_sample_factors():
    net, X, Y = build_case([2, 2, 1], ["sigmoid", "sigmoid"], "half_mse", True, 4, seed=1)
    tr = net.trace(X, Y, 0.5)
    g = tr.events[tr.layout.grad_start]
    assert g.factors.per_sample.shape == (4,) and g.factors.mean == g.value / 4
    loss = tr.events[tr.layout.loss_index]
    assert loss.factors.per_sample.shape == (4,) and loss.factors.scale == 0.25
    assert [e.sample for e in tr.events[: tr.layout.loss_index]] == [c for c in range(4) for _ in range(3)]


# --------------------------------------------------------------- Layout.group
def family(kind):
    return {"grad_b": "grad_w", "update_b": "update_w"}.get(kind, kind)


@SETTINGS
@given(traces(max_layers=3))
def test_groups_partition_the_events_for_every_granularity(tr):
    lay, evs = tr.layout, list(tr.events)
    n = lay.n_events
    for g in GRANULARITIES:
        k, groups = 0, []
        while k < n:
            first, last = lay.group(k, g)
            assert first == k and first <= last < n
            for x in range(first, last + 1):  # every member names the same group
                assert lay.group(x, g) == (first, last)
            groups.append(evs[first : last + 1])
            k = last + 1
        assert sum(len(gr) for gr in groups) == n  # consecutive, non-overlapping, covering
        for gr in groups:
            kinds = {family(e.kind) for e in gr}
            assert len({e.phase for e in gr}) == 1 or g == "update"
            if g == "event":
                assert len(gr) == 1
            elif g == "neuron":
                assert len(kinds) == 1 and len({(e.layer, e.i, e.sample) for e in gr}) == 1
                if kinds <= {"forward", "delta", "loss"}:
                    assert len(gr) == 1
                else:  # every incoming weight, then the bias
                    l = gr[0].layer
                    with_b = tr.bias and (gr[0].phase == "backward" or tr.update_biases)
                    assert [e.j for e in gr] == list(range(tr.layer_sizes[l - 1])) + ([None] if with_b else [])
            elif g == "layer":
                assert len(kinds) == 1 and len({(e.layer, e.sample) for e in gr}) == 1
                l = gr[0].layer
                if kinds <= {"forward", "delta"}:
                    assert [e.i for e in gr] == list(range(tr.layer_sizes[l]))
                elif kinds == {"loss"}:
                    assert len(gr) == 1
                else:
                    assert {e.i for e in gr} == set(range(tr.layer_sizes[l]))
            elif g == "sample":
                assert len(kinds) == 1 and len({e.sample for e in gr}) == 1
                if kinds <= {"forward", "delta"}:
                    assert len(gr) == sum(tr.layer_sizes[1:])
                elif kinds != {"loss"}:  # gradients / updates sum over all samples: one block
                    fam = next(iter(kinds))
                    assert len(gr) == sum(1 for e in evs if family(e.kind) == fam)
            elif g == "phase":
                assert (gr[0].index, gr[-1].index) == lay.phase_bounds(gr[0].phase)
            else:
                assert len(gr) == n
        if g == "phase":
            assert [gr[0].phase for gr in groups] == list(PHASES)


def test_group_and_phase_errors():
    net, X, Y = build_case([2, 2], ["sigmoid"], "half_sse", True, 1, seed=0)
    lay = net.trace(X, Y, 0.1).layout
    with pytest.raises(ValueError, match="granularity"):
        lay.group(0, "epoch")
    with pytest.raises(ValueError, match="phase"):
        lay.phase_bounds("sideways")
    for k in (-1, lay.n_events):
        with pytest.raises(IndexError):
            lay.group(k, "event")


# ------------------------------------------------------------- parameters_at
def replay(tr: Trace, k: int):
    """weights_before with the update events ≤ k written in, one event at a time."""
    W = [w.copy() for w in tr.weights_before]
    b = [x.copy() for x in tr.biases_before]
    for e in tr.events[tr.layout.update_start : k + 1]:
        if e.kind == "update_w":
            W[e.layer - 1][e.i, e.j] = e.value
        else:
            b[e.layer - 1][e.i] = e.value
    return W, b


@SETTINGS
@given(traces(max_layers=3))
def test_parameters_at_applies_exactly_the_update_events_so_far(tr):
    n = tr.layout.n_events
    prev = tr.parameters_at(-1)
    assert arrays_equal(prev[0], tr.weights_before) and arrays_equal(prev[1], tr.biases_before)
    for k in range(n):
        W, b = tr.parameters_at(k)
        rW, rb = replay(tr, k)
        assert arrays_equal(W, rW) and arrays_equal(b, rb)
        changed = [(l, idx) for l in range(len(W)) for idx in zip(*np.nonzero(W[l] != prev[0][l]))]
        changed += [(l, (i,), "b") for l in range(len(b)) for (i,) in zip(*np.nonzero(b[l] != prev[1][l]))]
        e = tr.events[k]
        if e.kind not in ("update_w", "update_b"):
            assert changed == []
        else:  # at most the named parameter moved (none if Δw rounds to 0)
            allowed = (e.layer - 1, (e.i, e.j)) if e.kind == "update_w" else (e.layer - 1, (e.i,), "b")
            assert changed in ([], [allowed])
        prev = (W, b)
    W, b = tr.parameters_at(n - 1)
    assert arrays_equal(W, tr.weights_after) and arrays_equal(b, tr.biases_after)
    # parameters_at returns fresh arrays
    assert not any(np.shares_memory(x, y) for x in W + b for y in tr.weights_after + tr.biases_after)
    W0, b0 = tr.parameters_at(-1)
    assert not any(np.shares_memory(x, y) for x in W0 + b0 for y in tr.weights_before + tr.biases_before)


def test_trace_is_pure_and_train_step_applies_it():
    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_sse", True, 3, seed=2)
    before = net.parameters()
    tr = net.trace(X, Y, 0.5)
    assert arrays_equal(net.weights, before[0]) and arrays_equal(net.biases, before[1])
    assert arrays_equal(tr.weights_before, before[0])
    tr2 = net.train_step(X, Y, 0.5)
    assert arrays_equal(net.weights, tr.weights_after) and arrays_equal(net.biases, tr.biases_after)
    assert arrays_equal(tr2.weights_after, tr.weights_after) and tr2.loss == tr.loss
    # the trace's arrays do not alias the network's
    net.weights[0][0, 0] = 123.0
    assert tr.weights_after[0][0, 0] != 123.0 and tr.weights_before[0][0, 0] != 123.0


def test_trace_metadata():
    net, X, Y = build_case([2, 3, 2], ["tanh", "softmax"], "cross_entropy", False, 3, seed=2)
    tr = net.trace(X, Y, 0.25, update_biases=True)
    assert tr.layer_sizes == (2, 3, 2) and tr.activations == ("tanh", "softmax")
    assert tr.loss_name == "cross_entropy" and tr.bias is False and tr.update_biases is False
    assert tr.lr == 0.25 and tr.m == 3 and np.array_equal(tr.X, X) and np.array_equal(tr.Y, Y)
    assert all(np.array_equal(d, np.zeros_like(d)) for d in tr.delta_biases + tr.grad_biases)
    assert not any(e.kind in ("grad_b", "update_b") for e in tr.events)


@SETTINGS
@given(traces(max_layers=3))
def test_kind_properties_name_the_parameter_events(tr):
    for e in tr.events:
        assert e.is_weight == (e.kind in ("grad_w", "update_w")) == ((e.is_gradient or e.is_update) and e.j is not None)
        assert e.is_bias == (e.kind in ("grad_b", "update_b")) == ((e.is_gradient or e.is_update) and e.j is None)
        assert e.is_gradient == (e.kind in ("grad_w", "grad_b")) == (e.phase == "backward" and e.kind != "delta")
        assert e.is_update == (e.kind in ("update_w", "update_b")) == (e.phase == "update")
        assert not (e.is_weight and e.is_bias) and not (e.is_gradient and e.is_update)


def test_each_kind_carries_its_own_factors_class():
    from engine import (
        ForwardFactors,
        GradFactors,
        HiddenDeltaFactors,
        LossFactors,
        OutputDeltaFactors,
        UpdateFactors,
    )

    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_sse", True, 2, seed=0)
    tr = net.trace(X, Y, 0.1)
    want = {
        "forward": ForwardFactors,
        "loss": LossFactors,
        "grad_w": GradFactors,
        "grad_b": GradFactors,
        "update_w": UpdateFactors,
        "update_b": UpdateFactors,
    }
    for e in tr.events:
        cls = want.get(e.kind) or (OutputDeltaFactors if e.layer == 2 else HiddenDeltaFactors)
        assert type(e.factors) is cls
    f = tr.event(0).factors
    with pytest.raises(AttributeError):  # frozen
        f.z = 1.0
    assert f.a_prev.shape == (2,) and f.w.shape == (2,)
