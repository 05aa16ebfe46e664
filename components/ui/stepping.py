"""Stepping in the browser: the step view shows a window of the current update and moves the cursor
itself; the server acts on its reports (a new update, another window, a clicked neuron, the cursor
to record) and sends the next payload. See ``components/views/step_view_data.py`` (the payload) and
``components/ui/step_view.py`` (the browser side)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from components.model import chain_paths
from components.model.diagnostics import diagnose_lab
from components.model.display import shows_strongest
from components.model.play import FRAME_SPACING, frames_to_draw
from components.model.step_report import parse_report
from components.ui import lessons_ui, state
from components.ui.step_view import show_play_frames, show_step_view
from components.views.neuron_pictures import neuron_pictures
from components.views.practice_view import quiz_payload
from components.views.sample_image import input_image, is_image_input
from components.views.step_view_data import StepViewOptions, StepViewPosition, graph_frame, step_view_payload

__all__ = ["act_on_report", "render_step_view", "render_play_graph", "view_options"]

PLAY_GRAPH = "play_graph"  # the graph play mode redraws (the step view's drawing, graph only)


def view_options(lab, presentation: bool) -> StepViewOptions:
    """What the view draws with, from the lab's display preferences (sizes as the server-drawn graph's)."""
    d = lab.display
    return StepViewOptions(
        notation=d.notation,
        digits=d.digits,
        granularity=d.granularity,
        color_by=d.color_by,
        scale=lab.scale,
        presentation=presentation,
        width=560 if presentation else 430,
        height=620 if presentation else 500,
        font_size=20 if presentation else 15,
        pictures=d.pictures and lab.trace.layer_sizes[0] == 2,
        strongest=shows_strongest(d, lab.net.n_weights),
    )


def _display_key(o: StepViewOptions) -> tuple:
    """What, besides the trace, decides the payload's content (the step size only moves the cursor)."""
    return (o.notation, o.digits, o.color_by, o.scale, o.presentation, o.width, o.height, o.font_size) + (
        o.pictures,
        o.strongest,
    )


def act_on_report(lab, presentation: bool) -> None:
    """The browser's newest report, checked (``parse_report``), applied to the lab: first thing in a
    run of the live view, so the page drawn after it (messages, controls, the view) follows it."""
    o = view_options(lab, presentation)
    raw = state.new_step_report()
    if raw is None:
        return
    _follow_into_ahead(lab, o, raw)
    key, seq = state.step_view_position(lab, _display_key(o))
    n = lab.stepper.n_events
    report = parse_report(raw, key=key, seq=seq, n_events=n)
    if report is None:  # malformed, stale or tampered: ignored, nothing changes
        return
    if report.kind == "next_stop":
        if lessons_ui.next_stop():
            st.rerun()  # a new lab: the whole page follows
        return
    if lab.practising and _practice_report(lab, report):
        return
    if report.kind == "next_update":
        lab.seek(n - 1)
        lab.step(o.granularity, forward=True)
        return
    if report.kind == "prev_update":
        lab.seek(-1)
        lab.step(o.granularity, forward=False)
        return
    # "cursor", "window", "select": the browser is there (forward: as far as the checks allow)
    if report.cursor > lab.stepper.cursor and lab.problem is None:
        lab.advance_to(report.cursor)
    else:
        lab.seek(report.cursor)
    state.browser_cursor_is(key, report.cursor)
    if report.kind == "select":
        lab.select(report.node)
        state.set_path_target(report.target)


def _practice_report(lab, report) -> bool:
    """Practice mode's reports (an answer, a hint, a reveal) acted on, and the others kept within the
    values seen: the cursor never passes the frontier, → past the update's end enters the next update at
    its start (nothing of it seen). Returns whether the report was dealt with here."""
    lab.follow_practice()
    frontier = lab.practice.frontier
    if report.kind == "answer":
        lab.practice_answer(report.text)
    elif report.kind == "hint":
        lab.practice_hint()
    elif report.kind == "reveal":
        lab.practice_reveal()
    elif report.kind == "next_update":
        if frontier >= lab.stepper.n_events - 1:
            lab.enter_next_update()
            lab.follow_practice()
    elif report.kind in ("cursor", "window", "select") and report.cursor > frontier:
        lab.seek(frontier)  # (a browser that went past the frontier: back to it)
        if report.kind == "select":
            lab.select(report.node)
            state.set_path_target(report.target)
    else:
        return False
    return True


