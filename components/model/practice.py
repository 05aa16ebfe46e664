"""Practice mode: the learner types each number before it is shown, and the lab checks it.

Plain Python (no Streamlit), one ``Practice`` per lab. The numbers come from the engine's trace;
this module only decides which event is asked next, whether a typed answer matches the engine's
value to the precision shown, which hint comes next, and keeps the score.

- The **frontier** is the last event whose value the learner has seen (answered, revealed, or shown
  before practice began); everything after it stays hidden. The cursor may move freely up to it.
- The **question** is the last event of the next step at the chosen step size
  (``Layout.group(frontier + 1, granularity)``): at "event" every number is asked, at "layer" the
  last neuron of each layer, and so on; the rest of that step is revealed with it.
- Hints, one press each and never forced: the symbolic formula, then the numbers substituted, then
  the answer (which counts the question as missed and moves on).
- A practice belongs to one update, named by its numbers (``update_identity``): a new update, new
  parameters or a new η starts it afresh; stepping back and forth within the update keeps it.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Practice",
    "Attempt",
    "PRACTICE_PHASES",
    "PHASE_LABELS",
    "HINTS",
    "MAX_ANSWER_CHARS",
    "practice_phase",
    "tolerance",
    "tolerance_text",
    "tolerance_short",
    "parse_answer",
    "is_close",
    "update_identity",
]

PRACTICE_PHASES = ("forward", "loss", "delta", "gradient", "update")
PHASE_LABELS = {
    "forward": "forward values",
    "loss": "loss",
    "delta": "δ",
    "gradient": "∂E/∂w",
    "update": "Δw (new weights)",
}
HINTS = ("the formula", "the numbers substituted", "the answer")  # what each press of "hint" shows
MAX_ANSWER_CHARS = 64  # a longer answer is not a number anyone typed


def practice_phase(kind: str) -> str:
    """The score's phase of an event kind (engine KINDS)."""
    if kind.startswith("grad"):
        return "gradient"
    if kind.startswith("update"):
        return "update"
    return kind  # forward, loss, delta


def tolerance(digits: int) -> tuple[float, float]:
    """(relative, absolute) tolerance for an answer with ``digits`` decimals shown: agreement to
    ``digits`` significant figures (relative 5·10^−digits), or within half a unit of the last decimal
    shown (absolute 5·10^−(digits+1), the floor for values near zero)."""
    return 5.0 * 10.0**-digits, 0.5 * 10.0**-digits


def tolerance_text(digits: int) -> str:
    """The tolerance in words, as the page states it."""
    rel, abs_ = tolerance(digits)
    return (
        f"Answers are checked to {digits} significant figures (relative error ≤ {rel:.0e}) "
        f"or within ±{abs_:.{digits + 1}f} of the exact value."
    ).replace("e-0", "e-")


def tolerance_short(digits: int) -> str:
    """The tolerance in a few words (the question box)."""
    return f"Checked to {digits} significant figures, or ±{tolerance(digits)[1]:.{digits + 1}f} near zero."


_SCI = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:[x×*·]\s*10\s*\^\s*\(?\s*([+-]?\d+)\s*\)?)$", re.IGNORECASE)


def parse_answer(text) -> float:
    """The number a learner typed. Accepts 0.5933, -0.5933, −0.5933 (a typographic minus), .5933,
    5.933e-1, 5.933×10^-1, 5.933*10^(-1), and a decimal comma (0,5933). ValueError with a sentence
    the learner can act on otherwise."""
    if not isinstance(text, str):
        raise ValueError("Type a number, such as 0.5933 or -1.2e-3.")
    s = text.strip()[: MAX_ANSWER_CHARS + 1]
    if not s:
        raise ValueError("Type a number first (Enter checks it), or ? for a hint.")
    if len(s) > MAX_ANSWER_CHARS:
        raise ValueError(f"That is longer than {MAX_ANSWER_CHARS} characters: type just the number.")
    s = s.replace("−", "-").replace("–", "-").replace(" ", "").replace("\u202f", "")
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")  # a decimal comma
    m = _SCI.match(s)
    try:
        value = float(m.group(1)) * 10.0 ** int(m.group(2)) if m else float(s)
    except (ValueError, OverflowError):
        raise ValueError(f"“{text.strip()[:24]}” is not a number: type digits such as 0.5933 or -1.2e-3.") from None
    if not math.isfinite(value) or s.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueError("Type a finite number, such as 0.5933.")
    return value


def is_close(typed: float, exact: float, digits: int) -> bool:
    """Whether ``typed`` matches the engine's ``exact`` value to the precision shown (``tolerance``).
    A non-finite exact value (a diverged update) matches nothing."""
    if not math.isfinite(exact):
        return False
    rel, abs_ = tolerance(digits)
    return abs(typed - exact) <= max(rel * abs(exact), abs_)


def update_identity(update: int, trace) -> str:
    """A name for one update's numbers: its index, η, samples and the parameters it starts from."""
    h = hashlib.sha1(f"{update}|{trace.lr!r}|{trace.layer_sizes}|{trace.activations}".encode())
    for a in [trace.X, trace.Y, *trace.weights_before, *trace.biases_before]:
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    return h.hexdigest()


