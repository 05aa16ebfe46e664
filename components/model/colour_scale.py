"""The range of the graph's edge colour scale, and the values it is fitted to.

Plain numpy over the engine's trace: the lab keeps its scale fixed while stepping (so colours are
comparable from one event to the next) and refits it after training; the graph draws with it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["edge_values", "fit_scale"]


def edge_values(net, trace, cursor: int, color_by: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(per-weight values, per-bias values), shaped like (net.weights, net.biases):
    weights at the cursor, ∂E/∂w, or Δw = −η ∂E/∂w of the trace's update (see module doc)."""
    if trace is None:
        W, b = net.weights, net.biases
        if color_by == "weight":
            return list(W), list(b)
        return [np.zeros_like(w) for w in W], [np.zeros_like(x) for x in b]
    if color_by == "weight":
        return trace.parameters_at(cursor)
    if color_by == "gradient":
        return list(trace.grad_weights), list(trace.grad_biases)
    return list(trace.delta_weights), list(trace.delta_biases)


def fit_scale(values) -> float:
    """A robust, never-zero max |value| of an array or list of arrays, rounded up to a
    readable 1-1.5-2-3-4-5-6-8 × 10^k: max |v|, or the 99th percentile beyond 1,000 values."""
    parts = [np.abs(np.asarray(v, float)).ravel() for v in (values if isinstance(values, (list, tuple)) else [values])]
    a = np.concatenate(parts) if parts else np.zeros(0)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return 1.0
    m = float(np.percentile(a, 99) if a.size > 1000 else a.max())
    if m <= 0:
        m = float(a.max())
    if m <= 1e-300:
        return 1.0
    k = int(np.floor(np.log10(m)))
    s = next(s for s in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if s * 10.0**k >= m * (1 - 1e-12))
    return float(f"{s}e{k}")  # the float nearest s·10^k: it reads back exactly from its short form (links)
