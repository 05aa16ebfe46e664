"""A cursor over the events of successive updates, forwards and backwards, exactly.

At cursor k of the current update the network's parameters are the parameters from
before that update with exactly the update events ≤ k applied (cursor −1: none). They
are rebuilt from the trace's stored before/after values, so stepping back restores
them bit for bit. Stepping past the last event starts the next update on the next
batch (see ``schedule``); stepping back past the first returns to the previous update
while it is still in the bounded history.

>>> st = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5)
>>> st.on_delta(lambda e: print(e.layer, e.i, e.value))
>>> st.step("layer"); st.back("event")
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np

from .network import Network, _check_lr, as_batch
from .schedule import batch_indices, check_batch_size, n_batches
from .trace import GRANULARITIES, KINDS, PHASES, Event, Trace

__all__ = ["Stepper", "HISTORY_LIMIT"]

HISTORY_LIMIT = 20  # completed updates kept for stepping back across update boundaries


class Stepper:
    """Walk the events of gradient-descent updates on (X, Y) with a cursor.

    X: (m, n_in), Y: (m, n_out), the whole training set; each update uses the batch the
    schedule gives for its number. ``net`` is changed in place as the cursor moves.
    """

    def __init__(
        self,
        net: Network,
        X,
        Y,
        lr: float,
        batch_size: int | None = None,
        *,
        update_biases: bool = True,
        shuffle: bool = False,
        seed: int | None = 0,
        history: int = HISTORY_LIMIT,
        update: int = 0,
    ):
        self.net = net
        self.X, self.Y = as_batch(X, Y, net.layer_sizes[0], net.layer_sizes[-1])
        self.lr = _check_lr(lr)
        self.batch_size = check_batch_size(batch_size, self.X.shape[0])
        self.update_biases, self.shuffle, self.seed = bool(update_biases), bool(shuffle), seed
        self._history: deque[Trace] = deque(maxlen=max(0, int(history)))
        self._hooks: dict[str, list[Callable[[Event], None]]] = {}
        self.update = int(update)  # number of updates completed before the current one
        self.trace = self._new_trace()
        self.cursor = -1

    # ------------------------------------------------------------------ state
    @property
    def n_events(self) -> int:
        return self.trace.layout.n_events

    @property
    def updates_per_epoch(self) -> int:
        return n_batches(self.X.shape[0], self.batch_size)

    @property
    def epoch(self) -> int:
        return self.update // self.updates_per_epoch

    @property
    def event(self) -> Event | None:
        """The event at the cursor (None before the first)."""
        return None if self.cursor < 0 else self.trace.event(self.cursor)

    def batch(self) -> np.ndarray:
        """Indices into X of the current update's batch."""
        return batch_indices(self.X.shape[0], self.batch_size, self.update, self.shuffle, self.seed)

    def _new_trace(self) -> Trace:
        idx = self.batch()
        return self.net.trace(self.X[idx], self.Y[idx], self.lr, self.update_biases)

    def _apply(self) -> None:
        self.net.weights, self.net.biases = self.trace.parameters_at(self.cursor)

    # ------------------------------------------------------------------ hooks
    def on(self, kind: str, fn: Callable[[Event], None]) -> Callable[[Event], None]:
        """Call ``fn(event)`` for each event of ``kind`` the cursor moves forward over."""
        if kind not in KINDS:  # a misspelt kind (e.g. "update") would never fire
            raise ValueError(f"unknown event kind {kind!r}; choose one of {', '.join(KINDS)}")
        self._hooks.setdefault(kind, []).append(fn)
        return fn

    def on_forward(self, fn):
        return self.on("forward", fn)

    def on_delta(self, fn):
        return self.on("delta", fn)

    def on_update(self, fn):
        self.on("update_w", fn)
        return self.on("update_b", fn)

    def _fire(self, first: int, last: int) -> None:
        if self._hooks:
            for k in range(first, last + 1):
                kind = self.trace.layout.locate(k)[0]
                for fn in self._hooks.get(kind, ()):
                    fn(self.trace.event(k))

    # --------------------------------------------------------------- movement
    def seek(self, k: int) -> None:
        """Put the cursor at event k of the current update (−1: before the first)."""
        k = int(k)
        if not -1 <= k < self.n_events:
            raise ValueError(f"cursor must be in −1 … {self.n_events - 1}, got {k}")
        old = self.cursor
        self.cursor = k
        self._apply()
        if k > old:
            self._fire(old + 1, k)

    def peek_next(self) -> tuple[Network, Trace]:
        """(network, trace) of the next update as stepping past this one's end will make them, without
        moving: the network holds this update's final parameters, the trace the next batch's events.
        Bit-identical to the stepper's own after ``finish_update`` (same inputs, same operations)."""
        net = self.net.copy()
        net.weights, net.biases = self.trace.parameters_at(self.n_events - 1)
        idx = batch_indices(self.X.shape[0], self.batch_size, self.update + 1, self.shuffle, self.seed)
        return net, net.trace(self.X[idx], self.Y[idx], self.lr, self.update_biases)

    @property
    def history_limit(self) -> int:
        """How many finished updates ← can go back into."""
        return self._history.maxlen or 0

    def _next_update(self) -> None:
        """Finish the current update and start the next one (cursor −1)."""
        self.net.weights, self.net.biases = self.trace.parameters_at(self.n_events - 1)
        self._history.append(self.trace)
        self.update += 1
        self.trace = self._new_trace()
        self.cursor = -1

    def step(self, granularity: str = "event", n: int = 1) -> Event | None:
        """Move forward n groups of the given granularity; returns the event at the cursor."""
        _check_granularity(granularity)
        for _ in range(int(n)):
            if self.cursor >= self.n_events - 1:
                self._next_update()
            self.seek(self.trace.layout.group(self.cursor + 1, granularity)[1])
        return self.event

    def back(self, granularity: str = "event", n: int = 1) -> Event | None:
        """Move backward n groups; crosses into the previous update while history holds it."""
        _check_granularity(granularity)
        for _ in range(int(n)):
            if self.cursor < 0:
                if not self._history:
                    break
                self.trace = self._history.pop()
                self.update -= 1
                self.cursor = self.n_events - 1
                self._apply()
                continue
            self.seek(self.trace.layout.group(self.cursor, granularity)[0] - 1)
        return self.event

    def can_back(self) -> bool:
        return self.cursor >= 0 or bool(self._history)

    def has_previous(self) -> bool:
        """Whether ← from the update's start can go back into the previous update (history holds it)."""
        return bool(self._history)

    def jump_to_phase(self, phase: str) -> Event | None:
        """Cursor just before the first event of ``phase`` (so the next step shows it)."""
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; choose one of {', '.join(PHASES)}")
        self.seek(self.trace.layout.phase_bounds(phase)[0] - 1)
        return self.event

    def reset(self) -> None:
        """Back to the start of the current update."""
        self.seek(-1)

    def finish_update(self) -> Trace:
        """Apply the rest of the current update and start the next; returns the finished trace."""
        done = self.trace
        if self.cursor < self.n_events - 1:
            self.seek(self.n_events - 1)
        self._next_update()
        return done

    def set_lr(self, lr: float) -> None:
        """Change η; the current update is recomputed from its start."""
        self.lr = _check_lr(lr)
        self.restart_update()

    def restart_update(self) -> None:
        """Recompute the current update from the parameters before it (e.g. after an edit)."""
        self.net.weights, self.net.biases = self.trace.parameters_at(-1)
        self.trace = self._new_trace()
        self.cursor = -1

    def reload(self) -> None:
        """Parameters were changed from outside (an edit): forget history, retrace from them."""
        self._history.clear()
        self.trace = self._new_trace()
        self.cursor = -1

    def restart_at(self, update: int, weights=None, biases=None) -> None:
        """Start over at update ``update`` (that many completed) from these parameters, validated
        by the network (default: the network's own); history is forgotten, the cursor is −1."""
        if weights is not None:
            self.net.set_parameters(weights, biases)
        self.update = int(update)
        self.reload()

    def train(self, n_updates: int, on_epoch=None) -> int:
        """Run n whole updates with the fast loop, from the start of the next update.

        The current update is finished first (counting as one of the n). History is cleared,
        since fast training keeps no traces. ``on_epoch(epoch, E)`` is called with E(X, Y) after
        each completed epoch; training stops early if E is not finite. Returns the updates applied.
        """
        from .fit import run_updates

        n_updates = int(n_updates)
        if n_updates <= 0:
            return 0
        finished = 0  # the finished current update counts as one of the n and is returned too
        if self.cursor >= 0:
            self.finish_update()
            n_updates -= 1
            finished = 1
        else:
            self.net.weights, self.net.biases = self.trace.parameters_at(-1)
        done = run_updates(
            self.net,
            self.X,
            self.Y,
            self.lr,
            batch_size=self.batch_size,
            update_biases=self.update_biases,
            shuffle=self.shuffle,
            seed=self.seed,
            start_update=self.update,
            n_updates=n_updates,
            on_epoch=on_epoch,
        )
        self.update += done
        self._history.clear()
        self.trace = self._new_trace()
        self.cursor = -1
        return done + finished


def _check_granularity(g: str) -> None:
    if g not in GRANULARITIES:
        raise ValueError(f"unknown granularity {g!r}; choose one of {', '.join(GRANULARITIES)}")
