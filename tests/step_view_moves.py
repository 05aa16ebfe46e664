"""What the step view's browser code does on one press, for tests and benchmarks without a browser.

``move(payload, cursor, direction)`` answers as components/ui/step_view.py's JavaScript does: the
cursor one press of → ("next") or ← ("back") reaches from ``cursor`` and the report the browser
sends for it (a debounced "cursor" report inside the window; "next_update", "prev_update" or
"window" when the server must answer; "ahead" when → leaves the update and the server sent the next
one ahead: the browser steps into it and reports a "cursor" with the ahead payload's key and seq), or
None when the press does nothing.
"""

from __future__ import annotations

__all__ = ["move"]


def move(payload: dict, cursor: int, direction: str) -> tuple[str, int] | None:
    """(report kind, cursor to report) for one press, or None (← at the first update's start, or the
    lab is blocked by a problem and → may not go on)."""
    k0, k1 = payload["window"]
    if not k0 - 1 <= cursor <= k1:
        cursor = payload["cursor"]
    if direction == "next" and payload.get("blocked"):
        return None
    target = payload["next" if direction == "next" else "back"][cursor - (k0 - 1)]
    stop = payload.get("stop_at")
    if direction == "next" and stop is not None and cursor < stop < target:
        target = stop  # the browser stops at the first event the server must check (divergence)
    if target >= payload["n_events"]:
        ahead = payload.get("ahead")
        if ahead is not None:
            return "ahead", ahead["next"][-1 - (ahead["window"][0] - 1)]
        return "next_update", cursor
    if target == -2:
        return ("prev_update", cursor) if payload["can_back"] else None
    if not k0 - 1 <= target <= k1:
        return "window", target
    return "cursor", target
