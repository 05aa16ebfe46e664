"""The fast training loop behind ``Network.fit``: the same equations, fewer numpy calls.

At batch size 10, numpy's per-call overhead (one to three microseconds) costs more
than the arithmetic, so this loop keeps the number of calls per layer small:

- columns are samples, as in seed 001 (A^0 = [x_1 … x_m]): Z^l = W^l A^{l-1} + b^l,
  δ^l = (W^{l+1}ᵀ δ^{l+1}) ⊙ g'(Z^l) and ∂E/∂W^l = δ^l A^{l-1}ᵀ all multiply contiguous
  operands (BLAS's fast path) and write into preallocated buffers with ``out=``;
- with biases, Ŵ^l = [W^l | b^l] and Â^{l-1} = [A^{l-1}; 1ᵀ] (a row of ones), so one
  product gives Z^l and one gives both ∂E/∂W^l and ∂E/∂b^l;
- the hidden layers' activations are blocks of one flat buffer, so g'(Z) of all hidden
  layers sharing an activation is two calls, not two per layer;
- all Ŵ^l are views into one flat parameter vector, all gradients into another, and η is
  folded into δ^L (so every δ^l and gradient below it carries η): the update
  P ← P − η ∂E/∂P is one call for the whole network.

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
    """Preallocated activations, δ^l and g'(Z^l) for batch size B; columns are samples (seed 001).

    With biases every hidden Â^l = [A^l; 1ᵀ] has shape (n_l + 1, B): its last row is ones, so
    Z^{l+1} = Ŵ^{l+1} Â^l with Ŵ = [W | b] is one call and A^l = Â^l[:n_l] stays contiguous.
    Pre-activations are overwritten by activations. The hidden Â^l (and their g') are consecutive
    blocks of one flat buffer, so g' of all hidden layers sharing an activation is two calls.
    """

    def __init__(self, sizes, B, bc):
        L = len(sizes) - 1
        offs = np.cumsum([0] + [(n + bc) * B for n in sizes[1:L]])
        self.H, self.G = np.ones(offs[-1]), np.empty(offs[-1])
        hidden = range(1, L)
        self.Ahat = [None] + [self.H[offs[l - 1] : offs[l]].reshape(sizes[l] + bc, B) for l in hidden]
        self.A = [None] + [Ah[: sizes[l]] for l, Ah in enumerate(self.Ahat[1:], start=1)]
        self.Ahat.append(np.empty((sizes[L], B)))
        self.A.append(self.Ahat[L])
        self.dadz = [None] + [self.G[offs[l - 1] : offs[l]].reshape(sizes[l] + bc, B)[: sizes[l]] for l in hidden]
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


def _epoch_blocks(Xo, Yo, B, bc):
    """One epoch's (ordered) samples as contiguous column blocks: (Â^0 = [Xᵀ; 1ᵀ], Yᵀ), ≤ B columns each."""
    m = Xo.shape[0]
    if bc:
        Xo = np.column_stack([Xo, np.ones(m)])
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
    each completed epoch and ``on_epoch(epoch, E)`` called with ``net`` holding that epoch's
    parameters (epoch counts from 0); training stops early when E is not
    finite (divergence) or on_epoch returns False. Returns the number of updates applied.
    """
    sizes = net.layer_sizes
    L = len(sizes) - 1
    m = X.shape[0]
    B = check_batch_size(batch_size, m)
    nb = -(-m // B)
    bc = 1 if net.bias else 0

    # one flat parameter vector P of all Ŵ^l = [W^l | b^l], and G of their gradients (views)
    shapes = [(sizes[l + 1], sizes[l] + bc) for l in range(L)]
    offs = np.cumsum([0] + [r * c for r, c in shapes])
    P, G = np.empty(offs[-1]), np.empty(offs[-1])
    What = [P[offs[l] : offs[l + 1]].reshape(shapes[l]) for l in range(L)]
    Ghat = [G[offs[l] : offs[l + 1]].reshape(shapes[l]) for l in range(L)]
    for l in range(L):
        What[l][:, : sizes[l]] = net.weights[l]
        if bc:
            What[l][:, sizes[l]] = net.biases[l]
    WT = [Wh[:, : sizes[l]].T for l, Wh in enumerate(What)]  # W^{l+1}ᵀ, the bias column left out
    frozen = None  # 1 for every weight, 0 for biases that must not move
    if bc and not update_biases:
        frozen = np.ones(offs[-1])
        for l in range(L):
            frozen[offs[l] : offs[l + 1]].reshape(shapes[l])[:, sizes[l]] = 0.0

    acts = net.activations
    fwd = [None] + [_FORWARD[a] for a in acts]
    out_act = net.activation(L)
    gp_out = _GPRIME.get(out_act.name)
    squared = net.loss_name != "cross_entropy"
    bufs: dict[int, tuple] = {}
    dot, subtract, multiply = np.dot, np.subtract, np.multiply

    def params():
        return ([Wh[:, : sizes[l]].copy() for l, Wh in enumerate(What)],
                [Wh[:, sizes[l]].copy() if bc else np.zeros(sizes[l + 1]) for l, Wh in enumerate(What)])

    fixed_blocks = None if shuffle else _epoch_blocks(X, Y, B, bc)
    u, end = start_update, start_update + n_updates
    done = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        while u < end:
            epoch, first = divmod(u, nb)
            if fixed_blocks is None:
                order = epoch_order(m, epoch, shuffle, seed)
                blocks = _epoch_blocks(X[order], Y[order], B, bc)
            else:
                blocks = fixed_blocks
            for A0, Yb in blocks[first : first + (end - u)]:
                mb = A0.shape[1]
                if mb not in bufs:
                    buf = _Buffers(sizes, mb, bc)
                    bufs[mb] = (buf, _derivative_runs(acts, buf.offs))
                buf, runs = bufs[mb]
                A, Ahat, D, T = buf.A, buf.Ahat, buf.D, buf.dadz
                Ahat[0] = A0
                for l in range(1, L + 1):
                    dot(What[l - 1], Ahat[l - 1], out=A[l])  # Z^l = W^l A^{l-1} + b^l = Ŵ^l Â^{l-1}
                    fwd[l](A[l], A[l])  # A^l = g(Z^l)
                # δ^L, scaled by η: every δ^l below is then η δ^l, and G = η ∂E/∂Ŵ
                s = loss_scale(net.loss_name, mb) * lr
                if squared and gp_out is None:  # softmax with a squared error: the Jacobian
                    D[L][...] = lr * output_delta(net.loss_name, out_act, None, A[L].T, Yb.T).delta.T
                else:
                    subtract(A[L], Yb, out=D[L])  # a − y
                    multiply(D[L], s, out=D[L])  # η s (a − y)
                    if squared:
                        gp_out(A[L], T[L])
                        multiply(D[L], T[L], out=D[L])  # δ^L = s (a − y) ⊙ g'(Z^L)
                for gp, flat in runs:
                    gp(buf.H[flat], buf.G[flat])  # g'(Z^l) for every hidden layer at once
                for l in range(L - 1, 0, -1):
                    dot(WT[l], D[l + 1], out=D[l])  # W^{l+1}ᵀ δ^{l+1}
                    multiply(D[l], T[l], out=D[l])  # δ^l = (W^{l+1}ᵀ δ^{l+1}) ⊙ g'(Z^l)
                for l in range(1, L + 1):
                    dot(D[l], Ahat[l - 1].T, out=Ghat[l - 1])  # [∂E/∂W^l | ∂E/∂b^l] = δ^l Â^{l-1}ᵀ
                if frozen is not None:
                    multiply(G, frozen, out=G)
                subtract(P, G, out=P)  # w ← w − η ∂E/∂w
                u += 1
                done += 1
            if u % nb == 0 and on_epoch is not None and u > start_update:
                E = _epoch_loss(net, fwd, What, bc, X, Y, bufs, sizes)
                net.weights, net.biases = params()  # the callback sees the network as it is now
                if on_epoch(u // nb - 1, E) is False or not np.isfinite(E):
                    break
    net.weights, net.biases = params()
    return done


def _epoch_loss(net, fwd, What, bc, X, Y, bufs, sizes):
    """E(X, Y) at the current parameters, by a column-wise forward pass over all m samples."""
    L, m = len(sizes) - 1, X.shape[0]
    key = ("all", m)
    if key not in bufs:
        (Xa, Yt), = _epoch_blocks(X, Y, m, bc)
        bufs[key] = (_Buffers(sizes, m, bc), Xa, Yt)
    buf, Xa, Yt = bufs[key]
    A, Ahat = buf.A, buf.Ahat
    Ahat[0] = Xa
    for l in range(1, L + 1):
        np.dot(What[l - 1], Ahat[l - 1], out=A[l])  # Z^l = Ŵ^l Â^{l-1}
        if l == L:
            Z = A[L].copy()
        fwd[l](A[l], A[l])
    if net.loss_name == "cross_entropy":
        return float(loss_value(net.loss_name, net.activation(L), Z.T, A[L].T, Y).sum())
    r = np.subtract(A[L], Yt, out=buf.D[L]).ravel()
    return float(0.5 * loss_scale(net.loss_name, m) * np.dot(r, r))  # E = s ½ Σ (a − y)²


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
