"""Play mode's pace: how many epochs each redraw trains, so training runs at the chosen
epochs per second whatever the browser's drawing rate.

A busy browser draws ticks less often than every ``PLAY_INTERVAL``: each tick credits exactly
the time since the last one that trained (at most ``MAX_TICK_CREDIT`` seconds, so resuming
never lurches), and a tick that finds the browser still drawing the previous one waits (at
most ``MAX_BROWSER_WAIT`` seconds), so the picture never falls behind the training.

One tick trains its epochs in up to ``FRAMES_PER_TICK`` parts and keeps a ``PlayFrame`` after
each (``train_in_frames``): the browser draws them ``FRAME_SPACING`` apart, so the picture moves
more often than the page reruns (each rerun costs the browser far more than one drawing). The
graph draws every frame; the charts, dearer to draw, every ``CHART_EVERY``-th (``charted``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.network import Network

__all__ = [
    "PlayClock",
    "PlayFrame",
    "snapshot",
    "split_epochs",
    "train_in_frames",
    "frames_to_draw",
    "PLAY_INTERVAL",
    "FRAMES_PER_TICK",
    "FRAME_SPACING",
    "CHART_EVERY",
    "charted",
    "MAX_TICK_CREDIT",
    "MAX_BROWSER_WAIT",
]

PLAY_INTERVAL = 0.5  # seconds between reruns of the live view while epochs play (bench_play)
FRAMES_PER_TICK = 12  # drawings of the graph per tick while epochs play
FRAME_SPACING = PLAY_INTERVAL / FRAMES_PER_TICK  # seconds between them in the browser
CHART_EVERY = 2  # the loss and boundary charts follow every other frame
MAX_TICK_CREDIT = 2.0  # seconds of training one play tick may catch up on (a slow browser ticks ~1×/s)
MAX_BROWSER_WAIT = 1.5  # seconds play waits for the browser to show the last tick (a host that does not
#                         echo the link back, e.g. in a frame, still plays, a tick every 1.5 s)


@dataclass
class PlayClock:
    """When the last tick trained, and the fraction of an epoch owed since."""

    tick_at: float | None = None  # time.monotonic() of the last tick that trained; None: a new play
    owed: float = 0.0  # epochs credited but not trained yet (always < 1 after a tick)
    frames: list = field(default_factory=list)  # the PlayFrames of the last tick that moved the lab
    batch: int = 0  # counts those ticks: the browser draws each batch of frames once

    def drew(self, frames: list) -> None:
        """A tick moved the lab: ``frames`` are what the browser draws next."""
        self.frames = list(frames)
        self.batch += 1

    def restart(self) -> None:
        """A new play (or a stop): its first tick credits one interval; no frames are kept."""
        self.tick_at = None
        self.frames = []

    def waits(self, browser_caught_up: bool, now: float) -> bool:
        """Whether this tick should wait for the browser to show the previous one."""
        return not browser_caught_up and self.tick_at is not None and now - self.tick_at < MAX_BROWSER_WAIT

    def epochs_due(self, epochs_per_second: float, now: float) -> int:
        """Whole epochs this tick trains at ``epochs_per_second``; the remainder is carried over."""
        elapsed = PLAY_INTERVAL if self.tick_at is None else min(now - self.tick_at, MAX_TICK_CREDIT)
        self.tick_at = now
        self.owed += epochs_per_second * elapsed
        n = int(self.owed + 1e-9)  # (0.3 × 30 is 8.999…: nine epochs are due, not eight)
        self.owed -= n
        return n

    def ticked(self, now: float) -> None:
        """A tick of single steps happened now."""
        self.tick_at = now


@dataclass(frozen=True)
class PlayFrame:
    """One drawing of play: the lab as it was after part of a tick's epochs.

    ``net`` is a copy of the live network and ``trace`` the update's trace at that moment (the
    stepper replaces its trace, never changes it); ``start_net`` holds the parameters the update
    started from (``net`` itself at an update's start). ``curve`` and ``grad_norms`` are the lab's
    records then (copies: a long record is thinned in place)."""

    net: Network
    start_net: Network
    trace: Any
    update: int
    cursor: int
    scale: float
    curve: tuple
    grad_norms: tuple


def snapshot(lab) -> PlayFrame:
    """The lab now, as a ``PlayFrame`` (the live network itself where its parameters are not finite:
    ``copy`` refuses them, and such a lab has stopped playing)."""
    try:
        net = lab.net.copy()
    except ValueError:
        net = lab.net
    start = lab.net_at_update_start()
    return PlayFrame(
        net=net,
        start_net=net if start is lab.net else start,
        trace=lab.trace,
        update=int(lab.stepper.update),
        cursor=int(lab.stepper.cursor),
        scale=float(lab.scale),
        curve=tuple(lab.curve),
        grad_norms=tuple(lab.grad_norms),
    )


def split_epochs(n: int, parts: int) -> list[int]:
    """n epochs in at most ``parts`` non-empty parts, as even as can be, the larger ones last:
    (10, 3) → [3, 3, 4]; (2, 3) → [1, 1]; (0, 3) → []."""
    n, parts = max(int(n), 0), max(int(parts), 1)
    k = min(n, parts)
    return [n // k + (q >= k - n % k) for q in range(k)] if k else []


def train_in_frames(lab, epochs: int, parts: int = FRAMES_PER_TICK) -> list[PlayFrame]:
    """Train ``epochs`` whole epochs in up to ``parts`` parts, refitting the colour scale and keeping
    a ``PlayFrame`` after each; stops at the first part that leaves a problem (no frame for it)."""
    frames = []
    for n in split_epochs(epochs, parts):
        lab.train_epochs(n)
        if lab.problem is not None:
            break
        lab.fit_scale()
        frames.append(snapshot(lab))
    return frames


def charted(n_frames: int, every: int = CHART_EVERY) -> list[bool]:
    """Which of a tick's frames the charts follow: every ``every``-th from the first, which is drawn as
    the tick arrives (a later one is dropped when the next tick comes early): (6, 2) → [T, F, T, F, T, F]."""
    return [q % max(int(every), 1) == 0 for q in range(n_frames)]


def frames_to_draw(lab) -> tuple[list[PlayFrame], str]:
    """What play draws now, and a name for that batch (the browser draws a batch once): the last
    tick's frames when they end where the lab is, else the lab as it is (a first tick, single steps,
    a colour scale refitted), kept as the newest batch so the graph and the charts of one run share
    it and a rerun that moved nothing sends the same batch again."""
    frames = lab.clock.frames
    last = frames[-1] if frames else None
    here = (int(lab.stepper.update), int(lab.stepper.cursor), float(lab.scale))
    if last is None or (last.update, last.cursor, last.scale) != here:
        lab.clock.drew([snapshot(lab)])
    return list(lab.clock.frames), f"tick:{lab.clock.batch}"
