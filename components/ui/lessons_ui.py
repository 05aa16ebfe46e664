"""Lessons on the page: the lesson bar above the step view (the stop's caption, previous and next stop),
the lesson menu in the sidebar, and the lesson editor tool (add the current state as a stop, caption,
reorder, delete, download, open a file). The lessons themselves are components/model/lessons.py."""

from __future__ import annotations

import streamlit as st

from components.model.lessons import (
    MAX_LESSON_BYTES,
    SHIPPED,
    Stop,
    add_stop,
    delete_stop,
    lesson_menu,
    lesson_to_json,
    move_stop,
    new_lesson,
    parse_lesson,
    safe_caption,
    set_caption,
)
from components.model.links import plain_markdown, query_for
from components.ui import state

__all__ = ["render_lesson_bar", "render_lesson_menu", "render_lesson_editor", "stop_range"]

_NOT_IN_A_STOP = ("present", "practice", "hide")  # the session's modes, not the stop's state


def stop_range(lab) -> tuple[int, int] | None:
    """The events [first, last] the current stop covers, when a lesson is given and the lab is still
    its stop's (→ past ``last`` then goes to the next stop), else None."""
    given = state.lesson()
    if given is None:
        return None
    lesson, index = given
    events = lesson.stops[index].events
    if events is None or index + 1 >= len(lesson.stops) or events[1] >= lab.stepper.n_events:
        return None
    return events


def _go(delta: int) -> None:
    given = state.lesson()
    if given is not None:
        state.open_stop(given[0], given[1] + delta)


def next_stop() -> bool:
    """The next stop of the lesson (→ at the end of a stop's range); False when there is none."""
    given = state.lesson()
    if given is None or given[1] + 1 >= len(given[0].stops):
        return False
    state.open_stop(given[0], given[1] + 1)
    return True


def render_lesson_bar(presentation: bool) -> None:
    """The lesson being given: title, stop i of n, the caption (Markdown, HTML escaped), and the way on."""
    given = state.lesson()
    if given is None:
        return
    lesson, index = given
    stop, n = lesson.stops[index], len(lesson.stops)
    box = st.container(border=True, key="bp_lesson")
    head, prev, nxt, leave = box.columns([5, 1.2, 1.2, 0.9], vertical_alignment="center")
    head.markdown(f"**{plain_markdown(lesson.title)}** · stop {index + 1} of {n}")
    prev.button("← Stop", key="lesson_prev", on_click=_go, args=(-1,), disabled=index == 0, width="stretch")
    nxt.button(
        "Stop →",
        key="lesson_next",
        on_click=_go,
        args=(1,),
        disabled=index + 1 >= n,
        width="stretch",
        type="primary",
        help="The next stop (→ at the end of this stop's events goes there too)",
    )
    leave.button("Leave", key="lesson_leave", on_click=state.leave_lesson, width="stretch", help="End the lesson")
    if stop.caption and presentation:  # the room watches the step: the caption one click away, not over it
        box.expander(f"Caption of stop {index + 1}", expanded=False).markdown(safe_caption(stop.caption))
    elif stop.caption:
        box.container(height="content", key="bp_lesson_caption").markdown(safe_caption(stop.caption))
    if stop.events is not None and not presentation:
        first, last = stop.events
        on = "→ at its end goes on to the next stop" if index + 1 < n else "the lesson ends here"
        box.caption(f"This stop covers events {first + 1}–{last + 1} of the update; {on}.")


def _open_shipped() -> None:
    key = state.widget("lesson_choice")
    if key in SHIPPED:
        state.open_stop(SHIPPED[key], 0)


def render_lesson_menu() -> None:
    """The shipped lessons, in the sidebar."""
    sb = st.sidebar
    sb.markdown("### Lessons")
    menu = dict(lesson_menu())
    sb.selectbox(
        "Lesson",
        list(menu),
        format_func=menu.get,
        key="lesson_choice",
        index=None,
        placeholder="Choose a lesson…",
        help="A guided tour: each stop sets up the lab, says what to look at, and → moves on",
    )
    sb.button("Start lesson", key="lesson_start", on_click=_open_shipped, width="stretch")


# ------------------------------------------------------------------ the lesson editor (a tool)
def _stop_state(lab) -> dict[str, str]:
    return {k: v for k, v in query_for(lab).items() if k not in _NOT_IN_A_STOP}


