"""The live view: the graph beside the step panel (or the neuron clicked, or training status while
epochs play), and the training charts below."""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.model.diagnostics import diagnose_lab
from components.model.display import SUMMARY_EDGES
from components.model.links import plain_markdown
from components.model.play import FRAME_SPACING, charted, frames_to_draw
from components.ui import live_plot, practice_panel, state, step_panel, stepping
from components.ui.controls import plays_epochs, update_caption
from components.views import charts
from components.views.notation import Shape, get_notation, plain_symbol
from components.views.path_view import path_lines, path_summary
from components.views.step_view_graph import STRONG_PER_NEURON

__all__ = ["render_graph_and_panel", "render_charts", "charts_stale"]


def _fit_scale() -> None:
    state.get_lab().fit_scale()


def _set_edges() -> None:
    choice = state.widget("hdr_edges")
    if choice in ("strongest", "all"):
        state.set_display(edges=choice)


def _toggle_pictures() -> None:
    state.set_display(pictures=bool(state.widget("hdr_pictures")))


def render_graph_and_panel(lab, presentation: bool, between=None) -> None:
    """Paused: the step view (the browser moves its cursor). Playing: the caption, then the step panel
    or the training status (right) and the live graph (left), redrawn by each tick. ``between``: the
    step controls, drawn into a container above."""
    if not lab.playing:  # the browser steps: the step view draws graph, panel and table for its cursor
        if lab.selected is not None:
            render_selected(lab)
        if between is not None:
            between()
        stepping.render_step_view(lab, presentation)
        if lab.practising and not presentation:
            practice_panel.render_practice(lab)
        if presentation:
            return
        fit, pictures, edges = st.columns([1, 1.3, 3], vertical_alignment="center")
        fit.button(
            "Fit colour scale",
            key="graph_fit_scale",
            on_click=_fit_scale,
            help="Rescale edge colours to the current values (the scale otherwise stays fixed while stepping)",
        )
        if lab.dataset.n_inputs == 2:
            pictures.toggle(
                "Neuron pictures",
                key="hdr_pictures",
                on_change=_toggle_pictures,
                help="Each neuron drawn as its output over the input plane (x₁ across, x₂ up), for the "
                "weights this update starts from",
            )
        if lab.net.n_weights > SUMMARY_EDGES:  # a large network: its summary, or every edge
            edges.segmented_control(
                "Edges",
                ["strongest", "all"],
                format_func={"strongest": "strongest", "all": "all"}.get,
                key="hdr_edges",
                on_change=_set_edges,
                label_visibility="collapsed",
                help=f"Strongest: the {STRONG_PER_NEURON} largest |w| into each neuron's layer per neuron, and the "
                "current neuron's edges in full; all: every edge",
            )
        return
    st.caption(update_caption(lab))
    left, right = st.columns([1.35, 1] if not presentation else [1.25, 1])
    # The panel is filled first (same layout), then ``between``, then the graph: the formula reaches
    # the browser ahead of the graph, whose plotly redraw would otherwise hold it back.
    with right:
        if lab.selected is not None:
            render_selected(lab)
        if plays_epochs(lab):  # the cursor stays at an update's start: the formula would stand still
            render_training_status(lab, presentation)
        else:
            step_panel.show_step_panel(
                lab.trace,
                lab.stepper.cursor,
                lab.display.notation,
                digits=lab.display.digits,
                presentation=presentation,
                show_table=not lab.display.hides("table"),
            )
    if between is not None:
        between()
    with left:
        stepping.render_play_graph(lab, presentation)
        st.button(
            "Fit colour scale",
            key="graph_fit_scale",
            on_click=_fit_scale,
            help="Rescale edge colours to the current values (the scale otherwise stays fixed while stepping)",
        )


def render_training_status(lab, presentation: bool) -> None:
    """Where training is while whole epochs play, in one Markdown block redrawn every tick. (The step
    panel would stand still: the cursor stays at an update's start, "press → to begin".)"""
    epoch, train, test = lab.curve[-1] if lab.curve else (lab.epoch_float, float("nan"), None)
    per_epoch = lab.stepper.updates_per_epoch
    at = f" (at epoch {epoch:.4g})" if abs(epoch - lab.epoch_float) > 1e-9 else ""
    d = lab.dataset
    losses = charts.loss_summary(train, test, lab.config.loss, d.X_train.shape[0], d.X_test.shape[0]) + at
    losses += charts.accuracy_summary(lab.accuracy())
    st.markdown(
        ("### " if presentation else "#### ") + f"Training · epoch {lab.epoch_float:.4g}  \n"
        f"{losses}  \n{per_epoch} update{'s' * (per_epoch != 1)} per epoch · η = {lab.config.lr:g}  \n"
        "**Pause** to step through the next update one number at a time."
    )


