"""The fast training loop behind ``Network.fit``: the same equations, fewer numpy calls.

At batch size 10, numpy's per-call overhead (one to three microseconds) costs more
than the arithmetic, so this loop keeps the number of calls per layer small:

- columns are samples, as in seed 001 (A^0 = [x_1 … x_m]): Z^l = W^l A^{l-1} + b^l,
  δ^l = (W^{l+1}ᵀ δ^{l+1}) ⊙ g'(Z^l) and ∂E/∂W^l = δ^l A^{l-1}ᵀ all multiply contiguous
  operands (BLAS's fast path) and write into preallocated buffers with ``out=``;
- the hidden layers' activations are blocks of one flat buffer, so g'(Z) of all hidden
  layers sharing an activation is two calls, not two per layer;
- all W^l and b^l are views into one flat parameter vector, all gradients into another,
  so the update P ← P − η G is two calls for the whole network.

It produces the same numbers as ``Network.train_step`` up to rounding (checked in tests).
"""

from __future__ import annotations

import numpy as np

from .losses import loss_scale, loss_value, output_delta
from .schedule import check_batch_size, epoch_order

__all__ = ["fit", "run_updates"]


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

    np.maximum(Z, LEAKY_SLOPE * Z, out=A)  # max(z, 0.01 z); Z may be A


def _linear(Z, A):
    if Z is not A:
        np.copyto(A, Z)


def _softmax(Z, A):  # columns are samples
    np.subtract(Z, Z.max(axis=0, keepdims=True), out=Z)
    np.exp(Z, out=Z)
    np.divide(Z, Z.sum(axis=0, keepdims=True), out=A)


_FORWARD = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "leaky_relu": _leaky, "linear": _linear,
            "softmax": _softmax}


class _Buffers:
    """Preallocated Z^l = A^l (activations overwrite pre-activations), δ^l and g'(Z^l), for batch size B.

    Columns are samples, as in seed 001: A^l has shape (n_l, B). The hidden layers' A^l (and
    their g') are consecutive blocks of one flat buffer, so g' of every hidden layer with the
    same activation is computed in two calls.
    """

    def __init__(self, sizes, B):
        L = len(sizes) - 1
        offs = np.cumsum([0] + [n * B for n in sizes[1:L]])
        self.H, self.G = np.empty(offs[-1]), np.empty(offs[-1])
        hidden = range(1, L)
        self.A = [None] + [self.H[offs[l - 1] : offs[l]].reshape(sizes[l], B) for l in hidden]
        self.A.append(np.empty((sizes[L], B)))
        self.dadz = [None] + [self.G[offs[l - 1] : offs[l]].reshape(sizes[l], B) for l in hidden]
        self.dadz.append(np.empty((sizes[L], B)))
        self.D = [None] + [np.empty((n, B)) for n in sizes[1:]]
        self.offs = offs


def _derivative_runs(acts, offs):
    """[(derivative fn, flat slice)] covering the hidden layers, one entry per run of equal activations."""
    runs = []
    for l, name in enumerate(acts[:-1], start=1):
        if runs and runs[-1][0] == name:
            runs[-1][2] = int(offs[l])
        else:
            runs.append([name, int(offs[l - 1]), int(offs[l])])
    return [(_GPRIME[name], slice(a, b)) for name, a, b in runs]


# g'(Z) from A, written into T (whole arrays; the seeds' forms a(1 − a), 1 − a², [z > 0]).
def _gp_sigmoid(A, T):
    np.subtract(1.0, A, out=T)
    np.multiply(T, A, out=T)  # a(1 − a)


def _gp_tanh(A, T):
    np.multiply(A, A, out=T)
    np.subtract(1.0, T, out=T)  # 1 − a²


def _gp_relu(A, T):
    np.greater(A, 0.0, out=T)  # [z > 0]  (a > 0 exactly when z > 0)


