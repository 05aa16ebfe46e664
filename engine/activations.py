"""Activation functions as one small registry of (function, derivative), for every code path.

Each activation g maps pre-activations z to activations a = g(z), elementwise
(softmax: over the units of one sample). Its derivative is written in terms of a,
the way the seeds write it, e.g. sigmoid: g'(z) = a(1 - a).

Each entry is written once, in place, as numpy calls with ``out=``:

- ``into(Z, A)``:   A ← g(Z); A may be Z (then Z is overwritten), otherwise Z is only read;
- ``d_into(A, T)``: T ← g'(Z), from A = g(Z); None for softmax (a Jacobian, see losses).

``f(z)`` and ``df(z, a)`` allocate their result and call these same forms, so
``Network.forward``/``trace`` and the fast loop of ``fit`` compute the same numbers.
Rows are samples: arrays have shape (m, n), m samples of n units (softmax
normalises along the last axis; ``fit`` passes transposed views of its columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "LEAKY_SLOPE"]

LEAKY_SLOPE = 0.01  # leaky_relu: g(z) = z for z > 0, 0.01 z otherwise

InPlace = Callable[[np.ndarray, np.ndarray], None]


@dataclass(frozen=True)
class Activation:
    """One activation: its name, g and g' in place, and formulas for display."""

    name: str
    into: InPlace  # A ← g(Z)
    d_into: InPlace | None  # T ← g'(Z) from A; None: softmax
    formula: str  # a = g(z), LaTeX
    derivative_formula: str  # g'(z) written with a, LaTeX
    elementwise: bool = True

    def f(self, z: np.ndarray) -> np.ndarray:
        """a = g(z), a new float64 array."""
        z = np.asarray(z, dtype=np.float64)
        a = np.empty_like(z)
        with np.errstate(over="ignore"):  # sigmoid: e^{-z} = inf gives exactly 0
            self.into(z, a)
        return a

    def df(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """g'(z) written with a = g(z), a new float64 array (elementwise activations only)."""
        if self.d_into is None:
            raise ValueError(f"{self.name} has a Jacobian, not an elementwise derivative")
        t = np.empty(np.shape(a))
        self.d_into(np.asarray(a, dtype=np.float64), t)
        return t


# ------------------------------------------------------------------ g(z)
def _sigmoid(Z, A):
    """σ(z) = 1 / (1 + e^{-z}); e^{-z} overflows to inf for z < -709, giving exactly 0."""
    np.negative(Z, out=A)
    np.exp(A, out=A)
    np.add(A, 1.0, out=A)
    np.divide(1.0, A, out=A)


def _tanh(Z, A):
    np.tanh(Z, out=A)


def _relu(Z, A):
    np.maximum(Z, 0.0, out=A)  # max(0, z)


def _leaky_relu(Z, A):
    np.maximum(Z, LEAKY_SLOPE * Z, out=A)  # max(0.01 z, z)


def _linear(Z, A):
    if A is not Z:
        np.copyto(A, Z)


def _softmax(Z, A):
    """softmax(z)_i = e^{z_i} / Σ_k e^{z_k} over the last axis; shifted by max z for stability."""
    np.subtract(Z, Z.max(axis=-1, keepdims=True), out=A)
    np.exp(A, out=A)
    np.divide(A, A.sum(axis=-1, keepdims=True), out=A)


# -------------------------------------------------------- g'(z), from a
def _d_sigmoid(A, T):
    np.subtract(1.0, A, out=T)
    np.multiply(T, A, out=T)  # σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)


def _d_tanh(A, T):
    np.multiply(A, A, out=T)
    np.subtract(1.0, T, out=T)  # tanh'(z) = 1 − tanh²(z) = 1 − a²


def _d_relu(A, T):
    np.greater(A, 0.0, out=T)  # [z > 0]: a > 0 exactly when z > 0


def _d_leaky_relu(A, T):
    np.greater(A, 0.0, out=T)  # [z > 0]: a > 0 exactly when z > 0
    np.maximum(T, LEAKY_SLOPE, out=T)  # 1 if z > 0 else 0.01


def _d_linear(A, T):
    T.fill(1.0)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _d_sigmoid, r"\sigma(z) = \frac{1}{1+e^{-z}}", r"a(1-a)"),
        Activation("tanh", _tanh, _d_tanh, r"\tanh(z)", r"1-a^2"),
        Activation("relu", _relu, _d_relu, r"\max(0, z)", r"[z>0]"),
        Activation(
            "leaky_relu",
            _leaky_relu,
            _d_leaky_relu,
            r"\max(0.01z, z)",
            r"\begin{cases}1 & z>0\\ 0.01 & z\le 0\end{cases}",
        ),
        Activation("linear", _linear, _d_linear, r"z", r"1"),
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
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None
