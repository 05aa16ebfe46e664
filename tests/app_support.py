"""What the AppTest suites share: the app's path, the timeout, a fresh session opened on a link."""

from __future__ import annotations

import itertools
import pathlib

from streamlit.testing.v1 import AppTest

from step_view_moves import move

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60  # seconds per run: a shared, slow machine; every run ends as soon as the script does


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def new_app(query: dict | None = None) -> AppTest:
    """A new session of the app opened on a link with these query parameters, run once."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert_no_exception(at)
    if "sv_payload" in at.session_state:  # the step view's first report, as the browser sends it once drawn
        report(at, "cursor", step_payload(at)["cursor"])
    else:
        at.run()
    return at


def lab_of(at: AppTest):
    """The session's ``Lab``."""
    return at.session_state["lab"]


_REPORTS = itertools.count(1)


def step_payload(at: AppTest) -> dict:
    """The step view's payload the last run sent (what the browser draws)."""
    return at.session_state["sv_payload"][2]


def report(at: AppTest, kind: str, cursor: int, node=None, text=None) -> AppTest:
    """Send the step view's report as the browser does (its component state), and run. ``kind`` "ahead":
    the browser stepped into the next update sent ahead and reports its cursor there."""
    p = step_payload(at)
    if kind == "ahead":
        p, kind = p["ahead"], "cursor"
    raw = {"kind": kind, "key": p["key"], "seq": p["seq"], "cursor": int(cursor), "n": next(_REPORTS)}
    if node is not None:
        raw["node"] = list(node)
    if text is not None:
        raw["text"] = text
    at.session_state["step_view"] = {"report": raw}
    at.run()
    assert_no_exception(at)
    return at


def press(at: AppTest, direction: str = "next") -> bool:
    """One press of → ("next") or ← ("back") in the step view, as its browser code moves the cursor
    (``step_view_moves.move``), reported at once (the browser reports a cursor after a pause).
    False: the press does nothing (← at the first update's start, → while a problem blocks it, or no
    step view on the page)."""
    if "sv_payload" not in at.session_state:
        return False
    answer = move(step_payload(at), at.session_state["lab"].stepper.cursor, direction)
    if answer is None:
        return False
    report(at, *answer)
    return True


def shown_lines(at: AppTest) -> list[str]:
    """The LaTeX lines the step view shows at the lab's cursor (the panel's formulas)."""
    p = step_payload(at)
    cursor = at.session_state["lab"].stepper.cursor
    if cursor < 0:
        return list(p["start"]["lines"])
    return list(p["events"][cursor - p["window"][0]]["lines"])
