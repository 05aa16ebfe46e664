"""Practice mode in the app (AppTest): answers typed in the step view and checked, hints, the score and
the missed list, revisiting, the class question, hidden values kept hidden on the whole page, and
reports a browser should not send."""

from __future__ import annotations

import json

import pytest

from app_support import lab_of, new_app, report, step_payload
from components.views.notation import format_number

MAZUR = {"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0", "practice": "1"}


def value(at, k: int) -> str:
    return format_number(lab_of(at).trace.event(k).value, 4)


def answer(at, text: str):
    return report(at, "answer", lab_of(at).stepper.cursor, text=text)


def quiz(at) -> dict:
    return step_payload(at)["quiz"]


def test_a_link_opens_practice_with_every_value_hidden():
    at = new_app(MAZUR)
    p = step_payload(at)
    assert p["limit"] == -1 and p["window"] == [0, -1] and p["events"] == []
    assert quiz(at)["event"] == 0 and quiz(at)["at"] == -1
    assert "Practice mode hides the training charts" in " ".join(c.value for c in at.caption)
    assert not at.get("plotly_chart")  # the loss curve would give the loss away


def test_right_answers_move_on_wrong_ones_and_non_numbers_get_a_message():
    at = new_app(MAZUR)
    answer(at, "zero point five")
    assert quiz(at)["feedback"][0] == "info" and "not a number" in quiz(at)["feedback"][1]
    answer(at, "0.6")
    assert quiz(at)["feedback"][0] == "wrong" and lab_of(at).stepper.cursor == -1
    answer(at, value(at, 0))
    p = step_payload(at)
    assert lab_of(at).stepper.cursor == 0 and p["limit"] == 0 and p["window"] == [0, 0]
    assert quiz(at)["feedback"][0] == "right" and quiz(at)["event"] == 1
    assert value(at, 0) in json.dumps(p["events"][0]["lines"])  # revealed with its formula


def test_hints_come_one_press_at_a_time_and_the_answer_counts_as_missed():
    at = new_app(MAZUR)
    for level, lines in ((1, 1), (2, 2)):
        report(at, "hint", -1)
        assert len(quiz(at)["lines"]) == lines and lab_of(at).stepper.cursor == -1, level
    report(at, "hint", -1)
    assert lab_of(at).stepper.cursor == 0 and quiz(at)["event"] == 1
    labels = [b.label for b in at.button]
    assert any(label.startswith("a⁽¹⁾₁ (forward values) = " + value(at, 0)) for label in labels)
    assert "forward values 0/1" in quiz(at)["score"]


def test_the_forward_pass_and_loss_scored_then_a_missed_event_reopens():
    at = new_app(MAZUR)
    loss = lab_of(at).trace.layout.loss_index
    for k in range(loss + 1):
        if k == 2:
            answer(at, "1")  # one wrong try
        answer(at, value(at, k))
    assert lab_of(at).stepper.cursor == loss
    assert "forward values 3/4 · loss 1/1" in quiz(at)["score"]
    at.button(key="practice_missed_2").click().run()
    assert lab_of(at).stepper.cursor == 2
    assert lab_of(at).practice.frontier == loss  # stepping back keeps the answers
    at.button(key="practice_restart").click().run()
    assert lab_of(at).practice.frontier == -1 and lab_of(at).stepper.cursor == -1 and not lab_of(at).practice.attempts


def test_the_browser_cannot_step_past_the_question():
    at = new_app(MAZUR)
    answer(at, value(at, 0))
    report(at, "cursor", 12)
    assert lab_of(at).stepper.cursor == 0
    report(at, "next_update", 0)
    assert lab_of(at).stepper.update == 0
    report(at, "window", 25)
    assert lab_of(at).stepper.cursor == 0 and step_payload(at)["window"][1] == 0
    assert at.button(key="ctl_finish").disabled  # finishing the update would show its values


def test_tampered_answers_change_nothing():
    at = new_app(MAZUR)
    p = step_payload(at)
    for raw in (
        {"kind": "answer", "key": p["key"], "seq": p["seq"], "cursor": -1, "text": 0.5933, "n": 9001},
        {"kind": "answer", "key": "other", "seq": p["seq"], "cursor": -1, "text": "0.5933", "n": 9002},
        {"kind": "answer", "key": p["key"], "seq": p["seq"], "cursor": -1, "text": "9" * 5000, "n": 9003},
    ):
        at.session_state["step_view"] = {"report": raw}
        at.run()
        assert not at.exception and lab_of(at).stepper.cursor == -1


