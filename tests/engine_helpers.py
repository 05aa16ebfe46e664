"""Shared helpers for the engine tests: random networks, finite differences, a hand-written chain rule.

Nothing here imports the engine's maths beyond ``Network`` (to build and evaluate networks):
the chain rule below is written out in plain Python loops, one scalar at a time, the way the
seeds write it, so that comparing it with ``Network.gradients`` is a real check.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from engine import Network

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
KINKED = ("relu", "leaky_relu")
SQUARED = ("half_sse", "half_mse")
LEAKY = 0.01
KINK_MARGIN = 1e-4  # reject samples with |z| < 1e-4 in relu / leaky_relu layers


# ------------------------------------------------------------------ random cases
def targets(rng: np.random.Generator, loss: str, out_act: str, m: int, n: int) -> np.ndarray:
    """Targets Y (m, n) that suit the loss: probability rows for softmax cross-entropy,
    values in [0, 1] for sigmoid cross-entropy, anything for the squared errors."""
    if loss == "cross_entropy" and out_act == "softmax":
        return rng.dirichlet(np.ones(n), size=m)
    if loss == "cross_entropy":
        return rng.uniform(0.0, 1.0, size=(m, n))
    return rng.normal(0.0, 1.0, size=(m, n))


def build_case(sizes, acts, loss, bias, m, *, seed, scale=1.0):
    """A network with random N(0, scale²) weights (and biases if bias), and a batch (X, Y)."""
    rng = np.random.default_rng(seed)
    net = Network(sizes, acts, loss, bias=bias, seed=seed)
    W = [rng.normal(0.0, scale, size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(0.0, scale, size=o) if bias else np.zeros(o) for o in sizes[1:]]
    net.set_parameters(W, b)
    X = rng.normal(0.0, 1.0, size=(m, sizes[0]))
    Y = targets(rng, loss, acts[-1], m, sizes[-1])
    return net, X, Y


def away_from_kinks(net: Network, X) -> bool:
    """True when no relu / leaky_relu pre-activation is within KINK_MARGIN of 0."""
    Z, _ = net.forward_pass(X)
    return all(
        np.all(np.abs(Z[l]) >= KINK_MARGIN) for l in range(1, net.n_layers + 1) if net.activations[l - 1] in KINKED
    )


@st.composite
def cases(draw, hidden=None, output=None, loss=None, max_layers=4):
    """(net, X, Y) with 1–4 weight layers, widths 1–5, batch 1–6, bias on/off.

    hidden / output / loss fix the hidden activation, output activation or loss; otherwise drawn.
    """
    L = draw(st.integers(1, max_layers))
    sizes = [draw(st.integers(1, 5)) for _ in range(L + 1)]
    if loss is None:
        loss = draw(st.sampled_from(SQUARED + ("cross_entropy",)))
    if output is None:
        choices = ("sigmoid", "softmax") if loss == "cross_entropy" else ELEMENTWISE + ("softmax",)
        output = draw(st.sampled_from(choices))
    if output == "softmax":
        sizes[-1] = max(2, sizes[-1])
    hid = [hidden or draw(st.sampled_from(ELEMENTWISE)) for _ in range(L - 1)]
    bias = draw(st.booleans())
    m = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    net, X, Y = build_case(sizes, hid + [output], loss, bias, m, seed=seed)
    assume(away_from_kinks(net, X))
    if loss == "cross_entropy":  # saturated outputs (a rounds to 0 or 1) are tested on their own
        A = net.forward(X)
        assume(np.all((A > 1e-9) & (A < 1 - 1e-9)))
    return net, X, Y


# ------------------------------------------------------------- finite differences
def central_differences(net: Network, X, Y, eps: float = 1e-5):
    """(∂E/∂W, ∂E/∂b) by central differences (E(θ+ε) − E(θ−ε)) / 2ε on a copy of net.

    Biases are differentiated only if the network has them (zeros otherwise).
    """
    probe = net.copy()
    W, b = probe.parameters()

    def diff(params, k):
        G = np.zeros_like(params[k])
        for idx in np.ndindex(G.shape):
            old = params[k][idx]
            params[k][idx] = old + eps
            probe.set_parameters(W, b)
            e_plus = probe.loss(X, Y)
            params[k][idx] = old - eps
            probe.set_parameters(W, b)
            e_minus = probe.loss(X, Y)
            params[k][idx] = old
            G[idx] = (e_plus - e_minus) / (2 * eps)
        return G

    gw = [diff(W, k) for k in range(len(W))]
    gb = [diff(b, k) if net.bias else np.zeros_like(b[k]) for k in range(len(b))]
    return gw, gb


def assert_fd_close(analytic, numeric, E, rtol=1e-6):
    """Central differences agree to rtol relative; tiny gradients are compared against a floor
    of 1e-3 (1 + |E|), because the differences' round-off is ~1e-16 |E| / ε in absolute terms."""
    floor = 1e-3 * (1.0 + abs(E))
    for a, n in zip(analytic, numeric):
        err = np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
        assert np.all(err <= rtol), f"max relative error {err.max():.3g}\n{a}\n{n}"


