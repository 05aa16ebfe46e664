"""Stepper: exact undo, parameters at every cursor, schedule, hooks, finish/train equal train_step."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import GRANULARITIES, HISTORY_LIMIT, KINDS, Network, Stepper, batch_indices
from tests.engine_helpers import arrays_equal, build_case, rel_close


def replay(tr, k):
    """weights_before with the update events ≤ k written in one at a time (independent of parameters_at)."""
    W = [w.copy() for w in tr.weights_before]
    b = [x.copy() for x in tr.biases_before]
    for e in tr.events[tr.layout.update_start : k + 1]:
        if e.kind == "update_w":
            W[e.layer - 1][e.i, e.j] = e.value
        else:
            b[e.layer - 1][e.i] = e.value
    return W, b


class Reference:
    """The traces of updates 0, 1, 2, … computed with plain train_step on the schedule's batches."""

    def __init__(self, net, X, Y, lr, batch_size, *, update_biases, shuffle, seed):
        self.net, self.X, self.Y, self.lr = net.copy(), X, Y, lr
        self.B = X.shape[0] if batch_size is None else batch_size
        self.ub, self.shuffle, self.seed = update_biases, shuffle, seed
        self.traces = []

    def __getitem__(self, u):
        while len(self.traces) <= u:
            idx = batch_indices(self.X.shape[0], self.B, len(self.traces), self.shuffle, self.seed)
            self.traces.append(self.net.train_step(self.X[idx], self.Y[idx], self.lr, self.ub))
        return self.traces[u]


def params_of(net):
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def same(p, q):
    return arrays_equal(p[0], q[0]) and arrays_equal(p[1], q[1])


