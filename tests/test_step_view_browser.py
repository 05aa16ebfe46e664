"""The step view (components/ui/step_view.py) in a real browser, around a hand-written payload.

tests/apps/step_view_app.py mounts the view with tests/apps/step_view_fixture.py (a 2-2-2
network, 8 events per update) and plays the server: it acts on each report and writes what it
received into the page. Checked here: KaTeX paints each formula from the payload's LaTeX;
quick presses are all honoured, across window edges and update boundaries; ← Home End, the
scrubber and a click on a neuron; the debounced cursor report reaches the server without a
redraw; the address bar's k follows; no horizontal overflow at phone and desktop widths; and
no request leaves the app's own server (KaTeX and its fonts are vendored).

One server serves the module; each test opens its own page (its own session). Screenshots:
artifacts/screens/step_view_*.png. Waits are on concrete conditions, never a fixed sleep
(the 50 ms between presses is the point of that test).
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from browser_support import SCREENS, chromium, require_browser, streamlit_server, wait_for_app

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "apps"))
from step_view_fixture import N_EVENTS, payload  # noqa: E402

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
APP = "tests/apps/step_view_app.py"

_CURSOR_JS = "() => { const v = document.querySelector('.bp-sv'); return v ? v.parentElement.dataset.cursor : null; }"
_UPDATE_JS = "() => document.querySelector('.bp-sv').parentElement.dataset.update"
_TEX_JS = "() => [...document.querySelectorAll('.bp-sv-formulas .katex-display annotation')].map(a => a.textContent)"
_SERVER_JS = """() => { const t = [...document.querySelectorAll('[data-testid="stText"]')]
    .map(e => e.innerText).find(x => x.startsWith('server: ')); return t ? t.slice(8) : null; }"""


@pytest.fixture(scope="module")
def app():
    require_browser()
    with streamlit_server(script=APP) as (url, log_path), chromium() as browser:
        yield url, log_path, browser
    text = open(log_path, encoding="utf-8", errors="replace").read()
    assert "Traceback" not in text and "Error" not in text, text[-2000:]


@pytest.fixture
def open_page(app):
    """open_page(query="", width=1280, height=800) -> page, with every request it makes recorded."""
    url, _, browser = app
    contexts = []

    def opener(query: str = "", width: int = 1280, height: int = 800):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        page.requests = []
        page.errors = []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"{url}/?{query}" if query else url)
        wait_for_app(page)
        page.wait_for_selector(".bp-sv-svg .bp-sv-edges line", timeout=TIMEOUT_MS)
        page.wait_for_selector(".bp-sv-formulas .katex-display annotation", state="attached", timeout=TIMEOUT_MS)
        # the first page's report (sent once the formula is drawn and the browser is idle) has been acted on
        page.wait_for_function(
            f"() => {{ const t = ({_SERVER_JS})(); return !!t && JSON.parse(t).reports >= 1; }}", timeout=TIMEOUT_MS
        )
        return page

    yield opener
    for ctx in contexts:
        for page in ctx.pages:
            assert not page.errors, page.errors
        ctx.close()


def cursor(page) -> int:
    return int(page.evaluate(_CURSOR_JS))


def wait_cursor(page, c: int, update: int | None = None) -> None:
    cond = f"() => ({_CURSOR_JS})() === '{c}'"
    if update is not None:
        cond = f"() => ({_CURSOR_JS})() === '{c}' && ({_UPDATE_JS})() === '{update}'"
    page.wait_for_function(cond, timeout=TIMEOUT_MS)


def server(page) -> dict:
    return json.loads(page.evaluate(_SERVER_JS) or "null")


def wait_server(page, predicate_js: str) -> dict:
    """Wait until the server's record (a JSON object s) satisfies the JS expression ``predicate_js``."""
    page.wait_for_function(
        f"() => {{ const t = ({_SERVER_JS})(); if (!t) return false;"
        f" const s = JSON.parse(t); return {predicate_js}; }}",
        timeout=TIMEOUT_MS,
    )
    return server(page)


def expected_lines(c: int, update: int = 0) -> list[str]:
    p = payload(update)
    return p["start"]["lines"] if c < 0 else p["events"][c]["lines"]


def wait_lines(page, c: int, update: int = 0) -> None:
    want = json.dumps(expected_lines(c, update))
    same = f"() => JSON.stringify(({_TEX_JS})()) === JSON.stringify(JSON.parse({json.dumps(want)}))"
    page.wait_for_function(same, timeout=TIMEOUT_MS)


def press(page, key: str, times: int = 1, gap_ms: int = 50) -> None:
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(gap_ms)


def url_k(page) -> str | None:
    return page.evaluate("() => new URL(location.href).searchParams.get('k')")


