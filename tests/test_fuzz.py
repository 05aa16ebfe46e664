"""Bad input everywhere, through the real app (AppTest): whatever a student types into the URL,
a widget, an uploaded CSV or JSON file or the weight editor, no exception escapes, a refusal
shows a message, and the lab in place stays valid (a refused input leaves it exactly as it was).
Divergence (η = 10⁶ on XOR) is caught at the first event that goes non-finite or saturates,
pauses play, says so, and undo returns to exactly the last finite state.

pytest.ini turns RuntimeWarning into an error; AppTest runs the script in a thread where the
same filter applies, so a numpy warning leaking anywhere on the page shows up as an exception.
"""

from __future__ import annotations

import base64
import json
import os
import re
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app_support import TIMEOUT, assert_no_exception, lab_of, new_app
from components.model.config import CONFIG_KEYS, from_query, validate
from components.model.display import DISPLAY_KEYS
from components.model.lab import MAX_ABS_WEIGHT, SIGMOID_SATURATION
from components.model.links import encode_params
from components.views.step_text import formula_lines
from engine import Network, Stepper
from engine.csv_loader import MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))  # e.g. FUZZ_SCALE=10 for a longer hunt
FUZZ = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


# ------------------------------------------------------------------ helpers
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
    assert click(at, "ctl_next") or lab.problem  # and the page keeps working
    assert_valid(lab_of(at))


def test_huge_learning_rate_in_a_link_is_refused_by_name():
    at = new_app({"lr": "1e6", "data": "xor_table"})
    assert lab_of(at).config.lr == 0.5
    assert any("lr=" in unescape(w) and "learning rate" in w for w in texts(at.warning))


def test_linked_weights_beyond_the_limit_or_saturating_are_reported():
    at = new_app({"w": _huge_w()})
    assert any("beyond" in unescape(w) for w in texts(at.warning))
    assert all(np.all(np.abs(w) < MAX_ABS_WEIGHT) for w in lab_of(at).net.weights)
    at = new_app({"w": _saturating_w()})  # finite, in range, but every sigmoid saturates: say so at once
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
    ("button", "ctl_next", st.just(None)),
    ("button", "ctl_back", st.just(None)),
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
            assert taken or refused, (key, value, at.session_state[key])
            if refused:
                after = fingerprint(lab)
                if was_playing and lab.playing:  # play goes on training through the rerun: only the setup must hold
                    after, before = (after[0], after[3]), (before[0], before[3])
                assert after == before, "a refused setting changed the lab"


# ------------------------------------------------------------------ CSV uploads
@pytest.fixture(scope="module")
def csv_app():
    at = new_app()
    at.selectbox(key="cfg_dataset").select("csv").run()  # refused until a file comes; the uploader shows
    assert widget(at, "file_uploader", "cfg_csv") is not None
    return at


def upload_csv(at, data: bytes, name: str = "data.csv") -> tuple[tuple, bool]:
    before = fingerprint(lab_of(at))
    at.file_uploader(key="cfg_csv").set_value((name, data, "text/csv")).run()
    assert_no_exception(at)
    lab = lab_of(at)
    assert_valid(lab)
    loaded = any(s.startswith("Loaded ") for s in texts(at.success))
    refused = any(e.startswith("CSV ") for e in texts(at.error))
    assert loaded != refused, (texts(at.success), texts(at.error))
    if refused:
        assert fingerprint(lab) == before, "a refused CSV changed the lab"
    else:
        assert lab.config.dataset == "csv" and lab.csv is lab.dataset
    return before, loaded


CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**9), 10**9).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "abc",
            "1,5",
            "nan",
            "inf",
            "-Infinity",
            "1e999",
            "0x1F",
            "١٢",
            '"1"',
            "1e6",
            "1000001",
            "—",
            "0",
            "1",
        ]
    ),
    st.text(max_size=6),
)


@st.composite
def csv_bytes(draw) -> bytes:
    shape = draw(st.sampled_from(["numeric", "messy", "binary"]))
    if shape == "binary":
        return draw(st.binary(max_size=300))
    delim = draw(st.sampled_from([",", ";", "\t"]))
    if shape == "numeric":  # mostly loadable: a fixed width of finite numbers, 0/1 targets or not
        width = draw(st.integers(1, 5))
        cell = st.one_of(st.floats(-1e3, 1e3).map(lambda x: f"{x:.6g}"), st.sampled_from(["0", "1"]))
        rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=0, max_size=12))
    else:
        rows = draw(st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=12))
    lines = [delim.join(r) for r in rows]
    if draw(st.booleans()):
        lines.insert(0, delim.join(f"c{j}" for j in range(len(rows[0]) if rows else 2)))
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])), errors="replace")


