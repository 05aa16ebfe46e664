"""Step latency in a real browser: pressing → until the new formula is painted.

    python benchmarks/bench_step_latency.py [--presses 25] [--warmup 5]

Starts `streamlit run --server.headless true` on free loopback ports for the app (default
network; 2-8×6-1 tanh) and for benchmarks/bare_app.py (a page whose → button only changes
one st.latex line: the floor), drives Debian's Chromium with Playwright and presses → in
turn on each page (round robin, so a busy machine slows them alike). For each press the page
records, on performance.now():

    keydown ─► rerun request sent ─► first reply ─► new formula painted   (the latency)
                                                └─► last reply handled

"painted" = the KaTeX source of a display formula changed (MutationObserver), then the next
animation frame has been rendered: a user-blocking task (scheduler.postTask) queued from that
frame's requestAnimationFrame runs right after its style, layout and paint. Until 2026-12-01
the mark was a plain setTimeout task, which also waited for whatever the page had queued
before it (plotly's second draw of a new chart, the end-of-run bookkeeping: ~40 ms on the app,
~1 ms on the bare page); that older measure is still printed as "… + queued work". "page busy" = main-thread
long tasks (> 50 ms) between the key and the paint: rendering, not waiting for the server.
Between presses the page is left to go idle (run finished, charts drawn, 0.4 s without a
message), so each press starts from rest. Prints markdown tables: median and p90 latency,
the ratio to the bare page, and where the time goes.
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

from browser_support import chromium, streamlit_server, wait_for_app  # noqa: E402

PAGES = [  # (label, script, query, extra streamlit options)
    ("bare page (floor)", "benchmarks/bare_app.py", "", ()),
    # the same page with Streamlit's default runner, which forces gc.collect(2) after every run
    # (.streamlit/config.toml turns that off for both pages above and below)
    ("bare page, Streamlit's default gc", "benchmarks/bare_app.py", "", ("--runner.postScriptGC", "true")),
    ("app, default network (2-4-1)", "app.py", "", ()),
    ("app, 2-8×6-1 tanh", "app.py", "h=8-8-8-8-8-8&act=tanh", ()),
    ("app, 2-32×4-1 tanh", "app.py", "h=32-32-32-32&act=tanh", ()),
    # the same network with every neuron drawn as its picture over the input plane (129 images)
    ("app, 2-32×4-1 tanh, neuron pictures", "app.py", "h=32-32-32-32&act=tanh&pic=1", ()),
    # 784-32-10, batch of 10 (51,741 events an update, sent in windows): built by a wrapper (the page
    # cannot build 784 inputs)
    ("app, 784-32-10 sigmoid, batch 10", "benchmarks/wide_input_app.py", "", ()),
]

# Record keydown, websocket traffic and the time the formula changes, all on performance.now().
INIT_JS = """
(() => {
  const log = window.__bench = {keydown: [], sent: [], recv: [], busy: []};
  // main-thread tasks over 50 ms (start, duration): the page's own work, not the server's
  new PerformanceObserver(l => l.getEntries().forEach(e => log.busy.push([e.startTime, e.duration])))
    .observe({type: 'longtask', buffered: false});
  window.addEventListener('keydown', e => { if (e.key === 'ArrowRight') log.keydown.push(performance.now()); }, true);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', ev => log.recv.push([performance.now(), ev.data.byteLength ?? ev.data.length ?? 0]));
    }
    send(d) { log.sent.push(performance.now()); return super.send(d); }
  };
})();
"""
FORMULA_JS = "() => [...document.querySelectorAll('.katex-display annotation')].map(a => a.textContent).join('\\n')"
ARM_JS = (
    """
