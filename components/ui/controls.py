"""Stepping and playing controls: ← → with keyboard shortcuts, granularity, phase jumps,
a scrubber over the whole update, reset, play/pause and "train N epochs".

Every action runs in a button callback (before the page is drawn), so what is drawn
afterwards already shows the new cursor.
"""

from __future__ import annotations

import time

import streamlit as st

from components.model.config import LIMITS
from components.model.play import PLAY_INTERVAL, train_in_frames
from components.ui import state
from components.views.charts import accuracy_summary, loss_summary
from engine import GRANULARITIES

__all__ = [
    "render_step_controls",
    "render_play_controls",
    "advance_play",
    "play_toggled",
    "plays_epochs",
    "play_mode",
    "play_interval",
    "TRAIN_EPOCHS",
]

_GRAN_LABELS = {
    "event": "event",
    "neuron": "neuron",
    "layer": "layer",
    "sample": "sample",
    "phase": "phase",
    "update": "update",
}
# Jump targets: the cursor just before the forward pass (the start of the update), the backward
# pass or the weight update, so the next → shows that phase's first event.
# "Train N epochs" starts at this N: enough for the default network to learn its XOR data.
TRAIN_EPOCHS = 20
JUMPS = {"forward": "⟲ start", "backward": "↦ backward pass", "update": "↦ weight update"}


def _gran() -> str:
    return state.get_lab().display.granularity


def _step(forward: bool) -> None:
    lab = state.get_lab()
    lab.step(_gran(), forward=forward)


def _set_granularity() -> None:
    g = state.widget("ctl_granularity")
    if g in GRANULARITIES:
        state.set_display(granularity=g)


def _scrub() -> None:
    lab = state.get_lab()
    k = state.widget("ctl_scrub")
    if isinstance(k, int):
        lab.seek(max(-1, min(k, lab.stepper.n_events - 1)))


def _jump() -> None:
    """The jump control acts like three buttons: it jumps, then shows nothing chosen again."""
    phase = state.widget("ctl_jump")
    state.set_widget("ctl_jump")
    if phase not in JUMPS:
        return
    lab = state.get_lab()
    if phase == "forward":  # "⟲ start": before the first event
        lab.seek(-1)
        return
    k = lab.trace.layout.phase_bounds(phase)[0]  # the phase's first event, shown
    if k > lab.stepper.cursor and lab.problem is None:
        lab.advance_to(k)  # (as stepping there would: stops where a parameter goes non-finite)
    else:
        lab.seek(k)


def _finish_update() -> None:
    lab = state.get_lab()
    if lab.practising:  # every value answered: the next update, at its start (nothing of it shown)
        if lab.revealed_through() >= lab.stepper.n_events - 1:
            lab.enter_next_update()
        return
    lab.step("update", forward=True) if lab.stepper.cursor < lab.stepper.n_events - 1 else lab.step("update")


def render_step_controls(presentation: bool = False, in_browser: bool = False) -> None:
    """Two rows: ← Back, Next →, Finish update and the phase jumps; the step size and the scrubber.
    ``in_browser``: the step view draws ← Back, Next → and the scrubber itself and moves the cursor
    without the server; only Finish update, the jumps and the step size are drawn here."""
    lab = state.get_lab()
    show_jumps = not lab.display.hides("jumps")
    if in_browser and presentation:  # the step view's own buttons and keys; the rest was chosen before
        return
    if in_browser:  # two rows: the step size beside where the update stands; the jumps
        cols = st.columns([3.0, 2.4], vertical_alignment="bottom")
        _granularity_control(cols[0])
        cols[1].caption(update_caption(lab))
        cols = st.columns([2.4, 1.3, 1.7], vertical_alignment="bottom")
        if show_jumps:
            _jump_control(cols[0])
        _finish_button(cols[1], lab)
        _start_over_buttons(cols[2], lab)
        return
    cols = st.columns([1.1, 1.1, 1.3, 3.0], vertical_alignment="bottom")
    cols[0].button(
        "← Back",
        key="ctl_back",
        on_click=_step,
        args=(False,),
        shortcut="Left",
        disabled=not lab.stepper.can_back(),
        width="stretch",
        help="Step back (← key)",
    )
    cols[1].button(
        "Next →",
        key="ctl_next",
        on_click=_step,
        args=(True,),
        shortcut="Right",
        type="primary",
        disabled=lab.problem is not None,
        width="stretch",
        help="Step forward (→ key)",
    )
    _finish_button(cols[2], lab)
    if show_jumps:
        _jump_control(cols[3])
    row = st.columns([2.9, 2.6], vertical_alignment="bottom")
    _granularity_control(row[0])
    if show_jumps:
        n = lab.stepper.n_events
        row[1].slider(
            f"Scrub through update {lab.stepper.update + 1} ({n} events)",
            -1,
            n - 1,
            key="ctl_scrub",
            on_change=_scrub,
            label_visibility="visible",
        )


