"""Exports: trace CSV/JSON round-trip through the engine; the worked example is complete Markdown."""

import csv
import io
import json

import numpy as np
import pytest

from components.model.lab import build_lab
from components.model.presets import PRESETS
from components.views.exports import trace_csv, trace_from_json, trace_json, worked_example
from components.views.formulas import event_formula
from engine import Network


@pytest.fixture(scope="module")
def traces():
    out = {}
    for name in ("mazur", "seed001", "seed000"):
        lab = build_lab(PRESETS[name].config)
        out[name] = lab.trace
    return out


@pytest.mark.parametrize("name", ["mazur", "seed001", "seed000"])
def test_trace_json_reimports_to_the_same_trace(traces, name):
    tr = traces[name]
    again = trace_from_json(trace_json(tr, "neutral"))
    assert len(again.events) == len(tr.events)
    for a, b in zip(tr.events, again.events):
        assert (a.kind, a.layer, a.i, a.j, a.sample) == (b.kind, b.layer, b.i, b.j, b.sample)
        assert a.value == b.value
    for x, y in zip(tr.weights_after, again.weights_after):
        np.testing.assert_array_equal(x, y)


def test_trace_json_values_and_formulas_are_the_engines(traces):
    tr = traces["mazur"]
    d = json.loads(trace_json(tr, "seed000"))
    assert len(d["events"]) == len(tr.events)
    for row, e in zip(d["events"], tr.events):
        assert row["value"] == e.value
        assert row["result"] == event_formula(e, tr, "seed000", 6).result


def test_trace_csv_has_every_event(traces):
    tr = traces["seed001"]
    rows = list(csv.DictReader(io.StringIO(trace_csv(tr))))
    assert len(rows) == len(tr.events)
    assert [float(r["value"]) for r in rows] == [e.value for e in tr.events]
    assert rows[0]["phase"] == "forward" and rows[-1]["phase"] == "update"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "{}",
        "[1,2]",
        '{"format": "backprop-lab/trace"}',
        "not json",
        '{"format": "backprop-lab/trace", "layer_sizes": [2, 1], "activations": ["sigmoid"],'
        ' "loss": "half_sse", "bias": true, "weights_before": [[[1, 2]]], "biases_before": [[0]],'
        ' "X": [[1, "a"]], "Y": [[1]], "lr": 0.5, "update_biases": true}',
    ],
)
def test_bad_trace_files_raise_value_error(bad):
    with pytest.raises(ValueError):
        trace_from_json(bad)


def test_network_json_round_trip():
    lab = build_lab(PRESETS["seed001"].config)
    lab.train_epochs(3)
    net = Network.from_dict(json.loads(lab.export_json()))
    for x, y in zip(net.weights + net.biases, lab.net.weights + lab.net.biases):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("notation", ["neutral", "seed000", "seed001", "seed002", "seed003"])
def test_worked_example_lists_every_event_in_display_maths(traces, notation):
    tr = traces["mazur"]
    md = worked_example(tr, notation)
    assert md.startswith("# One gradient-descent update")
    assert md.count("$$") == 4 * len(tr.events)  # the formula, then its numbers: two display blocks
    for phase in ("Forward pass", "Backward pass", "Update"):
        assert f"## {phase}" in md
    blocks = md.split("$$")[1::2]
    for e in tr.events:
        f = event_formula(e, tr, notation, 4)
        assert f"\n{f.symbolic}\n" in blocks and f.result in md
        assert f"\n{' '.join(p for p in (f.substituted, f.result) if p)}\n" in blocks
