"""Page sections: header, messages, the graph beside the step panel, charts, and the tool tabs."""

from __future__ import annotations

import streamlit as st

from components.views import charts
from components.ui import live_plot, state
from components.ui.controls import PLAY_INTERVAL, play_mode, plays_epochs
from components.views.notation import NOTATIONS

HIDEABLE = {"play": "play and training controls", "jumps": "phase jumps and scrubber", "charts": "training charts",
            "table": "layer table", "notation": "notation and colour choices"}

__all__ = ["HIDEABLE", "hidden", "render_header", "render_keyboard_focus_fix", "render_flashes", "render_problem", "render_graph_and_panel", "render_charts",
           "charts_stale", "render_tools", "play_interval", "TOOL_TABS"]

_CSS = """
<style>
.block-container {padding-top: 2.2rem; padding-bottom: 1rem;}
.katex-display {overflow-x: auto; overflow-y: hidden; padding-bottom: 2px;}
[data-testid="stMetricValue"] {font-size: 1.6rem;}
/* Plotly charts a whole number of pixels wide: plotly's first draw (before Streamlit has measured the
   chart) and Streamlit's width then agree, so the second pass redraws nothing (play, bench_play) */
.st-key-graph, .st-key-chart_loss, .st-key-chart_data, .st-key-chart_grad {width: round(down, 100%, 1px) !important;}
</style>
"""
_PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="collapsedControl"] {display: none;}
html, body, [class*="css"] {font-size: 20px;}
.block-container {max-width: 100% !important; padding-left: 2rem; padding-right: 2rem;}
</style>
"""
_COLOR_LABELS = {"weight": "weight w", "gradient": "gradient ∂E/∂w", "delta_w": "update Δw"}


def play_interval(lab) -> float | None:
    """Seconds between reruns of the live view while playing, else None."""
    if not lab.playing:
        return None
    if play_mode() == "steps":
        return 1.0 / float(st.session_state.get("ctl_step_speed", 2))
    return PLAY_INTERVAL


def _toggle_presentation() -> None:
    st.session_state["presentation"] = bool(st.session_state.get("hdr_presentation"))


def render_header() -> bool:
    """Title, presentation toggle and notation/colouring choices. Returns presentation mode."""
    presentation = bool(st.session_state.get("presentation"))
    st.markdown(_CSS, unsafe_allow_html=True)  # static CSS only, never user text
    if presentation:
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
    lab = state.get_lab()
    cols = st.columns([2.3, 1.6, 1.4, 1.4], vertical_alignment="bottom")
    sizes = "-".join(map(str, lab.net.layer_sizes))
    cols[0].markdown(f"## Backprop Lab  \n<span style='color:#666'>network {sizes} · "
                     f"{'/'.join(dict.fromkeys(lab.net.activations))} · {lab.config.loss} · η = {lab.config.lr:g}"
                     f"</span>", unsafe_allow_html=True)  # numbers and fixed names only
    if hidden("notation"):
        return presentation
    keys = list(NOTATIONS)
    st.session_state["hdr_notation"] = lab.config.notation
    cols[1].selectbox("Notation", keys, format_func=lambda k: NOTATIONS[k].label, key="hdr_notation",
                      on_change=_set_display, args=("notation", "hdr_notation"))
    st.session_state["hdr_color"] = lab.config.color_by
    cols[2].selectbox("Colour edges by", list(_COLOR_LABELS), format_func=_COLOR_LABELS.get, key="hdr_color",
                      on_change=_set_display, args=("color_by", "hdr_color"))
    st.session_state["hdr_presentation"] = presentation
    cols[3].toggle("Presentation", key="hdr_presentation", on_change=_toggle_presentation,
                   help="Hide configuration, enlarge fonts and the graph; → and ← keep stepping.")
    return presentation


def _set_display(field: str, key: str) -> None:
    lab = state.get_lab()
    lab.config = lab.config.with_(**{field: st.session_state[key]})


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
    for level, text in state.take_flashes():
        getattr(st, level if level in ("error", "warning", "info", "success") else "info")(text)


def _undo_problem() -> None:
    state.get_lab().undo_problem()


def _dismiss_problem() -> None:
    state.get_lab().problem = None


def render_problem(lab) -> None:
    if lab.problem:
        box = st.container(border=True)
        box.error(lab.problem, icon="⚠️")
        c1, c2, _ = box.columns([1, 1, 3])
        c1.button("Undo to last finite state", key="prob_undo", on_click=_undo_problem, type="primary",
                  disabled=lab.last_finite is None)
        c2.button("Dismiss", key="prob_dismiss", on_click=_dismiss_problem)


def _fit_scale() -> None:
    state.get_lab().fit_scale()


def render_graph_and_panel(lab, presentation: bool, between=None) -> None:
    """The caption, then the step panel (right) and the graph (left). ``between``: drawn after the
    panel and before the graph (the step controls, into a container above): the new formula
    leaves the server and is painted on its own, ahead of the graph's plotly redraw."""
    from components.views import graph
    from components.ui import graph_view, step_panel
    st.caption(f"Update {lab.stepper.update + 1} (epoch {lab.epoch_float:.3g}) · batch of {lab.trace.m} · "
               f"{lab.stepper.n_events} events in this update")
    left, right = st.columns([1.35, 1] if not presentation else [1.25, 1])
    # The panel is filled first (same layout), then ``between``, then the graph: the formula reaches
    # the browser ahead of the graph, whose plotly redraw would otherwise hold it back.
    with right:
        if lab.selected is not None:
            render_selected(lab)
        if plays_epochs(lab):  # the cursor stays at an update's start: the formula would stand still
            render_training_status(lab, presentation)
        else:
            step_panel.show_step_panel(lab.trace, lab.stepper.cursor, lab.config.notation, digits=4,
                                       presentation=presentation, show_table=not hidden("table"))
    if between is not None:
        between()
    with left:
        opts = graph.GraphOptions(color_by=lab.config.color_by, scale=lab.scale, selected=lab.selected, sample=None,
                                  height=620 if presentation else 500, font_size=20 if presentation else 15,
                                  width=560 if presentation else 430,  # at 1280 px wide, sidebar open when not presenting
                                  live=lab.playing)
        fig = graph.build_figure(lab.net, lab.trace, lab.stepper.cursor, opts)
        if lab.playing:
            live_plot.show_live(fig, key="live_graph")
            picked = None
        else:
            picked = graph_view.show_graph(fig, key="graph")
        if picked is not None and picked != lab.selected:
            lab.selected = picked
            st.rerun(scope="fragment")  # redraw with the selection ring and the neuron's panel
        st.button("Fit colour scale", key="graph_fit_scale", on_click=_fit_scale,
                  help="Rescale edge colours to the current values (the scale otherwise stays fixed while stepping)")