def _gp_leaky(A, T):
    from .activations import LEAKY_SLOPE

    np.greater(A, 0.0, out=T)
    np.multiply(T, 1.0 - LEAKY_SLOPE, out=T)
    np.add(T, LEAKY_SLOPE, out=T)  # 1 if z > 0 else 0.01


def _gp_linear(A, T):
    T.fill(1.0)


_GPRIME = {"sigmoid": _gp_sigmoid, "tanh": _gp_tanh, "relu": _gp_relu, "leaky_relu": _gp_leaky,
           "linear": _gp_linear}


def _epoch_blocks(Xo, Yo, B):
    """Split one epoch's (ordered) samples into contiguous column blocks (n, b) of at most B samples."""
    m = Xo.shape[0]
    full = m // B
    blocks = []
    if full:
        Xf = np.ascontiguousarray(Xo[: full * B].reshape(full, B, -1).transpose(0, 2, 1))
        Yf = np.ascontiguousarray(Yo[: full * B].reshape(full, B, -1).transpose(0, 2, 1))
        blocks += list(zip(Xf, Yf))
    if full * B < m:
        blocks.append((np.ascontiguousarray(Xo[full * B :].T), np.ascontiguousarray(Yo[full * B :].T)))
    return blocks


def run_updates(net, X, Y, lr, batch_size, update_biases, shuffle, seed, start_update, n_updates,
                on_epoch=None):
    """Apply updates number start_update … start_update + n_updates − 1 to ``net`` in place.

    X (m, n_in), Y (m, n_out) validated float64. With ``on_epoch``, E(X, Y) is evaluated after
    each completed epoch and ``on_epoch(epoch, E)`` called; training stops early when E is not
    finite (divergence) or on_epoch returns False. Returns the number of updates applied.
    """
    sizes = net.layer_sizes
    L = len(sizes) - 1
    m = X.shape[0]
    B = check_batch_size(batch_size, m)
    nb = -(-m // B)
    ub = net.bias and update_biases

    # one flat parameter vector P (all W^l, then all b^l) and gradient vector G; W, b are views
    nW = [sizes[l + 1] * sizes[l] for l in range(L)]
    offs = np.cumsum([0] + nW + list(sizes[1:]))
    P, G = np.empty(offs[-1]), np.zeros(offs[-1])
    W = [P[offs[l] : offs[l + 1]].reshape(sizes[l + 1], sizes[l]) for l in range(L)]
    gW = [G[offs[l] : offs[l + 1]].reshape(sizes[l + 1], sizes[l]) for l in range(L)]
    b = [P[offs[L + l] : offs[L + l + 1]].reshape(-1, 1) for l in range(L)]
    gb = [G[offs[L + l] : offs[L + l + 1]] for l in range(L)]
    for l in range(L):
        W[l][...] = net.weights[l]
        b[l][:, 0] = net.biases[l]
    WT = [w.T for w in W]
    # η for every parameter; frozen or absent biases get no update
    if ub:
        step = lr
    else:
        step = np.full(offs[-1], lr)
        step[offs[L] :] = 0.0

    acts = net.activations
    fwd = [None] + [_FORWARD[a] for a in acts]
    out_act = net.activation(L)
    gp_out = _GPRIME.get(out_act.name)
    squared = net.loss_name != "cross_entropy"
    bufs: dict[int, tuple] = {}
    dot, add, subtract, multiply, add_reduce = np.dot, np.add, np.subtract, np.multiply, np.add.reduce
    use_bias = net.bias

    def params():
        return [w.copy() for w in W], [x[:, 0].copy() for x in b]

    fixed_blocks = None if shuffle else _epoch_blocks(X, Y, B)
    u, end = start_update, start_update + n_updates
    done = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        while u < end:
            epoch, first = divmod(u, nb)
            if fixed_blocks is None:
                order = epoch_order(m, epoch, shuffle, seed)
                blocks = _epoch_blocks(X[order], Y[order], B)
            else:
                blocks = fixed_blocks
            for A0, Yb in blocks[first : first + (end - u)]:
                mb = A0.shape[1]
                if mb not in bufs:
                    buf = _Buffers(sizes, mb)
                    bufs[mb] = (buf, _derivative_runs(acts, buf.offs))
                buf, runs = bufs[mb]
                A, D, T = buf.A, buf.D, buf.dadz
                A[0] = A0
                for l in range(1, L + 1):
                    dot(W[l - 1], A[l - 1], out=A[l])  # Z^l = W^l A^{l-1}
                    if use_bias:
                        add(A[l], b[l - 1], out=A[l])  #      + b^l
                    fwd[l](A[l], A[l])  # A^l = g(Z^l)
                s = loss_scale(net.loss_name, mb)
                if squared and gp_out is None:  # softmax with a squared error: the Jacobian
                    D[L][...] = output_delta(net.loss_name, out_act, None, A[L].T, Yb.T).delta.T
                else:
                    subtract(A[L], Yb, out=D[L])  # a − y
                    if s != 1.0:
                        multiply(D[L], s, out=D[L])  # s (a − y)
                    if squared:
                        gp_out(A[L], T[L])
                        multiply(D[L], T[L], out=D[L])  # δ^L = s (a − y) ⊙ g'(Z^L)
                for gp, flat in runs:
                    gp(buf.H[flat], buf.G[flat])  # g'(Z^l) for every hidden layer at once
                for l in range(L - 1, 0, -1):
                    dot(WT[l], D[l + 1], out=D[l])  # W^{l+1}ᵀ δ^{l+1}
                    multiply(D[l], T[l], out=D[l])  # δ^l = (W^{l+1}ᵀ δ^{l+1}) ⊙ g'(Z^l)
                for l in range(1, L + 1):
                    dot(D[l], A[l - 1].T, out=gW[l - 1])  # ∂E/∂W^l = δ^l A^{l-1}ᵀ
                    if use_bias:
                        add_reduce(D[l], axis=1, out=gb[l - 1])  # ∂E/∂b^l = Σ_c δ^l_c
                multiply(G, step, out=G)
                subtract(P, G, out=P)  # w ← w − η ∂E/∂w
                u += 1
                done += 1
            if u % nb == 0 and on_epoch is not None and u > start_update:
                E = _epoch_loss(net, fwd, W, b, X.T, Y, bufs, sizes)
                if on_epoch(u // nb - 1, E) is False or not np.isfinite(E):
                    break
    net.weights, net.biases = params()
    return done


def _epoch_loss(net, fwd, W, b, Xt, Y, bufs, sizes):
    """E(X, Y) at the current parameters, by a column-wise forward pass over all m samples."""
    L, m = len(sizes) - 1, Xt.shape[1]
    if m not in bufs:
        buf = _Buffers(sizes, m)
        bufs[m] = (buf, _derivative_runs(net.activations, buf.offs))
    A, Zout = bufs[m][0].A, bufs[m][0].D[L]
    A[0] = Xt
    for l in range(1, L + 1):
        Z = Zout if l == L else A[l]
        np.dot(W[l - 1], A[l - 1], out=Z)  # Z^l = W^l A^{l-1} + b^l
        if net.bias:
            np.add(Z, b[l - 1], out=Z)
        if l == L:
            np.copyto(A[L], Z)
        fwd[l](A[l], A[l])
    return float(loss_value(net.loss_name, net.activation(L), Zout.T, A[L].T, Y).sum())


def fit(net, X, Y, lr, epochs, batch_size=None, update_biases=True, shuffle=False, seed=0):
    """Train ``epochs`` epochs from update 0; returns E(X, Y) after each epoch, shape (epochs,).

    Stops early, returning a shorter array whose last entry is not finite, if training diverges.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    m = X.shape[0]
    nb = -(-m // check_batch_size(batch_size, m))
    losses: list[float] = []
    run_updates(net, X, Y, lr, batch_size, update_biases, shuffle, seed, 0, int(epochs) * nb,
                lambda epoch, E: losses.append(E))
    return np.array(losses)
