"""A safe CSV loader: numeric files from a path, bytes or an upload, as a :class:`Dataset`.

Every malformed file or bad argument raises ``ValueError`` with a message a student can act
on (row and column numbers are the file's). Pure standard library + numpy.
"""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np

from .datasets import MAX_SAMPLES, MAX_TEST_FRACTION, TASKS, Dataset, _check_int, _check_real, split

__all__ = ["load_csv", "MAX_CSV_BYTES", "MAX_ROWS", "MAX_COLUMNS", "MAX_ABS_VALUE"]

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = MAX_SAMPLES
MAX_COLUMNS = 64
MAX_ABS_VALUE = 1e6


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
    *,
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
