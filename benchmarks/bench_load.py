"""Load: many students on ONE `streamlit run` server, each stepping and training its own lab.

    python benchmarks/bench_load.py [--sessions 20] [--steps 40] [--trains 3] [--epochs 10]

Each simulated student is a websocket client speaking Streamlit's own protocol, as a browser
tab does: BackMsg protobufs (``rerun_script`` with the clicked widget's trigger, and the
fragment id when the widget lives in the app's live ``st.fragment``) go to
``/_stcore/stream``; ForwardMsg protobufs (deltas, ``script_finished``) come back. A student
opens the page, presses → ``--steps`` times (every seventh press is ←), then "Train N epochs"
``--trains`` times, all sessions at once. A press moves the step view's cursor as its browser
code does (tests/step_view_moves.py) and sends what the browser would send for it at once: the
cursor (a real browser sends it only after a 2 s pause, so this is an upper bound on the
server's work), or a request for the next or previous update or another window. Every action
waits for its run's ``script_finished``; its time is send → finished.

Checked, per action: no exception element, no error alert, the run finished; and at the end,
per session, the scrubber (its cursor) and its label (its update) equal what a private
``Lab`` replaying the same actions says, so no session ever moved another's network or
cursor. Bounded: ``--timeout`` seconds per action, ``--deadline`` for the whole run.
Prints a markdown table (errors must be 0) and the p50/p95 time per step and per training.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.join(ROOT, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(ROOT, "tests"))  # tests/browser_support: the app server

__all__ = ["StreamlitClient", "RunResult", "LoadReport", "run_load", "expected_position", "markdown_table"]

FINISHED = {"FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"}


@dataclass
class Widget:
    id: str
    fragment_id: str
    kind: str  # the Element oneof name: button, slider, number_input, …
    proto: object


@dataclass
class RunResult:
    """What one script run sent back."""

    seconds: float
    status: str
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error bodies
    auto_rerun: float | None = None  # a fragment asked to be rerun every … s (play mode) …
    auto_fragment: str = ""  # … this one (the last to ask)
    auto_fragments: dict = field(default_factory=dict)  # every fragment that asked: id → interval

    @property
    def ok(self) -> bool:
        return self.status in FINISHED and not self.exceptions and not self.errors


class StreamlitClient:
    """One browser tab's conversation with a Streamlit server, without the browser.

    >>> c = StreamlitClient("http://127.0.0.1:8501"); await c.open("h=3")
    >>> await c.press("next"); c.position
    """

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.url = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.ws = None
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # by user key, as last drawn
        self.query = ""
        self.reports = 0  # the step view's reports sent (their ``n``)
        self.key, self.cursor = None, None  # the step view's cursor in "the browser", for this payload key
        self.local: dict | None = None  # the next update sent ahead, stepped into by "the browser"
        self.background: asyncio.Task | None = None  # its report, running while the presses go on
        self.background_s: list[float] = []  # the times of those reports (send → finished)

    async def open(self, query: str = "") -> RunResult:
        import websockets

        self.ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout, ping_interval=None
        )
        self.query = query
        return await self._run([], "")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def click(self, key: str) -> RunResult:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        w = self.widgets[key]
        return await self._run([WidgetState(id=w.id, trigger_value=True)], w.fragment_id)

    @property
    def payload(self) -> dict | None:
        """The step view's payload as last drawn by the server."""
        w = self.widgets.get("step_view")
        return json.loads(w.proto.json)["payload"] if w is not None else None

    @property
    def view(self) -> dict | None:
        """The payload the browser steps on: the next update sent ahead once it has stepped into it,
        until the server's own payload for that update arrives; the server's otherwise."""
        p = self.payload
        if self.local is not None and (p is None or p["key"] != self.local["key"]):
            return self.local
        self.local = None
        return p

    async def press(self, direction: str, *, local: bool = False) -> RunResult | None:
        """One press of → ("next") or ← ("back") in the step view, as a browser does it: the cursor moves
        in the page, and what the browser then sends (``step_view_moves.move``: the debounced cursor, or a
        request for the next or previous update or another window) goes to the server. None: the press
        waited for nothing (← at the first update's start, → blocked by a problem, or ``local``: a move
        inside the window, whose cursor the browser reports only after a pause — see ``flush`` — or a step
        into the next update sent ahead, whose report runs in the background — see ``background_s``)."""
        from step_view_moves import move

        p = self.view
        cursor = self.cursor if self.cursor is not None and self.key == p["key"] else p["cursor"]
        answer = move(p, cursor, direction)
        if answer is None:
            return None
        kind, target = answer
        if local and kind == "cursor":
            self.key, self.cursor = p["key"], target
            return None
        if local and kind == "ahead":  # the browser steps on at once; its report does not hold the press
            await self._settle()
            self.local = p["ahead"]
            self.key, self.cursor = self.local["key"], target
            self.background = asyncio.create_task(self._report("cursor", target, on=self.local))
            return None
        if kind == "ahead":
            kind = "cursor"
            self.local = p["ahead"]
        t0 = time.perf_counter()
        await self._settle()  # (one websocket: a request sent meanwhile waits for the one in flight)
        r = await self._report(kind, target, on=self.local if self.local is not None else p)
        r.seconds = time.perf_counter() - t0
        return r

    async def _settle(self) -> None:
        """Wait for the report running in the background, if any (its time goes to ``background_s``)."""
        if self.background is not None:
            task, self.background = self.background, None
            r = await task
            self.background_s.append(r.seconds)
            if not r.ok:
                raise RuntimeError(f"background report: {r.status} {r.exceptions[:1]} {r.errors[:1]}")

    async def flush(self) -> RunResult | None:
        """The browser's cursor report after a pause (None when the server already has that cursor)."""
        await self._settle()
        p = self.view
        if p is None or self.key != p["key"] or self.cursor is None or self.cursor == p["cursor"]:
            return None
        return await self._report("cursor", self.cursor, on=p)

    async def _report(self, kind: str, target: int, on: dict | None = None) -> RunResult:
        """Send the step view's report (its component state) as the browser does, and wait for the run.
        ``on``: the payload the browser steps on (default: the server's last)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        p = on if on is not None else self.payload
        self.reports += 1
        raw = {"kind": kind, "key": p["key"], "seq": p["seq"], "cursor": target, "n": self.reports}
        self.key, self.cursor = (p["key"], target) if kind in ("cursor", "window") else (None, None)
        w = self.widgets["step_view"]
        return await self._run([WidgetState(id=w.id, json_value=json.dumps({"report": raw}))], w.fragment_id)

    @property
    def position(self) -> tuple[int, int]:
        """(update, cursor) the page shows."""
        p = self.view
        return p["update"], (self.cursor if self.key == p["key"] and self.cursor is not None else p["cursor"])

    async def set_int(self, key: str, value: int) -> RunResult:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        w = self.widgets[key]
        return await self._run([WidgetState(id=w.id, int_value=int(value))], w.fragment_id)

    async def rerun_fragment(self, fragment_id: str) -> RunResult:
        """What the browser sends on a fragment's run_every tick."""
        return await self._run([], fragment_id, auto=True)

    async def _run(self, states, fragment_id: str, auto: bool = False) -> RunResult:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.page_script_hash = self.page_hash
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        rs.widget_states.widgets.extend(states)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        result = RunResult(0.0, "TIMEOUT")
        deadline = t0 + self.timeout
        while True:
            data = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.perf_counter()))
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fm.new_session.page_script_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "auto_rerun":
                result.auto_rerun, result.auto_fragment = fm.auto_rerun.interval, fm.auto_rerun.fragment_id
                result.auto_fragments[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, fm.delta.fragment_id, result)
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                if status != "FINISHED_EARLY_FOR_RERUN":  # st.rerun(): the next run follows on its own
                    result.status = status
                    result.seconds = time.perf_counter() - t0
                    return result

    def _element(self, el, fragment_id: str, result: RunResult) -> None:
        kind = el.WhichOneof("type")
        if kind == "exception":
            result.exceptions.append(f"{el.exception.type}: {el.exception.message}")
        elif kind == "alert" and el.alert.format == 1:  # ERROR
            result.errors.append(el.alert.body)
        proto = getattr(el, kind, None) if kind else None
        wid = getattr(proto, "id", "") if proto is not None else ""
        if isinstance(wid, str) and wid.startswith("$$ID"):
            key = wid.split("-", 2)[-1]
            if key != "None":
                self.widgets[key] = Widget(wid, fragment_id, kind, proto)


