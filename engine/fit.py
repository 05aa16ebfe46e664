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

g and g' are the registry's in-place forms (``Activation.into``, ``Activation.d_into``), δ^L is
``losses.output_delta_into`` and the loss after each epoch is ``losses.loss_value``: the same code
``Network.trace`` runs. Lists are indexed by layer l = 1..L (entry 0 unused or A^0).
It produces the same numbers as ``Network.train_step`` up to rounding (checked in tests).
"""

from __future__ import annotations

import numpy as np

from .losses import loss_value, output_delta_into
from .schedule import check_batch_size, epoch_order

__all__ = ["fit", "run_updates"]


def _columns(act):
    """A ← g(Z) for arrays whose columns are samples (softmax normalises each column)."""
    if act.elementwise:
        return act.into
    return lambda Z, A: act.into(Z.T, A.T)


class _Buffers:
    """Preallocated activations, δ^l and g'(Z^l) for batch size B; columns are samples (seed 001).

    Lists are indexed by layer l = 0..L. With biases every hidden Â^l = [A^l; 1ᵀ] has shape
    (n_l + 1, B): its last row is ones, so Z^{l+1} = Ŵ^{l+1} Â^l with Ŵ = [W | b] is one call and
    A^l = Â^l[:n_l] stays contiguous. Pre-activations are overwritten by activations. The hidden Â^l
    (and their g') are consecutive blocks of one flat buffer, so g' of all hidden layers sharing an
    activation is two calls; ``offs[l-1]:offs[l]`` is layer l's block.
    """

    def __init__(self, sizes, B, bc):
        L = len(sizes) - 1
        offs = np.cumsum([0] + [(sizes[l] + bc) * B for l in range(1, L)])
        self.H, self.G = np.ones(offs[-1]), np.empty(offs[-1])
        hidden = range(1, L)
        self.Ahat = [None] + [self.H[offs[l - 1] : offs[l]].reshape(sizes[l] + bc, B) for l in hidden]
        self.Ahat.append(np.empty((sizes[L], B)))
        self.A = [None] + [self.Ahat[l][: sizes[l]] for l in range(1, L + 1)]
        self.dadz = [None] + [self.G[offs[l - 1] : offs[l]].reshape(sizes[l] + bc, B)[: sizes[l]] for l in hidden]
        self.dadz.append(np.empty((sizes[L], B)))
        self.D = [None] + [np.empty((sizes[l], B)) for l in range(1, L + 1)]
        self.offs = offs
        self.rows_L = (self.A[L].T, self.D[L].T, self.dadz[L].T)  # A^L, δ^L, g'(Z^L) with rows as samples


def _derivative_runs(acts, offs):
    """[(g' in place, flat slice)] covering the hidden layers, one entry per run of equal activations.

    acts: the Activation of layers 1..L; hidden layer l's block of the flat buffers is offs[l-1]:offs[l].
    """
    runs = []
    for l, act in enumerate(acts[:-1], start=1):
        if runs and runs[-1][0] is act:
            runs[-1][2] = int(offs[l])
        else:
            runs.append([act, int(offs[l - 1]), int(offs[l])])
    return [(act.d_into, slice(a, b)) for act, a, b in runs]


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


def run_updates(
    net, X, Y, lr, *, batch_size, update_biases, shuffle, seed, start_update, n_updates, on_epoch=None
) -> int:
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

    # Ŵ^l = [W^l | b^l], (n_l, n_{l-1} + 1), for l = 1..L: views into one flat parameter vector P;
    # their gradients η ∂E/∂Ŵ^l are views into G. Ŵ^l is the block offs[l-1]:offs[l].
    shapes = [None] + [(sizes[l], sizes[l - 1] + bc) for l in range(1, L + 1)]
    offs = np.cumsum([0] + [r * c for r, c in shapes[1:]])
    P, G = np.empty(offs[-1]), np.empty(offs[-1])
    What = [None] + [P[offs[l - 1] : offs[l]].reshape(shapes[l]) for l in range(1, L + 1)]
    Ghat = [None] + [G[offs[l - 1] : offs[l]].reshape(shapes[l]) for l in range(1, L + 1)]
    for l in range(1, L + 1):
        What[l][:, : sizes[l - 1]] = net.weights[l - 1]  # weights[l-1] is W^l
        if bc:
            What[l][:, sizes[l - 1]] = net.biases[l - 1]
    WT = [None] + [What[l][:, : sizes[l - 1]].T for l in range(1, L + 1)]  # W^lᵀ, the bias column left out
    frozen = None  # 1 for every weight, 0 for biases that must not move
    if bc and not update_biases:
        frozen = np.ones(offs[-1])
        for l in range(1, L + 1):
            frozen[offs[l - 1] : offs[l]].reshape(shapes[l])[:, sizes[l - 1]] = 0.0

    acts = [None] + [net.activation(l) for l in range(1, L + 1)]
    g = [None] + [_columns(act) for act in acts[1:]]  # g^l in place, columns are samples
    loss, out_act = net.loss_name, acts[L]
    bufs: dict = {}
    dot, subtract, multiply = np.dot, np.subtract, np.multiply

    def params():
        return (
            [What[l][:, : sizes[l - 1]].copy() for l in range(1, L + 1)],
            [What[l][:, sizes[l - 1]].copy() if bc else np.zeros(sizes[l]) for l in range(1, L + 1)],
        )

    def epoch_loss():
        """E(X, Y) at the current parameters, by a column-wise forward pass over all m samples."""
        if "all" not in bufs:
            ((Xa, _),) = _epoch_blocks(X, Y, m, bc)
            bufs["all"] = (_Buffers(sizes, m, bc), Xa)
        buf, Xa = bufs["all"]
        A, Ahat = buf.A, buf.Ahat
        Ahat[0] = Xa
        ZL = None
        for l in range(1, L + 1):
            dot(What[l], Ahat[l - 1], out=A[l])  # Z^l = Ŵ^l Â^{l-1}
            if l == L and loss == "cross_entropy":
                ZL = A[L].T.copy()  # cross-entropy is computed from z
            g[l](A[l], A[l])  # A^l = g^l(Z^l)
        return float(loss_value(loss, out_act, ZL, buf.rows_L[0], Y).sum())

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
                    bufs[mb] = (buf, _derivative_runs(acts[1:], buf.offs))
                buf, runs = bufs[mb]
                A, Ahat, D, T = buf.A, buf.Ahat, buf.D, buf.dadz
                Ahat[0] = A0
                for l in range(1, L + 1):
                    dot(What[l], Ahat[l - 1], out=A[l])  # Z^l = W^l A^{l-1} + b^l = Ŵ^l Â^{l-1}
                    g[l](A[l], A[l])  # A^l = g^l(Z^l)
                # η δ^L: every δ^l below is then η δ^l, and G = η ∂E/∂Ŵ
                AL, DL, TL = buf.rows_L
                output_delta_into(loss, out_act, AL, Yb.T, out=DL, scratch=TL, factor=lr)
                for d_into, flat in runs:
                    d_into(buf.H[flat], buf.G[flat])  # g'^l(Z^l) for every hidden layer at once
                for l in range(L - 1, 0, -1):
                    dot(WT[l + 1], D[l + 1], out=D[l])  # W^{l+1}ᵀ δ^{l+1}
                    multiply(D[l], T[l], out=D[l])  # δ^l = (W^{l+1}ᵀ δ^{l+1}) ⊙ g'^l(Z^l)
                for l in range(1, L + 1):
                    dot(D[l], Ahat[l - 1].T, out=Ghat[l])  # [∂E/∂W^l | ∂E/∂b^l] = δ^l Â^{l-1}ᵀ
                if frozen is not None:
                    multiply(G, frozen, out=G)
                subtract(P, G, out=P)  # w ← w − η ∂E/∂w
                u += 1
                done += 1
            if u % nb == 0 and on_epoch is not None and u > start_update:
                E = epoch_loss()
                net.weights, net.biases = params()  # the callback sees the network as it is now
                if on_epoch(u // nb - 1, E) is False or not np.isfinite(E):
                    break
    net.weights, net.biases = params()
    return done


def fit(net, X, Y, lr, epochs, *, batch_size=None, update_biases=True, shuffle=False, seed=0):
    """Train ``epochs`` epochs from update 0; returns E(X, Y) after each epoch, shape (epochs,).

    Stops early, returning a shorter array whose last entry is not finite, if training diverges.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    m = X.shape[0]
    nb = -(-m // check_batch_size(batch_size, m))
    losses: list[float] = []
    run_updates(
        net,
        X,
        Y,
        lr,
        batch_size=batch_size,
        update_biases=update_biases,
        shuffle=shuffle,
        seed=seed,
        start_update=0,
        n_updates=int(epochs) * nb,
        on_epoch=lambda epoch, E: losses.append(E),
    )
    return np.array(losses)