@settings(max_examples=30 * SCALE, **FUZZ)
@given(csv_bytes())
@example(b"")
@example(b"\x89PNG\r\n\x1a\n\x00\x00")
@example("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n".encode("utf-16"))
@example(b"x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
@example(b"x,y\n1,2\n3\n")
@example(b"1,nan\n2,3\n")
@example(b"1,2\n1e7,3\n")
def test_any_csv_upload_is_loaded_or_refused_with_a_message(csv_app, data):
    upload_csv(csv_app, data)


BAD_CSV = [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"\xff\xfe1,2\n", "UTF-8"),
    (b"a,b,y\n", "only a header"),
    (b"1,2,3\n", "at least 2"),
    (b"1,2\n3,4,5\n", "Ragged"),
    (b"1,2\n3,inf\n", "not a finite"),
    (b"1,2\n3,1e12\n", "too large"),
    ((",".join(["1"] * (MAX_COLUMNS + 1)) + "\n") * 3, "Too many columns"),
    (b"1,0\n" * (MAX_ROWS + 2), "more than"),
    (b"1" * (MAX_CSV_BYTES + 1), "too large"),
]


@pytest.mark.parametrize("data, message", BAD_CSV, ids=[m for _, m in BAD_CSV])
def test_bad_csv_files_are_refused_with_their_reason(csv_app, data, message):
    data = data.encode() if isinstance(data, str) else data
    before, loaded = upload_csv(csv_app, data)
    assert not loaded
    assert any(message in e for e in texts(csv_app.error)), texts(csv_app.error)


def test_a_good_csv_then_a_bad_one_keeps_the_good_one(csv_app):
    upload_csv(csv_app, b"a,b,c,y\n0,0,1,0\n0,1,0,1\n1,0,0,1\n1,1,1,0\n", "four.csv")
    lab = lab_of(csv_app)
    assert lab.net.layer_sizes[0] == 3 and lab.dataset.n_train == 4
    before, loaded = upload_csv(csv_app, b"a,b\nx,1\n", "bad.csv")
    assert not loaded and lab_of(csv_app).dataset.name == "four.csv"
    assert click(csv_app, "ctl_next")  # still steps


# ------------------------------------------------------------------ network JSON imports
@pytest.fixture(scope="module")
def json_app():
    at = new_app()
    at.session_state["tools_tab"] = "Edit weights"  # only the open tool tab is drawn
    return at.run()


def upload_json(at, data: bytes):
    before = fingerprint(lab_of(at))
    at.file_uploader(key="tool_json_upload").set_value(("net.json", data, "application/json")).run()
    assert_no_exception(at)
    lab = lab_of(at)
    assert_valid(lab)
    ok = any("imported" in s for s in texts(at.success))
    refused = bool(at.error)
    assert ok != refused, (texts(at.success), texts(at.error))
    if refused:
        assert fingerprint(lab) == before, "a refused import changed the lab"
    return ok


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**30), 10**30),
        st.text(max_size=8),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def network_json(draw) -> bytes:
    good = Network([2, 2, 1]).to_dict()
    shape = draw(st.sampled_from(["mutated", "weights", "raw"]))
    if shape == "raw":
        return draw(st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
    if shape == "weights":  # the right keys, any numbers in any shape
        num = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-2, 2), st.integers(-(10**7), 10**7))
        good["weights"] = draw(
            st.lists(st.lists(st.lists(num, min_size=1, max_size=3), min_size=1, max_size=3), min_size=1, max_size=3)
        )
        good["biases"] = draw(st.lists(st.lists(num, max_size=3), max_size=3))
    else:
        for key in draw(st.lists(st.sampled_from(list(good) + ["extra"]), min_size=1, max_size=3)):
            good[key] = draw(JSON_VALUES)
    return json.dumps(good).encode()


@settings(max_examples=25 * SCALE, **FUZZ)
@given(network_json())
@example(
    json.dumps(
        {"layer_sizes": [100000, 100000], "activations": ["sigmoid"], "loss": "half_sse", "weights": []}
    ).encode()
)  # building it first would allocate 80 GB
@example(b"[" * 50000 + b"]" * 50000)
@example(b"[" + b"1" * 5000 + b"]")
@example(json.dumps({**Network([2, 2, 1]).to_dict(), "weights": [[[1e300, 0], [0, 0]], [[0, 0]]]}).encode())
def test_any_network_json_is_imported_or_refused_with_a_message(json_app, data):
    ok = upload_json(json_app, data)
    if ok:
        d = json.loads(data)
        for w, x in zip(lab_of(json_app).trace.weights_before, d["weights"]):
            np.testing.assert_array_equal(w, np.array(x, float))


def test_exported_json_round_trips_through_the_importer(json_app):
    lab = lab_of(json_app)
    d = json.loads(lab.export_json())
    d["weights"] = [(np.array(w) * 0.5).tolist() for w in d["weights"]]
    assert upload_json(json_app, json.dumps(d).encode())
    np.testing.assert_array_equal(lab_of(json_app).net.weights[0], np.array(d["weights"][0]))


