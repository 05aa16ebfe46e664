"""What the AppTest suites share: the app's path, the timeout, a fresh session opened on a link."""

from __future__ import annotations

import pathlib

from streamlit.testing.v1 import AppTest

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
    return at


def lab_of(at: AppTest):
    """The session's ``Lab``."""
    return at.session_state["lab"]
