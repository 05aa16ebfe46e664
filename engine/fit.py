"""The fast training loop behind ``Network.fit``: the same equations, fewer numpy calls.

At batch size 10, numpy's per-call overhead (about a microsecond or two) costs more
than the arithmetic, so this loop keeps the number of calls per layer small:

- each layer's weights and bias live together as one augmented matrix
  Ŵ^l = [W^l | b^l] of shape (n_l, n_{l-1} + 1), and every activation matrix carries
  a column of ones, so Z^l = Â^{l-1} Ŵ^lᵀ is one call and ∂E/∂Ŵ^l = δ^lᵀ Â^{l-1}
  gives the weight and bias gradients in one call;
- all Ŵ^l are views into one flat parameter vector, all gradients into another, so the
  update P ← P − η G is two calls for the whole network;
- every intermediate array is preallocated and written with ``out=``.

It produces the same numbers as ``Network.train_step`` up to rounding (checked in tests).
"""

from __future__ import annotations

import numpy as np

from .losses import loss_scale, loss_value, output_delta
from .schedule import check_batch_size, epoch_order

__all__ = ["fit", "run_updates"]


# δ ← δ ⊙ g'(A), in place, written with a's (as the seeds write g').
def _dsigmoid(D, A, T):
    np.subtract(1.0, A, out=T)
    np.multiply(T, A, out=T)  # a(1 − a)
    np.multiply(D, T, out=D)


def _dtanh(D, A, T):
    np.multiply(A, A, out=T)
    np.subtract(1.0, T, out=T)  # 1 − a²
    np.multiply(D, T, out=D)


def _drelu(D, A, T):
    np.greater(A, 0.0, out=T)  # [z > 0]  (a > 0 exactly when z > 0)
    np.multiply(D, T, out=D)


def _dleaky(D, A, T):
    from .activations import LEAKY_SLOPE

    np.greater(A, 0.0, out=T)
    np.multiply(T, 1.0 - LEAKY_SLOPE, out=T)
    np.add(T, LEAKY_SLOPE, out=T)  # 1 if z > 0 else 0.01
    np.multiply(D, T, out=D)


def _dlinear(D, A, T):
    pass


_DERIV = {"sigmoid": _dsigmoid, "tanh": _dtanh, "relu": _drelu, "leaky_relu": _dleaky, "linear": _dlinear}


# A ← g(Z); Z may be overwritten.
def _sigmoid(Z, A):
    np.negative(Z, out=Z)
    np.exp(Z, out=Z)  # may overflow to inf: σ = 1/(1 + inf) = 0 exactly
    np.add(Z, 1.0, out=Z)
    np.divide(1.0, Z, out=A)


def _tanh(Z, A):
    np.tanh(Z, out=A)


def _relu(Z, A):
    np.maximum(Z, 0.0, out=A)


def _leaky(Z, A):
    from .activations import LEAKY_SLOPE

    np.multiply(Z, LEAKY_SLOPE, out=A)
    np.maximum(Z, A, out=A)  # max(z, 0.01 z)


def _linear(Z, A):
    np.copyto(A, Z)


def _softmax(Z, A):
    np.subtract(Z, Z.max(axis=1, keepdims=True), out=Z)
    np.exp(Z, out=Z)
    np.divide(Z, Z.sum(axis=1, keepdims=True), out=A)


_FORWARD = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "leaky_relu": _leaky, "linear": _linear,
            "softmax": _softmax}


class _Buffers:
    """Preallocated Z^l, Â^l (with a ones column when biased), δ^l and scratch, for batch size B."""

    def __init__(self, sizes, B, bc):
        L = len(sizes) - 1
        self.Z = [None] + [np.empty((B, n)) for n in sizes[1:]]
        self.Aaug = [None] + [np.ones((B, n + bc)) for n in sizes[1:L]] + [np.empty((B, sizes[L]))]
        self.A = [None] + [Aa[:, : sizes[l]] for l, Aa in enumerate(self.Aaug[1:], start=1)]
        self.D = [None] + [np.empty((B, n)) for n in sizes[1:]]
        self.T = [None] + [np.empty((B, n)) for n in sizes[1:]]


