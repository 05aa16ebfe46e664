"""Play mode's model: the clock's epochs, a tick's parts and the frames kept after each."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from components.model.config import LabConfig, from_query
from components.model.lab import build_lab
from components.model.play import (
    CHART_EVERY,
    FRAMES_PER_TICK,
    PLAY_INTERVAL,
    PlayClock,
    charted,
    frames_to_draw,
    split_epochs,
    train_in_frames,
)


def _lab():
    config, ignored = from_query({"data": "xor", "h": "4", "act": "tanh", "bs": "10"})
    assert not ignored
    return build_lab(config)


@given(st.integers(0, 10_000), st.integers(1, 8))
def test_split_epochs_is_even_whole_and_never_empty(n, parts):
    out = split_epochs(n, parts)
    assert sum(out) == n and len(out) == min(n, parts) and all(x > 0 for x in out)
    assert out == sorted(out) and (not out or out[-1] - out[0] <= 1)


def test_the_first_tick_credits_one_interval_exactly():
    """0.3 s × 30 epochs/s is 8.999… in floating point: nine epochs are due, none carried over."""
    clock = PlayClock()
    assert clock.epochs_due(30, 100.0) == round(30 * PLAY_INTERVAL)
    assert clock.epochs_due(30, 100.0 + 1 / 30) == 1


def test_train_in_frames_keeps_the_state_after_each_part():
    lab, twin = _lab(), _lab()
    epochs = 2 * FRAMES_PER_TICK + 1
    frames = train_in_frames(lab, epochs)
    assert len(frames) == FRAMES_PER_TICK
    for f, n in zip(frames, split_epochs(epochs, FRAMES_PER_TICK)):
        twin.train_epochs(n)
        twin.fit_scale()
        assert (f.update, f.cursor, f.scale) == (twin.stepper.update, twin.stepper.cursor, twin.scale)
        for a, b in zip(f.net.weights + f.net.biases, twin.net.weights + twin.net.biases):
            assert np.array_equal(a, b)
        assert f.start_net is f.net and f.trace.layout.n_events == twin.trace.layout.n_events
        assert list(f.curve) == twin.curve and list(f.grad_norms) == twin.grad_norms
        assert f.net is not lab.net  # a copy: later parts do not change it
    assert [f.update for f in frames] == sorted({f.update for f in frames}) and frames[-1].update == lab.stepper.update


def test_the_charts_follow_every_chart_every_th_frame_from_the_first():
    assert charted(6, 2) == [True, False, True, False, True, False] and charted(1, 3) == [True]
    assert charted(FRAMES_PER_TICK)[0] and sum(charted(FRAMES_PER_TICK)) == -(-FRAMES_PER_TICK // CHART_EVERY)


def test_frames_to_draw_are_the_last_ticks_while_they_end_where_the_lab_is():
    lab = _lab()
    lab.clock.drew(train_in_frames(lab, 6))
    frames, batch = frames_to_draw(lab)
    assert frames == lab.clock.frames and batch == f"tick:{lab.clock.batch}"
    assert frames_to_draw(lab)[1] == batch  # sent again: the same batch
    lab.step("event")  # the lab moved on without a tick (e.g. a single step): the lab as it is
    frames, other = frames_to_draw(lab)
    assert len(frames) == 1 and frames[0].cursor == lab.stepper.cursor and other != batch
    lab.clock.restart()
    assert lab.clock.frames == []


def test_a_diverging_part_ends_the_frames():
    config = LabConfig(hidden=(4,), hidden_activation=("tanh",), output_activation="linear", lr=1e2, batch_size=0)
    lab = build_lab(config.with_(dataset="xor"))
    frames = []
    while lab.problem is None and lab.epoch_float < 600:
        frames = train_in_frames(lab, 3 * FRAMES_PER_TICK)
    assert lab.problem is not None and len(frames) < FRAMES_PER_TICK
    assert all(np.isfinite(w).all() for f in frames for w in f.net.weights)
