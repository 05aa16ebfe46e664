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
from neuron j of layer l−1 to neuron i of layer l (seed 001's W^l_ij). Each kind carries its
factors as one small frozen class (``ForwardFactors``, ``LossFactors``, …). Where an event sits in
this order is ``Layout``'s arithmetic (``layout.py``): ask it, never recompute an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .layout import GRANULARITIES, KINDS, PHASES, Layout
from .losses import OutputDelta

__all__ = [
    "Trace",
    "Event",
    "EventSequence",
    "Layout",
    "Factors",
    "ForwardFactors",
    "LossFactors",
    "OutputDeltaFactors",
    "HiddenDeltaFactors",
    "GradFactors",
    "UpdateFactors",
    "GRANULARITIES",
    "PHASES",
    "KINDS",
]


# ------------------------------------------------------------------- factors, one class per kind
# Frozen and compared by identity (eq=False): they hold numpy arrays.
@dataclass(frozen=True, slots=True, eq=False)
class ForwardFactors:
    """kind "forward", neuron i of layer l, sample c:  z^l_i = Σ_j w_ij a^{l-1}_j + b_i,  a^l_i = g(z^l_i)."""

    z: float  # z^l_i
    a: float  # a^l_i = g(z^l_i)
    a_prev: np.ndarray  # (n_{l-1},) a^{l-1} of sample c (x for l = 1)
    w: np.ndarray  # (n_{l-1},) W^l_{i·}, the weights into neuron i, before the update
    b: float  # b^l_i before the update (0 without biases)
    activation: str  # the name of g


@dataclass(frozen=True, slots=True, eq=False)
class LossFactors:
    """kind "loss":  E = Σ_c E_c over the m samples of the batch."""

    per_sample: np.ndarray  # (m,) E_c
    a: np.ndarray  # (m, n_L) the outputs a^L
    y: np.ndarray  # (m, n_L) the targets
    loss: str  # the loss's name
    scale: float  # s: 1, or 1/m for the averaged losses


@dataclass(frozen=True, slots=True, eq=False)
class OutputDeltaFactors:
    """kind "delta" in the output layer L, neuron i, sample c:  δ^L_i = ∂E/∂a · g'(z),
    or s (a − y) where cross-entropy simplifies, or the softmax Jacobian sum."""

    output: ClassVar[bool] = True
    a: float  # a^L_i
    y: float  # its target
    z: float  # z^L_i
    error: float  # a − y
    scale: float  # s
    dE_da: float | None  # ∂E/∂a^L_i = s (a − y); None where cross-entropy simplifies
    da_dz: float | None  # g'(z^L_i); None for softmax (a Jacobian) or when simplified
    simplified: bool  # cross-entropy with sigmoid/softmax: δ = s (a − y)


@dataclass(frozen=True, slots=True, eq=False)
class HiddenDeltaFactors:
    """kind "delta" in a hidden layer l < L, neuron i, sample c:  δ^l_i = (Σ_k δ^{l+1}_k w_ki) g'(z^l_i)."""

    output: ClassVar[bool] = False
    a: float  # a^l_i
    z: float  # z^l_i
    w_next: np.ndarray  # (n_{l+1},) W^{l+1}_{·i}, the weights out of neuron i, before the update
    delta_next: np.ndarray  # (n_{l+1},) δ^{l+1} of sample c
    dE_da: float  # ∂E/∂a^l_i = δ^{l+1} · w_next
    da_dz: float  # g'(z^l_i)


@dataclass(frozen=True, slots=True, eq=False)
class GradFactors:
    """kinds "grad_w", "grad_b":  ∂E/∂w_ij = Σ_c δ_ic a_jc,  ∂E/∂b_i = Σ_c δ_ic · 1."""

    delta: np.ndarray  # (m,) δ^l_i of every sample
    a_prev: np.ndarray  # (m,) a^{l-1}_j of every sample (ones for a bias)
    per_sample: np.ndarray  # (m,) δ · a_prev
    sum: float  # Σ_c: the gradient
    mean: float  # the gradient / m


@dataclass(frozen=True, slots=True, eq=False)
class UpdateFactors:
    """kinds "update_w", "update_b":  w' = w + Δw,  Δw = −η ∂E/∂w."""

    old: float  # w before the update
    grad: float  # ∂E/∂w
    lr: float  # η
    delta_w: float  # Δw
    new: float  # w'


Factors = ForwardFactors | LossFactors | OutputDeltaFactors | HiddenDeltaFactors | GradFactors | UpdateFactors


# --------------------------------------------------------------------------------- events
@dataclass(frozen=True, slots=True)
class Event:
    """One number of the update, with the factors that produce it.

    kind:   see KINDS; phase: see PHASES
    layer:  layer of the neuron (1..L); i: neuron in that layer; j: neuron of layer−1 (weights)
    sample: sample within the batch (forward and delta events), else None
    value:  the number itself (a, E, δ, ∂E/∂w, or the new weight w')
    factors: the chain-rule factors, one class per kind (``ForwardFactors``, …)

    Events compare and hash by position and value; factors hold numpy arrays and take no part.
    """

    index: int
    kind: str
    phase: str
    layer: int
    i: int | None
    j: int | None
    sample: int | None
    value: float
    factors: Factors = field(repr=False, compare=False)

    @property
    def is_weight(self) -> bool:
        """A gradient or update of a weight w_ij."""
        return self.kind in ("grad_w", "update_w")

    @property
    def is_bias(self) -> bool:
        """A gradient or update of a bias b_i."""
        return self.kind in ("grad_b", "update_b")

    @property
    def is_gradient(self) -> bool:
        """∂E/∂w or ∂E/∂b (kinds "grad_w", "grad_b")."""
        return self.kind in ("grad_w", "grad_b")

    @property
    def is_update(self) -> bool:
        """The new value of a weight or bias (kinds "update_w", "update_b")."""
        return self.kind in ("update_w", "update_b")


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


def _value_and_factors(tr: Trace, kind: str, l: int, i, j, c) -> tuple[float, Factors]:
    if kind == "forward":
        return _forward(tr, l, i, c)
    if kind == "loss":
        return _loss(tr)
    if kind == "delta":
        return _output_delta(tr, i, c) if l == len(tr.layer_sizes) - 1 else _hidden_delta(tr, l, i, c)
    if kind in ("grad_w", "grad_b"):
        return _gradient(tr, l, i, j)
    return _update(tr, l, i, j)


def _forward(tr: Trace, l: int, i: int, c: int) -> tuple[float, ForwardFactors]:
    # a^l_i = g(z^l_i),  z^l_i = Σ_j w_ij a^{l-1}_j + b_i
    a = float(tr.A[l][c, i])
    return a, ForwardFactors(
        z=float(tr.Z[l][c, i]),
        a=a,
        a_prev=tr.A[l - 1][c],  # (n_{l-1},)
        w=tr.weights_before[l - 1][i],  # (n_{l-1},)
        b=float(tr.biases_before[l - 1][i]),
        activation=tr.activations[l - 1],
    )


def _loss(tr: Trace) -> tuple[float, LossFactors]:
    # E = Σ_c E_c
    return tr.loss, LossFactors(
        per_sample=tr.loss_per_sample, a=tr.A[-1], y=tr.Y, loss=tr.loss_name, scale=tr.output.scale
    )


def _output_delta(tr: Trace, i: int, c: int) -> tuple[float, OutputDeltaFactors]:
    # δ^L_i = ∂E/∂a · g'(z)  or  s (a − y)
    o, L = tr.output, len(tr.layer_sizes) - 1
    return float(tr.deltas[L][c, i]), OutputDeltaFactors(
        a=float(tr.A[L][c, i]),
        y=float(tr.Y[c, i]),
        z=float(tr.Z[L][c, i]),
        error=float(o.error[c, i]),
        scale=o.scale,
        dE_da=None if o.dE_da is None else float(o.dE_da[c, i]),
        da_dz=None if o.da_dz is None else float(o.da_dz[c, i]),
        simplified=o.simplified,
    )


def _hidden_delta(tr: Trace, l: int, i: int, c: int) -> tuple[float, HiddenDeltaFactors]:
    # δ^l_i = (Σ_k δ^{l+1}_k w_ki) g'(z^l_i)
    w_next = tr.weights_before[l][:, i]  # W^{l+1}_{ki}, (n_{l+1},)
    d_next = tr.deltas[l + 1][c]  # δ^{l+1}_k, (n_{l+1},)
    return float(tr.deltas[l][c, i]), HiddenDeltaFactors(
        a=float(tr.A[l][c, i]),
        z=float(tr.Z[l][c, i]),
        w_next=w_next,
        delta_next=d_next,
        dE_da=float(d_next @ w_next),
        da_dz=float(tr.da_dz[l][c, i]),
    )


def _gradient(tr: Trace, l: int, i: int, j: int | None) -> tuple[float, GradFactors]:
    # ∂E/∂w_ij = Σ_c δ_ic a_jc,  ∂E/∂b_i = Σ_c δ_ic  (j None: the bias)
    delta = tr.deltas[l][:, i]  # (m,)
    a_prev = tr.A[l - 1][:, j] if j is not None else np.ones_like(delta)  # (m,)
    value = float(tr.grad_weights[l - 1][i, j] if j is not None else tr.grad_biases[l - 1][i])
    return value, GradFactors(delta=delta, a_prev=a_prev, per_sample=delta * a_prev, sum=value, mean=value / tr.m)


def _update(tr: Trace, l: int, i: int, j: int | None) -> tuple[float, UpdateFactors]:
    # w' = w + Δw,  Δw = −η ∂E/∂w  (j None: the bias)
    if j is not None:
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
    return float(new), UpdateFactors(old=float(old), grad=float(g), lr=tr.lr, delta_w=float(d), new=float(new))


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
