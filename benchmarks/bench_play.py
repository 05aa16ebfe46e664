"""Play-mode throughput in a real browser: epochs per second and chart redraws per second.

    python benchmarks/bench_play.py [--seconds 10] [--speed 30]

Starts `streamlit run --server.headless true` on a free loopback port, opens the app with a
2-8×6-1 tanh network on 250 training points in mini-batches of 10 (25 updates per epoch, η = 0.05),
presses ▶ Play and watches for ``--seconds``:

* epochs per second: the completed updates the app writes into its link (``u=``) on every
  tick, divided by the updates per epoch (computed with the same configuration here);
* redraws per second of each chart: in the page, on the animation frame after each of its
  plotly draws, a fingerprint of what the chart has drawn (the loss and gradient-norm lines' SVG paths, the decision
  boundary's heatmap image, the network graph's node labels); a changed fingerprint is a
  redraw that reached the screen;
* ticks per second: live-view reruns (each rewrites the link).

Prints a markdown table. Targets (the stepping issue): ≥ 30 epochs/s and the graph redrawn ≥ 10 times
a second, every chart following. "graph drawings" counts every drawing the graph reports, whether or not
what it shows changed (with ~20 colour steps per edge, an epoch often changes no edge's colour).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))  # tests/browser_support: the app server and Chromium

from browser_support import chromium, streamlit_server, wait_for_app  # noqa: E402

# η = 0.05: at the default 0.5 this network's tanh output saturates at +1 within the first tick,
# training stalls and nothing on screen changes any more (no redraw to count).
QUERY = "h=8-8-8-8-8-8&act=tanh&out=tanh&n=250&test=0&bs=10&lr=0.05"
CHARTS = ("graph", "loss", "boundary", "gradient norms")  # told apart by their titles (the graph has none)

# Every plotly chart (Streamlit's, or the long-lived ones play mode draws into) reports each draw
# with its own "plotly_afterplot" event; on the next animation frame that chart is fingerprinted
# (heatmap images, line paths and their colours, texts) and counted as redrawn if what it shows
# changed. Light on purpose: a MutationObserver on every attribute of the page cost the browser
# ~40 ms per tick, a fifth of its time, and so held down the very rate it measured.
WATCH_JS = """
() => {
  const w = window.__watch = {changes: [], urls: [], stop: false};
  const last = new Map(), shown = new Map(), dirty = new Set();
  const print = el =>
    [...el.querySelectorAll('image')].map(i => i.getAttribute('href') || '').join('|') + '#' +
    [...el.querySelectorAll('.scatterlayer path')].map(p => (p.getAttribute('d') || '') + (p.getAttribute('style') || '')).join('|') + '#' +
    [...el.querySelectorAll('.scatterlayer text, .annotation-text')].map(t => t.textContent).join('|');
  // the visible chart of each kind (a chart being replaced can linger, unlaid, for a moment)
  const kind = el => { const t = (el.querySelector('.g-gtitle') || {}).textContent || '';
    return t.startsWith('Loss') ? 1 : t.startsWith('Decision') || t.startsWith('Fitted') ? 2 : t.startsWith('Gradient') ? 3 : 0; };
  const watch = () => {  // new charts: listen to their draws
    for (const gd of document.querySelectorAll('.js-plotly-plot'))
      if (!gd.__watched && gd.on) { gd.__watched = true; gd.on('plotly_afterplot', () => dirty.add(gd)); dirty.add(gd); }
  };
  const finder = setInterval(() => w.stop ? clearInterval(finder) : watch(), 50);
  const charts = () => { const out = [];
    for (const el of document.querySelectorAll('.js-plotly-plot'))
      if (el.getBoundingClientRect().height > 0 && el.querySelector('.main-svg')) out[kind(el)] = el;
    return out; };
  watch();
  charts().forEach((el, i) => el && i > 0 && last.set(i, print(el)));
  const frame = () => {
    if (w.stop) return;
    const now = performance.now();
    if (dirty.size) {
      charts().forEach((el, i) => {
        if (!el || i === 0 || (!dirty.has(el) && shown.get(i) === el)) return;  // (the graph: below)  // unchanged, and not a new element
        shown.set(i, el);
        const f = print(el);
        if (last.get(i) !== f) w.changes.push([now, i]);
        last.set(i, f);
      });
      dirty.clear();
    }
    // the graph (the step view's SVG, graph only while playing): each drawing it reports (data-frame),
    // fingerprinted by its edges' colours and widths and its nodes' fills and texts
    const g = document.querySelector('.bp-sv-graph-only');
    const root = g && g.parentElement;
    if (root && root.dataset.frame !== w.graphFrame) {
      w.graphFrame = root.dataset.frame;
      w.drawings = (w.drawings || 0) + 1;  // (changed or not)
      const f = [...g.querySelectorAll('.bp-sv-edges line')].map(l => l.getAttribute('stroke') + l.getAttribute('stroke-width')).join('|') +
        '#' + [...g.querySelectorAll('.bp-sv-nodes circle, .bp-sv-nodes rect, .bp-sv-nodes text')].map(n => n.getAttribute('fill') + n.textContent).join('|');
      if (last.get(0) !== f) w.changes.push([now, 0]);
      last.set(0, f);
    }
    if (!w.urls.length || w.urls[w.urls.length - 1][1] !== location.href) w.urls.push([now, location.href]);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
"""


def updates_in(url: str) -> int:
    return int(parse_qs(urlsplit(url).query).get("u", ["0"])[0])


def updates_per_epoch(query: str) -> int:
    from components.model.config import from_query
    from components.model.lab import build_lab

    config, ignored = from_query({k: v[0] for k, v in parse_qs(query).items()})
    assert not ignored, ignored
    return build_lab(config).stepper.updates_per_epoch


SPEEDS = [1, 2, 5, 10, 20, 30, 50, 100, 200]  # the "Epochs per second" choices (components/controls.py)


def set_speed(page, speed: int) -> None:
    """Move the "Epochs per second" slider from its default (30) to ``speed`` with the arrow keys."""
    steps = SPEEDS.index(speed) - SPEEDS.index(30)
    thumb = page.get_by_role("slider", name="Epochs per second")
    thumb.focus()
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    if steps:
        page.wait_for_function(
            "s => document.querySelector('input[type=range][aria-label=\"Epochs per second\"]')"
            "?.getAttribute('aria-valuetext') === s",
            arg=str(speed),
            timeout=120_000,
        )
        wait_for_app(page, 120_000)


def run(seconds: float, script: str = "app.py", extra: str = "", speed: int = 30) -> dict:
    query = QUERY + (f"&{extra}" if extra else "")
    per_epoch = updates_per_epoch(QUERY)
    with streamlit_server(script) as (url, _log), chromium() as browser:
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        page.goto(f"{url}/?{query}", timeout=120_000)
        wait_for_app(page, 120_000)
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=120_000)
        page.wait_for_selector("[data-testid='stMain'] .katex-display", timeout=120_000)  # the live view is drawn
        wait_for_app(page, 120_000)
        set_speed(page, speed)
        page.get_by_role("button", name="Play", exact=True).click()
        page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=120_000)
        page.wait_for_function("() => (new URL(location.href).searchParams.get('u') ?? '0') !== '0'", timeout=120_000)
        page.evaluate(WATCH_JS)
        t_start, u_start = time.time(), updates_in(page.url)
        page.wait_for_timeout(seconds * 1000)
        w = page.evaluate("() => { window.__watch.stop = true; return window.__watch; }")
        elapsed_py, u_end = time.time() - t_start, updates_in(page.url)
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=120_000)
        errors = page.locator("[data-testid='stException']").count()
    span = (w["urls"][-1][0] - w["urls"][0][0]) / 1000 if len(w["urls"]) > 1 else elapsed_py
    u0, u1 = updates_in(w["urls"][0][1]), updates_in(w["urls"][-1][1])
    redraws = {name: sum(1 for _, i in w["changes"] if i == k) / elapsed_py for k, name in enumerate(CHARTS)}
    return {
        "epochs_per_s": (u1 - u0) / per_epoch / span if span else 0.0,
        "epochs_per_s_coarse": (u_end - u_start) / per_epoch / elapsed_py,
        "ticks_per_s": (len(w["urls"]) - 1) / span if span else 0.0,
        "redraws": redraws,
        "graph_drawings": (w.get("drawings") or 0) / elapsed_py,
        "seconds": elapsed_py,
        "errors": errors,
        "per_epoch": per_epoch,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--script", default="app.py", help="the app to run (default app.py)")
    ap.add_argument("--extra", default="", help="more query parameters, e.g. hide=charts")
    ap.add_argument("--speed", type=int, default=30, choices=SPEEDS, help="epochs per second asked for (default 30)")
    args = ap.parse_args()
    r = run(args.seconds, args.script, args.extra, args.speed)
    print(
        f"\nPlay mode, 2-8×6-1 tanh, 250 points, batch 10 ({r['per_epoch']} updates per epoch), η = 0.05, "
        f"{args.speed} epochs/s asked for, {r['seconds']:.0f} s; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs\n"
    )
    print("| measure | per second | target |")
    print("|---|---:|---:|")
    print(f"| epochs | {r['epochs_per_s']:.1f} | ≥ 30 |")
    print(f"| live-view ticks (link rewritten) | {r['ticks_per_s']:.1f} | |")
    for name, v in r["redraws"].items():
        target = "≥ 10" if name == "graph" else ""
        print(f"| redraws: {name} | {v:.1f} | {target} |")
    print(f"| graph drawings, changed or not | {r['graph_drawings']:.1f} | |")
    if r["errors"]:
        print(f"\n{r['errors']} exception box(es) on the page")


if __name__ == "__main__":
    main()