def _sent_as(o: StepViewOptions, limit: int | None) -> tuple:
    """What, besides the key, a payload sent is kept under: the step size and practice's frontier (an
    update sent ahead has none: nothing is sent ahead in practice)."""
    return (o.granularity, limit)


def _follow_into_ahead(lab, o: StepViewOptions, raw) -> None:
    """A report from inside the next update's payload, sent ahead (the browser stepped past this update's
    end on its own): the lab enters that update first, and the payload already sent becomes the current
    one. Its key and seq must be those sent; anything else is left to ``parse_report``."""
    known, ahead = state.sent_ahead(lab, _display_key(o), o.granularity)
    if lab.practising or not known or ahead is None or not isinstance(raw, dict):
        return
    if raw.get("key") != ahead["key"] or raw.get("seq") != ahead["seq"] or isinstance(raw.get("seq"), bool):
        return
    lab.enter_next_update()
    state.adopt_ahead(lab, _display_key(o), {k: v for k, v in ahead.items() if k != "ahead"}, _sent_as(o, None))


def _with_ahead(lab, o: StepViewOptions, payload: dict) -> dict:
    """``payload`` with the next update's payload beside it when its window reaches this update's end
    and the step there is clean (``Lab.next_update_preview``): → past the end then stays in the browser."""
    payload = {k: v for k, v in payload.items() if k != "ahead"}
    if payload["window"][1] != payload["n_events"] - 1 or payload.get("blocked") or payload.get("stop_at") is not None:
        return payload
    if state.is_first_run() or lab.practising:  # the first page draws first (the run its first report brings
        return payload  # sends the rest); practice shows the next update's numbers only once answered
    known, ahead = state.sent_ahead(lab, _display_key(o), o.granularity)
    if not known:  # decided once per update and settings: the next update's payload, or none
        preview = lab.next_update_preview()
        if preview is not None:
            net, trace = preview
            key, seq = state.ahead_position(lab, _display_key(o), payload["seq"])
            stepper = lab.stepper
            position = StepViewPosition(key, seq, stepper.update + 1, -1, stepper.history_limit > 0)
            ahead = {**step_view_payload(net, trace, position, o), "blocked": False, "stop_at": None}
    if ahead is not None:
        ahead = {**ahead, "seq": payload["seq"]}
    state.ahead_sent(lab, _display_key(o), o.granularity, ahead)
    return payload if ahead is None else {**payload, "ahead": ahead}


def render_step_view(lab, presentation: bool) -> None:
    """Mount the view for the lab's update and cursor (after ``act_on_report``)."""
    o = view_options(lab, presentation)
    lab.follow_practice()  # (practice mode: the cursor within the values seen)
    limit = lab.practice.frontier if lab.practising else None
    key, seq = state.step_view_position(lab, _display_key(o))
    stepper = lab.stepper
    position = StepViewPosition(key, seq, stepper.update, stepper.cursor, stepper.has_previous())
    payload = state.cached_payload(
        key,
        seq,
        _sent_as(o, limit),
        stepper.cursor,
        lambda: step_view_payload(lab.net, lab.trace, position, o, limit=limit),
        blocked=lab.problem is not None,
        stop_at=lab.first_bad_event(),
    )
    payload["paths"] = chain_path_pairs(lab)
    payload["flags"] = diagnostic_flags(lab)
    payload["samples"] = sample_images(lab)
    payload["pictures"] = pictures(lab)
    stop = lessons_ui.stop_range(lab)
    payload["stop_end"] = None if stop is None else int(stop[1])
    if limit is not None:
        d = lab.display
        payload["quiz"] = quiz_payload(lab.trace, lab.practice, d.granularity, d.notation, d.digits, presentation)
    payload = _with_ahead(lab, o, payload)
    state.remember_sent(key, _sent_as(o, limit), payload)
    state.step_view_sent(key, stepper.cursor)
    show_step_view(payload, key=state.STEP_VIEW)


