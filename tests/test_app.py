"""The app driven through Streamlit's AppTest: every control, and the numbers shown equal the engine's.

Over 400 lines: one test per control of the page."""

import json
import time
from dataclasses import replace

import numpy as np
import pytest

from app_support import lab_of, new_app, press, report, shown_lines, step_payload
from components.model.presets import PRESETS
from components.ui.tools import TOOL_TABS
from components.views.formulas import event_formula
from components.views.notation import NOTATIONS
from components.views.position import progress_text
from components.views.step_text import formula_lines
from plotly_arrays import arr


def assert_panel_matches_engine(at):
    """The step panel's LaTeX is exactly what formulas produce from the engine's current event."""
    lab = lab_of(at)
    expected = formula_lines(
        lab.trace, lab.stepper.cursor, lab.display.notation, digits=4, presentation=lab.display.presentation
    )
    latex = shown_lines(at)
    for line in expected:
        assert line in latex, (line, latex)


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def jump(at, phase):
    """Choose ``phase`` in the "Jump to" control (which then shows nothing chosen again)."""
    control = next(w for w in at.get("button_group") if w.key == "ctl_jump")
    control.set_value(phase).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["ctl_jump"] is None
    return at


def test_page_renders_without_exception_or_error():
    at = new_app()
    assert not at.error
    assert any("Backprop Lab" in m.value for m in at.markdown)
    assert_panel_matches_engine(at)


def test_next_and_back_walk_events_and_restore_weights():
    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    lab = lab_of(at)
    start = [w.copy() for w in lab.net.weights]
    seen = []
    for k in range(lab.stepper.n_events):
        press(at, "next")
        lab = lab_of(at)
        assert lab.stepper.cursor == k
        assert_panel_matches_engine(at)
        seen.append(lab.stepper.event.kind)
    assert seen[0] == "forward" and "delta" in seen and seen[-1] == "update_w"
    # the final weights are the textbook's
    np.testing.assert_allclose(lab.net.weights[1], [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], rtol=1e-8)
    for _ in range(lab.stepper.n_events):
        press(at, "back")
    for x, y in zip(start, lab_of(at).net.weights):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("gran", ["neuron", "layer", "sample", "phase", "update"])
def test_granularity_steps_by_groups(gran):
    at = new_app({"preset": "seed001", "data": "preset", "h": "3", "loss": "half_mse", "bs": "0"})
    at.session_state["ctl_granularity"] = gran
    at.run()
    lab = lab_of(at)
    lab.display = lab.display.with_(granularity=gran)
    at.run()  # the step view's → follows the step size of the page it was sent with
    press(at, "next")
    lab = lab_of(at)
    first, last = lab.trace.layout.group(0, gran)
    assert lab.stepper.cursor == last
    assert_panel_matches_engine(at)
    press(at, "back")
    assert lab_of(at).stepper.cursor == -1


def test_phase_jumps_and_start_of_update():
    at = new_app()
    for phase, kind in (("backward", "delta"), ("update", "update_w"), ("backward", "delta")):
        jump(at, phase)  # the phase's first event is shown (forward and back)
        lab = lab_of(at)
        assert lab.stepper.cursor == lab.trace.layout.phase_bounds(phase)[0] and lab.stepper.event.kind == kind
        assert_panel_matches_engine(at)
    jump(at, "update")
    press(at, "next")
    assert lab_of(at).stepper.event.is_update
    jump(at, "backward")
    press(at, "back")
    jump(at, "backward")  # the same choice twice: it jumps again (the control forgets its choice)
    assert lab_of(at).stepper.cursor == lab_of(at).trace.layout.phase_bounds("backward")[0]
    jump(at, "forward")  # "⟲ start"
    assert lab_of(at).stepper.cursor == -1


def test_scrubber_seeks_and_progress_text():
    at = new_app()
    lab = lab_of(at)
    target = lab.trace.layout.delta_start + 1
    report(at, "cursor", target)  # the step view's scrubber
    lab = lab_of(at)
    assert lab.stepper.cursor == target
    p = step_payload(at)
    assert p["events"][target - p["window"][0]]["progress"] == progress_text(lab.trace, target)
    assert_panel_matches_engine(at)


