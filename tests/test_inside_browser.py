"""Seeing inside, in a real browser (Playwright + Debian's Chromium): chain-rule paths on the textbook
example and on 2-8-8-8-1, neuron pictures on XOR, a diagnostics flag, a digit sample and the large-network
summary, each drawn and saved under artifacts/screens/ (git-ignored)."""

from __future__ import annotations

import os

import pytest

from browser_support import SCREENS, chromium, require_browser, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
MAZUR = "preset=mazur&data=preset&bias=frozen&bs=0"
DRAWN_EDGES_JS = """() => [...document.querySelectorAll('.bp-sv-edges line')]
  .filter(l => Number(l.getAttribute('stroke-opacity')) > 0 && Number(l.getAttribute('stroke-width')) > 0).length"""


@pytest.fixture(scope="module")
def page():
    require_browser()
    with streamlit_server() as (url, _log), chromium() as browser:
        p = browser.new_page(viewport={"width": 1366, "height": 768})
        p.base = url
        yield p


def open_link(page, query: str) -> None:
    page.goto(f"{page.base}/?{query}")
    wait_for_app(page)
    page.wait_for_selector(".bp-sv-svg .bp-sv-nodes circle", state="attached", timeout=TIMEOUT_MS)


def shot(page, name: str) -> None:
    page.locator(".bp-sv-svg").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=os.path.join(SCREENS, f"inside-{name}.png"))


@pytest.mark.parametrize(
    "query, node, paths", [(MAZUR, (1, 0), 2), ("h=8-8-8&data=xor&bs=10&seed=4", (1, 3), 8 + 64 + 8)]
)
def test_paths_of_a_clicked_neuron_are_drawn(page, query, node, paths):
    open_link(page, query)
    page.locator(f".bp-sv-nodes g[data-layer='{node[0]}'][data-i='{node[1]}'] circle").click()
    page.wait_for_function(f"() => document.querySelectorAll('.bp-sv-path').length === {paths}", timeout=TIMEOUT_MS)
    page.wait_for_selector(".st-key-bp_selected .katex", timeout=TIMEOUT_MS)
    shot(page, f"paths-{len(query)}")


def test_neuron_pictures_on_xor(page):
    open_link(page, "data=xor&h=4&act=tanh&init=xavier&bs=10&pic=1&u=300")
    page.wait_for_function("() => document.querySelectorAll('.bp-sv-picture').length === 5", timeout=TIMEOUT_MS)
    widths = page.evaluate("() => [...document.querySelectorAll('.bp-sv-picture')].map(i => i.getBBox().width)")
    assert all(w > 10 for w in widths)
    shot(page, "pictures-xor")


def test_a_diagnostics_flag(page):
    open_link(page, "h=8-8-8-8&act=sigmoid&data=xor&bs=1&seed=13")
    page.wait_for_selector(".bp-sv-flag", state="attached", timeout=TIMEOUT_MS)
    assert "shrinks" in page.locator(".bp-sv-flag title").first.text_content()
    page.wait_for_selector(".st-key-bp_diagnostics", timeout=TIMEOUT_MS)
    shot(page, "flag-vanishing")


def test_a_digit_sample_and_the_large_network_summary(page):
    open_link(page, "data=digits&h=32&out=softmax&loss=cross_entropy&bs=10&init=xavier&k=40")
    page.wait_for_selector(".bp-sv-sample:not([hidden])", timeout=TIMEOUT_MS)
    assert page.evaluate("() => document.querySelector('.bp-sv-sample').naturalWidth") == 32
    drawn = page.evaluate(DRAWN_EDGES_JS)
    assert 0 < drawn < 200  # of 64·32 + 32·10 weights: the summary
    shot(page, "digits-summary")