def chosen_target(lab):
    """The chain-rule paths' target: the selected neuron's δ, or the weight or bias chosen for it."""
    if lab.selected is None or lab.selected[0] < 1:
        return None
    chosen = state.path_target()
    layer, i = lab.selected
    if chosen is not None and tuple(chosen[1:3]) == (layer, i):
        kind, _, _, j = chosen
        if kind == "weight" and isinstance(j, int) and 0 <= j < lab.trace.layer_sizes[layer - 1]:
            return chain_paths.weight(layer, i, j)
        if kind == "bias" and lab.trace.bias:
            return chain_paths.bias(layer, i)
    return chain_paths.neuron(layer, i)


def chain_path_pairs(lab) -> list[list[int]]:
    """The graph's highlighted paths: [layer, i, layer + 1, k] for every edge on a path to the loss."""
    target = chosen_target(lab)
    if target is None:
        return []

    def pairs() -> list[list[int]]:
        try:
            edges = chain_paths.path_edges(lab.net, target)
        except ValueError:  # (a selection the network no longer has)
            return []
        return sorted([a[0], a[1], b[0], b[1]] for a, b in edges)

    return state.per_update("path_edges", lab, pairs, key=target)  # (a networkx graph: not at every report)


def chosen_path_sum(lab):
    """The chosen target's PathSum, worked out once per update and target (up to 100,000 paths)."""
    target = chosen_target(lab)
    if target is None:
        return None
    with np.errstate(all="ignore"):
        return state.per_update("path_sum", lab, lambda: chain_paths.path_sum_of_trace(lab.trace, target), key=target)


def sample_images(lab) -> list[str] | None:
    """The batch's samples as pictures (8×8 digits, 28×28 images), for the step view to show beside the
    step of each sample; None for other inputs."""
    shape = is_image_input(lab.trace.layer_sizes[0])
    if shape is None:
        return None
    X = lab.trace.X
    return state.per_update("samples", lab, lambda: [input_image(np.clip(x, 0, 1), shape) for x in X])


def pictures(lab) -> dict[str, str] | None:
    """Each neuron's activation over the input plane (two-input data, pictures on), keyed "layer,i"."""
    if not lab.display.pictures or lab.trace.layer_sizes[0] != 2:
        return None
    net, X = lab.net_at_update_start(), lab.dataset.X_train
    found = state.per_update("pictures", lab, lambda: neuron_pictures(net, X))
    return {f"{l},{i}": uri for (l, i), uri in found.items()}


def diagnostic_flags(lab) -> list[list]:
    """The diagnostics' flags for the graph (none while practising: they would tell what is asked)."""
    if lab.practising:
        return []
    findings = state.per_update("diagnostics", lab, lambda: diagnose_lab(lab))
    return [[f.layer, -1 if f.neuron is None else f.neuron, f.kind, f.sentence] for f in findings]


def render_play_graph(lab, presentation: bool) -> None:
    """While playing: the graph alone, drawn by the step view's code (its SVG is patched: only the
    edges and nodes whose colour changed are touched), once for each of the tick's frames
    (``frames_to_draw``), ``FRAME_SPACING`` apart. It sends no reports."""
    o = view_options(lab, presentation)
    frames, batch = frames_to_draw(lab)
    payloads = [
        graph_frame(
            f.net,
            f.trace,
            StepViewPosition(f"play-{f.update}-{f.cursor}-{f.scale!r}", 0, f.update, f.cursor, False),
            replace(o, scale=f.scale),
        )
        for f in frames
    ]
    show_play_frames(payloads, batch=batch, spacing=FRAME_SPACING, key=PLAY_GRAPH)