def test_finish_update_then_next_update():
    at = new_app({"bs": "1"})
    click(at, "ctl_finish")
    lab = lab_of(at)
    assert lab.stepper.cursor == lab.stepper.n_events - 1
    press(at, "next")
    assert lab_of(at).stepper.update == 1 and lab_of(at).stepper.cursor == 0


@pytest.mark.parametrize("notation", ["neutral", "seed000", "seed001", "seed002", "seed003"])
def test_notation_selector_changes_formulas(notation):
    at = new_app({"preset": "seed000", "data": "preset", "h": "2-2", "act": "sigmoid", "bias": "off", "bs": "0"})
    at.selectbox(key="hdr_notation").select(notation).run()
    jump(at, "backward")
    press(at, "next")
    lab = lab_of(at)
    assert lab.display.notation == notation
    f = event_formula(lab.stepper.event, lab.trace, notation, 4)
    assert_panel_matches_engine(at)
    assert f.symbolic


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_load_in_one_click(name):
    at = new_app()
    at.selectbox(key="cfg_preset_choice").select(name).run()
    click(at, "cfg_load_preset")
    lab = lab_of(at)
    assert lab.config == PRESETS[name].config
    assert any(PRESETS[name].label in s.value for s in at.toast)


def test_presets_and_notations_are_named_by_content_with_their_source_beside_the_chooser():
    """Menus name presets and notations by what they are (no "Seed 000": that is a file name, and
    it collides with the sidebar's seed inputs), short enough for their menus; the line saying where
    a notation comes from is shown where it is chosen; the texts name the controls as labelled."""
    at = new_app()
    presets, notations = at.selectbox(key="cfg_preset_choice"), at.selectbox(key="hdr_notation")
    assert presets.options == [p.label for p in PRESETS.values()]
    assert notations.options == [n.label for n in NOTATIONS.values()]
    for label in presets.options + notations.options:
        assert "seed" not in label.lower() and 0 < len(label) <= 40, label
    for n in NOTATIONS.values():
        assert n.source.strip() and "seed" not in n.source.lower()
        assert f"**{n.label}**: {n.source}" in notations.help
    for name, p in PRESETS.items():
        at.selectbox(key="cfg_preset_choice").select(name).run()
        captions = [c.value for c in at.sidebar.caption]
        assert any(p.description in c and p.source in c for c in captions), (name, captions)
    assert "Edit weights" in TOOL_TABS and "Tools → Edit weights" in PRESETS["mazur"].description
    assert "Next →" in step_payload(at)["start"]["note"] and "to begin" in step_payload(at)["start"]["note"]


def test_preset_choice_shows_the_loaded_preset_or_none():
    """A network that is no preset (a custom link) shows no preset chosen and "Load preset" waits
    for a choice; a loaded preset shows its own name."""
    at = new_app({"h": "4", "act": "tanh", "data": "xor"})
    assert at.selectbox(key="cfg_preset_choice").value is None
    assert at.button(key="cfg_load_preset").disabled
    at.selectbox(key="cfg_preset_choice").select("xor").run()
    assert not at.button(key="cfg_load_preset").disabled
    click(at, "cfg_load_preset")
    assert lab_of(at).config == PRESETS["xor"].config and at.selectbox(key="cfg_preset_choice").value == "xor"
    assert not at.exception
    assert new_app({"preset": "xor"}).selectbox(key="cfg_preset_choice").value == "xor"  # a preset's own link


