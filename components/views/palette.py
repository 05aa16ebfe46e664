"""The app's blue and orange, defined once (imported by the graph and the charts).

One colour-blind-safe diverging pair, ColorBrewer Blues / Oranges: the network graph draws
negative numbers blue and positive orange through light tints to grey at zero; the charts
use the same two colours for their two sides (train / test, low / high output and label).
"""

from __future__ import annotations

__all__ = ["BLUE", "ORANGE", "BLUE_LIGHT", "ORANGE_LIGHT", "ZERO_GREY", "BLUE_PALE", "ORANGE_PALE", "DIVERGING", "rgb"]

BLUE, ORANGE = "#08519c", "#d94801"  # the ends: −1 / +1 of the graph's scale
BLUE_LIGHT, ORANGE_LIGHT = "#6baed6", "#fdae6b"  # ∓½ of the scale
ZERO_GREY = "#e0e0e0"
DIVERGING = (BLUE, BLUE_LIGHT, ZERO_GREY, ORANGE_LIGHT, ORANGE)  # at −1, −½, 0, ½, 1
BLUE_PALE, ORANGE_PALE = "#c6dbef", "#fdd0a2"  # backgrounds that points in BLUE / ORANGE sit on


def rgb(colour: str) -> tuple[int, int, int]:
    """ "#rrggbb" → (r, g, b), 0–255."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
