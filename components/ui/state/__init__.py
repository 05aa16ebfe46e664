"""Per-browser-session state: the one place that reads and writes ``st.session_state``.

It holds this session's ``Lab`` (``components.model.lab``), its link in the address bar
(``components.model.links``), the messages queued for the page, the page-composition flags, and
the values of the widgets. Widgets that show the lab (configuration, display preferences, the
cursor) are written from the lab once per run by ``begin_run``, before any is drawn, so no other
module copies values into widget keys. Nothing here is shared between sessions: no module-level
mutable state, no ``st.cache_resource``. The step view's bookkeeping (the browser's reports, the
payload sent, the next update sent ahead, values worked out once per update) is in
``components.ui.state.step_view``, imported here: callers use ``components.ui.state`` alone.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.model.config import LabConfig
from components.model.display import Display, shows_strongest, validate_display
from components.model.lab import Lab, LabError, build_lab
from components.model.lessons import SHIPPED, Lesson, lesson_from_link
from components.model.links import plain_markdown, query_for, restore_from_query
from components.model.presets import PRESETS
from components.ui.state.step_view import (
    STEP_VIEW,
    adopt_ahead,
    ahead_position,
    ahead_sent,
    browser_cursor_is,
    cached_payload,
    new_step_report,
    path_target,
    per_update,
    remember_sent,
    sent_ahead,
    set_path_target,
    step_view_position,
    step_view_sent,
)

__all__ = [
    "get_lab",
    "begin_run",
    "show_position",
    "keep_choice",
    "widget",
    "set_widget",
    "flash",
    "take_flashes",
    "apply_config",
    "set_display",
    "set_practice",
    "per_update",
    "path_target",
    "set_path_target",
    "lesson",
    "open_stop",
    "leave_lesson",
    "lesson_draft",
    "set_lesson_draft",
    "load_preset",
    "use_csv",
    "sync_url",
    "mark_play_toggled",
    "take_play_toggled",
    "set_full_run",
    "is_full_run",
    "charts_drawn",
    "set_charts_drawn",
    "first_upload",
    "csv_wanted",
    "set_csv_wanted",
    "link_shown",
    "display",
    "new_step_report",
    "step_view_position",
    "step_view_sent",
    "browser_cursor_is",
    "cached_payload",
    "ahead_position",
    "ahead_sent",
    "sent_ahead",
    "adopt_ahead",
    "remember_sent",
    "KEY",
    "STEP_VIEW",
    "is_first_run",
    "end_first_run",
    "start_dismissed",
    "dismiss_start",
    "apply_samples",
]

KEY = "lab"
_FLASHES = "flashes"  # [(level, text)] shown once by the next run
_PLAY_TOGGLED = "play_toggled"  # ▶/⏸ pressed since the live view last looked: the whole page reruns
_FULL_RUN = "full_run"  # True while the whole script runs, False in the live view's own reruns
_CHARTS_DRAWN = "charts_drawn"  # what the charts on the page show (page.charts_key)
_UPLOAD_DONE = "tool_json_done"  # file id of the last network JSON imported
_CSV_WANTED = "csv_wanted"  # "CSV upload" was chosen before a file: the uploader stays in view
_FIRST_RUN_DONE = "first_run_done"  # the session's first run has ended (the charts wait for the second)
_LESSON = "lesson"  # (Lesson, stop index) being given, or absent
_LESSON_DRAFT = "lesson_draft"  # the lesson being written in the lesson editor, or absent
_START_DISMISSED = "start_dismissed"  # the first page's "start here" band was closed


# ------------------------------------------------------------ the session's lab
def get_lab() -> Lab:
    """This session's lab, built from the URL the first time (a lesson link opens its stop)."""
    s = st.session_state
    if KEY not in s:
        params = {k: st.query_params[k] for k in st.query_params}
        lesson, index, ignored = lesson_from_link(params)
        if lesson is not None:
            flags = {k: str(params[k]) for k in ("present", "practice") if k in params}
            params = {**lesson.stops[index].query(), **flags}
            s[_LESSON] = (lesson, index)
        lab, more = restore_from_query(params)
        ignored += more
        if lesson is not None:
            lab.display = lab.display.with_(hidden=lesson.stops[index].hide)
        if ignored:
            flash(
                "warning",
                "Some link parameters were ignored and their defaults used: "
                + plain_markdown("; ".join(ignored))[:2000],
            )
        s[KEY] = lab
    return s[KEY]


def begin_run() -> Lab:
    """The lab, with every widget that shows it set to show it (first thing in a run)."""
    lab = get_lab()
    for key, value in _widget_mirrors(lab).items():
        st.session_state[key] = value
    return lab


def show_position(lab: Lab) -> None:
    """Set the step widgets (step size, scrubber) to the lab's, in a live-view run that moved the
    cursor after ``begin_run`` (play in single steps) and draws them afterwards."""
    for key in _POSITION_WIDGETS:
        st.session_state[key] = _widget_mirrors(lab)[key]


_POSITION_WIDGETS = ("ctl_granularity", "ctl_scrub")