# ------------------------------------------------------------------ tests
def test_formulas_are_painted_by_katex_from_the_payload(open_page):
    page = open_page()
    assert cursor(page) == -1
    wait_lines(page, -1)
    for c in range(N_EVENTS):
        press(page, "ArrowRight", gap_ms=0)
        wait_cursor(page, c)
        wait_lines(page, c)  # the annotation is the payload's LaTeX, line for line
        assert page.locator(".bp-sv-title").inner_text() == payload()["events"][c]["title"]
    assert page.locator(".bp-sv-formulas .katex-display .katex-html").count() >= 1
    assert page.locator(".bp-sv-edges line").count() == 12 and page.locator(".bp-sv-nodes > g").count() == 8
    # The long loss line (event 4) shrinks to fit or scrolls: it never spills out of its box unseen.
    page.keyboard.press("Home")
    press(page, "ArrowRight", 5)
    wait_lines(page, 4)
    fit = page.evaluate(
        """() => { const box = document.querySelector('.bp-sv-formulas');
        return [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX,
                document.querySelector('.bp-sv-fit').style.fontSize]; }"""
    )
    assert fit[2] == "auto" and fit[0] <= fit[1] + 1 and fit[3].endswith("em"), fit  # shrunk, and it fits
    page.screenshot(path=os.path.join(SCREENS, "step_view_1280x800_long_formula.png"), full_page=True)


def test_twelve_quick_presses_move_twelve_steps_across_the_update_boundary(open_page):
    page = open_page()
    press(page, "ArrowRight", 12)  # 8 events of update 1, then → into update 2 and 3 more
    wait_cursor(page, 2, update=1)
    s = wait_server(page, "s.update === 1")
    assert s["last"]["kind"] in ("next_update", "cursor")
    wait_lines(page, 2, update=1)
    assert page.locator(".bp-sv-scrub-label").inner_text() == "Scrub through update 2 (8 events)"


def test_presses_cross_into_the_update_sent_ahead_without_waiting_and_the_server_follows(open_page):
    page = open_page("ahead=1")
    page.evaluate(  # every time the view shows it is waiting for the server
        """() => { window.__waits = 0; new MutationObserver(() => {
             if (document.querySelector('.bp-sv-wait').textContent) window.__waits++; })
           .observe(document.querySelector('.bp-sv-wait'), {childList: true, characterData: true, subtree: true}); }"""
    )
    # 8 events of update 1, then → onto update 2's first event (as the app's stepper crosses) and 3 more
    press(page, "ArrowRight", 12)
    wait_cursor(page, 3, update=1)
    wait_lines(page, 3, update=1)
    assert page.evaluate("() => window.__waits") == 0  # no press waited for the server
    s = wait_server(page, "s.update === 1 && s.cursor === 3")
    assert s["followed"] == 1 and s["last"]["kind"] == "cursor"
    press(page, "ArrowRight", 5)  # the server's payload for update 2 (with update 3 ahead) keeps our cursor
    wait_cursor(page, 0, update=2)
    wait_server(page, "s.update === 2 && s.cursor === 0")
    press(page, "ArrowLeft", 2)  # back across the boundary: the server answers (its history)
    wait_cursor(page, N_EVENTS - 1, update=1)
    assert page.errors == []


def test_twelve_quick_presses_across_windows(open_page):
    page = open_page("win=3")  # the server describes 3 events at a time
    press(page, "ArrowRight", 12)
    wait_cursor(page, 2, update=1)
    wait_lines(page, 2, update=1)
    press(page, "ArrowLeft", 5)  # 1, 0, start, back into update 1 at its last event, then one more
    wait_cursor(page, N_EVENTS - 2, update=0)
    wait_lines(page, N_EVENTS - 2)
    press(page, "ArrowLeft", 3)  # across a window edge
    wait_cursor(page, N_EVENTS - 5, update=0)
    wait_lines(page, N_EVENTS - 5)
    page.keyboard.press("End")
    wait_cursor(page, N_EVENTS - 1, update=0)
    page.keyboard.press("Home")
    wait_cursor(page, -1, update=0)
    wait_lines(page, -1)


def test_back_home_end_buttons_and_space(open_page):
    page = open_page()
    press(page, "ArrowRight", 3)
    wait_cursor(page, 2)
    press(page, "ArrowLeft")
    wait_cursor(page, 1)
    page.keyboard.press("End")
    wait_cursor(page, N_EVENTS - 1)
    page.keyboard.press("PageUp")
    wait_cursor(page, N_EVENTS - 2)
    page.keyboard.press("Home")
    wait_cursor(page, -1)
    page.keyboard.press("ArrowLeft")  # at the start of the first update: nothing to go back to
    page.keyboard.press("PageDown")
    wait_cursor(page, 0)
    page.keyboard.press(" ")
    wait_cursor(page, 1)
    page.keyboard.press("Shift+ ")
    wait_cursor(page, 0)
    page.get_by_role("button", name="Next →").click()
    wait_cursor(page, 1)
    page.get_by_role("button", name="← Back").click()
    wait_cursor(page, 0)
    page.keyboard.press("Control+ArrowRight")  # a modifier: not ours
    page.wait_for_timeout(100)
    assert cursor(page) == 0
    assert page.locator(".bp-sv-count").inner_text() == f"event 1 of {N_EVENTS}"


