"""Network: worked examples (Mazur's 2-2-2 and the four seeds), fit, validation, serialisation.

Over 400 lines: the engine's public class, its published worked examples and its bad-input cases."""

import json
import warnings

import numpy as np
import pytest

from engine import Network, batch_indices, n_batches
from tests.engine_helpers import arrays_equal, build_case, rel_close


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def matches_published(value: float, published: str) -> bool:
    """value agrees with a number printed to some decimals, i.e. rounds to it."""
    decimals = len(published.split(".")[1])
    return abs(value - float(published)) <= 0.5 * 10.0**-decimals + 1e-15


# ------------------------------------------------------------ Mazur's example
def mazur():
    net = Network([2, 2, 2], "sigmoid", "half_sse", bias=True)
    net.set_parameters(
        [np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])],
        [np.array([0.35, 0.35]), np.array([0.60, 0.60])],
    )
    return net, np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])


def test_mazur_step_by_step_example_to_nine_digits():
    net, X, Y = mazur()
    tr = net.train_step(X, Y, 0.5, update_biases=False)
    assert matches_published(tr.A[2][0, 0], "0.75136507")
    assert matches_published(tr.A[2][0, 1], "0.772928465")
    assert matches_published(tr.loss, "0.298371109")
    expected = {
        (1, 0, 0): "0.35891648",
        (1, 0, 1): "0.408666186",
        (1, 1, 0): "0.511301270",
        (1, 1, 1): "0.561370121",
        (0, 0, 0): "0.149780716",
        (0, 0, 1): "0.19956143",
        (0, 1, 0): "0.24975114",
        (0, 1, 1): "0.29950229",
    }
    for (l, i, j), published in expected.items():
        assert matches_published(net.weights[l][i, j], published), (l, i, j, net.weights[l][i, j])
        assert net.weights[l][i, j] == tr.weights_after[l][i, j]
    # frozen biases: exactly unchanged, and no bias update events
    assert net.biases[0].tolist() == [0.35, 0.35] and net.biases[1].tolist() == [0.60, 0.60]
    assert not tr.update_biases
    assert all(e.kind != "update_b" for e in tr.events)
    # the hidden values Mazur prints along the way
    assert matches_published(tr.A[1][0, 0], "0.593269992") and matches_published(tr.A[1][0, 1], "0.596884378")


