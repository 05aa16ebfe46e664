"""Datasets for Backprop Lab: small synthetic generators and a safe CSV loader.

A :class:`Dataset` holds read-only float64 matrices, one sample per row: ``X`` is
(m, n_inputs) and ``Y`` is (m, n_outputs).  Bad arguments and malformed files raise
``ValueError`` with a message a student can act on.  Pure numpy + standard library.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral, Real

import numpy as np

MAX_SAMPLES = 10_000
MAX_NOISE = 5.0
MAX_TEST_FRACTION = 0.9
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = MAX_SAMPLES
MAX_COLUMNS = 64
MAX_ABS_VALUE = 1e6
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


def make_xor(n_samples=200, noise=0.1, test_fraction=0.0, seed=0) -> Dataset:
    """XOR: uniform points in [-1, 1]^2, label 1 when sign(x1) != sign(x2).

    Labels come from the clean points; the noise then jitters them. X: (m, 2), Y: (m, 1).
    """
    rng, m, noise = _start(n_samples, noise, test_fraction, seed)
    X = rng.uniform(-1.0, 1.0, size=(m, 2))
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


# ---------- CSV loading -------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PADDED = r"\s*" + _NUMBER.pattern + r"\s*"
_NUMBER_ROW = re.compile(f"{_PADDED}(?:\0{_PADDED})*")  # cells joined by NUL (never in text)
_NON_FINITE = {"nan", "inf", "infinity"}
_TOO_LARGE = (
    f"The file is too large: the limit is {MAX_CSV_BYTES // (1024 * 1024)} MB. Use a smaller sample of your data."
)
_TOO_MANY_ROWS = f"The file has more than {MAX_ROWS} data rows; use a smaller sample."


def _short(cell: str) -> str:
    return repr(cell if len(cell) <= 30 else cell[:27] + "...")


def _read_bytes(source) -> tuple[bytes, str]:
    """Return (at most MAX_CSV_BYTES + 1 bytes of the source, a default name)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[: MAX_CSV_BYTES + 1]), "CSV data"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        name = os.path.splitext(os.path.basename(path))[0] or "CSV data"
        try:
            if os.path.getsize(path) > MAX_CSV_BYTES:
                raise ValueError(_TOO_LARGE)
            with open(path, "rb") as f:
                data = f.read(MAX_CSV_BYTES + 1)
        except OSError as exc:
            raise ValueError(f"Could not read the file {path!r}: {exc.strerror or exc}.") from exc
        return data, name
    if hasattr(source, "read"):
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)  # e.g. a Streamlit upload that was read before
        data = source.read(MAX_CSV_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("The file object's read() must return bytes.")
        raw_name = str(getattr(source, "name", "") or "")
        name = os.path.splitext(os.path.basename(raw_name))[0] or "CSV data"
        return bytes(data), name
    raise TypeError(f"source must be a path, bytes or a file object, got {type(source).__name__}.")


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(_TOO_LARGE)
    if b"\0" in data:
        raise ValueError("The file is not a UTF-8 text CSV file (it contains binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file is not a UTF-8 text CSV file (invalid byte at position {exc.start}). Save it as 'CSV UTF-8'."
        ) from None
    if not text.strip():
        raise ValueError("The file is empty: expected rows of comma-separated numbers.")
    return text


def _delimiter(text: str) -> str:
    """Tab if the first line has one, else semicolon, else comma."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return next((d for d in ("\t", ";") if d in first), ",")


def _parse_row(cells: list[str], row: int, delimiter: str) -> list[float]:
    """Parse one row of cells; fast path first, then cell by cell for a precise error."""
    if _NUMBER_ROW.fullmatch("\0".join(cells)):
        values = [float(c) for c in cells]
        if max(map(abs, values)) <= MAX_ABS_VALUE:
            return values
    return [_parse_cell(c, row, j + 1, delimiter) for j, c in enumerate(cells)]


def _parse_cell(cell: str, row: int, col: int, delimiter: str) -> float:
    s, where = cell.strip(), f"row {row}, column {col}"
    if not s:
        raise ValueError(f"{where} is empty: every cell must contain a number.")
    if not _NUMBER.fullmatch(s):
        if s.lower().lstrip("+-") in _NON_FINITE:
            raise ValueError(
                f"{where}: {_short(s)} is not a finite number; missing or infinite values are not allowed."
            )
        hint = " Use '.' as the decimal separator." if delimiter == ";" and "," in s else ""
        raise ValueError(f"{where}: {_short(s)} is not a number.{hint}")
    value = float(s)
    if not abs(value) <= MAX_ABS_VALUE:
        raise ValueError(
            f"{where}: {_short(s)} is too large (the limit is ±{MAX_ABS_VALUE:g}). "
            "Rescale the column, e.g. divide it by its maximum."
        )
    return value


def _looks_like_text(cell: str) -> bool:
    """True for a non-empty cell that is not a number (nor nan/inf): a header name."""
    s = cell.strip()
    return bool(s) and not _NUMBER.fullmatch(s) and s.lower().lstrip("+-") not in _NON_FINITE


def _read_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows as (line number, cells); stops once there are too many."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
                if len(rows) > MAX_ROWS + 1:
                    raise ValueError(_TOO_MANY_ROWS)
    except csv.Error as exc:
        raise ValueError(f"Could not read row {reader.line_num} as CSV: {exc}.") from None
    if not rows:
        raise ValueError("The file is empty: expected rows of comma-separated numbers.")
    return rows


def load_csv(
    source,
    target_columns: int = 1,
    has_header="auto",
    test_fraction: float = 0.0,
    seed: int = 0,
    task: str = "auto",
    name: str | None = None,
) -> Dataset:
    """Load numeric data from a CSV file; the last ``target_columns`` columns are targets.

    ``source``: a path (str / pathlib.Path), ``bytes``, or a binary file object
    with ``.read()`` (e.g. Streamlit's UploadedFile).  Delimiter: comma,
    semicolon or tab.  ``has_header``: True, False or "auto" (header when the
    first row contains something that is not a number).  Without a header,
    columns are named x1..xn and y1..yk.  ``task`` "auto" means
    classification when every target is 0 or 1, else regression.
    Row numbers in error messages are line numbers in the file (header = row 1).

    Returns a Dataset with X: (m, n_columns - target_columns), Y: (m, target_columns).
    Raises ValueError for any malformed input or bad argument.
    """
    target_columns = _check_int(target_columns, "target_columns", 1, MAX_COLUMNS - 1)
    if has_header not in (True, False, "auto"):
        raise ValueError(f"has_header must be True, False or 'auto', got {has_header!r}.")
    if task not in ("auto",) + TASKS:
        raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}.")
    test_fraction = _check_real(test_fraction, "test_fraction", 0.0, MAX_TEST_FRACTION)
    seed = _check_int(seed, "seed", 0)

    data, default_name = _read_bytes(source)
    text = _decode(data)
    delimiter = _delimiter(text)
    rows = _read_rows(text, delimiter)

    first_line, first = rows[0]
    n_cols = len(first)
    if n_cols > MAX_COLUMNS:
        raise ValueError(f"Too many columns: row {first_line} has {n_cols}, the limit is {MAX_COLUMNS}.")
    if n_cols < target_columns + 1:
        raise ValueError(
            f"Too few columns: row {first_line} has {n_cols}, but at least "
            f"{target_columns + 1} are needed ({target_columns} target column(s) "
            "plus at least 1 input). Is the delimiter a comma, semicolon or tab?"
        )
    if has_header == "auto":
        has_header = any(_looks_like_text(c) for c in first)
    n_in = n_cols - target_columns
    if has_header:
        names = [c.strip() for c in first]
        rows = rows[1:]
        if not rows:
            raise ValueError("The file contains only a header row and no data.")
    else:
        names = [""] * n_cols
    names = [s or (f"x{j + 1}" if j < n_in else f"y{j - n_in + 1}") for j, s in enumerate(names)]
    if len(rows) > MAX_ROWS:
        raise ValueError(_TOO_MANY_ROWS)
    if len(rows) < 2:
        raise ValueError(f"The file has only {len(rows)} data row(s); at least 2 are needed.")

    values = np.empty((len(rows), n_cols), dtype=np.float64)
    for i, (line, cells) in enumerate(rows):
        if len(cells) != n_cols:
            kind = "the header" if has_header else "the first row"
            raise ValueError(
                f"Ragged rows: row {line} has {len(cells)} columns, but {kind} "
                f"has {n_cols}. Every row needs the same number of values."
            )
        values[i] = _parse_row(cells, line, delimiter)

    X, Y = values[:, :n_in], values[:, n_in:]
    is_binary = bool(np.all((Y == 0) | (Y == 1)))
    if task == "auto":
        task = "classification" if is_binary else "regression"
    elif task == "classification" and not is_binary:
        raise ValueError(
            "task='classification' needs every target to be 0 or 1; use task='regression' for other values."
        )
    X_tr, Y_tr, X_te, Y_te = split(X, Y, test_fraction, seed)
    return Dataset(name or default_name, X_tr, Y_tr, X_te, Y_te, task, tuple(names[:n_in]), tuple(names[n_in:]))
