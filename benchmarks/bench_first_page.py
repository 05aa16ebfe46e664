"""First page in a fresh browser: from navigation until the formula (and, for the app, the graph) is drawn.

    python benchmarks/bench_first_page.py [--loads 7]

Starts the app and benchmarks/bare_app.py (one button that changes one st.latex: the floor, with
Streamlit's default settings) with `streamlit run --server.headless true` on free loopback ports and
opens each, in turn, in a new browser context (no cache, no cookies: a student's first visit) of Debian's
Chromium. The time is from ``page.goto`` until a KaTeX formula is painted on the bare page, and until
the step view shows its formula and the network graph on the app (also opened as a phone: 390×844,
touch, device scale factor 2). Prints the medians and the ratio.

"Drawn" is seen at the first animation frame that holds the selectors (``wait_for_function`` with
``polling="raf"``). Playwright's ``wait_for_selector`` looks again after 0, 20, 50, 100, 100 ms and then
only every 500 ms (``retryWithProgressAndBackoff`` in its driver), so a page drawn later than ~0.3 s
after ``goto`` returns is seen up to half a second late: that instrument is measured too, interleaved, in
the last columns (``--no-backoff`` leaves it out).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from browser_support import chromium, streamlit_server  # noqa: E402

PAGES = [  # (label, script, what "drawn" is, extra streamlit options)
    (
        "bare page, Streamlit's default gc",
        "benchmarks/bare_app.py",
        ".katex-display",
        ("--runner.postScriptGC", "true"),
    ),
    ("app, default network", "app.py", ".bp-sv-formulas .katex-display", ()),
]
# The same app opened on a phone (390×844, touch, device scale factor 2): the issue on phones asks that its
# first page be no heavier than on a desktop.
PHONE = "app, default network, on a phone (390×844)"
PHONE_CONTEXT = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
GRAPH = ".bp-sv-svg .bp-sv-nodes circle"


def load(browser, url: str, selector: str, graph: bool, phone: bool = False, backoff: bool = False) -> float:
    """Seconds from ``goto`` until ``selector`` (and the graph) are in the page and painted; ``backoff``:
    seen by Playwright's ``wait_for_selector`` (its backoff polling) instead of at the next frame."""
    ctx = (
        browser.new_context(**PHONE_CONTEXT) if phone else browser.new_context(viewport={"width": 1440, "height": 1000})
    )
    page = ctx.new_page()
    wanted = [selector, GRAPH] if graph else [selector]
    t0 = time.perf_counter()
    page.goto(url, timeout=120_000)
    if backoff:
        for s in wanted:
            page.wait_for_selector(s, timeout=120_000)
    else:
        page.wait_for_function(
            "(wanted) => wanted.every((s) => document.querySelector(s))", arg=wanted, polling="raf", timeout=120_000
        )
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")  # painted
    seconds = time.perf_counter() - t0
    ctx.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loads", type=int, default=7)
    ap.add_argument("--no-backoff", action="store_true", help="leave out the loads seen by wait_for_selector")
    args = ap.parse_args()
    instruments = (False,) if args.no_backoff else (False, True)
    times = {(label, b): [] for label in [label for label, *_ in PAGES] + [PHONE] for b in instruments}
    with chromium() as browser, contextlib.ExitStack() as servers:
        urls = {
            label: servers.enter_context(streamlit_server(script, extra_args=extra))[0]
            for label, script, _, extra in PAGES
        }
        for label, _, selector, _ in PAGES:  # warm the servers (imports, first run)
            load(browser, urls[label], selector, label.startswith("app"))
        for _ in range(args.loads):
            for b in instruments:
                for label, _, selector, _ in PAGES:
                    times[label, b].append(load(browser, urls[label], selector, label.startswith("app"), backoff=b))
                app_label, _, selector, _ = PAGES[1]
                times[PHONE, b].append(load(browser, urls[app_label], selector, True, phone=True, backoff=b))
    floor = {b: statistics.median(times[PAGES[0][0], b]) for b in instruments}
    print(f"\nFirst page in a fresh browser ({args.loads} loads each, interleaved; {time.strftime('%Y-%m-%d')})\n")
    head = "| page | median s | min s | × bare page |"
    rule = "|---|---:|---:|---:|"
    if not args.no_backoff:
        head += " seen by wait_for_selector: median s | × bare page |"
        rule += "---:|---:|"
    print(head)
    print(rule)
    for label in [label for label, *_ in PAGES] + [PHONE]:
        ts = times[label, False]
        m = statistics.median(ts)
        row = f"| {label} | {m:.2f} | {min(ts):.2f} | {m / floor[False]:.2f} |"
        if not args.no_backoff:
            mb = statistics.median(times[label, True])
            row += f" {mb:.2f} | {mb / floor[True]:.2f} |"
        print(row)


if __name__ == "__main__":
    main()