def update_caption(lab) -> str:
    """Where training stands: the update, its epoch, the batch and how many events it has."""
    st_, m = lab.stepper, lab.trace.m
    per = st_.updates_per_epoch
    epoch, batch = divmod(st_.update, per)
    where = f"epoch {epoch + 1}" + (f", batch {batch + 1} of {per}" if per > 1 else "")
    return f"Update {st_.update + 1} ({where}) · {m} sample{'s' * (m != 1)} · {st_.n_events} events in this update"


def _reset() -> None:
    lab = state.get_lab()
    lab.reset()
    lab.fit_scale()


def _reinitialise() -> None:
    lab = state.get_lab()
    state.apply_config(lab.config.with_(seed=(lab.config.seed + 1) % (LIMITS["seed"] + 1)))


def _start_over_buttons(where, lab) -> None:
    """Back to the first update with the starting weights, or new random starting weights (next seed)."""
    a, b = where.columns(2, vertical_alignment="bottom")
    a.button(
        "⟲ Reset",
        key="ctl_reset",
        on_click=_reset,
        width="stretch",
        help="Back to update 1 with the starting weights (the training curves start again)",
    )
    b.button(
        "New weights",
        key="ctl_reinit",
        on_click=_reinitialise,
        width="stretch",
        disabled=bool(lab.config.preset) or lab.edited,
        help="Draw new random starting weights (the next seed); the worked examples keep their own",
    )


def _finish_button(where, lab) -> None:
    where.button(
        "Finish update ⇥",
        key="ctl_finish",
        on_click=_finish_update,
        width="stretch",
        disabled=lab.problem is not None or (lab.practising and lab.revealed_through() < lab.stepper.n_events - 1),
        help="Practice mode: once every value is answered, go on to the next update"
        if lab.practising
        else "Apply the rest of this update and stop before the next",
    )


def _jump_control(where) -> None:
    where.segmented_control(
        "Jump to",
        list(JUMPS),
        format_func=JUMPS.get,
        key="ctl_jump",
        on_change=_jump,
        help="Put the cursor at the update's start, on the first δ of its backward pass, or on its first weight update",
    )


def _granularity_control(where) -> None:
    where.segmented_control(
        "Step by",
        list(GRANULARITIES),
        format_func=_GRAN_LABELS.get,
        key="ctl_granularity",
        on_change=_set_granularity,
        selection_mode="single",
    )


def _toggle_play() -> None:
    lab = state.get_lab()
    state.mark_play_toggled()
    lab.toggle_play()


def _play_pace_changed() -> None:
    """A new play mode or step rate while playing: the whole page reruns (the live view's timer
    and where the step controls are drawn both follow the mode)."""
    if state.get_lab().playing:
        state.mark_play_toggled()


def play_mode() -> str:
    """ "epochs" (whole epochs per tick, the default) or "steps" (one step at the chosen size)."""
    return state.widget("ctl_play_mode", "epochs")


def plays_epochs(lab) -> bool:
    """Whether play is on in whole-epochs mode (the cursor stays at an update's start)."""
    return lab.playing and play_mode() == "epochs"


def play_toggled() -> bool:
    """Whether ▶/⏸ was pressed since the last call (the page must then rerun in full)."""
    return state.take_play_toggled()


