"""The step view's bookkeeping in ``st.session_state`` (part of ``components.ui.state``, which callers use):
the browser's newest report, which key and cursor it shows, the payload last sent, and the next update's
payload sent ahead of the cursor; values worked out once per update, and whose chain-rule paths the graph
draws."""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.model.lab import Lab

__all__ = [
    "STEP_VIEW",
    "new_step_report",
    "step_view_position",
    "browser_cursor_is",
    "step_view_sent",
    "cached_payload",
    "ahead_position",
    "ahead_sent",
    "sent_ahead",
    "remember_sent",
    "adopt_ahead",
    "per_update",
    "path_target",
    "set_path_target",
]

STEP_VIEW = "step_view"  # the step view component's key: its state holds the browser's newest report
_SV_REPORT_N = "sv_report_n"  # the ``n`` of the last report acted on
_SV_SOURCE = "sv_source"  # (trace, display tuple, key): what the current key names; the trace kept, so ids stay unique
_SV_SEQ = "sv_seq"  # counts the server's own moves of the cursor (the browser adopts ``cursor`` when it changes)
_SV_BROWSER = "sv_browser"  # (key, cursor) the browser is known to show
_SV_PAYLOAD = "sv_payload"  # (key, granularity, payload) last sent
_SV_AHEAD = "sv_ahead"  # (source trace, display tuple, granularity, key, seq, payload): the next update, sent ahead


# ------------------------------------------------------------ the step view (the browser's cursor)
def new_step_report() -> dict | None:
    """The browser's newest report, once: None when there is none or it was already acted on."""
    value = st.session_state.get(STEP_VIEW)
    raw = value.get("report") if isinstance(value, dict) else None
    n = raw.get("n") if isinstance(raw, dict) else None
    if raw is None or n == st.session_state.get(_SV_REPORT_N):
        return None
    st.session_state[_SV_REPORT_N] = n
    return raw


def step_view_position(lab: Lab, display_key: tuple) -> tuple[str, int]:
    """(key, seq) for the lab as it is now: a new key for a new trace or other display settings, a new
    seq when the server moved the cursor away from where the browser is known to be."""
    s = st.session_state
    source = s.get(_SV_SOURCE)
    if source is None or source[0] is not lab.trace or source[1] != display_key:
        counter = (source[3] + 1) if source else 0
        source = (lab.trace, display_key, f"u{lab.stepper.update}-{counter}", counter)
        s[_SV_SOURCE] = source
    key = source[2]
    seq = int(s.get(_SV_SEQ, 0))
    if s.get(_SV_BROWSER) != (key, lab.stepper.cursor):
        seq += 1
        s[_SV_SEQ] = seq
    return key, seq


def browser_cursor_is(key: str, cursor: int) -> None:
    """The browser reported (or was sent) this cursor for this key."""
    st.session_state[_SV_BROWSER] = (key, int(cursor))


def step_view_sent(key: str, cursor: int) -> None:
    """A payload for ``key`` went out: the browser shows ``cursor`` (or its own, if the seq is unchanged)."""
    browser_cursor_is(key, cursor)


def cached_payload(key: str, seq: int, granularity: str, cursor: int, build, **fields) -> dict:
    """The last payload sent (``remember_sent``) when it is for this key and step size and its window holds
    ``cursor`` (with the new seq, cursor and ``fields``), else ``build()``'s with them."""
    last = st.session_state.get(_SV_PAYLOAD)
    payload = None
    if last is not None and last[0] == key and last[1] == granularity:
        k0, k1 = last[2]["window"]
        if k0 - 1 <= cursor <= k1:
            payload = last[2]
    return {**(payload if payload is not None else build()), "seq": seq, "cursor": cursor, **fields}


# ------------------------------------------------------------ the next update, sent ahead
def ahead_position(lab: Lab, display_key: tuple, seq: int) -> tuple[str, int]:
    """(key, seq) the next update's payload carries when sent ahead of the cursor: the key the view
    will have once the server follows the browser there (``adopt_ahead``), the seq of now."""
    source = st.session_state.get(_SV_SOURCE)
    counter = source[3] + 1 if source else 0
    return f"u{lab.stepper.update + 1}-{counter}", seq


def ahead_sent(lab: Lab, display_key: tuple, granularity: str, payload: dict | None) -> None:
    """What goes out with the current update's payload as the next one's (None: nothing, the server
    answers that step itself), kept for this update and these settings."""
    st.session_state[_SV_AHEAD] = (lab.trace, display_key, granularity, payload)


def sent_ahead(lab: Lab, display_key: tuple, granularity: str) -> tuple[bool, dict | None]:
    """(known, payload): whether the next update's payload was decided for the lab as it is now (same
    update, same settings), and that payload (None: none is sent ahead)."""
    a = st.session_state.get(_SV_AHEAD)
    if a is None or a[0] is not lab.trace or a[1] != display_key or a[2] != granularity:
        return False, None
    return True, a[3]


def remember_sent(key: str, granularity, payload: dict) -> None:
    """The payload as it went out (with its ``ahead``) for this key and step size, for the next run's
    ``cached_payload``."""
    st.session_state[_SV_PAYLOAD] = (key, granularity, payload)


def adopt_ahead(lab: Lab, display_key: tuple, payload: dict, sent_as) -> None:
    """The lab has entered the update sent ahead: its key becomes the current one (the browser's reports
    carry it), the browser shows its start, and the payload is the one already sent (not built again):
    ``sent_as`` is the step size as ``cached_payload`` is asked for it."""
    s = st.session_state
    source = s.get(_SV_SOURCE)
    counter = source[3] + 1 if source else 0
    s[_SV_SOURCE] = (lab.trace, display_key, payload["key"], counter)
    s[_SV_SEQ] = payload["seq"]
    s[_SV_BROWSER] = (payload["key"], -1)
    s[_SV_PAYLOAD] = (payload["key"], sent_as, payload)
    s.pop(_SV_AHEAD, None)


# ------------------------------------------------------------ what is worked out once per update
_PER_UPDATE = "per_update"  # name → (trace, value): a value that depends only on the update's trace


def per_update(name: str, lab: Lab, build, key: Any = None) -> Any:
    """``build()``'s value, kept while the lab stays on the same update (its trace) and ``key`` (e.g. the
    selection it depends on) stays the same; one value per name."""
    memo = st.session_state.setdefault(_PER_UPDATE, {})
    kept = memo.get(name)
    if kept is None or kept[0] is not lab.trace or kept[1] != key:
        kept = memo[name] = (lab.trace, key, build())
    return kept[2]


_PATH_TARGET = "path_target"  # (kind, layer, i, j): whose chain-rule paths the graph draws


def path_target() -> tuple | None:
    return st.session_state.get(_PATH_TARGET)


def set_path_target(target: tuple | None) -> None:
    st.session_state[_PATH_TARGET] = target
