"""Bad input through the real app (AppTest): whatever a student types into the URL or a widget, no
exception escapes, a refusal shows a message, and the lab in place stays valid (a refused input leaves
it exactly as it was).

pytest's configuration turns RuntimeWarning into an error; AppTest runs the script in a thread where
the same filter applies, so a numpy warning leaking anywhere on the page shows up as an exception.
"""

from __future__ import annotations

import base64
import zlib

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app_support import assert_no_exception, lab_of, new_app, press
from components.model.config import CONFIG_KEYS, from_query
from components.model.display import DISPLAY_KEYS
from components.model.lab import MAX_ABS_WEIGHT
from components.model.links import encode_params
from engine import Network
from fuzz_support import FUZZ, SCALE, assert_valid, fingerprint, texts, unescape, widget

# ------------------------------------------------------------------ query parameters
KNOWN = sorted(CONFIG_KEYS) + list(DISPLAY_KEYS) + ["u", "k", "w"]
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "1e-320", "-0", "0", "0x10", "1_000", "", " 1", "١", "1e6"]),
)
NAMES = st.sampled_from(
    [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "linear",
        "softmax",
        "half_sse",
        "half_mse",
        "cross_entropy",
        "xor",
        "circles",
        "sine",
        "xor_table",
        "preset",
        "csv",
        "mazur",
        "seed000",
        "seed001",
        "on",
        "off",
        "frozen",
        "he",
        "xavier",
        "seed002",
        "gradient",
        "delta_w",
        "layer",
        "update",
        "1",
        "0",
        "<script>alert(1)</script>",
        "[click](https://e.example)",
        "![x](http://127.0.0.1:9/t.png)",
        "$\\alpha$",
    ]
)
LAYERS = st.lists(st.integers(-3, 100), max_size=12).map(lambda xs: "-".join(map(str, xs)))
BLOBS = st.binary(max_size=40).map(lambda b: base64.urlsafe_b64encode(zlib.compress(b)).decode().rstrip("="))
VALUES = st.one_of(st.text(max_size=40), NUMBERS, NAMES, LAYERS, BLOBS)
UPDATES = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["-1", "abc", "1e9", "1000001", "2.5"]))


@st.composite
def query_params(draw) -> dict[str, str]:
    params = draw(st.dictionaries(st.sampled_from(KNOWN + ["zzz", "h2", "<b>"]), VALUES, max_size=6))
    if "u" in params:  # a replay costs real training: keep the counts small here (the cap is tested below)
        params["u"] = draw(UPDATES)
    return params


def _huge_w() -> str:
    net = Network([2, 2, 1])
    return encode_params([w * 0 + 1e300 for w in net.weights], net.biases)


def _saturating_w() -> str:
    net = Network([2, 2, 1])
    return encode_params([w * 0 + 500.0 for w in net.weights], net.biases)


@settings(max_examples=25 * SCALE, **FUZZ)
@given(query_params())
@example({"lr": "1e6"})
@example({"lr": "nan", "h": "0", "bs": "-3", "n": "99999999", "zzz": "1"})
@example({"h": "64-64-64-64-64-64-64-64-64"})
@example({"w": _huge_w()})
@example({"data": "csv"})
@example({"out": "softmax"})
@example({"nt": "[click](https://e.example)", "k": "999999"})
def test_any_query_string_gives_a_working_page_and_names_what_it_ignored(params):
    at = new_app(params)
    lab = lab_of(at)
    assert_valid(lab)
    _, notes = from_query(params)
    unknown = [k for k in params if k not in KNOWN]
    warnings = [unescape(w) for w in texts(at.warning)]
    if notes or unknown:
        assert any("link parameters were ignored" in w for w in warnings), (params, notes, warnings)
        shown = " ".join(warnings)
        for note in notes:
            assert note.split("=")[0] in shown, (note, shown)
    assert press(at, "next") or lab.problem  # and the page keeps working
    assert_valid(lab_of(at))


