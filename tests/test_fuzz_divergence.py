"""Divergence through the real app (AppTest): η = 10⁶ on XOR is caught at the first event that goes
non-finite or saturates, pauses play, says so, and undo returns to exactly the last finite state."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_support import assert_no_exception, lab_of, new_app, press, shown_lines, step_payload
from components.model.lab import SIGMOID_SATURATION
from components.views.step_text import formula_lines
from engine import Network, Stepper
from fuzz_support import click, texts, widget


# ------------------------------------------------------------------ divergence
def diverging_app(query: dict, lr: float = 1e6) -> AppTest:
    """The app with η forced to ``lr`` (the widget and links stop at 100: this is what a larger η does)."""
    at = new_app(query)
    lab = lab_of(at)
    lab.stepper.set_lr(lr)
    lab.config = lab.config.with_(lr=lr)
    at.run()
    assert_no_exception(at)
    return at


def set_granularity(at, g: str) -> None:
    at.session_state["ctl_granularity"] = g
    lab_of(at).display = lab_of(at).display.with_(granularity=g)
    at.run()  # the step view's → follows the step size of the page it was sent with


def first_bad_event(query_lab, lr: float, limit: int) -> int:
    """How many event steps a plain engine Stepper takes until a parameter or the loss is non-finite
    or a sigmoid's |z| exceeds the saturation threshold: when the app must stop."""
    net = Network.from_dict(query_lab.net.to_dict())
    d = query_lab.dataset
    s = Stepper(net, d.X_train, d.Y_train, lr, batch_size=query_lab.stepper.batch_size)
    with np.errstate(all="ignore"):
        for n in range(1, limit + 1):
            s.step("event")
            params = net.weights + net.biases
            sat = any(
                a == "sigmoid" and np.max(np.abs(z)) > SIGMOID_SATURATION
                for a, z in zip(s.trace.activations, s.trace.Z[1:])
            )
            if not all(np.all(np.isfinite(p)) for p in params) or not np.isfinite(s.trace.loss) or sat:
                return n
    raise AssertionError("never diverged")


@pytest.mark.parametrize(
    "query",
    [
        {"data": "xor_table", "bs": "0"},  # sigmoid: saturates
        {"data": "xor_table", "bs": "0", "h": "4", "act": "tanh", "out": "linear"},  # linear output: inf, then NaN
    ],
)
def test_lr_1e6_on_xor_stops_at_the_first_bad_event_and_undo_restores_it(query):
    at = diverging_app(query)
    lab = lab_of(at)
    expected = first_bad_event(lab, 1e6, 20_000)
    per_update = lab.stepper.n_events  # full batch: every update has as many events
    whole = (expected - 1) // per_update
    set_granularity(at, "update")  # the updates before the bad one, one click each …
    for _ in range(whole):
        assert lab.problem is None and press(at, "next")
    set_granularity(at, "event")  # … then event by event
    for n in range(whole * per_update + 1, expected + 1):
        assert lab.problem is None, f"stopped early, at event step {n - 1} of {expected}"
        state = (lab.stepper.update, lab.stepper.cursor, [w.copy() for w in lab.net.weights])
        assert press(at, "next")
        lab = lab_of(at)
    assert lab.problem, "the step that went non-finite or saturated was not caught"
    assert any("diverged" in e or "saturated" in e for e in texts(at.error))
    assert step_payload(at)["blocked"] and not press(at, "next")  # nothing can run on from here
    for key in ("ctl_finish", "ctl_play", "ctl_train"):
        assert widget(at, "button", key).proto.disabled, key
    # the numbers shown say NaN/∞ where they are not finite, never a finite-looking number
    ev = lab.stepper.event
    if ev is not None and not np.isfinite(ev.value):
        shown = " ".join(shown_lines(at))
        assert "NaN" in shown or "infty" in shown
    assert click(at, "prob_undo")
    lab = lab_of(at)
    assert lab.problem is None
    assert (lab.stepper.update, lab.stepper.cursor) == state[:2]
    for x, y in zip(state[2], lab.net.weights):
        np.testing.assert_array_equal(x, y)
    assert all(np.all(np.isfinite(w)) for w in lab.net.weights + lab.net.biases)


@pytest.mark.parametrize("mode", ["epochs", "steps"])
def test_lr_1e6_while_playing_pauses_with_a_message_and_undo_returns_finite_weights(mode):
    at = diverging_app({"data": "xor_table", "bs": "0", "h": "4", "act": "tanh", "out": "linear"})
    set_granularity(at, "update")  # steps mode walks at the chosen step size
    at.selectbox(key="ctl_play_mode").select(mode).run()
    assert click(at, "ctl_play") and lab_of(at).playing
    for tick in range(200):  # each run is one tick of play  # noqa: B007 (reported below)
        if lab_of(at).problem:
            break
        before = lab_of(at).last_finite
        at.run()
        assert_no_exception(at)
    lab = lab_of(at)
    assert lab.problem and not lab.playing, f"still playing after {tick} ticks"
    assert widget(at, "button", "ctl_play").label == "Play"
    assert any("diverged" in e or "saturated" in e for e in texts(at.error))
    at.run()  # a paused lab stays put
    assert lab_of(at).stepper.update == lab.stepper.update
    assert click(at, "prob_undo")
    lab = lab_of(at)
    assert lab.problem is None and not lab.playing
    assert all(np.all(np.isfinite(w)) for w in lab.net.weights + lab.net.biases)
    assert before is not None


def test_dismissed_divergence_keeps_stepping_with_nan_shown_as_nan():
    """After "Dismiss" a student may walk on into the NaNs: every number is NaN/∞ or finite, no warning."""
    at = diverging_app({"data": "xor_table", "bs": "0", "h": "4", "act": "tanh", "out": "linear"})
    set_granularity(at, "update")
    for _ in range(60):
        if not press(at, "next"):
            break
    seen_nan = 0
    for _ in range(60):  # dismiss and step event by event through non-finite territory
        if seen_nan >= 4:
            break
        lab = lab_of(at)
        if lab.problem:
            assert click(at, "prob_dismiss")
        if lab.display.granularity != "event":
            set_granularity(at, "event")
        assert press(at, "next")
        lab = lab_of(at)
        ev = lab.stepper.event
        if ev is not None and not np.isfinite(ev.value):
            seen_nan += 1
            lines = formula_lines(lab.trace, lab.stepper.cursor, lab.display.notation)
            assert any("NaN" in line or "infty" in line for line in lines), lines
    assert seen_nan