def _go_to(kind: str, layer: int, i: int, sample: int) -> None:
    lab = state.get_lab()
    lab.seek(lab.trace.layout.index_of(kind, layer, i, sample=sample))


def _clear_selection() -> None:
    state.get_lab().select(None)


def render_selected(lab) -> None:
    """The neuron clicked in the graph: its numbers in this update, and jumps to its events."""
    layer, i = lab.selected
    tr = lab.trace
    if not 0 <= layer < len(tr.layer_sizes) or not 0 <= i < tr.layer_sizes[layer]:
        lab.select(None)
        return
    ev = lab.stepper.event
    c = ev.sample if ev is not None and ev.sample is not None else 0
    box = st.container(border=True, key="bp_selected")
    if layer == 0:
        box.markdown(f"**Input {i + 1}** · x = {tr.X[c, i]:.6g} (sample {c + 1})")
        box.button("Clear selection", key="sel_clear", on_click=_clear_selection)
        return
    cols = box.columns([2.2, 1, 1, 1], vertical_alignment="center")
    seen = lab.revealed_through()  # practice mode: a value not yet answered stays hidden

    def value(kind: str, x: float) -> str:
        return f"{x:.6g}" if tr.layout.index_of(kind, layer, i, sample=c) <= seen else "?"

    cols[0].markdown(
        f"**Neuron {i + 1} of layer {layer}** (sample {c + 1})  \n"
        f"z = {value('forward', tr.Z[layer][c, i])} · a = {value('forward', tr.A[layer][c, i])} · "
        f"δ = {value('delta', tr.deltas[layer][c, i])}"
    )
    cols[1].button(
        "its a",
        key="sel_fwd",
        on_click=_go_to,
        args=("forward", layer, i, c),
        width="stretch",
        help="Put the cursor on this neuron's forward value",
    )
    cols[2].button(
        "its δ",
        key="sel_delta",
        on_click=_go_to,
        args=("delta", layer, i, c),
        width="stretch",
        help="Put the cursor on this neuron's δ",
    )
    cols[3].button("clear", key="sel_clear", on_click=_clear_selection, width="stretch")
    render_paths(lab, box)


def _path_target_chosen() -> None:
    state.set_path_target(state.widget("sel_path_target"))


def render_paths(lab, box) -> None:
    """The chain rule as paths for the selected neuron: choose its δ, one of its incoming weights or its
    bias; the graph draws every path from it to the loss (stepping.chain_path_pairs) and this writes the
    derivative as the sum over those paths of the products of local derivatives."""
    layer, i = lab.selected
    tr, d = lab.trace, lab.display
    targets = [("neuron", layer, i, None)]
    targets += [("weight", layer, i, j) for j in range(tr.layer_sizes[layer - 1])]
    targets += [("bias", layer, i, None)] if tr.bias else []
    chosen = state.path_target()
    state.set_widget("sel_path_target", chosen if chosen in targets else targets[0])
    nt, s = get_notation(d.notation), Shape(tuple(tr.layer_sizes), tr.m)

    def name(t) -> str:
        kind, l, k, j = t
        if kind == "neuron":
            return "δ of this neuron (∂E/∂z, summed over the batch)" if tr.m > 1 else "δ of this neuron (∂E/∂z)"
        param = nt.weight(s, l, k, j) if kind == "weight" else nt.bias(s, l, k)
        return plain_symbol(nt.d(param))

    box.selectbox(
        "Chain rule as paths to the loss, from",
        targets,
        format_func=name,
        key="sel_path_target",
        on_change=_path_target_chosen,
        help="The graph draws every path from it to the loss; below, the derivative is the sum over those "
        "paths of the product of the local derivatives (weights and g′ values) along each",
    )
    if lab.practising:
        box.caption("Practice mode: the path sums are hidden (they hold the values you are asked).")
        return
    ps = stepping.chosen_path_sum(lab)
    if ps is None:
        return
    with np.errstate(all="ignore"):
        lines = path_lines(ps, tr, nt, d.digits)
    box.markdown(plain_markdown(path_summary(ps, nt, tr)))
    for line in lines:
        box.latex(line)


