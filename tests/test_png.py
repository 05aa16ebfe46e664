"""The dependency-free PNG encoder (components.views.png) and the sample pictures (sample_image),
read back with a tiny decoder (zlib, filter type 0 only: the only filter the encoder writes)."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest

from components.views.png import PNG_SIGNATURE, data_uri, grey_png, png_bytes
from components.views.sample_image import digit_image, input_image, is_image_input


def decode_png(png: bytes) -> np.ndarray:
    """(h, w, 3) or (h, w) uint8 pixels of an 8-bit RGB/grey PNG with filter type 0; checks every CRC."""
    assert png[:8] == PNG_SIGNATURE
    pos, chunks = 8, []
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF, kind
        chunks.append((kind, data))
        pos += 12 + n
    kinds = [k for k, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    w, h, depth, colour, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, comp, filt, interlace) == (8, 0, 0, 0) and colour in (0, 2)
    c = 3 if colour == 2 else 1
    raw = np.frombuffer(zlib.decompress(b"".join(d for k, d in chunks if k == b"IDAT")), np.uint8)
    rows = raw.reshape(h, 1 + w * c)
    assert np.all(rows[:, 0] == 0), "filter type 0 on every row"
    px = rows[:, 1:].reshape(h, w, c)
    return px if c == 3 else px[:, :, 0]


def uri_png(uri: str) -> bytes:
    head = "data:image/png;base64,"
    assert uri.startswith(head)
    return base64.b64decode(uri[len(head) :], validate=True)


# ------------------------------------------------------------------------------ encoder
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (24, 24), (7, 2)])
def test_rgb_round_trip(shape):
    rgb = np.random.default_rng(0).integers(0, 256, (*shape, 3), dtype=np.uint8)
    png = png_bytes(rgb)
    back = decode_png(png)
    assert back.shape == (*shape, 3) and np.array_equal(back, rgb)
    w, h = struct.unpack(">II", png[16:24])  # IHDR's width and height
    assert (h, w) == shape


def test_uncompressed_level_decodes_the_same():
    rgb = np.random.default_rng(1).integers(0, 256, (6, 4, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(png_bytes(rgb, level=0)), rgb)


def test_known_size():
    """A 1×1 RGB PNG is signature 8 + IHDR 25 + IDAT (12 + zlib) + IEND 12 bytes."""
    png = png_bytes(np.zeros((1, 1, 3), np.uint8))
    idat = len(zlib.compress(b"\x00\x00\x00\x00"))
    assert len(png) == 8 + 25 + 12 + idat + 12
    assert png.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82")  # IEND's fixed CRC


def test_grey_round_trip_and_clipping():
    v = np.array([[0.0, 0.5, 1.0], [-1.0, 2.0, np.nan]])
    back = decode_png(grey_png(v))
    assert back.shape == (2, 3)
    assert back.tolist() == [[0, 128, 255], [0, 255, 0]]


def test_data_uri():
    png = png_bytes(np.full((2, 2, 3), 200, np.uint8))
    uri = data_uri(png)
    assert uri.startswith("data:image/png;base64,") and uri_png(uri) == png


@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 2), np.uint8), np.zeros((2, 2, 4), np.uint8), np.zeros((2, 2, 3)), np.zeros((0, 2, 3), np.uint8)],
)
def test_bad_arrays_are_refused(bad):
    with pytest.raises(ValueError):
        png_bytes(bad)


def test_grey_needs_2d():
    with pytest.raises(ValueError):
        grey_png(np.zeros(4))


# ------------------------------------------------------------------------ sample images
def test_is_image_input():
    assert is_image_input(64) == (8, 8)
    assert is_image_input(784) == (28, 28)
    assert is_image_input(2) is None and is_image_input(4) is None and is_image_input(63) is None


def test_digit_image_is_dark_ink_on_white_upscaled():
    x = np.zeros(64)
    x[0] = 1.0  # top-left pixel full ink
    x[9] = 0.5  # row 1, column 1 half ink
    px = decode_png(uri_png(digit_image(x)))
    assert px.shape == (32, 32)
    assert np.all(px[:4, :4] == 0)  # ink is black, 4×4 nearest neighbour
    assert np.all(px[4:8, 4:8] == 128)
    assert px[0, 4] == 255 and px[31, 31] == 255  # the page is white
    assert len(np.unique(px[:4, :4])) == 1


def test_digit_image_of_a_real_digit():
    from engine.real_datasets import load_digits

    d = load_digits()
    x = d.X_train[0]
    px = decode_png(uri_png(digit_image(x, scale=1)))
    assert np.array_equal(px, np.rint((1 - x.reshape(8, 8)) * 255).astype(np.uint8))


def test_input_image_any_shape_and_light_ink():
    x = np.linspace(0, 1, 6)
    px = decode_png(uri_png(input_image(x, (2, 3), scale=2, ink=False)))
    assert px.shape == (4, 6)
    assert px[0, 0] == 0 and px[3, 5] == 255  # row-major: the last value is the bottom right
    with pytest.raises(ValueError):
        input_image(np.zeros(5), (2, 3))
