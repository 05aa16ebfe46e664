"""The first page's "start here" band: what the page shows, and the worked example one click away.

It shows while the lab is the first page's own network (``LabConfig()``, untouched), outside
presentation mode and lessons, until it is closed.
"""

from __future__ import annotations

import streamlit as st

from components.model.config import LabConfig
from components.model.presets import PRESETS
from components.ui import state

__all__ = ["render_start_here", "WORKED_EXAMPLE"]

WORKED_EXAMPLE = "mazur"  # the preset the band opens: one update of the textbook 2-2-2 network, by hand


def _open_worked_example() -> None:
    state.load_preset(WORKED_EXAMPLE)


def shows_start_here(lab, presentation: bool) -> bool:
    return (
        not presentation
        and not state.start_dismissed()
        and state.lesson() is None
        and lab.config == LabConfig()
        and not lab.edited
        and lab.problem is None
    )


def render_start_here(lab, presentation: bool) -> None:
    """One row under the title: how to use this page, and the worked example as a button."""
    if not shows_start_here(lab, presentation):
        return
    text, go, close = st.container(key="bp_start").columns([3.9, 2.5, 0.45], vertical_alignment="center")
    text.markdown("**New here?** Press **→** to step this XOR network number by number, or train it below.")
    go.button(
        "Step through the worked example (2-2-2)",
        key="start_worked_example",
        on_click=_open_worked_example,
        type="primary",
        width="stretch",
        help=f"{PRESETS[WORKED_EXAMPLE].label}: one update of a 2-2-2 sigmoid network, with the numbers a widely "
        "copied textbook example prints (inputs 0.05, 0.10; targets 0.01, 0.99), every value to check against it",
    )
    close.button("✕", key="start_close", on_click=state.dismiss_start, help="Hide this band")
