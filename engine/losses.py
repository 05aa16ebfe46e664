"""Losses, named by their exact normalisation, and the output-layer δ they produce.

m is the number of samples in the batch, n the number of output units, a = A^L, y = Y:

- ``half_sse``      E = ½ Σ_c Σ_i (a_ic − y_ic)²            (seeds 000, 002, 003)
- ``half_mse``      E = 1/(2m) Σ_c Σ_i (a_ic − y_ic)²       (seed 001)
- ``cross_entropy`` E = −(1/m) Σ_c Σ_i y log a  (softmax outputs), or
                    E = −(1/m) Σ_c Σ_i [y log a + (1 − y) log(1 − a)]  (sigmoid outputs)

δ^L = ∂E/∂Z^L. With an elementwise activation g and a squared error,
δ^L = s · (a − y) · g'(z), where s is the loss's scale (1 or 1/m). Cross-entropy
with sigmoid or softmax outputs simplifies to δ^L = s · (a − y): the g'(z) of the
output unit cancels against ∂E/∂a. That simplification is reported as a fact of
the trace (``OutputDelta.simplified``), never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import Activation

__all__ = [
    "LOSSES",
    "LOSS_FORMULAS",
    "check_loss",
    "loss_scale",
    "loss_value",
    "output_delta",
    "output_delta_into",
    "OutputDelta",
]

LOSSES = ("half_sse", "half_mse", "cross_entropy")

LOSS_FORMULAS = {
    "half_sse": r"E = \tfrac{1}{2}\sum_{c}\sum_{i}(a_{ic} - y_{ic})^2",
    "half_mse": r"E = \tfrac{1}{2m}\sum_{c}\sum_{i}(a_{ic} - y_{ic})^2",
    "cross_entropy": r"E = -\tfrac{1}{m}\sum_{c}\sum_{i} y_{ic}\log a_{ic}",
}


def check_loss(name: str, output_activation: Activation) -> None:
    """Raise ValueError unless ``name`` is a loss that suits the output activation."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    if name == "cross_entropy" and output_activation.name not in ("sigmoid", "softmax"):
        raise ValueError(
            "cross_entropy needs sigmoid or softmax outputs (its log needs 0 < a < 1); "
            f"the output layer is {output_activation.name}"
        )


def loss_scale(name: str, m: int) -> float:
    """The loss's normalisation s: 1 for half_sse, 1/m for half_mse and cross_entropy."""
    return 1.0 if name == "half_sse" else 1.0 / m


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log σ(z) = −log(1 + e^{−z}), exact for large |z|."""
    return -np.logaddexp(0.0, -z)


def loss_value(name: str, act: Activation, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Each sample's contribution E_c, shape (m,); the loss is E = Σ_c E_c.

    Z, A, Y: (m, n) output pre-activations, activations and targets. Cross-entropy
    is computed from z (log-sigmoid, log-softmax), so it stays finite when a rounds to 0 or 1.
    """
    m = A.shape[0]
    s = loss_scale(name, m)
    if name in ("half_sse", "half_mse"):
        r = A - Y
        E = np.einsum("ci,ci->c", r, r)
        E *= 0.5 * s  # E_c = s · ½ Σ_i (a − y)²
        return E
    if act.name == "softmax":
        log_a = Z - Z.max(axis=1, keepdims=True)
        log_a = log_a - np.log(np.exp(log_a).sum(axis=1, keepdims=True))
        return -s * np.einsum("ci,ci->c", Y, log_a)  # E_c = −s Σ_i y log a
    log_a, log_1ma = _log_sigmoid(Z), _log_sigmoid(-Z)
    return -s * (Y * log_a + (1.0 - Y) * log_1ma).sum(axis=1)


@dataclass(frozen=True)
class OutputDelta:
    """δ^L = ∂E/∂Z^L with its chain-rule factors, all (m, n).

    error:  a − y
    dE_da:  ∂E/∂a (includes the scale s); None where cross-entropy simplifies
    da_dz:  g'(z) for elementwise activations; None for softmax (a Jacobian) or when simplified
    simplified: True for cross-entropy with sigmoid/softmax: δ = s (a − y)
    """

    delta: np.ndarray
    error: np.ndarray
    scale: float
    dE_da: np.ndarray | None
    da_dz: np.ndarray | None
    simplified: bool


def output_delta(name: str, act: Activation, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> OutputDelta:
    """δ^L for the loss ``name`` and output activation ``act``; Z, A, Y: (m, n)."""
    s = loss_scale(name, A.shape[0])
    error = A - Y  # (a − y)
    if name == "cross_entropy":
        return OutputDelta(s * error, error, s, None, None, True)  # δ = s (a − y)
    dE_da = s * error  # ∂E/∂a = s (a − y)
    if act.d_into is None:  # softmax: δ_i = Σ_k ∂E/∂a_k · a_k(1[i=k] − a_i)
        delta = A * (dE_da - np.einsum("ck,ck->c", dE_da, A)[:, None])
        return OutputDelta(delta, error, s, dE_da, None, False)
    da_dz = act.df(Z, A)
    return OutputDelta(dE_da * da_dz, error, s, dE_da, da_dz, False)  # δ = ∂E/∂a · g'(z)


def output_delta_into(
    name: str,
    act: Activation,
    A: np.ndarray,
    Y: np.ndarray,
    *,
    out: np.ndarray,
    scratch: np.ndarray,
    factor: float = 1.0,
) -> None:
    """factor · δ^L written into D, the in-place form of ``output_delta`` (``fit`` passes factor = η).

    A, Y, out, scratch: (m, n) arrays or views; scratch holds g'(z). Same equations, same order of operations.
    """
    D, T = out, scratch
    if name != "cross_entropy" and act.d_into is None:  # softmax with a squared error: the Jacobian
        np.multiply(output_delta(name, act, None, A, Y).delta, factor, out=D)
        return
    np.subtract(A, Y, out=D)  # a − y
    np.multiply(D, loss_scale(name, A.shape[0]) * factor, out=D)  # s (a − y): ∂E/∂a, or δ^L for cross-entropy
    if name != "cross_entropy":
        act.d_into(A, T)  # g'(z)
        np.multiply(D, T, out=D)  # δ^L = ∂E/∂a ⊙ g'(z)
