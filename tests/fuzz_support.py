"""Helpers shared by the fuzz tests (test_fuzz_*.py): hypothesis settings and reading the AppTest page."""

from __future__ import annotations

import os
import re

import numpy as np
from hypothesis import HealthCheck

from app_support import assert_no_exception
from components.model.config import validate

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))  # e.g. FUZZ_SCALE=10 for a longer hunt
FUZZ = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def fingerprint(lab) -> tuple:
    """Everything a refused input must leave untouched."""
    return (
        lab.config,
        lab.stepper.update,
        lab.stepper.cursor,
        lab.dataset.name,
        tuple(a.tobytes() for a in lab.net.weights + lab.net.biases),
    )


def assert_valid(lab) -> None:
    """A lab the page can draw: a valid configuration, a cursor inside the update, parameters that fit."""
    assert validate(lab.config) == [], validate(lab.config)
    assert -1 <= lab.stepper.cursor < lab.stepper.n_events
    sizes = lab.net.layer_sizes
    assert [w.shape for w in lab.net.weights] == [(b, a) for a, b in zip(sizes[:-1], sizes[1:])]
    assert sizes[0] == lab.dataset.n_inputs and sizes[-1] == lab.dataset.n_outputs
    finite = all(np.all(np.isfinite(a)) for a in lab.net.weights + lab.net.biases)
    assert finite or lab.problem, "non-finite parameters without a message"


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def unescape(md: str) -> str:
    """The text a Markdown body shows (components.model.links escapes link values)."""
    return re.sub(r"\\(.)", r"\1", md)


def widget(at, kind: str, key: str):
    """The widget of this kind and key on the page, or None if it is not drawn."""
    for w in at.get(kind) if kind == "button_group" else getattr(at, kind):
        if getattr(w, "key", None) == key:
            return w
    return None


def click(at, key: str) -> bool:
    b = widget(at, "button", key)
    if b is None or b.proto.disabled:
        return False
    b.click().run()
    assert_no_exception(at)
    return True
