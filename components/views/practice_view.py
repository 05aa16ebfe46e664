"""Practice mode's words and formulas: the question the step view asks, its hints, the score.

Pure (no Streamlit): from the trace and the lab's ``Practice`` (components/model/practice.py) to
JSON-ready strings the browser shows as they are. The value asked never appears here until the
answer is shown (the third hint) or a class question is revealed.
"""

from __future__ import annotations

from dataclasses import replace

from components.model.practice import HINTS, PHASE_LABELS, PRACTICE_PHASES, tolerance_short
from components.views.formulas import event_formula, event_name, event_symbol
from components.views.notation import format_number, get_notation
from components.views.step_text import event_lines

__all__ = ["quiz_payload", "score_line", "missed_rows", "HINT_BUTTONS"]

HINT_BUTTONS = ("Show the formula", "Substitute the numbers", "Show the answer")  # the next hint, by level


def quiz_payload(trace, practice, granularity: str, notation: str, digits: int, presentation: bool) -> dict:
    """What the step view's question box shows at the frontier (``at``): the question's title and
    symbol, the hints shown so far (formula lines, the value hidden as "?"), the next hint's label,
    the last message, the tolerance and the score. ``class`` (presentation mode): a class question, the
    formula with its numbers substituted at once and a reveal button instead of an answer field."""
    lay = trace.layout
    q = practice.question(lay, granularity)
    base = {"at": int(practice.frontier), "class": bool(presentation), "score": score_line(practice)}
    if q is None:
        return {
            **base,
            "done": True,
            "title": "Every number of this update is shown",
            "text": "→ goes on to the next update, where practice starts again.",
        }
    ev = trace.event(q)
    nt = get_notation(notation)
    f = event_formula(ev, trace, nt, digits)
    level = 2 if presentation else practice.hints_shown(lay, granularity)
    hidden = replace(f, result=r"= \,?")
    lines = []
    if level >= 1:
        lines = event_lines(replace(hidden, substituted=""), presentation)[:1]
    if level >= 2:
        lines = event_lines(hidden, presentation)
    what = "the new value of" if ev.is_update else "the value of"
    kind, text = practice.feedback if practice.feedback else ("", "")
    last = practice.attempts.get(practice.frontier)
    if kind == "right" and last is not None and last.tries:  # the answer just given, named
        text = f"✓ {event_name(trace.event(last.event), trace, nt)} = {last.tries[-1]} is right."
    return {
        **base,
        "done": False,
        "event": int(q),
        "title": f"{'Class question' if presentation else 'Your turn'} · {f.title}",
        "ask": f"What is {what} {event_name(ev, trace, nt)}? Reveal it (→) when the room has answered."
        if presentation
        else f"Type {what} {event_name(ev, trace, nt)}, then Enter.",
        "symbol": event_symbol(ev, trace, nt) + " =",
        "lines": lines,
        "hint": None if presentation or level >= 3 else f"{HINT_BUTTONS[level]} (?)",
        "hint_title": "" if level >= 3 else f"Next hint: {HINTS[min(level, 2)]}",
        "feedback": [kind, text] if text else None,
        "tolerance": tolerance_short(digits),
    }


def score_line(practice) -> str:
    """Right at the first try (no hint) over questions finished, per phase that has any."""
    parts = [f"{PHASE_LABELS[p]} {r}/{n}" for p, (r, n) in ((p, practice.score()[p]) for p in PRACTICE_PHASES) if n]
    return "Score (right at the first try): " + (" · ".join(parts) if parts else "nothing answered yet")


def missed_rows(trace, practice, notation: str, digits: int) -> list[dict]:
    """The questions missed in this update (wrong first, a hint used, or the answer shown), each with
    what was typed and the exact value: the rows the page lists, each reopening its event."""
    nt = get_notation(notation)
    rows = []
    for at in practice.missed():
        ev = trace.event(at.event)
        rows.append(
            {
                "event": at.event,
                "name": event_name(ev, trace, nt),
                "phase": PHASE_LABELS[at.phase],
                "typed": ", ".join(at.tries) if at.tries else "—",
                "value": format_number(ev.value, digits),
                "how": "answer shown"
                if at.shown
                else f"right after {len(at.tries)} tries"
                if at.hints == 0
                else f"right after {at.hints} hint{'s' * (at.hints != 1)}",
            }
        )
    return rows
