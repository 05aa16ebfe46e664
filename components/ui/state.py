"""Per-browser-session state: the ``Lab`` in ``st.session_state`` and its link in the URL.

Nothing here is shared between sessions: no module-level mutable state, no
``st.cache_resource``. The URL carries the whole state (``components.config`` keys plus
``u`` completed updates, ``k`` cursor, ``w`` exact parameters, ``present`` and ``hide``), so a
link opened in a fresh browser rebuilds the same network at the same step.
"""

from __future__ import annotations

import base64
import re
import zlib

import numpy as np
import streamlit as st

from components.model.config import LIMITS, LabConfig, from_query, to_query, validate
from components.model.lab import MAX_ABS_WEIGHT, Lab, LabError, build_lab
from components.model.presets import PRESETS

__all__ = ["get_lab", "apply_config", "load_preset", "use_csv", "flash", "take_flashes", "sync_url",
           "encode_params", "decode_params", "MAX_LINK_PARAMETERS", "restore_from_query"]

KEY = "lab"
MAX_LINK_PARAMETERS = 1500  # larger networks are rebuilt from their seeds (replayed), not from exact bytes
MAX_REPLAY_UPDATES = 100_000  # a link replays at most this many updates …
MAX_REPLAY_WORK = 1e10  # … and at most this many multiply-adds (a few seconds), so no link can pin the server
DISPLAY_ONLY = {"notation", "color_by", "granularity"}
_EXTRA_KEYS = {"u", "k", "w", "present", "hide"}


def flash(level: str, text: str) -> None:
    """Queue a message for the page (level: error | warning | info | success)."""
    st.session_state.setdefault("flashes", []).append((level, text))


def take_flashes() -> list[tuple[str, str]]:
    return st.session_state.pop("flashes", [])


# ------------------------------------------------------------ exact parameters in the URL
def encode_params(weights, biases) -> str:
    """All weights then all biases as little-endian float64, deflated, base64url (no padding)."""
    flat = np.concatenate([np.ravel(w) for w in weights] + [np.ravel(b) for b in biases]).astype("<f8")
    return base64.urlsafe_b64encode(zlib.compress(flat.tobytes(), 9)).decode().rstrip("=")


