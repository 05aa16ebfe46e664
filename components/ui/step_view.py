"""The step view: graph, step panel and layer table drawn in the browser for the browser's cursor.

Every → used to be a full rerun that rebuilt and resent the graph, the formulas and the table.
Instead the server sends one JSON payload per update (schema v = 1, built by
components/views/step_view_data.py): a window of events with their formula lines (LaTeX),
the layer tables' cells with the cursor from which each is shown, and the graph as SVG
primitives whose styles change at given events. The browser moves its own cursor through
that window with no round trip (← → PageUp PageDown Space Shift+Space Home End, the buttons,
the scrubber) and draws at most once per animation frame, touching only the SVG elements
whose state differs. It asks the server only at update boundaries and window edges, and
records its cursor now and then (debounced). It never computes or writes mathematics: every
string it shows comes from the payload.

Formulas are drawn by the vendored KaTeX (components/ui/static/katex), served by Streamlit's
custom-component file route as live_plot.py serves plotly.min.js: nothing from a CDN.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import streamlit as st
import streamlit.components.v1 as components_v1

from components.ui.static_code import static_code

__all__ = ["show_step_view", "show_play_frames", "latest_report", "KATEX_DIR"]

KATEX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "katex")

# Static code of ours, read from this package's files when imported (components/ui/static/step_view/: the
# script in parts, in order, and its style sheet); the payload arrives as JSON data, never as code or HTML.
_JS = static_code("step_view", ".js")
_CSS = static_code("step_view", ".css")

_step_view = st.components.v2.component("backprop_lab.step_view", js=_JS, css=_CSS, isolate_styles=False)


def _katex_dir() -> str:
    """The page-relative address of the vendored KaTeX folder, registering it for this runtime."""
    served = components_v1.declare_component("katex_static", path=KATEX_DIR)
    return f"component/{served.name}/"


def _ignore() -> None:
    """The report's change callback when the caller has none (Streamlit returns only the state
    keys that have one)."""


def show_step_view(
    payload: dict,
    *,
    key: str = "step_view",
    height: int | None = None,
    on_report: Callable[[], None] | None = None,
) -> dict | None:
    """Mount the step view for ``payload`` (schema v = 1) and return the browser's newest report.

    The return value is None until the browser has reported, then the last report it sent,
    exactly as sent (a JSON object; check it with components.model.step_report.parse_report)::

        {"kind": "cursor", "key": str, "seq": int, "cursor": int, "n": int}       # 400 ms after the last move
        {"kind": "next_update", "key": str, "seq": int, "cursor": int, "n": int}  # → past the last event
        {"kind": "prev_update", "key": str, "seq": int, "cursor": int, "n": int}  # ← before the first event
        {"kind": "window", "key": str, "seq": int, "cursor": int, "n": int}       # cursor: the target outside
        {"kind": "select", "key": str, "seq": int, "cursor": int, "node": [layer, i], "n": int}  # neuron clicked

    ``key`` and ``seq`` are the payload's the browser was showing; ``n`` increases with every
    report (so an identical report still arrives). A report is a state value: it comes back
    on every later rerun until the browser sends another, so act on it when ``n`` is new, or
    rely on parse_report ignoring it once key or seq have moved on. Each report causes one
    rerun; ``on_report`` (no arguments) runs first, before the script, and can read the report
    with :func:`latest_report` and move the lab before the next payload is built.

    To move the browser's cursor, send a payload with a new ``seq`` (or a new ``key``); the same
    key and seq again keep the browser's own cursor and change nothing on the page.

    ``payload["ahead"]`` (optional): the next update's payload, with the key the server gives it once
    it follows. → past the last event then steps into it in the browser and reports its cursor there at
    once (a "cursor" report with the ahead payload's key and seq), instead of asking "next_update".
    ``height``: pixels, or None to fit the content."""
    result = _step_view(
        key=key,
        data={"payload": payload, "katex": _katex_dir()},
        height=height if height is not None else "content",
        width="stretch",
        on_report_change=on_report or _ignore,
    )
    report = result.get("report") if result is not None else None
    return report if isinstance(report, dict) else None


def show_play_frames(frames: list[dict], *, batch: str, spacing: float, key: str) -> None:
    """Mount the step view as play's graph: ``frames`` (graph-only payloads, ``graph_frame``) drawn
    ``spacing`` seconds apart, the first at once. ``batch`` names them: the same batch sent again is
    not drawn again. The view sends no reports."""
    _step_view(
        key=key,
        data={"frames": frames, "batch": str(batch), "spacing": round(1000 * spacing), "katex": _katex_dir()},
        height="content",
        width="stretch",
        on_report_change=_ignore,
    )


def latest_report(key: str = "step_view") -> dict | None:
    """The browser's newest report for the step view ``key`` (see show_step_view), or None.

    Readable before the view is mounted in this run (e.g. in ``on_report``), so the lab can act
    on it before it builds the payload."""
    state = st.session_state.get(key)
    report = state.get("report") if hasattr(state, "get") else None
    return report if isinstance(report, dict) else None
