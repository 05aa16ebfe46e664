"""Practice mode's panel under the step view: the score per phase, the questions missed (each reopens
its event) and "start this update again". The question itself is asked in the step view."""

from __future__ import annotations

import streamlit as st

from components.model.practice import tolerance_text
from components.ui import state
from components.views.practice_view import missed_rows, score_line

__all__ = ["render_practice", "MISSED_SHOWN"]

MISSED_SHOWN = 24  # missed questions listed as buttons (the rest counted)


def _restart() -> None:
    state.get_lab().restart_practice()


def _reopen(event: int) -> None:
    lab = state.get_lab()
    lab.seek(min(int(event), lab.revealed_through()))


def render_practice(lab) -> None:
    """The practice box: score, restart, and the questions missed in this update."""
    d = lab.display
    box = st.container(border=True, key="bp_practice")
    head, restart = box.columns([4, 1.3], vertical_alignment="center")
    head.markdown(f"**Practice** · {score_line(lab.practice)}")
    head.caption(
        "Type each value in the box under the formula; Enter checks it, ? gives a hint (the formula, then "
        f"the numbers, then the answer), Esc returns the arrow keys to stepping. {tolerance_text(d.digits)}"
    )
    restart.button(
        "Start this update again",
        key="practice_restart",
        on_click=_restart,
        width="stretch",
        help="Every answer of this update is forgotten; the questions start again from its first event",
    )
    rows = missed_rows(lab.trace, lab.practice, d.notation, d.digits)
    if not rows:
        return
    box.markdown(f"**Missed in this update ({len(rows)})** · open one to see its formula and value again:")
    cols = box.columns(3)
    for q, row in enumerate(rows[:MISSED_SHOWN]):
        cols[q % 3].button(
            f"{row['name']} ({row['phase']}) = {row['value']}",
            key=f"practice_missed_{row['event']}",
            on_click=_reopen,
            args=(row["event"],),
            width="stretch",
            help=f"You typed: {row['typed']} · {row['how']}",
        )
    if len(rows) > MISSED_SHOWN:
        box.caption(f"… and {len(rows) - MISSED_SHOWN} more.")