def test_train_n_epochs_updates_curve_and_message():
    at = new_app({"preset": "xor", "h": "4", "act": "tanh", "bs": "10", "n": "200", "noise": "0.05"})
    at.number_input(key="ctl_n_epochs").set_value(5).run()
    click(at, "ctl_train")
    lab = lab_of(at)
    assert lab.epoch_float == pytest.approx(5.0)
    assert len(lab.curve) >= 6
    assert lab.curve[-1][1] == pytest.approx(lab.net.loss(lab.dataset.X_train, lab.dataset.Y_train), rel=1e-12)
    message = next(s.value for s in at.toast if "Trained 5 epochs" in s.value)
    # the loss as the chart shows it: E/m for half_sse, with what it is over
    m = lab.dataset.X_train.shape[0]
    assert f"E/m = {lab.curve[-1][1] / m:.4g} on the {m} training samples" in message, message
    assert f"{100 * lab.accuracy()[0]:.3g} % classified right (training)" in message, message
    chart = _chart(at, "Loss")
    train = next(t for t in chart["data"] if t["name"] == "train")
    assert arr(train["y"])[-1] == pytest.approx(lab.curve[-1][1] / m, rel=1e-12) and chart["layout"]["yaxis"]["title"]


def test_play_state_toggles_and_advances():
    at = new_app()
    click(at, "ctl_play")
    assert lab_of(at).playing
    before = lab_of(at).stepper.update
    at.run()  # a rerun while playing advances training
    assert lab_of(at).stepper.update > before
    click(at, "ctl_play")
    assert not lab_of(at).playing


def test_divergence_pauses_with_message_and_undo():
    at = new_app({"h": "4", "act": "tanh", "out": "linear", "lr": "100", "bs": "0"})
    at.number_input(key="ctl_n_epochs").set_value(200).run()
    click(at, "ctl_train")
    lab = lab_of(at)
    assert lab.problem
    assert any("diverged" in e.value or "saturated" in e.value for e in at.error)
    click(at, "prob_undo")
    lab = lab_of(at)
    assert lab.problem is None and all(np.all(np.isfinite(w)) for w in lab.net.weights)


def test_sidebar_changes_rebuild_or_keep():
    at = new_app()
    at.number_input(key="cfg_n_hidden").set_value(2).run()
    assert lab_of(at).net.n_layers == 3
    at.number_input(key="cfg_units_1").set_value(5).run()
    assert lab_of(at).net.layer_sizes == (2, 4, 5, 1)
    at.selectbox(key="cfg_loss").select("cross_entropy").run()
    assert lab_of(at).net.loss_name == "cross_entropy"
    at.radio(key="cfg_bias").set_value("off").run()
    assert not lab_of(at).net.bias
    lab = lab_of(at)
    w = [x.copy() for x in lab.net.weights]
    at.number_input(key="cfg_lr").set_value(0.25).run()  # a new η keeps the network
    assert lab_of(at).config.lr == 0.25 and lab_of(at).stepper.lr == 0.25
    for x, y in zip(w, lab_of(at).net.weights):
        np.testing.assert_array_equal(x, y)
    assert not at.exception


def test_invalid_combination_is_refused_and_previous_state_kept():
    at = new_app()
    at.selectbox(key="cfg_output_activation").select("linear").run()
    at.selectbox(key="cfg_loss").select("cross_entropy").run()
    assert any("Not applied" in e.value for e in at.error)
    assert lab_of(at).net.loss_name != "cross_entropy"


def test_csv_upload_builds_a_lab():
    at = new_app()
    at.selectbox(key="cfg_dataset").select("csv").run()
    assert not at.error  # a choice, not a mistake: no red box before anything was uploaded
    assert any("Upload a CSV file" in i.value for i in at.info)  # the uploader says what to do
    lab = lab_of(at)
    assert lab.config.dataset != "csv"  # the previous lab stays until a file is read


def test_weight_edit_is_applied_and_validated():
    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    lab = lab_of(at)
    # edit w[1] row 0 col 0 through the lab API the editor calls, then check the panel follows
    W, b = lab.net.parameters()
    W[1][0, 0] = 0.9
    lab.set_parameters(W, b)
    at.run()
    press(at, "next")
    assert lab_of(at).trace.weights_before[1][0, 0] == 0.9
    with pytest.raises(ValueError):
        lab.set_parameters([np.full((2, 2), np.nan), W[1]], b)
    assert lab_of(at).trace.weights_before[1][0, 0] == 0.9


