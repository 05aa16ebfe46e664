"""Lessons in the app (AppTest): a lesson link opens its stop, → at a stop's end and the stop buttons
move through it, practice and presentation work inside it, the lesson editor writes one, and hostile
lesson files are refused with their problems named while the lab and lesson stay."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app_support import lab_of, new_app, press, report, step_payload
from components.model.lessons import SHIPPED, lesson_to_json, parse_lesson


def given_lesson(at):
    return at.session_state["lesson"] if "lesson" in at.session_state else None


def test_a_lesson_link_opens_its_stop_with_its_state_and_caption():
    lesson = SHIPPED["worked-example"]
    at = new_app({"lesson": "worked-example", "stop": "3"})
    stop = lesson.stops[2]
    lab = lab_of(at)
    assert given_lesson(at)[1] == 2 and lab.config.preset == "mazur"
    assert lab.stepper.cursor == stop.opening_cursor() and lab.display.hidden == stop.hide
    assert any("stop 3 of" in m.value for m in at.markdown)
    assert at.query_params["lesson"] in ("worked-example", ["worked-example"])


def test_a_bad_lesson_link_is_named_and_the_lab_opens():
    at = new_app({"lesson": "no-such-lesson", "stop": "2"})
    assert given_lesson(at) is None and any("no such lesson" in w.value for w in at.warning)
    at = new_app({"lesson": "worked-example", "stop": "99"})
    assert given_lesson(at)[1] == len(SHIPPED["worked-example"].stops) - 1
    assert any("opened stop" in w.value for w in at.warning)


def test_right_arrow_at_a_stops_end_goes_to_the_next_stop_and_the_buttons_go_both_ways():
    at = new_app({"lesson": "worked-example", "stop": "1"})
    end = SHIPPED["worked-example"].stops[0].events[1]
    while lab_of(at).stepper.cursor < end:
        press(at)
    assert step_payload(at)["stop_end"] == end
    report(at, "next_stop", end)
    assert given_lesson(at)[1] == 1
    at.button(key="lesson_next").click().run()
    assert given_lesson(at)[1] == 2
    at.button(key="lesson_prev").click().run()
    assert given_lesson(at)[1] == 1
    at.button(key="lesson_leave").click().run()
    assert given_lesson(at) is None and not at.exception


def test_the_last_stop_has_no_next():
    n = len(SHIPPED["xor-hidden-layer"].stops)
    at = new_app({"lesson": "xor-hidden-layer", "stop": str(n)})
    assert at.button(key="lesson_next").disabled and step_payload(at)["stop_end"] is None


def test_practice_and_presentation_carry_through_a_lesson():
    at = new_app({"lesson": "worked-example", "stop": "1", "practice": "1", "present": "1"})
    lab = lab_of(at)
    assert lab.display.practice and lab.display.presentation and step_payload(at)["quiz"]["class"]
    at.button(key="lesson_next").click().run()
    lab = lab_of(at)
    assert lab.display.practice and lab.display.presentation and step_payload(at)["limit"] == lab.stepper.cursor


def test_the_lesson_editor_writes_a_lesson_that_downloads_and_opens_again():
    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    at.session_state["tools_tab"] = "Lesson editor"
    at.run()
    at.text_input(key="lesson_new_title").input("Forward pass").run()
    at.button(key="lesson_new").click().run()
    press(at)
    press(at)
    at.button(key="lesson_add").click().run()
    at.text_area(key="lesson_caption_1").input("Two steps in: $a^{(1)}_2$.").run()
    at.button(key="lesson_up_1").click().run()
    draft = at.session_state["lesson_draft"]
    assert [s.caption for s in draft.stops] == ["Two steps in: $a^{(1)}_2$.", ""]
    assert dict(draft.stops[0].state)["k"] == "1"
    text = lesson_to_json(draft)
    again, problems = parse_lesson(text)
    assert again == draft and not problems
    at.button(key="lesson_del_1").click().run()
    assert len(at.session_state["lesson_draft"].stops) == 1
    at.button(key="lesson_give").click().run()
    assert given_lesson(at)[0].title == "Forward pass" and lab_of(at).stepper.cursor == 1


def _upload(at, data: bytes, name: str = "lesson.json"):
    if "lesson_upload" not in [w.key for w in at.file_uploader]:
        at.session_state["tools_tab"] = "Lesson editor"
        at.run()
    at.file_uploader(key="lesson_upload").set_value((name, data, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_good_file_opens_and_a_hostile_one_is_refused_naming_each_problem():
    at = new_app({"lesson": "worked-example", "stop": "2"})
    before = (lab_of(at), given_lesson(at))
    bad = json.loads(lesson_to_json(SHIPPED["worked-example"]))
    bad["stops"][1]["caption"] = "<script>alert(1)</script>"
    bad["stops"][3]["events"] = [True, 2]
    bad["version"] = 2
    _upload(at, json.dumps(bad).encode())
    msg = " ".join(e.value for e in at.error)
    assert "stop 2" in msg and "caption" in msg and "stop 4" in msg and "version" in msg
    assert "<script>" not in msg  # quoted as text, escaped
    assert (lab_of(at), given_lesson(at)) == before
    _upload(at, lesson_to_json(SHIPPED["batch-average"]).encode(), "good.json")
    assert given_lesson(at)[0].key == "batch-average" and given_lesson(at)[1] == 0


_SHIPPED_TEXT = lesson_to_json(SHIPPED["sigmoid-chain"])


@st.composite
def hostile_files(draw) -> bytes:
    """A shipped lesson file with random damage: cut, a field replaced by junk, or random bytes."""
    how = draw(st.sampled_from(["cut", "field", "bytes", "stop"]))
    if how == "bytes":
        return draw(st.binary(max_size=300))
    if how == "cut":
        return _SHIPPED_TEXT.encode()[: draw(st.integers(0, len(_SHIPPED_TEXT) - 2))]
    doc = json.loads(_SHIPPED_TEXT)
    junk = draw(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.lists(st.integers())))
    if how == "field":
        doc[draw(st.sampled_from(["schema", "version", "key", "title", "stops", "extra"]))] = junk
    else:
        stop = draw(st.integers(0, len(doc["stops"]) - 1))
        doc["stops"][stop][draw(st.sampled_from(["state", "caption", "hide", "events", "unknown"]))] = junk
    return json.dumps(doc).encode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_files())
def test_hostile_files_never_break_the_session(data):
    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    lab = lab_of(at)
    _upload(at, data)
    lesson, problems = parse_lesson(data)
    if lesson is None:
        assert at.error and lab_of(at) is lab and given_lesson(at) is None
    else:
        assert given_lesson(at)[0] == lesson


@pytest.mark.parametrize("key", list(SHIPPED))
def test_every_shipped_lesson_walks_from_its_link_to_its_last_stop_by_right_arrow(key):
    """→ through each stop's events, then → at its end (or Stop → where a stop covers no events)."""
    lesson = SHIPPED[key]
    at = new_app({"lesson": key, "stop": "1"})
    for index, stop in enumerate(lesson.stops):
        assert given_lesson(at)[1] == index and not at.exception
        assert any(f"stop {index + 1} of {len(lesson.stops)}" in m.value for m in at.markdown)
        if index + 1 == len(lesson.stops):
            break
        end = step_payload(at)["stop_end"]
        if end is None:
            at.button(key="lesson_next").click().run()
            continue
        assert end == stop.events[1]
        while lab_of(at).stepper.cursor < end:
            assert press(at)
        report(at, "next_stop", end)
    assert given_lesson(at)[1] == len(lesson.stops) - 1