def _widget_mirrors(lab: Lab) -> dict[str, Any]:
    """Widget key → the lab's value it shows. A change made in a widget reaches the lab through
    its callback first, so this only ever writes back the value the lab accepted (or, when the lab
    refused it, the value it kept)."""
    c, d = lab.config, lab.display
    mirrors = {
        "cfg_n_hidden": len(c.hidden),
        "cfg_output_activation": c.output_activation,
        "cfg_loss": c.loss,
        "cfg_bias": c.bias,
        "cfg_lr": float(c.lr),
        "cfg_batch_size": int(c.batch_size),
        "cfg_init": c.init,
        "cfg_seed": int(c.seed),
        "cfg_dataset": c.dataset,
        "cfg_n_samples": int(c.n_samples),
        "cfg_noise": float(c.noise),
        "cfg_margin": float(c.margin),
        "cfg_test_fraction": float(c.test_fraction),
        "cfg_data_seed": int(c.data_seed),
        "cfg_shuffle": bool(c.shuffle),
        "hdr_notation": d.notation,
        "hdr_color": d.color_by,
        "hdr_digits": d.digits,
        "hdr_presentation": d.presentation,
        "hdr_practice": d.practice,
        "hdr_pictures": d.pictures,
        "hdr_edges": "strongest" if shows_strongest(d, lab.net.n_weights) else "all",
        "ctl_granularity": d.granularity,
        "ctl_scrub": lab.stepper.cursor,
    }
    for l, (n, a) in enumerate(zip(c.hidden, c.hidden_activation)):
        mirrors[f"cfg_units_{l}"] = n
        mirrors[f"cfg_act_{l}"] = a
    return mirrors


def widget(key: str, default: Any = None) -> Any:
    """The value a widget holds (``default`` before it is first drawn)."""
    return st.session_state.get(key, default)


def set_widget(key: str, value: Any = None) -> None:
    """Give a widget a value before it is drawn: from the model (a stop's caption after a reorder, the
    path target chosen), or back to none from its callback (a control that acts like buttons)."""
    st.session_state[key] = value


def keep_choice(key: str, allowed: tuple, default: Any) -> None:
    """Give a choice widget ``default`` when it holds no value yet or one not in ``allowed``."""
    if key not in st.session_state or st.session_state[key] not in allowed:
        st.session_state[key] = default


def first_upload(file_id: str) -> bool:
    """Whether this uploaded file is new (each upload is imported once, not on every rerun)."""
    if st.session_state.get(_UPLOAD_DONE) == file_id:
        return False
    st.session_state[_UPLOAD_DONE] = file_id
    return True


def csv_wanted() -> bool:
    return bool(st.session_state.get(_CSV_WANTED))


def set_csv_wanted(on: bool) -> None:
    st.session_state[_CSV_WANTED] = on


# ------------------------------------------------------------ messages
def start_dismissed() -> bool:
    return bool(st.session_state.get(_START_DISMISSED))


def dismiss_start() -> None:
    st.session_state[_START_DISMISSED] = True


def flash(level: str, text: str) -> None:
    """Queue a message for the page (level: error | warning | info | success)."""
    st.session_state.setdefault(_FLASHES, []).append((level, text))


def take_flashes() -> list[tuple[str, str]]:
    """The queued messages, forgotten once shown, except by the first run: the run that follows it at
    once (the charts, ``page.render_charts``) shows them again."""
    if is_first_run():
        return list(st.session_state.get(_FLASHES, []))
    return st.session_state.pop(_FLASHES, [])


# ------------------------------------------------------------ changes to the lab
def set_display(**changes) -> None:
    """New display preferences (notation, colouring, step size, presentation); no number changes."""
    lab = get_lab()
    new = lab.display.with_(**changes)
    if not validate_display(new):
        recolour = new.color_by != lab.display.color_by
        lab.display = new
        if recolour:  # the scale follows what is coloured (a weight scale left gradients grey)
            lab.fit_scale()


def set_practice(on: bool) -> None:
    """Practice mode on (from the values seen so far: the cursor's) or off (every value shown again)."""
    lab = get_lab()
    if on and not lab.display.practice:
        lab.practice.identity = None  # practice starts afresh here
    lab.display = lab.display.with_(practice=on)
    lab.follow_practice()


def apply_config(new: LabConfig) -> None:
    """Adopt a changed configuration with as little disruption as it allows."""
    lab = get_lab()
    old = lab.config
    if new == old:
        return
    changed = {f for f in new.__dataclass_fields__ if getattr(new, f) != getattr(old, f)}
    if changed == {"lr"}:
        was = lab.stepper.cursor
        try:
            lab.set_lr(new.lr)
        except LabError as e:
            flash("error", f"Learning rate not changed: {e}")
            return
        if was >= 0:  # the events already shown used the old η: the update starts again
            flash("info", f"η = {new.lr:g}: update {lab.stepper.update + 1} starts again from its first event.")
        return
    samples = lab.samples if (new.dataset, new.preset) == (old.dataset, old.preset) else None  # (edited)
    try:
        _replace(build_lab(new, csv=lab.csv, display=lab.display, samples=samples))
    except LabError as e:
        flash("error", f"Not applied — {e}. The previous network is still in place.")


