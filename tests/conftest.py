"""Make the repository root importable (engine/, components/) without installing it."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The deployed app hides error details from users (.streamlit/config.toml); tests want to read them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")

# CI runs the property and fuzz tests on a fixed sequence of examples (a red CI run must be a
# change's fault, not a new draw); locally every run draws new ones (FUZZ_SCALE=10 for a longer hunt).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