def test_huge_learning_rate_in_a_link_is_refused_by_name():
    at = new_app({"lr": "1e6", "data": "xor_table"})
    assert lab_of(at).config.lr == 0.5
    assert any("lr=" in unescape(w) and "learning rate" in w for w in texts(at.warning))


def test_linked_weights_beyond_the_limit_or_saturating_are_reported():
    at = new_app({"h": "2", "w": _huge_w()})  # (links always name the architecture)
    assert any("beyond" in unescape(w) for w in texts(at.warning))
    assert all(np.all(np.abs(w) < MAX_ABS_WEIGHT) for w in lab_of(at).net.weights)
    at = new_app({"h": "2", "w": _saturating_w()})  # finite, in range, but every sigmoid saturates: say so at once
    assert lab_of(at).problem and any("saturated" in e for e in texts(at.error))


def test_a_link_cannot_ask_for_unbounded_replay(monkeypatch):
    from components.model import links

    assert links.replay_limit(links.build_lab(links.LabConfig())) <= links.MAX_REPLAY_UPDATES
    monkeypatch.setattr(links, "MAX_REPLAY_WORK", 3e7)  # the real budget is a few seconds of work
    lab, notes = links.restore_from_query({"h": "64-64", "n": "400", "bs": "0", "u": "900000"})
    assert lab.stepper.update == links.replay_limit(lab) < 100
    assert any(n.startswith("u=900000") for n in notes)


# ------------------------------------------------------------------ widgets
# (kind, key, values): in-range and out-of-range; Streamlit itself replaces a number outside a
# widget's [min, max] (only a forged websocket message can send one) by the widget's default.
BIG = st.sampled_from([10**9, -(10**9), 2**63 - 1])
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -1.0, 1e6, 1e-9, 100.0]))
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(), st.text(max_size=8))
REPORTS = st.one_of(  # what a tampered or stale browser could send as the step view's report
    st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner)),
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["cursor", "next_update", "prev_update", "window", "select", "jump"]),
            "key": st.sampled_from(["u0-0", "u0-1", "", "x"]),
            "seq": st.integers(-2, 5),
            "cursor": st.one_of(st.integers(-5, 80), BIG, st.floats()),
            "node": st.lists(st.integers(-2, 70), max_size=3),
            "n": st.integers(0, 10**9),
        }
    ),
)
WIDGET_ACTIONS = [
    ("number_input", "cfg_n_hidden", st.one_of(st.integers(-2, 10), BIG)),
    ("number_input", "cfg_units_0", st.one_of(st.integers(-2, 70), BIG)),
    ("number_input", "cfg_lr", FLOATS),
    ("number_input", "cfg_batch_size", st.one_of(st.integers(-2, 300), BIG)),
    ("number_input", "cfg_seed", st.one_of(st.integers(-2, 5), BIG)),
    ("number_input", "ctl_n_epochs", st.one_of(st.integers(-2, 8), BIG)),
    ("selectbox", "cfg_output_activation", st.sampled_from(["sigmoid", "tanh", "relu", "linear", "softmax"])),
    ("selectbox", "cfg_loss", st.sampled_from(["half_sse", "half_mse", "cross_entropy"])),
    ("selectbox", "cfg_act_0", st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "linear"])),
    ("selectbox", "cfg_dataset", st.sampled_from(["xor", "circles", "sine", "xor_table", "preset", "csv"])),
    ("selectbox", "cfg_init", st.sampled_from(["uniform", "xavier", "he"])),
    ("selectbox", "ctl_play_mode", st.sampled_from(["epochs", "steps"])),
    ("selectbox", "hdr_notation", st.sampled_from(["neutral", "seed000", "seed001", "seed002", "seed003"])),
    ("radio", "cfg_bias", st.sampled_from(["on", "frozen", "off"])),
    ("slider", "cfg_n_samples", st.one_of(st.integers(-5, 300), BIG)),
    ("slider", "cfg_noise", FLOATS),
    ("slider", "ctl_scrub", st.one_of(st.integers(-5, 60), BIG)),
    ("checkbox", "cfg_shuffle", st.booleans()),
    ("button", "ctl_next", st.just(None)),  # (drawn while playing; the step view steps otherwise)
    ("button", "ctl_back", st.just(None)),
    ("press", "step_view", st.sampled_from(["next", "back"])),
    ("report", "step_view", REPORTS),
    ("button", "ctl_finish", st.just(None)),
    ("button", "ctl_train", st.just(None)),
    ("button", "ctl_play", st.just(None)),
    ("button_group", "ctl_jump", st.sampled_from(["forward", "backward", "update"])),
    ("button", "prob_undo", st.just(None)),
    ("button", "prob_dismiss", st.just(None)),
    ("button", "graph_fit_scale", st.just(None)),
    ("button", "tool_gradcheck", st.just(None)),
]
CONFIG_KEYS = {k for _, k, _ in WIDGET_ACTIONS if k.startswith("cfg_")}


