"""Arrays for plotly.js as base64 typed arrays, as plotly itself encodes them, minus its conversion cost."""

from __future__ import annotations

import base64
import functools

import numpy as np

from components.views.graph_data import GraphLayout, graph_layout

__all__ = ["typed", "typed_rows", "typed_static"]


def typed(a) -> dict:
    """A float32 array as plotly.js's typed-array spec (what plotly itself emits, minus its
    per-array conversion cost); NaN entries are gaps in lines."""
    with np.errstate(over="ignore"):  # a diverged value beyond float32's range becomes ±inf, without a warning
        a = np.ascontiguousarray(a, np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(a).decode("ascii")}


def typed_rows(a: np.ndarray, dtype: str = "f8") -> dict:
    """A 2-D array as a typed-array spec with its shape: plotly.js hands each point its row
    (Streamlit's selection event then carries it as {"0": …, "1": …})."""
    a = np.ascontiguousarray(a, {"f8": np.float64, "i2": np.int16}[dtype])
    return {"dtype": dtype, "bdata": base64.b64encode(a).decode("ascii"), "shape": f"{a.shape[0]}, {a.shape[1]}"}


@functools.lru_cache(maxsize=16)
def _static_b64(sizes: tuple, bias: bool) -> dict:
    """Base64 float32 coordinates that never change for an architecture (encoded once)."""
    lay = graph_layout(sizes, bias)
    return {k: typed(getattr(lay, k))["bdata"] for k in ("node_x", "node_y")}


def typed_static(lay: GraphLayout, key: str) -> dict:
    """``typed(lay.<key>)`` for "node_x" / "node_y", encoded once per architecture."""
    return {"dtype": "f4", "bdata": _static_b64(lay.sizes, lay.bias)[key]}