# ------------------------------------------------------------------ seed 000
@pytest.mark.parametrize("sizes", [[1, 1, 1, 1], [2, 3, 2, 1]])
def test_seed000_three_sigmoid_layers_symbol_by_symbol(sizes):
    """L_h → L_i → L_j → L_k, no biases, E = (T − L_k)²/2."""
    rng = np.random.default_rng(0)
    net = Network(sizes, "sigmoid", "half_sse", bias=False)
    w_hi, w_ij, w_jk = (rng.normal(0, 1, (o, i)) for i, o in zip(sizes[:-1], sizes[1:]))
    net.set_parameters([w_hi, w_ij, w_jk])
    L_h = rng.normal(0, 1, sizes[0])
    T = 0.3
    L_i = sig(w_hi @ L_h)  # L_i = σ(Σ w_hi L_h)
    L_j = sig(w_ij @ L_i)
    L_k = sig(w_jk @ L_j)[0]
    tr = net.trace([L_h], [[T]], 0.7)
    assert rel_close(tr.A[3][0, 0], L_k, 1e-15) and rel_close(tr.A[2][0], L_j, 1e-15)

    dE_dw_jk = (L_k - T) * L_k * (1 - L_k) * L_j  # (L_k − T)·L_k(1 − L_k)·L_j
    dE_dL_j = (L_k - T) * L_k * (1 - L_k) * w_jk[0]  # recurrence
    dE_dw_ij = np.outer(dE_dL_j * L_j * (1 - L_j), L_i)  # [(L_k − T) L_k(1 − L_k) w_jk][L_j(1 − L_j)] L_i
    dE_dL_i = (dE_dL_j * L_j * (1 - L_j)) @ w_ij  # ∂E/∂L_i = Σ_j ∂E/∂L_j L_j(1 − L_j) w_ij
    dE_dw_hi = np.outer(dE_dL_i * L_i * (1 - L_i), L_h)
    gw, _ = net.gradients([L_h], [[T]])
    for engine, seed in zip(gw, [dE_dw_hi, dE_dw_ij, dE_dw_jk[None, :]]):
        assert rel_close(engine, seed, 1e-13)
    for engine, seed in zip(tr.grad_weights, [dE_dw_hi, dE_dw_ij, dE_dw_jk[None, :]]):
        assert rel_close(engine, seed, 1e-13)
    # Δw = −α ∂E/∂w,  w' = w + Δw
    assert rel_close(tr.delta_weights[2], -0.7 * dE_dw_jk[None, :], 1e-13)
    assert np.array_equal(tr.weights_after[2], w_jk + tr.delta_weights[2])

    # the trace's output δ event: factors (L_k − T) and L_k(1 − L_k), exactly
    lay = tr.layout
    ev = tr.events[lay.delta_start]
    assert (ev.kind, ev.layer, ev.i, ev.sample) == ("delta", 3, 0, 0)
    Lk = tr.A[3][0, 0]
    assert ev.factors.error == Lk - T
    assert ev.factors.da_dz == Lk * (1 - Lk)
    assert ev.factors.scale == 1.0 and ev.factors.dE_da == Lk - T
    assert ev.value == ev.factors.error * ev.factors.da_dz
    # hidden δ event of layer j: ∂E/∂L_j · L_j(1 − L_j)
    ev = tr.events[lay.delta_start + sizes[3]]
    assert (ev.kind, ev.layer, ev.i) == ("delta", 2, 0)
    assert rel_close(ev.factors.dE_da, dE_dL_j[0], 1e-14)
    assert ev.factors.da_dz == tr.A[2][0, 0] * (1 - tr.A[2][0, 0])
    # grad_w event for w_jk: δ_k · L_j
    ev = tr.events[lay.grad_start]
    assert (ev.kind, ev.layer, ev.i, ev.j) == ("grad_w", 3, 0, 0)
    assert rel_close(ev.value, dE_dw_jk[0], 1e-14)
    assert ev.factors.a_prev[0] == tr.A[2][0, 0]


# ------------------------------------------------------------------ seed 001
def test_seed001_batch_gradients_index_by_index():
    """E = 1/(2m) ΣΣ (A^L − Y)², columns are samples; ∂E/∂W^l_ij = Σ_c ∂E/∂Z^l_ic A^{l-1}_jc."""
    net, X, Y = build_case([3, 4, 2], ["tanh", "sigmoid"], "half_mse", True, 5, seed=1)
    m, L = X.shape[0], 2
    W = {l: net.weights[l - 1] for l in (1, 2)}
    b = {l: net.biases[l - 1] for l in (1, 2)}
    A = {0: X.T}  # A^0 = [x_1 … x_m]
    Z = {}
    for l, g in ((1, np.tanh), (2, sig)):
        Z[l] = W[l] @ A[l - 1] + b[l][:, None]
        A[l] = g(Z[l])
    dg = {1: 1 - A[1] ** 2, 2: A[2] * (1 - A[2])}
    dE_dA = {L: (A[L] - Y.T) / m}  # ∂E/∂A^L_ic = (1/m)(A^L_ic − Y_ic)
    dE_dZ = {}
    for l in (2, 1):
        dE_dZ[l] = dE_dA[l] * dg[l]  # ∂E/∂Z^l_ic = ∂E/∂A^l_ic g'(Z^l_ic)
        if l > 1:
            n_prev, n_l = W[l].shape[1], W[l].shape[0]
            dE_dA[l - 1] = np.array(
                [[sum(dE_dZ[l][j, c] * W[l][j, i] for j in range(n_l)) for c in range(m)] for i in range(n_prev)]
            )
    tr = net.trace(X, Y, 0.1)
    assert rel_close(tr.output.dE_da, dE_dA[L].T, 1e-15)
    for l in (1, 2):
        assert rel_close(tr.deltas[l], dE_dZ[l].T, 1e-13)
        n_l, n_prev = W[l].shape
        for i in range(n_l):
            gb = sum(dE_dZ[l][i, c] for c in range(m))  # ∂E/∂b^l_i = Σ_c ∂E/∂Z^l_ic
            assert rel_close(tr.grad_biases[l - 1][i], gb, 1e-12)
            for j in range(n_prev):
                gw = sum(dE_dZ[l][i, c] * A[l - 1][j, c] for c in range(m))
                assert rel_close(tr.grad_weights[l - 1][i, j], gw, 1e-12)
    assert rel_close(tr.loss, ((A[L] - Y.T) ** 2).sum() / (2 * m), 1e-14)