before => new Promise(resolve => {
  window.__painted = null;
  window.__queued = null;
  const current = """
    + FORMULA_JS
    + """;
  const check = () => {
    if (current() !== before) {
      obs.disconnect();
      requestAnimationFrame(() => {
        scheduler.postTask(() => { window.__painted = performance.now(); }, {priority: 'user-blocking'});
        setTimeout(() => { window.__queued = performance.now(); }, 0);
      });
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  resolve();
})
"""
)


def idle(page) -> None:
    """Wait until the run has finished and nothing has arrived on the websocket for 0.4 s."""
    wait_for_app(page, 120_000)
    page.wait_for_function(
        "() => { const r = window.__bench.recv; return !r.length || performance.now() - r[r.length - 1][0] > 400; }",
        timeout=120_000,
        polling=100,
    )


class Page:
    """One page under test; ``press()`` measures one → press from rest."""

    def __init__(self, browser, url: str):
        self.ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.ctx.add_init_script(INIT_JS)
        self.page = self.ctx.new_page()
        self.page.bring_to_front()  # a page in the background gets no animation frames
        self.page.goto(url, timeout=120_000)
        wait_for_app(self.page, 120_000)
        self.page.wait_for_selector(".katex-display", timeout=120_000)
        self.page.get_by_role("button", name="Next").first.wait_for(timeout=120_000)
        idle(self.page)

    def press(self) -> dict:
        page = self.page
        page.bring_to_front()
        before = page.evaluate(FORMULA_JS)
        page.evaluate(ARM_JS, before)
        n_recv = page.evaluate("() => window.__bench.recv.length")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => window.__painted !== null && window.__queued !== null", timeout=120_000, polling="raf"
        )
        idle(page)
        b = page.evaluate("() => window.__bench")
        t0, (painted, queued) = b["keydown"][-1], page.evaluate("() => [window.__painted, window.__queued]")
        sent = next((t for t in b["sent"] if t >= t0), None)  # none: the step view moved in the browser
        recv = [r for r in b["recv"][n_recv:] if r[0] <= painted]  # what the press waited for
        busy = sum(
            min(start + d, painted) - max(start, t0) for start, d in b["busy"] if start + d > t0 and start < painted
        )
        nan = float("nan")
        return {
            "total": painted - t0,
            "queued": queued - t0,
            "dispatch": sent - t0 if sent is not None and sent <= painted else nan,
            "first_reply": recv[0][0] - t0 if recv else nan,
            "busy": busy,
            "run_done": recv[-1][0] - t0 if recv else nan,
            "kb": sum(n for _, n in recv) / 1024,
        }

    def close(self) -> None:
        self.ctx.close()


def measure(browser, urls: dict[str, str], presses: int, warmup: int) -> dict[str, list[dict]]:
    """Round robin over the pages, one press each in turn, so a busy machine slows them alike."""
    pages = {label: Page(browser, url) for label, url in urls.items()}
    out = {label: [] for label in urls}
    for i in range(warmup + presses):
        for label, p in pages.items():
            r = p.press()
            if i >= warmup:
                out[label].append(r)
    for p in pages.values():
        p.close()
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=25)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--only", action="append", default=[], help="pages whose label contains this (repeatable)")
    args = ap.parse_args()
    pages = [p for p in PAGES if not args.only or p in PAGES[:2] or any(o in p[0] for o in args.only)]
    with chromium() as browser, contextlib.ExitStack() as servers:
        urls = {}
        for label, script, query, extra in pages:
            url, _log = servers.enter_context(streamlit_server(script, extra_args=extra))
            urls[label] = f"{url}/?{query}" if query else url
        results = measure(browser, urls, args.presses, args.warmup)
    floor = statistics.median(r["total"] for r in results[PAGES[0][0]])
    print(
        f"\nStep latency: → pressed until the new formula is painted ({args.presses} presses each after "
        f"{args.warmup} warm-up; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs)\n"
    )
    floor_gc = statistics.median(r["total"] for r in results[PAGES[1][0]])
    floor_q = statistics.median(r["queued"] for r in results[PAGES[1][0]])
    print(
        "| page | median ms | p90 ms | × bare page (median) | × bare page with default gc "
        "| … + queued work, median ms (× default-gc bare page) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, rs in results.items():
        tot = [r["total"] for r in rs]
        m, q = statistics.median(tot), statistics.median(r["queued"] for r in rs)
        print(
            f"| {label} | {m:.0f} | {pct(tot, 0.9):.0f} | {m / floor:.2f} | {m / floor_gc:.2f} "
            f"| {q:.0f} ({q / floor_q:.2f}) |"
        )
    print("\nWhere the time goes (medians):\n")
    print(
        "| page | key → request sent | key → first reply | key → formula painted | of which page busy (long tasks) "
        "| key → last reply handled | received per press |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    nan = float("nan")  # no request: the press never waited for the server
    for label, rs in results.items():
        m = {
            k: statistics.median(r[k] for r in rs if r[k] == r[k]) if any(r[k] == r[k] for r in rs) else nan
            for k in rs[0]
        }
        print(
            f"| {label} | {m['dispatch']:.0f} ms | {m['first_reply']:.0f} ms | {m['total']:.0f} ms "
            f"| {m['busy']:.0f} ms "
            f"| {m['run_done']:.0f} ms | {m['kb']:.0f} kB |"
        )


if __name__ == "__main__":
    main()
