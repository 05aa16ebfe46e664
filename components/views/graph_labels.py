"""How the graph writes numbers and names: values on nodes, in hover text and callouts, subscripts.

Text shows neurons 1-based (neuron 1…n, w[l]ᵢⱼ with i, j from 1) like the step panel's formulas;
the engine's indices stay 0-based everywhere else. Minus signs are "−".
"""

from __future__ import annotations

import numpy as np

__all__ = ["fmt_value", "fmt_values", "short_value", "node_label", "subscript", "layer_name"]

_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def fmt_value(v: float, digits: int = 4) -> str:
    """Fixed decimals for ordinary magnitudes, scientific for tiny or huge ones; "−" signs."""
    v = float(v) + 0.0  # no "−0"
    a = abs(v)
    s = f"{v:.{digits}f}" if (a == 0 or 10.0 ** -(digits - 1) <= a < 1e5) else f"{v:.{digits - 1}e}"
    return s.replace("-", "−")


def fmt_values(values) -> list[str]:
    """``fmt_value`` of every value of an array, fast: one f-string each, fixed up where needed."""
    v = np.asarray(values, float).ravel() + 0.0
    out = [f"{x:.4f}" for x in v.tolist()]
    a = np.abs(v)
    odd = (a >= 1e5) | ((a < 1e-3) & (a > 0))
    if odd.any():
        for e in np.flatnonzero(odd).tolist():
            out[e] = f"{v[e]:.3e}"
    return "\n".join(out).replace("-", "−").split("\n") if (odd | (v < 0)).any() else out


def short_value(v: float, sig: int = 3) -> str:
    s = f"{float(v):.{sig}g}"
    return "0" if s in ("-0", "0") else s.replace("-", "−")


def node_label(v: float, decimals: int = 4) -> str:
    """A node's printed value: fixed decimals like the hover text, ≤ 7 characters (≤ 6 for
    decimals < 4, the narrower nodes: −1.8e−5 becomes −2e−5)."""
    a = abs(float(v))
    if a == 0 or 10.0**-decimals <= a < 10:
        s = f"{float(v) + 0.0:.{decimals}f}"
    elif 10 <= a < 1e4:
        s = f"{float(v):.{decimals}g}"
    else:
        s = f"{float(v):.{1 if decimals >= 4 else 0}e}".replace("e-0", "e-").replace("e+0", "e")
    return s.replace("-", "−")


def subscript(*idx) -> str:
    """Engine indices (0-based) as a Unicode subscript shown 1-based, as components.notation
    writes them: side by side (w₁₂), comma-separated when one has two digits (w₁₀,₂)."""
    shown = [str(int(i) + 1) for i in idx]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown).translate(_SUBSCRIPT)


def layer_name(l: int, L: int) -> str:
    return "input" if l == 0 else ("output" if l == L else f"hidden {l}")
