"""Activation functions as a small registry of (function, derivative).

Each activation g maps pre-activations z to activations a = g(z), elementwise
(softmax: row-wise over the units of one sample). Its derivative is written in
terms of z and a, the way the seeds write it, e.g. sigmoid: g'(z) = a(1 - a).

Every function takes and returns float64 arrays of shape (m, n): m samples, n units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "LEAKY_SLOPE"]

LEAKY_SLOPE = 0.01  # leaky_relu: g(z) = z for z > 0, 0.01 z otherwise


@dataclass(frozen=True)
class Activation:
    """One activation: its name, g(z), g'(z) given (z, a), and formulas for display."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray] | None  # None: softmax (Jacobian, see losses)
    formula: str  # a = g(z), LaTeX
    derivative_formula: str  # g'(z) written with a, LaTeX
    elementwise: bool = True


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}); e^{-z} may overflow to inf for z < -709, giving exactly 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / Σ_k e^{z_k}, per row; shifted by max z for stability."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid",
            _sigmoid,
            lambda z, a: a * (1.0 - a),  # σ'(z) = σ(z)(1 − σ(z))
            r"\sigma(z) = \frac{1}{1+e^{-z}}",
            r"a(1-a)",
        ),
        Activation(
            "tanh",
            np.tanh,
            lambda z, a: 1.0 - a * a,  # tanh'(z) = 1 − tanh²(z)
            r"\tanh(z)",
            r"1-a^2",
        ),
        Activation(
            "relu",
            lambda z: np.maximum(z, 0.0),
            lambda z, a: (z > 0).astype(np.float64),  # 1 if z > 0 else 0
            r"\max(0, z)",
            r"[z>0]",
        ),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
            r"\max(0.01z, z)",
            r"\begin{cases}1 & z>0\\ 0.01 & z\le 0\end{cases}",
        ),
        Activation(
            "linear",
            lambda z: np.array(z, dtype=np.float64, copy=True),
            lambda z, a: np.ones_like(z),
            r"z",
            r"1",
        ),
        Activation(
            "softmax",
            _softmax,
            None,
            r"\frac{e^{z_i}}{\sum_k e^{z_k}}",
            r"a_i(\mathbb{1}_{ik} - a_k)",
            elementwise=False,
        ),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with a helpful error for unknown names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