@st.composite
def widget_actions(draw):
    n = draw(st.integers(1, 6))
    out = []
    for _ in range(n):
        kind, key, values = draw(st.sampled_from(WIDGET_ACTIONS))
        out.append((kind, key, draw(values)))
    return out


def _in_range(w, value) -> bool:
    """Whether Streamlit passes this value on to the app (else it substitutes the default)."""
    proto = w.proto
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
        return False
    lo, hi = (proto.min, proto.max) if hasattr(proto, "min") else (-np.inf, np.inf)
    return lo <= value <= hi


@settings(max_examples=14 * SCALE, **FUZZ)
@given(widget_actions())
@example([("number_input", "cfg_lr", float("nan")), ("number_input", "cfg_lr", -1.0)])
@example([("selectbox", "cfg_output_activation", "linear"), ("selectbox", "cfg_loss", "cross_entropy")])
@example([("selectbox", "cfg_output_activation", "softmax")])
@example([("number_input", "cfg_batch_size", 10**9), ("button", "ctl_next", None)])
@example([("selectbox", "cfg_dataset", "csv"), ("number_input", "cfg_units_0", 5)])
@example([("button", "ctl_play", None), ("selectbox", "cfg_output_activation", "softmax")])
def test_any_widget_values_keep_the_lab_valid_and_refusals_say_so(actions):
    at = new_app()
    for kind, key, value in actions:
        if kind in ("press", "report"):  # the step view: a press as its browser code makes it, or any report
            if kind == "press":
                press(at, value)
            else:
                at.session_state["step_view"] = {"report": value}
                at.run()
            assert_no_exception(at)
            assert_valid(lab_of(at))
            continue
        w = widget(at, kind, key)
        if w is None or getattr(w.proto, "disabled", False):
            continue
        before, was_playing = fingerprint(lab_of(at)), lab_of(at).playing
        if kind == "button":
            w.click().run()
        else:
            w.set_value(value).run()
        assert_no_exception(at)
        lab = lab_of(at)
        assert_valid(lab)
        if key in CONFIG_KEYS and kind != "checkbox" and (kind in ("selectbox", "radio") or _in_range(w, value)):
            taken = at.session_state[key] == value
            refused = any("not applied" in e.lower() or "not changed" in e.lower() for e in texts(at.error))
            # "CSV upload" with no file yet: nothing to apply, and the uploader says what to do
            refused = refused or (value == "csv" and any("Upload a CSV file" in i for i in texts(at.info)))
            assert taken or refused, (key, value, at.session_state[key])
            if refused:
                after = fingerprint(lab)
                if was_playing and lab.playing:  # play goes on training through the rerun: only the setup must hold
                    after, before = (after[0], after[3]), (before[0], before[3])
                assert after == before, "a refused setting changed the lab"
