"""Play mode's pace: how many epochs each redraw trains, so training runs at the chosen
epochs per second whatever the browser's drawing rate.

A busy browser draws ticks less often than every ``PLAY_INTERVAL``: each tick credits exactly
the time since the last one that trained (at most ``MAX_TICK_CREDIT`` seconds, so resuming
never lurches), and a tick that finds the browser still drawing the previous one waits (at
most ``MAX_BROWSER_WAIT`` seconds), so the picture never falls behind the training.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlayClock", "PLAY_INTERVAL", "MAX_TICK_CREDIT", "MAX_BROWSER_WAIT"]

PLAY_INTERVAL = 0.2  # seconds between redraws while playing (5 per second at most; bench_play)
MAX_TICK_CREDIT = 2.0  # seconds of training one play tick may catch up on (a slow browser ticks ~1×/s)
MAX_BROWSER_WAIT = 1.5  # seconds play waits for the browser to show the last tick (a host that does not
#                         echo the link back, e.g. in a frame, still plays, a tick every 1.5 s)


@dataclass
class PlayClock:
    """When the last tick trained, and the fraction of an epoch owed since."""

    tick_at: float | None = None  # time.monotonic() of the last tick that trained; None: a new play
    owed: float = 0.0  # epochs credited but not trained yet (always < 1 after a tick)

    def restart(self) -> None:
        """A new play: its first tick credits one interval."""
        self.tick_at = None

    def waits(self, browser_caught_up: bool, now: float) -> bool:
        """Whether this tick should wait for the browser to show the previous one."""
        return not browser_caught_up and self.tick_at is not None and now - self.tick_at < MAX_BROWSER_WAIT

    def epochs_due(self, epochs_per_second: float, now: float) -> int:
        """Whole epochs this tick trains at ``epochs_per_second``; the remainder is carried over."""
        elapsed = PLAY_INTERVAL if self.tick_at is None else min(now - self.tick_at, MAX_TICK_CREDIT)
        self.tick_at = now
        self.owed += epochs_per_second * elapsed
        n = int(self.owed)
        self.owed -= n
        return n

    def ticked(self, now: float) -> None:
        """A tick of single steps happened now."""
        self.tick_at = now