def render_training_status(lab, presentation: bool) -> None:
    """Where training is while whole epochs play, in one Markdown block redrawn every tick. (The step
    panel would stand still: the cursor stays at an update's start, "press → to begin".)"""
    epoch, train, test = lab.curve[-1] if lab.curve else (lab.epoch_float, float("nan"), None)
    per_epoch = lab.stepper.updates_per_epoch
    at = f" (at epoch {epoch:.4g})" if abs(epoch - lab.epoch_float) > 1e-9 else ""
    losses = f"E = {train:.6g} on the training set" + (f" · {test:.6g} on the test set" if test is not None else "") + at
    st.markdown(("### " if presentation else "#### ") + f"Training · epoch {lab.epoch_float:.4g}  \n"
                f"{losses}  \n{per_epoch} update{'s' * (per_epoch != 1)} per epoch · η = {lab.config.lr:g}  \n"
                "**Pause** to step through the next update one number at a time.")


def hidden(name: str) -> bool:
    """Whether a classroom link asked to hide this part of the page (see HIDEABLE)."""
    return name in st.session_state.get("hidden_controls", ())


def _go_to(kind: str, layer: int, i: int, sample: int) -> None:
    lab = state.get_lab()
    lab.seek(lab.trace.layout.index_of(kind, layer, i, sample=sample))


def _clear_selection() -> None:
    state.get_lab().selected = None


