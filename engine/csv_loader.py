"""A safe CSV loader: files from a path, bytes or an upload, as a :class:`Dataset`.

Inputs are numeric columns; the targets are the last column(s): numbers, or one column of class
labels (names such as "setosa", or whole numbers with ``labels=True``) that become one-hot
targets. Every malformed file or bad argument raises ``ValueError`` with a message a student can
act on (row and column numbers are the file's). Pure standard library + numpy.
"""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np

from .datasets import MAX_SAMPLES, MAX_TEST_FRACTION, TASKS, Dataset, _check_int, _check_real, one_hot, split
from .datasets import standardise as _standardise

__all__ = [
    "load_csv",
    "MAX_CSV_BYTES",
    "MAX_ROWS",
    "MAX_COLUMNS",
    "MAX_ABS_VALUE",
    "MAX_CLASSES",
    "TARGET_PREFIX",
    "CLASS_PREFIX",
]

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = MAX_SAMPLES
MAX_COLUMNS = 1024
MAX_ABS_VALUE = 1e6
MAX_CLASSES = 50  # different class labels in a label column (one output each)
MAX_LABEL_CHARS = 40
TARGET_PREFIX = "y:"  # a header name "y:price" marks a target column (the prefix is dropped from the name)
CLASS_PREFIX = "class:"  # a last header name "class:digit" marks a column of class labels, numbers too


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PADDED = r"\s*" + _NUMBER.pattern + r"\s*"
_NUMBER_ROW = re.compile(f"{_PADDED}(?:\0{_PADDED})*")  # cells joined by NUL (never in text)
_NON_FINITE = {"nan", "inf", "infinity"}
_MISSING_LABELS = {"", "?", "-", "na", "n/a", "nan", "null"}  # (lower case) a missing value, not a class
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


def _detect_header(rows: list[tuple[int, list[str]]]) -> bool:
    """The has_header="auto" rule: text in any cell of the first row but the last → a header. Text only in
    its last cell → a header naming a numeric target, unless every other row has text there too
    (then the first row is data with a class label)."""
    first = rows[0][1]
    if any(_looks_like_text(c) for c in first[:-1]):
        return True
    if not first or not _looks_like_text(first[-1]):
        return False
    return not all(cells and _looks_like_text(cells[-1]) for _, cells in rows[1:])


def _prefixed_targets(names: list[str]) -> int:
    """How many trailing header names start with TARGET_PREFIX (0: none); ValueError if one is not trailing."""
    marked = [j for j, s in enumerate(names) if s.lower().startswith(TARGET_PREFIX)]
    if marked and marked != list(range(marked[0], len(names))):
        j = next(j for j in range(marked[0], len(names)) if j not in marked)
        raise ValueError(
            f"Target columns (named '{TARGET_PREFIX}…') must be the last columns, but column {j + 1} "
            f"{_short(names[j])} comes after column {marked[0] + 1} {_short(names[marked[0]])}."
        )
    return len(marked)


def _is_missing_label(cell: str) -> bool:
    return cell.strip().lower() in _MISSING_LABELS


def _looks_like_labels(cells: list[str]) -> bool:
    """A column of class names: every cell is text (or a missing value), at least one a real name."""
    return all(_looks_like_text(c) or _is_missing_label(c) for c in cells) and any(
        _looks_like_text(c) and not _is_missing_label(c) for c in cells
    )