def _edit(change) -> None:
    """Apply an authoring change to the draft; a refusal (a limit) is said, the draft kept."""
    draft = state.lesson_draft()
    try:
        state.set_lesson_draft(change(draft))
    except ValueError as e:
        state.flash("error", f"Lesson not changed: {plain_markdown(str(e))}")


def _start_draft() -> None:
    title = str(state.widget("lesson_new_title") or "").strip() or "My lesson"
    lab = state.get_lab()
    _edit(lambda _: new_lesson(title, _stop_state(lab)))


def _add_current() -> None:
    lab = state.get_lab()
    stop = Stop(_stop_state(lab), "", tuple(lab.display.hidden))
    _edit(lambda d: add_stop(d, stop))


def _caption_changed(index: int) -> None:
    text = str(state.widget(f"lesson_caption_{index}") or "")
    _edit(lambda d: set_caption(d, index, text))


def _give_draft() -> None:
    draft = state.lesson_draft()
    if draft is not None:
        state.open_stop(draft, 0)


def render_lesson_editor(lab) -> None:
    """Write a lesson: start one from this state, add stops, caption, reorder, delete, download; or open a
    lesson file (refused with each problem named, the current lab and lesson kept)."""
    draft = state.lesson_draft()
    up = st.file_uploader("Open a lesson file (.json)", type=["json"], key="lesson_upload")
    if up is not None and state.first_upload(f"lesson-{up.file_id}"):
        data = up.getvalue()
        lesson, problems = parse_lesson(data[: MAX_LESSON_BYTES + 1])
        if lesson is None:
            st.error(
                "This lesson file was not opened; the lab and lesson stay as they are. "
                + plain_markdown(" · ".join(problems))[:3000]
            )
        else:
            state.set_lesson_draft(lesson)
            state.open_stop(lesson, 0)
            st.rerun()
    if draft is None:
        c1, c2 = st.columns([3, 1.3], vertical_alignment="bottom")
        c1.text_input("New lesson's title", key="lesson_new_title", placeholder="My lesson", max_chars=120)
        c2.button("Start a lesson here", key="lesson_new", on_click=_start_draft, width="stretch")
        st.caption("The lesson's first stop is the lab as it is now; add more stops as you set them up.")
        return
    st.markdown(f"**{plain_markdown(draft.title)}** · {len(draft.stops)} stop(s)")
    c1, c2, c3, c4 = st.columns(4)
    c1.button("Add this state as a stop", key="lesson_add", on_click=_add_current, width="stretch", type="primary")
    c2.button("Give this lesson", key="lesson_give", on_click=_give_draft, width="stretch")
    c3.download_button(
        "Download (.json)",
        lesson_to_json(draft),
        file_name=f"{draft.key}.json",
        mime="application/json",
        key="lesson_download",
        width="stretch",
    )
    c4.button("Close the draft", key="lesson_close", on_click=state.set_lesson_draft, args=(None,), width="stretch")
    for q, stop in enumerate(draft.stops):
        box = st.container(border=True)
        cap, ctl = box.columns([5, 1.6])
        state.set_widget(f"lesson_caption_{q}", stop.caption)
        cap.text_area(
            f"Stop {q + 1} caption (Markdown, $maths$)",
            key=f"lesson_caption_{q}",
            on_change=_caption_changed,
            args=(q,),
            height=90,
            max_chars=4000,
        )
        a, b, c = ctl.columns(3)
        a.button("↑", key=f"lesson_up_{q}", on_click=_edit, args=(lambda d, q=q: move_stop(d, q, -1),), disabled=q == 0)
        b.button(
            "↓",
            key=f"lesson_down_{q}",
            on_click=_edit,
            args=(lambda d, q=q: move_stop(d, q, 1),),
            disabled=q + 1 == len(draft.stops),
        )
        c.button("✕", key=f"lesson_del_{q}", on_click=_edit, args=(lambda d, q=q: delete_stop(d, q),))
        ctl.button("Open", key=f"lesson_open_{q}", on_click=state.open_stop, args=(draft, q), width="stretch")
    st.caption(
        "A downloaded lesson opens here for anyone (Open a lesson file). Links name shipped lessons only: "
        "give a written lesson by its file. The format is in docs/lesson-format.md."
    )
