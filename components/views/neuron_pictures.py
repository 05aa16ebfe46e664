"""What each neuron computes, as a picture: its activation over the input plane of a 2-input network.

For a network with two inputs (x₁, x₂), every hidden and output neuron (l, i) gets a size×size image
of a^l_i over a grid spanning the data (X's range per input plus a 5 % margin on each side): column
0 … size−1 runs x₁ from low to high, row 0 is the top of the plane (the largest x₂). The activations
are the engine's own (``Network.forward_pass`` on the grid, one pass for every layer); the colours
are the graph's node fills (``graph_data.node_fill`` of NODE_FILL_MAX · a / range, blue < 0, grey
at 0, orange > 0), so a pixel with the value a node shows has the node's colour. The range of a
layer is ±1 for sigmoid / tanh / softmax and otherwise fitted to the grid's activations of that
layer (``fit_scale``), unless the caller passes the graph's ``node_ranges``. Each picture is a
PNG data URI (``png``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from components.model.colour_scale import fit_scale
from components.views.graph_data import NAN_FILL, NODE_FILL_MAX, node_fill
from components.views.palette import rgb
from components.views.png import data_uri, png_bytes

__all__ = ["MARGIN", "BOUNDED", "FAST_ABOVE", "plane_extent", "plane_grid", "activation_rgb", "neuron_pictures"]

MARGIN = 0.05  # of each input's range, added on both sides
BOUNDED = ("sigmoid", "tanh", "softmax")  # activations drawn on the fixed range ±1, as the graph does
FAST_ABOVE = 128  # more pictures than this are stored uncompressed (zlib level 0): encoding dominates the time


@functools.lru_cache(maxsize=1)
def _rgb_lut() -> tuple[np.ndarray, np.ndarray]:
    """(1001, 3) uint8: node_fill's table as RGB (index round((t + 1)·500)); and NAN_FILL as RGB."""
    lut = np.array([rgb(c) for c in node_fill(np.linspace(-1.0, 1.0, 1001))], np.uint8)
    return lut, np.array(rgb(NAN_FILL), np.uint8)


def activation_rgb(t: np.ndarray) -> np.ndarray:
    """(…, 3) uint8 colours of the node fills for t = NODE_FILL_MAX · a / range (clipped to ±1; NaN: NAN_FILL).
    Pixel for pixel the same as ``node_fill(t)`` in RGB."""
    lut, nan_rgb = _rgb_lut()
    t = np.asarray(t, float)
    nan = np.isnan(t)
    idx = np.rint((np.clip(np.where(nan, 0.0, t), -1.0, 1.0) + 1.0) * 500).astype(np.intp)
    out = lut[idx]
    if nan.any():
        out[nan] = nan_rgb
    return out


def plane_extent(X) -> tuple[float, float, float, float]:
    """(x1_low, x1_high, x2_low, x2_high): the data's range per input with a MARGIN on each side
    (±0.5 around a constant input; [−1, 1] without finite data)."""
    X = np.asarray(X, float).reshape(-1, 2)
    out = []
    for k in range(2):
        col = X[:, k][np.isfinite(X[:, k])]
        if col.size == 0:
            out += [-1.0, 1.0]
            continue
        lo, hi = float(col.min()), float(col.max())
        pad = MARGIN * (hi - lo) if hi > lo else 0.5
        out += [lo - pad, hi + pad]
    return tuple(out)


def plane_grid(X, size: int) -> np.ndarray:
    """(size·size, 2) grid points, row-major from the top-left pixel: row r has x₂ = x2_high … x2_low,
    column q has x₁ = x1_low … x1_high (pixel centres on the extent's edges)."""
    x1lo, x1hi, x2lo, x2hi = plane_extent(X)
    x1 = np.linspace(x1lo, x1hi, size)
    x2 = np.linspace(x2hi, x2lo, size)  # row 0 is the top: the largest x2
    G1, G2 = np.meshgrid(x1, x2)
    return np.column_stack([G1.ravel(), G2.ravel()])


def neuron_pictures(
    net, X, *, size: int = 24, ranges: Sequence[float] | None = None, level: int | None = None
) -> dict[tuple[int, int], str]:
    """{(layer, i): PNG data URI} for every hidden and output neuron (layers 1..L, i 0-based) of a
    2-input network: a^l_i over the data's plane, size×size pixels, in the graph's node colours.
    ranges: the colour range per layer 0..L (e.g. ``graph_data.node_ranges``); by default ±1 for
    bounded activations and ``fit_scale`` of the grid's activations otherwise. level: zlib's; by default 1
    (compact) up to FAST_ABOVE pictures and 0 beyond (the pixels stored: ~3× faster to encode, ~1.6× larger,
    so 8 layers of 64 stay ~10 ms instead of ~30). {} unless n_0 = 2."""
    sizes = tuple(net.layer_sizes)
    if len(sizes) < 2 or sizes[0] != 2:
        return {}
    size = max(1, int(size))
    grid = plane_grid(X, size)
    _, A = net.forward_pass(grid)  # the engine's activations, every layer 0..L: (size², n_l)
    acts = tuple(net.activations)
    if level is None:
        level = 1 if sum(sizes[1:]) <= FAST_ABOVE else 0
    out: dict[tuple[int, int], str] = {}
    for l in range(1, len(sizes)):
        Al = np.asarray(A[l], float)
        if ranges is not None:
            r = float(ranges[l])
        else:
            r = 1.0 if acts[l - 1] in BOUNDED else fit_scale(Al)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            t = NODE_FILL_MAX * (Al / r)
        pix = activation_rgb(t.T.reshape(sizes[l], size, size))  # (n_l, size, size, 3)
        for i in range(sizes[l]):
            out[(l, i)] = data_uri(png_bytes(pix[i], level=level))
    return out
