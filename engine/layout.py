"""Where each event of an update sits: the teaching order of ``trace`` as index arithmetic.

Events run in four segments (m samples, N = n_1 + … + n_L neurons per sample):

    forward   k = c·N + Σ_{t<l} n_t + i                         (c = 0..m−1, l = 1..L)
    loss      k = m·N
    delta     k = m·N + 1 + c·N + Σ_{t>l} n_t + i                (layers L..1)
    grad      k = grad_start + Σ_{t>l} n_t r_t + i·r_l + j       (r_l = n_{l−1} + bias)
    update    k = update_start + Σ_{t>l} n_t u_t + i·u_l + j     (u_l = n_{l−1} + updated bias)

In a grad or update row, column j < n_{l−1} is the weight W^l_ij and column j = n_{l−1} the
bias b^l_i (the column of [W^l | b^l] it is). This module is the only place that does this
arithmetic: everything else asks ``Layout`` (``index_of``, ``locate``, ``forward_index``, …).
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

__all__ = ["Layout", "GRANULARITIES", "PHASES", "KINDS"]

PHASES = ("forward", "backward", "update")
KINDS = ("forward", "loss", "delta", "grad_w", "grad_b", "update_w", "update_b")
GRANULARITIES = ("event", "neuron", "layer", "sample", "phase", "update")

_PARAMETER_KIND = {  # (segment, on the bias) -> kind
    ("grad", False): "grad_w",
    ("grad", True): "grad_b",
    ("update", False): "update_w",
    ("update", True): "update_b",
}
_PARAMETER_OF = {kind: key for key, kind in _PARAMETER_KIND.items()}  # kind -> (segment, on the bias)


def _check_range(values, n: int, message: str, *args) -> None:
    """ValueError(message.format(values, *args)) unless every one of values (an int or an integer
    array) is in 0 … n−1; the message is only written when it is raised."""
    v = np.asarray(values)
    if v.size and (int(v.min()) < 0 or int(v.max()) >= n):
        raise ValueError(message.format(values, *args))


class Layout:
    """Where each event sits for one trace's shape (layer sizes, batch size m, biases).

    Public: ``loss_index``, ``delta_start``, ``grad_start``, ``update_start``, ``n_events``;
    ``locate`` (index -> position), ``index_of`` and the vectorised ``forward_index``,
    ``delta_index``, ``grad_index``, ``update_index`` (position -> index); ``phase_of``,
    ``phase_bounds``, ``group``, ``applied_updates``. The cumulative offsets (``cum_*``,
    ``*_rows``) are the engine's own bookkeeping.
    """

    def __init__(self, sizes: tuple[int, ...], m: int, bias: bool, update_biases: bool):
        self.sizes, self.m = sizes, m
        self.L = L = len(sizes) - 1
        self.bias, self.update_biases = bias, bias and update_biases
        self.N = sum(sizes[1:])  # neurons per sample
        self.cum_fwd = np.cumsum([0] + [sizes[l] for l in range(1, L + 1)]).tolist()
        self.cum_bwd = np.cumsum([0] + [sizes[l] for l in range(L, 0, -1)]).tolist()
        self.loss_index = m * self.N
        self.delta_start = self.loss_index + 1
        self.grad_start = self.delta_start + m * self.N
        gb, ub = int(self.bias), int(self.update_biases)
        self.grad_rows = [None] + [sizes[l - 1] + gb for l in range(1, L + 1)]  # events per neuron
        self.upd_rows = [None] + [sizes[l - 1] + ub for l in range(1, L + 1)]
        # blocks in order l = L..1
        self.cum_grad = np.cumsum([0] + [sizes[l] * self.grad_rows[l] for l in range(L, 0, -1)]).tolist()
        self.cum_upd = np.cumsum([0] + [sizes[l] * self.upd_rows[l] for l in range(L, 0, -1)]).tolist()
        self.update_start = self.grad_start + self.cum_grad[-1]
        self.n_events = self.update_start + self.cum_upd[-1]

    # --------------------------------------------------------------- decoding
    def locate(self, k: int) -> tuple:
        """(kind, layer, i, j, sample) of event k."""
        if k < self.loss_index:
            c, r = divmod(k, self.N)
            t = bisect_right(self.cum_fwd, r)
            return "forward", t, r - self.cum_fwd[t - 1], None, c
        if k == self.loss_index:
            return "loss", self.L, None, None, None
        if k < self.grad_start:
            c, r = divmod(k - self.delta_start, self.N)
            t = bisect_right(self.cum_bwd, r)
            return "delta", self.L - t + 1, r - self.cum_bwd[t - 1], None, c
        upd = k >= self.update_start
        cum, rows = (self.cum_upd, self.upd_rows) if upd else (self.cum_grad, self.grad_rows)
        r = k - (self.update_start if upd else self.grad_start)
        t = bisect_right(cum, r)
        l = self.L - t + 1
        i, j = divmod(r - cum[t - 1], rows[l])
        on_bias = j == self.sizes[l - 1]
        kind = _PARAMETER_KIND[("update" if upd else "grad", on_bias)]
        return kind, l, i, (None if on_bias else j), None

    def phase_of(self, k: int) -> str:
        return "forward" if k <= self.loss_index else ("backward" if k < self.update_start else "update")

    def phase_bounds(self, phase: str) -> tuple[int, int]:
        """Inclusive (first, last) event index of a phase."""
        if phase == "forward":
            return 0, self.loss_index
        if phase == "backward":
            return self.delta_start, self.update_start - 1
        if phase == "update":
            return self.update_start, self.n_events - 1
        raise ValueError(f"unknown phase {phase!r}; choose one of {', '.join(PHASES)}")

    def group(self, k: int, granularity: str) -> tuple[int, int]:
        """Inclusive (first, last) indices of the group of event k at a granularity (see GRANULARITIES)."""
        if granularity not in GRANULARITIES:
            raise ValueError(f"unknown granularity {granularity!r}; choose one of {', '.join(GRANULARITIES)}")
        if not 0 <= k < self.n_events:
            raise IndexError(k)
        if granularity == "event":
            return k, k
        if granularity == "update":
            return 0, self.n_events - 1
        phase = self.phase_of(k)
        if granularity == "phase":
            return self.phase_bounds(phase)
        if k == self.loss_index:
            return k, k
        if k < self.grad_start:  # forward or delta: (sample, layer, neuron) blocks
            fwd = k < self.loss_index
            base = 0 if fwd else self.delta_start
            c, r = divmod(k - base, self.N)
            if granularity == "neuron":
                return k, k
            start = base + c * self.N
            if granularity == "sample":
                return start, start + self.N - 1
            cum = self.cum_fwd if fwd else self.cum_bwd
            t = bisect_right(cum, r)
            return start + cum[t - 1], start + cum[t] - 1
        upd = k >= self.update_start
        cum, rows = (self.cum_upd, self.upd_rows) if upd else (self.cum_grad, self.grad_rows)
        base = self.update_start if upd else self.grad_start
        if granularity == "sample":  # gradients and updates are sums over all samples
            return base, base + cum[-1] - 1
        r = k - base
        t = bisect_right(cum, r)
        if granularity == "layer":
            return base + cum[t - 1], base + cum[t] - 1
        row = rows[self.L - t + 1]
        first = base + cum[t - 1] + (r - cum[t - 1]) // row * row
        return first, first + row - 1

    # --------------------------------------------------------------- encoding
    # i, j, c: ints (an int back) or integer arrays (an array back, broadcast like numpy)
    def _check_neuron(self, l: int, i, c) -> None:
        if not 1 <= l <= self.L:
            raise ValueError(f"no neuron {i} in layer {l}")
        _check_range(i, self.sizes[l], "no neuron {} in layer {}", l)
        _check_range(c, self.m, "no sample {} in a batch of {}", self.m)

    def forward_index(self, l: int, i, c=0):
        """Index of the forward event a^l_i of sample c."""
        self._check_neuron(l, i, c)
        return c * self.N + self.cum_fwd[l - 1] + i

    def delta_index(self, l: int, i, c=0):
        """Index of the delta event δ^l_i of sample c."""
        self._check_neuron(l, i, c)
        return self.delta_start + c * self.N + self.cum_bwd[self.L - l] + i

    def grad_index(self, l: int, i, j):
        """Index of the gradient event of [W^l | b^l]_ij: ∂E/∂W^l_ij for j < n_{l−1}, ∂E/∂b^l_i for j = n_{l−1}."""
        self._check_neuron(l, i, 0)
        _check_range(j, self.grad_rows[l], "no grad event for j={} in layer {}", l)
        return self.grad_start + self.cum_grad[self.L - l] + i * self.grad_rows[l] + j

    def update_index(self, l: int, i, j):
        """Index of the update event of [W^l | b^l]_ij (j = n_{l−1}: the bias, if biases are updated)."""
        self._check_neuron(l, i, 0)
        _check_range(j, self.upd_rows[l], "no update event for j={} in layer {}", l)
        return self.update_start + self.cum_upd[self.L - l] + i * self.upd_rows[l] + j

    def index_of(self, kind: str, layer: int, i: int | None = None, j: int | None = None, sample: int = 0) -> int:
        """The event index of (kind, layer, i, j, sample): the inverse of ``locate``."""
        if kind == "loss":
            return self.loss_index
        if not 1 <= layer <= self.L or i is None:
            raise ValueError(f"no neuron {i} in layer {layer}")
        if kind == "forward":
            return int(self.forward_index(layer, i, sample))
        if kind == "delta":
            return int(self.delta_index(layer, i, sample))
        if kind not in _PARAMETER_OF:
            raise ValueError(f"unknown event kind {kind!r}")
        segment, on_bias = _PARAMETER_OF[kind]
        col = self.sizes[layer - 1] if on_bias else j
        if col is None:
            raise ValueError(f"no {kind} event for j={j} in layer {layer}")
        index = self.update_index if segment == "update" else self.grad_index
        return int(index(layer, i, col))

    def applied_updates(self, k: int) -> int:
        """How many update events have been applied once the cursor is at k (−1 = none)."""
        return int(min(max(k - self.update_start + 1, 0), self.cum_upd[-1]))
