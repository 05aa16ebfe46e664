"""The tool tabs: gradient check, weight editor with JSON import/export, and exports."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import numpy as np
import pandas as pd
import streamlit as st

from components.model.display import HIDEABLE
from components.model.links import query_for
from components.ui import lessons_ui, state
from components.views import exports
from components.views.gradient_table import gradient_check_table
from components.views.notation import Shape, get_notation, plain_symbol
from engine import Network

__all__ = [
    "render_tools",
    "render_gradient_check",
    "render_weight_editor",
    "render_export",
    "TOOL_TABS",
    "MAX_GRADCHECK_PARAMETERS",
    "MAX_JSON_BYTES",
]

MAX_GRADCHECK_PARAMETERS = 600  # 2 forward passes per parameter
MAX_JSON_BYTES = 2 * 1024 * 1024


def render_gradient_check(lab) -> None:
    st.markdown(
        "Compare every ∂E/∂w from backpropagation with a central finite difference "
        "(E(w + ε) − E(w − ε)) / 2ε, ε = 10⁻⁶, on the current update's batch and parameters."
    )
    if lab.practising:
        st.info("Practice mode: the gradient check would show every ∂E/∂w before you have worked them out.")
        return
    n = lab.net.n_parameters
    if n > MAX_GRADCHECK_PARAMETERS:
        st.info(
            f"This network has {n} parameters; the check runs for networks up to "
            f"{MAX_GRADCHECK_PARAMETERS} (two forward passes per parameter)."
        )
        return
    if st.button("Run gradient check", key="tool_gradcheck"):
        if not np.isfinite(lab.trace.loss):
            st.error("The loss is not finite; undo the divergence first.")
            return
        df = gradient_check_table(lab)
        worst = float(df["relative error"].max()) if len(df) else 0.0
        verdict = (
            "backprop agrees with finite differences" if worst < 1e-5 else "check the kinks of relu or saturated units"
        )
        (st.success if worst < 1e-5 else st.warning)(f"Largest relative error: {worst:.2e} ({verdict})")
        st.dataframe(
            df.style.format({"backprop": "{:.8g}", "finite difference": "{:.8g}", "relative error": "{:.1e}"}),
            hide_index=True,
            width="stretch",
        )


def _apply_edits(lab, layer_frames) -> None:
    weights, biases = [], []
    for l, df in enumerate(layer_frames):
        try:
            values = df.to_numpy(dtype=float)
        except (TypeError, ValueError, OverflowError):  # text, or an integer beyond float range
            st.error(f"Layer {l + 1}: every cell must be a number.")
            return
        n_in = lab.net.layer_sizes[l]
        weights.append(values[:, :n_in])
        biases.append(values[:, n_in] if values.shape[1] > n_in else np.zeros(values.shape[0]))
    try:
        lab.set_parameters(weights, biases)
    except ValueError as e:
        st.error(f"Edits not applied: {e}. The previous weights are still in place.")
        return
    state.flash("success", "Weights applied; the current update restarts from them.")
    st.rerun()


def render_weight_editor(lab) -> None:
    net = lab.net
    if net.n_parameters > 2000:
        st.info("Editing cell by cell is offered for networks up to 2,000 parameters; use JSON import instead.")
    else:
        st.markdown(
            "Rows: neuron i of the layer; columns: neuron j of the layer before, then the bias; numbered from 1 "
            "and named as in the step panel. Edits replace the parameters at the start of the current update."
        )
        W0, b0 = lab.trace.weights_before, lab.trace.biases_before
        nt, shape = get_notation(lab.display.notation), Shape(tuple(lab.trace.layer_sizes), int(lab.trace.m))
        frames = []
        for l in range(net.n_layers):
            df = pd.DataFrame(
                W0[l],
                columns=[f"from {j + 1}" for j in range(W0[l].shape[1])],  # 1-based like
                index=[f"to {i + 1}" for i in range(W0[l].shape[0])],
            )  # the panel and graph
            if net.bias:
                df["bias"] = b0[l]
            j = min(1, W0[l].shape[1] - 1)  # an example cell, named as the panel names it
            names = f"row 1, column {j + 1} is {plain_symbol(nt.weight(shape, l + 1, 0, j))}"
            if net.bias:
                names += f", the bias in row 1 is {plain_symbol(nt.bias(shape, l + 1, 0))}"
            st.caption(f"Layer {l + 1} ({net.activations[l]}) · {names}")
            frames.append(
                st.data_editor(
                    df, key=f"edit_w_{l}_{lab.stepper.update}", width="stretch", disabled=not net.bias and False
                )
            )
        if st.button("Apply edited weights", key="tool_apply_edits", type="primary"):
            _apply_edits(lab, frames)
    if lab.config.dataset == "preset":
        render_sample_editor(lab)
    st.divider()
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download network (JSON)",
        lab.export_json,
        file_name="backprop-lab-network.json",
        mime="application/json",
        key="tool_dl_net",
    )
    up = c2.file_uploader("Import network JSON", type=["json"], key="tool_json_upload")
    if up is not None and state.first_upload(up.file_id):
        _import_json(lab, up)


def render_sample_editor(lab) -> None:
    """A worked example's inputs and targets, one row per sample, editable like its weights."""
    d = lab.dataset
    nt, shape = get_notation(lab.display.notation), Shape(tuple(lab.trace.layer_sizes), int(lab.trace.m))
    st.markdown(
        "**Samples** of this worked example: inputs, then targets. Applying them starts again at update 1 "
        "from the weights of the current update's start."
    )
    df = pd.DataFrame(
        np.hstack([d.X_train, d.Y_train]),
        columns=[f"input {plain_symbol(nt.act(shape, 0, j))}" for j in range(d.n_inputs)]
        + [f"target {plain_symbol(nt.target(shape, i))}" for i in range(d.n_outputs)],
        index=[f"sample {c + 1}" for c in range(d.X_train.shape[0])],
    )
    edited = st.data_editor(df, key=f"edit_xy_{lab.stepper.update}_{id(lab)}", width="stretch")
    if st.button("Apply edited samples", key="tool_apply_samples", type="primary"):
        try:
            values = edited.to_numpy(dtype=float)
        except (TypeError, ValueError, OverflowError):  # text, or an integer beyond float range
            st.error("Every input and target must be a number.")
            return
        if state.apply_samples(values[:, : d.n_inputs], values[:, d.n_inputs :]):
            state.flash("success", "Samples applied; the worked example starts again at update 1 with them.")
        st.rerun()


