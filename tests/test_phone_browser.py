"""The classroom link on a phone and a tablet (Chromium's mobile emulation: touch, device scale factor 2).

For the textbook 2-2-2 example, a 2-8-8-8-1 network and XOR with a batch of 10, each opened from a
classroom link (presentation mode, charts hidden): the whole formula and the whole graph are inside the
first screen, above the step bar; the page does not scroll sideways; no two texts of the graph overlap;
a tap on Next → and ← Back, and a swipe left and right on the view, each move one event; on a phone a tap
on the graph zooms in around it and another shows it whole. Screenshots:
artifacts/screens/phone_*.png.
"""

from __future__ import annotations

import os

import pytest

from browser_support import (
    SCREENS,
    STEP_VIEW_LAYOUT_JS,
    overlapping,
    wait_for_app,
)

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
CLASSROOM = "&present=1&hide=charts"
LINKS = {
    "textbook": "preset=mazur&data=preset&bias=frozen&bs=0&k=9",  # ∂E/∂w of an output weight
    "deep": "h=8-8-8&act=sigmoid&k=60",  # 2-8-8-8-1, a gradient in layer 3
    "xor": "preset=xor&h=4&act=tanh&bs=10&k=30",  # XOR 2-4-1, batch of 10, a forward value of sample 7
}
DEVICES = {"phone": (390, 844), "tablet": (768, 1024), "phone_landscape": (844, 390), "tablet_landscape": (1024, 768)}


def _cursor(page) -> int:
    return int(page.evaluate("() => document.querySelector('.bp-sv').parentElement.dataset.cursor"))


def _wait_cursor(page, k: int) -> None:
    page.wait_for_function(
        "k => document.querySelector('.bp-sv').parentElement.dataset.cursor === String(k)", arg=k, timeout=TIMEOUT_MS
    )


def _swipe(page, dx: float) -> None:
    """A one-finger horizontal swipe across the middle of the step view."""
    box = page.locator(".bp-sv-body").bounding_box()
    x0, y = box["x"] + box["width"] / 2 - dx / 2, box["y"] + min(box["height"] / 2, 200)
    page.evaluate(
        """([x0, y, dx]) => {
          const el = document.querySelector('.bp-sv-body');
          const touch = x => new Touch({identifier: 1, target: el, clientX: x, clientY: y});
          const fire = (type, touches, changed) =>
            el.dispatchEvent(new TouchEvent(type, {touches, changedTouches: changed, bubbles: true}));
          fire('touchstart', [touch(x0)], [touch(x0)]);
          fire('touchend', [], [touch(x0 + dx)]);
        }""",
        [x0, y, dx],
    )


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("name", list(LINKS))
def test_classroom_link_on_a_phone_shows_the_step_and_steps_by_tap_and_swipe(app, name, device):
    url, browser = app
    width, height = DEVICES[device]
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = ctx.new_page()
    page.goto(f"{url}/?{LINKS[name]}{CLASSROOM}", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    page.wait_for_selector(".bp-sv-formulas .katex", timeout=TIMEOUT_MS)
    page.wait_for_selector(".bp-sv-svg .bp-sv-nodes circle", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    k = _cursor(page)
    assert k == int(LINKS[name].rsplit("k=", 1)[1])  # exactly the lecturer's step
    os.makedirs(SCREENS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENS, f"phone_{name}_{width}x{height}.png"))

    lay = page.evaluate(STEP_VIEW_LAYOUT_JS)
    floor = lay["bar"][1] if lay["barFixed"] else lay["height"]  # a fixed step bar covers the bottom
    for part in ("formula", "graph"):
        left, top, right, bottom = lay[part]
        assert 0 <= top and bottom <= floor + 1 and left >= -1 and right <= lay["width"] + 1, (part, lay[part], floor)
    assert lay["scrollWidth"] <= lay["width"] + 1, f"the page scrolls sideways: {lay['scrollWidth']} > {lay['width']}"
    assert not overlapping(lay["texts"]), overlapping(lay["texts"])
    assert not lay["clipped"], f"a formula line is cut off: {lay['clipped']}"
    if device == "phone":
        assert lay["barFixed"] and lay["bar"][3] <= lay["height"] + 1  # within thumb reach, always in view

    page.get_by_role("button", name="Next →").tap()
    _wait_cursor(page, k + 1)
    page.get_by_role("button", name="← Back").tap()
    _wait_cursor(page, k)
    _swipe(page, -120)  # to the left: the next event
    _wait_cursor(page, k + 1)
    _swipe(page, 120)
    _wait_cursor(page, k)
    _swipe(page, 20)  # too short to be a swipe: nothing moves
    page.wait_for_timeout(300)
    assert _cursor(page) == k
    if device == "phone":  # a tap on the graph, off the neurons, zooms in around it; another shows it whole
        box = page.locator(".bp-sv-svg").bounding_box()
        whole = page.get_attribute(".bp-sv-svg", "viewBox")
        page.touchscreen.tap(box["x"] + 0.03 * box["width"], box["y"] + 0.97 * box["height"])
        page.wait_for_function("() => document.querySelector('.bp-sv-svg').dataset.zoomed === '1'", timeout=TIMEOUT_MS)
        x, y, w, h = map(float, page.get_attribute(".bp-sv-svg", "viewBox").split())
        _, _, w0, h0 = map(float, whole.split())
        assert (round(w), round(h)) == (round(w0 / 2), round(h0 / 2)) and x == 0 and y + h == round(h0), (x, y, w, h)
        page.touchscreen.tap(box["x"] + 0.5 * box["width"], box["y"] + 0.97 * box["height"])
        page.wait_for_function("() => document.querySelector('.bp-sv-svg').dataset.zoomed === ''", timeout=TIMEOUT_MS)
        assert page.get_attribute(".bp-sv-svg", "viewBox") == whole and _cursor(page) == k
    assert page.locator("[data-testid='stException']").count() == 0
    ctx.close()
