"""What the numbers mean: saturated and dead units, vanishing or exploding gradients, oversized updates.

Each check reads a network and a batch (X (m, n_0), Y (m, n_L)) — usually the whole training set — or
one update's ``Trace``, and returns ``Finding``s: a kind, the layer (1..L), the neuron (0-based) or
None, and one plain sentence a student can act on (neurons are numbered from 1 in sentences, as in
the neutral notation). A healthy network gives no findings.

- ``saturated``: a sigmoid or tanh unit with g'(z) < SATURATED_SLOPE on more than SATURATED_SHARE of
  the samples. An output unit counts a sample only when it is also far from its target
  (|a − y| ≥ 0.5): an output saturated at its target is what training aims for. Output units under
  cross-entropy are never saturated in this sense: their g' cancels (δ^L = s (a − y)).
- ``dead_relu``: a ReLU unit whose output is exactly 0 on every sample (leaky ReLU never dies).
- ``vanishing`` / ``exploding``: ‖∂E/∂W^l‖ (Frobenius, over the batch) more than GROWTH times smaller /
  larger than ‖∂E/∂W^{l+1}‖; consecutive such layers make one finding. Only for networks with at
  least two hidden layers: with one there is a single step, whose ratio mostly reflects the inputs'
  scale rather than depth (the textbook 2-2-2's first-layer gradient is 81× smaller than its second's,
  its inputs being 0.05 and 0.10).
- ``large_update``: weights whose update Δw = −η ∂E/∂w is larger than |w|, among those not tiny: |w| above
  TINY_WEIGHT and above SMALL_SHARE of their layer's root-mean-square weight (a weight far below its
  layer's typical size moves by more than itself as a matter of course early in training).

``diagnostic_examples`` gives configurations (``LabConfig``) that show each kind at their start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.model.config import LINK_BASE, LabConfig
from engine import Network, Trace
from engine.network import as_batch

__all__ = [
    "Finding",
    "FINDING_KINDS",
    "SATURATED_SLOPE",
    "SATURATED_SHARE",
    "OUTPUT_MISS",
    "GROWTH",
    "TINY_WEIGHT",
    "SMALL_SHARE",
    "saturated_units",
    "dead_relus",
    "gradient_flow",
    "large_updates",
    "diagnose",
    "diagnose_lab",
    "diagnostic_examples",
]

FINDING_KINDS = ("saturated", "dead_relu", "vanishing", "exploding", "large_update")
SATURATED_SLOPE = 0.01  # g'(z) below this: the unit passes back almost nothing
SATURATED_SHARE = 0.9  # … on more than this share of the samples
OUTPUT_MISS = 0.5  # an output unit's sample counts as saturated only with |a − y| ≥ this
GROWTH = 10.0  # ‖∂E/∂W‖ changing by more than this factor from one layer to the next
TINY_WEIGHT = 1e-3  # weights this small are not compared with their update …
SMALL_SHARE = 0.5  # … nor those under this share of their layer's root-mean-square weight


@dataclass(frozen=True)
class Finding:
    """One thing worth knowing about the network's numbers."""

    kind: str  # one of FINDING_KINDS
    layer: int  # 1..L (for vanishing / exploding: the lowest layer affected)
    neuron: int | None  # 0-based; None for a finding about a whole layer
    sentence: str


def _finite(arrays) -> bool:
    return all(np.all(np.isfinite(a)) for a in arrays)


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %" if share < 0.995 else "all"


# ----------------------------------------------------------------------------- units
def saturated_units(net: Network, X, Y) -> list[Finding]:
    """Sigmoid and tanh units with g'(z) < SATURATED_SLOPE on more than SATURATED_SHARE of the samples."""
    X, Y = as_batch(X, Y, net.layer_sizes[0], net.layer_sizes[-1])
    with np.errstate(all="ignore"):
        Z, A = net.forward_pass(X)
    L, m, found = net.n_layers, X.shape[0], []
    for l in range(1, L + 1):
        act = net.activation(l)
        if act.name not in ("sigmoid", "tanh") or (l == L and net.loss_name == "cross_entropy"):
            continue
        if not _finite([Z[l], A[l]]):
            continue
        flat = act.df(Z[l], A[l]) < SATURATED_SLOPE  # (m, n_l)
        if l == L:
            flat &= np.abs(A[l] - Y) >= OUTPUT_MISS
        for i in np.flatnonzero(flat.mean(axis=0) > SATURATED_SHARE):
            share = float(flat[:, i].mean())
            where = "far from its target " if l == L else ""
            found.append(
                Finding(
                    "saturated",
                    l,
                    int(i),
                    f"Neuron {i + 1} of layer {l} ({act.name}) is saturated {where}on {_pct(share)} of the "
                    f"{m} samples (g'(z) < {SATURATED_SLOPE:g}), so the weights into it barely learn: "
                    "start from smaller weights or scale the inputs down.",
                )
            )
    return found


