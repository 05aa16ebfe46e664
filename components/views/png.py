"""A tiny PNG encoder (zlib + struct, no imaging library): small pictures as data URIs for the page.

8-bit truecolour (RGB) or greyscale, one IDAT chunk, every row with filter type 0 (none): for the
few-hundred-pixel pictures the views draw (a neuron's activation over the input plane, an 8×8 digit)
that is both the simplest and the fastest encoding.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

__all__ = ["PNG_SIGNATURE", "png_bytes", "grey_png", "data_uri"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPE = {1: 0, 3: 2}  # channels → PNG colour type (0 greyscale, 2 RGB)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _encode(pixels: np.ndarray, level: int) -> bytes:
    """pixels: (h, w) or (h, w, c) uint8 with c in (1, 3)."""
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    h, w, c = pixels.shape
    if h < 1 or w < 1:
        raise ValueError(f"a PNG needs at least one pixel, got {h}×{w}")
    raw = np.zeros((h, 1 + w * c), np.uint8)  # each row: filter byte 0, then its pixels
    raw[:, 1:] = pixels.reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOUR_TYPE[c], 0, 0, 0)
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)),
            _chunk(b"IEND", b""),
        )
    )


def png_bytes(rgb: np.ndarray, *, level: int = 6) -> bytes:
    """A PNG of an (h, w, 3) uint8 RGB image; row 0 is the top of the picture."""
    a = np.asarray(rgb)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"png_bytes needs an (h, w, 3) array, got shape {a.shape}")
    if a.dtype != np.uint8:
        raise ValueError(f"png_bytes needs uint8 pixels, got {a.dtype}")
    return _encode(np.ascontiguousarray(a), level)


def grey_png(values: np.ndarray, *, level: int = 6) -> bytes:
    """A greyscale PNG of (h, w) floats in [0, 1] (0 black, 1 white; clipped, NaN drawn black)."""
    v = np.asarray(values, float)
    if v.ndim != 2:
        raise ValueError(f"grey_png needs an (h, w) array, got shape {v.shape}")
    g = np.rint(np.clip(np.nan_to_num(v, nan=0.0), 0.0, 1.0) * 255).astype(np.uint8)
    return _encode(g, level)


def data_uri(png: bytes) -> str:
    """ "data:image/png;base64,…" for an <img src> or a plotly layout image."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
