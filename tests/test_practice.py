"""Practice mode's model and payload: answers parsed and checked to the precision shown, questions in
order at every step size, hints, score, restart, and no hidden number in what the browser receives."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.model.config import to_query
from components.model.links import restore_from_query
from components.model.practice import (
    PRACTICE_PHASES,
    Practice,
    is_close,
    parse_answer,
    tolerance,
    update_identity,
)
from components.model.presets import PRESETS
from components.ui.stepping import view_options
from components.views import exports
from components.views.notation import format_number
from components.views.practice_view import missed_rows, quiz_payload, score_line
from components.views.step_view_data import StepViewPosition, step_view_payload
from engine import GRANULARITIES

MAZUR = {"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0", "practice": "1"}


def textbook():
    lab, ignored = restore_from_query(MAZUR)
    assert not ignored and lab.display.practice
    lab.follow_practice()
    return lab


def value(lab, k: int, digits: int = 4) -> str:
    return format_number(lab.trace.event(k).value, digits)


# ------------------------------------------------------------------ typed answers
@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.5933", 0.5933),
        (" -0.5933 ", -0.5933),
        ("−0.5933", -0.5933),
        (".5933", 0.5933),
        ("5.933e-1", 0.5933),
        ("5.933×10^-1", 0.5933),
        ("5.933*10^(-1)", 0.5933),
        ("0,5933", 0.5933),
        ("1e6", 1e6),
    ],
)
def test_numbers_are_read_as_a_student_types_them(text, expected):
    assert parse_answer(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["", "   ", "abc", "0.5.3", "nan", "inf", "-Infinity", "1e999", "x" * 100, None, 3])
def test_anything_else_gets_a_sentence_not_an_exception(text):
    with pytest.raises(ValueError) as e:
        parse_answer(text)
    assert str(e.value).endswith(".") and len(str(e.value)) < 120


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_number_or_a_message(text):
    try:
        assert math.isfinite(parse_answer(text))
    except ValueError as e:
        assert str(e)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e5, max_value=1e5, allow_nan=False), st.sampled_from([4, 6, 9]))
def test_the_value_as_shown_is_always_accepted_and_a_digit_off_is_not(x, digits):
    shown = format_number(x, digits).replace(r" \times 10^{", "e").replace("}", "")
    assert is_close(parse_answer(shown), x, digits)
    rel, abs_ = tolerance(digits)
    off = x + 3 * max(rel * abs(x), abs_)
    assert not is_close(off, x, digits)


def test_tolerance_comes_from_the_digits_setting():
    assert tolerance(4) == (5e-4, 5e-5)
    assert is_close(0.5933, 0.593269992, 4) and not is_close(0.593, 0.593269992, 6)
    assert is_close(0.0, 1.2e-7, 4)  # the absolute floor near zero
    assert not is_close(0.5, float("nan"), 4)


# ------------------------------------------------------------------ questions, hints, score
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_questions_are_the_ends_of_each_step_and_cover_the_update(granularity):
    lab = textbook()
    lay = lab.trace.layout
    p = Practice(on=True)
    p.follow("x", -1)
    asked = []
    while (q := p.question(lay, granularity)) is not None:
        assert q == lay.group(p.frontier + 1, granularity)[1]
        asked.append(q)
        assert p.answer(value(lab, q, 9), lab.trace, granularity, 9)
    assert asked[-1] == lay.n_events - 1 and asked == sorted(set(asked))
    assert sum(n for _, n in p.score().values()) == len(asked)


def test_wrong_then_hints_then_the_answer_moves_on_and_counts_as_missed():
    lab = textbook()
    tr, p = lab.trace, lab.practice
    assert not p.answer("0.1", tr, "event", 4) and p.feedback[0] == "wrong" and p.frontier == -1
    assert not p.answer("zero", tr, "event", 4) and p.feedback[0] == "info"  # not a number: no try counted
    assert len(p.attempts[0].tries) == 1
    assert p.hint(tr.layout, "event") == 1 and p.hint(tr.layout, "event") == 2 and p.frontier == -1
    assert p.hint(tr.layout, "event") == 3 and p.frontier == 0
    assert p.question(tr.layout, "event") == 1
    assert p.answer(value(lab, 1), tr, "event", 4)
    assert p.score()["forward"] == (1, 2)
    assert [a.event for a in p.missed()] == [0]
    rows = missed_rows(tr, p, "neutral", 4)
    assert rows[0]["typed"] == "0.1" and rows[0]["value"] == value(lab, 0) and rows[0]["how"] == "answer shown"
    assert "forward values 1/2" in score_line(p)


def test_every_phase_is_scored():
    lab = textbook()
    p, tr = lab.practice, lab.trace
    for k in range(tr.layout.n_events):
        assert p.answer(value(lab, k, 9), tr, "event", 9), k
    score = p.score()
    assert set(score) == set(PRACTICE_PHASES) and all(r == n > 0 for r, n in score.values())


def test_a_new_update_or_new_parameters_start_afresh_and_stepping_back_keeps_answers():
    lab = textbook()
    assert lab.practice_answer(value(lab, 0)) and lab.practice_answer(value(lab, 1))
    lab.seek(-1)
    lab.follow_practice()
    assert lab.practice.frontier == 1 and lab.stepper.cursor == -1  # back: the answers stay
    ident = lab.practice.identity
    lab.set_lr(0.25)  # the same update with another η: other numbers
    lab.follow_practice()
    assert lab.practice.identity != ident and lab.practice.frontier == -1 and not lab.practice.attempts
    lab.restart_practice()
    assert lab.practice.frontier == -1 and lab.stepper.cursor == -1


def test_the_cursor_never_passes_the_frontier():
    lab = textbook()
    lab.seek(10)
    lab.follow_practice()
    assert lab.stepper.cursor == -1
    assert lab.revealed_through() == -1


def test_identity_names_the_numbers_of_an_update():
    lab = textbook()
    a = update_identity(0, lab.trace)
    assert a == update_identity(0, lab.trace) and a != update_identity(1, lab.trace)


# ------------------------------------------------------------------ nothing hidden reaches the browser
def _numbers_in_view(lab) -> set[str]:
    """Numbers any payload shows whatever the frontier: inputs, targets, η, the starting parameters, the
    colour scale's labels."""
    tr = lab.trace
    scale = [f * lab.scale for f in (1, 0.5, 0.25, -0.25, -0.5, -1)]
    arrays = [tr.X, tr.Y, *tr.weights_before, *tr.biases_before, np.array([tr.lr, *scale])]
    return {format_number(x, d) for a in arrays for x in np.ravel(a) for d in (3, 4)}  # (the chips: 3)