def charts_key(lab) -> tuple:
    """What the training charts show: they change when an update completes or is undone, never
    while stepping inside one (the boundary is drawn from the parameters the update started from)."""
    return (
        lab.stepper.update,
        len(lab.curve),
        lab.curve[-1] if lab.curve else None,
        id(lab.net),
        id(lab.dataset),
        lab.config.loss,
        lab.display.hides("charts"),
        lab.practising,
    )


def charts_stale(lab) -> bool:
    """Whether the charts on the page no longer match the lab (a step crossed an update boundary)."""
    return state.charts_drawn() != charts_key(lab)


def render_charts(lab, presentation: bool) -> None:
    """Loss curve, decision boundary (or fitted curve) and gradient norms, as of the start of the
    current update. Drawn by full runs, and by the live view only while playing: stepping inside
    an update does not resend or redraw them (bench_step_latency). The first page leaves them out: the
    step view draws first (plotly.js is 4.6 MB for the browser to load), and its first report brings a
    run that draws them."""
    if lab.practising and not lab.display.hides("charts"):
        st.caption(
            "Practice mode hides the training charts: their loss curve shows the loss you are computing. "
            "Turn practice off to see them."
        )
        state.set_charts_drawn(charts_key(lab))
        return
    if state.is_first_run() and not lab.display.hides("charts"):
        st.caption("The training charts (loss, decision boundary, gradient norms) follow in a moment.")
        return
    state.set_charts_drawn(charts_key(lab))
    if lab.display.hides("charts"):
        return
    if not lab.playing:
        render_diagnostics(lab)
    c1, c2, c3 = st.columns(3)
    d = lab.dataset
    if lab.playing:
        _live_charts(lab, (c1, c2, c3))
        return
    _chart(c1, charts.loss_figure(lab.curve, lab.config.loss, d.X_train.shape[0], d.X_test.shape[0]), "chart_loss")
    u = lab.stepper.update  # completed updates: the parameters the current one started from
    fig = charts.data_figure(lab.net_at_update_start(), lab.dataset, title_note=_after(u))
    if fig is not None:
        _chart(c2, fig, "chart_data")
    else:
        c2.info(f"{lab.dataset.n_inputs}-dimensional inputs: no boundary picture.")
    _chart(c3, charts.grad_norm_figure(lab.grad_norms), "chart_grad")


def render_diagnostics(lab) -> None:
    """What the numbers of this update say about the network, one sentence each (flagged ! on the graph);
    nothing when all is well."""
    findings = state.per_update("diagnostics", lab, lambda: diagnose_lab(lab))
    if not findings:
        return
    box = st.container(border=True, key="bp_diagnostics")
    box.markdown(f"**Diagnostics** · {len(findings)} thing{'s' * (len(findings) != 1)} to look at (! on the graph)")
    for f in findings:
        box.markdown(f"- {plain_markdown(f.sentence)}")


def _after(updates: int) -> str:
    return f"after {updates} update{'s' * (updates != 1)}"


def _chart(where, fig, key: str) -> None:
    """A training chart that holds still. theme=None: our own style (components/charts.py: Streamlit's
    theme drew every chart twice)."""
    with where:
        st.plotly_chart(fig, key=key, config={"displaylogo": False}, theme=None)


def _live_charts(lab, columns) -> None:
    """While playing: the loss and the boundary for the tick's frames the charts follow (``frames_to_draw``,
    ``charted``), patched in place in the browser at those frames' times (live_plot); the gradient
    norms with the first frame alone (seven lines and a legend: the dearest chart to redraw, and slow
    to move)."""
    frames, batch = frames_to_draw(lab)
    follow = charted(len(frames))
    d, c1, c2, c3 = lab.dataset, *columns
    m_train, m_test = d.X_train.shape[0], d.X_test.shape[0]
    loss = [
        charts.loss_figure(list(f.curve), lab.config.loss, m_train, m_test) if on else None
        for f, on in zip(frames, follow)
    ]
    with c1:
        live_plot.show_live(loss, "live_chart_loss", batch=batch, spacing=FRAME_SPACING)
    if d.n_inputs <= 2:
        boundary = [
            charts.data_figure(f.start_net, d, title_note=_after(f.update)) if on else None
            for f, on in zip(frames, follow)
        ]
        with c2:
            live_plot.show_live(boundary, "live_chart_data", batch=batch, spacing=FRAME_SPACING)
    else:
        c2.info(f"{d.n_inputs}-dimensional inputs: no boundary picture.")
    grad = [charts.grad_norm_figure(list(frames[0].grad_norms))] + [None] * (len(frames) - 1)
    with c3:
        live_plot.show_live(grad, "live_chart_grad", batch=batch, spacing=FRAME_SPACING)
