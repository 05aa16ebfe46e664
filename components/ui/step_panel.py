"""The step panel: the event at the cursor as maths — symbolic, numbers, result — and its layer.

Streamlit only; the formulas, their line breaks and the table come from ``components.views``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components.views.formulas import event_formula
from components.views.notation import Notation, get_notation
from components.views.position import layer_table, progress_text
from components.views.step_text import formula_lines, table_markdown

__all__ = ["show_step_panel", "TABLE_ROWS"]

TABLE_ROWS = 12  # rows of the layer table shown around the current one


def show_step_panel(
    trace,
    cursor: int,
    notation: str | Notation = "neutral",
    *,
    digits: int = 4,
    presentation: bool = False,
    line_width: float | None = None,
    show_table: bool = True,
) -> None:
    """Show the event at ``cursor`` of ``trace`` (−1: before the first event) in ``notation``.

    Progress, title, the formula (symbolic, then numbers = result), a one-sentence explanation
    and the event's layer as a table with the current row highlighted. ``presentation`` makes
    everything larger; ``line_width`` (half-em units) overrides where long formulas break.
    """
    nt = get_notation(notation)
    progress = progress_text(trace, cursor)
    if presentation:
        st.markdown(f"#### {progress}")
    else:
        st.caption(progress)
    lines = formula_lines(trace, cursor, nt, digits, presentation, line_width)
    if cursor < 0:
        st.info(
            "Press **Next →** (or the → key) to begin: the forward pass computes every neuron's output, "
            f"then the loss ${nt.loss}$."
        )
        st.latex(lines[0])
        return
    event = trace.event(cursor)
    f = event_formula(event, trace, nt, digits)
    st.markdown(("### " if presentation else "#### ") + f.title)
    for line in lines:
        st.latex(line)
    st.markdown(f"**{f.explanation}**" if presentation else f.explanation)
    if show_table:
        _show_table(layer_table(trace, event, notation=nt), digits, event.layer)


def _show_table(df: pd.DataFrame, digits: int, layer: int) -> None:
    """The layer table around the current row, which is highlighted.

    A Markdown table: a pandas Styler in ``st.dataframe`` cost ~10 ms of server time and a
    data-grid redraw in the browser on every step (bench_step_latency); this is a few µs."""
    n = len(df)
    current = np.flatnonzero(df["current"].to_numpy())
    centre = int(current[0]) if len(current) else 0
    first = max(0, min(centre - TABLE_ROWS // 2, n - TABLE_ROWS))
    st.caption(
        f"Layer {layer}"
        + (f" · rows {first + 1}–{min(first + TABLE_ROWS, n)} of {n}" if n > TABLE_ROWS else "")
        + " · the highlighted row is the current step; blanks are not computed yet"
    )
    st.markdown(table_markdown(df.iloc[first : first + TABLE_ROWS], digits))
