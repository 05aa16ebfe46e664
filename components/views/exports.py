"""Exports of one update: its trace as CSV or JSON, and a printable worked example.

Every row is an engine event with the formula the step panel shows for it.
"""

from __future__ import annotations

import csv
import io
import json

from components.views.formulas import event_formula, event_name
from components.views.notation import NOTATIONS

__all__ = ["trace_rows", "trace_csv", "trace_json", "trace_from_json", "worked_example", "MAX_EXPORT_EVENTS"]

MAX_EXPORT_EVENTS = 200_000
_COLUMNS = ("index", "phase", "kind", "name", "layer", "i", "j", "sample", "value", "symbolic", "substituted", "result")


def _count(trace, upto: int | None) -> int:
    """How many events an export holds: all, or (practice mode) those up to event ``upto``."""
    n = len(trace.events)
    return n if upto is None else max(0, min(n, int(upto) + 1))


def trace_rows(trace, notation: str = "neutral", digits: int = 6, upto: int | None = None):
    """One dict per event, in teaching order (a generator: large traces are not built in memory);
    ``upto``: only the events up to this one (practice mode: the values answered so far)."""
    events = trace.events
    for k in range(min(_count(trace, upto), MAX_EXPORT_EVENTS)):
        e = events[k]
        f = event_formula(e, trace, notation, digits)
        yield {
            "index": e.index,
            "phase": e.phase,
            "kind": e.kind,
            "name": event_name(e, trace, notation),  # as the panel names it (layer, i, j, sample: 0-based)
            "layer": e.layer,
            "i": e.i,
            "j": e.j,
            "sample": e.sample,
            "value": repr(e.value),
            "symbolic": f.symbolic,
            "substituted": f.substituted,
            "result": f.result,
        }


def trace_csv(trace, notation: str = "neutral", upto: int | None = None) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in trace_rows(trace, notation, upto=upto):
        w.writerow(row)
    return out.getvalue()


def trace_json(trace, notation: str = "neutral", upto: int | None = None) -> str:
    rows = []
    for row in trace_rows(trace, notation, upto=upto):
        row = dict(row, value=float(row["value"]))
        rows.append(row)
    meta = {
        "format": "backprop-lab/trace",
        "version": 1,
        "layer_sizes": list(trace.layer_sizes),
        "activations": list(trace.activations),
        "loss": trace.loss_name,
        "bias": trace.bias,
        "update_biases": trace.update_biases,
        "lr": trace.lr,
        "X": trace.X.tolist(),
        "Y": trace.Y.tolist(),
        "weights_before": [w.tolist() for w in trace.weights_before],
        "biases_before": [b.tolist() for b in trace.biases_before],
        "notation": notation,
    }
    return json.dumps({**meta, "events": rows}, indent=1)


def trace_from_json(text: str):
    """Recompute the update an exported trace describes (ValueError if the file is not one).

    The file holds the network, its parameters before the update, the batch and η, so the
    engine recomputes every event; the result equals the exported values.
    """
    from engine import Network

    try:
        d = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise ValueError("not a JSON file") from None
    if not isinstance(d, dict) or d.get("format") != "backprop-lab/trace":
        raise ValueError("not a Backprop Lab trace (its 'format' is missing or different)")
    try:
        net = Network(d["layer_sizes"], d["activations"], d["loss"], bias=bool(d["bias"]))
        net.set_parameters(d["weights_before"], d["biases_before"])
        return net.trace(d["X"], d["Y"], float(d["lr"]), bool(d["update_biases"]))
    except (KeyError, TypeError) as e:
        raise ValueError(f"the trace file lacks or mangles {e}") from None


def worked_example(
    trace, notation: str = "neutral", digits: int = 4, max_events: int = 400, upto: int | None = None
) -> str:
    """A Markdown handout of one full update: every formula, symbolic, substituted and evaluated
    (``upto``: only the events up to this one)."""
    label = NOTATIONS[notation].label if notation in NOTATIONS else notation
    lines = [
        "# One gradient-descent update, worked by hand",
        "",
        f"Network {'-'.join(map(str, trace.layer_sizes))}, activations {', '.join(trace.activations)}, "
        f"loss `{trace.loss_name}`, learning rate {trace.lr:g}, batch of {trace.m} sample(s). Notation: {label}.",
        "",
    ]
    phase = None
    events = trace.events
    n = _count(trace, upto)
    for k in range(min(n, max_events)):
        e = events[k]
        if e.phase != phase:
            phase = e.phase
            lines += [f"## {phase.capitalize()} {'pass' if phase != 'update' else ''}".rstrip(), ""]
        f = event_formula(e, trace, notation, digits)
        worked = " ".join(p for p in (f.substituted, f.result) if p)  # the numbers on a line of their own
        lines += [f"**{f.title}**", "", "$$", f.symbolic, "$$", "", "$$", worked, "$$", ""]
        if f.explanation:
            lines += [f.explanation, ""]
    if n > max_events:
        lines += [f"*… {n - max_events} more events omitted; download the full trace as CSV or JSON.*", ""]
    return "\n".join(lines)
