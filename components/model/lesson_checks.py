"""What a lesson's parts may hold: the limits, and the checks that parsing a lesson file and the lesson
editor share (components/model/lessons.py). Each check returns problems as short phrases naming the field."""

from __future__ import annotations

import math
import re

from components.model.config import CONFIG_KEYS, LIMITS, from_query
from components.model.display import DISPLAY_KEYS, HIDEABLE, MAX_HIDDEN_PARTS, display_from_query
from components.model.links import POSITION_KEYS
from components.model.presets import PRESETS

MAX_CAPTION_CHARS = 4000
MAX_TITLE_CHARS = 120
MAX_SUMMARY_CHARS = 1000
MAX_KEY_CHARS = 40
MAX_CURSOR = 10_000_000  # the largest cursor or event index a stop may name (the app clamps to the update)
MAX_VALUE_CHARS = 200  # a state value, except the exact weights ``w``
MAX_WEIGHTS_CHARS = 40_000  # ``w``: base64url of at most MAX_LINK_PARAMETERS deflated float64s, with room
MAX_PROBLEMS = 40  # problems listed before "… and N more"
LESSON_KEYS = frozenset({"lesson", "stop", "practice"})  # a lesson link's own keys, never inside a state
STATE_KEYS = CONFIG_KEYS | frozenset(DISPLAY_KEYS) | POSITION_KEYS