def test_gradient_check_panel_reports_small_errors():
    at = new_app()
    click(at, "tool_gradcheck")
    assert any("Largest relative error" in s.value for s in at.success)


def test_network_json_round_trip_through_lab():
    from engine import Network

    at = new_app()
    lab = lab_of(at)
    d = json.loads(lab.export_json())
    net = Network.from_dict(d)
    for x, y in zip(net.weights, lab.net.weights):
        np.testing.assert_array_equal(x, y)


def test_selected_neuron_panel_jumps_to_its_events():
    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    lab = lab_of(at)
    lab.selected = (1, 1)  # what a click on hidden neuron 2 sets
    at.run()
    assert any("Neuron 2 of layer 1" in m.value for m in at.markdown)
    click(at, "sel_delta")
    ev = lab_of(at).stepper.event
    assert (ev.kind, ev.layer, ev.i) == ("delta", 1, 1)
    assert_panel_matches_engine(at)
    click(at, "sel_fwd")
    ev = lab_of(at).stepper.event
    assert (ev.kind, ev.layer, ev.i) == ("forward", 1, 1)
    click(at, "sel_clear")
    assert lab_of(at).selected is None


def _title(fig: dict) -> str:
    """A figure's title as read: its text, then " · " and its subtitle if it has one."""
    title = fig["layout"].get("title", {})
    return " · ".join(t for t in (title.get("text", ""), title.get("subtitle", {}).get("text", "")) if t)


def _chart(at, title_start: str) -> dict:
    """The plotly figure (as JSON) of the chart whose title (with its subtitle) starts so."""
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        if _title(fig).startswith(title_start):
            return fig
    raise AssertionError(f"no chart titled {title_start!r}")


def _live_batches(at) -> dict:
    """key → (batch, [plotly figure (JSON), …]) of each long-lived chart play mode draws (live_plot)."""
    out = {}
    for el in at.get("bidi_component"):
        if el.proto.component_name == "backprop_lab.live_plot":
            data = json.loads(el.proto.json)
            figures = [None if f is None else json.loads(f) for f in data["figures"]]
            out[el.proto.id.rsplit("-", 1)[-1]] = (data["batch"], figures)
    return out


def _live_figures(at) -> dict:
    """key → the newest plotly figure (JSON) of each long-lived chart play mode draws."""
    return {key: [f for f in figures if f is not None][-1] for key, (_, figures) in _live_batches(at).items()}


def _play_frames(at) -> tuple[str, list] | None:
    """(batch, payloads) of the graph play mode draws (the step view's drawing, graph only), or None."""
    for el in at.get("bidi_component"):
        if el.proto.component_name == "backprop_lab.step_view" and el.proto.id.endswith("play_graph"):
            data = json.loads(el.proto.json)
            return data["batch"], data["frames"]
    return None


def _play_graph(at) -> dict | None:
    """The newest payload of the graph play mode draws, or None."""
    frames = _play_frames(at)
    return frames[1][-1] if frames else None