def _has_number(text: str, s: str) -> bool:
    """Whether ``s`` occurs in ``text`` as a whole number (not inside a longer one, e.g. a coordinate)."""
    return re.search(rf"(?<![\d.\-−]){re.escape(s)}(?![\d])", text) is not None


@pytest.mark.parametrize("preset", ["mazur", "seed000", "seed001", "seed002", "seed003", "xor"])
def test_the_payload_holds_no_value_beyond_the_frontier(preset):
    lab, _ = restore_from_query({**to_query(PRESETS[preset].config), "nt": PRESETS[preset].notation})
    tr, o = lab.trace, view_options(lab, False)
    n = tr.layout.n_events
    for limit in sorted({-1, 0, 3, tr.layout.loss_index - 1, tr.layout.loss_index, tr.layout.update_start, n - 2}):
        payload = step_view_payload(lab.net, tr, StepViewPosition("k", 0, 0, max(limit, -1), False), o, limit=limit)
        assert payload["limit"] == limit and payload["window"][1] <= limit
        text = json.dumps(payload, ensure_ascii=False)
        seen = [tr.event(k) for k in range(limit + 1)]
        allowed = _numbers_in_view(lab) | {format_number(e.value, d) for e in seen for d in (3, 4)}
        allowed |= {format_number(e.factors.z, d) for e in seen if e.kind == "forward" for d in (3, 4)}  # z, a
        leaked = [
            (k, s)
            for k in range(limit + 1, n)
            if abs(tr.event(k).value) > 1e-3
            and (s := format_number(tr.event(k).value, 4)) not in allowed
            and (_has_number(text, s) or repr(tr.event(k).value) in text)
        ]
        assert not leaked, (preset, limit, leaked[:5])
        for t in payload["tables"]:
            for row, when in zip(t["cells"], t["reveal"]):
                assert all(cell == "" for cell, w in zip(row, when) if w > limit)


def test_the_question_box_hides_the_value_until_the_answer_is_shown():
    lab = textbook()
    tr, p = lab.trace, lab.practice
    q = quiz_payload(tr, p, "event", "neutral", 4, False)
    assert q["at"] == -1 and q["event"] == 0 and q["lines"] == [] and q["hint"].startswith("Show the formula")
    p.hint(tr.layout, "event")
    p.hint(tr.layout, "event")
    q = quiz_payload(tr, p, "event", "neutral", 4, False)
    assert len(q["lines"]) == 2 and value(lab, 0) not in json.dumps(q) and r"= \,?" in q["lines"][1]
    cls = quiz_payload(tr, Practice(on=True, frontier=-1), "event", "neutral", 4, True)
    assert cls["class"] and len(cls["lines"]) == 2 and cls["hint"] is None and value(lab, 0) not in json.dumps(cls)


def test_exports_hold_only_the_values_seen():
    lab = textbook()
    csv = exports.trace_csv(lab.trace, "neutral", upto=2)
    assert csv.count("\n") == 1 + 3
    assert repr(lab.trace.event(3).value) not in csv
    assert "Loss" not in exports.worked_example(lab.trace, "neutral", 4, upto=3)
    data = json.loads(exports.trace_json(lab.trace, "neutral", upto=-1))
    assert data["events"] == [] if "events" in data else True