def render_play_controls() -> None:
    """Play/pause, speed, and train-N-epochs. When not playing they are drawn after the live view,
    so a step does not resend them; pressing ▶/⏸ reruns the whole page (see ``play_toggled``)."""
    lab = state.get_lab()
    if lab.display.hides("play"):
        return
    cols = st.columns([1, 1.2, 1.6, 1, 1.3], vertical_alignment="bottom")
    cols[0].button(
        "Pause" if lab.playing else "Play",
        icon=":material/pause:" if lab.playing else ":material/play_arrow:",  # (Streamlit's own icon font)
        key="ctl_play",
        type="primary",
        on_click=_toggle_play,
        width="stretch",
        disabled=lab.problem is not None,
    )
    cols[1].selectbox(
        "Play mode",
        ["epochs", "steps"],
        key="ctl_play_mode",
        on_change=_play_pace_changed,
        format_func={"epochs": "whole epochs", "steps": "single steps"}.get,
        help="whole epochs: fast training, redrawn up to 10× a second; single steps: the cursor walks "
        "event by event at the chosen step size",
    )
    if play_mode() == "epochs":
        cols[2].select_slider("Epochs per second", [1, 2, 5, 10, 20, 30, 50, 100, 200], value=30, key="ctl_speed")
    else:
        cols[2].select_slider(
            "Steps per second", [1, 2, 3, 5], value=2, key="ctl_step_speed", on_change=_play_pace_changed
        )
    cols[3].number_input("Epochs", 1, 10_000, value=TRAIN_EPOCHS, key="ctl_n_epochs")
    if cols[4].button("Train N epochs", key="ctl_train", width="stretch", disabled=lab.problem is not None):
        _train_with_progress(lab, int(state.widget("ctl_n_epochs", TRAIN_EPOCHS)))


def _train_with_progress(lab, epochs: int) -> None:
    bar = st.progress(0.0, text=f"Training {epochs} epochs…")
    chunk = max(1, epochs // 20)
    done = 0
    while done < epochs and lab.problem is None:
        n = min(chunk, epochs - done)
        lab.train_epochs(n)
        done += n
        bar.progress(done / epochs, text=f"Epoch {done} of {epochs} · {_losses(lab)}")
    bar.empty()
    lab.fit_scale()
    if lab.problem is None:
        state.flash("success", f"Trained {done} epochs: now at epoch {lab.epoch_float:.4g}, {_losses(lab)}")
    st.rerun()  # redraw the whole page (graph, panel, problem box) from the trained network


def _losses(lab) -> str:
    """The last recorded losses, as the loss chart shows them (charts.loss_summary)."""
    _, train, test = lab.curve[-1]
    d = lab.dataset
    losses = loss_summary(train, test, lab.config.loss, d.X_train.shape[0], d.X_test.shape[0])
    return losses + accuracy_summary(lab.accuracy())


def browser_caught_up(lab) -> bool:
    """Whether the browser shows the lab's current step: the link it sent with this run (its
    address bar, rewritten by the last run's reply) names the same update and cursor. A busy
    browser draws ticks more slowly than its timer asks for them; without this check play runs
    ahead of the picture, further behind with every tick."""
    shown = state.link_shown()

    def number(key: str, default: int) -> int:
        try:
            return int(shown.get(key, default))
        except (TypeError, ValueError):
            return default

    return (number("u", 0), number("k", -1)) == (lab.stepper.update, lab.stepper.cursor)


def advance_play(lab) -> None:
    """One tick of play mode: the epochs due at the chosen speed (``PlayClock``), trained in parts with
    a frame for the browser after each (``train_in_frames``), or one step at the chosen granularity.
    A tick that finds the browser still drawing the previous one does nothing (its time is credited
    to the next), so the picture never lags behind the training."""
    if not lab.playing or lab.problem:
        lab.playing = False
        return
    now = time.monotonic()
    if lab.clock.waits(browser_caught_up(lab), now):
        return
    if play_mode() == "epochs":
        n = lab.clock.epochs_due(int(state.widget("ctl_speed", 30)), now)
        if n:
            lab.clock.drew(train_in_frames(lab, n))
    else:
        lab.clock.ticked(now)
        lab.step(lab.display.granularity, forward=True)


def play_interval(lab) -> float | None:
    """Seconds between reruns of the live view while playing, else None."""
    if not lab.playing:
        return None
    if play_mode() == "steps":
        return 1.0 / float(state.widget("ctl_step_speed", 2))
    return PLAY_INTERVAL