# ------------------------------------------------------------------ a class of students
def expected_position(query: str, actions: list[tuple[str, int]]) -> tuple[int, int]:
    """(update, cursor) of a private Lab after the same actions: what each session must show."""
    from urllib.parse import parse_qsl

    from components.model.links import restore_from_query

    lab, _ = restore_from_query(dict(parse_qsl(query)))
    for action, n in actions:
        if action == "next":
            lab.step(lab.display.granularity)
        elif action == "back":
            lab.step(lab.display.granularity, forward=False)
        elif action == "train":
            lab.train_epochs(n)
    return lab.stepper.update, lab.stepper.cursor


def _plan(i: int, steps: int, trains: int, epochs: int) -> list[tuple[str, int]]:
    """Session i's actions: steps presses of → (every seventh but the first, offset by i, is ←), then trains."""
    plan = [("back" if k and (k + i) % 7 == 6 else "next", 1) for k in range(steps)]
    return plan + [("train", epochs)] * trains


@dataclass
class LoadReport:
    sessions: int
    actions: int = 0
    errors: list[str] = field(default_factory=list)
    step_s: list[float] = field(default_factory=list)  # requests a press waited for (send → finished)
    press_s: list[float] = field(default_factory=list)  # every press: how long it waited for the server (0: none)
    background_s: list[float] = field(default_factory=list)  # reports no press waited for (the next update's)
    train_s: list[float] = field(default_factory=list)
    open_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    mismatches: list[str] = field(default_factory=list)

    @staticmethod
    def _pct(xs: list[float], q: float) -> float:
        if not xs:
            return float("nan")
        xs = sorted(xs)
        return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]

    def p(self, which: str, q: float) -> float:
        return self._pct(getattr(self, which), q)


