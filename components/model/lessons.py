"""Lessons: ordered stops through the lab, each a link's state with a caption for students.

A ``Lesson`` is a key, a title, a summary and its ``Stop`` values; a stop is a lab state (the query
of a link, see ``components.model.links``), a caption in Markdown with $…$ maths, the parts of the
page it hides (``HIDEABLE`` keys) and, optionally, the event range of the update it covers. Lessons
travel as JSON (``lesson_to_json`` / ``parse_lesson``; the format is in docs/lesson-format.md);
the shipped ones live in ``lesson_files/*.json`` and are read at import, into ``SHIPPED``.

``parse_lesson`` never raises: it returns the lesson, or None and every problem, each naming the stop
and field it is in. It checks what can be checked without building a lab (200 stops parse in
milliseconds); ranges that depend on the network (a cursor beyond the update's events) are named
later by ``restore_from_query``, which clamps them. The authoring helpers (``add_stop``, …) return
new lessons and raise ValueError with a sentence when they refuse.
"""

from __future__ import annotations

import html
import json
import math
import pathlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from components.model.display import HIDEABLE
from components.model.lesson_checks import (
    _INT,
    _MATH,
    LESSON_KEYS,
    MAX_CAPTION_CHARS,
    MAX_CURSOR,
    MAX_KEY_CHARS,
    MAX_PROBLEMS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    _key_problems,
    _stop_problems,
    _text_problems,
    _title_problems,
    _type,
)

__all__ = [
    "Stop",
    "Lesson",
    "lesson_to_json",
    "parse_lesson",
    "safe_caption",
    "SHIPPED",
    "lesson_menu",
    "lesson_from_link",
    "new_lesson",
    "add_stop",
    "move_stop",
    "delete_stop",
    "set_caption",
    "LESSON_SCHEMA",
    "LESSON_VERSION",
    "LESSON_KEYS",
    "MAX_LESSON_BYTES",
    "MAX_STOPS",
    "MAX_CAPTION_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_SUMMARY_CHARS",
    "MAX_CURSOR",
    "TEACHING_ORDER",
]

LESSON_SCHEMA = "backprop-lab-lesson"
LESSON_VERSION = 1
MAX_LESSON_BYTES = 1_000_000
MAX_STOPS = 200
TEACHING_ORDER = (  # the menu's order: one worked example first, then each derivation, then why depth matters
    "worked-example",
    "sigmoid-chain",
    "rss-bias-input",
    "sum-over-samples",
    "batch-average",
    "xor-hidden-layer",
)
LESSON_DIR = pathlib.Path(__file__).resolve().parent / "lesson_files"

_TOP_FIELDS = ("schema", "version", "key", "title", "summary", "stops")
_STOP_FIELDS = ("state", "caption", "hide", "events")


# ------------------------------------------------------------------ values
@dataclass(frozen=True)
class Stop:
    """One stop of a lesson: a lab state (a link's query, frozen as sorted (key, value) pairs), a caption
    (Markdown with $…$ maths), the page parts it hides (HIDEABLE keys) and the events [first, last] of
    the update it covers (inclusive), or None."""

    state: tuple[tuple[str, str], ...] = ()
    caption: str = ""
    hide: tuple[str, ...] = ()
    events: tuple[int, int] | None = None

    def __post_init__(self):
        pairs = self.state.items() if isinstance(self.state, Mapping) else self.state
        object.__setattr__(self, "state", tuple(sorted((str(k), str(v)) for k, v in pairs)))
        object.__setattr__(self, "hide", tuple(self.hide))
        if self.events is not None:
            object.__setattr__(self, "events", tuple(self.events))

    def query(self) -> dict[str, str]:
        """The link that opens this stop: its state, with the cursor ``k`` at first − 1 when the stop covers
        events and its state names no cursor (the stop opens just before its first event)."""
        q = dict(self.state)
        if self.events is not None and "k" not in q and self.events[0] >= 1:
            q["k"] = str(self.events[0] - 1)
        return q

    def opening_cursor(self) -> int:
        """Where the cursor stands when the stop opens (−1: before the first event)."""
        return int(self.query().get("k", -1))


@dataclass(frozen=True)
class Lesson:
    """A lesson: its key (the ``lesson=`` of a link), title, a summary (Markdown) and stops, in order."""

    key: str
    title: str
    summary: str = ""
    stops: tuple[Stop, ...] = field(default_factory=tuple)

    def __post_init__(self):
        object.__setattr__(self, "stops", tuple(self.stops))


