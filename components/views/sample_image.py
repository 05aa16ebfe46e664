"""A sample whose inputs are pixels, drawn as the picture it is (dark ink on white, like the UCI digits).

Pure numpy + the PNG encoder: ``is_image_input`` says whether a number of inputs is a known picture
shape (64 → 8×8 digits, 784 → 28×28), ``input_image`` draws any (h, w) picture, ``digit_image`` an 8×8
digit. Pixel values are ink in [0, 1] (the digits' counts 0..16 divided by 16): 0 white, 1 black.
"""

from __future__ import annotations

import numpy as np

from components.views.png import data_uri, grey_png

__all__ = ["IMAGE_SHAPES", "is_image_input", "input_image", "digit_image"]

IMAGE_SHAPES: dict[int, tuple[int, int]] = {64: (8, 8), 784: (28, 28)}


def is_image_input(n_inputs: int) -> tuple[int, int] | None:
    """The (height, width) of a picture with this many pixels (64 → (8, 8), 784 → (28, 28)), else None."""
    return IMAGE_SHAPES.get(int(n_inputs))


def input_image(x, shape: tuple[int, int], *, scale: int = 4, ink: bool = True) -> str:
    """A data URI of the picture of x (h·w values in [0, 1], row-major), each pixel scale×scale
    (nearest neighbour). ink=True: 1 is black ink on a white page; ink=False: 1 is white."""
    h, w = (int(s) for s in shape)
    v = np.asarray(x, float).ravel()
    if v.size != h * w:
        raise ValueError(f"a {h}×{w} picture needs {h * w} values, got {v.size}")
    scale = max(1, int(scale))
    grey = v.reshape(h, w)
    grey = 1.0 - grey if ink else grey
    if scale > 1:
        grey = np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)
    return data_uri(grey_png(grey))


def digit_image(x, *, scale: int = 4) -> str:
    """An 8×8 digit (64 values in [0, 1], row-major) as a data URI: dark ink on white, ×scale (32×32)."""
    return input_image(x, (8, 8), scale=scale)
