"""A lab as a link and back: the address bar holds the whole state.

The query holds the configuration (``components.model.config`` keys), the display preferences
(``components.model.display`` keys), ``u`` completed updates, ``k`` the cursor and ``w`` the exact
parameters at the start of the current update, so a link opened in a fresh browser rebuilds the
same network at the same step with the same numbers. Every invalid part is ignored and named.
"""

from __future__ import annotations

import base64
import math
import re
import zlib

import numpy as np

from components.model.config import CONFIG_KEYS, LIMITS, LabConfig, from_query, to_query
from components.model.display import DISPLAY_KEYS, display_from_query, display_query
from components.model.lab import MAX_ABS_WEIGHT, Lab, LabError, build_lab
from components.model.presets import PRESETS

__all__ = [
    "encode_params",
    "decode_params",
    "encode_samples",
    "decode_samples",
    "query_for",
    "restore_from_query",
    "replay_limit",
    "plain_markdown",
    "MAX_LINK_PARAMETERS",
    "MAX_REPLAY_UPDATES",
    "MAX_REPLAY_WORK",
    "POSITION_KEYS",
]

MAX_LINK_PARAMETERS = 1500  # larger networks are rebuilt from their seeds (replayed), not from exact bytes
MAX_REPLAY_UPDATES = 100_000  # a link replays at most this many updates …
MAX_REPLAY_WORK = 1e10  # … and at most this many multiply-adds (a few seconds), so no link can pin the server
POSITION_KEYS = frozenset({"u", "k", "w", "sc", "xy"})  # … and a worked example's edited samples
LINK_LESSON_KEYS = frozenset(
    {"lesson", "stop"}
)  # a lesson link's (components/model/lessons.py)  # where the lab is: updates, cursor, exact parameters, colour scale


def _encode_floats(arrays) -> str:
    """The arrays' values in order as little-endian float64, deflated, base64url (no padding)."""
    flat = np.concatenate([np.ravel(a) for a in arrays]).astype("<f8")
    return base64.urlsafe_b64encode(zlib.compress(flat.tobytes(), 9)).decode().rstrip("=")


def _decode_floats(text: str, what: str) -> np.ndarray:
    """Inverse of _encode_floats: a flat float64 array (ValueError naming ``what`` if damaged)."""
    try:
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), 2**20)
    except (ValueError, zlib.error):
        raise ValueError(f"the {what} in the link are damaged") from None
    if len(raw) % 8:
        raise ValueError(f"the {what} in the link are damaged")
    return np.frombuffer(raw, dtype="<f8")


def encode_params(weights, biases) -> str:
    """All weights then all biases as little-endian float64, deflated, base64url (no padding)."""
    return _encode_floats([*weights, *biases])


def encode_samples(X, Y) -> str:
    """A worked example's edited inputs X (m, n_in) then targets Y (m, n_out), as ``encode_params`` writes."""
    return _encode_floats([X, Y])