# ------------------------------------------------------------------ seed 002
def test_seed002_rss_with_bias_input_and_opposite_sign_delta():
    """z_k = W_k0 x0 + Σ_j W_kj a_j with x0 = 1; δ_k = (y_k − a_k) a_k(1 − a_k); W_kj += η δ_k a_j."""
    net, X, Y = build_case([3, 4, 2], ["sigmoid", "sigmoid"], "half_sse", True, 1, seed=2)
    eta, x0 = 0.3, 1.0
    tr = net.trace(X, Y, eta)
    for l in (1, 2):  # the bias is the weight of the constant input x0
        Waug = np.column_stack([net.biases[l - 1], net.weights[l - 1]])
        a_prev = np.concatenate([[x0], tr.A[l - 1][0]])
        assert rel_close(tr.Z[l][0], Waug @ a_prev, 1e-14)
    a_k, y, a_j, a_i = tr.A[2][0], Y[0], tr.A[1][0], X[0]
    delta_k = (y - a_k) * a_k * (1 - a_k)
    assert rel_close(delta_k, -tr.deltas[2][0], 1e-15)
    assert rel_close(tr.grad_weights[1], -np.outer(delta_k, a_j), 1e-15)  # ∂RSS/∂W_kj = −δ_k a_j
    assert rel_close(tr.delta_weights[1], eta * np.outer(delta_k, a_j), 1e-15)
    assert rel_close(tr.delta_biases[1], eta * delta_k * x0, 1e-15)
    delta_j = (delta_k @ net.weights[1]) * (1 - a_j) * a_j  # Σ_k δ_k w_kj (1 − a_j) a_j
    assert rel_close(tr.delta_weights[0], eta * np.outer(delta_j, a_i), 1e-13)
    assert rel_close(tr.delta_biases[0], eta * delta_j * x0, 1e-13)
    # update events: Δw = η · (seed δ) · a_j, and W' = W + Δw
    for ev in tr.events[tr.layout.update_start :]:
        d = delta_k if ev.layer == 2 else delta_j
        a = (a_j if ev.layer == 2 else a_i)[ev.j] if ev.kind == "update_w" else x0
        assert rel_close(ev.factors.delta_w, eta * d[ev.i] * a, 1e-13)
        assert ev.factors.old + ev.factors.delta_w == ev.value


# ------------------------------------------------------------------------ fit
def reference_fit(net, X, Y, lr, epochs, *, batch_size, update_biases=True, shuffle=False, seed=0):
    """fit written the slow way: train_step on each batch of the schedule; loss after each epoch."""
    m = X.shape[0]
    B = m if batch_size is None else batch_size
    nb = n_batches(m, B)
    losses = []
    for u in range(epochs * nb):
        idx = batch_indices(m, B, u, shuffle, seed)
        net.train_step(X[idx], Y[idx], lr, update_biases)
        if (u + 1) % nb == 0:
            losses.append(net.loss(X, Y))
    return np.array(losses)


