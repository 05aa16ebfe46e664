"""How a lab is shown, apart from what it computes: notation, edge colouring, step size,
presentation mode, the parts a classroom link hides and practice mode; with its URL form.

A ``Display`` changes no number: switching notation or colouring keeps the network, the update
and the cursor. ``LabConfig`` (components/model/config.py) holds what the numbers depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine import GRANULARITIES

__all__ = [
    "Display",
    "COLOR_BY",
    "NOTATION_KEYS",
    "HIDEABLE",
    "MAX_HIDDEN_PARTS",
    "validate_display",
    "display_query",
    "display_from_query",
    "DISPLAY_KEYS",
    "DIGITS",
    "EDGE_MODES",
    "SUMMARY_EDGES",
    "shows_strongest",
]

COLOR_BY = ("weight", "gradient", "delta_w")
NOTATION_KEYS = ("neutral", "seed000", "seed001", "seed002", "seed003")
# Parts of the page a classroom link can hide in presentation mode (key → what it hides).
HIDEABLE = {
    "play": "play and training controls",
    "jumps": "phase jumps and scrubber",
    "charts": "training charts",
    "table": "layer table",
    "notation": "notation and colour choices",
}
MAX_HIDDEN_PARTS = 10
EDGE_MODES = ("auto", "all", "strongest")
SUMMARY_EDGES = 300  # a network with more weights than this shows its strongest edges when edges is "auto"
DIGITS = (4, 6, 9)  # decimals the formulas and tables show (9: a textbook's published digits)


@dataclass(frozen=True)
class Display:
    """Display preferences of one session (every field is in the link)."""

    notation: str = "neutral"
    color_by: str = "weight"
    granularity: str = "event"
    presentation: bool = False
    hidden: tuple[str, ...] = ()  # parts hidden in presentation mode (HIDEABLE keys)
    digits: int = 4  # decimals of the numbers in formulas and tables (DIGITS)
    practice: bool = False  # each value hidden until the learner types it (components/model/practice.py)
    pictures: bool = False  # each neuron drawn as its activation over the input plane (two-input data)
    edges: str = "auto"  # EDGE_MODES: every edge, the strongest (a large network's summary), or by size

    def with_(self, **changes) -> Display:
        return replace(self, **changes)

    def hides(self, part: str) -> bool:
        """Whether a classroom link asked to hide ``part`` (a HIDEABLE key)."""
        return part in self.hidden


def shows_strongest(d: Display, n_weights: int) -> bool:
    """Whether the graph is a large network's summary (its strongest edges): chosen, or by size."""
    return d.edges == "strongest" if d.edges != "auto" else n_weights > SUMMARY_EDGES


def validate_display(d: Display) -> list[str]:
    """Problems with display preferences, each a sentence (empty: fine)."""
    errs = []
    if d.notation not in NOTATION_KEYS:
        errs.append(f"notation must be one of {', '.join(NOTATION_KEYS)}")
    if d.color_by not in COLOR_BY:
        errs.append(f"edge colouring must be one of {', '.join(COLOR_BY)}")
    if d.granularity not in GRANULARITIES:
        errs.append(f"step size must be one of {', '.join(GRANULARITIES)}")
    if d.edges not in EDGE_MODES:
        errs.append(f"edges must be one of {', '.join(EDGE_MODES)}")
    if isinstance(d.digits, bool) or d.digits not in DIGITS:
        errs.append(f"digits must be one of {', '.join(map(str, DIGITS))}")
    return errs


# short key -> field; "present" and "hide" are parsed leniently, as classroom links always were
DISPLAY_KEYS = {
    "nt": "notation",
    "col": "color_by",
    "g": "granularity",
    "dg": "digits",
    "present": "presentation",
    "hide": "hidden",
    "practice": "practice",
    "pic": "pictures",
    "ed": "edges",
}


def display_query(d: Display) -> dict[str, str]:
    """Query parameters for the preferences that differ from the defaults."""
    q = {}
    default = Display()
    for key, name in (("nt", "notation"), ("col", "color_by"), ("g", "granularity"), ("ed", "edges")):
        if getattr(d, name) != getattr(default, name):
            q[key] = getattr(d, name)
    if d.digits != default.digits:
        q["dg"] = str(d.digits)
    if d.presentation:
        q["present"] = "1"
    if d.hidden:
        q["hide"] = "-".join(d.hidden)
    if d.practice:
        q["practice"] = "1"
    if d.pictures:
        q["pic"] = "1"
    return q


def display_from_query(params: dict) -> tuple[Display, list[str]]:
    """Display preferences from query parameters, and a note for each value that was ignored."""
    d, ignored = Display(), []
    for key, name in (("nt", "notation"), ("col", "color_by"), ("g", "granularity"), ("ed", "edges")):
        if key not in params:
            continue
        trial = d.with_(**{name: str(params[key])[:200]})
        if validate_display(trial):
            ignored.append(f"{key}={str(params[key])[:40]!r} ({validate_display(trial)[0]})")
            continue
        d = trial
    if "dg" in params:
        raw = str(params["dg"])[:40]
        if raw.isdigit() and int(raw) in DIGITS:
            d = d.with_(digits=int(raw))
        else:
            ignored.append(f"dg={raw!r} (digits must be one of {', '.join(map(str, DIGITS))})")
    hidden = tuple(x for x in str(params.get("hide", "")).split("-") if x)[:MAX_HIDDEN_PARTS]
    if "practice" in params and str(params["practice"]) not in ("0", "1"):
        ignored.append(f"practice={str(params['practice'])[:40]!r} (practice mode is 1 (on) or 0 (off))")
    practice = str(params.get("practice", "")) == "1"
    if "pic" in params and str(params["pic"]) not in ("0", "1"):
        ignored.append(f"pic={str(params['pic'])[:40]!r} (neuron pictures are 1 (on) or 0 (off))")
    pictures = str(params.get("pic", "")) == "1"
    d = d.with_(presentation=params.get("present") == "1", hidden=hidden, practice=practice, pictures=pictures)
    return d, ignored