def test_play_draws_graph_and_charts_as_live_plots_of_the_engine_state():
    """While playing, the graph is the step view's drawing alone (patched in the browser) and the
    three charts are long-lived plotly charts patched in place (not a new st.plotly_chart per tick);
    they hold the lab's numbers. Paused, the step view and the ordinary charts are back."""
    from components.model.play import charted, frames_to_draw
    from components.ui.stepping import view_options
    from components.views.charts import boundary_grid, boundary_png
    from components.views.step_view_data import StepViewPosition, graph_frame

    at = new_app({"data": "xor", "h": "4", "act": "tanh", "bs": "10"})
    click(at, "ctl_play")
    at.run()  # a tick: trains, then draws
    lab = lab_of(at)
    assert lab.playing and lab.stepper.update > 0 and not at.exception
    live = _live_figures(at)
    assert set(live) == {"live_chart_loss", "live_chart_data", "live_chart_grad"}
    assert not at.get("plotly_chart")
    frame = _play_graph(at)
    assert frame["graph_only"] and frame["events"] == [] and frame["update"] == lab.stepper.update
    u, k = lab.stepper.update, lab.stepper.cursor
    expected = graph_frame(
        lab.net, lab.trace, StepViewPosition(f"play-{u}-{k}-{lab.scale!r}", 0, u, k, False), view_options(lab, False)
    )
    assert frame["graph"] == json.loads(json.dumps(expected["graph"]))  # edge colours of the trained weights
    frames, _ = frames_to_draw(lab)  # the newest chart is that of the last frame the charts follow
    charted_last = frames[max(q for q, on in enumerate(charted(len(frames))) if on)]
    loss = live["live_chart_loss"]
    train = next(t for t in loss["data"] if t["name"] == "train")
    m = lab.dataset.X_train.shape[0]  # half_sse is drawn per sample, E/m
    curve = charted_last.curve
    assert arr(train["y"])[-1] == curve[-1][1] / m and len(arr(train["y"])) == len(curve)
    status = " ".join(md.value for md in at.markdown if "Training · epoch" in md.value)
    m = lab.dataset.X_train.shape[0]
    assert f"Training · epoch {lab.epoch_float:.4g}" in status and f"E/m = {lab.curve[-1][1] / m:.4g}" in status
    assert not at.latex  # the step panel's formulas would stand still while whole epochs play
    image = live["live_chart_data"]["layout"]["images"][0]["source"]
    assert image == boundary_png(boundary_grid(charted_last.net, lab.dataset.X)[3], 0.0, 1.0)
    click(at, "ctl_play")
    assert not lab_of(at).playing and not _live_figures(at) and _play_graph(at) is None
    assert_panel_matches_engine(at)
    assert {
        json.loads(el.proto.spec)["layout"].get("title", {}).get("text", "")[:4] for el in at.get("plotly_chart")
    } >= {"Loss", "Deci", "Grad"}


def test_a_play_tick_sends_a_frame_for_each_part_of_its_epochs():
    """The first tick at 30 epochs/s trains its epochs in parts (``split_epochs``): the graph gets a frame
    for each part, the loss and boundary charts for every ``CHART_EVERY``-th and the gradient norms for
    the first, each exactly the engine's state after those epochs (a lab trained the same way beside
    it). A tick that waits for the browser sends the same batch again (drawn once)."""
    from components.model.lab import build_lab
    from components.model.play import CHART_EVERY, FRAMES_PER_TICK, PLAY_INTERVAL, split_epochs
    from components.ui.stepping import view_options
    from components.views.charts import boundary_grid, boundary_png
    from components.views.step_view_data import StepViewPosition, graph_frame

    at = new_app({"data": "xor", "h": "4", "act": "tanh", "bs": "10"})
    twin = build_lab(lab_of(at).config)
    click(at, "ctl_play")  # the run ▶ starts is the first tick
    lab = lab_of(at)
    parts = split_epochs(round(30 * PLAY_INTERVAL), FRAMES_PER_TICK)
    assert len(parts) == FRAMES_PER_TICK and lab.stepper.update == sum(parts) * lab.stepper.updates_per_epoch
    batch, graphs = _play_frames(at)
    charts = _live_batches(at)
    assert len(graphs) == FRAMES_PER_TICK and all(len(figs) == FRAMES_PER_TICK for _, figs in charts.values())
    assert {b for b, _ in charts.values()} == {batch}
    m = lab.dataset.X_train.shape[0]
    for q, n in enumerate(parts):
        twin.train_epochs(n)
        twin.fit_scale()
        u, k = twin.stepper.update, twin.stepper.cursor
        o = replace(view_options(lab, False), scale=twin.scale)
        expected = graph_frame(
            twin.net, twin.trace, StepViewPosition(f"play-{u}-{k}-{twin.scale!r}", 0, u, k, False), o
        )
        assert graphs[q]["update"] == u and graphs[q]["graph"] == json.loads(json.dumps(expected["graph"]))
        loss, boundary = charts["live_chart_loss"][1][q], charts["live_chart_data"][1][q]
        assert (loss is None) == (boundary is None) == (q % CHART_EVERY != 0)
        assert (charts["live_chart_grad"][1][q] is None) == (q > 0)
        if loss is None:
            continue
        train = next(t for t in loss["data"] if t["name"] == "train")
        assert list(arr(train["y"])) == [p[1] / m for p in twin.curve]
        image = boundary["layout"]["images"][0]["source"]
        assert image == boundary_png(boundary_grid(twin.net, twin.dataset.X)[3], 0.0, 1.0)
        assert boundary["layout"]["title"]["subtitle"]["text"] == f"after {u} updates"
    assert np.array_equal(twin.net.weights[0], lab.net.weights[0])
    at.query_params["u"] = "0"  # the browser has not shown the last tick yet: this one waits …
    time.sleep(0.15)  # … though 4 epochs are due by now
    at.run()
    assert lab_of(at).stepper.update == lab.stepper.update and _play_frames(at)[0] == batch