async def _student(
    i: int, url: str, query: str, plan, *, epochs: int, timeout: float, report: LoadReport, pace=None
) -> None:
    c = StreamlitClient(url, timeout)
    where = f"session {i}"
    try:
        r = await c.open(query)
        if r.ok and c.payload is not None:  # the step view's first report, sent once it has painted
            t0 = time.perf_counter() - r.seconds
            r = await c._report("cursor", c.payload["cursor"])
            r.seconds = time.perf_counter() - t0
        report.open_s.append(r.seconds)
        report.actions += 1
        if not r.ok:
            report.errors.append(f"{where} open: {r.status} {r.exceptions[:1]} {r.errors[:1]}")
            return
        await c.set_int("ctl_n_epochs", epochs)
        for action, _ in plan:
            if pace is not None:  # a student's pace: the seconds between two presses
                await asyncio.sleep(pace(i))
            if action in ("next", "back"):  # the step view: the browser moves, then reports
                if c.payload is None:
                    report.errors.append(f"{where}: no step view on the page")
                    return
                r = await c.press(action, local=pace is not None)
                report.press_s.append(0.0 if r is None else r.seconds)
                if r is None:  # the press waited for nothing (a move inside the window, ← at the start, ahead)
                    continue
            else:
                w = c.widgets.get("ctl_train")
                if w is None or getattr(w.proto, "disabled", False):
                    report.errors.append(f"{where}: ctl_train missing or disabled")
                    return
                r = await c.click("ctl_train")
            report.actions += 1
            (report.train_s if action == "train" else report.step_s).append(r.seconds)
            if not r.ok:
                report.errors.append(f"{where} {action}: {r.status} {r.exceptions[:1]} {r.errors[:1]}")
                return
        if pace is not None:
            await c.flush()  # the pause after the last press: the browser reports its cursor
        report.background_s += c.background_s
        shown = c.position
        expected = expected_position(query, plan)
        if shown != expected:
            report.mismatches.append(f"{where}: shows (update, cursor) {shown}, its own actions give {expected}")
    except Exception as e:  # a timeout, a dropped connection, a protocol error: all count
        report.errors.append(f"{where}: {type(e).__name__}: {e}")
    finally:
        await c.close()


