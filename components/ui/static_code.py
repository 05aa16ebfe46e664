"""Static code of ours that the page runs (a component's JavaScript and CSS), read from this package's files.

The isolation audit (tests/test_isolation.py) takes a component's code only as literal module constants or
as ``static_code`` of these files: fixed when the module is imported, never built from user data.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["static_code", "STATIC"]

STATIC = Path(__file__).resolve().parent / "static"


def static_code(folder: str, suffix: str) -> str:
    """The files ``static/<folder>/*<suffix>`` (e.g. ``"step_view", ".js"``) joined in the order of their
    names (``01-helpers.js``, ``02-view.js``, …): one script or style sheet kept in parts."""
    parts = sorted((STATIC / folder).glob(f"*{suffix}"))
    if not parts:
        raise FileNotFoundError(f"no {suffix} files in {STATIC / folder}")
    return "".join(p.read_text(encoding="utf-8") for p in parts)
