"""Decode the arrays of a plotly figure (plotly ≥ 6 writes numpy arrays as typed-array specs)."""

from __future__ import annotations

import base64

import numpy as np


def arr(v) -> np.ndarray:
    """A figure array as float64: a typed-array spec {dtype, bdata[, shape]} or a list (None → NaN)."""
    if isinstance(v, dict):
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.astype(float).reshape([int(n) for n in v["shape"].split(",")] if "shape" in v else -1)
    return np.array([np.nan if x is None else x for x in v], float)