def decode_params(text: str, layer_sizes) -> tuple[list, list]:
    """Inverse of encode_params for a network of these layer sizes (ValueError if it does not fit)."""
    try:
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), 2**20)
    except (ValueError, zlib.error):
        raise ValueError("the weights in the link are damaged") from None
    flat = np.frombuffer(raw, dtype="<f8")
    shapes = [(b, a) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
    n_w = sum(r * c for r, c in shapes)
    if flat.size != n_w + sum(layer_sizes[1:]):
        raise ValueError("the weights in the link do not fit this network")
    if not np.all(np.isfinite(flat)):
        raise ValueError("the weights in the link are not finite")
    weights, biases, o = [], [], 0
    for r, c in shapes:
        weights.append(flat[o : o + r * c].reshape(r, c).copy())
        o += r * c
    for r, _ in shapes:
        biases.append(flat[o : o + r].copy())
        o += r
    return weights, biases


def query_for(lab: Lab, extra: dict | None = None) -> dict[str, str]:
    """The link for a lab's current state."""
    q = to_query(lab.config)
    if lab.stepper.update:
        q["u"] = str(lab.stepper.update)
    if lab.stepper.cursor >= 0:
        q["k"] = str(lab.stepper.cursor)
    if (lab.edited or lab.stepper.update) and lab.net.n_parameters <= MAX_LINK_PARAMETERS:
        q["w"] = encode_params(*lab.trace.parameters_at(-1))  # parameters before the current update
    q.update(extra or {})
    return q


def restore_from_query(params: dict) -> tuple[Lab, list[str]]:
    """A lab from URL parameters; every part that is invalid is ignored and named."""
    config, ignored = from_query(params)
    unknown = [k for k in params if k not in _EXTRA_KEYS and k not in _query_keys()]
    ignored += [f"{k[:40]!r} (unknown parameter)" for k in unknown[:5]]
    try:
        lab = build_lab(config)
    except LabError as e:
        ignored.append(f"the configuration ({e})")
        lab = build_lab(LabConfig())
    update = _int_param(params, "u", 0, LIMITS["updates"], ignored)
    if "w" in params and lab.config.dataset != "csv":
        try:
            W, b = decode_params(str(params["w"]), lab.net.layer_sizes)
            if max(float(np.max(np.abs(a), initial=0.0)) for a in W + b) > MAX_ABS_WEIGHT:
                raise ValueError(f"a weight in the link is beyond ±{MAX_ABS_WEIGHT:g}")
            lab.net.set_parameters(W, b)
            lab.edited = update == 0
            if update == 0:
                lab.start = lab.net.parameters()
            lab.stepper.update = update
            with np.errstate(all="ignore"):
                lab.stepper.reload()
                lab.curve, lab.grad_norms = [], []
                lab.record()
            update = 0  # nothing to replay
        except ValueError as e:
            ignored.append(f"w ({e})")
    if update:
        cap = replay_limit(lab)
        if update > cap:
            ignored.append(f"u={update} (replaying more than {cap} updates of this network takes too long; "
                           f"stopped at {cap})")
        lab.train_updates(min(update, cap))
    lab.fit_scale()  # colours fit the restored weights, as "Train N epochs" left them for whoever shared the link
    k = _int_param(params, "k", -1, lab.stepper.n_events - 1, ignored)
    if k >= 0:
        lab.seek(k)
    lab._check()  # linked weights may already be diverged or saturated: say so, and pause
    return lab, ignored


def replay_limit(lab: Lab) -> int:
    """How many updates a link may replay: MAX_REPLAY_UPDATES, fewer for networks and batches so large
    that MAX_REPLAY_WORK multiply-adds run out first (an update costs ~3 · batch · parameters plus
    numpy's per-call overhead, ~10⁵ multiply-adds' worth per layer; the curves cost ~7 · m · parameters
    per epoch)."""
    n, st_ = lab.net.n_parameters, lab.stepper
    per_update = (3 * n * st_.batch_size + 1e5 * lab.net.n_layers
                  + 7 * n * lab.dataset.n_train / st_.updates_per_epoch)
    return int(max(1, min(MAX_REPLAY_UPDATES, MAX_REPLAY_WORK // per_update)))


def _query_keys() -> set[str]:
    from components.model.config import _KEYS

    return set(_KEYS)


def _int_param(params: dict, key: str, default: int, hi: int, ignored: list) -> int:
    if key not in params:
        return default
    try:
        v = int(str(params[key]))
        if not default <= v <= hi:
            raise ValueError
        return v
    except ValueError:
        ignored.append(f"{key}={str(params[key])[:20]!r} (out of range)")
        return default


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|$~:&=\"'])")


def plain_markdown(text: str) -> str:
    """Text from a link shown literally by st.warning/st.error, which render Markdown and $LaTeX$:
    every punctuation mark is backslash-escaped, so no link, image or formula can be injected."""
    return _MARKDOWN.sub(r"\\\1", text)


# ------------------------------------------------------------ the session's lab
def get_lab() -> Lab:
    """This session's lab, built from the URL the first time."""
    s = st.session_state
    if KEY not in s:
        from components.ui.sidebar import sync_widgets

        params = {k: st.query_params[k] for k in st.query_params}
        lab, ignored = restore_from_query(params)
        if ignored:
            flash("warning", "Some link parameters were ignored and their defaults used: "
                  + plain_markdown("; ".join(ignored))[:2000])
        s[KEY] = lab
        s["presentation"] = params.get("present") == "1"
        s["hidden_controls"] = tuple(x for x in str(params.get("hide", "")).split("-") if x)[:10]
        sync_widgets(lab.config)
    return s[KEY]


def _replace(lab: Lab) -> None:
    from components.ui.sidebar import sync_widgets

    st.session_state[KEY] = lab
    sync_widgets(lab.config)


def apply_config(new: LabConfig) -> None:
    """Adopt a changed configuration with as little disruption as it allows."""
    lab = get_lab()
    old = lab.config
    if new == old:
        return
    changed = {f for f in new.__dataclass_fields__ if getattr(new, f) != getattr(old, f)}
    if changed <= DISPLAY_ONLY:
        lab.config = new
        return
    if changed == {"lr"}:
        try:
            problems = validate(new)  # the engine alone would take η = 0
            if problems:
                raise ValueError(problems[0])
            with np.errstate(all="ignore"):
                lab.stepper.set_lr(new.lr)
        except ValueError as e:
            flash("error", f"Learning rate not changed: {e}")
            _replace(lab)
            return
        lab.config, lab.edited, lab.problem = new, True, None
        lab._check()  # a diverged network stays diverged whatever the new η: keep saying so
        return
    try:
        _replace(build_lab(new, csv=lab.csv))
    except LabError as e:
        flash("error", f"Not applied — {e}. The previous network is still in place.")
        _replace(lab)


def load_preset(name: str) -> None:
    preset = PRESETS.get(name)
    if preset is None:
        flash("error", f"Unknown preset {name!r}")
        return
    lab = get_lab()
    try:
        _replace(build_lab(preset.config, csv=lab.csv))
    except LabError as e:
        flash("error", f"Preset not loaded: {e}")
        return
    flash("success", f"Loaded: {preset.label}. {preset.description}")


def use_csv(dataset) -> None:
    lab = get_lab()
    config = lab.config.with_(dataset="csv", preset="")
    try:
        _replace(build_lab(config, csv=dataset))
    except LabError as e:
        flash("error", f"CSV loaded but the network could not use it: {e}")
        return
    flash("success", f"Loaded {dataset.name}: {dataset.X_train.shape[0]} training samples, "
                     f"{dataset.n_inputs} inputs → {dataset.n_outputs} output(s).")


def sync_url(lab: Lab) -> None:
    """Write the lab's link into the address bar (only when it changed)."""
    extra = {}
    if st.session_state.get("presentation"):
        extra["present"] = "1"
    hidden = st.session_state.get("hidden_controls")
    if hidden:
        extra["hide"] = "-".join(hidden)
    q = query_for(lab, extra)
    current = {k: st.query_params[k] for k in st.query_params}
    if q != current:
        st.query_params.from_dict(q)