def test_the_scrubber_moves_the_cursor(open_page):
    page = open_page()
    slider = page.locator(".bp-sv-slider")
    assert slider.get_attribute("min") == "-1" and slider.get_attribute("max") == str(N_EVENTS - 1)
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)  # the far right end
    wait_cursor(page, N_EVENTS - 1)
    page.evaluate(
        "() => { const s = document.querySelector('.bp-sv-slider'); s.value = '3';"
        " s.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    wait_cursor(page, 3)
    wait_lines(page, 3)
    page.keyboard.press("ArrowLeft")  # the focused slider steps like the page does: one event
    wait_cursor(page, 2)


def test_a_click_on_a_neuron_sends_a_select_report(open_page):
    page = open_page()
    press(page, "ArrowRight", 2)
    wait_cursor(page, 1)
    page.locator(".bp-sv-nodes g[data-layer='1'][data-i='0'] circle").click()
    s = wait_server(page, "s.selected !== null")
    assert s["selected"] == [1, 0] and s["last"] == {"kind": "select", "cursor": 1, "node": [1, 0]}
    reports = s["reports"]
    page.locator(".bp-sv-nodes rect").first.click()  # a bias square is not a neuron
    page.wait_for_timeout(600)
    assert server(page)["reports"] == reports


def test_the_cursor_is_recorded_once_after_the_presses_stop_without_a_redraw(open_page):
    page = open_page()
    page.evaluate("() => { document.querySelector('.bp-sv-svg').__mark = 1; }")  # an element we can recognise
    before = server(page)["reports"]
    press(page, "ArrowRight", 4, gap_ms=100)  # quicker than the report's 2 s pause: one report at the end
    s = wait_server(page, "s.cursor === 3")
    assert s["last"] == {"kind": "cursor", "cursor": 3, "node": None}
    assert s["reports"] == before + 1 and s["seq"] == 0
    page.wait_for_timeout(300)  # the rerun's payload (same key and seq) has arrived: nothing changes
    assert cursor(page) == 3
    assert page.evaluate("() => document.querySelector('.bp-sv-svg').__mark") == 1
    assert page.locator(".bp-sv-edges line").count() == 12
    wait_lines(page, 3)


def test_the_address_bar_follows_the_cursor(open_page):
    page = open_page("present=0")
    press(page, "ArrowRight", 3)
    page.wait_for_function("() => new URL(location.href).searchParams.get('k') === '2'", timeout=TIMEOUT_MS)
    assert page.evaluate("() => new URL(location.href).searchParams.get('present')") == "0"  # others kept
    page.keyboard.press("Home")
    page.wait_for_function("() => !new URL(location.href).searchParams.has('k')", timeout=TIMEOUT_MS)
    page.keyboard.press("End")
    press(page, "ArrowRight", 2)  # into update 2 (u=1), event 1
    wait_cursor(page, 0, update=1)
    page.wait_for_function(
        "() => { const q = new URL(location.href).searchParams; return q.get('k') === '0' && q.get('u') === '1'; }",
        timeout=TIMEOUT_MS,
    )
    assert url_k(page) == "0"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_no_horizontal_overflow_and_nothing_leaves_the_server(open_page, app, width, height):
    page = open_page("", width, height)
    press(page, "ArrowRight", 6)
    wait_cursor(page, 5)
    wait_lines(page, 5)
    page.evaluate("() => document.fonts.ready")
    overflow = page.evaluate(
        """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                  document.querySelector('.bp-sv').scrollWidth, document.querySelector('.bp-sv').clientWidth]"""
    )
    assert overflow[0] <= overflow[1] and overflow[2] <= overflow[3] + 1, overflow
    columns = page.evaluate("() => getComputedStyle(document.querySelector('.bp-sv-body')).gridTemplateColumns")
    assert len(columns.split()) == (2 if width > 700 else 1), columns  # stacked on a phone
    page.screenshot(path=os.path.join(SCREENS, f"step_view_{width}x{height}.png"), full_page=True)
    url = app[0]
    outside = [r for r in page.requests if not r.startswith(url) and not r.startswith(("blob:", "data:"))]
    assert not outside, outside
    fonts = [r for r in page.requests if "/component/" in r and r.endswith(".woff2")]
    assert any("KaTeX_Main-Regular.woff2" in r for r in fonts), fonts
    assert all(not r.endswith((".ttf", ".woff")) for r in page.requests)


def test_presentation_mode_has_larger_text(open_page):
    small = open_page()
    big = open_page("present=1")
    size = "() => parseFloat(getComputedStyle(document.querySelector('.bp-sv-title')).fontSize)"
    assert big.evaluate(size) > small.evaluate(size)
    press(big, "ArrowRight", 1)
    wait_cursor(big, 0)
    big.screenshot(path=os.path.join(SCREENS, "step_view_presentation_1280x800.png"), full_page=True)
