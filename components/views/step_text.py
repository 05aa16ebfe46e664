"""What the step panel writes, as text: its formula lines broken to fit the panel, and the layer
table as Markdown. Pure functions (no Streamlit); ``components.ui.step_panel`` draws them."""

from __future__ import annotations

import re

import pandas as pd

from components.views.formulas import event_formula, loss_formula
from components.views.notation import Notation, format_plain

__all__ = [
    "formula_lines",
    "event_lines",
    "fit_latex",
    "table_cells",
    "table_markdown",
    "LINE_WIDTH",
    "PRESENTATION_SIZE",
    "START_NOTE",
]

PRESENTATION_SIZE = "\\Large "  # KaTeX size command prefixed to formulas in presentation mode

# Half-em units per formula line (normal, presentation \Large): the panel is the right-hand column
# of the wide layout, 341 px across on a 1280-px laptop screen with the sidebar open (the narrowest
# it gets: a line of 34 half-ems is ~330 px there), up to ~650 px on a wide screen or projector.
LINE_WIDTH = {False: 34, True: 30}

START_NOTE = "Press Next → (or the → key) to begin: the forward pass computes every neuron's output, then the loss."


def formula_lines(
    trace,
    cursor: int,
    notation: str | Notation = "neutral",
    digits: int = 4,
    presentation: bool = False,
    line_width: float | None = None,
) -> list[str]:
    """The LaTeX strings the panel shows, in order (before the first event: the loss formula).

    The event's symbolic formula, then its numbers and result; long ones are broken at their
    top-level "=" into an aligned block (see ``fit_latex``).
    """
    size = PRESENTATION_SIZE if presentation else ""
    width = LINE_WIDTH[presentation] if line_width is None else line_width
    if cursor < 0:
        return [size + fit_latex(loss_formula(trace, notation), width)]
    return event_lines(event_formula(trace.event(cursor), trace, notation, digits), presentation, line_width)


def event_lines(f, presentation: bool = False, line_width: float | None = None) -> list[str]:
    """An ``EventFormula``'s two display lines: the symbolic formula, then its numbers and result."""
    size = PRESENTATION_SIZE if presentation else ""
    width = LINE_WIDTH[presentation] if line_width is None else line_width
    lines = (f.symbolic, " ".join(p for p in (f.substituted, f.result) if p))
    return [size + fit_latex(line, width) for line in lines]


_GLYPH = {"+": 2.6, "=": 2.7, "-": 2.2, "(": 0.8, ")": 0.8, "[": 0.6, "]": 0.6, ".": 0.55, ",": 0.6}

_COMMAND = {"cdot": 1.5, "quad": 2.0, ",": 0.3, "cdots": 2.6, "sum": 2.0, "times": 2.6, "leftarrow": 3.0}

_SILENT = ("frac", "tfrac", "Big", "big", "begin", "end", "text", "mathrm", "operatorname", "Large")


_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}])|([^\\{}]+)")  # a command, a brace, or a run of other characters


def _width(tex: str) -> float:
    """Roughly how wide a formula renders, in half-em units (a digit is 1; binary operators carry
    their spacing; sub/superscripts count 0.7; a fraction's two parts count side by side)."""
    width, scripts, open_scripts, prev = 0.0, [], 0, ""  # scripts: for each open brace, whether it opens a script
    for m in _TOKEN.finditer(tex):
        command, brace, run = m.groups()
        if command is not None:
            scale = 0.7 if open_scripts or (prev and prev in "_^") else 1.0
            width += 0.0 if command in _SILENT else scale * _COMMAND.get(command, 1.2)
            prev = command[-1]
        elif brace is not None:
            if brace == "{":
                script = bool(prev) and prev in "_^"
                scripts.append(script)
                open_scripts += script
            elif scripts:
                open_scripts -= scripts.pop()
            prev = brace
        else:
            for ch in run:
                if ch not in " _^&":
                    scale = 0.7 if open_scripts or (prev and prev in "_^") else 1.0
                    width += scale * _GLYPH.get(ch, 1.0)
                prev = ch
    return width


def _separators(seps: tuple[str, ...], sized: bool = False) -> str:
    """Escaped braces (skipped), brackets (counted), or one of ``seps`` (a separator that ends in a
    letter must not run on into a longer command: \\cdot ≠ \\cdots). ``sized``: sized delimiters
    (\\Big[ … \\Big], which KaTeX draws on any row) are skipped too. (``re`` keeps it compiled.)"""
    alts = [re.escape(s) + ("(?![A-Za-z])" if s[-1].isalpha() else "") for s in seps]
    skip = r"\\[Bb]igg?[lr]?[\[\]()]|" if sized else ""
    return r"(" + skip + r"\\[{}])|([{}()\[\]])|(" + "|".join(alts) + ")"