# ------------------------------------------------------------------ JSON
def lesson_to_json(lesson: Lesson) -> str:
    """The lesson as JSON (format docs/lesson-format.md): two-space indented, keys in a fixed order,
    non-ASCII kept, a newline at the end; ``parse_lesson`` reads it back to an equal Lesson."""
    return json.dumps(_lesson_dict(lesson), indent=2, ensure_ascii=False) + "\n"


def _lesson_dict(lesson: Lesson) -> dict:
    stops = []
    for s in lesson.stops:
        d = {"state": dict(s.state), "caption": s.caption}
        if s.hide:
            d["hide"] = list(s.hide)
        if s.events is not None:
            d["events"] = list(s.events)
        stops.append(d)
    return {
        "schema": LESSON_SCHEMA,
        "version": LESSON_VERSION,
        "key": lesson.key,
        "title": lesson.title,
        "summary": lesson.summary,
        "stops": stops,
    }


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise _Duplicate(k)
        seen[k] = v
    return seen


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_lesson(data: bytes | str) -> tuple[Lesson | None, list[str]]:
    """A lesson from JSON text or bytes, or None and the problems, each naming where it is
    ("stop 3, field 'caption': …"). Never raises, whatever the input."""
    try:
        return _parse(data)
    except (RecursionError, MemoryError):
        return None, ["the file is nested too deeply or too large to read"]
    except Exception as e:  # a guard, never expected: a file must never crash the app
        return None, [f"the file could not be read ({type(e).__name__})"]


def _parse(data) -> tuple[Lesson | None, list[str]]:
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            return None, ["the text is not valid Unicode (it holds a lone surrogate)"]
    if not isinstance(data, (bytes, bytearray)):
        return None, [f"expected the bytes or text of a JSON file, got {type(data).__name__}"]
    if len(data) > MAX_LESSON_BYTES:
        return None, [f"the file is {len(data):,} bytes; a lesson may be at most {MAX_LESSON_BYTES:,} bytes"]
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, [f"the file is not UTF-8 text (byte {e.start})"]
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _Duplicate as e:
        return None, [f"the key {str(e)[:40]!r} appears twice in one object"]
    except RecursionError:
        return None, ["the JSON is nested too deeply"]
    except ValueError as e:
        return None, [f"the file is not JSON ({str(e)[:120]})"]
    if not isinstance(raw, dict):
        return None, [f"the file must hold a JSON object, not {_type(raw)}"]
    problems: list[str] = []
    lesson = _lesson_from(raw, problems)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"… and {len(problems) - MAX_PROBLEMS} more problems"]
        return None, problems
    return lesson, []


def _lesson_from(raw: dict, problems: list[str]) -> Lesson | None:
    for k in raw:
        if k not in _TOP_FIELDS:
            problems.append(f"unknown field {str(k)[:40]!r} (a lesson has {', '.join(_TOP_FIELDS)})")
    for k in _TOP_FIELDS:
        if k not in raw:
            problems.append(f"field {k!r} is missing")
    if "schema" in raw and raw["schema"] != LESSON_SCHEMA:
        problems.append(f"field 'schema': this is not a lesson file (expected {LESSON_SCHEMA!r})")
    if "version" in raw:
        v = raw["version"]
        if not isinstance(v, int) or isinstance(v, bool):
            problems.append(f"field 'version': must be a whole number, not {_type(v)}")
        elif v != LESSON_VERSION:
            problems.append(f"field 'version': this app reads version {LESSON_VERSION}, the file has {v}")
    where = "field "
    key, title, summary = raw.get("key"), raw.get("title"), raw.get("summary")
    if "key" in raw:
        problems += [f"{where}'key': {p}" for p in _key_problems(key)]
    if "title" in raw:
        problems += [f"{where}'title': {p}" for p in _title_problems(title)]
    if "summary" in raw:
        problems += [f"{where}'summary': {p}" for p in _text_problems(summary, MAX_SUMMARY_CHARS)]
    stops = []
    if "stops" in raw:
        raw_stops = raw["stops"]
        if not isinstance(raw_stops, list):
            problems.append(f"field 'stops': must be a list of stops, not {_type(raw_stops)}")
        elif not raw_stops:
            problems.append("field 'stops': a lesson needs at least one stop")
        elif len(raw_stops) > MAX_STOPS:
            problems.append(f"field 'stops': {len(raw_stops)} stops; a lesson may have at most {MAX_STOPS}")
        else:
            for n, s in enumerate(raw_stops, 1):
                stops.append(_stop_from(s, n, problems))
    if problems:
        return None
    return Lesson(key, title, summary, tuple(stops))


