"""What one gradient-descent update computed, and its events in teaching order.

A ``Trace`` holds the arrays of one update; ``Trace.events`` is a lazy
``Sequence`` of ``Event`` objects built on demand from those arrays, so a 784-32-10
network's ~50,000 events cost nothing until they are looked at.

Teaching order (m samples in the batch, layers 1..L):

1. phase "forward":  for each sample c, for layer l = 1..L, for each neuron i: kind "forward"
                     (value a^l_i, with z, the incoming a^{l-1} and weights); then one
                     kind "loss" event (value E, with every sample's share).
2. phase "backward": for each sample c, for layer l = L..1, for each neuron i: kind "delta"
                     (value δ^l_i = ∂E/∂z^l_i and its chain-rule factors); then for layer
                     l = L..1, for each neuron i: kind "grad_w" for each incoming weight j,
                     then kind "grad_b" (if the network has biases), summed over the samples.
3. phase "update":   in the same order as the gradients: kind "update_w" (value: the new
                     weight w' = w + Δw), then "update_b" if biases are updated.

Event indices: ``layer`` is the layer of the neuron the value belongs to (1..L; the loss
event has layer L); a weight event (l, i, j) refers to ``weights[l-1][i, j]``, the weight
from neuron j of layer l−1 to neuron i of layer l (seed 001's W^l_ij).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .losses import OutputDelta

__all__ = ["Trace", "Event", "EventSequence", "Layout", "GRANULARITIES", "PHASES", "KINDS"]

PHASES = ("forward", "backward", "update")
KINDS = ("forward", "loss", "delta", "grad_w", "grad_b", "update_w", "update_b")
GRANULARITIES = ("event", "neuron", "layer", "sample", "phase", "update")


@dataclass(frozen=True, slots=True)
class Event:
    """One number of the update, with the factors that produce it.

    kind:   see KINDS; phase: see PHASES
    layer:  layer of the neuron (1..L); i: neuron in that layer; j: neuron of layer−1 (weights)
    sample: sample within the batch (forward and delta events), else None
    value:  the number itself (a, E, δ, ∂E/∂w, or the new weight w')
    factors: named chain-rule factors (floats, or per-sample arrays of shape (m,))
    """

    index: int
    kind: str
    phase: str
    layer: int
    i: int | None
    j: int | None
    sample: int | None
    value: float
    # fix: factors hold numpy arrays, so comparing them made ``e1 == e2`` (and ``e in events``)
    # raise "truth value of an array is ambiguous" and made events unhashable; compare by position/value
    factors: dict[str, Any] = field(repr=False, compare=False)


class Layout:
    """Where each event sits: segment offsets and sizes for one trace's shape."""

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
        kind = ("update_" if upd else "grad_") + ("b" if on_bias else "w")
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

    def index_of(self, kind: str, layer: int, i: int | None = None, j: int | None = None, sample: int = 0) -> int:
        """The event index of (kind, layer, i, j, sample): the inverse of ``locate``."""
        L, sizes = self.L, self.sizes
        if kind == "loss":
            return self.loss_index
        if not 1 <= layer <= L or i is None or not 0 <= i < sizes[layer]:
            raise ValueError(f"no neuron {i} in layer {layer}")
        if kind in ("forward", "delta"):
            if not 0 <= sample < self.m:
                raise ValueError(f"no sample {sample} in a batch of {self.m}")
            if kind == "forward":
                return sample * self.N + self.cum_fwd[layer - 1] + i
            return self.delta_start + sample * self.N + self.cum_bwd[L - layer] + i
        upd = kind.startswith("update_")
        if kind not in ("grad_w", "grad_b", "update_w", "update_b"):
            raise ValueError(f"unknown event kind {kind!r}")
        row = (self.upd_rows if upd else self.grad_rows)[layer]
        col = sizes[layer - 1] if kind.endswith("_b") else j
        if col is None or not 0 <= col < row:
            raise ValueError(f"no {kind} event for j={j} in layer {layer}")
        base = self.update_start if upd else self.grad_start
        return base + (self.cum_upd if upd else self.cum_grad)[L - layer] + i * row + col

    def applied_updates(self, k: int) -> int:
        """How many update events have been applied once the cursor is at k (−1 = none)."""
        return int(min(max(k - self.update_start + 1, 0), self.cum_upd[-1]))


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything one update computed. Per-layer lists are indexed by layer l = 0..L
    (Z[l], A[l], deltas[l], da_dz[l]: (m, n_l); index 0 is None except A[0] = X); parameter
    lists are indexed like ``Network.weights`` (entry l is W^{l+1}: (n_{l+1}, n_l))."""

    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss_name: str
    bias: bool
    update_biases: bool
    lr: float
    X: np.ndarray
    Y: np.ndarray
    Z: list
    A: list
    loss: float
    loss_per_sample: np.ndarray
    output: OutputDelta
    deltas: list
    da_dz: list
    grad_weights: list
    grad_biases: list
    delta_weights: list
    delta_biases: list
    weights_before: list
    biases_before: list
    weights_after: list
    biases_after: list

    @property
    def m(self) -> int:
        """Samples in the batch."""
        return self.X.shape[0]

    @property
    def layout(self) -> Layout:
        lay = self.__dict__.get("_layout")
        if lay is None:
            lay = Layout(self.layer_sizes, self.m, self.bias, self.update_biases)
            object.__setattr__(self, "_layout", lay)
        return lay

    @property
    def events(self) -> EventSequence:
        return EventSequence(self)

    def parameters_at(self, k: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(weights, biases) with exactly the update events ≤ k applied; new arrays, bit-exact."""
        lay = self.layout
        p = lay.applied_updates(k)
        W = [w.copy() for w in self.weights_before]
        b = [x.copy() for x in self.biases_before]
        for t, l in enumerate(range(lay.L, 0, -1)):  # update blocks run l = L..1
            if p <= 0:
                break
            block = lay.cum_upd[t + 1] - lay.cum_upd[t]
            row, n_in = lay.upd_rows[l], lay.sizes[l - 1]
            q, rem = divmod(min(p, block), row)
            W[l - 1][:q] = self.weights_after[l - 1][:q]
            if lay.update_biases:
                b[l - 1][:q] = self.biases_after[l - 1][:q]
            if rem:
                W[l - 1][q, : min(rem, n_in)] = self.weights_after[l - 1][q, : min(rem, n_in)]
            p -= block
        return W, b

    def event(self, k: int) -> Event:
        """Event number k (0-based; negative counts from the end)."""
        n = self.layout.n_events
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError(f"event index out of range (0 … {n - 1})")
        kind, l, i, j, c = self.layout.locate(k)
        phase = self.layout.phase_of(k)
        return Event(k, kind, phase, l, i, j, c, *_value_and_factors(self, kind, l, i, j, c))


def _value_and_factors(tr: Trace, kind: str, l: int, i, j, c) -> tuple[float, dict]:
    if kind == "forward":  # a^l_i = g(z^l_i),  z^l_i = Σ_j w_ij a^{l-1}_j + b_i
        return float(tr.A[l][c, i]), {
            "z": float(tr.Z[l][c, i]),
            "a": float(tr.A[l][c, i]),
            "a_prev": tr.A[l - 1][c],
            "w": tr.weights_before[l - 1][i],
            "b": float(tr.biases_before[l - 1][i]),
            "activation": tr.activations[l - 1],
        }
    if kind == "loss":  # E = Σ_c E_c
        return tr.loss, {
            "per_sample": tr.loss_per_sample,
            "a": tr.A[-1],
            "y": tr.Y,
            "loss": tr.loss_name,
            "scale": tr.output.scale,
        }
    if kind == "delta":
        if l == len(tr.layer_sizes) - 1:  # δ^L_i = ∂E/∂a · g'(z)  or  s (a − y)
            o = tr.output
            return float(tr.deltas[l][c, i]), {
                "a": float(tr.A[l][c, i]),
                "y": float(tr.Y[c, i]),
                "z": float(tr.Z[l][c, i]),
                "error": float(o.error[c, i]),
                "scale": o.scale,
                "dE_da": None if o.dE_da is None else float(o.dE_da[c, i]),
                "da_dz": None if o.da_dz is None else float(o.da_dz[c, i]),
                "simplified": o.simplified,
                "output": True,
            }
        w_next = tr.weights_before[l][:, i]  # W^{l+1}_{ki}, (n_{l+1},)
        d_next = tr.deltas[l + 1][c]  # δ^{l+1}_k, (n_{l+1},)
        return float(tr.deltas[l][c, i]), {  # δ^l_i = (Σ_k δ^{l+1}_k w_ki) g'(z^l_i)
            "a": float(tr.A[l][c, i]),
            "z": float(tr.Z[l][c, i]),
            "w_next": w_next,
            "delta_next": d_next,
            "dE_da": float(d_next @ w_next),
            "da_dz": float(tr.da_dz[l][c, i]),
            "output": False,
        }
    if kind in ("grad_w", "grad_b"):  # ∂E/∂w_ij = Σ_c δ_ic a_jc,  ∂E/∂b_i = Σ_c δ_ic
        delta = tr.deltas[l][:, i]
        a_prev = tr.A[l - 1][:, j] if kind == "grad_w" else np.ones_like(delta)
        value = tr.grad_weights[l - 1][i, j] if kind == "grad_w" else tr.grad_biases[l - 1][i]
        per = delta * a_prev
        return float(value), {
            "delta": delta,
            "a_prev": a_prev,
            "per_sample": per,
            "sum": float(value),
            "mean": float(value) / tr.m,
        }
    # update_w / update_b: w' = w + Δw,  Δw = −η ∂E/∂w
    if kind == "update_w":
        old, g, d, new = (
            tr.weights_before[l - 1][i, j],
            tr.grad_weights[l - 1][i, j],
            tr.delta_weights[l - 1][i, j],
            tr.weights_after[l - 1][i, j],
        )
    else:
        old, g, d, new = (
            tr.biases_before[l - 1][i],
            tr.grad_biases[l - 1][i],
            tr.delta_biases[l - 1][i],
            tr.biases_after[l - 1][i],
        )
    return float(new), {"old": float(old), "grad": float(g), "lr": tr.lr, "delta_w": float(d), "new": float(new)}


class EventSequence(Sequence):
    """The events of one trace, generated on demand: len(), indexing (negative too), slicing, iteration."""

    __slots__ = ("_trace",)

    def __init__(self, trace: Trace):
        self._trace = trace

    def __len__(self) -> int:
        return self._trace.layout.n_events

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self._trace.event(x) for x in range(*k.indices(len(self)))]
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
            raise TypeError("event indices must be integers or slices")
        return self._trace.event(int(k))

    def __iter__(self):
        ev = self._trace.event
        return (ev(k) for k in range(len(self)))