@dataclass
class Attempt:
    """What happened at one question: the answers typed, hints used, and how it ended."""

    event: int
    phase: str
    tries: list = field(default_factory=list)  # the texts typed that were numbers, in order
    hints: int = 0  # how many hints were shown (0 … 3; 3 = the answer)
    right: bool = False  # answered right (first try or later)
    shown: bool = False  # the answer was shown (given up, or a class question revealed)

    @property
    def first_time(self) -> bool:
        """Right at the first try with no hint."""
        return self.right and len(self.tries) == 1 and self.hints == 0


@dataclass
class Practice:
    """One update's practice: the frontier, the attempt at each question asked, the current hint level
    and the last message for the learner. ``on`` is whether practice mode is active."""

    on: bool = False
    identity: str | None = None
    frontier: int = -1
    attempts: dict = field(default_factory=dict)  # question event → Attempt (the current one included)
    feedback: tuple | None = None  # (kind, text): kind "right" | "wrong" | "info", for the current question
    named: tuple | None = field(default=None, repr=False, compare=False)  # (trace, update, its identity)

    # ------------------------------------------------------------ the update practised
    def follow(self, identity: str, cursor: int) -> bool:
        """Keep this practice for the update named ``identity``, or start one there (the values up to
        ``cursor`` already seen, nothing scored). Returns whether it started afresh."""
        if identity == self.identity:
            return False
        self.identity, self.frontier, self.attempts, self.feedback = identity, int(cursor), {}, None
        return True

    def restart(self) -> None:
        """The update's practice from its first event again: every answer forgotten."""
        self.frontier, self.attempts, self.feedback = -1, {}, None

    def clamp(self, cursor: int) -> int:
        """The furthest the cursor may go: nothing beyond the frontier is shown."""
        return min(int(cursor), self.frontier)

    # ------------------------------------------------------------ the question
    def question(self, layout, granularity: str) -> int | None:
        """The event asked next (the end of the step after the frontier), None when all are seen."""
        if self.frontier >= layout.n_events - 1:
            return None
        return layout.group(self.frontier + 1, granularity)[1]

    def attempt(self, layout, granularity: str) -> Attempt | None:
        q = self.question(layout, granularity)
        if q is None:
            return None
        kind = layout.locate(q)[0]
        return self.attempts.setdefault(q, Attempt(q, practice_phase(kind)))

    def answer(self, text, trace, granularity: str, digits: int) -> bool:
        """Check a typed answer against the engine's value of the question. Right: the frontier moves to
        the question (True). Wrong or not a number: a message, the question stays (False)."""
        at = self.attempt(trace.layout, granularity)
        if at is None:
            self.feedback = ("info", "Every number of this update is shown: → goes on to the next update.")
            return False
        try:
            typed = parse_answer(text)
        except ValueError as e:
            self.feedback = ("info", str(e))
            return False
        at.tries.append(str(text).strip()[:MAX_ANSWER_CHARS])
        exact = float(trace.event(at.event).value)
        if is_close(typed, exact, digits):
            at.right = True
            self.frontier = at.event
            self.feedback = ("right", f"Right: {str(text).strip()[:MAX_ANSWER_CHARS]} matches.")
            return True
        tries = len(at.tries)
        self.feedback = (
            "wrong",
            f"Not quite ({tries} {'try' if tries == 1 else 'tries'}). Try again, or press ? for {HINTS[at.hints]}.",
        )
        return False

    def hint(self, layout, granularity: str) -> int:
        """One more hint for the question (the formula, the numbers, the answer); the answer moves the
        frontier on and counts the question as missed. Returns the hint level now shown (0 … 3)."""
        at = self.attempt(layout, granularity)
        if at is None:
            return 0
        at.hints = min(3, at.hints + 1)
        if at.hints == 3:
            at.shown = True
            self.frontier = at.event
            self.feedback = ("info", "The answer is shown; compare it with yours, then go on.")
        else:
            self.feedback = None
        return at.hints

    def reveal(self, layout, granularity: str) -> bool:
        """A class question: the lecturer reveals the value (no score). Returns whether the frontier moved."""
        at = self.attempt(layout, granularity)
        if at is None:
            return False
        at.shown = True
        self.frontier = at.event
        self.feedback = None
        return True

    def hints_shown(self, layout, granularity: str) -> int:
        q = self.question(layout, granularity)
        return self.attempts[q].hints if q in self.attempts else 0

    # ------------------------------------------------------------ the score
    def score(self) -> dict[str, tuple[int, int]]:
        """Per phase (PRACTICE_PHASES): (right at the first try, questions finished)."""
        out = {p: [0, 0] for p in PRACTICE_PHASES}
        for at in self.attempts.values():
            if at.right or at.shown:
                out[at.phase][1] += 1
                out[at.phase][0] += at.first_time
        return {p: (r, n) for p, (r, n) in out.items()}

    def missed(self) -> list[Attempt]:
        """The finished questions not answered right at the first try without a hint, in event order."""
        done = [self.attempts[k] for k in sorted(self.attempts)]
        return [at for at in done if (at.right or at.shown) and not at.first_time]