def apply_samples(X, Y) -> bool:
    """A worked example's edited inputs X (m, n_in) and targets Y (m, n_out): the lab starts again at
    update 1 from the weights the current update starts from. False (and an error shown) if refused."""
    lab = get_lab()
    params = lab.trace.parameters_at(-1)
    try:
        new = build_lab(lab.config, csv=lab.csv, params=params, display=lab.display, samples=(X, Y))
    except LabError as e:
        flash("error", f"Samples not applied — {e}. The previous samples are still in place.")
        return False
    new.edited = lab.edited or lab.stepper.update > 0  # (the weights may no longer be the preset's)
    _replace(new)
    return True


def load_preset(name: str) -> None:
    preset = PRESETS.get(name)
    if preset is None:
        flash("error", f"Unknown preset {name!r}")
        return
    lab = get_lab()
    try:
        _replace(build_lab(preset.config, csv=lab.csv, display=lab.display.with_(notation=preset.notation)))
    except LabError as e:
        flash("error", f"Preset not loaded: {e}")
        return
    flash("success", f"Loaded: {preset.label}. {preset.description}")


def use_csv(dataset) -> None:
    lab = get_lab()
    config = lab.config.with_(dataset="csv", preset="")
    try:
        _replace(build_lab(config, csv=dataset, display=lab.display))
    except LabError as e:
        flash("error", f"CSV loaded but the network could not use it: {e}")
        return
    flash(
        "success",
        f"Loaded {dataset.name}: {dataset.X_train.shape[0]} training samples, "
        f"{dataset.n_inputs} inputs → {dataset.n_outputs} output(s).",
    )


def _replace(lab: Lab) -> None:
    st.session_state[KEY] = lab


def sync_url(lab: Lab) -> None:
    """Write the lab's link into the address bar (only when it changed); during a shipped lesson, the
    lesson and stop too (a link then opens that stop, as the lecturer shows it)."""
    q = query_for(lab)
    given = lesson()
    if given is not None and SHIPPED.get(given[0].key) == given[0]:
        q = {**q, "lesson": given[0].key, "stop": str(given[1] + 1)}
    current = {k: st.query_params[k] for k in st.query_params}
    if q != current:
        st.query_params.from_dict(q)


def link_shown() -> dict[str, str]:
    """The link the browser sent with this run (its address bar, as the last reply left it)."""
    return {k: st.query_params[k] for k in st.query_params}


# ------------------------------------------------------------ lessons
def lesson() -> tuple[Lesson, int] | None:
    """The lesson being given and its current stop (0-based), or None."""
    return st.session_state.get(_LESSON)


def open_stop(given: Lesson, index: int) -> None:
    """Open stop ``index`` of a lesson: its lab state, its hidden parts, the cursor where it begins; the
    session's presentation and practice modes, colouring and digits are kept."""
    index = max(0, min(int(index), len(given.stops) - 1))
    stop = given.stops[index]
    now = get_lab().display
    lab, ignored = restore_from_query(stop.query())
    lab.display = lab.display.with_(
        presentation=now.presentation, practice=now.practice, hidden=stop.hide, digits=now.digits
    )
    if ignored:
        flash("warning", f"Stop {index + 1}: some of its state was ignored: " + plain_markdown("; ".join(ignored)))
    _replace(lab)
    st.session_state[_LESSON] = (given, index)


def leave_lesson() -> None:
    st.session_state.pop(_LESSON, None)
    lab = get_lab()
    lab.display = lab.display.with_(hidden=())


def lesson_draft() -> Lesson | None:
    """The lesson being written in the lesson editor, or None."""
    return st.session_state.get(_LESSON_DRAFT)


def set_lesson_draft(draft: Lesson | None) -> None:
    if draft is None:
        st.session_state.pop(_LESSON_DRAFT, None)
    else:
        st.session_state[_LESSON_DRAFT] = draft


# ------------------------------------------------------------ how the page is composed
def mark_play_toggled() -> None:
    st.session_state[_PLAY_TOGGLED] = True


def take_play_toggled() -> bool:
    """Whether ▶/⏸ (or the play pace) changed since the last call: the page must rerun in full."""
    return bool(st.session_state.pop(_PLAY_TOGGLED, False))


def set_full_run(on: bool) -> None:
    st.session_state[_FULL_RUN] = on


def is_full_run() -> bool:
    return bool(st.session_state.get(_FULL_RUN))


def is_first_run() -> bool:
    """Whether this is the session's first run (the page a browser opens)."""
    return not st.session_state.get(_FIRST_RUN_DONE)


def end_first_run() -> None:
    st.session_state[_FIRST_RUN_DONE] = True


def charts_drawn() -> Any:
    return st.session_state.get(_CHARTS_DRAWN)


def set_charts_drawn(key: Any) -> None:
    st.session_state[_CHARTS_DRAWN] = key


def display() -> Display:
    return get_lab().display