def test_charts_show_the_parameters_the_update_started_from():
    """Inside an update (Δw partly applied) the boundary is the network before the update, and
    its title says so; once the update is done and the next begins, it follows."""
    from engine import Network

    at = new_app({"data": "xor", "bs": "0"})  # one output: the heatmap is the network's output itself
    lab = lab_of(at)
    lab.seek(lab.trace.layout.update_start + 1)  # two Δw applied
    at.run()
    start = Network.from_dict(lab.net.to_dict())
    start.set_parameters(lab.trace.weights_before, lab.trace.biases_before)
    assert not np.allclose(
        np.concatenate([w.ravel() for w in start.weights]), np.concatenate([w.ravel() for w in lab.net.weights])
    )
    from components.views.charts import boundary_grid, boundary_png

    image = _chart(at, "Decision boundary · after 0 updates")["layout"]["images"][0]["source"]
    X = lab.dataset.X
    assert image == boundary_png(boundary_grid(start, X)[3], 0.0, 1.0)  # exactly the start network's picture
    assert not np.allclose(boundary_grid(start, X)[3], boundary_grid(lab.net, X)[3], rtol=1e-12)
    click(at, "ctl_finish")
    press(at, "next")
    assert lab_of(at).stepper.update == 1
    _chart(at, "Decision boundary · after 1 update")


def test_a_link_after_training_colours_the_edges_for_the_trained_weights():
    """Trained weights outgrow the initial colour range; a link restoring them fits the scale to
    them (as training in the app does), rather than saturating every edge at the old ±0.5."""
    from components.views.graph import edge_values, fit_scale

    query = {"h": "4", "act": "tanh", "data": "xor", "bs": "10", "lr": "0.3", "u": "480"}
    lab = lab_of(new_app(query))
    fitted = fit_scale(edge_values(lab.net, lab.trace, -1, "weight")[0])
    assert lab.scale == fitted > 1.0
    trained = new_app({k: v for k, v in query.items() if k != "u"})
    trained.number_input(key="ctl_n_epochs").set_value(30).run()
    click(trained, "ctl_train")  # 30 epochs × 16 updates: the same 480 updates, trained in the app
    assert lab_of(trained).stepper.update == 480 and lab_of(trained).scale == lab.scale


@pytest.mark.parametrize("notation", list(NOTATIONS))
def test_one_name_per_weight_in_panel_graph_and_gradient_check(notation):
    """The weight a gradient event computes has one name, in the chosen notation: the panel's LaTeX symbol,
    and the same symbol as plain text in the graph's callout, the gradient check and the exported trace."""
    from components.ui.stepping import view_options
    from components.views.gradient_table import gradient_check_table
    from components.views.notation import Shape, get_notation, plain_symbol
    from components.views.step_view_data import StepViewPosition, step_view_payload

    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0", "nt": notation})
    lab = lab_of(at)
    tr, nt = lab.trace, get_notation(notation)
    k = next(e.index for e in tr.events if e.kind == "grad_w" and e.layer == 2 and e.j == 1)
    e = tr.event(k)
    tex = nt.weight(Shape(tuple(tr.layer_sizes), tr.m), e.layer, e.i, e.j)
    assert tex in event_formula(e, tr, notation).symbolic
    name = plain_symbol(tex)
    assert "{" not in name and "\\" not in name and "[" not in name
    assert name in gradient_check_table(lab)["parameter"].tolist()
    lab.seek(k)
    o = view_options(lab, False)
    p = step_view_payload(lab.net, tr, StepViewPosition("k", 0, 0, k, False), o)
    callout = p["graph"]["marks"][k - (p["window"][0] - 1)]["callout"]
    assert callout[2].startswith(plain_symbol(nt.d(tex)) + " = ") and name in callout[2]
    import csv
    import io

    from components.views.exports import trace_csv

    rows = {int(r["index"]): r for r in csv.DictReader(io.StringIO(trace_csv(tr, notation)))}
    assert rows[k]["name"] == plain_symbol(nt.d(tex))  # the exported trace names it so too