def _stop_from(raw, n: int, problems: list[str]) -> Stop | None:
    at = f"stop {n}"
    if not isinstance(raw, dict):
        problems.append(f"{at}: must be an object, not {_type(raw)}")
        return None
    for k in raw:
        if k not in _STOP_FIELDS:
            problems.append(f"{at}: unknown field {str(k)[:40]!r} (a stop has {', '.join(_STOP_FIELDS)})")
    for k in ("state", "caption"):
        if k not in raw:
            problems.append(f"{at}: field {k!r} is missing")
    state: dict[str, str] = {}
    if "state" in raw:
        if not isinstance(raw["state"], dict):
            problems.append(f"{at}, field 'state': must be an object of link parameters, not {_type(raw['state'])}")
        else:
            for k, v in raw["state"].items():
                if isinstance(v, str):
                    state[k] = v
                elif isinstance(v, int) and not isinstance(v, bool):
                    state[k] = str(v)  # a whole number is read as its decimal text
                elif isinstance(v, float) and math.isfinite(v):
                    state[k] = repr(v)  # a number with decimals: its shortest text (0.5 → "0.5")
                else:
                    problems.append(f"{at}, field 'state.{str(k)[:40]}': must be text or a number, not {_type(v)}")
    events = raw.get("events")
    if events is not None and not _is_pair(events):
        problems.append(f"{at}, field 'events': must be a pair of whole numbers [first, last], not {_short(events)}")
        events = None
    hide = raw.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        problems.append(f"{at}, field 'hide': must be a list of page parts ({', '.join(HIDEABLE)})")
        hide = []
    caption = raw.get("caption", "")
    stop_problems = _stop_problems(state, caption, hide, events)
    problems += [f"{at}, {p}" for p in stop_problems]
    if stop_problems or not isinstance(caption, str):
        return None
    return Stop(state, caption, tuple(hide), None if events is None else tuple(events))


def _is_pair(v) -> bool:
    """A list or tuple of two whole numbers (true and false are not numbers here)."""
    return (
        isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
    )


def _short(v) -> str:
    try:
        s = json.dumps(v)
    except (TypeError, ValueError, RecursionError):
        s = type(v).__name__
    return s if len(s) <= 40 else s[:37] + "…"


# ------------------------------------------------------------------ display
def safe_caption(text: str) -> str:
    """A caption as st.markdown may render it: outside maths, ``&``, ``<`` and ``>`` become HTML character
    references; inside $…$ (where Markdown shows references literally) ``<`` and ``>`` become KaTeX's
    \\lt and \\gt and ``&`` becomes \\&. The result holds no ``<`` or ``>`` at all (defence in depth: the
    parser already refuses HTML)."""
    out, at = [], 0
    for m in _MATH.finditer(text):
        out.append(html.escape(text[at : m.start()], quote=False))
        math_text = m.group(0).replace("&", r"\&").replace("<", r"\lt{}").replace(">", r"\gt{}")
        out.append(math_text)
        at = m.end()
    out.append(html.escape(text[at:], quote=False))
    return "".join(out)


# ------------------------------------------------------------------ shipped lessons and links
def _load_shipped() -> dict[str, Lesson]:
    """Every lesson in lesson_files/*.json; a file that does not parse, or whose key is not its file
    name, raises ValueError (at import: the tests catch it before students do)."""
    found = {}
    for path in sorted(LESSON_DIR.glob("*.json")):
        lesson, problems = parse_lesson(path.read_bytes())
        if lesson is None:
            raise ValueError(f"shipped lesson {path.name}: " + "; ".join(problems))
        if lesson.key != path.stem:
            raise ValueError(f"shipped lesson {path.name}: its key is {lesson.key!r}, not its file name")
        found[lesson.key] = lesson
    return found


SHIPPED: dict[str, Lesson] = _load_shipped()


def lesson_menu(lessons: Mapping[str, Lesson] | None = None) -> list[tuple[str, str]]:
    """(key, title) of each lesson in teaching order (TEACHING_ORDER, then any others by title)."""
    lessons = SHIPPED if lessons is None else lessons
    rank = {k: n for n, k in enumerate(TEACHING_ORDER)}
    keys = sorted(lessons, key=lambda k: (rank.get(k, len(rank)), lessons[k].title, k))
    return [(k, lessons[k].title) for k in keys]


