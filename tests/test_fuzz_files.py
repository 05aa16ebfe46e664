"""Bad files through the real app (AppTest): an uploaded CSV, an imported network JSON or a weight
typed into the editor is applied or refused with a message, never an exception, and a refusal leaves
the lab exactly as it was."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app_support import TIMEOUT, assert_no_exception, lab_of, new_app, press
from components.model.lab import MAX_ABS_WEIGHT
from engine import Network
from engine.csv_loader import MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS
from fuzz_support import FUZZ, SCALE, assert_valid, fingerprint, texts, widget


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
    loaded = any(s.startswith("Loaded ") for s in texts(at.toast))
    refused = any(e.startswith("CSV ") for e in texts(at.error))
    assert loaded != refused, (texts(at.toast), texts(at.error))
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
    assert press(csv_app, "next")  # still steps


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
    ok = any("imported" in s for s in texts(at.toast))
    refused = bool(at.error)
    assert ok != refused, (texts(at.toast), texts(at.error))
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
