"""What the browser's step view reports, checked before the lab acts on it.

The step view (components/ui/step_view.py) moves its cursor in the browser and reports to
the server only now and then, as one JSON object::

    {"kind": K, "key": str, "seq": int, "cursor": int, "n": int}                  # K ≠ "select"
    {"kind": "select", "key": str, "seq": int, "cursor": int, "node": [layer, i], "n": int}
    {"kind": "answer", "key": str, "seq": int, "cursor": int, "text": str, "n": int}  # practice mode

``key`` and ``seq`` are those of the payload the browser was showing; ``n`` only makes
repeated identical reports arrive (it is not read here). Anything can arrive from a browser,
so :func:`parse_report` accepts only well-formed, current reports and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "StepReport", "parse_report"]

KINDS = ("cursor", "next_update", "prev_update", "window", "select", "answer", "hint", "reveal", "next_stop")
"""cursor: the browser's cursor, recorded (debounced; nothing visible should change);
next_update / prev_update: → past the last event / ← before the first: move to the next /
previous update; window: the browser needs the events around ``cursor`` (outside its window);
select: a neuron circle was clicked (``node`` = (layer, i)); answer: practice mode's typed answer
(``text``); hint: the next hint; reveal: a class question's value shown; next_stop: → at the end of a
lesson stop's events."""
MAX_TEXT = 200  # an answer's text is cut here (a number is never this long; the lab says so)


@dataclass(frozen=True)
class StepReport:
    """One checked report: ``cursor`` is clamped into -1 … n_events-1; ``node`` only for "select",
    ``text`` only for "answer" (a string of at most MAX_TEXT characters); ``target`` (optional, "select"
    from a layer table's row): ("neuron" | "weight" | "bias", layer, i, j or None) of that node."""

    kind: str
    cursor: int
    node: tuple[int, int] | None = None
    text: str | None = None
    target: tuple | None = None


def _int(value) -> int | None:
    """A JSON integer (bool is not one), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_report(raw, *, key: str, seq: int, n_events: int) -> StepReport | None:
    """The report ``raw`` (the browser's JSON value) as a StepReport, or None to ignore it.

    None when ``raw`` is malformed (not a dict, missing fields, wrong types), of an unknown
    kind, or stale: another payload's ``key`` or ``seq`` (the server has moved on since the
    browser sent it; e.g. the same report read again on a later rerun after a new update).
    The cursor is clamped into -1 … n_events-1 (a window's target too); a "select" needs
    ``node`` = two non-negative ints."""
    if not isinstance(raw, dict):
        return None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        return None
    if not isinstance(raw.get("key"), str) or raw["key"] != key:
        return None
    if _int(raw.get("seq")) is None or raw["seq"] != seq:
        return None
    cursor = _int(raw.get("cursor"))
    if cursor is None:
        return None
    cursor = max(-1, min(cursor, n_events - 1))
    if kind == "answer":
        text = raw.get("text")
        return StepReport(kind, cursor, text=text[:MAX_TEXT]) if isinstance(text, str) else None
    if kind != "select":
        return StepReport(kind, cursor)
    node = raw.get("node")
    if not isinstance(node, (list, tuple)) or len(node) != 2:
        return None
    layer, i = (_int(v) for v in node)
    if layer is None or i is None or layer < 0 or i < 0:
        return None
    return StepReport(kind, cursor, (layer, i), target=_target(raw.get("target"), layer, i))


def _target(raw, layer: int, i: int) -> tuple | None:
    """A table row's target, well formed and naming the node selected, else None (the neuron's δ)."""
    if not isinstance(raw, (list, tuple)) or len(raw) != 4 or raw[0] not in ("neuron", "weight", "bias"):
        return None
    kind, l, k, j = raw
    if _int(l) != layer or _int(k) != i:
        return None
    if kind == "weight":
        return ("weight", layer, i, j) if _int(j) is not None and j >= 0 else None
    return (kind, layer, i, None) if j is None else None
