"""The top of the page: title, display choices (notation, colouring, presentation), messages,
the divergence box, and the page's static CSS and keyboard script."""

from __future__ import annotations

import streamlit as st

from components.model.display import COLOR_BY, DIGITS
from components.ui import state
from components.views.notation import NOTATIONS

__all__ = ["render_header", "render_keyboard_focus_fix", "render_flashes", "render_problem"]

_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
.katex-display {overflow-x: auto; overflow-y: hidden; padding-bottom: 2px;}
[data-testid="stMetricValue"] {font-size: 1.6rem;}
/* Plotly charts a whole number of pixels wide: plotly's first draw (before Streamlit has measured the
   chart) and Streamlit's width then agree, so the second pass redraws nothing (play, bench_play) */
.st-key-chart_loss, .st-key-chart_data, .st-key-chart_grad {width: round(down, 100%, 1px) !important;}
/* A lesson's caption stays a band above the step view (it scrolls inside when long): the step is what
   the room looks at */
.st-key-bp_lesson [data-testid="stVerticalBlock"] {gap: 0.4rem;}
.st-key-bp_lesson_caption {
  max-height: 24vh; overflow-y: auto;
}
/* Segmented controls (step size, jumps, tools) wrap rather than hide options past the right edge */
[data-testid="stButtonGroup"] > div {flex-wrap: wrap;}
/* Tablets and narrow windows: the title on its own line, the display choices in one row below it */
@media (max-width: 1000px) {
  .st-key-bp_head [data-testid="stHorizontalBlock"] {flex-wrap: wrap; row-gap: 0.25rem;}
  .st-key-bp_head [data-testid="stColumn"]:first-child {flex: 1 1 100%; min-width: 100%;}
}
/* Phones (portrait): the current step first (one line of title, then the step view, whose step buttons
   are a bar fixed at the bottom), then the step controls and the display choices, then the rest; the
   configuration is in the sidebar, one tap on » away. */
.bp-phone-title {display: none;}
@media (max-width: 640px) {
  html, body, [class*="css"] {font-size: 16px;}
  .block-container {padding: 4rem 0.75rem 5rem 0.75rem !important; max-width: 100% !important;}  /* (below the » bar) */
  .bp-phone-title {display: block; line-height: 1.3;}
  .st-key-bp_head [data-testid="stColumn"]:first-child {display: none;}
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > * {order: 3;}
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :is(:has(.bp-phone-title),
    :has(.st-key-bp_present_head), :has(.st-key-step_view), :has(.st-key-play_graph)) {order: 0;}
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :has(.st-key-bp_lesson) {order: 1;}
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :has(.st-key-bp_head) {order: 2;}
  [data-testid="stLayoutWrapper"]:has(> .st-key-bp_step_controls),
    [data-testid="stLayoutWrapper"]:has(> .st-key-bp_selected) {order: 1;}
  .st-key-graph_fit_scale {order: 2;}
  /* a lesson: its bar right after the step (the step stays the first screen), compact: the stop's buttons
     on one row, the caption a short band that scrolls */
  .st-key-bp_lesson [data-testid="stHorizontalBlock"] {flex-wrap: wrap; gap: 0.4rem;}
  .st-key-bp_lesson [data-testid="stColumn"]:first-child {flex: 1 1 100%; min-width: 100%;}
  .st-key-bp_lesson [data-testid="stColumn"]:not(:first-child) {flex: 1 1 0; min-width: 0;}
  .st-key-bp_lesson_caption {max-height: 22vh;}
  .st-key-bp_lesson [data-testid="stCaptionContainer"] {display: none;}
}
</style>
"""

_PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="collapsedControl"], [data-testid="stHeader"] {display: none;}
html, body, [class*="css"] {font-size: 20px;}
.block-container {max-width: 100% !important; padding: 0.75rem 2rem 1rem 2rem !important;}
@media (max-height: 500px) {  /* a phone held sideways */
  html, body, [class*="css"] {font-size: 15px;}
  .block-container {padding: 0.25rem 1rem 1rem 1rem !important;}
}
@media (max-width: 900px) {  /* a tablet is held, not projected */
  html, body, [class*="css"] {font-size: 17px;}
  .block-container {padding: 0.5rem 1rem 1rem 1rem !important;}
  .st-key-bp_present_head [data-testid="stHorizontalBlock"] {flex-wrap: nowrap; gap: 0.5rem;}
  .st-key-bp_present_head [data-testid="stColumn"] {min-width: 0; width: auto; flex: 1 1 auto;}
  .st-key-bp_present_head [data-testid="stColumn"]:last-child {flex: 0 0 auto;}
  /* the class question is the lecturer's, at the projector: a held screen has no room for its switch */
  .st-key-bp_present_head [data-testid="stColumn"]:nth-child(2) {display: none;}
}
@media (max-width: 640px) {
  html, body, [class*="css"] {font-size: 16px;}
  .block-container {padding: 0.5rem 0.75rem 5rem 0.75rem !important;}
}
</style>
"""

# One line per notation, where its symbols come from (the same backpropagation, written five ways).
_NOTATION_HELP = "The same numbers in the symbols of different derivations:\n\n" + "\n".join(
    f"- **{n.label}**: {n.source}" for n in NOTATIONS.values()
)
_COLOR_LABELS = {"weight": "weight w", "gradient": "gradient ∂E/∂w", "delta_w": "update Δw"}


def _toggle_presentation() -> None:
    state.set_display(presentation=bool(state.widget("hdr_presentation")))


