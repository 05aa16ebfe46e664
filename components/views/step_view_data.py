"""What the browser's step view needs to show a window of one update's events, as JSON-ready data.

The browser moves the cursor itself (``components/ui/step_view.py``): for every event of the window
this module writes, once, everything the step panel, the layer table and the graph show at that
event. Every string comes from the formula and graph code the rest of the page uses
(``formulas``, ``step_text``, ``position``, ``graph_*``); the browser only picks what belongs to its
cursor. The schema (v = 1):

- ``key``, ``seq``, ``cursor``, ``update``, ``n_events``, ``can_back``: the update and where the
  server's cursor is (see ``StepViewPosition``); a new ``key`` drops the browser's state, a new
  ``seq`` moves its cursor to ``cursor``.
- ``window`` [k0, k1]: the events described; the browser can show cursors k0 − 1 … k1.
- ``limit``: practice mode's frontier (or null): → stops there (the question is asked instead), and
  the payload holds no number of a later event.
- ``next``, ``back``: for cursors k0 − 1 … k1, the cursor one press of → / ← reaches at the chosen
  step size (``Stepper.step`` / ``Stepper.back`` within the update); ≥ n_events: the next update,
  −2: the previous one, outside k0 − 1 … k1: another window (each asks the server).
- ``start``: the panel before the first event; ``events``: the panel at each event k0 … k1
  (progress, title, LaTeX lines, explanation, its table and highlighted row).
- ``tables``: each layer table once, every cell with the first event that shows it.
- ``graph``: the drawing in px: static texts and rectangles, edges and nodes with their states as
  change points ``[k, item, …]`` (from event k on), and per cursor the event's marks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.views.formulas import event_formula
from components.views.notation import get_notation
from components.views.position import layer_table_reveal, progress_text
from components.views.step_text import START_NOTE, event_lines, formula_lines, table_cells
from components.views.step_view_graph import StepViewOptions, graph_payload

__all__ = ["graph_frame", "StepViewOptions", "StepViewPosition", "step_view_payload", "WINDOW", "step_targets"]

WINDOW = 240  # events per payload at most: a 784-32-10 update (~50,000 events) is sent in windows
BEHIND = 40  # of which up to this many before the cursor (a few presses of ← stay in the browser)


@dataclass(frozen=True)
class StepViewPosition:
    """Where the server stands: ``key`` names the update and display, ``seq`` counts the server's own
    cursor moves, ``update`` the completed updates, ``can_back`` whether history holds the previous one."""

    key: str
    seq: int
    update: int
    cursor: int
    can_back: bool


def step_targets(layout, granularity: str, cursors: np.ndarray) -> tuple[list[int], list[int]]:
    """(next, back): the cursor → and ← reach from each cursor (−1 … n − 1) within the update, as
    ``Stepper.step`` and ``Stepper.back`` move it; n = the next update, −2 = the previous one."""
    n = layout.n_events
    nxt, back = [], []
    for k in cursors.tolist():
        nxt.append(n if k >= n - 1 else layout.group(k + 1, granularity)[1])
        back.append(-2 if k < 0 else layout.group(k, granularity)[0] - 1)
    return nxt, back


def _window(n: int, cursor: int) -> tuple[int, int]:
    k0 = max(0, min(cursor - BEHIND, n - WINDOW))
    return k0, min(n, k0 + WINDOW) - 1


# ------------------------------------------------------------------------ panel and tables
TABLE_ROWS = 12  # rows of a layer table shown around its current row (the browser's view of it)


def _panel(trace, k0: int, k1: int, o: StepViewOptions) -> tuple[list[dict], list[dict]]:
    """(events, tables): the panel at every event k0 … k1, and each layer table once: the rows the
    window highlights, ± TABLE_ROWS, with the event from which each cell is shown."""
    nt = get_notation(o.notation)
    events, found = [], {}  # found: table identity → [first event, current rows]
    for k in range(k0, k1 + 1):
        ev = trace.event(k)
        f = event_formula(ev, trace, nt, o.digits)
        ident = (ev.kind if ev.kind in ("forward", "delta", "loss") else "params", ev.layer, ev.sample)
        ident = ("node", *ident[1:]) if ident[0] in ("forward", "delta") else ident
        entry = found.setdefault(ident, [ev, []])
        events.append(
            {
                "progress": progress_text(trace, k),
                "title": f.title,
                "lines": event_lines(f, o.presentation),
                "explanation": f.explanation,
                "table": list(found).index(ident),
                "row": None,
                "sample": None if ev.sample is None else int(ev.sample),
            }
        )
        entry[1].append((len(events) - 1, ev))
    tables = []
    for first, uses in found.values():
        full, reveal = layer_table_reveal(trace, first, nt)
        rows = [_current_row(trace, ev, full) for _, ev in uses]
        lo = max(0, min(r for r in rows) - TABLE_ROWS)
        hi = min(len(full), max(r for r in rows) + TABLE_ROWS + 1)
        part = full.iloc[lo:hi]
        columns, cells = table_cells(part, o.digits)
        when = [[-1] * len(columns) for _ in cells]
        for c, name in enumerate(columns):
            if name in reveal:
                for r, w in enumerate(np.asarray(reveal[name])[lo:hi].tolist()):
                    when[r][c] = int(w)
        for (q, _), r in zip(uses, rows):
            events[q]["row"] = r - lo
        tables.append(
            {
                "caption": f"Layer {first.layer}",
                "columns": columns,
                "cells": cells,
                "reveal": when,
                "offset": lo,
                "total": len(full),
                "targets": _row_targets(trace, first, lo, hi),
            }
        )
    return events, tables


def _row_targets(trace, ev, lo: int, hi: int) -> list | None:
    """What each row lo … hi − 1 of a layer table names, for its chain-rule paths when clicked:
    ["neuron", l, i, null], ["weight", l, i, j] or ["bias", l, i, null]; None for the loss table."""
    l = ev.layer
    if ev.kind == "loss":
        return None
    if ev.kind in ("forward", "delta"):
        return [["neuron", l, r, None] for r in range(lo, hi)]
    n_in = trace.layout.sizes[l - 1]
    cols = n_in + int(trace.bias)
    rows = [divmod(r, cols) for r in range(lo, hi)]
    return [["bias", l, i, None] if j == n_in else ["weight", l, i, j] for i, j in rows]


def _current_row(trace, ev, full) -> int:
    """The row of ``layer_table_reveal``'s table that event ``ev`` highlights."""
    lay = trace.layout
    if ev.kind == "loss":
        return 0
    if ev.kind in ("forward", "delta"):
        return int(ev.i)
    cols = lay.sizes[ev.layer - 1] + int(trace.bias)
    return int(ev.i) * cols + (lay.sizes[ev.layer - 1] if ev.j is None else int(ev.j))


