"""Many sessions on one server, and bounded resources.

* Five students at once against ONE `streamlit run` server, through Streamlit's own websocket
  protocol (benchmarks/bench_load.py has the client and the full 20-session benchmark): every
  step and training run finishes without an exception or error, and each session ends exactly
  where its own actions put it. The p50/p95 time per step is printed (pytest -s).
* Divergence while playing, over the wire: the play timer stops, the message shows, undo works.
* A long play keeps a session's memory bounded: curves ≤ MAX_CURVE_POINTS, step-back history ≤
  HISTORY_LIMIT, and no growth of the traced memory once those caps are reached.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_support import APP
from benchmarks.bench_load import StreamlitClient, markdown_table, run_load
from components.model.lab import MAX_CURVE_POINTS
from engine import HISTORY_LIMIT


@pytest.fixture(scope="module")
def server():
    from browser_support import streamlit_server

    with streamlit_server() as (url, log_path):
        yield url, log_path
        log = open(log_path).read()
        assert "Traceback" not in log and "RuntimeWarning" not in log, log[-3000:]


def test_five_sessions_step_and_train_at_once_without_errors(server):
    url, _ = server
    report = run_load(url, sessions=5, steps=12, trains=1, epochs=3, timeout=60, deadline=180)
    print("\n" + markdown_table([("5 sessions, default network", report)]))
    assert report.errors == []
    assert report.mismatches == []
    assert report.actions == 5 * (1 + 12 + 1)
    assert len(report.step_s) == 5 * 12 and len(report.train_s) == 5


def test_divergence_while_playing_stops_the_timer_and_undo_recovers(server):
    url, _ = server

    async def scenario():
        c = StreamlitClient(url, timeout=60)
        try:
            r = await c.open("h=4&act=tanh&out=linear&lr=100&bs=0&data=xor_table")
            assert r.ok
            r = await c.click("ctl_play")
            fragment = c.widgets[
                "ctl_play"
            ].fragment_id  # the live view (while epochs play, the step controls sit above it)
            assert r.ok and fragment and r.auto_fragments.get(fragment)  # the live view now reruns itself …
            for _ in range(300):  # … as the browser's timer asks, until the divergence
                r = await c.rerun_fragment(fragment)
                if r.errors:
                    break
            assert any("diverged" in e or "saturated" in e for e in r.errors), r.errors
            assert r.status == "FINISHED_SUCCESSFULLY" and r.auto_rerun is None  # a full run: timer gone
            assert c.widgets["ctl_play"].proto.label == "Play" and c.payload["blocked"]  # → does nothing
            r = await c.click("prob_undo")
            assert r.ok and not c.payload["blocked"]
            r = await c.press("next")
            assert r is not None and r.exceptions == []
        finally:
            await c.close()

    asyncio.run(scenario())


def _run(at, n: int) -> None:
    for _ in range(n):
        at.run()
        assert not at.exception, [e.value for e in at.exception]


def test_a_long_play_keeps_a_sessions_memory_bounded():
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"bs": "0", "act": "tanh", "out": "linear", "loss": "half_mse"}.items():  # full batch: 1 update/epoch;
        at.query_params[k] = v  # no sigmoid, so thousands of epochs on XOR never saturate (that would pause)
    at.run()
    lab = at.session_state["lab"]
    lab.train_epochs(MAX_CURVE_POINTS + 200)  # "Train N epochs": the curves pass their cap and are thinned
    at.select_slider(key="ctl_speed").set_value(200).run()
    at.button(key="ctl_play").click().run()
    assert lab.playing
    _run(at, 5)
    assert len(lab.curve) <= MAX_CURVE_POINTS and len(lab.grad_norms) <= MAX_CURVE_POINTS

    gc.collect()
    tracemalloc.start()
    try:
        _run(at, 2)
        gc.collect()
        before, epoch = tracemalloc.get_traced_memory()[0], lab.stepper.epoch
        _run(at, 8)  # hundreds more epochs, each one a point on the curves (tracing makes a tick 5× slower)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    played = lab.stepper.epoch - epoch
    print(f"\ntraced memory {grown / 1e3:+.0f} kB over {played} epochs of play; curve {len(lab.curve)} points")
    assert played >= 150 and lab.playing
    assert len(lab.curve) <= MAX_CURVE_POINTS and len(lab.grad_norms) <= MAX_CURVE_POINTS
    assert grown < 1_000_000, f"traced memory grew by {grown / 1e6:.2f} MB over {played} epochs of play"

    at.selectbox(key="ctl_play_mode").select("steps").run()  # single steps, a whole update each
    at.session_state["ctl_granularity"] = "update"
    lab.display = lab.display.with_(granularity="update")
    _run(at, HISTORY_LIMIT + 5)
    assert len(lab.stepper._history) == HISTORY_LIMIT  # stepping back reaches at most this far
    assert all(np.all(np.isfinite(w)) for w in lab.net.weights)


def _trace_nbytes(tr) -> int:
    arrays = [tr.X, tr.Y, *tr.A[1:], *(a for a in (*tr.Z, *tr.deltas, *tr.da_dz) if a is not None)]
    return sum(a.nbytes for a in arrays)


def test_trace_and_step_back_history_are_bounded_in_bytes():
    from components.model.config import LabConfig
    from components.model.lab import HISTORY_BYTES, MAX_TRACE_BYTES, LabError, build_lab, trace_bytes
    from engine.csv_loader import load_csv

    big = LabConfig(
        hidden=(64,) * 8, hidden_activation=("tanh",) * 8, n_samples=2000, test_fraction=0.0, batch_size=0, lr=0.01
    )  # the largest built-in configuration, full batch
    lab = build_lab(big)
    actual = _trace_nbytes(lab.trace)
    assert actual <= trace_bytes(lab.net.layer_sizes, 2000) <= MAX_TRACE_BYTES
    cap = lab.stepper._history.maxlen
    assert 1 <= cap < HISTORY_LIMIT and cap * actual <= HISTORY_BYTES
    for _ in range(cap + 2):
        lab.step("update")
    assert len(lab.stepper._history) == cap

    rows = "\n".join(",".join(f"{(i * 7 + j) % 10 / 10}" for j in range(63)) + f",{i % 2}" for i in range(5_000))
    csv = load_csv(rows.encode(), name="wide")  # 5,000 × 63 inputs through eight layers of 64, full batch
    with pytest.raises(LabError, match="smaller batch"):
        build_lab(big.with_(dataset="csv"), csv=csv)
    ok = build_lab(big.with_(dataset="csv", batch_size=100), csv=csv)  # a batch of 100 is fine
    assert ok.stepper._history.maxlen == HISTORY_LIMIT