@pytest.mark.parametrize("batch_size", [None, 1, 3])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("bias,update_biases", [(True, True), (True, False), (False, True)])
def test_fit_equals_train_steps_on_the_schedule(batch_size, shuffle, bias, update_biases):
    net, X, Y = build_case([2, 3, 2], ["tanh", "sigmoid"], "half_mse", bias, 10, seed=5, scale=0.7)
    ref = net.copy()
    b0 = [b.copy() for b in net.biases]
    losses = net.fit(X, Y, 0.5, 4, batch_size=batch_size, update_biases=update_biases, shuffle=shuffle, seed=11)
    expected = reference_fit(
        ref, X, Y, 0.5, 4, batch_size=batch_size, update_biases=update_biases, shuffle=shuffle, seed=11
    )
    assert losses.shape == (4,)
    assert rel_close(losses, expected, 1e-12)
    assert rel_close(net.weights, ref.weights, 1e-12, 1e-15)
    assert rel_close(net.biases, ref.biases, 1e-12, 1e-15)
    assert rel_close(losses[-1], net.loss(X, Y), 1e-12)
    if not (bias and update_biases):
        assert arrays_equal(net.biases, b0)  # frozen or absent biases: exactly unchanged
    if not bias:
        assert all(np.array_equal(b, np.zeros_like(b)) for b in net.biases)


@pytest.mark.parametrize(
    "loss,out",
    [("half_sse", "linear"), ("cross_entropy", "softmax"), ("cross_entropy", "sigmoid"), ("half_sse", "softmax")],
)
def test_fit_matches_train_steps_for_every_output(loss, out):
    net, X, Y = build_case([3, 4, 3], ["relu", out], loss, True, 10, seed=8, scale=0.5)
    ref = net.copy()
    losses = net.fit(X, Y, 0.05, 3, batch_size=4, shuffle=True, seed=3)
    assert rel_close(losses, reference_fit(ref, X, Y, 0.05, 3, batch_size=4, shuffle=True, seed=3), 1e-12)
    assert rel_close(net.weights, ref.weights, 1e-12, 1e-15)


HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
LOSS_AND_OUTPUT = [
    ("half_sse", "sigmoid"),
    ("half_mse", "linear"),
    ("half_sse", "softmax"),
    ("cross_entropy", "softmax"),
    ("cross_entropy", "sigmoid"),
]


@pytest.mark.parametrize("batch_size", [1, 3, None])
@pytest.mark.parametrize("loss,out", LOSS_AND_OUTPUT)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("n_hidden", [1, 2, 3, 4])
def test_fit_equals_train_steps_for_every_depth_activation_and_loss(n_hidden, hidden, loss, out, batch_size):
    """Hidden layers sharing an activation have their g' computed in one call in fit: 1–4 of them."""
    sizes = [2] + [3, 4, 2, 3][:n_hidden] + [2]
    net, X, Y = build_case(sizes, [hidden] * n_hidden + [out], loss, True, 7, seed=n_hidden, scale=0.6)
    ref = net.copy()
    losses = net.fit(X, Y, 0.05, 3, batch_size=batch_size, shuffle=True, seed=2)
    assert np.all(np.isfinite(losses))  # the comparison below is between two trainings that stay finite
    assert rel_close(losses, reference_fit(ref, X, Y, 0.05, 3, batch_size=batch_size, shuffle=True, seed=2), 1e-12)
    assert rel_close(net.weights, ref.weights, 1e-12, 1e-15)
    assert rel_close(net.biases, ref.biases, 1e-12, 1e-15)


