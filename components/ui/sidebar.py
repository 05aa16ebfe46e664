"""The configuration sidebar: presets, architecture, training settings, data.

Each widget has a ``cfg_*`` key that ``state.begin_run`` sets from the lab; a change is
collected into a new ``LabConfig`` and handed to ``state.apply_config``, which keeps the old
lab and shows a message when the new configuration is refused (the widget then shows the old
value again).
"""

from __future__ import annotations

import streamlit as st

from components.model.config import BIAS_MODES, DATASETS, HIDDEN_ACTIVATIONS, LIMITS, OUTPUT_ACTIVATIONS, LabConfig
from components.model.presets import PRESETS
from components.ui import state
from engine import INITS, LOSSES
from engine.csv_loader import MAX_CSV_BYTES, load_csv

__all__ = ["render_sidebar"]

_DATASET_LABELS = {
    "xor": "XOR (four quadrants, noisy)",
    "circles": "Circles",
    "gaussians": "Two gaussians",
    "spiral": "Spiral",
    "moons": "Moons",
    "sine": "Noisy sine (regression)",
    "iris": "Iris (150 flowers, 4 measures, 3 species)",
    "digits": "Handwritten digits (8×8 pixels, 10 classes)",
    "xor_table": "XOR truth table (4 points)",
    "preset": "Worked example (fixed samples)",
    "csv": "CSV upload",
}
_BIAS_LABELS = {"on": "on (learned)", "frozen": "present, frozen", "off": "off"}
_LOSS_LABELS = {
    "half_sse": "½ Σ (a − y)²  (half_sse)",
    "half_mse": "1/(2m) Σ Σ (a − y)²  (half_mse)",
    "cross_entropy": "cross-entropy",
}


def _config_from_widgets(current: LabConfig) -> LabConfig:
    s = state.widget
    n_hidden = int(s("cfg_n_hidden", len(current.hidden)))
    hidden, acts = [], []
    for l in range(n_hidden):
        hidden.append(int(s(f"cfg_units_{l}", current.hidden[l] if l < len(current.hidden) else 2)))
        default_act = (
            current.hidden_activation[l] if l < len(current.hidden_activation) else (acts[-1] if acts else "sigmoid")
        )
        acts.append(s(f"cfg_act_{l}", default_act))
    dataset = s("cfg_dataset", current.dataset)
    return current.with_(
        hidden=tuple(hidden),
        hidden_activation=tuple(acts),
        output_activation=s("cfg_output_activation", current.output_activation),
        loss=s("cfg_loss", current.loss),
        bias=s("cfg_bias", current.bias),
        lr=float(s("cfg_lr", current.lr)),
        batch_size=int(s("cfg_batch_size", current.batch_size)),
        init=s("cfg_init", current.init),
        seed=int(s("cfg_seed", current.seed)),
        dataset=dataset,
        n_samples=int(s("cfg_n_samples", current.n_samples)),
        noise=float(s("cfg_noise", current.noise)),
        margin=float(s("cfg_margin", current.margin)),
        test_fraction=float(s("cfg_test_fraction", current.test_fraction)),
        data_seed=int(s("cfg_data_seed", current.data_seed)),
        shuffle=bool(s("cfg_shuffle", current.shuffle)),
        preset=current.preset if dataset == "preset" else "",
    )


def _on_change() -> None:
    lab = state.get_lab()
    new = _config_from_widgets(lab.config)
    # choosing "CSV upload" before any file is refused (the widget snaps back): keep the uploader in view
    state.set_csv_wanted(new.dataset == "csv")
    if new.dataset == "csv" and lab.csv is None:
        return  # nothing to apply until a file is uploaded (the uploader says so); no error for a choice
    state.apply_config(new)


def _load_preset(name: str) -> None:
    state.load_preset(name)


def _on_upload() -> None:
    f = state.widget("cfg_csv")
    if f is None:
        return
    try:
        f.seek(0)
        ds = load_csv(f, name=getattr(f, "name", "uploaded CSV"), standardise=bool(state.widget("cfg_csv_std")))
    except ValueError as e:
        state.flash("error", f"CSV not loaded: {e}")
        return
    state.use_csv(ds)


