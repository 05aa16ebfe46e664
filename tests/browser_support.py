"""Start `streamlit run` on a free loopback port and drive it with Playwright + Debian's Chromium.

Like Streamlit's own e2e tests: wait for the health endpoint before opening a page.
Screenshots go to artifacts/screens/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-component-update",
    "--no-first-run",
]
SCREENS = os.path.join(ROOT, "artifacts", "screens")


def require_browser() -> None:
    """Skip locally when Chromium or Playwright is missing; in CI that is a failure."""
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        msg = f"browser tests need {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", timeout: float = 60.0, extra_args: tuple[str, ...] = ()):
    """Run `streamlit run script` headless on 127.0.0.1:<free port>; yields (base_url, log_path).
    ``extra_args``: more command-line options, e.g. ("--runner.postScriptGC", "true")."""
    port = free_port()
    os.makedirs(SCREENS, exist_ok=True)
    log_path = os.path.join(ROOT, "artifacts", f"streamlit-{port}.log")
    log = open(log_path, "w")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.flush()
                raise RuntimeError(f"streamlit did not start: {open(log_path).read()[-2000:]}")
            time.sleep(0.2)
        yield url, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium():
    """A headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 60000) -> None:
    """Wait until the Streamlit app has rendered and finished running."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout_ms,
    )


def has_chromium() -> bool:
    return os.path.exists(CHROMIUM) and shutil.which("chromium") is not None


# The step view's layout (CSS px, viewport coordinates): every line of the formula together, the graph, the
# step bar and whether it is fixed, the viewport, how wide the page scrolls, the graph's visible texts (an
# edge value or the callout as its box), and the formulas wider than their box (a line cut off).
STEP_VIEW_LAYOUT_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const texts = [];
  for (const t of document.querySelectorAll('.bp-sv-svg text')) {
    if (!shown(t) || !t.textContent.trim()) continue;
    const holder = t.closest('.bp-sv-chips g, .bp-sv-callout');
    const rect = holder && holder.querySelector('rect');
    texts.push([t.textContent, box(rect || t)]);
  }
  const lines = [...document.querySelectorAll('.bp-sv-formulas .bp-sv-fit')].map(box);
  const bar = document.querySelector('.bp-sv-controls');
  return {
    formula: [Math.min(...lines.map(x => x[0])), Math.min(...lines.map(x => x[1])),
      Math.max(...lines.map(x => x[2])), Math.max(...lines.map(x => x[3]))],
    graph: box(document.querySelector('.bp-sv-svg')),
    bar: box(bar), barFixed: getComputedStyle(bar).position === 'fixed',
    width: document.documentElement.clientWidth, height: window.innerHeight,
    scrollWidth: Math.max(document.documentElement.scrollWidth,
      (document.querySelector('[data-testid="stMain"]') || {}).scrollWidth || 0),
    texts,
    clipped: [...document.querySelectorAll('.bp-sv-formulas, [data-testid="stMain"] .katex-display')]
      .filter(f => f.scrollWidth > f.clientWidth + 4).map(f => f.scrollWidth + ' px in ' + f.clientWidth),
  };
}"""


def overlapping(texts: list) -> list[str]:
    """Pairs of [text, (left, top, right, bottom)] whose boxes overlap by more than 1 px both ways."""
    out = []
    for q, (a, (l1, t1, r1, b1)) in enumerate(texts):
        for b, (l2, t2, r2, b2) in texts[q + 1 :]:
            if min(r1, r2) - max(l1, l2) > 1 and min(b1, b2) - max(t1, t2) > 1:
                out.append(f"{a!r} overlaps {b!r}")
    return out
