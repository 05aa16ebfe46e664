"""A tiny app around the step view, for tests/test_step_view_browser.py.

It plays the server's part with the hand-written fixture payload (8 events per update, every
update alike): it acts on each report as the lab would (next/previous update, a window around
a cursor, the recorded cursor, a selected neuron) and writes what it received into the page.
Query parameters: ``win=N`` sends windows of N events (0 or none: the whole update);
``present=1`` presentation mode; ``u`` and ``k`` the starting update and cursor; ``ahead=1`` sends
the next update ahead with a payload whose window reaches the end (as the app does), and follows
the browser into it when a report carries its key.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import streamlit as st
from step_view_fixture import N_EVENTS, payload

from components.model.step_report import parse_report
from components.ui.step_view import latest_report, show_step_view

st.set_page_config(page_title="Step view test", layout="wide")


def _int(name: str, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(hi, int(st.query_params.get(name, default))))
    except ValueError:
        return default


WIN = _int("win", 0, 0, N_EVENTS)
PRESENT = st.query_params.get("present") == "1"
AHEAD = st.query_params.get("ahead") == "1"
if "sim" not in st.session_state:
    k = _int("k", -1, -1, N_EVENTS - 1)
    st.session_state.sim = {"update": _int("u", 0, 0, 99), "cursor": k, "anchor": k, "seq": 0}
    st.session_state.sim |= {"reports": 0, "last": None, "selected": None}
sim = st.session_state.sim


def window_around(c: int) -> tuple[int, int] | None:
    """WIN events around cursor c (so that k0-1 ≤ c ≤ k1), or None for the whole update."""
    if not WIN:
        return None
    k0 = max(0, min(N_EVENTS - WIN, c - WIN // 2))
    return k0, k0 + WIN - 1


def current() -> dict:
    p = payload(sim["update"], sim["cursor"], sim["seq"], window_around(sim["anchor"]), PRESENT)
    if AHEAD and p["window"][1] == N_EVENTS - 1:
        p["ahead"] = payload(sim["update"] + 1, -1, sim["seq"], window_around(-1), PRESENT)
    return p


def on_report() -> None:
    """The browser reported: act on it before the next payload is built."""
    p = current()
    raw = latest_report()
    ahead = p.get("ahead")
    if ahead and isinstance(raw, dict) and raw.get("key") == ahead["key"] and raw.get("seq") == ahead["seq"]:
        sim.update(update=sim["update"] + 1, cursor=-1, anchor=-1, followed=sim.get("followed", 0) + 1)
        p = current()
    r = parse_report(raw, key=p["key"], seq=p["seq"], n_events=p["n_events"])
    if r is None:
        return
    sim["reports"] += 1
    sim["last"] = {k: v for k, v in asdict(r).items() if k not in ("text", "target") or v is not None}  # (optional)
    if r.kind == "next_update":
        sim.update(update=sim["update"] + 1, seq=sim["seq"] + 1, cursor=-1, anchor=-1)
    elif r.kind == "prev_update" and sim["update"] > 0:
        sim.update(update=sim["update"] - 1, seq=sim["seq"] + 1, cursor=N_EVENTS - 1, anchor=N_EVENTS - 1)
    elif r.kind == "window":
        sim.update(cursor=r.cursor, anchor=r.cursor)  # same seq: the browser keeps its own cursor
    elif r.kind == "cursor":
        sim.update(cursor=r.cursor)
    elif r.kind == "select":
        sim.update(selected=list(r.node))


st.title("Step view")
show_step_view(current(), on_report=on_report)
server = {k: sim.get(k) for k in ("reports", "last", "update", "cursor", "seq", "selected", "followed")}
st.text("server: " + json.dumps(server))