def _import_json(lab, up) -> None:
    raw = up.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        st.error(f"The file is larger than {MAX_JSON_BYTES // 2**20} MB.")
        return
    try:
        d = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep, a 5,000-digit integer
        st.error("That file is not valid UTF-8 JSON.")
        return
    sizes = d.get("layer_sizes") if isinstance(d, dict) else None
    if sizes is None:
        st.error("Not a Backprop Lab network: expected a JSON object with layer_sizes, activations, loss, weights.")
        return
    if sizes != list(lab.net.layer_sizes):  # before building it: a forged 100000-100000 network needs 80 GB
        st.error(
            f"The file's layer sizes {str(sizes)[:60]} do not match the current network "
            f"{'-'.join(map(str, lab.net.layer_sizes))}. Configure a matching architecture first."
        )
        return
    try:
        net = Network.from_dict(d)
    except (ValueError, TypeError, RecursionError) as e:
        st.error(f"Not a Backprop Lab network: {e}")
        return
    if net.layer_sizes != lab.net.layer_sizes or net.activations != lab.net.activations or net.bias != lab.net.bias:
        st.error(
            f"The file holds a {'-'.join(map(str, net.layer_sizes))} network "
            f"({', '.join(net.activations)}, bias={net.bias}); the current one is "
            f"{'-'.join(map(str, lab.net.layer_sizes))} ({', '.join(lab.net.activations)}, bias={lab.net.bias}). "
            "Configure a matching architecture first."
        )
        return
    try:
        lab.set_parameters(net.weights, net.biases)
    except ValueError as e:
        st.error(f"Not imported: {e}. The previous weights are still in place.")
        return
    state.flash("success", "Network imported.")
    st.rerun()


def render_export(lab) -> None:
    upto = lab.revealed_through() if lab.practising else None
    if upto is None:
        st.markdown("**This update's full trace** (every event with its formula and value):")
    else:
        st.markdown(f"**This update's trace so far** (practice mode: the {upto + 1} values seen, no more):")
    c1, c2, c3 = st.columns(3)
    tr, notation = lab.trace, lab.display.notation  # the files are generated on click, from this trace
    c1.download_button(
        "Trace as CSV",
        lambda: exports.trace_csv(tr, notation, upto),
        file_name="trace.csv",
        mime="text/csv",
        key="exp_csv",
    )
    c2.download_button(
        "Trace as JSON",
        lambda: exports.trace_json(tr, notation, upto),
        file_name="trace.json",
        mime="application/json",
        key="exp_json",
    )
    c3.download_button(
        "Worked example (Markdown)",
        lambda: exports.worked_example(tr, notation, lab.display.digits, upto=upto),
        file_name="worked-example.md",
        mime="text/markdown",
        key="exp_md",
    )
    st.markdown(
        "**Share**: the address bar always holds a link to exactly this state "
        "(network, data, update, cursor, notation, colouring). "
        "A **classroom link** opens straight into presentation mode with the parts you choose hidden:"
    )
    hide = st.multiselect(
        "Hide in the classroom link", list(HIDEABLE), format_func=HIDEABLE.get, default=["charts"], key="exp_hide"
    )
    q = query_for(lab, {"present": "1", "hide": "-".join(hide)} if hide else {"present": "1"})
    base = _app_url()
    st.code(f"{base}?{urlencode(q)}", language=None)  # a code block: copy button, nothing rendered
    st.caption(
        ("Copy it with the button on the right. " if base else "Append it to the app's address. ")
        + "The graph's toolbar (camera icon) saves the graph as PNG."
    )


def _app_url() -> str:
    """This app's address as the browser sees it (no query), or "" when Streamlit cannot tell."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - an older Streamlit or no browser (AppTest): the relative link
        return ""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return ""
    return url if urlsplit(url).path else url + "/"


TOOL_TABS = ("Gradient check", "Edit weights", "Export & share", "Lesson editor")


def render_tools(lab) -> None:
    """The tools, one at a time under a row of choices (a second click on the open one closes it).
    Only the open tool is built and sent: the weight editor's tables and the export widgets made
    every → press ~20 % slower. A segmented control, not st.tabs: tabs measure their layout on
    every rerun of the live view, ~13 ms per → press (bench_step_latency, A/B)."""
    state.keep_choice("tools_tab", (*TOOL_TABS, None), TOOL_TABS[0])  # unset, or stale from an old session
    st.markdown("##### Tools")
    choice = st.segmented_control("Tool", list(TOOL_TABS), key="tools_tab", label_visibility="collapsed")
    tools = (render_gradient_check, render_weight_editor, render_export, lessons_ui.render_lesson_editor)
    for name, render in zip(TOOL_TABS, tools):
        if choice == name:
            render(lab)