def _encode_labels(cells: list[tuple[int, str]], col: int, column: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class labels (line, cell) of column ``col`` → (codes (m,), class names).

    All whole numbers → classes in numerical order ("1" and "1.0" are one class); otherwise
    the stripped texts in sorted (code point) order. Codes index the class names.
    """
    texts = []
    for line, cell in cells:
        s, where = cell.strip(), f"row {line}, column {col}"
        if _is_missing_label(s):
            what = "is empty" if not s else f"is {_short(s)}, a missing value"
            raise ValueError(f"{where} {what}: every row needs a class label.")
        if len(s) > MAX_LABEL_CHARS:
            raise ValueError(f"{where}: the class label {_short(s)} is longer than {MAX_LABEL_CHARS} characters.")
        texts.append(s)
    if all(_NUMBER.fullmatch(s) for s in texts):
        for (line, _), s in zip(cells, texts):
            if not float(s).is_integer():
                raise ValueError(
                    f"row {line}, column {col}: {_short(s)} is not a whole number; class labels must be "
                    "whole numbers or names (for a numeric target use labels=False)."
                )
        keys: list = [int(float(s)) for s in texts]
    else:
        keys = texts
    classes = sorted(set(keys))
    if len(classes) < 2:
        raise ValueError(
            f"The class column {_short(column)} has only one class ({_short(str(classes[0]))}); "
            "a classifier needs at least 2."
        )
    if len(classes) > MAX_CLASSES:
        raise ValueError(
            f"The class column {_short(column)} has {len(classes)} different labels; the limit is {MAX_CLASSES} "
            "classes. Is it a measurement rather than a class? Then use labels=False."
        )
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[k] for k in keys], dtype=np.int64), tuple(map(str, classes))


def load_csv(
    source,
    *,
    target_columns="auto",
    has_header="auto",
    test_fraction: float = 0.0,
    seed: int = 0,
    task: str = "auto",
    name: str | None = None,
    labels="auto",
    standardise: bool = False,
) -> Dataset:
    """Load a CSV file: numeric input columns, then the target column(s).

    ``source``: a path (str / pathlib.Path), ``bytes``, or a binary file object
    with ``.read()`` (e.g. Streamlit's UploadedFile).  Delimiter: comma,
    semicolon or tab.  ``has_header``: True, False or "auto" (a header when the
    first row has text in a cell other than the last; text only in its last
    cell makes it a header unless every row has text there, i.e. class labels).
    Without a header, columns are named x1..xn and y1..yk.

    ``target_columns``: a whole number k (the last k columns), or "auto": the
    header names starting with ``TARGET_PREFIX`` ("y:"), which must be the last
    columns (the prefix is dropped from their names), else just the last column.

    ``labels``: whether the (single) target column holds class labels, one-hot
    encoded with one output per class (task "classification", target names = the
    classes). "auto": when every cell of it is text (e.g. "setosa") or its header
    name starts with ``CLASS_PREFIX`` ("class:digit", dropped from the name);
    True: also whole numbers (e.g. digits 0..9); False: never (numbers only). Classes are
    sorted (numerically for whole numbers, else by text), not taken in file
    order. Refused: an empty or missing label ("", "?", "-", "NA", "N/A", "nan",
    "null"), a single class, more than MAX_CLASSES classes.

    ``task`` "auto" means classification when every numeric target is 0 or 1,
    else regression. ``standardise``: scale every input column to mean 0 and
    standard deviation 1 using the TRAINING rows' statistics (the test rows are
    scaled with them too; a constant column is only centred).
    Row numbers in error messages are line numbers in the file (header = row 1).

    Returns a Dataset with X: (m, n_inputs), Y: (m, k) or (m, n_classes).
    Raises ValueError for any malformed input or bad argument.
    """
    if target_columns != "auto":
        target_columns = _check_int(target_columns, "target_columns", 1, MAX_COLUMNS - 1)
    if has_header not in (True, False, "auto"):
        raise ValueError(f"has_header must be True, False or 'auto', got {has_header!r}.")
    if not (labels == "auto" or isinstance(labels, bool)):
        raise ValueError(f"labels must be True, False or 'auto', got {labels!r}.")
    if not isinstance(standardise, bool):
        raise ValueError(f"standardise must be True or False, got {standardise!r}.")
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
    if has_header == "auto":
        has_header = _detect_header(rows)
    names = [c.strip() for c in first] if has_header else [""] * n_cols
    if target_columns == "auto":
        target_columns = _prefixed_targets(names) or 1
    if n_cols < target_columns + 1:
        raise ValueError(
            f"Too few columns: row {first_line} has {n_cols}, but at least "
            f"{target_columns + 1} are needed ({target_columns} target column(s) "
            "plus at least 1 input). Is the delimiter a comma, semicolon or tab?"
        )
    n_in = n_cols - target_columns
    names = [
        s[len(TARGET_PREFIX) :].strip() if j >= n_in and s.lower().startswith(TARGET_PREFIX) else s
        for j, s in enumerate(names)
    ]
    if labels == "auto" and names[-1].lower().startswith(CLASS_PREFIX):
        labels, names[-1] = True, names[-1][len(CLASS_PREFIX) :].strip()
    names = [s or (f"x{j + 1}" if j < n_in else f"y{j - n_in + 1}") for j, s in enumerate(names)]
    if has_header:
        rows = rows[1:]
        if not rows:
            raise ValueError("The file contains only a header row and no data.")
    if len(rows) > MAX_ROWS:
        raise ValueError(_TOO_MANY_ROWS)
    if len(rows) < 2:
        raise ValueError(f"The file has only {len(rows)} data row(s); at least 2 are needed.")
    for line, cells in rows:
        if len(cells) != n_cols:
            kind = "the header" if has_header else "the first row"
            raise ValueError(
                f"Ragged rows: row {line} has {len(cells)} columns, but {kind} "
                f"has {n_cols}. Every row needs the same number of values."
            )

    if labels is True and target_columns != 1:
        raise ValueError(
            f"A class label column (labels=True or a '{CLASS_PREFIX}' header) must be the only target column, "
            f"but there are {target_columns}."
        )
    classes = labels is True or (
        labels == "auto" and target_columns == 1 and _looks_like_labels([cells[-1] for _, cells in rows])
    )
    if classes and task == "regression":
        raise ValueError(
            f"The last column {_short(names[-1])} holds class labels: use task='classification' (or 'auto'), "
            "or labels=False for a numeric target."
        )
    n_num = n_in if classes else n_cols  # the columns parsed as numbers
    values = np.empty((len(rows), n_num), dtype=np.float64)
    for i, (line, cells) in enumerate(rows):
        values[i] = _parse_row(cells[:n_num], line, delimiter)
    X = values[:, :n_in]
    if classes:
        codes, class_names = _encode_labels([(line, cells[-1]) for line, cells in rows], n_cols, names[-1])
        Y, target_names, task = one_hot(codes, len(class_names)), class_names, "classification"
    else:
        Y, target_names = values[:, n_in:], tuple(names[n_in:])
        is_binary = bool(np.all((Y == 0) | (Y == 1)))
        if task == "auto":
            task = "classification" if is_binary else "regression"
        elif task == "classification" and not is_binary:
            raise ValueError(
                "task='classification' needs every target to be 0 or 1 (or a column of class labels, "
                "see labels=True); use task='regression' for other values."
            )
    X_tr, Y_tr, X_te, Y_te = split(X, Y, test_fraction, seed)
    if standardise:
        X_tr, X_te = _standardise(X_tr, X_te)
    return Dataset(name or default_name, X_tr, Y_tr, X_te, Y_te, task, tuple(names[:n_in]), target_names)