def _split_top_level(tex: str, seps: tuple[str, ...], sized: bool = False) -> list[tuple[str, str]]:
    """Split at separators outside every bracket: [(separator before, piece), …]. ``sized``: also
    inside sized delimiters (\\Big[ … \\Big])."""
    out, depth, start, before = [], 0, 0, ""
    for m in re.finditer(_separators(seps, sized), tex):
        escaped, bracket, sep = m.groups()
        if bracket is not None:
            depth += 1 if bracket in "{([" else -1
        elif sep is not None and depth == 0:
            out.append((before, tex[start : m.start()]))
            before, start = sep, m.end()
    return out + [(before, tex[start:])]


def fit_latex(tex: str, width: float) -> str:
    """``tex`` unchanged if it fits ``width``; else an aligned block broken at top-level "=" signs.

    Removing the aligned wrapper, "&" and "\\\\" gives back the original (up to spaces and \\quad).
    """
    if _width(tex) <= width:
        return tex
    body = " " + tex if tex.startswith("= ") else tex
    rows: list[str] = []
    row = ""
    for sep, piece in _split_top_level(body, (r",\quad ", " = ")):
        if sep == r",\quad ":
            rows.append(row + ",")
            row = piece
        elif sep == "":
            row = piece
        elif "&=" not in row:
            row = f"{row} &= {piece}".lstrip()
        elif _width(f"{row} = {piece}") <= width:
            row = f"{row} = {piece}"
        else:
            rows.append(row)
            row = f"&= {piece}"
    rows.append(row)
    rows = [line for row in rows for line in _wrap_sum(row, width)]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


# How a row too wide is broken, in order: a sum, a product, then the same inside sized delimiters
# (\\Big( a + b + … \\Big) may span rows); a line still too wide after one way is broken the next way.
_ROUNDS = ((" + ", " + ", False), (r"\cdot ", r"\cdot", False), (" + ", " + ", True), (r"\cdot ", r"\cdot", True))


def _wrap_sum(row: str, width: float, rounds: tuple = _ROUNDS) -> list[str]:
    """A row too wide for ``width`` broken at its top-level " + " signs, then (for long products)
    at its top-level \\cdot signs, then at those inside sized delimiters; continuation lines are
    indented."""
    if _width(row) <= width:
        return [row]
    for marker in ("&= ", r"&\quad "):
        if marker in row:
            prefix, rest = row.split(marker, 1)
            break
    else:
        return [row]
    for q, (op, sep, sized) in enumerate(rounds):  # noqa: B007 (q and op are used after the loop)
        terms = [t for _, t in _split_top_level(rest, (sep,), sized)]
        if len(terms) > 1:
            break
    else:
        return [row]
    lines, line = [], f"{prefix}{marker}{terms[0]}"
    for term in terms[1:]:
        if _width(f"{line}{op}{term}") <= width:  # (measured as written: a line that fits is not broken again)
            line = f"{line}{op}{term}"
        else:
            lines.append(line)
            line = rf"&\quad {op.strip()} {term}"
    return [out for part in lines + [line] for out in _wrap_sum(part, width, rounds[q + 1 :])]


def table_cells(df: pd.DataFrame, digits: int) -> tuple[list[str], list[list[str]]]:
    """(column names, rows of cell texts) of ``df`` without its ``current`` column: numbers as
    ``format_plain`` writes them, not-yet-computed values (NaN) as ""."""
    names = [c for c in df.columns if c != "current"]
    cols = []
    for c in names:
        v = df[c].to_numpy()
        cols.append(
            ["" if x != x else format_plain(x, digits) for x in v.tolist()]
            if v.dtype.kind == "f"
            else [str(x) for x in v.tolist()]
        )
    return names, [list(row) for row in zip(*cols)] if cols else []


def table_markdown(df: pd.DataFrame, digits: int) -> str:
    """``df`` (with a boolean ``current`` column) as a Markdown table (``table_cells``), the current
    row bold on a highlight."""
    names, rows = table_cells(df, digits)
    lines = ["| " + " | ".join(names) + " |", "|" + "---:|" * len(names)]
    for cells, mark in zip(rows, df["current"].tolist()):
        if mark:
            cells = [f":orange-background[**{x}**]" if x else "" for x in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
