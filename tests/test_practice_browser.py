"""Practice mode and lessons in a real browser (Playwright + Debian's Chromium): the textbook example's
forward pass and loss answered by keyboard alone, and a shipped lesson walked from its link to its last
stop with → alone. Screenshots go to artifacts/screens/ (git-ignored)."""

from __future__ import annotations

import os

import pytest

from browser_support import SCREENS, wait_for_app
from components.model.lessons import SHIPPED
from components.model.links import restore_from_query
from components.views.notation import format_number

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
MAZUR = "preset=mazur&data=preset&bias=frozen&bs=0"


def cursor(page) -> int:
    return (
        int(page.locator(".bp-sv [data-cursor]").first.get_attribute("data-cursor"))
        if False
        else int(page.evaluate("() => Number(document.querySelector('[data-cursor]').dataset.cursor)"))
    )


def wait_cursor(page, c: int) -> None:
    page.wait_for_function(
        f"() => {{ const e = document.querySelector('[data-cursor]'); return e && e.dataset.cursor === '{c}'; }}",
        timeout=TIMEOUT_MS,
    )


def test_the_forward_pass_and_loss_by_keyboard_alone(app):
    url, browser = app
    lab, _ = restore_from_query(dict(x.split("=") for x in MAZUR.split("&")))
    loss = lab.trace.layout.loss_index
    values = [format_number(lab.trace.event(k).value, 4) for k in range(loss + 1)]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/?{MAZUR}&practice=1")
    wait_for_app(page)
    box = page.locator(".bp-sv-quiz-input")
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.activeElement.classList.contains('bp-sv-quiz-input')", timeout=TIMEOUT_MS)
    page.screenshot(path=os.path.join(SCREENS, "practice-1280x800-start.png"))
    page.keyboard.type("0.9")  # wrong first
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.bp-sv-quiz-feedback').textContent.startsWith('Not quite')", timeout=TIMEOUT_MS
    )
    page.keyboard.press("?")  # a hint: the formula
    page.wait_for_selector(".bp-sv-quiz-lines .katex", timeout=TIMEOUT_MS)
    page.screenshot(path=os.path.join(SCREENS, "practice-1280x800-hint.png"))
    assert cursor(page) == -1
    for k, v in enumerate(values):
        page.keyboard.press("Control+a")
        page.keyboard.type(v)
        page.keyboard.press("Enter")
        wait_cursor(page, k)
    page.wait_for_function(
        "() => document.querySelector('.bp-sv-quiz-title').textContent.includes('Backward pass')", timeout=TIMEOUT_MS
    )
    score = page.locator(".bp-sv-quiz .bp-sv-quiz-note").first.inner_text()
    assert "forward values 3/4" in score and "loss 1/1" in score
    assert page.evaluate("() => document.activeElement.classList.contains('bp-sv-quiz-input')")
    # → at the frontier asks the question (nothing further is shown); Escape gives the arrows back to stepping
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowLeft")
    wait_cursor(page, loss - 1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_cursor(page, loss)
    page.wait_for_timeout(300)
    assert cursor(page) == loss
    page.screenshot(path=os.path.join(SCREENS, "practice-1280x800-loss.png"))
    page.close()


def test_a_shipped_lesson_from_its_link_to_its_last_stop(app):
    url, browser = app
    lesson = SHIPPED["worked-example"]
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{url}/?lesson=worked-example&stop=1")
    wait_for_app(page)
    page.wait_for_selector(".st-key-bp_lesson", timeout=TIMEOUT_MS)
    page.wait_for_selector(".bp-sv-svg .bp-sv-edges line", state="attached", timeout=TIMEOUT_MS)
    page.screenshot(path=os.path.join(SCREENS, "lesson-1366x768-stop1.png"))
    n = len(lesson.stops)
    seen = set()
    for _ in range(400):
        text = page.locator(".st-key-bp_lesson").inner_text()
        stop = int(text.split("stop ")[1].split(" of")[0])
        seen.add(stop)
        if stop == n:
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
        wait_for_app(page)
    assert seen == set(range(1, n + 1)), seen
    assert f"stop={n}" in page.url and "lesson=worked-example" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=os.path.join(SCREENS, f"lesson-1366x768-stop{n}.png"))
    page.close()
