"""Backprop Lab: watch backpropagation one number at a time.

    streamlit run app.py

This file only composes the components; each lives in components/ and every number
comes from the engine (engine/).
"""

from __future__ import annotations

import streamlit as st

from components import controls, session, sidebar, views

st.set_page_config(page_title="Backprop Lab", page_icon="🧮", layout="wide", initial_sidebar_state="expanded")

lab = session.get_lab()
presentation = views.render_header()
if not presentation:
    sidebar.render_sidebar()
views.render_flashes()


def live_view() -> None:
    """The moving parts: controls, graph, step panel and charts (rerun alone while playing)."""
    lab = session.get_lab()
    was_playing = lab.playing
    controls.advance_play(lab)
    if was_playing and not lab.playing:  # paused by a divergence: a full run stops this fragment's timer
        st.rerun()
    views.render_problem(lab)
    controls.render_step_controls(presentation)
    views.render_graph_and_panel(lab, presentation)
    if controls.render_play_controls():
        st.rerun()
    if lab.playing:  # redrawn every tick
        views.render_charts(lab, presentation)
    elif not st.session_state.get("full_run") and views.charts_stale(lab):  # a step completed or undid
        st.rerun()  # an update in a run of this fragment alone: redraw the charts below too
    session.sync_url(lab)


st.session_state["full_run"] = True  # (the fragment's runs alone find it False)
st.fragment(live_view, run_every=views.play_interval(lab))()
st.session_state["full_run"] = False
lab = session.get_lab()
if not lab.playing:  # while stepping, the charts stay put (they change once per update)
    views.render_charts(lab, presentation)
if not presentation:
    views.render_tools(lab)
