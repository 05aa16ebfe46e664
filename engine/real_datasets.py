"""Real data shipped with the app: Fisher's Iris and the UCI 8×8 handwritten digits.

The files live in the repository's ``data/`` folder (``data/README.md`` gives their source,
licence and checksums); nothing is fetched at run time. Each loader returns a :class:`Dataset`
with one-hot targets (one output per class, task "classification"):

- ``load_iris``:   X (150, 4) standardised with the training rows' mean and std, Y (150, 3);
  classes setosa, versicolor, virginica (50 each).
- ``load_digits``: X (1797, 64) pixel counts 0..16 divided by 16 (so 0..1, row-major 8×8
  image), Y (1797, 10); classes "0".."9".

The rows are always shuffled with ``seed`` (the files are sorted by class for Iris), then the
first ``round(m · (1 − test_fraction))`` become the training rows (see ``datasets.split``). There
is no sample-count or noise argument: the data are what they are. Pure numpy + standard library.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from .datasets import MAX_TEST_FRACTION, Dataset, _check_int, _check_real, one_hot, split, standardise

__all__ = ["DATA_DIR", "REAL", "load_iris", "load_digits", "make_real", "IRIS_FEATURES"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
DIGIT_FEATURES = tuple(f"r{r}c{c}" for r in range(8) for c in range(8))  # pixel at row r, column c


def _damaged(file: str, why: str) -> ValueError:
    return ValueError(
        f"The shipped data file data/{file} is missing or damaged ({why}); restore it from the repository."
    )


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@cache
def _iris_raw() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(X (150, 4) in cm, labels (150,) ints 0..2, class names) from scikit-learn's iris.csv layout:
    a first line ``150,4,setosa,versicolor,virginica`` then rows of 4 measurements and a class id."""
    file = "iris.csv"
    try:
        with open(DATA_DIR / file, newline="", encoding="utf-8") as f:
            rows = [r for r in csv.reader(f) if r]
        m, n = int(rows[0][0]), int(rows[0][1])
        names = tuple(s.strip() for s in rows[0][2:])
        data = np.array(rows[1:], dtype=np.float64)
    except (OSError, ValueError, IndexError) as exc:
        raise _damaged(file, str(exc)) from None
    if (m, n, len(names)) != (150, 4, 3) or data.shape != (m, n + 1):
        raise _damaged(file, f"expected 150 rows of 4 measurements and a class, got {data.shape}")
    labels = data[:, n].astype(np.int64)
    if not np.array_equal(labels, data[:, n]) or labels.min() < 0 or labels.max() >= len(names):
        raise _damaged(file, "a class id is not 0, 1 or 2")
    return _frozen(data[:, :n]), _frozen(labels), names


@cache
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """(X (1797, 64) pixel counts 0..16, labels (1797,) ints 0..9) from scikit-learn's digits.csv.gz:
    no header, 64 pixel values (row-major 8×8) then the digit on each line."""
    file = "digits.csv.gz"
    try:
        with gzip.open(DATA_DIR / file, "rt", encoding="ascii") as f:
            data = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, ValueError, EOFError) as exc:
        raise _damaged(file, str(exc)) from None
    if data.shape != (1797, 65):
        raise _damaged(file, f"expected 1797 rows of 65 numbers, got {data.shape}")
    pixels, labels = data[:, :64], data[:, 64].astype(np.int64)
    if not (np.array_equal(labels, data[:, 64]) and labels.min() == 0 and labels.max() == 9):
        raise _damaged(file, "a digit label is not a whole number 0..9")
    if pixels.min() < 0 or pixels.max() > 16 or not np.array_equal(pixels, np.round(pixels)):
        raise _damaged(file, "a pixel value is not a whole number 0..16")
    return _frozen(pixels), _frozen(labels)


def _shuffled_split(X, Y, test_fraction, seed):
    """Shuffle the rows with ``seed``, then split: (X_train, Y_train, X_test, Y_test)."""
    test_fraction = _check_real(test_fraction, "test_fraction", 0.0, MAX_TEST_FRACTION)
    seed = _check_int(seed, "seed", 0)
    order = np.random.default_rng(seed).permutation(X.shape[0])
    return split(X[order], Y[order], test_fraction, seed)


def load_iris(test_fraction=0.0, seed=0) -> Dataset:
    """Fisher's Iris: 150 flowers, 4 measurements → 3 species (50 each). X: (m, 4), Y: (m, 3) one-hot.

    Inputs are standardised with the training rows' mean and standard deviation.
    """
    X, labels, names = _iris_raw()
    X_tr, Y_tr, X_te, Y_te = _shuffled_split(X, one_hot(labels, len(names)), test_fraction, seed)
    X_tr, X_te = standardise(X_tr, X_te)
    return Dataset("Iris", X_tr, Y_tr, X_te, Y_te, "classification", IRIS_FEATURES, names)


def load_digits(test_fraction=0.0, seed=0) -> Dataset:
    """UCI 8×8 handwritten digits: 1797 images, 64 pixels → 10 digits. X: (m, 64) in [0, 1], Y: (m, 10).

    Pixel counts 0..16 are divided by 16 (the same for every split, so nothing is learnt from the test rows).
    """
    pixels, labels = _digits_raw()
    X_tr, Y_tr, X_te, Y_te = _shuffled_split(pixels / 16.0, one_hot(labels, 10), test_fraction, seed)
    digits = tuple(str(d) for d in range(10))
    return Dataset("Digits (8×8)", X_tr, Y_tr, X_te, Y_te, "classification", DIGIT_FEATURES, digits)


REAL: dict[str, Callable[..., Dataset]] = {"iris": load_iris, "digits": load_digits}


def make_real(name: str, test_fraction=0.0, seed=0) -> Dataset:
    """A shipped real dataset by name (see ``REAL``), e.g. ``make_real("iris", test_fraction=0.2)``."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in REAL:
        raise ValueError(f"Unknown real dataset {name!r}. Valid names: {', '.join(REAL)}.")
    return REAL[key](test_fraction=test_fraction, seed=seed)