# ------------------------------------------------------------------ the weight editor
def _editor_page():
    """A page with the real _apply_edits fed the frames in session_state["cells"] (the data
    editor cannot be typed into from AppTest)."""
    import pandas as pd
    import streamlit as st

    from components.model.lab import build_lab
    from components.model.presets import PRESETS
    from components.ui import tools

    if "lab" not in st.session_state:
        st.session_state["lab"] = build_lab(PRESETS["mazur"].config)
    cells = st.session_state.get("cells")
    if cells is not None:
        st.session_state["cells"] = None
        tools._apply_edits(st.session_state["lab"], [pd.DataFrame(c) for c in cells])


EDIT_CELLS = st.one_of(
    st.floats(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.integers(-(10**7), 10**7),
    st.integers(-(10**400), 10**400),
    st.sampled_from(["abc", "", "1.5", "nan", "inf", "1e300", "0x10", "１"]),
)


def _as_float(c) -> float | None:
    """What pandas makes of an edited cell, or None if it is not a number."""
    try:
        return float(np.array([c], dtype=object).astype(float)[0])
    except (TypeError, ValueError, OverflowError):
        return None


@pytest.fixture(scope="module")
def editor_app():
    at = AppTest.from_function(_editor_page, default_timeout=TIMEOUT)
    at.run()
    assert_no_exception(at)
    return at


@settings(max_examples=40 * SCALE, **FUZZ)
@given(st.lists(st.lists(EDIT_CELLS, min_size=6, max_size=6), min_size=2, max_size=2))
@example([[float("nan")] + [0.1] * 5, [0.1] * 6])
@example([[None] + [0.1] * 5, [0.1] * 6])
@example([["abc"] + [0.1] * 5, [0.1] * 6])
@example([[1e300] + [0.1] * 5, [0.1] * 6])
@example([[10**400] + [0.1] * 5, [0.1] * 6])
@example([[0.9, 0.1, 0.2, 0.3, 0.35, 0.35], [0.4, 0.45, 0.5, 0.55, 0.6, 0.6]])
def test_any_weight_edit_is_applied_or_refused_with_a_message(editor_app, grid):
    at = editor_app
    frames = [{"from 1": g[0:2], "from 2": g[2:4], "bias": g[4:6]} for g in grid]  # 2×2 weights + biases
    lab = lab_of(at)
    before = fingerprint(lab)
    at.session_state["flashes"] = []
    at.session_state["cells"] = frames
    at.run()
    assert_no_exception(at)
    values = [_as_float(c) for g in grid for c in g]
    good = all(v is not None and np.isfinite(v) and abs(v) <= MAX_ABS_WEIGHT for v in values)
    applied = any(level == "success" for level, _ in at.session_state["flashes"])
    if good:  # (frozen biases may still be edited: they are part of the start state)
        assert applied and not at.error
        np.testing.assert_array_equal(lab.net.weights[0], np.array([[values[0], values[2]], [values[1], values[3]]]))
    else:
        assert not applied and at.error, texts(at.error)
        assert fingerprint(lab) == before
    assert_valid(lab)


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
        assert lab.problem is None and click(at, "ctl_next")
    set_granularity(at, "event")  # … then event by event
    for n in range(whole * per_update + 1, expected + 1):
        assert lab.problem is None, f"stopped early, at event step {n - 1} of {expected}"
        state = (lab.stepper.update, lab.stepper.cursor, [w.copy() for w in lab.net.weights])
        assert click(at, "ctl_next")
        lab = lab_of(at)
    assert lab.problem, "the step that went non-finite or saturated was not caught"
    assert any("diverged" in e or "saturated" in e for e in texts(at.error))
    for key in ("ctl_next", "ctl_finish", "ctl_play", "ctl_train"):  # nothing can run on from here
        assert widget(at, "button", key).proto.disabled, key
    # the numbers shown say NaN/∞ where they are not finite, never a finite-looking number
    ev = lab.stepper.event
    if ev is not None and not np.isfinite(ev.value):
        shown = " ".join(e.value for e in at.latex)
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
    assert widget(at, "button", "ctl_play").label.startswith("▶")
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
        if not click(at, "ctl_next"):
            break
    seen_nan = 0
    for _ in range(60):  # dismiss and step event by event through non-finite territory
        if seen_nan >= 4:
            break
        lab = lab_of(at)
        if lab.problem:
            assert click(at, "prob_dismiss")
        lab.display = lab.display.with_(granularity="event")
        assert click(at, "ctl_next")
        lab = lab_of(at)
        ev = lab.stepper.event
        if ev is not None and not np.isfinite(ev.value):
            seen_nan += 1
            lines = formula_lines(lab.trace, lab.stepper.cursor, lab.display.notation)
            assert any("NaN" in line or "infty" in line for line in lines), lines
    assert seen_nan
