"""A worked example's inputs and targets are editable along with its weights: the engine steps the edited
samples, a link carries them bit-exactly (``xy``), and bad values are refused by name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app_support import lab_of, new_app, step_payload
from components.model.lab import build_lab
from components.model.lab_inputs import MAX_ABS_SAMPLE, LabError
from components.model.links import decode_samples, encode_samples, query_for, restore_from_query
from components.model.presets import PRESETS
from engine import Network

MAZUR = PRESETS["mazur"]
X_NEW = np.array([[0.3, -0.7]])
Y_NEW = np.array([[0.2, 0.6]])


def test_the_edited_samples_are_what_the_engine_steps():
    lab = build_lab(MAZUR.config, samples=(X_NEW, Y_NEW))
    np.testing.assert_array_equal(lab.dataset.X_train, X_NEW)
    np.testing.assert_array_equal(lab.dataset.Y_train, Y_NEW)
    assert lab.dataset.name.endswith("(edited samples)")
    # the same weights on the same sample, computed directly: the trace's loss and gradients match exactly
    net = Network([2, 2, 2], ["sigmoid", "sigmoid"], "half_sse")
    net.set_parameters([np.array(w) for w in MAZUR.weights], [np.array(b) for b in MAZUR.biases])
    tr = lab.trace
    ref = net.trace(X_NEW, Y_NEW, 0.5, update_biases=False)
    assert tr.loss == ref.loss
    for a, b in zip(tr.grad_weights, ref.grad_weights):
        np.testing.assert_array_equal(a, b)
    lab.train_updates(1)
    assert lab.stepper.update == 1


def test_other_presets_and_the_preset_samples_are_untouched():
    plain = build_lab(MAZUR.config)
    np.testing.assert_array_equal(plain.dataset.X_train, np.array(MAZUR.X))
    assert plain.samples is None
    same = build_lab(MAZUR.config, samples=MAZUR.data())  # "edited" to the preset's own: nothing edited
    assert same.samples is None and "xy" not in query_for(same) and not same.dataset.name.endswith("samples)")
    xor = PRESETS["seed001"]
    X, Y = np.array(xor.X), np.array(xor.Y)
    lab = build_lab(xor.config, samples=(X[::-1], Y[::-1]))  # four samples, in another order
    np.testing.assert_array_equal(lab.dataset.X_train, X[::-1])


@pytest.mark.parametrize(
    ("samples", "words"),
    [
        ((np.zeros((2, 2)), np.zeros((2, 2))), "1 sample(s) of 2 input(s) and 2 target(s)"),
        ((np.zeros((1, 3)), np.zeros((1, 2))), "1 sample(s)"),
        ((np.array([[np.nan, 0.0]]), Y_NEW), "every input must be a finite number"),
        ((X_NEW, np.array([[np.inf, 0.0]])), "every target must be a finite number"),
        ((np.array([[2 * MAX_ABS_SAMPLE, 0.0]]), Y_NEW), "beyond the limit"),
        (([["a", "b"]], Y_NEW), "must be a number"),
    ],
)
def test_bad_samples_are_refused_by_name(samples, words):
    with pytest.raises(LabError, match=words.replace("(", r"\(").replace(")", r"\)")):
        build_lab(MAZUR.config, samples=samples)


def test_cross_entropy_targets_must_lie_between_0_and_1():
    config = MAZUR.config.with_(loss="cross_entropy")
    with pytest.raises(LabError, match="from 0 to 1"):
        build_lab(config, samples=(X_NEW, np.array([[1.5, 0.0]])))
    build_lab(config, samples=(X_NEW, Y_NEW))


def test_only_a_worked_example_has_editable_samples():
    with pytest.raises(LabError, match="worked example"):
        build_lab(PRESETS["xor"].config, samples=(X_NEW, Y_NEW))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=4, max_size=4))
def test_samples_round_trip_through_a_link_bit_exactly(values):
    X, Y = np.array([values[:2]]), np.array([values[2:]])
    X2, Y2 = decode_samples(encode_samples(X, Y), (1, 2), (1, 2))
    assert X2.tobytes() == X.tobytes() and Y2.tobytes() == Y.tobytes()


def test_a_link_reopens_the_edited_example_at_the_same_step():
    lab = build_lab(MAZUR.config, samples=(X_NEW, Y_NEW))
    lab.train_updates(1)
    lab.seek(5)
    q = query_for(lab)
    assert "xy" in q
    again, ignored = restore_from_query(q)
    assert not ignored
    np.testing.assert_array_equal(again.dataset.X_train, X_NEW)
    assert again.stepper.update == 1 and again.stepper.cursor == 5
    for a, b in zip(again.net.weights, lab.net.weights):
        np.testing.assert_array_equal(a, b)
    assert again.trace.loss == lab.trace.loss


@pytest.mark.parametrize(
    ("xy", "extra", "words"),
    [
        ("AAAA", {}, "damaged"),
        (encode_samples(np.zeros((2, 2)), np.zeros((2, 2))), {}, "do not fit"),
        (encode_samples(np.array([[np.nan, 0]]), Y_NEW), {}, "do not fit"),
        (encode_samples(X_NEW, Y_NEW), {"data": "xor", "preset": ""}, "data=preset"),
        (encode_samples(np.array([[1e300, 0]]), Y_NEW), {}, "beyond the limit"),
    ],
)
def test_tampered_samples_in_a_link_are_ignored_by_name(xy, extra, words):
    q = {"h": "2", "preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0", "xy": xy} | extra
    lab, ignored = restore_from_query(q)
    assert any(n.startswith("xy") and words in n for n in ignored), ignored
    assert lab.samples is None


def test_the_page_opens_an_edited_example_from_its_link():
    lab = build_lab(MAZUR.config, samples=(X_NEW, Y_NEW))
    at = new_app(query_for(lab) | {"nt": "neutral"})
    shown = lab_of(at)
    np.testing.assert_array_equal(shown.dataset.X_train, X_NEW)
    assert "xy" in dict(at.query_params) or shown.samples is not None
    # the step view's first forward event substitutes the edited input, as the engine computed it
    shown.seek(0)
    assert shown.trace.loss == lab.trace.loss
    assert step_payload(at)["n_events"] == lab.stepper.n_events