@pytest.mark.parametrize("batch_size", [1, 3, None])
@pytest.mark.parametrize("bias", [True, False])
def test_fit_equals_train_steps_with_mixed_hidden_activations(batch_size, bias):
    """Runs of equal activations (tanh, tanh | relu | sigmoid, sigmoid) share their g' calls; others do not."""
    acts = ["tanh", "tanh", "relu", "sigmoid", "sigmoid", "leaky_relu", "linear"]
    net, X, Y = build_case([3, 4, 3, 5, 2, 3, 4, 2, 1], acts + ["sigmoid"], "half_sse", bias, 9, seed=4, scale=0.7)
    ref = net.copy()
    losses = net.fit(X, Y, 0.2, 3, batch_size=batch_size)
    assert rel_close(losses, reference_fit(ref, X, Y, 0.2, 3, batch_size=batch_size), 1e-12)
    assert rel_close(net.weights, ref.weights, 1e-12, 1e-15)
    assert rel_close(net.biases, ref.biases, 1e-12, 1e-15)


def test_fit_shuffle_is_deterministic_from_seed():
    net, X, Y = build_case([2, 3, 1], ["tanh", "linear"], "half_sse", True, 10, seed=9, scale=0.5)
    a, b, c = net.copy(), net.copy(), net.copy()
    la = a.fit(X, Y, 0.01, 3, batch_size=3, shuffle=True, seed=4)
    lb = b.fit(X, Y, 0.01, 3, batch_size=3, shuffle=True, seed=4)
    lc = c.fit(X, Y, 0.01, 3, batch_size=3, shuffle=True, seed=5)
    assert np.array_equal(la, lb) and arrays_equal(a.weights, b.weights)
    assert not np.array_equal(la, lc)


def test_fit_zero_epochs_changes_nothing():
    net, X, Y = build_case([2, 2, 1], ["sigmoid", "sigmoid"], "half_sse", True, 4, seed=0)
    before = net.parameters()
    assert net.fit(X, Y, 0.5, 0).shape == (0,)
    assert arrays_equal(net.weights, before[0]) and arrays_equal(net.biases, before[1])


@pytest.mark.parametrize("lr", [1e6, 1e12])
def test_fit_divergence_stops_early_without_warnings(lr):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    Y = np.array([[0], [1], [1], [0]], float)
    net = Network([2, 3, 1], ["tanh", "linear"], "half_sse", seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses = net.fit(X, Y, lr, 200)
        assert 1 <= len(losses) < 200
        assert not np.isfinite(losses[-1]) and np.all(np.isfinite(losses[:-1]))
        net.loss(X, Y)  # evaluating the diverged network is silent too
        net.trace(X, Y, 0.1)


# ----------------------------------------------------------------- validation
@pytest.mark.parametrize("sizes", [[], [2], [2, 0], [2, "a"], [2, 2.5], [2, -1], [True, 2], 5, None, "22"])
def test_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="layer_sizes"):
        Network(sizes)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(activations=["sigmoid"]), "one activation per layer"),
        (dict(activations=["sigmoid"] * 3), "one activation per layer"),
        (dict(activations="swish"), "unknown activation"),
        (dict(activations=5), "activations"),
        (dict(activations=["softmax", "sigmoid"]), "softmax"),
        (dict(loss="mse"), "unknown loss"),
        (dict(activations=["sigmoid", "linear"], loss="cross_entropy"), "cross_entropy"),
        (dict(activations=["sigmoid", "tanh"], loss="cross_entropy"), "cross_entropy"),
        (dict(activations=["sigmoid", "relu"], loss="cross_entropy"), "cross_entropy"),
        (dict(init="zeros"), "unknown initialisation"),
    ],
)
def test_bad_network_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Network([2, 3, 2], **kwargs)


def test_softmax_needs_two_outputs():
    with pytest.raises(ValueError, match="softmax"):
        Network([2, 1], "softmax")


@pytest.mark.parametrize("init", ["uniform", "xavier", "he"])
def test_inits_are_seeded_and_shaped(init):
    a, b = Network([3, 4, 2], init=init, seed=3), Network([3, 4, 2], init=init, seed=3)
    assert arrays_equal(a.weights, b.weights)
    assert [W.shape for W in a.weights] == [(4, 3), (2, 4)]
    assert all(np.array_equal(x, np.zeros_like(x)) for x in a.biases)


