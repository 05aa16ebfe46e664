"""The lab's logic without Streamlit: configuration, URL form, presets, stepping, training, divergence."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.model.config import LabConfig, from_query, to_query, validate
from components.model.display import Display, display_from_query, display_query
from components.model.lab import LabError, build_lab
from components.model.links import decode_params, encode_params, query_for, restore_from_query
from components.model.presets import PRESETS


def test_default_config_is_valid_and_builds():
    assert validate(LabConfig()) == []
    lab = build_lab(LabConfig())
    assert lab.net.layer_sizes == (2, 4, 1)
    assert lab.curve and np.isfinite(lab.curve[0][1])


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_and_steps(name):
    lab = build_lab(PRESETS[name].config)
    lab.step("update")
    assert lab.problem is None
    assert lab.stepper.cursor == lab.stepper.n_events - 1


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_is_named_by_its_content_with_where_its_notation_comes_from(name):
    """The menu shows what a preset is (short enough for the sidebar's menu), never an internal file
    name; one line says where its notation comes from."""
    p = PRESETS[name]
    for text in (p.label, p.description, p.source):
        assert "seed" not in text.lower() and ".txt" not in text, text
    assert 0 < len(p.label) <= 40, p.label
    assert p.description.strip() and p.source.strip() and "\n" not in p.source
    assert len({q.label for q in PRESETS.values()}) == len(PRESETS)  # told apart by name alone


def test_mazur_preset_has_textbook_numbers():
    lab = build_lab(PRESETS["mazur"].config)
    np.testing.assert_allclose(lab.trace.A[-1], [[0.75136507, 0.772928465]], rtol=1e-8)
    assert lab.trace.loss == pytest.approx(0.298371109, rel=1e-8)
    lab.step("update")
    np.testing.assert_allclose(lab.net.weights[1], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], rtol=1e-8)
    np.testing.assert_array_equal(lab.net.biases[0], [0.35, 0.35])  # frozen


def test_seed000_preset_has_no_biases_and_three_weight_layers():
    lab = build_lab(PRESETS["seed000"].config)
    assert lab.net.n_layers == 3 and not lab.net.bias and lab.net.layer_sizes[-1] == 1


def test_query_round_trip():
    c = LabConfig(
        hidden=(4, 3),
        hidden_activation=("tanh", "relu"),
        output_activation="sigmoid",
        loss="cross_entropy",
        bias="frozen",
        lr=0.125,
        batch_size=7,
        init="he",
        seed=5,
        dataset="moons",
        n_samples=150,
        noise=0.3,
        test_fraction=0.25,
        data_seed=9,
        shuffle=True,
    )
    d = Display(notation="seed002", color_by="gradient", granularity="layer", digits=9)
    q = to_query(c) | display_query(d)
    (back, ignored), (back_d, ignored_d) = from_query(q), display_from_query(q)
    assert ignored == ignored_d == [] and back == c and back_d == d


@pytest.mark.parametrize(
    "params, name",
    [
        ({"h": "4-x"}, "h"),
        ({"lr": "nan"}, "lr"),
        ({"lr": "-1"}, "lr"),
        ({"loss": "mse"}, "loss"),
        ({"out": "softplus"}, "out"),
        ({"bs": "-3"}, "bs"),
        ({"h": "0"}, "h"),
        ({"h": "1000"}, "h"),
        ({"n": "99999999"}, "n"),
        ({"shuf": "yes"}, "shuf"),
        ({"nt": "<script>"}, "nt"),
        ({"g": "epoch"}, "g"),
        ({"dg": "5"}, "dg"),
        ({"dg": "9.0"}, "dg"),
    ],
)
def test_tampered_query_parameters_fall_back_with_a_note(params, name):
    (c, ignored), (_, ignored_d) = from_query(params), display_from_query(params)
    ignored += ignored_d
    assert validate(c) == []
    assert any(note.startswith(name + "=") for note in ignored)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "h",
                "act",
                "out",
                "loss",
                "bias",
                "lr",
                "bs",
                "init",
                "seed",
                "data",
                "n",
                "noise",
                "test",
                "dseed",
                "shuf",
                "nt",
                "col",
                "g",
                "preset",
                "u",
                "k",
                "w",
                "zzz",
            ]
        ),
        st.text(max_size=30),
        max_size=6,
    )
)
def test_any_query_gives_a_valid_lab(params):
    lab, ignored = restore_from_query(params)
    assert validate(lab.config) == []
    assert isinstance(ignored, list)


def test_params_encoding_is_exact():
    lab = build_lab(LabConfig(hidden=(3, 2), hidden_activation=("tanh", "sigmoid")))
    W, b = lab.net.parameters()
    W2, b2 = decode_params(encode_params(W, b), lab.net.layer_sizes)
    for x, y in zip(W + b, W2 + b2):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError):
        decode_params(encode_params(W, b), (2, 5, 1))
    with pytest.raises(ValueError):
        decode_params("!!notbase64", lab.net.layer_sizes)


def test_link_restores_same_step_and_numbers():
    lab = build_lab(PRESETS["xor"].config)
    lab.train_epochs(3)
    for _ in range(7):
        lab.step("event")
    q = query_for(lab)
    again, ignored = restore_from_query(q)
    assert ignored == []
    assert again.stepper.update == lab.stepper.update and again.stepper.cursor == lab.stepper.cursor
    e1, e2 = lab.stepper.event, again.stepper.event
    assert (e1.kind, e1.layer, e1.i, e1.value) == (e2.kind, e2.layer, e2.i, e2.value)
    for x, y in zip(lab.net.weights, again.net.weights):
        np.testing.assert_array_equal(x, y)


def test_divergence_pauses_and_undo_restores_finite_weights():
    lab = build_lab(
        LabConfig(
            hidden=(4,), hidden_activation=("tanh",), output_activation="linear", lr=1e2, batch_size=0, dataset="xor"
        )
    )
    lab.playing = True
    for _ in range(200):
        lab.train_epochs(1)
        if lab.problem:
            break
    assert lab.problem and not lab.playing
    lab.undo_problem()
    assert lab.problem is None
    assert all(np.all(np.isfinite(w)) for w in lab.net.weights)


def test_sigmoid_saturation_is_reported():
    lab = build_lab(LabConfig(hidden=(4,), lr=100.0, batch_size=0, dataset="xor"))
    for _ in range(50):
        lab.train_epochs(5)
        if lab.problem:
            break
    assert lab.problem and ("saturated" in lab.problem or "diverged" in lab.problem)


def test_invalid_config_is_refused_with_message():
    with pytest.raises(LabError, match="learning rate"):
        build_lab(LabConfig(lr=-1.0))
    with pytest.raises(LabError, match="cross_entropy"):
        build_lab(LabConfig(loss="cross_entropy", output_activation="linear"))
    with pytest.raises(LabError, match="CSV"):
        build_lab(LabConfig(dataset="csv"))


def test_step_back_restores_and_curves_are_bounded():
    lab = build_lab(LabConfig(batch_size=1))
    before = [w.copy() for w in lab.net.weights]
    for _ in range(30):
        lab.step("event")
    for _ in range(30):
        lab.step("event", forward=False)
    for x, y in zip(before, lab.net.weights):
        np.testing.assert_array_equal(x, y)
    lab.train_updates(5000)
    assert len(lab.curve) <= 2000 and len(lab.grad_norms) <= 2000


def test_reset_returns_to_start():
    lab = build_lab(LabConfig())
    start = [w.copy() for w in lab.net.weights]
    lab.train_epochs(2)
    lab.reset()
    assert lab.stepper.update == 0
    for x, y in zip(start, lab.net.weights):
        np.testing.assert_array_equal(x, y)


def test_next_update_preview_and_entering_it_agree_with_stepping_across():
    """The next update sent ahead is the one → past the end makes; entering it records and checks like a step."""
    a = build_lab(LabConfig(batch_size=1))
    b = build_lab(LabConfig(batch_size=1))
    for lab in (a, b):
        lab.seek(lab.stepper.n_events - 1)
    net, tr = a.next_update_preview()
    a.enter_next_update()
    b.step("event")
    b.seek(-1)
    assert a.stepper.update == b.stepper.update == 1 and a.stepper.cursor == -1
    assert [e.value for e in tr.events] == [e.value for e in a.trace.events] == [e.value for e in b.trace.events]
    assert all(np.array_equal(x, y) for x, y in zip(net.weights, a.net.weights))
    assert a.curve == b.curve and a.last_finite[0] == b.last_finite[0] == 0
    assert a.stepper.has_previous()


def test_no_next_update_preview_when_the_step_there_is_not_clean():
    lab = build_lab(LabConfig(hidden=(4,), lr=100.0, batch_size=0, dataset="xor", output_activation="linear"))
    for _ in range(400):  # until an update's last events go non-finite or the next update would diverge
        if lab.first_bad_event() is not None or lab.next_update_preview() is None:
            break
        lab.enter_next_update()
    assert lab.next_update_preview() is None
    lab2 = build_lab(LabConfig())
    lab2.problem = "diverged"
    assert lab2.next_update_preview() is None


def test_undo_after_a_long_training_run_diverges_returns_to_its_last_finite_epoch():
    """One "Train N epochs" run that diverges late: undo goes back to the end of the last epoch whose loss
    and parameters were finite, not to where the run started."""
    config = LabConfig(hidden=(4,), hidden_activation=("tanh",), output_activation="linear", lr=1e2, batch_size=0)
    lab = build_lab(config)
    lab.train_epochs(200)
    assert lab.problem
    finite = [p for p in lab.curve if np.isfinite(p[1])]
    lab.undo_problem()
    assert lab.problem is None and lab.stepper.update > 1  # not back to the run's start
    assert lab.stepper.update == round(finite[-1][0]) * lab.stepper.updates_per_epoch
    assert all(np.all(np.isfinite(w)) for w in lab.net.weights)
    ref = build_lab(config)  # the same epochs replayed: exactly those parameters
    ref.train_epochs(lab.stepper.update // lab.stepper.updates_per_epoch)
    assert all(np.array_equal(a, b) for a, b in zip(ref.net.weights, lab.net.weights))


def test_the_colour_scale_travels_in_the_link_and_reads_back_exactly():
    from components.model.colour_scale import fit_scale

    lab = build_lab(PRESETS["xor"].config)
    lab.train_epochs(3)
    lab.scale = fit_scale([np.array([3.1e-5])])  # e.g. fitted to gradients, then kept while stepping
    for _ in range(5):
        lab.step("event")
    again, ignored = restore_from_query(query_for(lab))
    assert ignored == [] and again.scale == lab.scale == 4e-5
    for s in (0.0015, 2.0, 8e7, 1.5e-12):  # every value fit_scale makes reads back from its short form
        assert float(f"{fit_scale([np.array([s * 0.99])]):.6g}") == fit_scale([np.array([s * 0.99])])
    for bad in ("0", "-1", "nan", "inf", "x", "1e999"):
        back, ignored = restore_from_query({"sc": bad})
        assert any(note.startswith("sc=") for note in ignored) and np.isfinite(back.scale) and back.scale > 0


def test_undo_refits_the_colour_scale_to_the_finite_state():
    config = LabConfig(hidden=(4,), hidden_activation=("tanh",), output_activation="linear", lr=1e2, batch_size=0)
    lab = build_lab(config)
    lab.train_epochs(200)
    lab.scale = 1e300  # as a diverged run leaves it
    lab.undo_problem()
    from components.model.colour_scale import edge_values, fit_scale

    fitted = fit_scale(edge_values(lab.net, lab.trace, lab.stepper.cursor, "weight")[0])
    assert lab.scale == fitted and np.isfinite(fitted) and fitted < 1e300


def test_accuracy_counts_the_samples_classified_right_and_is_none_for_regression():
    lab = build_lab(PRESETS["xor"].config)
    lab.train_epochs(5)
    d = lab.dataset
    train, test = lab.accuracy()
    out = lab.net.forward(d.X_train)
    assert train == np.mean((out[:, 0] > 0.5) == (d.Y_train[:, 0] > 0.5))
    assert (test is None) == (d.n_test == 0)
    assert build_lab(LabConfig(dataset="sine", output_activation="linear")).accuracy() is None