# ---------------------------------------------- property: random walks are exact
actions = st.lists(
    st.tuples(st.sampled_from(["step", "back"]), st.sampled_from(GRANULARITIES), st.integers(1, 3)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    acts=actions,
    update_biases=st.booleans(),
    shuffle=st.booleans(),
    bias=st.booleans(),
    batch_size=st.sampled_from([None, 1, 2]),
    history=st.integers(0, 3),
)
def test_random_walks_restore_parameters_bit_for_bit(acts, update_biases, shuffle, bias, batch_size, history):
    net, X, Y = build_case([2, 2, 1], ["tanh", "sigmoid"], "half_sse", bias, 3, seed=12)
    ref = Reference(net, X, Y, 0.7, batch_size, update_biases=update_biases, shuffle=shuffle, seed=5)
    st_ = Stepper(
        net, X, Y, 0.7, batch_size=batch_size, update_biases=update_biases, shuffle=shuffle, seed=5, history=history
    )
    fired = []
    for kind in KINDS:
        st_.on(kind, lambda e, kind=kind: fired.append((st_.update, e.index, e.kind == kind)))
    u, c, hist, expected_fired = 0, -1, 0, []
    seen = {(0, -1): params_of(net)}
    for op, g, n in acts:
        if op == "step":
            st_.step(g, n)
            for _ in range(n):
                if c >= ref[u].layout.n_events - 1:
                    u, c, hist = u + 1, -1, min(hist + 1, history)
                new = ref[u].layout.group(c + 1, g)[1]
                expected_fired += [(u, k, True) for k in range(c + 1, new + 1)]
                c = new
        else:
            st_.back(g, n)
            for _ in range(n):
                if c < 0:
                    if hist:
                        u, c, hist = u - 1, ref[u - 1].layout.n_events - 1, hist - 1
                    continue
                c = ref[u].layout.group(c, g)[0] - 1
        assert (st_.update, st_.cursor) == (u, c)
        assert fired == expected_fired  # once per event passed forward, never going back
        now = params_of(net)
        assert same(now, replay(ref[u], c))  # exactly the update events ≤ c applied
        assert same(now, seen.setdefault((u, c), now))  # revisiting a position: bit for bit
        assert st_.can_back() == (c >= 0 or hist > 0)
        assert (st_.event is None) if c < 0 else (st_.event == ref[u].events[c])
    # walk all the way back: as far as the history allows, then the start of that update exactly
    while st_.can_back():
        st_.back("update")
    assert st_.cursor == -1 and same(params_of(net), replay(ref[st_.update], -1))
    assert st_.back() is None and st_.cursor == -1  # at the very start: nothing happens


@pytest.mark.parametrize("g", GRANULARITIES)
def test_step_then_back_restores_across_update_boundaries(g):
    net, X, Y = build_case([2, 3, 2], ["relu", "softmax"], "cross_entropy", True, 4, seed=3)
    st_ = Stepper(net, X, Y, 0.5, batch_size=3)
    snap = {(0, -1): params_of(net)}
    while st_.update < 3:
        u, last = st_.update, st_.n_events - 1
        st_.step(g)
        if st_.update != u:  # crossed: the start of update u+1 is the end of update u
            snap[(st_.update, -1)] = snap[(u, last)]
        snap[(st_.update, st_.cursor)] = params_of(net)
    end = (st_.update, st_.cursor)
    visited = set()
    while st_.can_back():
        st_.back(g)
        key = (st_.update, st_.cursor)
        assert key in snap and same(params_of(net), snap[key])
        visited.add(key)
    assert visited == set(snap) - {end} and key == (0, -1)


def test_update_events_change_only_their_own_parameter():
    net, X, Y = build_case([3, 2, 2], ["sigmoid", "sigmoid"], "half_mse", True, 2, seed=4)
    st_ = Stepper(net, X, Y, 2.0)
    st_.jump_to_phase("update")
    tr = st_.trace
    prev = params_of(net)
    assert same(prev, (tr.weights_before, tr.biases_before))
    for _ in range(tr.layout.n_events - tr.layout.update_start):
        e = st_.step()
        now = params_of(net)
        for l in range(len(now[0])):
            for idx in np.ndindex(now[0][l].shape):
                mine = e.kind == "update_w" and (l, idx) == (e.layer - 1, (e.i, e.j))
                assert now[0][l][idx] == (e.value if mine else prev[0][l][idx])
            for (i,) in np.ndindex(now[1][l].shape):
                mine = e.kind == "update_b" and (l, i) == (e.layer - 1, e.i)
                assert now[1][l][i] == (e.value if mine else prev[1][l][i])
        prev = now
    assert same(prev, (tr.weights_after, tr.biases_after))


# --------------------------------------------------- whole updates and the schedule
@pytest.mark.parametrize(
    "g,n", [("event", 0), ("event", 5), ("neuron", 3), ("layer", 2), ("sample", 1), ("phase", 2), ("update", 1)]
)
def test_finish_update_equals_train_step(g, n):
    net, X, Y = build_case([2, 3, 1], ["leaky_relu", "linear"], "half_sse", True, 5, seed=7)
    ref = net.copy()
    st_ = Stepper(net, X, Y, 0.1, batch_size=2, shuffle=True, seed=1)
    for u in range(4):
        st_.step(g, n)
        assert st_.update == u
        done = st_.finish_update()
        idx = batch_indices(5, 2, u, True, 1)
        tr = ref.train_step(X[idx], Y[idx], 0.1)
        assert np.array_equal(done.X, X[idx]) and done.loss == tr.loss
        assert same(params_of(net), params_of(ref))
        assert (st_.update, st_.cursor) == (u + 1, -1)


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_follow_the_schedule(shuffle):
    net, X, Y = build_case([2, 2, 1], ["tanh", "sigmoid"], "half_sse", True, 10, seed=2)
    a = Stepper(net, X, Y, 0.1, batch_size=3, shuffle=shuffle, seed=9)
    b = Stepper(net.copy(), X, Y, 0.1, batch_size=3, shuffle=shuffle, seed=9)
    assert a.updates_per_epoch == 4
    epochs = {}
    for u in range(12):
        idx = batch_indices(10, 3, u, shuffle, 9)
        assert np.array_equal(a.batch(), idx) and np.array_equal(b.batch(), idx)
        assert np.array_equal(a.trace.X, X[idx]) and np.array_equal(a.trace.Y, Y[idx])
        assert a.trace.m == (1 if u % 4 == 3 else 3)  # partial last batch, never mixed with the next epoch
        assert a.epoch == u // 4
        epochs.setdefault(u // 4, []).extend(idx.tolist())
        a.finish_update()
        b.step("update")  # to the last event of update u,
        b.step("event")  # into update u + 1,
        b.back("event")  # and back to its start
    for order in epochs.values():
        assert sorted(order) == list(range(10))
    if shuffle:
        assert epochs[0] != epochs[1]
        c = Stepper(net.copy(), X, Y, 0.1, batch_size=3, shuffle=True, seed=10)
        other = []
        for _ in range(4):
            other += c.batch().tolist()
            c.finish_update()
        assert sorted(other) == list(range(10)) and other != epochs[0]
    else:
        assert epochs[0] == list(range(10))


@pytest.mark.parametrize("batch_size,shuffle", [(None, False), (3, True), (1, False)])
@pytest.mark.parametrize("start", [-1, 4])
def test_train_equals_successive_train_steps(batch_size, shuffle, start):
    net, X, Y = build_case([2, 4, 2], ["tanh", "sigmoid"], "half_sse", True, 10, seed=6, scale=0.7)
    ref = Reference(net, X, Y, 0.3, batch_size, update_biases=True, shuffle=shuffle, seed=2)
    st_ = Stepper(net, X, Y, 0.3, batch_size=batch_size, shuffle=shuffle, seed=2)
    if start >= 0:
        st_.seek(start)
    assert st_.train(7) == 7  # a started update counts as one of the 7
    assert st_.update == 7 and st_.cursor == -1 and not st_.can_back()
    assert rel_close(net.weights, ref[6].weights_after, 1e-12, 1e-15)
    assert rel_close(net.biases, ref[6].biases_after, 1e-12, 1e-15)
    assert rel_close(st_.trace.weights_before, ref[7].weights_before, 1e-12, 1e-15)
    assert np.array_equal(st_.batch(), batch_indices(10, batch_size or 10, 7, shuffle, 2))
    assert st_.train(0) == 0 and st_.update == 7


# -------------------------------------------------------------------- hooks
def test_hooks_fire_once_going_forward_never_going_back():
    net, X, Y = build_case([2, 2, 2], ["sigmoid", "sigmoid"], "half_sse", True, 2, seed=1)
    st_ = Stepper(net, X, Y, 0.5)
    log = []
    for k in KINDS:
        st_.on(k, lambda e, k=k: log.append((k, e.kind, e.index)))
    upd, fwd, dlt = [], [], []
    st_.on_update(lambda e: upd.append(e.index))
    st_.on_forward(lambda e: fwd.append(e.index))
    st_.on_delta(lambda e: dlt.append(e.index))
    n = st_.n_events
    st_.step("layer", 3)
    first = st_.cursor
    st_.back("event", 2)
    assert [i for _, _, i in log] == list(range(first + 1))
    st_.seek(n - 1)
    fired = [i for _, _, i in log]
    assert fired == list(range(first + 1)) + list(range(first - 1, n))
    assert all(k == kind for k, kind, _ in log)  # each hook sees only its kind
    kind_of = {e.index: e.kind for e in st_.trace.events}
    assert upd == [i for i in fired if kind_of[i] in ("update_w", "update_b")]
    assert fwd == [i for i in fired if kind_of[i] == "forward"]
    assert dlt == [i for i in fired if kind_of[i] == "delta"]
    total = len(log)
    st_.back("phase", 2)
    st_.reset()
    st_.jump_to_phase("backward")
    st_.back("update")
    assert len(log) == total + st_.trace.layout.delta_start  # only the jump forward fired
    st_.step("event")
    assert log[-1][2] == 0


def test_jump_to_phase_puts_the_next_event_first_in_the_phase():
    net, X, Y = build_case([2, 2, 1], ["tanh", "linear"], "half_sse", True, 3, seed=5)
    st_ = Stepper(net, X, Y, 0.4)
    before = params_of(net)
    for phase in ("update", "backward", "forward", "update"):
        st_.jump_to_phase(phase)
        first = st_.trace.layout.phase_bounds(phase)[0]
        assert st_.cursor == first - 1
        assert same(params_of(net), before)  # nothing of the update applied yet
        e = st_.step()
        assert e.index == first and e.phase == phase
        st_.back()
    with pytest.raises(ValueError, match="phase"):
        st_.jump_to_phase("sideways")


def test_back_at_the_very_start_does_nothing():
    net, X, Y = build_case([2, 2, 1], ["tanh", "linear"], "half_sse", True, 3, seed=5)
    st_ = Stepper(net, X, Y, 0.4)
    before = params_of(net)
    for g in GRANULARITIES:
        assert st_.back(g) is None
        assert (st_.update, st_.cursor) == (0, -1) and not st_.can_back()
        assert same(params_of(net), before)


def test_history_is_bounded():
    net, X, Y = build_case([1, 1], ["sigmoid"], "half_sse", True, 1, seed=0)
    st_ = Stepper(net, X, Y, 0.4)
    for _ in range(HISTORY_LIMIT + 5):
        st_.finish_update()
    st_.step("event")
    crossings = 0
    while st_.can_back():
        at_start = st_.cursor == -1
        st_.back("update")
        crossings += at_start
    assert crossings == HISTORY_LIMIT and st_.update == 5


# ------------------------------------------------- restart, reload, learning rate
def test_set_lr_restart_and_reload():
    net, X, Y = build_case([2, 3, 1], ["tanh", "sigmoid"], "half_sse", True, 4, seed=8)
    st_ = Stepper(net, X, Y, 0.4)
    before = params_of(net)
    st_.jump_to_phase("update")
    st_.step("layer")
    assert not same(params_of(net), before)
    st_.set_lr(1.5)
    assert st_.cursor == -1 and st_.trace.lr == 1.5 and same(params_of(net), before)
    st_.step("update")
    assert same(params_of(net), params_of(_stepped(before, X, Y, 1.5)))
    st_.restart_update()
    assert same(params_of(net), before)
    with pytest.raises(ValueError, match="learning rate"):
        st_.set_lr(-1.0)
    # an edit from outside, then reload: the trace starts from the edited parameters
    st_.finish_update()
    W, b = net.parameters()
    W[0][0, 0] = 2.5
    net.set_parameters(W, b)
    st_.reload()
    assert st_.cursor == -1 and not st_.can_back() and st_.trace.weights_before[0][0, 0] == 2.5


def _stepped(params, X, Y, lr):
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "half_sse", bias=True)
    net.set_parameters(*params)
    net.train_step(X, Y, lr)
    return net


# -------------------------------------------------------------------- errors
def test_stepper_rejects_bad_arguments():
    net, X, Y = build_case([2, 2, 1], ["tanh", "sigmoid"], "half_sse", True, 3, seed=0)
    for kwargs, match in [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=-1), "batch_size"),
        (dict(lr=-1), "learning rate"),
        (dict(lr=float("nan")), "learning rate"),
        (dict(lr="x"), "learning rate"),
        (dict(X=X[:, :1]), "X must have shape"),
        (dict(Y=Y[:2]), "Y has 2 rows"),
        (dict(X=X * np.nan), "NaN"),
    ]:
        args = dict(net=net, X=X, Y=Y, lr=0.1) | kwargs
        with pytest.raises(ValueError, match=match):
            Stepper(**args)
    st_ = Stepper(net, X, Y, 0.1)
    for bad in (-2, st_.n_events, 10**6):
        with pytest.raises(ValueError, match="cursor"):
            st_.seek(bad)
    for call in (st_.step, st_.back):
        with pytest.raises(ValueError, match="granularity"):
            call("epoch")
    with pytest.raises(ValueError, match="kind"):
        st_.on("update", print)  # on_update covers update_w and update_b
    assert st_.cursor == -1
    with pytest.raises(TypeError):  # past lr and batch_size the options are named
        Stepper(net, X, Y, 0.1, None, False)


