"""Backprop Lab: watch backpropagation one number at a time.

    streamlit run app.py

Composition only: each part of the page lives in components/ui/ and every number comes from the
engine (engine/) through the lab model (components/model/).
"""

from __future__ import annotations

import streamlit as st

from components.ui import controls, header, lessons_ui, page, sidebar, start_here, state, stepping, tools

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide", initial_sidebar_state="auto")

lab = state.begin_run()
presentation = header.render_header()
header.render_flashes()
start_here.render_start_here(lab, presentation)
lessons_ui.render_lesson_bar(presentation)


def live_view() -> None:
    """The moving parts: step controls, graph and step panel, rerun alone on each step; while
    playing, the graph, panel, play controls and charts, rerun alone on each tick."""
    lab = state.get_lab()
    was_playing = lab.playing
    controls.advance_play(lab)
    full_run, toggled = state.is_full_run(), controls.play_toggled()
    if (was_playing and not lab.playing) or (toggled and not full_run):
        st.rerun()  # play started or stopped (or diverged): a full run sets the timer and moves the charts
    if not lab.playing:
        stepping.act_on_report(lab, presentation)  # the browser's cursor, a new update, a clicked neuron
        if not full_run and page.charts_stale(lab):
            st.rerun()  # a step completed or undid an update: the whole page follows (the charts, once per update)
    header.render_problem(lab)
    # The step controls sit above the graph and panel but are sent between them: the new formula
    # leaves the server first and is painted on its own, before the graph (bench_step_latency).
    # While epochs play they are drawn once, above the live view.
    above = None if controls.plays_epochs(lab) else st.container(key="bp_step_controls")
    if above is not None:
        state.show_position(lab)  # play in single steps has just moved the cursor

    def step_controls() -> None:
        with above:
            controls.render_step_controls(presentation, in_browser=not lab.playing)

    page.render_graph_and_panel(lab, presentation, between=step_controls if above is not None else None)
    if lab.playing:
        below(lab)
    state.sync_url(lab)


def below(lab) -> None:
    """Play controls and charts: in the live view while playing, after it (not resent by steps) when not."""
    controls.render_play_controls()
    page.render_charts(lab, presentation)


if controls.plays_epochs(lab):  # the step controls do not change while epochs play: drawn once, not every tick
    controls.render_step_controls(presentation)
state.set_full_run(True)  # (the fragment's runs alone find it False)
st.fragment(live_view, run_every=controls.play_interval(lab))()
state.set_full_run(False)
lab = state.get_lab()
if not lab.playing:
    below(lab)
if not presentation:
    tools.render_tools(lab)
    # The sidebar is sent after the step view: the first page's formula and graph do not wait for the
    # settings' widgets (bench_first_page).
    lessons_ui.render_lesson_menu()
    sidebar.render_sidebar()
header.render_keyboard_focus_fix()
state.end_first_run()