def dead_relus(net: Network, X) -> list[Finding]:
    """ReLU units whose output is exactly 0 on every sample of X (m, n_0)."""
    with np.errstate(all="ignore"):
        _, A = net.forward_pass(X)
    m, found = A[0].shape[0], []
    for l in range(1, net.n_layers + 1):
        if net.activations[l - 1] != "relu":
            continue
        for i in np.flatnonzero(np.all(A[l] == 0.0, axis=0)):
            found.append(
                Finding(
                    "dead_relu",
                    l,
                    int(i),
                    f"Neuron {i + 1} of layer {l} (ReLU) outputs 0 on all {m} samples, so its g'(z) is 0 and the "
                    "weights into it never change: give it a positive bias, use leaky ReLU, or try another seed.",
                )
            )
    return found


# -------------------------------------------------------------------------- gradients
def _times(r: float) -> str:
    return "completely" if not np.isfinite(r) else f"{r:.3g}×"


def gradient_flow(net: Network, X, Y) -> list[Finding]:
    """Runs of layers where ‖∂E/∂W^l‖ is more than GROWTH times smaller (vanishing) or larger (exploding)
    than ‖∂E/∂W^{l+1}‖, one finding per run; networks with at least two hidden layers only."""
    L = net.n_layers
    if L < 3:
        return []
    with np.errstate(all="ignore"):
        gw, _ = net.gradients(X, Y)
        norms = [float(np.linalg.norm(g)) for g in gw]  # norms[l − 1] = ‖∂E/∂W^l‖
    kinds = [None] * (L + 1)  # kinds[l] for the step from layer l + 1 back to layer l
    change = [0.0] * (L + 1)  # how many times smaller (vanishing) or larger (exploding)
    for l in range(1, L):
        lo, hi = norms[l - 1], norms[l]
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi == 0.0:
            continue
        if lo * GROWTH < hi:
            kinds[l], change[l] = "vanishing", (hi / lo if lo > 0 else float("inf"))
        elif lo > GROWTH * hi:
            kinds[l], change[l] = "exploding", lo / hi
    found, l = [], L - 1
    while l >= 1:  # runs from the output side back towards the inputs
        kind = kinds[l]
        if kind is None:
            l -= 1
            continue
        top = l + 1
        steps = []
        while l >= 1 and kinds[l] == kind:
            steps.append(_times(change[l]))
            l -= 1
        low = l + 1
        ratios = ", ".join(steps)
        total = norms[top - 1] / norms[low - 1] if norms[low - 1] > 0 else float("inf")
        if kind == "vanishing":
            sentence = (
                f"The gradient shrinks by more than {GROWTH:g}× per layer from layer {top} back to layer {low} "
                f"(‖∂E/∂W‖ falls {ratios}), so layer {low} learns "
                + ("not at all" if not np.isfinite(total) else f"{total:.3g}× more slowly than layer {top}")
                + ": try tanh or ReLU units, or weights that keep g'(z) away from 0."
            )
        else:
            sentence = (
                f"The gradient grows by more than {GROWTH:g}× per layer from layer {top} back to layer {low} "
                f"(‖∂E/∂W‖ rises {ratios}), so layer {low} takes steps {1 / total:.3g}× larger than layer {top}: "
                "start from smaller weights or lower the learning rate η."
            )
        found.append(Finding(kind, low, None, sentence))
    return found