def render_header() -> bool:
    """Title, presentation toggle and notation/colouring choices. Returns presentation mode."""
    lab = state.get_lab()
    presentation = lab.display.presentation
    st.markdown(_CSS, unsafe_allow_html=True)  # static CSS only, never user text
    sizes = "-".join(map(str, lab.net.layer_sizes))
    if presentation:  # one line: what the network is, and the way out; the rest was chosen before
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
        cols = st.container(key="bp_present_head").columns([5.6, 1.8, 1.4], vertical_alignment="center")
        cols[0].markdown(
            f"**Backprop Lab** <span style='color:#666'>· network {sizes} · "
            f"{'/'.join(dict.fromkeys(lab.net.activations))} · {lab.config.loss} · η = {lab.config.lr:g}</span>",
            unsafe_allow_html=True,
        )  # numbers and fixed names only
        _practice_toggle(cols[1], "Class question")
        _presentation_toggle(cols[2])
        return presentation
    st.markdown(  # phones only (CSS): one line above the step view, instead of the title column
        f"<div class='bp-phone-title'><b>Backprop Lab</b> <span style='color:#666'>· network {sizes} · "
        f"{'/'.join(dict.fromkeys(lab.net.activations))} · {lab.config.loss} · η = {lab.config.lr:g}</span></div>",
        unsafe_allow_html=True,
    )  # numbers and fixed names only
    cols = st.container(key="bp_head").columns([2.3, 1.6, 1.4, 0.8, 1.4], vertical_alignment="bottom")
    cols[0].markdown(
        f"## Backprop Lab  \n<span style='color:#666'>network {sizes} · "
        f"{'/'.join(dict.fromkeys(lab.net.activations))} · {lab.config.loss} · η = {lab.config.lr:g}"
        f"</span>",
        unsafe_allow_html=True,
    )  # numbers and fixed names only
    if lab.display.hides("notation"):
        return presentation
    keys = list(NOTATIONS)
    cols[1].selectbox(
        "Notation",
        keys,
        format_func=lambda k: NOTATIONS[k].label,
        key="hdr_notation",
        help=_NOTATION_HELP,
        on_change=_set_display,
        args=("notation", "hdr_notation"),
    )
    cols[2].selectbox(
        "Colour edges by",
        list(COLOR_BY),
        format_func=_COLOR_LABELS.get,
        key="hdr_color",
        on_change=_set_display,
        args=("color_by", "hdr_color"),
    )
    cols[3].selectbox(
        "Digits",
        list(DIGITS),
        key="hdr_digits",
        help="Decimals of the numbers in the formulas and tables (9 shows a textbook's published digits)",
        on_change=_set_display,
        args=("digits", "hdr_digits"),
    )
    _presentation_toggle(cols[4])
    _practice_toggle(cols[4], "Practice")
    return presentation


def _toggle_practice() -> None:
    state.set_practice(bool(state.widget("hdr_practice")))


def _practice_toggle(where, label: str) -> None:
    where.toggle(
        label,
        key="hdr_practice",
        on_change=_toggle_practice,
        help=(
            "Each value stays hidden until you type it (Enter checks it; ? gives a hint)."
            if label == "Practice"
            else "The next formula with its numbers, its value hidden until you reveal it (→ or Reveal)."
        ),
    )


def _presentation_toggle(where) -> None:
    where.toggle(
        "Presentation",
        key="hdr_presentation",
        on_change=_toggle_presentation,
        help="Only the graph, the formula and the step buttons, larger; → ← (PageDown, PageUp) step.",
    )


def _set_display(field: str, key: str) -> None:
    state.set_display(**{field: state.widget(key)})


# After a click on a segmented control (step size, jumps, tools) the page takes the focus back: a
# focused option keeps ← and → for moving between options, so the step shortcuts stopped working.
# Static code of ours (no user text), run once per page.
_KEYBOARD_JS = """<script>
(() => {
  if (window.__backpropLabKeys) return;
  window.__backpropLabKeys = true;
  const group = el => el && el.closest && el.closest('[data-testid="stButtonGroup"]');
  document.addEventListener('pointerup', e => {
    if (group(e.target)) setTimeout(() => { if (group(document.activeElement)) document.activeElement.blur(); }, 0);
  }, true);
})();
</script>"""


def render_keyboard_focus_fix() -> None:
    """Keep ← and → stepping after a mouse click on a segmented control (see _KEYBOARD_JS)."""
    st.html(_KEYBOARD_JS, unsafe_allow_javascript=True)


def render_flashes() -> None:
    """Messages of the last action: what went well, or what an action did besides, as a toast that goes
    away by itself (it never pushes the graph down for the rest of a lecture); problems in the page until
    the next action."""
    for level, text in state.take_flashes():
        if level in ("success", "info"):
            st.toast(text, icon="✅" if level == "success" else "ℹ️", duration="long")
        else:
            getattr(st, level if level in ("error", "warning", "info") else "info")(text)


def _undo_problem() -> None:
    state.get_lab().undo_problem()


def _dismiss_problem() -> None:
    state.get_lab().dismiss_problem()


def render_problem(lab) -> None:
    if lab.problem:
        box = st.container(border=True)
        box.error(lab.problem, icon="⚠️")
        c1, c2, _ = box.columns([1, 1, 3])
        c1.button(
            "Undo to last finite state",
            key="prob_undo",
            on_click=_undo_problem,
            type="primary",
            disabled=lab.last_finite is None,
        )
        c2.button("Dismiss", key="prob_dismiss", on_click=_dismiss_problem)