def run_load(
    url: str,
    sessions: int = 20,
    steps: int = 40,
    *,
    trains: int = 3,
    epochs: int = 10,
    query: str = "",
    timeout: float = 120.0,
    deadline: float = 600.0,
    pace=None,
) -> LoadReport:
    """Drive ``sessions`` concurrent students against the server at ``url``; see the module doc."""
    report = LoadReport(sessions)

    async def main():
        tasks = [
            _student(
                i, url, query, _plan(i, steps, trains, epochs), epochs=epochs, timeout=timeout, report=report, pace=pace
            )
            for i in range(sessions)
        ]
        await asyncio.wait_for(asyncio.gather(*tasks), deadline)

    t0 = time.perf_counter()
    try:
        asyncio.run(main())
    except (asyncio.TimeoutError, TimeoutError):
        report.errors.append(f"the whole run exceeded its deadline of {deadline:g} s")
    report.wall_s = time.perf_counter() - t0
    return report


def markdown_table(rows: list[tuple[str, LoadReport]]) -> str:
    ms = lambda x: f"{1e3 * x:.0f}"  # noqa: E731
    out = [
        "| scenario | sessions | actions | errors | state mismatches | open p50 (ms) | press p50 / p95 (ms) "
        "| presses waiting | step requests p50 / p95 (ms) | background reports p50 / p95 (ms) "
        "| train p50 / p95 (ms) | wall (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        waiting = sum(x > 0 for x in r.press_s)
        out.append(
            f"| {label} | {r.sessions} | {r.actions} | {len(r.errors)} | {len(r.mismatches)} | "
            f"{ms(r.p('open_s', 0.5))} | {ms(r.p('press_s', 0.5))} / {ms(r.p('press_s', 0.95))} | "
            f"{waiting} of {len(r.press_s)} | {ms(r.p('step_s', 0.5))} / {ms(r.p('step_s', 0.95))} | "
            f"{ms(r.p('background_s', 0.5))} / {ms(r.p('background_s', 0.95))} ({len(r.background_s)}) | "
            f"{ms(r.p('train_s', 0.5))} / {ms(r.p('train_s', 0.95))} | {r.wall_s:.1f} |"
        )
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--trains", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10, help="epochs per 'Train N epochs' press")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per action")
    ap.add_argument("--deadline", type=float, default=900.0, help="seconds for each scenario")
    ap.add_argument(
        "--student-pace",
        action="store_true",
        help="press every 1–2 s (uniform, seeded per session) and report the cursor as a browser does: only "
        "what leaves the window or the update, and the cursor after the last press; the step times are then "
        "those of the requests that reach the server",
    )
    args = ap.parse_args(argv)
    pace = None
    if args.student_pace:
        import random

        rngs: dict[int, random.Random] = {}
        pace = lambda i: rngs.setdefault(i, random.Random(i)).uniform(1.0, 2.0)  # noqa: E731
    from browser_support import streamlit_server

    scenarios = [
        ("default 2-4-1, XOR, batch 1", ""),
        ("XOR preset 2-4-1 tanh, batch 10", "preset=xor&h=4&act=tanh&bs=10&noise=0.05&init=xavier"),
    ]
    rows = []
    with streamlit_server() as (url, log_path):
        asyncio.run(_warm(url))  # imports and the first script compile, outside the measurement
        for label, query in scenarios:
            r = run_load(
                url,
                args.sessions,
                args.steps,
                trains=args.trains,
                epochs=args.epochs,
                query=query,
                timeout=args.timeout,
                deadline=args.deadline,
                pace=pace,
            )
            rows.append((label, r))
            for e in (r.errors + r.mismatches)[:10]:
                print("  !", e, file=sys.stderr)
        log = open(log_path).read()
    print(markdown_table(rows))
    cores = os.cpu_count()
    print(
        f"\nOne `streamlit run` server on loopback, {cores} CPU cores; each action timed from sending its "
        "BackMsg to its script_finished."
    )
    bad = sum(len(r.errors) + len(r.mismatches) for _, r in rows)
    if "Traceback" in log or "RuntimeWarning" in log:
        print("server log has a traceback or RuntimeWarning", file=sys.stderr)
        bad += 1
    return 1 if bad else 0


async def _warm(url: str) -> None:
    c = StreamlitClient(url)
    try:
        await c.open("")
    finally:
        await c.close()


if __name__ == "__main__":
    sys.exit(main())