def test_tools_number_neurons_from_1_like_the_panel():
    from components.views.gradient_table import gradient_check_table

    at = new_app({"preset": "mazur", "data": "preset", "bias": "frozen", "bs": "0"})
    table = gradient_check_table(lab_of(at))
    names = table["parameter"].tolist()  # the panel's names, as plain text (w^{(1)}_{12} is w⁽¹⁾₁₂)
    assert names[:3] == ["w⁽¹⁾₁₁", "w⁽¹⁾₁₂", "w⁽¹⁾₂₁"] and "b⁽¹⁾₁" in names and "b⁽²⁾₂" in names
    at.session_state["tools_tab"] = "Edit weights"  # only the open tool tab is drawn
    editors = [df.value for df in at.run().dataframe]  # the weight editor's tables, one per layer, then the samples
    assert len(editors) == 3
    for df in editors[:2]:
        assert list(df.columns) == ["from 1", "from 2", "bias"] and list(df.index) == ["to 1", "to 2"]
    assert list(editors[2].columns) == ["input a⁽⁰⁾₁", "input a⁽⁰⁾₂", "target y₁", "target y₂"]
    assert list(editors[2].index) == ["sample 1"] and editors[2].to_numpy().tolist() == [[0.05, 0.10, 0.01, 0.99]]


def test_only_the_open_tool_is_drawn():
    """Hidden tools cost every → press their elements: only the chosen one is built and sent,
    and none once the open one is clicked again."""
    at = new_app()
    assert at.get("button_group")[-1].value == "Gradient check"  # the tool choice (a segmented control)
    assert [b.key for b in at.button if b.key.startswith("tool_")] == ["tool_gradcheck"]
    assert not at.file_uploader and not at.get("download_button")
    for tab, key in (("Edit weights", "tool_json_upload"), ("Export & share", "exp_hide")):
        at.session_state["tools_tab"] = tab
        at.run()
        assert not at.exception and key in [w.key for w in at.file_uploader] + [w.key for w in at.multiselect]
        assert not [b for b in at.button if b.key == "tool_gradcheck"]
    at.session_state["tools_tab"] = None  # closed
    at.run()
    assert not at.exception and not [b for b in at.button if b.key.startswith("tool_")] and not at.file_uploader


def test_play_waits_for_the_browser_to_show_the_last_tick(monkeypatch):
    """A tick whose request carries an older step in its link (the browser is still drawing the
    last one) trains nothing; once the link is current, play goes on (no lag builds up). A host
    that never echoes the link still plays, once MAX_BROWSER_WAIT has passed."""
    import time

    from components.model import play

    at = new_app({"data": "xor_table", "bs": "0"})
    click(at, "ctl_play")
    lab = lab_of(at)
    time.sleep(0.3)
    at.run()
    moved = lab.stepper.update
    assert moved > 0
    at.query_params["u"] = "0"  # the browser still shows the start
    time.sleep(0.3)
    at.run()
    assert lab_of(at).stepper.update == moved
    at.query_params["u"] = str(moved)  # it has caught up
    time.sleep(0.3)
    at.run()
    assert lab_of(at).stepper.update > moved
    moved = lab_of(at).stepper.update
    at.query_params["u"] = "0"  # a link that never comes back …
    monkeypatch.setattr(play, "MAX_BROWSER_WAIT", 0.2)
    time.sleep(0.3)
    at.run()
    assert lab_of(at).stepper.update > moved  # … still lets play go on, slowly