def lesson_from_link(
    params: Mapping, lessons: Mapping[str, Lesson] | None = None
) -> tuple[Lesson | None, int, list[str]]:
    """The lesson and stop (0-based) of a link's ``lesson=<key>&stop=<n>`` (n 1-based, default 1), and a
    note for each part that was ignored: an unknown lesson (None), a stop that is not a whole number
    (the first) or out of range (clamped to the nearest)."""
    lessons = SHIPPED if lessons is None else lessons
    if "lesson" not in params:
        return None, 0, []
    key = str(params["lesson"])[:200]
    lesson = lessons.get(key)
    if lesson is None:
        return None, 0, [f"lesson={key[:40]!r} (no such lesson)"]
    if "stop" not in params:
        return lesson, 0, []
    raw = str(params["stop"])[:40]
    if not _INT.fullmatch(raw):
        return lesson, 0, [f"stop={raw!r} (not a stop number; opened stop 1)"]
    n = int(raw)
    last = len(lesson.stops)
    if not 1 <= n <= last:
        clamped = min(max(n, 1), last)
        return lesson, clamped - 1, [f"stop={raw!r} (this lesson has stops 1 to {last}; opened stop {clamped})"]
    return lesson, n - 1, []


# ------------------------------------------------------------------ authoring
def new_lesson(title: str, state: Mapping[str, str] | None = None) -> Lesson:
    """A lesson of one stop (``state``, default the default lab) with an empty caption; its key is
    made from the title."""
    problems = _title_problems(title)
    if problems:
        raise ValueError(f"The title {problems[0]}.")
    key = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:MAX_KEY_CHARS].strip("-") or "lesson"
    stop = Stop(dict(state or {}), "")
    _check_stop(stop)
    return Lesson(key, title.strip(), "", (stop,))


def add_stop(lesson: Lesson, stop: Stop, at: int | None = None) -> Lesson:
    """The lesson with ``stop`` inserted before index ``at`` (0-based; None: at the end)."""
    if len(lesson.stops) >= MAX_STOPS:
        raise ValueError(f"A lesson has at most {MAX_STOPS} stops; delete one first.")
    at = len(lesson.stops) if at is None else at
    if not 0 <= at <= len(lesson.stops):
        raise ValueError(f"A stop can go at positions 0 to {len(lesson.stops)}, not {at}.")
    _check_stop(stop)
    return replace(lesson, stops=lesson.stops[:at] + (stop,) + lesson.stops[at:])


def move_stop(lesson: Lesson, index: int, delta: int) -> Lesson:
    """The lesson with stop ``index`` (0-based) moved ``delta`` places (negative: earlier)."""
    _check_index(lesson, index)
    to = index + delta
    if not 0 <= to < len(lesson.stops):
        raise ValueError(f"Stop {index + 1} cannot move {delta:+d}: the lesson has stops 1 to {len(lesson.stops)}.")
    stops = list(lesson.stops)
    stops.insert(to, stops.pop(index))
    return replace(lesson, stops=tuple(stops))


def delete_stop(lesson: Lesson, index: int) -> Lesson:
    """The lesson without stop ``index`` (0-based); a lesson keeps at least one stop."""
    _check_index(lesson, index)
    if len(lesson.stops) == 1:
        raise ValueError("A lesson needs at least one stop; this is its last.")
    return replace(lesson, stops=lesson.stops[:index] + lesson.stops[index + 1 :])


def set_caption(lesson: Lesson, index: int, text: str) -> Lesson:
    """The lesson with stop ``index`` (0-based) captioned ``text``."""
    _check_index(lesson, index)
    problems = _text_problems(text, MAX_CAPTION_CHARS)
    if problems:
        raise ValueError(f"The caption cannot be used: {problems[0]}.")
    stops = list(lesson.stops)
    stops[index] = replace(stops[index], caption=text)
    return replace(lesson, stops=tuple(stops))


def _check_index(lesson: Lesson, index: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(lesson.stops):
        raise ValueError(f"There is no stop {index!r}: the lesson has stops 0 to {len(lesson.stops) - 1} (0-based).")


def _check_stop(stop: Stop) -> None:
    """ValueError with the first problem of a stop an author made."""
    events = stop.events
    if events is not None and not _is_pair(events):
        raise ValueError("The stop's events must be a pair of whole numbers (first, last).")
    problems = _stop_problems(dict(stop.state), stop.caption, list(stop.hide), events)
    if problems:
        raise ValueError(f"The stop cannot be used: {problems[0]}.")