def render_selected(lab) -> None:
    """The neuron clicked in the graph: its numbers in this update, and jumps to its events."""
    layer, i = lab.selected
    tr = lab.trace
    if not 0 <= layer < len(tr.layer_sizes) or not 0 <= i < tr.layer_sizes[layer]:
        lab.selected = None
        return
    ev = lab.stepper.event
    c = ev.sample if ev is not None and ev.sample is not None else 0
    box = st.container(border=True)
    if layer == 0:
        box.markdown(f"**Input {i + 1}** · x = {tr.X[c, i]:.6g} (sample {c + 1})")
        box.button("Clear selection", key="sel_clear", on_click=_clear_selection)
        return
    cols = box.columns([2.2, 1, 1, 1], vertical_alignment="center")
    cols[0].markdown(f"**Neuron {i + 1} of layer {layer}** (sample {c + 1})  \n"
                     f"z = {tr.Z[layer][c, i]:.6g} · a = {tr.A[layer][c, i]:.6g} · δ = {tr.deltas[layer][c, i]:.6g}")
    cols[1].button("its a", key="sel_fwd", on_click=_go_to, args=("forward", layer, i, c), width="stretch",
                   help="Put the cursor on this neuron's forward value")
    cols[2].button("its δ", key="sel_delta", on_click=_go_to, args=("delta", layer, i, c), width="stretch",
                   help="Put the cursor on this neuron's δ")
    cols[3].button("clear", key="sel_clear", on_click=_clear_selection, width="stretch")


def charts_key(lab) -> tuple:
    """What the training charts show: they change when an update completes or is undone, never
    while stepping inside one (the boundary is drawn from the parameters the update started from)."""
    return (lab.stepper.update, len(lab.curve), lab.curve[-1] if lab.curve else None, id(lab.net),
            id(lab.dataset), lab.config.loss, hidden("charts"))


def charts_stale(lab) -> bool:
    """Whether the charts on the page no longer match the lab (a step crossed an update boundary)."""
    return st.session_state.get("charts_drawn") != charts_key(lab)


def _net_at_update_start(lab):
    """The network with the parameters this update started from (``lab.net`` once Δw are applied)."""
    tr = lab.trace
    if lab.stepper.cursor < tr.layout.update_start:
        return lab.net  # no Δw applied yet: the same parameters
    try:
        start = lab.net.copy()  # (copy validates the parameters it copies)
        start.set_parameters(tr.weights_before, tr.biases_before)
    except ValueError:  # non-finite (diverged): draw what the lab holds, NaN where it is NaN
        return lab.net
    return start


def render_charts(lab, presentation: bool) -> None:
    """Loss curve, decision boundary (or fitted curve) and gradient norms, as of the start of the
    current update. Drawn by full runs, and by the live view only while playing: stepping inside
    an update does not resend or redraw them (bench_step_latency)."""
    st.session_state["charts_drawn"] = charts_key(lab)
    if hidden("charts"):
        return
    c1, c2, c3 = st.columns(3)
    d = lab.dataset
    _chart(c1, lab, charts.loss_figure(lab.curve, lab.config.loss, d.X_train.shape[0], d.X_test.shape[0]),
           "chart_loss")
    u = lab.stepper.update  # completed updates: the parameters the current one started from
    fig = charts.data_figure(_net_at_update_start(lab), lab.dataset, title_note=f"after {u} update{'s' * (u != 1)}")
    if fig is not None:
        _chart(c2, lab, fig, "chart_data")
    else:
        c2.info(f"{lab.dataset.n_inputs}-dimensional inputs: no boundary picture.")
    _chart(c3, lab, charts.grad_norm_figure(lab.grad_norms), "chart_grad")


def _chart(where, lab, fig, key: str) -> None:
    """A training chart: patched in place while playing (live_plot), a plain plotly chart otherwise."""
    with where:
        if lab.playing:
            live_plot.show_live(fig, key="live_" + key)
        else:  # theme=None: our own style (components/charts.py: Streamlit's theme drew every chart twice)
            st.plotly_chart(fig, key=key, config={"displaylogo": False}, theme=None)


TOOL_TABS = ("Gradient check", "Edit weights", "Export & share")


def render_tools(lab) -> None:
    """The tools, one at a time under a row of choices (a second click on the open one closes it).
    Only the open tool is built and sent: the weight editor's tables and the export widgets made
    every → press ~20 % slower. A segmented control, not st.tabs: tabs measure their layout on
    every rerun of the live view, ~13 ms per → press (bench_step_latency, A/B)."""
    from components.ui import tools

    st.session_state.setdefault("tools_tab", TOOL_TABS[0])
    if st.session_state["tools_tab"] not in (*TOOL_TABS, None):  # e.g. a stale value from an old session
        st.session_state["tools_tab"] = TOOL_TABS[0]
    st.markdown("##### Tools")
    choice = st.segmented_control("Tool", list(TOOL_TABS), key="tools_tab", label_visibility="collapsed")
    for name, render in zip(TOOL_TABS, (tools.render_gradient_check, tools.render_weight_editor, tools.render_export)):
        if choice == name:
            render(lab)