# ------------------------------------------------------------------------ the payload
def step_view_payload(
    net,
    trace,
    position: StepViewPosition,
    options: StepViewOptions,
    cursor: int | None = None,
    limit: int | None = None,
):
    """The JSON-ready payload for the window around ``cursor`` (default: the server's cursor).

    net: the network at the update's start (its parameters are the trace's ``weights_before``);
    trace: the update's trace. Window: at most ``WINDOW`` events, ``BEHIND`` of them before the cursor.
    limit: practice mode's frontier, the last event whose value may be shown: the window ends there,
    no later event's number is in the payload (formulas, graph, table cells), and ``limit`` tells the
    browser that → stops there (None: no limit).
    """
    with np.errstate(all="ignore"):  # a diverged update shows NaN and ∞ as such; numpy need not warn
        at = position.cursor if cursor is None else int(cursor)
        return _payload(net, trace, position, options, at, limit)


def graph_frame(net, trace, position: StepViewPosition, options: StepViewOptions) -> dict:
    """The graph alone at the position's cursor (no events, no panel): what play mode redraws each tick.
    A payload of the same schema with ``graph_only`` set and an empty window just after the cursor."""
    c = int(position.cursor)
    with np.errstate(all="ignore"):
        graph = graph_payload(net, trace, c + 1, c, options, every_edge=True)
    return {
        "v": 1,
        "key": position.key,
        "seq": int(position.seq),
        "cursor": c,
        "update": int(position.update),
        "n_events": int(trace.layout.n_events),
        "window": [c + 1, c],
        "next": [],
        "back": [],
        "can_back": False,
        "start": {"progress": "", "lines": [], "note": ""},
        "events": [],
        "tables": [],
        "presentation": bool(options.presentation),
        "graph": graph,
        "graph_only": True,
    }


def _payload(net, trace, position: StepViewPosition, options: StepViewOptions, at: int, limit) -> dict:
    n = trace.layout.n_events
    shown = n if limit is None else max(0, min(n, int(limit) + 1))  # events whose values may be sent
    k0, k1 = _window(shown, max(min(at, shown - 1), 0))
    nxt, back = step_targets(trace.layout, options.granularity, np.arange(k0 - 1, k1 + 1))
    events, tables = _panel(trace, k0, k1, options)
    if limit is not None:
        for t in tables:  # cells of later events stay empty in the payload itself, not only on screen
            t["cells"] = [
                [cell if w <= k1 else "" for cell, w in zip(row, when)] for row, when in zip(t["cells"], t["reveal"])
            ]
    return {
        "v": 1,
        "key": position.key,
        "seq": int(position.seq),
        "cursor": int(position.cursor),
        "update": int(position.update),
        "n_events": int(n),
        "window": [k0, k1],
        "next": nxt,
        "back": back,
        "can_back": bool(position.can_back),
        "start": {
            "progress": progress_text(trace, -1),
            "lines": formula_lines(trace, -1, options.notation, options.digits, options.presentation),
            "note": START_NOTE,
        },
        "events": events,
        "tables": tables,
        "presentation": bool(options.presentation),
        "graph": graph_payload(net, trace, k0, k1, options),
        "limit": None if limit is None else int(limit),
    }
