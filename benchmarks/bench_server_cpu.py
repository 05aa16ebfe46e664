"""Server CPU time per → press, stepped by a real browser through two whole updates.

    python benchmarks/bench_server_cpu.py [--gaps 1.5,0.3] [--updates 2]

Starts `streamlit run --server.headless true` on a free loopback port, opens the app in Debian's
Chromium (Playwright), presses → at a fixed spacing until the cursor has gone through ``--updates``
whole updates, waits until the server is idle, and reads the server process's CPU time
(user + system, /proc/PID/stat) before and after: the CPU it spent divided by the presses. The
spacings are a student's pace (1–2 s: 1.5 s) and a lecturer walking through quickly (0.3 s). The
page's own reports (the cursor after a pause, each new update) are what the server does for them.

A Streamlit server spends CPU while nothing happens too (~4 ms a second here, with or without a page
open): the same page is also left alone for as long as the presses took, and that idle CPU is printed
beside the total and taken off in the last column.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from browser_support import chromium, streamlit_server, wait_for_app  # noqa: E402

NETWORKS = [  # (label, query): a 2-8×6-1 update has ~900 events, two of them ~45 min at a student's pace
    ("textbook 2-2-2", "preset=mazur&data=preset&bias=frozen&bs=0"),
    ("default 2-4-1", ""),
]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS


def server_pid(port: int) -> int:
    """The process listening on this loopback port (the streamlit server)."""
    import subprocess

    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return int(out.split("pid=")[1].split(",")[0])


def step_updates(page, updates: int, gap: float) -> int:
    """Press → every ``gap`` seconds until ``updates`` updates are done; returns the presses."""
    start = page.evaluate("() => Number(new URL(location.href).searchParams.get('u') || 0)")
    presses = 0
    while page.evaluate("() => Number(new URL(location.href).searchParams.get('u') || 0)") < start + updates:
        page.keyboard.press("ArrowRight")
        presses += 1
        time.sleep(gap)
    return presses


def measure(browser, url: str, pid: int, query: str, gap: float, updates: int) -> tuple[int, float, float]:
    """(presses, server CPU seconds while stepping, server CPU seconds idle for as long)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    page.goto(f"{url}/?{query}" if query else url, timeout=120_000)
    wait_for_app(page, 120_000)
    page.wait_for_selector(".bp-sv-svg .bp-sv-nodes circle", timeout=120_000)
    time.sleep(3)  # the first page's work is over
    before, t0 = cpu_seconds(pid), time.monotonic()
    presses = step_updates(page, updates, gap)
    time.sleep(3)  # the last reports (a 2 s pause sends the cursor) are answered
    wait_for_app(page, 120_000)
    spent, seconds = cpu_seconds(pid) - before, time.monotonic() - t0
    before = cpu_seconds(pid)
    time.sleep(seconds)  # the same page, left alone as long
    idle = cpu_seconds(pid) - before
    ctx.close()
    return presses, spent, idle


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gaps", default="1.5,0.3", help="seconds between presses, comma-separated")
    ap.add_argument("--updates", type=int, default=2)
    args = ap.parse_args()
    gaps = [float(g) for g in args.gaps.split(",")]
    rows = []
    with chromium() as browser, streamlit_server() as (url, _log):
        pid = server_pid(int(url.rsplit(":", 1)[1]))
        for label, query in NETWORKS:
            for gap in gaps:
                rows.append((label, gap, *measure(browser, url, pid, query, gap, args.updates)))
    print(f"\nServer CPU per → press over {args.updates} whole updates ({time.strftime('%Y-%m-%d')})\n")
    print(
        "| network | press every (s) | presses | server CPU (ms) | per press (ms) | idle as long (ms) | per press, less idle (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, gap, presses, spent, idle in rows:
        print(
            f"| {label} | {gap:g} | {presses} | {1e3 * spent:.0f} | {1e3 * spent / presses:.2f} | {1e3 * idle:.0f} "
            f"| {1e3 * (spent - idle) / presses:.2f} |"
        )


if __name__ == "__main__":
    main()
