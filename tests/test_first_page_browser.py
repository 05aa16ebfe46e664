"""The first page and the worked example in a real browser (Playwright + Debian's Chromium): the Start
here band's button opens the worked example, and a sample typed into its editor is what the next formula
substitutes. Screenshots go to artifacts/screens/ (git-ignored)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_support import SCREENS, wait_for_app

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
FORMULAS_JS = "() => [...document.querySelectorAll('.bp-sv-formulas annotation')].map(a => a.textContent).join('\\n')"


def _graph_drawn(page) -> None:
    page.wait_for_selector(".bp-sv-svg .bp-sv-nodes circle", state="attached", timeout=TIMEOUT_MS)


def test_start_here_opens_the_worked_example(app):
    url, browser = app
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url)
    wait_for_app(page)
    _graph_drawn(page)
    button = page.get_by_role("button", name="Step through the worked example (2-2-2)")
    assert button.bounding_box()["y"] + 40 < 800  # in the first screen
    page.screenshot(path=os.path.join(SCREENS, "first-page-1280x800.png"))
    button.click()
    page.wait_for_function("() => location.search.includes('preset=mazur')", timeout=TIMEOUT_MS)
    wait_for_app(page)
    _graph_drawn(page)
    assert page.locator(".bp-sv-svg .bp-sv-nodes circle").count() >= 6  # 2-2-2
    assert not page.get_by_role("button", name="Step through the worked example (2-2-2)").count()
    # the node fills' own legend under the graph: the fills' colours between the values at its ends
    page.get_by_role("button", name="Next →").click()  # (the keys would go to the grid, if it kept the focus)
    page.wait_for_function("() => document.querySelectorAll('.bp-sv-fillbar span').length === 11", timeout=TIMEOUT_MS)
    key = page.locator(".bp-sv-fillkey").inner_text()
    assert key.startswith("fill: −1") and "+1" in key, key
    swatches = page.eval_on_selector_all(
        ".bp-sv-fillbar span", "els => els.map(e => getComputedStyle(e).backgroundColor)"
    )
    assert len(set(swatches)) == 11
    page.close()


def test_a_typed_sample_is_what_the_formula_substitutes(app):
    url, browser = app
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/?h=2&preset=mazur&data=preset&bias=frozen&bs=0")
    wait_for_app(page)
    _graph_drawn(page)
    page.get_by_text("Edit weights", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Apply edited samples").wait_for(timeout=TIMEOUT_MS)
    samples = page.locator("[data-testid='stDataFrame']").nth(2)  # after the two layers' weights
    for _ in range(3):  # the grid is a canvas: a click that lands while it still settles is lost, so try again
        samples.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        box = samples.bounding_box()
        page.mouse.click(box["x"] + 210, box["y"] + 52)  # sample 1, the first input (0.05)
        page.wait_for_timeout(300)
        page.keyboard.type("3")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Apply edited samples").click()
        try:
            page.wait_for_function("() => location.search.includes('xy=')", timeout=15_000)
            break
        except PlaywrightTimeout:
            wait_for_app(page)
    assert "xy=" in page.url
    wait_for_app(page)
    page.get_by_role("button", name="Next →").click()  # (the keys would go to the grid, if it kept the focus)
    page.wait_for_function(f"() => ({FORMULAS_JS})().includes('0.15\\\\cdot 3 + 0.2\\\\cdot 0.1')", timeout=TIMEOUT_MS)
    assert "= 0.82" in page.evaluate(FORMULAS_JS)
    page.screenshot(path=os.path.join(SCREENS, "edited-sample-1280x800.png"))
    # the link carries the edited sample: a fresh page opens it
    link = re.sub(r"&k=-?\d+", "", page.url)  # (at the update's start: → then shows the first event)
    fresh = browser.new_page(viewport={"width": 1280, "height": 800})
    fresh.goto(link)
    wait_for_app(fresh)
    _graph_drawn(fresh)
    fresh.wait_for_function(
        "() => { const e = document.querySelector('[data-cursor]'); return e && e.dataset.cursor === '-1'; }",
        timeout=TIMEOUT_MS,
    )
    fresh.get_by_role("button", name="Next →").click()
    fresh.wait_for_function(f"() => ({FORMULAS_JS})().includes('0.15\\\\cdot 3 +')", timeout=TIMEOUT_MS)
    page.close()
    fresh.close()
