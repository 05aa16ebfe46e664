"""Datasets for Backprop Lab: the Dataset container and small synthetic generators.

A :class:`Dataset` holds read-only float64 matrices, one sample per row: ``X`` is
(m, n_inputs) and ``Y`` is (m, n_outputs).  Bad arguments raise ``ValueError`` with a
message a student can act on.  Pure numpy + standard library; CSV files are read by
:mod:`engine.csv_loader`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real

import numpy as np

MAX_SAMPLES = 10_000
MAX_NOISE = 5.0
MAX_MARGIN = 0.5  # XOR's margin from the axes
MAX_TEST_FRACTION = 0.9
TASKS = ("classification", "regression")


# ---------- The Dataset container ---------------------------------------


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test dataset with read-only float64 arrays.

    Shapes: ``X_train`` (m_train, n_in), ``Y_train`` (m_train, n_out),
    ``X_test`` (m_test, n_in), ``Y_test`` (m_test, n_out); ``m_test`` may be 0.
    ``task`` is "classification" (targets 0/1) or "regression".
    """

    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]

    def __post_init__(self) -> None:
        for field in ("X_train", "Y_train", "X_test", "Y_test"):
            a = _frozen(getattr(self, field))
            if a.ndim != 2:
                raise ValueError(f"{field} must be a 2-D array, got shape {a.shape}.")
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{field} contains NaN or infinite values.")
            object.__setattr__(self, field, a)
        object.__setattr__(self, "feature_names", tuple(map(str, self.feature_names)))
        object.__setattr__(self, "target_names", tuple(map(str, self.target_names)))
        (m, n_in), (m_y, n_out) = self.X_train.shape, self.Y_train.shape
        if not (
            m == m_y >= 1
            and n_in >= 1
            and n_out >= 1
            and self.X_test.shape[1] == n_in
            and self.Y_test.shape == (self.X_test.shape[0], n_out)
        ):
            raise ValueError(
                f"Inconsistent shapes: X_train {self.X_train.shape}, "
                f"Y_train {self.Y_train.shape}, "
                f"X_test {self.X_test.shape}, Y_test {self.Y_test.shape} (need >= 1 training "
                "row and 1 column, and X/Y with matching rows and train/test matching columns)."
            )
        if len(self.feature_names) != n_in or len(self.target_names) != n_out:
            raise ValueError("feature_names/target_names must match the number of columns.")
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}.")

    @property
    def n_inputs(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        return self.X_test.shape[0]

    @cached_property
    def X(self) -> np.ndarray:
        """All inputs, train rows then test rows: shape (m, n_inputs)."""
        return _frozen(np.concatenate([self.X_train, self.X_test]))

    @cached_property
    def Y(self) -> np.ndarray:
        """All targets, train rows then test rows: shape (m, n_outputs)."""
        return _frozen(np.concatenate([self.Y_train, self.Y_test]))


def describe(dataset: Dataset) -> str:
    """One-line summary.

    Example: 'XOR: 160 train / 40 test samples, 2 inputs → 1 output, classification'.
    """

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    return (
        f"{dataset.name}: {dataset.n_train} train / {dataset.n_test} test samples, "
        f"{plural(dataset.n_inputs, 'input')} → {plural(dataset.n_outputs, 'output')}, "
        f"{dataset.task}"
    )


# ---------- Argument validation and the train/test split ----------------


def _check_int(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}.")
    return value


def _check_real(value, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}.")
    return value


def split(
    X: np.ndarray, Y: np.ndarray, test_fraction: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (m, n_in) inputs and (m, n_out) targets into train and test parts.

    With ``test_fraction > 0`` the rows are shuffled with ``seed`` and the first
    ``round(m * (1 - test_fraction))`` (at least 1) become the training rows.
    With ``test_fraction == 0`` the order is kept and the test part has 0 rows.
    Returns ``(X_train, Y_train, X_test, Y_test)``.
    """
    test_fraction = _check_real(test_fraction, "test_fraction", 0.0, MAX_TEST_FRACTION)
    seed = _check_int(seed, "seed", 0)
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or X.shape[0] < 1:
        raise ValueError(f"X and Y must be 2-D with the same number of rows (≥ 1), got shapes {X.shape} and {Y.shape}.")
    m = X.shape[0]
    if test_fraction == 0.0:
        return X.copy(), Y.copy(), X[:0].copy(), Y[:0].copy()
    order = np.random.default_rng(seed).permutation(m)
    n_train = min(m, max(1, round(m * (1.0 - test_fraction))))
    train, test = order[:n_train], order[n_train:]
    return X[train], Y[train], X[test], Y[test]


# ---------- Class labels and input scaling -------------------------------


def one_hot(codes, n_classes: int) -> np.ndarray:
    """Shape (m, n_classes): row c has a 1 in column ``codes[c]`` and 0 elsewhere (codes: (m,) ints)."""
    codes = np.asarray(codes, dtype=np.int64).reshape(-1)
    Y = np.zeros((codes.size, n_classes), dtype=np.float64)
    Y[np.arange(codes.size), codes] = 1.0
    return Y


def standardise(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both (m, n_in) parts scaled with the TRAINING rows' statistics: x' = (x − mean) / std.

    The test rows never influence the scaling. A constant training column (std at most
    1e-12 · max(1, |mean|)) is only centred. Returns new arrays ``(X_train', X_test')``.
    """
    X_train, X_test = np.asarray(X_train, dtype=np.float64), np.asarray(X_test, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)  # (a round-off spread is constant)
    return (X_train - mean) / std, (X_test - mean) / std


# ---------- Synthetic generators (points live roughly in [-1, 1]^2) -----
# ``noise`` is the standard deviation of Gaussian jitter added to the inputs (to y for
# "sine"), in the same units as the coordinates, which span about [-1, 1].
# Classification generators other than XOR have balanced classes in random order.


def _start(n_samples, noise, test_fraction, seed) -> tuple[np.random.Generator, int, float]:
    """Validate the common generator arguments; return (rng, m, noise)."""
    m = _check_int(n_samples, "n_samples", 2, MAX_SAMPLES)
    noise = _check_real(noise, "noise", 0.0, MAX_NOISE)
    _check_real(test_fraction, "test_fraction", 0.0, MAX_TEST_FRACTION)
    return np.random.default_rng(_check_int(seed, "seed", 0)), m, noise


def _finish(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    test_fraction,
    seed,
    *,
    task: str = "classification",
    feature_names=("x1", "x2"),
) -> Dataset:
    """Turn (m, n_in) inputs and (m,) targets into a split Dataset."""
    X_tr, Y_tr, X_te, Y_te = split(X, np.reshape(y, (-1, 1)), test_fraction, seed)
    return Dataset(name, X_tr, Y_tr, X_te, Y_te, task, feature_names, ("y",))


def _balanced_labels(rng: np.random.Generator, m: int) -> np.ndarray:
    """Shape (m,): half 0s and half 1s, in random order."""
    return rng.permutation(np.arange(m) % 2).astype(np.float64)


def _jitter(rng: np.random.Generator, X: np.ndarray, noise: float) -> np.ndarray:
    return X + noise * rng.normal(size=X.shape)


def _polar(r: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def make_xor(n_samples=200, noise=0.1, test_fraction=0.0, seed=0, margin=0.0) -> Dataset:
    """XOR: points in the four quadrants of [-1, 1]^2, label 1 when sign(x1) != sign(x2).

    Each clean coordinate is uniform on ±[margin, 1] (``0 ≤ margin < 1``): a margin keeps the
    classes apart, as TensorFlow Playground's XOR keeps its points off the axes. Labels come from
    the clean points; the noise then jitters them. X: (m, 2), Y: (m, 1).
    """
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    margin = _check_real(margin, "margin", 0.0, MAX_MARGIN)
    U = rng.uniform(-1.0, 1.0, size=(m, 2))
    X = U if margin == 0.0 else np.where(U < 0, -1.0, 1.0) * (margin + (1.0 - margin) * np.abs(U))
    y = (X[:, 0] > 0) != (X[:, 1] > 0)
    return _finish("XOR", _jitter(rng, X, noise), y, test_fraction, seed)


def make_circles(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """Inner disc (radius ≤ 0.5) → 1 vs outer ring (radius 0.7–1) → 0. X: (m, 2), Y: (m, 1)."""
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    y = _balanced_labels(rng, m)
    angle = rng.uniform(0.0, 2 * np.pi, m)
    u = rng.uniform(0.0, 1.0, m)  # the square roots make the density uniform over area
    r = np.where(y == 1, 0.5 * np.sqrt(u), np.sqrt(0.7**2 + u * (1.0 - 0.7**2)))
    return _finish("Circles", _jitter(rng, _polar(r, angle), noise), y, test_fraction, seed)


def make_gaussians(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """Blobs (std 0.25, widened by noise) at (-.5, -.5) → 0, (.5, .5) → 1. X: (m, 2), Y: (m, 1)."""
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    y = _balanced_labels(rng, m)
    centres = np.repeat(np.where(y == 1, 0.5, -0.5)[:, None], 2, axis=1)
    return _finish("Gaussians", _jitter(rng, centres, np.hypot(0.25, noise)), y, test_fraction, seed)


def make_spiral(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """Two interleaved spirals (1.5 turns each), labels 0 and 1. X: (m, 2), Y: (m, 1)."""
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    y = _balanced_labels(rng, m)
    t = rng.uniform(0.0, 1.0, m)
    X = _polar(0.1 + 0.9 * t, 3 * np.pi * t + np.pi * y)
    return _finish("Spiral", _jitter(rng, X, noise), y, test_fraction, seed)


def make_moons(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """Two interleaving half circles (upper: label 0, lower: label 1).

    Before the noise x1 spans [-1, 1] and x2 spans [-0.5, 0.5]. X: (m, 2), Y: (m, 1).
    """
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    y = _balanced_labels(rng, m)
    theta = rng.uniform(0.0, np.pi, m)
    upper = np.column_stack([np.cos(theta), np.sin(theta)])
    lower = np.column_stack([1.0 - np.cos(theta), 0.5 - np.sin(theta)])
    X = (np.where(y[:, None] == 1, lower, upper) - [0.5, 0.25]) / 1.5
    return _finish("Moons", _jitter(rng, X, noise), y, test_fraction, seed)


def make_sine(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """Regression: x uniform in [-1, 1], y = sin(pi * x) + Gaussian noise. X: (m, 1), Y: (m, 1)."""
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    x = rng.uniform(-1.0, 1.0, size=(m, 1))
    y = _jitter(rng, np.sin(np.pi * x[:, 0]), noise)
    return _finish("Sine", x, y, test_fraction, seed, task="regression", feature_names=("x",))


def xor_truth_table() -> Dataset:
    """The classic 4-row XOR table: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0. X: (4, 2), Y: (4, 1)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    Y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return Dataset("XOR truth table", X, Y, X[:0], Y[:0], "classification", ("x1", "x2"), ("y",))


BUILTIN: dict[str, Callable[..., Dataset]] = {
    "xor": make_xor,
    "circles": make_circles,
    "gaussians": make_gaussians,
    "spiral": make_spiral,
    "moons": make_moons,
    "sine": make_sine,
}


def make(name: str, **kwargs) -> Dataset:
    """Build a built-in dataset by name (see ``BUILTIN``), e.g. ``make("xor", seed=1)``."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in BUILTIN:
        raise ValueError(f"Unknown dataset {name!r}. Valid names: {', '.join(BUILTIN)}.")
    return BUILTIN[key](**kwargs)
