"""The first page teaches: its own network learns its XOR data within the first "Train N epochs", the
worked example is one click away and named as such, and links written before these defaults changed
still open the network they named."""

from __future__ import annotations

import numpy as np
import pytest

from app_support import assert_no_exception, lab_of, new_app
from components.model.config import LINK_BASE, LabConfig, from_query, to_query
from components.model.lab import build_lab
from components.model.presets import PRESETS
from components.ui.controls import TRAIN_EPOCHS
from components.ui.start_here import WORKED_EXAMPLE


def _click(at, key: str):
    at.button(key=key).click().run()
    assert_no_exception(at)
    return at


def _buttons(at) -> dict:
    return {b.key: b for b in at.button if b.key}


def test_train_n_epochs_with_the_defaults_learns_the_default_data():
    at = new_app()
    lab = lab_of(at)
    assert lab.config == LabConfig() and lab.dataset.name == "XOR"
    assert at.number_input(key="ctl_n_epochs").value == TRAIN_EPOCHS
    before = lab.accuracy()[0]
    _click(at, "ctl_train")
    lab = lab_of(at)
    train, test = lab.accuracy()
    assert lab.epoch_float == pytest.approx(TRAIN_EPOCHS)
    assert train >= 0.95 > before, (before, train)
    assert test >= 0.9
    # the page says so, in the toast that reports the training
    message = next(t.value for t in at.toast if f"Trained {TRAIN_EPOCHS} epochs" in t.value)
    assert f"{100 * train:.3g} % classified right (training)" in message, message
    # and the loss went down on the curve the chart draws
    assert lab.curve[-1][1] < 0.5 * lab.curve[0][1]


@pytest.mark.parametrize("seed", range(1, 6))
def test_the_default_network_learns_for_other_seeds_too(seed):
    """Not one lucky seed: "New weights" (another seed) also learns, given a few more epochs."""
    lab = build_lab(LabConfig(seed=seed))
    lab.train_epochs(3 * TRAIN_EPOCHS)
    assert lab.accuracy()[0] >= 0.95


def test_the_worked_example_is_one_click_away_and_named_as_such():
    at = new_app()
    button = _buttons(at)["start_worked_example"]
    assert "worked example" in button.label.lower()
    assert PRESETS[WORKED_EXAMPLE].label.lower().startswith("worked example")
    _click(at, "start_worked_example")
    lab = lab_of(at)
    assert lab.config == PRESETS[WORKED_EXAMPLE].config
    assert lab.display.notation == PRESETS[WORKED_EXAMPLE].notation
    assert lab.net.layer_sizes == (2, 2, 2)
    assert "start_worked_example" not in _buttons(at)  # the band belongs to the first page's own network


def test_the_band_can_be_closed_and_stays_out_of_presentation_and_lessons():
    at = new_app()
    _click(at, "start_close")
    assert "start_worked_example" not in _buttons(at)
    at.run()
    assert "start_worked_example" not in _buttons(at)  # closed for the session
    assert "start_worked_example" not in _buttons(new_app({"present": "1"}))
    assert "start_worked_example" not in _buttons(new_app({"lesson": "xor-hidden-layer"}))
    assert "start_worked_example" in _buttons(new_app({"nt": "seed002"}))  # display keys keep the first page


def test_links_without_a_configuration_key_open_the_first_page():
    config, ignored = from_query({"nt": "neutral", "k": "3"})
    assert config == LabConfig() and not ignored


def test_old_links_keep_their_network_and_data():
    """An absent parameter means what it meant when the link was written (LINK_BASE)."""
    config, ignored = from_query({"data": "xor"})
    assert not ignored and config == LINK_BASE
    assert config.hidden == (2,) and config.hidden_activation == ("sigmoid",)
    assert (config.init, config.noise, config.margin) == ("uniform", 0.1, 0.0)
    old = build_lab(config)
    again = build_lab(LINK_BASE)
    np.testing.assert_array_equal(old.dataset.X_train, again.dataset.X_train)
    # the margin moves the points only when a link asks for it (gap=…)
    clean = from_query({"data": "xor", "noise": "0.0", "gap": "0.1"})[0]
    assert np.min(np.abs(build_lab(clean).dataset.X_train)) >= 0.1
    assert np.min(np.abs(build_lab(clean.with_(margin=0.0)).dataset.X_train)) < 0.1


@pytest.mark.parametrize("config", [LabConfig(), LINK_BASE, LabConfig(hidden=(2,)), PRESETS["mazur"].config])
def test_every_configuration_round_trips_through_its_link(config):
    q = to_query(config)
    assert "h" in q  # a link always names its architecture, so it never reads as the first page
    assert from_query(q) == (config, [])
