"""Backpropagation checked against central finite differences.

For every parameter θ:  ∂E/∂θ ≈ (E(θ + ε) − E(θ − ε)) / 2ε, with error O(ε²).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, as_batch

__all__ = ["GradientCheck", "gradient_check", "relative_error"]


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> np.ndarray:
    """|a − b| / max(|a|, |b|, floor), elementwise."""
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


@dataclass(frozen=True)
class GradientCheck:
    """Per-parameter comparison; lists are shaped like Network.weights / Network.biases."""

    backprop_weights: list
    numeric_weights: list
    error_weights: list
    backprop_biases: list
    numeric_biases: list
    error_biases: list
    epsilon: float

    @property
    def max_error(self) -> float:
        errs = [e.max(initial=0.0) for e in self.error_weights + self.error_biases]
        return float(max(errs, default=0.0))


def gradient_check(net: Network, X, Y, epsilon: float = 1e-6) -> GradientCheck:
    """Compare net.gradients(X, Y) with central differences of net.loss for every parameter.

    The network is left unchanged. Biases are checked only when the network has them.
    """
    X, Y = as_batch(X, Y, net.layer_sizes[0], net.layer_sizes[-1])
    gw, gb = net.gradients(X, Y)
    probe = net.copy()

    def numeric(params: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for P in params:
            G = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + epsilon
                e_plus = probe.loss(X, Y)
                P[idx] = old - epsilon
                e_minus = probe.loss(X, Y)
                P[idx] = old
                G[idx] = (e_plus - e_minus) / (2 * epsilon)  # central difference
            out.append(G)
        return out

    nw = numeric(probe.weights)
    nb = numeric(probe.biases) if net.bias else [np.zeros_like(b) for b in gb]
    return GradientCheck(
        gw,
        nw,
        [relative_error(a, b) for a, b in zip(gw, nw)],
        gb,
        nb,
        [relative_error(a, b) for a, b in zip(gb, nb)],
        epsilon,
    )