def render_sidebar() -> None:
    """Draw the configuration sidebar for the current lab."""
    lab = state.get_lab()
    c = lab.config
    sb = st.sidebar
    sb.markdown("### Presets")
    names = list(PRESETS)
    # the preset the configuration is, if any, else none chosen (a custom network is not "Textbook 2-2-2")
    same = next((k for k in names if PRESETS[k].config == c), c.preset if c.preset in names else None)
    choice = sb.selectbox(
        "Load a preset",
        names,
        format_func=lambda k: PRESETS[k].label,
        key="cfg_preset_choice",
        index=None if same is None else names.index(same),
        placeholder="Choose a preset…",
        help="A preset sets the network, the data, the starting weights and the notation; the lines below "
        "say what the chosen one sets up and where its notation comes from.",
    )
    if choice is not None:  # fixed texts of ours, never user input
        sb.caption(f"{PRESETS[choice].description}  \n*Notation:* {PRESETS[choice].source}")
    sb.button(
        "Load preset",
        on_click=lambda: _load_preset(state.widget("cfg_preset_choice")),
        width="stretch",
        type="primary",
        key="cfg_load_preset",
        disabled=choice is None,
    )

    sb.markdown("### Network")
    n_in, n_out = lab.dataset.n_inputs, lab.dataset.n_outputs
    sb.caption(
        f"{n_in} inputs (from the data) → hidden layers → {n_out} output(s). "
        f"Limits: {LIMITS['hidden_layers']} hidden layers, {LIMITS['units']} neurons each."
    )
    sb.number_input("Hidden layers", 0, LIMITS["hidden_layers"], key="cfg_n_hidden", on_change=_on_change)
    for l in range(len(c.hidden)):  # (begin_run has set each row's widgets from the configuration)
        col1, col2 = sb.columns([1, 1.4])
        col1.number_input(f"Layer {l + 1} neurons", 1, LIMITS["units"], key=f"cfg_units_{l}", on_change=_on_change)
        col2.selectbox(f"Layer {l + 1} activation", HIDDEN_ACTIVATIONS, key=f"cfg_act_{l}", on_change=_on_change)
    sb.selectbox("Output activation", OUTPUT_ACTIVATIONS, key="cfg_output_activation", on_change=_on_change)
    sb.selectbox("Loss", LOSSES, key="cfg_loss", format_func=_LOSS_LABELS.get, on_change=_on_change)
    sb.radio("Biases", BIAS_MODES, key="cfg_bias", format_func=_BIAS_LABELS.get, horizontal=True, on_change=_on_change)

    sb.markdown("### Training")
    sb.number_input(
        "Learning rate η",
        min_value=1e-6,
        max_value=LIMITS["lr"],
        format="%.4g",
        key="cfg_lr",
        on_change=_on_change,
        help="Δw = −η ∂E/∂w",
    )
    m = lab.dataset.X_train.shape[0]
    sb.number_input(
        f"Batch size (0 = all {m})",
        0,
        m,
        key="cfg_batch_size",
        on_change=_on_change,
        help="1 = per-sample updates, 0 = the whole training set (full batch)",
    )
    sb.checkbox("Shuffle each epoch", key="cfg_shuffle", on_change=_on_change)
    col1, col2 = sb.columns(2)
    col1.selectbox("Initialisation", INITS, key="cfg_init", on_change=_on_change)
    col2.number_input("Seed", 0, LIMITS["seed"], key="cfg_seed", on_change=_on_change)

    sb.markdown("### Data")
    sb.selectbox(
        "Dataset", DATASETS, key="cfg_dataset", format_func=lambda k: _DATASET_LABELS.get(k, k), on_change=_on_change
    )
    ds = c.dataset
    if ds not in ("preset", "csv", "xor_table"):
        if ds not in ("iris", "digits"):  # (real data: every sample, as measured)
            sb.slider("Samples", 4, LIMITS["n_samples"], key="cfg_n_samples", on_change=_on_change)
            sb.slider("Noise", 0.0, LIMITS["noise"], step=0.01, key="cfg_noise", on_change=_on_change)
        if ds == "xor":
            sb.slider(
                "Margin from the axes",
                0.0,
                LIMITS["margin"],
                step=0.05,
                key="cfg_margin",
                on_change=_on_change,
                help="The clean points keep this far from both axes, so the two classes are apart (before the "
                "noise); 0: points right up to the axes, where no smooth boundary gets them all right",
            )
        sb.slider(
            "Test fraction", 0.0, LIMITS["test_fraction"], step=0.05, key="cfg_test_fraction", on_change=_on_change
        )
        sb.number_input("Data seed", 0, LIMITS["seed"], key="cfg_data_seed", on_change=_on_change)
    if ds == "csv" or state.csv_wanted():
        sb.file_uploader(
            f"CSV (≤ {MAX_CSV_BYTES // 2**20} MB): numeric feature columns, then the target: a number, a class "
            "label (one-hot), or several columns headed y:…",
            type=["csv", "txt"],
            key="cfg_csv",
            on_change=_on_upload,
        )
        sb.checkbox(
            "Standardise the inputs",
            key="cfg_csv_std",
            on_change=_on_upload,
            help="Each input column centred and scaled to unit spread (from the training rows), as read",
        )
        if lab.csv is not None:
            sb.caption(f"Loaded: {lab.csv.name}")
        else:
            sb.info("Upload a CSV file: the network switches to it once it is read.")