def test_hidden_values_stay_hidden_in_the_neuron_panel_and_exports():
    at = new_app(MAZUR)
    answer(at, value(at, 0))
    report(at, "select", 0, node=[2, 0])
    text = " ".join(m.value for m in at.markdown)
    assert "Neuron 1 of layer 2" in text and "a = ?" in text and "δ = ?" in text
    report(at, "select", 0, node=[1, 0])
    assert f"a = {lab_of(at).trace.A[1][0, 0]:.6g}" in " ".join(m.value for m in at.markdown)
    at.session_state["tools_tab"] = "Export & share"
    at.run()
    assert "the 1 values seen" in " ".join(m.value for m in at.markdown)
    at.session_state["tools_tab"] = "Gradient check"
    at.run()
    assert any("Practice mode" in i.value for i in at.info)


def test_every_answer_of_the_update_then_the_next_update_starts_hidden():
    at = new_app(MAZUR)
    n = lab_of(at).stepper.n_events
    for k in range(n):
        answer(at, format_number(lab_of(at).trace.event(k).value, 9))
    assert lab_of(at).practice.frontier == n - 1 and quiz(at)["done"]
    report(at, "next_update", n - 1)
    lab = lab_of(at)
    assert lab.stepper.update == 1 and lab.stepper.cursor == -1 and lab.practice.frontier == -1
    assert step_payload(at)["window"] == [0, -1] and "ahead" not in step_payload(at)


def test_the_class_question_shows_the_formula_and_reveals_on_request():
    at = new_app({**MAZUR, "present": "1"})
    q = quiz(at)
    assert q["class"] and len(q["lines"]) == 2 and value(at, 0) not in json.dumps(q)
    report(at, "reveal", -1)
    assert lab_of(at).stepper.cursor == 0 and value(at, 0) in json.dumps(step_payload(at)["events"][0])


def test_turning_practice_off_shows_everything_and_on_again_starts_at_the_cursor():
    at = new_app(MAZUR)
    answer(at, value(at, 0))
    at.toggle(key="hdr_practice").set_value(False).run()
    assert step_payload(at)["limit"] is None and "quiz" not in step_payload(at)
    report(at, "cursor", 6)
    at.toggle(key="hdr_practice").set_value(True).run()
    assert lab_of(at).practice.frontier == 6 and quiz(at)["event"] == 7
    assert at.query_params["practice"] in ("1", ["1"])


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "seed000", "data": "preset", "bias": "off", "bs": "0", "h": "2-2", "nt": "seed000"},
        {"preset": "seed002", "data": "preset", "h": "3", "seed": "2", "nt": "seed002"},
        {"preset": "seed003", "data": "preset", "h": "3", "seed": "3", "bs": "0", "nt": "seed003"},
        {"data": "xor", "h": "4", "act": "tanh", "bs": "10", "loss": "half_mse", "g": "neuron"},
        {"data": "circles", "h": "3-3", "act": "relu-tanh", "out": "softmax", "loss": "cross_entropy", "g": "layer"},
    ],
)
def test_practice_in_every_notation_step_size_loss_and_batch(query):
    at = new_app({**query, "practice": "1"})
    lab = lab_of(at)
    assert not lab.config.preset or lab.config.preset == query.get("preset")
    asked = []
    for _ in range(4):
        q = quiz(at)
        asked.append(q["event"])
        p = step_payload(at)
        assert p["window"][1] < q["event"] and p["limit"] < q["event"]  # no later event's formula is sent
        report(at, "hint", lab_of(at).stepper.cursor)
        report(at, "hint", lab_of(at).stepper.cursor)
        assert len(quiz(at)["lines"]) == 2
        answer(at, format_number(lab_of(at).trace.event(q["event"]).value, 4))
        assert lab_of(at).stepper.cursor == q["event"] and not at.exception
    assert asked == sorted(asked) and len(set(asked)) == 4
