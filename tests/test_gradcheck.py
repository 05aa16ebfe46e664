"""Backpropagation against central finite differences and against the chain rule written by hand.

Random networks come from hypothesis: 1–4 weight layers, widths 1–5, batches of 1–6, bias on
or off; relu / leaky_relu samples within 1e-4 of a kink are rejected.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from engine import ACTIVATIONS, Network, gradient_check, relative_error
from tests.engine_helpers import (
    ELEMENTWISE,
    SQUARED,
    assert_fd_close,
    assert_within_rounding,
    build_case,
    cases,
    central_differences,
    hand_backprop,
    rel_close,
)

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
MORE = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


def check_against_fd(net, X, Y):
    gw, gb = net.gradients(X, Y)
    nw, nb = central_differences(net, X, Y)
    E = net.loss(X, Y)
    assert_fd_close(gw, nw, E)
    if net.bias:
        assert_fd_close(gb, nb, E)
    else:
        assert all(np.array_equal(g, np.zeros_like(g)) for g in gb)


def check_against_hand(net, X, Y):
    gw, gb = net.gradients(X, Y)
    hw, hb, bw, bb = hand_backprop(net, X, Y)
    assert_within_rounding(gw, hw, bw)
    if net.bias:
        assert_within_rounding(gb, hb, bb)


# ------------------------------------------------------- every activation and loss
@pytest.mark.parametrize("act", ELEMENTWISE)
@pytest.mark.parametrize("loss", SQUARED)
def test_elementwise_activation_every_layer_matches_fd_and_hand(act, loss):
    @FAST
    @given(cases(hidden=act, output=act, loss=loss))
    def run(case):
        net, X, Y = case
        check_against_fd(net, X, Y)
        check_against_hand(net, X, Y)

    run()


@pytest.mark.parametrize(
    "output,loss",
    [("softmax", "half_sse"), ("softmax", "half_mse"), ("softmax", "cross_entropy"), ("sigmoid", "cross_entropy")],
)
def test_output_layers_and_losses_match_fd_and_hand(output, loss):
    @FAST
    @given(cases(output=output, loss=loss))
    def run(case):
        net, X, Y = case
        check_against_fd(net, X, Y)
        check_against_hand(net, X, Y)

    run()


@MORE
@given(cases())
def test_random_mixed_networks_match_fd_and_hand(case):
    net, X, Y = case
    check_against_fd(net, X, Y)
    check_against_hand(net, X, Y)


@FAST
@given(cases(max_layers=3))
def test_gradient_check_reports_backprop_and_numeric(case):
    net, X, Y = case
    before = net.parameters()
    gc = gradient_check(net, X, Y, epsilon=1e-6)
    gw, gb = net.gradients(X, Y)
    assert all(np.array_equal(a, b) for a, b in zip(gc.backprop_weights, gw))
    assert all(np.array_equal(a, b) for a, b in zip(gc.backprop_biases, gb))
    assert_fd_close(gc.backprop_weights, gc.numeric_weights, net.loss(X, Y), rtol=1e-5)
    if net.bias:
        assert_fd_close(gc.backprop_biases, gc.numeric_biases, net.loss(X, Y), rtol=1e-5)
    for e, a, b in zip(gc.error_weights, gc.backprop_weights, gc.numeric_weights):
        assert np.array_equal(e, relative_error(a, b))
    # the check leaves the network untouched
    after = net.parameters()
    assert all(np.array_equal(a, b) for a, b in zip(before[0] + before[1], after[0] + after[1]))


def test_gradient_check_max_error_on_a_well_conditioned_net():
    net, X, Y = build_case([3, 4, 2], ["tanh", "sigmoid"], "half_mse", True, 5, seed=7)
    gc = gradient_check(net, X, Y)
    assert gc.max_error < 1e-6
    assert gc.epsilon == 1e-6


# ------------------------------------------------------------- exact identities
@FAST
@given(cases(loss="half_sse"))
def test_half_mse_gradients_are_half_sse_gradients_over_m(case):
    net, X, Y = case
    mse = Network.from_dict({**net.to_dict(), "loss": "half_mse"})
    m = X.shape[0]
    gw, gb = net.gradients(X, Y)
    mw, mb = mse.gradients(X, Y)
    # 1e-12 of each entry, or of its array's largest entry: an entry that is a nearly cancelling
    # sum (e.g. −4.7e-7 from terms near 1) carries the rounding of its terms, not of itself
    for a, b in zip(mw + mb, [g / m for g in gw + gb]):
        assert rel_close(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max() + 1e-300)
    assert rel_close(mse.loss(X, Y), net.loss(X, Y) / m, rtol=1e-12)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_output_delta_is_a_minus_y_over_m(output):
    @FAST
    @given(cases(output=output, loss="cross_entropy"))
    def run(case):
        check_ce_delta(*case)

    run()


def check_ce_delta(net, X, Y):
    tr = net.trace(X, Y, 0.1)
    m = X.shape[0]
    A = tr.A[-1]
    assert np.array_equal(tr.output.error, A - Y)
    assert tr.output.simplified and tr.output.scale == 1.0 / m
    assert rel_close(tr.deltas[-1], (A - Y) / m, rtol=1e-15, atol=1e-300)
    assert tr.output.dE_da is None and tr.output.da_dz is None


def test_hand_chain_rule_on_a_tiny_sigmoid_net_exactly():
    """2-2-1 sigmoid, one sample: every product written out, compared to 1e-12."""
    net = Network([2, 2, 1], "sigmoid", "half_sse", bias=True)
    W1 = np.array([[0.3, -0.2], [0.1, 0.4]])
    W2 = np.array([[0.7, -0.5]])
    b1, b2 = np.array([0.05, -0.1]), np.array([0.2])
    net.set_parameters([W1, W2], [b1, b2])
    x, y = np.array([0.6, -0.9]), 0.25
    sig = lambda v: 1 / (1 + np.exp(-v))
    h = sig(W1 @ x + b1)
    o = sig(W2 @ h + b2)[0]
    d_o = (o - y) * o * (1 - o)
    d_h = d_o * W2[0] * h * (1 - h)
    gw, gb = net.gradients([x], [[y]])
    assert rel_close(gw[1], d_o * h[None, :]) and rel_close(gb[1], [d_o])
    assert rel_close(gw[0], np.outer(d_h, x)) and rel_close(gb[0], d_h)


# ---------------------------------------------------------------- seed 003
@FAST
@given(cases(loss="half_sse"))
def test_seed003_gradient_of_J_is_sum_of_per_sample_gradients(case):
    """J = Σ_i J_i: ∂J/∂w = Σ_i ∂J_i/∂w (train on the whole batch vs single samples)."""
    net, X, Y = case
    gw, gb = net.gradients(X, Y)
    per = [net.gradients(X[i : i + 1], Y[i : i + 1]) for i in range(X.shape[0])]
    sw = [sum(p[0][l] for p in per) for l in range(net.n_layers)]
    sb = [sum(p[1][l] for p in per) for l in range(net.n_layers)]
    _, _, bw, bb = hand_backprop(net, X, Y)
    assert_within_rounding(gw, sw, bw)
    assert_within_rounding(gb, sb, bb)
    # the same through whole updates: Δw on the batch = Σ_i Δw on each sample (η = 0.1)
    tr = net.trace(X, Y, 0.1)
    dsum = [
        sum(net.trace(X[i : i + 1], Y[i : i + 1], 0.1).delta_weights[l] for i in range(len(X)))
        for l in range(net.n_layers)
    ]
    assert_within_rounding(tr.delta_weights, dsum, [0.1 * b for b in bw])


def test_seed003_output_delta_has_the_opposite_sign():
    """δ_l = (y_l − o_l) o_l (1 − o_l) = −∂J/∂net_l = −(engine δ)."""
    net, X, Y = build_case([3, 4, 2], ["sigmoid", "sigmoid"], "half_sse", True, 1, seed=3)
    tr = net.trace(X, Y, 0.5)
    o, y = tr.A[2][0], Y[0]
    seed_delta = (y - o) * o * (1 - o)
    assert rel_close(seed_delta, -tr.deltas[2][0], rtol=1e-15)
    # hidden: δ_r = o_r(1 − o_r) Σ_l δ_l w_lr, again −(engine δ)
    h = tr.A[1][0]
    seed_hidden = h * (1 - h) * (seed_delta @ net.weights[1])
    assert rel_close(seed_hidden, -tr.deltas[1][0], rtol=1e-12)
    # w_rq ← w_rq + η δ_r u_rq
    assert rel_close(tr.delta_weights[1], 0.5 * np.outer(seed_delta, h), rtol=1e-15)
    assert rel_close(tr.delta_weights[0], 0.5 * np.outer(seed_hidden, X[0]), rtol=1e-12)


# ---------------------------------------------------------------- stability
def test_sigmoid_is_exact_and_silent_for_large_z():
    a = ACTIVATIONS["sigmoid"].f(np.array([1000.0, -1000.0, 800.0, -800.0, 0.0]))
    assert a.tolist() == [1.0, 0.0, 1.0, 0.0, 0.5]


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_activation_derivatives_match_fd_pointwise(act):
    f = ACTIVATIONS[act]
    z = np.array([-2.3, -0.7, 0.4, 1.9])
    a = f.f(z)
    eps = 1e-6
    fd = (f.f(z + eps) - f.f(z - eps)) / (2 * eps)
    assert rel_close(f.df(z, a), fd, rtol=1e-8)


@pytest.mark.parametrize("output,Y", [("sigmoid", [[0.0, 1.0]]), ("softmax", [[0.0, 1.0]])])
def test_cross_entropy_stays_finite_when_outputs_saturate(output, Y):
    net = Network([1, 2], output, "cross_entropy", bias=False)
    net.set_parameters([np.array([[1000.0], [-1000.0]])])  # a ≈ (1, 0), targets the opposite
    X = [[1.0]]
    assert net.forward(X).tolist() == [[1.0, 0.0]]
    E = net.loss(X, Y)
    assert np.isfinite(E) and E >= 1000.0
    tr = net.trace(X, Y, 0.1)
    assert np.isfinite(tr.loss) and tr.loss == E
    assert all(np.all(np.isfinite(g)) for g in tr.grad_weights)
    assert np.array_equal(tr.deltas[-1], np.array([[1.0, -1.0]]))
    # correct saturated predictions cost (almost) nothing
    assert net.loss(X, [[1.0, 0.0]]) == pytest.approx(0.0, abs=1e-300)
