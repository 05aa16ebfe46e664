"""One user's lab: dataset, network, stepper and the histories the charts draw.

Plain Python (no Streamlit) so it can be tested directly; the app keeps one ``Lab``
per browser session in ``st.session_state``. Every number comes from the engine:
this module only decides which engine call to make and remembers the results.
Memory is bounded: one update's trace holds at most ``MAX_TRACE_BYTES`` (larger batches ×
networks are refused), the stepper keeps at most ``HISTORY_LIMIT`` traces and ``HISTORY_BYTES``
for stepping back, the curves at most ``MAX_CURVE_POINTS`` points (older points are thinned,
never the newest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from components.model.colour_scale import edge_values, fit_scale
from components.model.config import LabConfig, validate
from components.model.display import Display
from components.model.lab_inputs import LabError, edited_samples, make_dataset, make_network
from components.model.lab_practice import PracticeActions
from components.model.play import PlayClock
from components.model.practice import Practice
from engine import HISTORY_LIMIT, Network, Stepper
from engine.datasets import Dataset

__all__ = [
    "Lab",
    "build_lab",
    "make_dataset",
    "trace_bytes",
    "MAX_CURVE_POINTS",
    "SIGMOID_SATURATION",
    "MAX_ABS_WEIGHT",
    "MAX_TRACE_BYTES",
    "HISTORY_BYTES",
    "LabError",
]

MAX_CURVE_POINTS = 2000
SIGMOID_SATURATION = 36.0  # |z| beyond this: σ(z) rounds to 0 or 1 in float64 and learning stops
MAX_ABS_WEIGHT = 1e6  # typed, imported or linked parameters beyond ±this are refused (like CSV values)
MAX_TRACE_BYTES = 64 * 2**20  # one update's trace (≈ 8 · batch · (n_0 + n_L + 4 Σ n_l) bytes) may hold this
HISTORY_BYTES = 64 * 2**20  # the step-back history of finished updates holds at most this (and HISTORY_LIMIT)


@dataclass
class Lab(PracticeActions):
    """Everything one session sees. ``stepper.net`` is the live network; practice mode's actions are
    ``PracticeActions``'s (components/model/lab_practice.py)."""

    config: LabConfig
    dataset: Dataset
    stepper: Stepper
    start: tuple  # (weights, biases) at update 0, for "reset" and links
    scale: float = 1.0  # edge colour range ±scale, fixed while stepping
    curve: list = field(default_factory=list)  # (epoch as float, train E, test E or None)
    grad_norms: list = field(default_factory=list)  # (epoch as float, [‖∂E/∂W^l‖ for each layer])
    playing: bool = False
    problem: str | None = None  # why training stopped (divergence), shown until dismissed
    last_finite: tuple | None = None  # (update, cursor, weights, biases before that update) before the last step
    selected: tuple | None = None  # (layer, neuron) clicked in the graph
    csv: Dataset | None = None
    edited: bool = False  # the user typed weights in
    display: Display = field(default_factory=Display)  # how it is shown (notation, colouring, step size, …)
    clock: PlayClock = field(default_factory=PlayClock)  # play mode's pace while ``playing``
    practice: Practice = field(default_factory=Practice)  # practice mode's answers (used while display.practice)
    samples: tuple | None = None  # a worked example's edited (X, Y), in place of the preset's own

    # ------------------------------------------------------------ views
    @property
    def net(self) -> Network:
        return self.stepper.net

    @property
    def trace(self):
        return self.stepper.trace

    @property
    def epoch_float(self) -> float:
        return self.stepper.update / self.stepper.updates_per_epoch

    def net_at_update_start(self) -> Network:
        """The network with the parameters this update started from (``net`` itself until a Δw is
        applied; also ``net`` when those parameters are not finite, NaN where they are NaN)."""
        tr = self.trace
        if self.stepper.cursor < tr.layout.update_start:
            return self.net
        try:
            start = self.net.copy()  # (copy validates the parameters it copies)
            start.set_parameters(tr.weights_before, tr.biases_before)
        except ValueError:
            return self.net
        return start

    def losses(self) -> tuple[float, float | None]:
        """(train E, test E or None) at the current parameters."""
        d = self.dataset
        with np.errstate(all="ignore"):
            train = self.net.loss(d.X_train, d.Y_train) if _finite_params(self.net) else float("nan")
            test = None
            if d.n_test and _finite_params(self.net):
                test = self.net.loss(d.X_test, d.Y_test)
        return train, test

    def accuracy(self) -> tuple[float, float | None] | None:
        """(training, test or None) fraction of samples classified right at the current parameters, for
        classification data (one output: a > 0.5 means class 1; several: the largest output); None for
        regression. NaN when the outputs are not finite."""
        d = self.dataset
        if d.task != "classification":
            return None

        def right(X, Y) -> float:
            with np.errstate(all="ignore"):
                out = self.net.forward(X)
            if not np.all(np.isfinite(out)):
                return float("nan")
            if out.shape[1] == 1:
                return float(np.mean((out[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
            return float(np.mean(np.argmax(out, axis=1) == np.argmax(Y, axis=1)))

        return right(d.X_train, d.Y_train), (right(d.X_test, d.Y_test) if d.n_test else None)

    # ------------------------------------------------------------ records
    def record(self, x: float | None = None, train: float | None = None) -> None:
        """Append the losses and gradient norms at the current parameters to the curves (bounded).

        x: the epoch (default: where the stepper is); train: E on the training set if already known.
        """
        train_now, test = self.losses()
        train = train_now if train is None else train
        x = self.epoch_float if x is None else x
        if self.curve and self.curve[-1][0] == x:
            self.curve.pop()
            if self.grad_norms:
                self.grad_norms.pop()
        self.curve.append((x, train, test))
        if np.isfinite(train):
            with np.errstate(all="ignore"):  # huge but finite weights: a norm may be inf, drawn as a gap
                gw, _ = self.net.gradients(self.dataset.X_train, self.dataset.Y_train)
                self.grad_norms.append((x, [float(np.linalg.norm(g)) for g in gw]))
        for series in (self.curve, self.grad_norms):
            if len(series) > MAX_CURVE_POINTS:
                del series[1 : -MAX_CURVE_POINTS // 2 : 2]  # thin the old half, keep the first point

    def _snapshot(self) -> None:
        """Remember exactly where we are (update, cursor, the parameters before this update) while finite."""
        W, b = self.stepper.trace.parameters_at(-1)
        if _finite_params(self.net) and _all_finite(W + b):
            self.last_finite = (self.stepper.update, self.stepper.cursor, W, b)

    def check(self) -> bool:
        """Stop playing and explain if the parameters or the current update blew up."""
        problem = self._trouble(self.net, self.stepper.trace)
        if problem is not None:
            self.playing = False
            self.problem = problem
            return False
        return True

    def _trouble(self, net: Network, tr) -> str | None:
        """What ``check`` says of these parameters and this update's trace, or None when all is well."""
        if not _finite_params(net) or not np.isfinite(tr.loss):
            return (
                f"Training diverged at update {self.stepper.update + 1}: a weight or the loss became "
                f"infinite or NaN (learning rate η = {self.config.lr:g} is too large for this network). "
                "Undo to the last finite state, then lower the learning rate."
            )
        for l, act in enumerate(tr.activations, start=1):
            if act == "sigmoid" and np.max(np.abs(tr.Z[l]), initial=0.0) > SIGMOID_SATURATION:
                return (
                    f"Layer {l}'s sigmoid saturated (|z| > {SIGMOID_SATURATION:g}): σ(z) rounds to "
                    "exactly 0 or 1 and its gradient vanishes. If it came suddenly, η is too large: "
                    "undo to the last good state and lower η. After long training it means the "
                    "network has become certain of some samples: dismiss to go on."
                )
        return None

    # ------------------------------------------------------------ actions
    def step(self, granularity: str, forward: bool = True) -> None:
        if self.problem and forward:
            return
        before = self.stepper.update
        with np.errstate(all="ignore"):  # a diverging update computes inf/NaN: check() reports it, numpy need not
            if forward:
                self._snapshot()
                self.stepper.step(granularity)
            else:
                self.stepper.back(granularity)
            if self.stepper.update != before:
                self.record()
        if forward:
            self.check()

    def seek(self, k: int) -> None:
        self.stepper.seek(k)

    def first_bad_event(self) -> int | None:
        """The first event of the current update whose new parameter is not finite (where stepping
        must stop and ``check`` speaks), or None."""
        tr = self.stepper.trace
        lay, found = tr.layout, []
        for l in range(1, lay.L + 1):
            i, j = np.nonzero(~np.isfinite(tr.weights_after[l - 1]))
            found += lay.update_index(l, i, j).tolist()
            if lay.update_biases:
                (i,) = np.nonzero(~np.isfinite(tr.biases_after[l - 1]))
                found += lay.update_index(l, i, np.full(i.size, lay.sizes[l - 1])).tolist()
        return min(found) if found else None

    def advance_to(self, k: int) -> None:
        """The browser stepped forward to event k of this update: go there as ``step`` would, one
        event at a time — stopping at the first event whose parameter goes non-finite, with the
        state just before it kept for undo — and check what it reached."""
        stop = self.first_bad_event()
        with np.errstate(all="ignore"):
            if stop is not None and self.stepper.cursor < stop <= k:
                self.stepper.seek(stop - 1)
                k = stop
            self._snapshot()
            self.stepper.seek(k)
        self.check()

    def next_update_preview(self):
        """(network, trace) of the next update, as → past this update's end will make them, when the
        step there is clean: no problem now, every parameter finite, and ``check`` content with the
        next update. None otherwise (the server then answers that step itself)."""
        if self.problem is not None or self.first_bad_event() is not None:
            return None
        with np.errstate(all="ignore"):
            try:
                net, tr = self.stepper.peek_next()
            except ValueError:  # (the network refuses to copy non-finite parameters)
                return None
            if not _all_finite(tr.weights_after + tr.biases_after) or self._trouble(net, tr) is not None:
                return None
        return net, tr

    def enter_next_update(self) -> None:
        """Finish this update and stand at the next one's start (cursor −1), as ``step`` does when it
        crosses: the state before kept for undo, the curves recorded, the new update checked."""
        if self.problem:
            return
        with np.errstate(all="ignore"):
            self._snapshot()
            self.stepper.finish_update()
            self.record()
        self.check()

    def train_updates(self, n: int) -> int:
        """n whole updates with the fast loop, recording the curves after each epoch."""
        if self.problem:
            return 0
        self._snapshot()
        per_epoch = self.stepper.updates_per_epoch

        def on_epoch(epoch: int, E: float) -> None:
            self.record(x=epoch + 1.0, train=E)
            if np.isfinite(E) and _finite_params(self.net):  # undo returns to the last finite epoch's end
                W, b = [w.copy() for w in self.net.weights], [x.copy() for x in self.net.biases]
                self.last_finite = ((epoch + 1) * per_epoch, -1, W, b)

        with np.errstate(all="ignore"):  # the next trace of a diverged network is inf/NaN: check() says so
            done = self.stepper.train(n, on_epoch=on_epoch)
            if self.stepper.update % self.stepper.updates_per_epoch:
                self.record()
        self.check()
        return done

    def fit_scale(self) -> None:
        """Rescale the edge colours to the current values (after training; stepping keeps it fixed)."""
        if _finite_params(self.net):
            self.scale = fit_scale(edge_values(self.net, self.trace, self.stepper.cursor, self.display.color_by)[0])

    def train_epochs(self, n: int) -> int:
        """Train until n more epochs have completed (from wherever the cursor is)."""
        per = self.stepper.updates_per_epoch
        target = (self.stepper.update // per + n) * per
        return self.train_updates(target - self.stepper.update)

    def undo_problem(self) -> None:
        """Back to exactly where the last step or training run started (finite), and clear the problem."""
        if self.last_finite is not None:
            update, cursor, W, b = self.last_finite
            with np.errstate(all="ignore"):
                self.stepper.restart_at(update, W, b)  # the parameters before that update …
                self.stepper.seek(cursor)  # … with that update's events up to the cursor applied
            self.curve = [p for p in self.curve if p[0] <= update / self.stepper.updates_per_epoch]
            self.grad_norms = [p for p in self.grad_norms if p[0] <= update / self.stepper.updates_per_epoch]
            self.fit_scale()  # (a diverged run left the scale at its huge values)
        self.problem = None
        self.playing = False

    def reset(self) -> None:
        """Back to update 0 with the starting parameters."""
        self.stepper.restart_at(0, *self.start)
        self.curve, self.grad_norms, self.problem, self.playing = [], [], None, False
        self.record()

    def set_parameters(self, weights, biases, *, edited: bool = True) -> None:
        """Replace the parameters (validated by the engine); the current update restarts from them.

        Raises ValueError (nothing changed) for wrong shapes, NaN/inf or |value| > MAX_ABS_WEIGHT; undo
        returns to the state before the edit if the new parameters diverge or saturate.
        """
        self._snapshot()  # (the state an undo returns to)
        old = self.net.parameters()
        self.net.set_parameters(weights, biases)
        big = max(float(np.max(np.abs(a), initial=0.0)) for a in self.net.weights + self.net.biases)
        if big > MAX_ABS_WEIGHT:
            self.net.set_parameters(*old)
            raise LabError(f"a value of magnitude {big:.3g} is beyond the limit ±{MAX_ABS_WEIGHT:g}")
        with np.errstate(all="ignore"):
            self.stepper.reload()
            self.edited = self.edited or edited
            if self.stepper.update == 0:
                self.start = self.net.parameters()
            self.problem = None
            self.record()
        self.check()

    def set_lr(self, lr: float) -> None:
        """A new learning rate η; the current update restarts from its start with it. Raises
        LabError (nothing changed) for an η the configuration refuses. A diverged network stays
        diverged whatever the new η, and check() keeps saying so."""
        new = self.config.with_(lr=lr)
        problems = validate(new)  # the engine alone would take η = 0
        if problems:
            raise LabError(problems[0])
        try:
            with np.errstate(all="ignore"):
                self.stepper.set_lr(new.lr)
        except ValueError as e:
            raise LabError(str(e)) from None
        self.config, self.edited, self.problem = new, True, None
        self.check()

    def toggle_play(self) -> None:
        """▶ or ⏸: play starts (with a fresh clock) or stops; never while a problem is shown."""
        self.playing = not self.playing and self.problem is None
        self.clock.restart()

    def dismiss_problem(self) -> None:
        self.problem = None

    def select(self, node: tuple[int, int] | None) -> None:
        """The neuron (layer, i) clicked in the graph, or None."""
        self.selected = node

    def restart_at(self, update: int, weights, biases) -> None:
        """Start over at update ``update`` (that many completed) from these parameters, as a link
        restores a lab: the curves begin again there; at update 0 they become the starting point.
        Raises ValueError (from the engine) for parameters that do not fit the network."""
        with np.errstate(all="ignore"):
            self.stepper.restart_at(update, weights, biases)
            self.edited = update == 0
            if update == 0:
                self.start = self.net.parameters()
            self.curve, self.grad_norms = [], []
            self.record()

    def export_json(self) -> str:
        """The network as JSON (Network.to_dict plus the lab's configuration)."""
        d = self.net.to_dict()
        d["lab"] = {"update": self.stepper.update, "lr": self.config.lr}
        return json.dumps(d, indent=1)


def _all_finite(arrays) -> bool:
    return all(np.all(np.isfinite(a)) for a in arrays)


def _finite_params(net: Network) -> bool:
    return _all_finite(net.weights) and _all_finite(net.biases)


def trace_bytes(layer_sizes, batch: int) -> int:
    """About how many bytes one update's Trace holds: X, Y and Z, A, δ, g'(Z) of every layer,
    each (batch, n_l) float64 (the parameters are negligible beside them)."""
    return 8 * batch * (layer_sizes[0] + layer_sizes[-1] + 4 * sum(layer_sizes[1:]))


def build_lab(
    config: LabConfig,
    csv: Dataset | None = None,
    params: tuple | None = None,
    update: int = 0,
    display: Display | None = None,
    samples: tuple | None = None,
) -> Lab:
    """A fresh lab for a configuration; raises LabError (a ValueError) with a readable message.
    ``samples``: a worked example's edited ``(X (m, n_in), Y (m, n_out))`` (only with ``dataset="preset"``)."""
    problems = validate(config)
    if problems:
        raise LabError("; ".join(problems))
    try:
        samples = edited_samples(config, samples)
        dataset = make_dataset(config, csv, samples)
        net = make_network(config, dataset)
        if params is not None:
            net.set_parameters(*params)
        batch = None if config.batch_size == 0 else config.batch_size
        m = dataset.X_train.shape[0]
        size = trace_bytes(net.layer_sizes, m if batch is None else min(batch, m))
        if size > MAX_TRACE_BYTES:
            raise LabError(
                f"one update of this batch through this network would hold {size / 2**20:.0f} MB of "
                f"numbers (the limit is {MAX_TRACE_BYTES // 2**20} MB): choose a smaller batch size"
            )
        stepper = Stepper(
            net,
            dataset.X_train,
            dataset.Y_train,
            config.lr,
            batch_size=batch,
            update_biases=config.bias == "on",
            shuffle=config.shuffle,
            seed=config.data_seed,
            history=min(HISTORY_LIMIT, HISTORY_BYTES // size),
        )
    except LabError:
        raise
    except ValueError as e:
        raise LabError(str(e)) from None
    lab = Lab(config, dataset, stepper, net.parameters(), csv=csv, display=display or Display(), samples=samples)
    lab.fit_scale()
    lab.record()
    if update:
        lab.train_updates(update)
    return lab