def test_seek_moves_the_cursor_both_ways():
    net, X, Y = build_case([2, 2, 1], ["tanh", "sigmoid"], "half_sse", True, 2, seed=0)
    st_ = Stepper(net, X, Y, 0.1)
    before = params_of(net)
    st_.seek(st_.n_events - 1)
    assert same(params_of(net), (st_.trace.weights_after, st_.trace.biases_after))
    st_.seek(-1)
    assert same(params_of(net), before)


@pytest.mark.parametrize("shuffle,batch_size", [(False, None), (True, 2), (True, 1), (False, 3)])
def test_peek_next_is_the_next_update_bit_for_bit(shuffle, batch_size):
    """peek_next gives the network and trace that crossing into the next update makes, without moving."""
    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_sse", True, 5, seed=3)
    st_ = Stepper(net, X, Y, 0.3, batch_size=batch_size, shuffle=shuffle, seed=4)
    for u in range(7):  # across epoch ends, where the batch order is drawn again
        st_.seek(u % st_.n_events)  # from anywhere in the update
        before = (st_.update, st_.cursor, params_of(net), st_.trace)
        peek_net, peek = st_.peek_next()
        assert (st_.update, st_.cursor, st_.trace) == (before[0], before[1], before[3])
        assert same(params_of(net), before[2])  # the stepper's network is untouched
        st_.finish_update()
        tr = st_.trace
        assert same(params_of(peek_net), params_of(net))
        for name in ("X", "Y", "loss_per_sample"):
            assert np.array_equal(getattr(peek, name), getattr(tr, name))
        for name in ("Z", "A", "deltas", "da_dz"):
            assert arrays_equal(getattr(peek, name)[1:], getattr(tr, name)[1:])
        for name in ("grad_weights", "grad_biases", "weights_after", "biases_after", "weights_before"):
            assert arrays_equal(getattr(peek, name), getattr(tr, name))
        assert peek.loss == tr.loss and [e.value for e in peek.events] == [e.value for e in tr.events]