def run_updates(net, X, Y, lr, batch_size, update_biases, shuffle, seed, start_update, n_updates,
                per_epoch=None):
    """Apply updates number start_update … start_update + n_updates − 1 to ``net`` in place.

    X (m, n_in), Y (m, n_out) validated float64. ``per_epoch(epoch, net_params)`` is called
    after each completed epoch with (weights, biases) views; if it returns False, training stops.
    Returns the number of updates applied.
    """
    sizes = net.layer_sizes
    L = len(sizes) - 1
    m = X.shape[0]
    B = check_batch_size(batch_size, m)
    nb = -(-m // B)
    bc = 1 if net.bias else 0
    ub = net.bias and update_biases

    # one flat parameter vector P and gradient vector G; Ŵ^l = [W^l | b^l] are views
    shapes = [(sizes[l + 1], sizes[l] + bc) for l in range(L)]
    offs = np.cumsum([0] + [r * c for r, c in shapes])
    P, G = np.empty(offs[-1]), np.empty(offs[-1])
    What = [P[offs[l] : offs[l + 1]].reshape(shapes[l]) for l in range(L)]
    Ghat = [G[offs[l] : offs[l + 1]].reshape(shapes[l]) for l in range(L)]
    for l in range(L):
        What[l][:, : sizes[l]] = net.weights[l]
        if bc:
            What[l][:, sizes[l]] = net.biases[l]
    W = [Wh[:, : sizes[l]] for l, Wh in enumerate(What)]  # W^{l+1} without the bias column
    WT = [Wh.T for Wh in What]
    step = lr  # scalar η, or a vector with 0 on frozen biases
    if bc and not ub:
        step = np.full(offs[-1], lr)
        for l in range(L):
            step[offs[l] : offs[l + 1]].reshape(shapes[l])[:, sizes[l]] = 0.0

    Xa = np.ones((m, sizes[0] + bc))
    Xa[:, : sizes[0]] = X
    acts = net.activations
    fwd = [None] + [_FORWARD[a] for a in acts]
    dact = [None] + [_DERIV.get(a) for a in acts]
    out_act = net.activation(L)
    squared = net.loss_name != "cross_entropy"
    fast_out = out_act.name != "softmax" or not squared
    bufs: dict[int, _Buffers] = {}
    dot, subtract, multiply = np.dot, np.subtract, np.multiply

    def params():
        return [w.copy() for w in W], [Wh[:, sizes[l]].copy() if bc else np.zeros(sizes[l + 1])
                                         for l, Wh in enumerate(What)]

    u, end = start_update, start_update + n_updates
    done = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while u < end:
            epoch, b = divmod(u, nb)
            order = epoch_order(m, epoch, shuffle, seed)
            Xe, Ye = (Xa[order], Y[order]) if shuffle else (Xa, Y)
            for b in range(b, nb):
                if u >= end:
                    break
                A0, Yb = Xe[b * B : (b + 1) * B], Ye[b * B : (b + 1) * B]
                mb = A0.shape[0]
                buf = bufs.get(mb) or bufs.setdefault(mb, _Buffers(sizes, mb, bc))
                Z, Aa, A, D, T = buf.Z, buf.Aaug, buf.A, buf.D, buf.T
                prev = A0
                for l in range(1, L + 1):
                    dot(prev, WT[l - 1], out=Z[l])  # Z^l = Â^{l-1} Ŵ^lᵀ
                    fwd[l](Z[l], A[l])  # A^l = g(Z^l)
                    prev = Aa[l]
                s = loss_scale(net.loss_name, mb)
                if fast_out:
                    subtract(A[L], Yb, out=D[L])  # a − y
                    if s != 1.0:
                        multiply(D[L], s, out=D[L])  # s (a − y)
                    if squared:
                        dact[L](D[L], A[L], T[L])  # δ^L = s (a − y) ⊙ g'(z)
                else:  # softmax with a squared error: the full Jacobian
                    D[L][...] = output_delta(net.loss_name, out_act, None, A[L], Yb).delta
                for l in range(L - 1, 0, -1):
                    dot(D[l + 1], W[l], out=D[l])  # δ^{l+1} W^{l+1}
                    dact[l](D[l], A[l], T[l])  # δ^l = (δ^{l+1} W^{l+1}) ⊙ g'(Z^l)
                prev = A0
                for l in range(1, L + 1):
                    dot(D[l].T, prev, out=Ghat[l - 1])  # ∂E/∂Ŵ^l = δ^lᵀ Â^{l-1}
                    prev = Aa[l]
                multiply(G, step, out=G)
                subtract(P, G, out=P)  # w ← w − η ∂E/∂w
                u += 1
                done += 1
            if u % nb == 0 and per_epoch is not None and per_epoch(u // nb - 1, params()) is False:
                break
    net.weights, net.biases = params()
    return done


def fit(net, X, Y, lr, epochs, batch_size=None, update_biases=True, shuffle=False, seed=0):
    """Train ``epochs`` epochs from update 0; returns E(X, Y) after each epoch, shape (epochs,).

    Stops early, returning a shorter array whose last entry is not finite, if training diverges.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    m = X.shape[0]
    nb = -(-m // check_batch_size(batch_size, m))
    losses: list[float] = []
    act = net.activation(net.n_layers)

    def record(epoch, wb):
        Z, A = net._forward(X, *wb)
        with np.errstate(all="ignore"):
            E = float(loss_value(net.loss_name, act, Z[-1], A[-1], Y).sum())
        losses.append(E)
        return bool(np.isfinite(E))

    run_updates(net, X, Y, lr, batch_size, update_biases, shuffle, seed, 0, int(epochs) * nb, record)
    return np.array(losses)
