"""Lecture screens: the states a lecturer opens, at projector sizes, normal and presentation mode.

The textbook 2-2-2 example at a hidden δ, at the loss and at its output layer's last gradient, XOR 2-4-1 tanh
with a batch of 10 in its weight update, 2-8-8-8-1 at a hidden δ, the batch-of-m derivation's preset, and a
network with a 64-wide layer at a hidden δ (its sum over 64 terms), each at 1280×800, 1366×768 and 1920×1080:
every formula fits its box (no line cut off), no two texts of the graph overlap, and in presentation mode the
graph, the whole formula and the graph's legend lie inside the viewport (and the layer table's highlighted
row, at the last gradient).
Screenshots: artifacts/screens/screen_*.png.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest

from browser_support import (
    SCREENS,
    STEP_VIEW_LAYOUT_JS,
    chromium,
    overlapping,
    require_browser,
    streamlit_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
SIZES = [(1280, 800), (1366, 768), (1920, 1080)]
BOTTOM_JS = "(s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().bottom : null; }"


def _query(preset: str | None, extra: dict, kind: str, layer: int | None = None, which: int = 0) -> str:
    """The link of a state: a preset (or a query) with the cursor on an event of ``kind`` (in ``layer``): the
    first, or the ``which``-th of them (-1: the last)."""
    from components.model.config import from_query
    from components.model.lab import build_lab
    from components.model.links import query_for
    from components.model.presets import PRESETS

    if preset is not None:
        p = PRESETS[preset]
        lab = build_lab(p.config, display=None)
        lab.display = lab.display.with_(notation=p.notation)
    else:
        config, ignored = from_query(extra)
        assert not ignored, ignored
        lab = build_lab(config)
    n = lab.stepper.n_events
    k = [
        k for k in range(n) if lab.trace.event(k).kind == kind and (layer is None or lab.trace.event(k).layer == layer)
    ][which]
    lab.seek(k)
    return urlencode(query_for(lab))


STATES = {
    "textbook_delta": ("mazur", {}, "delta", 1),
    "textbook_loss": ("mazur", {}, "loss", None),
    # the last row of the output layer's gradient table is the highlighted one (a table below a tall formula)
    "textbook_last_gradient": ("mazur", {}, "grad_b", 2, -1),
    "xor_update": (None, {"data": "xor", "h": "4", "act": "tanh", "bs": "10"}, "update_w", None),
    "deep_delta": (None, {"h": "8-8-8", "act": "sigmoid"}, "delta", 1),
    "batch_of_m": ("seed001", {}, "delta", 1),
    "wide_delta": (None, {"h": "64-8", "act": "tanh"}, "delta", 1),
}


@pytest.fixture(scope="module")
def app():
    require_browser()
    with streamlit_server() as (url, _log), chromium() as browser:
        yield url, browser


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("name", list(STATES))
def test_lecture_screens_fit_and_nothing_overlaps(app, name, presentation):
    url, browser = app
    query = _query(*STATES[name]) + ("&present=1" if presentation else "")
    problems = []
    for width, height in SIZES:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        page = ctx.new_page()
        page.goto(f"{url}/?{query}", timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        page.wait_for_selector(".bp-sv-formulas .katex", timeout=TIMEOUT_MS)
        page.wait_for_selector(".bp-sv-svg .bp-sv-nodes circle", timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        os.makedirs(SCREENS, exist_ok=True)
        mode = "presentation" if presentation else "normal"
        page.screenshot(path=os.path.join(SCREENS, f"screen_{name}_{mode}_{width}x{height}.png"))
        m = page.evaluate(STEP_VIEW_LAYOUT_JS)
        where = f"{width}×{height}"
        problems += [f"{where}: formula cut off ({c})" for c in m["clipped"]]
        problems += [f"{where}: {o}" for o in overlapping(m["texts"])]
        if presentation:
            for part in ("formula", "graph"):
                left, top, right, bottom = m[part]
                if not (top >= 0 and bottom <= m["height"] + 1 and left >= 0 and right <= m["width"] + 1):
                    problems.append(f"{where}: the {part} is not inside the screen: {m[part]}")
            # the graph's caption and node-fill legend end on the screen; so does the layer table's highlighted
            # row where the formula above it leaves room for it (the output layer's last gradient)
            below = [".bp-sv-caption"] + [".bp-sv-table tr.bp-sv-hl"] * (name == "textbook_last_gradient")
            for sel in below:
                bottom = page.evaluate(BOTTOM_JS, sel)
                if bottom is not None and bottom > m["height"] + 1:
                    problems.append(f"{where}: {sel} ends below the screen ({bottom:.0f} > {m['height']})")
        assert page.locator("[data-testid='stException']").count() == 0
        ctx.close()
    assert not problems, "\n".join(problems)