def test_set_parameters_validation():
    net = Network([2, 3, 1], bias=True)
    W = [np.zeros((3, 2)), np.zeros((1, 3))]
    b = [np.zeros(3), np.zeros(1)]
    bad = [
        (([np.zeros((2, 3)), W[1]], b), "shape"),
        ((W[:1], b), "expected 2 weight"),
        ((W, b[:1]), "expected 2 bias"),
        ((W, [np.zeros(2), b[1]]), "shape"),
        (([W[0], np.array([[np.nan, 0, 0]])], b), "NaN"),
        ((W, [b[0], np.array([np.inf])]), "NaN"),
        (([W[0], [["a", 0, 0]]], b), "numeric"),
        ((5, b), "weights"),
        ((W, 5), "biases"),
    ]
    for args, match in bad:
        with pytest.raises(ValueError, match=match):
            net.set_parameters(*args)
    nob = Network([2, 3, 1], bias=False)
    with pytest.raises(ValueError, match="no biases"):
        nob.set_parameters(W, [np.ones(3), np.zeros(1)])
    nob.set_parameters(W, b)  # zeros are fine
    nob.set_parameters(W)  # omitted means zeros


def test_set_parameters_copies():
    net = Network([1, 1], bias=True)
    W, b = [np.array([[2.0]])], [np.array([1.0])]
    net.set_parameters(W, b)
    W[0][0, 0], b[0][0] = 5.0, 5.0
    assert net.weights[0][0, 0] == 2.0 and net.biases[0][0] == 1.0


@pytest.mark.parametrize(
    "X,Y,match",
    [
        ([[1.0, 2.0, 3.0]], [[1.0]], "X must have shape"),
        (np.zeros((0, 2)), np.zeros((0, 1)), "X must have shape"),
        (np.zeros((2, 2, 1)), [[1.0], [1.0]], "X must have shape"),
        ([[1.0, np.nan]], [[1.0]], "X contains NaN"),
        ([[1.0, np.inf]], [[1.0]], "X contains NaN"),
        ([["a", 1.0]], [[1.0]], "X must be numeric"),
        ([[1.0, 2.0]], [[1.0, 2.0]], "Y must have shape"),
        ([[1.0, 2.0], [3.0, 4.0]], [[1.0]], "Y has 1 rows"),
        ([[1.0, 2.0]], [[np.nan]], "Y contains NaN"),
    ],
)
def test_bad_batches(X, Y, match):
    net = Network([2, 3, 1])
    for call in (
        lambda: net.loss(X, Y),
        lambda: net.gradients(X, Y),
        lambda: net.trace(X, Y, 0.1),
        lambda: net.train_step(X, Y, 0.1),
        lambda: net.fit(X, Y, 0.1, 1),
    ):
        with pytest.raises(ValueError, match=match):
            call()


def test_one_dimensional_inputs_are_one_sample_or_a_column():
    net = Network([2, 3, 1], seed=0)
    assert net.forward([0.1, 0.2]).shape == (1, 1)
    X = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    assert net.loss(X, [1.0, 0.0, 1.0]) == net.loss(X, [[1.0], [0.0], [1.0]])


@pytest.mark.parametrize("lr", [-0.1, np.nan, np.inf, "fast", None, [0.1]])
def test_bad_learning_rates(lr):
    net = Network([2, 2, 1])
    X, Y = [[0.0, 1.0]], [[1.0]]
    for call in (lambda: net.trace(X, Y, lr), lambda: net.train_step(X, Y, lr), lambda: net.fit(X, Y, lr, 1)):
        with pytest.raises(ValueError, match="learning rate"):
            call()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=-1), "batch_size"),
        (dict(batch_size=2.5), "batch_size"),
        (dict(epochs=-1), "epochs"),
        (dict(epochs=1.5), "epochs"),
    ],
)
def test_bad_fit_arguments(kwargs, match):
    net = Network([2, 2, 1])
    args = dict(epochs=1) | kwargs
    with pytest.raises(ValueError, match=match):
        net.fit([[0.0, 1.0]], [[1.0]], 0.1, **args)


