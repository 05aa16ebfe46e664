"""Test settings shared by every suite (the repository root is importable: pyproject.toml sets
pytest's ``pythonpath``, and requirements-dev.txt installs the project in editable mode)."""

import os

# The deployed app hides error details from users (.streamlit/config.toml); tests want to read them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")

# CI runs the property and fuzz tests on a fixed sequence of examples (a red CI run must be a
# change's fault, not a new draw); locally every run draws new ones (FUZZ_SCALE=10 for a longer hunt).
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="module")
def app():
    """The app on a free loopback port and Debian's Chromium, one per browser test module: (base URL,
    browser). A module that needs another app defines its own ``app``."""
    from browser_support import chromium, require_browser, streamlit_server

    require_browser()
    with streamlit_server() as (url, _log), chromium() as browser:
        yield url, browser