def test_digits_control_shows_the_textbooks_published_digits_and_is_kept_in_the_link():
    """With 9 digits the textbook example shows E = 0.298371109 and w⁺ = 0.35891648, as published."""
    at = new_app()
    at.selectbox(key="cfg_preset_choice").select("mazur").run()
    click(at, "cfg_load_preset")
    at.selectbox(key="hdr_digits").set_value(9).run()
    lab = lab_of(at)
    assert lab.display.digits == 9 and at.query_params.get("dg") in ("9", ["9"])
    lay = lab.trace.layout
    for k, published in ((lay.loss_index, "0.298371109"), (int(lay.update_index(2, 0, 0)), "0.35891648")):
        report(at, "cursor", k)
        assert any(published in line for line in shown_lines(at)), (published, shown_lines(at))
    at.selectbox(key="hdr_digits").set_value(4).run()
    report(at, "cursor", lay.loss_index)
    assert any("0.2984" in line for line in shown_lines(at)) and not any("0.298371109" in x for x in shown_lines(at))


def test_the_update_caption_counts_epochs_and_batches_in_whole_numbers():
    from components.ui.controls import update_caption

    at = new_app({"bs": "1", "u": "161"})
    lab = lab_of(at)
    per = lab.stepper.updates_per_epoch
    expected = f"Update 162 (epoch {161 // per + 1}, batch {161 % per + 1} of {per}) · 1 sample"
    assert update_caption(lab).startswith(expected)
    assert "0.00625" not in update_caption(lab)


def test_changing_the_learning_rate_mid_update_says_the_update_starts_again():
    at = new_app()
    for _ in range(3):
        press(at, "next")
    at.number_input(key="cfg_lr").set_value(0.25).run()
    lab = lab_of(at)
    assert lab.stepper.cursor == -1 and lab.config.lr == 0.25
    assert any("η = 0.25" in t.value and "starts again" in t.value for t in at.toast)
    at.number_input(key="cfg_lr").set_value(0.3).run()  # at the update's start: nothing to say
    assert not any("η = 0.3" in t.value for t in at.toast)


def test_colouring_by_gradient_refits_the_colour_scale():
    from components.model.colour_scale import edge_values, fit_scale

    at = new_app()
    for _ in range(12):
        press(at, "next")
    at.selectbox(key="hdr_color").select("gradient").run()
    lab = lab_of(at)
    assert lab.scale == fit_scale(edge_values(lab.net, lab.trace, lab.stepper.cursor, "gradient")[0])
    assert step_payload(at)["graph"]["texts"]  # the legend is drawn on that scale
    assert at.query_params.get("sc") in (f"{lab.scale:.6g}", [f"{lab.scale:.6g}"])


def test_reset_and_new_weights():
    at = new_app({"bs": "10"})
    start = [w.copy() for w in lab_of(at).start[0]]
    at.number_input(key="ctl_n_epochs").set_value(3).run()
    click(at, "ctl_train")
    for _ in range(4):
        press(at, "next")
    click(at, "ctl_reset")  # back to update 1, the starting weights, the curves started again
    lab = lab_of(at)
    assert (lab.stepper.update, lab.stepper.cursor, len(lab.curve)) == (0, -1, 1)
    assert all(np.array_equal(a, b) for a, b in zip(lab.net.weights, start))
    assert_panel_matches_engine(at)
    seed = lab.config.seed
    click(at, "ctl_reinit")  # new random starting weights: the next seed, the same network otherwise
    lab = lab_of(at)
    assert lab.config.seed == seed + 1 and lab.config.hidden == (2,) and lab.stepper.update == 0
    assert not all(np.array_equal(a, b) for a, b in zip(lab.net.weights, start))
    assert at.query_params.get("seed") in (str(seed + 1), [str(seed + 1)])