def decode_samples(text: str, x_shape: tuple, y_shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of encode_samples for these shapes (ValueError if the values do not fit or are not finite)."""
    flat = _decode_floats(text, "samples")
    n_x = x_shape[0] * x_shape[1]
    if flat.size != n_x + y_shape[0] * y_shape[1] or not np.all(np.isfinite(flat)):
        raise ValueError("the samples in the link do not fit this worked example")
    return flat[:n_x].reshape(x_shape).copy(), flat[n_x:].reshape(y_shape).copy()


def decode_params(text: str, layer_sizes) -> tuple[list, list]:
    """Inverse of encode_params for a network of these layer sizes (ValueError if it does not fit)."""
    flat = _decode_floats(text, "weights")
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


def query_for(lab: Lab, display: dict | None = None) -> dict[str, str]:
    """The link for a lab's current state; ``display`` replaces the lab's own display keys
    (a classroom link: ``{"present": "1", "hide": "charts"}``)."""
    q = to_query(lab.config)
    q.update(display_query(lab.display) if display is None else display_query(lab.display) | display)
    if lab.stepper.update:
        q["u"] = str(lab.stepper.update)
    if lab.stepper.cursor >= 0:
        q["k"] = str(lab.stepper.cursor)
    if (lab.edited or lab.stepper.update) and lab.net.n_parameters <= MAX_LINK_PARAMETERS:
        q["w"] = encode_params(*lab.trace.parameters_at(-1))  # parameters before the current update
    if lab.samples is not None:
        q["xy"] = encode_samples(*lab.samples)
    q["sc"] = f"{lab.scale:.6g}"  # the edge colour scale the sender sees (fit_scale's values read back exactly)
    return q


def _linked_samples(params: dict, config: LabConfig, ignored: list) -> tuple | None:
    """A worked example's edited samples from ``xy``, or None (a note in ``ignored`` if unusable)."""
    if "xy" not in params:
        return None
    preset = PRESETS.get(config.preset) if config.dataset == "preset" else None
    if preset is None or preset.data() is None:
        ignored.append("xy (edited samples belong to a worked example: data=preset)")
        return None
    X, Y = preset.data()
    try:
        return decode_samples(str(params["xy"]), X.shape, Y.shape)
    except ValueError as e:
        ignored.append(f"xy ({e})")
        return None


def restore_from_query(params: dict) -> tuple[Lab, list[str]]:
    """A lab from URL parameters; every part that is invalid is ignored and named."""
    config, ignored = from_query(params)
    display, display_ignored = display_from_query(params)
    ignored += display_ignored
    unknown = [k for k in params if k not in POSITION_KEYS | CONFIG_KEYS | set(DISPLAY_KEYS) | LINK_LESSON_KEYS]
    ignored += [f"{k[:40]!r} (unknown parameter)" for k in unknown[:5]]
    samples = _linked_samples(params, config, ignored)
    try:
        lab = build_lab(config, display=display, samples=samples)
    except LabError as e:
        if samples is None:
            ignored.append(f"the configuration ({e})")
            lab = build_lab(LabConfig(), display=display)
        else:
            ignored.append(f"xy ({e})")
            lab = build_lab(config, display=display)
    update = _int_param(params, "u", 0, LIMITS["updates"], ignored)
    if "w" in params and lab.config.dataset != "csv":
        try:
            W, b = decode_params(str(params["w"]), lab.net.layer_sizes)
            if max(float(np.max(np.abs(a), initial=0.0)) for a in W + b) > MAX_ABS_WEIGHT:
                raise ValueError(f"a weight in the link is beyond ±{MAX_ABS_WEIGHT:g}")
            lab.restart_at(update, W, b)
            update = 0  # nothing to replay
        except ValueError as e:
            ignored.append(f"w ({e})")
    if update:
        cap = replay_limit(lab)
        if update > cap:
            ignored.append(
                f"u={update} (replaying more than {cap} updates of this network takes too long; stopped at {cap})"
            )
        lab.train_updates(min(update, cap))
    lab.fit_scale()  # colours fit the restored weights, as "Train N epochs" left them for whoever shared the link
    k = _int_param(params, "k", -1, lab.stepper.n_events - 1, ignored)
    if k >= 0:
        lab.seek(k)
    if "sc" in params:  # the sender's colour scale, so the link draws exactly what it saw
        try:
            scale = float(str(params["sc"])[:40])
            if not (math.isfinite(scale) and 1e-300 < scale < 1e300):
                raise ValueError
            lab.scale = scale
        except ValueError:
            ignored.append(f"sc={str(params['sc'])[:40]!r} (the colour scale must be a positive number)")
    lab.check()  # linked weights may already be diverged or saturated: say so, and pause
    return lab, ignored


def replay_limit(lab: Lab) -> int:
    """How many updates a link may replay: MAX_REPLAY_UPDATES, fewer for networks and batches so large
    that MAX_REPLAY_WORK multiply-adds run out first (an update costs ~3 · batch · parameters plus
    numpy's per-call overhead, ~10⁵ multiply-adds' worth per layer; the curves cost ~7 · m · parameters
    per epoch)."""
    n, stepper = lab.net.n_parameters, lab.stepper
    per_update = (
        3 * n * stepper.batch_size + 1e5 * lab.net.n_layers + 7 * n * lab.dataset.n_train / stepper.updates_per_epoch
    )
    return int(max(1, min(MAX_REPLAY_UPDATES, MAX_REPLAY_WORK // per_update)))


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
