"""parse_report: the server's check of what the browser's step view reports."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.model.step_report import KINDS, StepReport, parse_report

KEY, SEQ, N = "u3|event|abc", 7, 8


def report(**over):
    raw = {"kind": "cursor", "key": KEY, "seq": SEQ, "cursor": 3, "n": 1}
    raw.update(over)
    return {k: v for k, v in raw.items() if v is not ...}


def parse(raw, n_events=N):
    return parse_report(raw, key=KEY, seq=SEQ, n_events=n_events)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("select", "answer")])
def test_each_kind_with_a_cursor(kind):
    assert parse(report(kind=kind, cursor=5)) == StepReport(kind, 5)


def test_an_answer_carries_its_text_cut_to_length_and_nothing_else_is_an_answer():
    assert parse(report(kind="answer", text="0.5933")) == StepReport("answer", 3, text="0.5933")
    assert parse(report(kind="answer", text="9" * 5000)).text == "9" * 200
    for bad in (None, 0.5933, ["0.5"], {"x": 1}):
        assert parse(report(kind="answer", text=bad)) is None
    assert parse(report(kind="answer")) is None


def test_select_carries_the_node():
    got = parse(report(kind="select", node=[1, 0], cursor=-1))
    assert got == StepReport("select", -1, (1, 0))
    assert got.node == (1, 0)


def test_a_report_through_json_as_the_browser_sends_it():
    raw = json.loads(json.dumps(report(kind="select", node=[2, 1])))
    assert parse(raw) == StepReport("select", 3, (2, 1))


@pytest.mark.parametrize(
    ("cursor", "n_events", "want"),
    [(-1, N, -1), (-5, N, -1), (7, N, 7), (8, N, 7), (10**30, N, 7), (4, 0, -1), (0, 1, 0)],
)
def test_cursor_is_clamped(cursor, n_events, want):
    assert parse(report(cursor=cursor), n_events).cursor == want
    assert parse(report(kind="window", cursor=cursor), n_events).cursor == want


@pytest.mark.parametrize(
    "raw",
    [
        None,
        3,
        "cursor",
        [],
        {},
        report(kind="jump"),
        report(kind=None),
        report(kind=...),
        report(key="other"),
        report(key=...),
        report(key=1),
        report(seq=SEQ + 1),
        report(seq=str(SEQ)),
        report(seq=True),
        report(seq=float(SEQ)),
        report(seq=...),
        report(cursor=...),
        report(cursor="3"),
        report(cursor=3.0),
        report(cursor=True),
        report(cursor=None),
        report(kind="select"),
        report(kind="select", node=None),
        report(kind="select", node=[1]),
        report(kind="select", node=[1, 2, 3]),
        report(kind="select", node=[-1, 0]),
        report(kind="select", node=[1, -1]),
        report(kind="select", node=[1, "0"]),
        report(kind="select", node=[True, 0]),
        report(kind="select", node=[1.0, 0]),
        report(kind="select", node="1,0"),
        report(kind="select", node={"layer": 1, "i": 0}),
    ],
)
def test_malformed_stale_or_unknown_reports_are_ignored(raw):
    assert parse(raw) is None


def test_the_report_is_frozen():
    got = parse(report())
    with pytest.raises(AttributeError):
        got.cursor = 1  # type: ignore[misc]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from([*KINDS, "x"]) | JSON,
        "key": st.just(KEY) | JSON,
        "seq": st.just(SEQ) | JSON,
        "cursor": st.integers() | JSON,
        "node": st.lists(st.integers(-2, 5), max_size=3) | JSON,
        "n": JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(raw=JSON | FIELDS, n_events=st.integers(-2, 50))
def test_any_json_like_value_never_raises(raw, n_events):
    got = parse_report(raw, key=KEY, seq=SEQ, n_events=n_events)
    if got is not None:
        assert got.kind in KINDS
        assert -1 <= got.cursor <= max(-1, n_events - 1)
        assert (got.node is not None) == (got.kind == "select")