_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_INT = re.compile(r"-?[0-9]{1,12}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_TAG = re.compile(r"<[/!?A-Za-z][^>\s]{0,18}>?")  # an HTML tag, comment or declaration opening
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SCRIPT_SCHEME = re.compile(r"(javascript|vbscript):")  # anywhere, even split by spaces or backslashes
_DATA_URL = re.compile(r"data:[\w.+-]+/", re.I)  # data:text/html, data:image/svg+xml …
_LINK_TARGET = re.compile(r"\]\(\s*([^)\s]*)")  # the target of a Markdown link [text](target)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MATH = re.compile(r"\$\$.+?\$\$|(?<!\\)\$[^$]+?(?<!\\)\$", re.S)


# ------------------------------------------------------------------ checks shared by parsing and authoring
def _stop_problems(state: dict, caption, hide, events) -> list[str]:
    """Problems of one stop's values (already the right container types), each starting "field '…'"."""
    problems = [f"field 'caption': {p}" for p in _text_problems(caption, MAX_CAPTION_CHARS)]
    problems += _state_problems(state)
    for h in hide:
        if h not in HIDEABLE:
            problems.append(f"field 'hide': {h[:40]!r} is not a page part ({', '.join(HIDEABLE)})")
    if len(set(hide)) != len(hide):
        problems.append("field 'hide': a page part is named twice")
    if events is not None:
        first, last = events
        if not 0 <= first <= last <= MAX_CURSOR:
            problems.append(
                f"field 'events': [{first}, {last}] must have 0 ≤ first ≤ last ≤ {MAX_CURSOR:,} (event indices)"
            )
        elif "k" in state and _INT.fullmatch(state["k"]) and not first - 1 <= int(state["k"]) <= last:
            problems.append(
                f"field 'state.k': the cursor {state['k']} is outside the stop's events (from {first - 1} to {last})"
            )
    return problems


def _state_problems(state: dict) -> list[str]:
    """Problems of a lab state: unknown keys, and values the link readers would ignore."""
    problems = []
    for k, v in state.items():
        at = f"field 'state.{str(k)[:40]}'"
        if k in LESSON_KEYS:
            problems.append(f"{at}: {k!r} belongs to a lesson's own link, not to a stop's lab state")
        elif k not in STATE_KEYS:
            problems.append(f"{at}: not a parameter of a lab's link")
        elif len(v) > (MAX_WEIGHTS_CHARS if k == "w" else MAX_VALUE_CHARS):
            problems.append(f"{at}: the value is too long ({len(v):,} characters)")
    state = {k: v for k, v in state.items() if k in STATE_KEYS and len(v) <= MAX_WEIGHTS_CHARS}
    _, ignored = from_query(state)
    _, ignored_display = display_from_query(state)
    problems += [f"field 'state.{note.split('=')[0]}': {note}" for note in ignored + ignored_display]
    if "data" in state and state["data"] == "preset" and state.get("preset", "") not in _WORKED_EXAMPLES:
        problems.append(f"field 'state.preset': no worked example {state.get('preset', '')[:40]!r} to take data from")
    if "present" in state and state["present"] not in ("0", "1"):
        problems.append("field 'state.present': must be '0' or '1'")
    if "hide" in state:
        parts = [x for x in state["hide"].split("-") if x]
        wrong = [x for x in parts if x not in HIDEABLE]
        if wrong or len(parts) > MAX_HIDDEN_PARTS:
            problems.append(f"field 'state.hide': page parts are {', '.join(HIDEABLE)}, joined by '-'")
    problems += _int_problem(state, "u", 0, LIMITS["updates"])
    problems += _int_problem(state, "k", -1, MAX_CURSOR)
    if "sc" in state:
        try:
            sc = float(state["sc"])
            ok = math.isfinite(sc) and 1e-300 < sc < 1e300
        except ValueError:
            ok = False
        if not ok:
            problems.append("field 'state.sc': the colour scale must be a positive number")
    if "w" in state and not _B64URL.fullmatch(state["w"]):
        problems.append("field 'state.w': the exact weights must be base64url text, as a lab's link writes them")
    return problems


_WORKED_EXAMPLES = frozenset(k for k, p in PRESETS.items() if p.data() is not None)


def _int_problem(state: dict, key: str, lo: int, hi: int) -> list[str]:
    if key not in state:
        return []
    raw = state[key]
    if not _INT.fullmatch(raw) or not lo <= int(raw) <= hi:
        return [f"field 'state.{key}': {raw[:20]!r} must be a whole number from {lo} to {hi:,}"]
    return []


def _key_problems(key) -> list[str]:
    if not isinstance(key, str):
        return [f"must be text, not {_type(key)}"]
    if not (_KEY.fullmatch(key) and len(key) <= MAX_KEY_CHARS):
        return [f"{key[:40]!r} must be 1 to {MAX_KEY_CHARS} lowercase letters, digits and '-', starting with one"]
    return []


def _title_problems(title) -> list[str]:
    problems = _text_problems(title, MAX_TITLE_CHARS)
    if not problems and (not title.strip() or "\n" in title or "\r" in title):
        problems.append("must be one line of text")
    return problems


def _text_problems(text, limit: int) -> list[str]:
    """Problems of a Markdown text shown to students: too long, HTML, scripted or data links, images,
    character references, control or direction-override characters."""
    if not isinstance(text, str):
        return [f"must be text, not {_type(text)}"]
    if len(text) > limit:
        return [f"{len(text):,} characters; at most {limit:,}"]
    problems = []
    tag = _TAG.search(text)
    if tag:
        problems.append(f"HTML is not allowed ({tag.group(0)}); in maths write \\lt for <")
    entity = _ENTITY.search(text)
    if entity:
        problems.append(f"character references are not allowed ({entity.group(0)[:20]}); write the character")
    squeezed = re.sub(r"[\s\x00-\x1f\\]+", "", text).lower()
    scheme = _SCRIPT_SCHEME.search(squeezed) or _DATA_URL.search(squeezed)
    if scheme:
        problems.append(f"{scheme.group(0).split(':')[0]}: links are not allowed")
    if "![" in text:
        problems.append("images are not allowed")
    for target in _LINK_TARGET.findall(text):
        if not scheme and target and not target.lower().startswith(("https://", "http://", "#")):
            problems.append(f"a link must lead to an https:// or http:// address ({target[:30]!r})")
            break
    if _CONTROL.search(text) or _BIDI.search(text):
        problems.append("control or text-direction characters are not allowed")
    return problems


def _type(v) -> str:
    """The JSON name of a value's type, for messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    return {int: "a whole number", float: "a number", str: "text", list: "a list", dict: "an object"}.get(
        type(v), type(v).__name__
    )