# ------------------------------------------------------- the chain rule, by hand
def _g(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else LEAKY * z
    return z  # linear


def _dg(name, z, a):
    return {
        "sigmoid": a * (1 - a),
        "tanh": 1 - a * a,
        "relu": 1.0 if z > 0 else 0.0,
        "leaky_relu": 1.0 if z > 0 else LEAKY,
        "linear": 1.0,
    }[name]


def _dg_bound(name, z, a, ab):
    """A rounding scale for g'(z): the expression over |·|, plus how an error ~ab in a moves it."""
    if name == "sigmoid":  # a(1 − a): terms a and a², and d/da = 1 − 2a
        return abs(a) * (1 + abs(a)) + abs(1 - 2 * a) * ab
    if name == "tanh":  # 1 − a²: terms 1 and a², and d/da = −2a
        return 1 + a * a + 2 * abs(a) * ab
    return abs(_dg(name, z, a))  # piecewise constant away from the kink


def hand_backprop(net, X, Y):
    """Gradients of E by the chain rule, one scalar at a time (seed 001's index form), from net's
    structure and current parameters; nothing of the engine's own code runs.

    Returns (grad_w, grad_b, bound_w, bound_b). The bounds are the same sums taken over absolute
    values, with each activation carrying a scale ``ab`` of its own rounding (forward errors grow
    through 1 − a² when tanh saturates, for instance), so |engine − hand| ≤ 1e-12 · bound is a
    rounding-aware "exact up to rounding" test.
    """
    sizes, acts, loss = net.layer_sizes, net.activations, net.loss_name
    L = len(sizes) - 1
    m = len(X)
    W = [np.asarray(w).tolist() for w in net.weights]
    B = [np.asarray(b).tolist() for b in net.biases]
    grad_w = [np.zeros((sizes[l + 1], sizes[l])) for l in range(L)]
    grad_b = [np.zeros(sizes[l + 1]) for l in range(L)]
    bound_w = [np.zeros_like(g) for g in grad_w]
    bound_b = [np.zeros_like(g) for g in grad_b]
    s = 1.0 if loss == "half_sse" else 1.0 / m
    for c in range(m):
        a = [list(map(float, X[c]))]
        ab = [[abs(v) for v in a[0]]]  # rounding scale of each activation
        z = [None]
        for l in range(1, L + 1):  # z^l_i = Σ_j w_ij a^{l-1}_j + b_i,  a^l_i = g(z^l_i)
            n_prev = sizes[l - 1]
            zl = [sum(W[l - 1][i][j] * a[l - 1][j] for j in range(n_prev)) + B[l - 1][i] for i in range(sizes[l])]
            zb = [
                sum(abs(W[l - 1][i][j]) * ab[l - 1][j] for j in range(n_prev)) + abs(B[l - 1][i])
                for i in range(sizes[l])
            ]
            if acts[l - 1] == "softmax":
                mx = max(zl)
                e = [math.exp(v - mx) for v in zl]
                al = [v / sum(e) for v in e]
                abl = [v * (1 + 2 * max(zb)) for v in al]
            else:
                al = [_g(acts[l - 1], v) for v in zl]
                abl = [abs(v) + abs(_dg(acts[l - 1], zv, v)) * zbv for v, zv, zbv in zip(al, zl, zb)]
            z.append(zl)
            a.append(al)
            ab.append(abl)
        aL, abL, y = a[L], ab[L], list(map(float, Y[c]))
        n = sizes[L]
        # ∂E/∂a^L (and a bound on its rounding scale)
        if loss == "cross_entropy" and acts[-1] == "softmax":
            dE_da = [-s * y[i] / aL[i] for i in range(n)]
            bnd = [abs(v) for v in dE_da]
        elif loss == "cross_entropy":
            dE_da = [-s * (y[i] / aL[i] - (1 - y[i]) / (1 - aL[i])) for i in range(n)]
            bnd = [s * (abs(y[i] / aL[i]) + abs((1 - y[i]) / (1 - aL[i]))) for i in range(n)]
        else:
            dE_da = [s * (aL[i] - y[i]) for i in range(n)]
            bnd = [s * (abL[i] + abs(y[i])) for i in range(n)]
        # δ^L = Σ_k ∂E/∂a_k ∂a_k/∂z_i
        if acts[-1] == "softmax":
            delta = [sum(dE_da[k] * aL[k] * ((i == k) - aL[i]) for k in range(n)) for i in range(n)]
            dbnd = [sum(bnd[k] * abL[k] * ((i == k) + abL[i]) for k in range(n)) for i in range(n)]
        else:
            delta = [dE_da[i] * _dg(acts[-1], z[L][i], aL[i]) for i in range(n)]
            dbnd = [bnd[i] * _dg_bound(acts[-1], z[L][i], aL[i], abL[i]) for i in range(n)]
            if loss == "cross_entropy":  # δ = s (a − y): an error in a moves δ by s·Δa
                dbnd = [v + s * abL[i] for i, v in enumerate(dbnd)]
        for l in range(L, 0, -1):
            for i in range(sizes[l]):
                grad_b[l - 1][i] += delta[i]
                bound_b[l - 1][i] += dbnd[i]
                for j in range(sizes[l - 1]):  # ∂E/∂w_ij += δ_i a_j
                    grad_w[l - 1][i, j] += delta[i] * a[l - 1][j]
                    bound_w[l - 1][i, j] += dbnd[i] * ab[l - 1][j]
            if l > 1:  # δ^{l-1}_j = (Σ_i δ^l_i w_ij) g'(z^{l-1}_j)
                prev = []
                pbnd = []
                for j in range(sizes[l - 1]):
                    zj, aj = z[l - 1][j], a[l - 1][j]
                    prev.append(sum(delta[i] * W[l - 1][i][j] for i in range(sizes[l])) * _dg(acts[l - 2], zj, aj))
                    pbnd.append(
                        sum(dbnd[i] * abs(W[l - 1][i][j]) for i in range(sizes[l]))
                        * _dg_bound(acts[l - 2], zj, aj, ab[l - 1][j])
                    )
                delta, dbnd = prev, pbnd
    return grad_w, grad_b, bound_w, bound_b


def assert_within_rounding(actual, expected, bound, tol=1e-12):
    """|actual − expected| ≤ tol · bound elementwise (bound: the computation over |·|)."""
    for a, e, b in zip(actual, expected, bound):
        a, e, b = np.asarray(a), np.asarray(e), np.asarray(b)
        assert a.shape == e.shape
        assert np.all(np.abs(a - e) <= tol * b + 1e-300), f"{a}\n{e}\n{np.abs(a - e) / np.maximum(b, 1e-300)}"


def rel_close(a, b, rtol=1e-12, atol=0.0):
    """Elementwise |a − b| ≤ rtol · max(|a|, |b|) + atol for arrays or lists of arrays."""
    if isinstance(a, (list, tuple)):
        return all(rel_close(x, y, rtol, atol) for x, y in zip(a, b)) and len(a) == len(b)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + atol))


def arrays_equal(A, B) -> bool:
    """Bit-for-bit equality of two lists of arrays."""
    return len(A) == len(B) and all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(A, B))