def large_updates(trace: Trace) -> list[Finding]:
    """Per layer: the weights whose update Δw = −η ∂E/∂w in this trace exceeds |w|, among those with
    |w| > max(TINY_WEIGHT, SMALL_SHARE · rms(W^l))."""
    found = []
    for l, (W, dW) in enumerate(zip(trace.weights_before, trace.delta_weights), start=1):
        with np.errstate(all="ignore"):
            floor = max(TINY_WEIGHT, SMALL_SHARE * float(np.sqrt(np.mean(W * W))))
            big = np.isfinite(W) & np.isfinite(dW) & (np.abs(W) > floor) & (np.abs(dW) > np.abs(W))
        n = int(big.sum())
        if not n:
            continue
        ratio = np.where(big, np.abs(dW) / np.where(big, np.abs(W), 1.0), 0.0)
        i, j = np.unravel_index(int(np.argmax(ratio)), W.shape)
        found.append(
            Finding(
                "large_update",
                l,
                None,
                f"In layer {l}, {n} of {W.size} weights {'changes' if n == 1 else 'change'} by more than "
                f"{'its' if n == 1 else 'their'} own size in this update (the largest: Δw = {dW[i, j]:.3g} on "
                f"w = {W[i, j]:.3g}, from neuron {j + 1} to neuron {i + 1}): "
                f"lower the learning rate η (now {trace.lr:g}).",
            )
        )
    return found


# ------------------------------------------------------------------------------ all
def diagnose(net: Network, X, Y, *, trace: Trace | None = None, lr: float | None = None) -> list[Finding]:
    """Every check: units and gradient flow on (X, Y) at the network's parameters; updates on ``trace``
    (or, given only ``lr``, on one update of the whole batch). Nothing while the parameters are not finite."""
    if not _finite(net.weights + net.biases):
        return []
    X, Y = as_batch(X, Y, net.layer_sizes[0], net.layer_sizes[-1])
    found = saturated_units(net, X, Y) + dead_relus(net, X) + gradient_flow(net, X, Y)
    if trace is None and lr is not None:
        with np.errstate(all="ignore"):
            trace = net.trace(X, Y, lr)
    if trace is not None:
        found += large_updates(trace)
    return found


def diagnose_lab(lab) -> list[Finding]:
    """``diagnose`` for a ``components.model.lab.Lab``: its training set at the parameters its current
    update started from, and that update's trace."""
    d = lab.dataset
    return diagnose(lab.net_at_update_start(), d.X_train, d.Y_train, trace=lab.trace)


# ------------------------------------------------------------------------- examples
def diagnostic_examples() -> dict[str, LabConfig]:
    """One configuration per finding kind that shows that kind, and only that kind, at its start
    (``diagnose_lab(build_lab(config))``; tests/test_diagnostics.py checks each)."""
    return {
        # five linear layers of 64 units multiply the inputs' scale, so the tanh layer after them sits at |z| ≫ 1
        "saturated": LINK_BASE.with_(
            hidden=(64, 64, 64, 64, 64, 4),
            hidden_activation=("linear",) * 5 + ("tanh",),
            init="uniform",
            dataset="xor",
            batch_size=1,
            seed=0,
        ),
        # inputs 0 and 1 only: a unit whose two weights are negative never sees z > 0
        "dead_relu": LINK_BASE.with_(
            hidden=(8,), hidden_activation=("relu",), init="uniform", dataset="xor_table", batch_size=0, seed=0
        ),
        # 2-8-8-8-8-1 sigmoid: g'(z) ≤ 0.25 and small weights shrink δ at every layer
        "vanishing": LINK_BASE.with_(
            hidden=(8, 8, 8, 8),
            hidden_activation=("sigmoid",) * 4,
            init="uniform",
            dataset="xor",
            batch_size=1,
            seed=13,
        ),
        # a one-unit bottleneck whose incoming weights are small: the layer below it gets the larger gradient
        "exploding": LINK_BASE.with_(
            hidden=(4, 1, 4), hidden_activation=("tanh",) * 3, init="he", dataset="xor", batch_size=1, seed=5
        ),
        # η = 100 on one sample at a time
        "large_update": LINK_BASE.with_(
            hidden=(2,), hidden_activation=("sigmoid",), lr=100.0, dataset="xor", batch_size=1, seed=0
        ),
    }