def test_train_step_on_a_zero_learning_rate_changes_nothing():
    net, X, Y = build_case([2, 3, 1], ["tanh", "sigmoid"], "half_sse", True, 3, seed=4)
    before = net.parameters()
    net.train_step(X, Y, 0.0)
    assert arrays_equal(net.weights, before[0]) and arrays_equal(net.biases, before[1])


# -------------------------------------------------------------- serialisation
@pytest.mark.parametrize("bias", [True, False])
def test_to_dict_from_dict_round_trip_exactly(bias):
    net, X, Y = build_case([3, 4, 2], ["leaky_relu", "softmax"], "cross_entropy", bias, 2, seed=6)
    d = net.to_dict()
    for back in (Network.from_dict(d), Network.from_dict(json.loads(json.dumps(d)))):
        assert back.layer_sizes == net.layer_sizes and back.activations == net.activations
        assert back.loss_name == net.loss_name and back.bias == net.bias
        assert arrays_equal(back.weights, net.weights) and arrays_equal(back.biases, net.biases)
        assert back.to_dict() == d
        assert np.array_equal(back.forward(X), net.forward(X))


GOOD = {
    "layer_sizes": [2, 1],
    "activations": ["sigmoid"],
    "loss": "half_sse",
    "bias": True,
    "weights": [[[0.1, 0.2]]],
    "biases": [[0.3]],
}


@pytest.mark.parametrize(
    "d",
    [
        None,
        [],
        "network",
        5,
        {k: v for k, v in GOOD.items() if k != "weights"},
        {k: v for k, v in GOOD.items() if k != "layer_sizes"},
        GOOD | {"layer_sizes": "2,1"},
        GOOD | {"layer_sizes": [2, "1"]},
        GOOD | {"layer_sizes": [2, 1.0]},
        GOOD | {"layer_sizes": [2]},
        GOOD | {"layer_sizes": [2, True]},
        GOOD | {"bias": "yes"},
        GOOD | {"activations": ["swish"]},
        GOOD | {"activations": 5},
        GOOD | {"activations": ["sigmoid", "sigmoid"]},
        GOOD | {"loss": "l1"},
        GOOD | {"loss": None},
        GOOD | {"weights": [[[0.1, 0.2, 0.3]]]},
        GOOD | {"weights": [[[0.1, None]]]},
        GOOD | {"weights": [[[0.1, "x"]]]},
        GOOD | {"weights": 5},
        GOOD | {"weights": "ab"},
        GOOD | {"weights": {"0": 1}},
        GOOD | {"weights": [[[0.1, 0.2]], [[0.1]]]},
        GOOD | {"weights": [[[0.1], [0.2]]]},
        GOOD | {"weights": [[[float("nan"), 0.2]]]},
        GOOD | {"biases": [[0.3, 0.4]]},
        GOOD | {"biases": 5},
        GOOD | {"biases": [[float("inf")]]},
        GOOD | {"bias": False},
    ],
)
def test_from_dict_rejects_malformed(d):
    with pytest.raises(ValueError):
        Network.from_dict(d)


def test_from_dict_accepts_the_minimal_description():
    net = Network.from_dict(GOOD)
    assert net.weights[0].tolist() == [[0.1, 0.2]] and net.biases[0].tolist() == [0.3]
    net = Network.from_dict({k: v for k, v in GOOD.items() if k not in ("biases", "bias")})
    assert net.bias and net.biases[0].tolist() == [0.0]


def test_repr_and_properties():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "half_mse", bias=False)
    assert net.n_layers == 2 and net.layer_sizes == (2, 3, 1)
    assert net.activations == ("tanh", "sigmoid") and net.loss_name == "half_mse" and net.bias is False
    assert net.n_parameters == 6 + 3
    assert "2-3-1" in repr(net)
