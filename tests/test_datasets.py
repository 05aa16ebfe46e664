"""Tests for engine/datasets.py and engine/csv_loader.py: generators, split, CSV loading and its error messages.

Over 400 lines: one test per malformed-file message a student can meet."""

import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import datasets as ds
from engine.csv_loader import MAX_ABS_VALUE, MAX_CLASSES, MAX_COLUMNS, MAX_CSV_BYTES, MAX_ROWS, load_csv
from engine.datasets import (
    BUILTIN,
    MAX_SAMPLES,
    Dataset,
    describe,
    make,
    split,
    xor_truth_table,
)

GENERATORS = sorted(BUILTIN.items())
CLASSIFIERS = [(k, f) for k, f in GENERATORS if k != "sine"]


def all_arrays(d: Dataset):
    return [d.X_train, d.Y_train, d.X_test, d.Y_test]


# ---------------------------------------------------------------- generators


@pytest.mark.parametrize("key,gen", GENERATORS)
def test_generator_shapes_and_dtype(key, gen):
    d = gen(n_samples=50)
    n_in = 1 if key == "sine" else 2
    assert d.X_train.shape == (50, n_in) and d.Y_train.shape == (50, 1)
    assert d.X_test.shape == (0, n_in) and d.Y_test.shape == (0, 1)
    assert d.n_inputs == n_in and d.n_outputs == 1
    assert len(d.feature_names) == n_in and len(d.target_names) == 1
    for a in all_arrays(d):
        assert a.dtype == np.float64 and np.all(np.isfinite(a))
    assert d.task == ("regression" if key == "sine" else "classification")


@pytest.mark.parametrize("key,gen", GENERATORS)
def test_generator_deterministic_from_seed(key, gen):
    a, b, c = gen(seed=3, test_fraction=0.25), gen(seed=3, test_fraction=0.25), gen(seed=4)
    for x, y in zip(all_arrays(a), all_arrays(b)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("key,gen", CLASSIFIERS)
def test_labels_are_binary_and_both_present(key, gen):
    d = gen(n_samples=101)
    assert set(np.unique(d.Y)) == {0.0, 1.0}
    if key != "xor":  # balanced by construction
        assert abs(d.Y.sum() - 50.5) <= 0.5


def test_xor_noise_free_labels_match_signs():
    d = ds.make_xor(n_samples=500, noise=0.0)
    expected = np.sign(d.X[:, 0]) != np.sign(d.X[:, 1])
    np.testing.assert_array_equal(d.Y[:, 0], expected.astype(float))
    assert np.all(np.abs(d.X) <= 1.0)


def test_xor_margin_keeps_the_clean_points_off_the_axes():
    d = ds.make_xor(n_samples=500, noise=0.0, margin=0.1)
    assert np.all(np.abs(d.X) >= 0.1) and np.all(np.abs(d.X) <= 1.0)
    np.testing.assert_array_equal(d.Y[:, 0], (np.sign(d.X[:, 0]) != np.sign(d.X[:, 1])).astype(float))
    # no margin is the plain generator, draw for draw (links written before the margin open the same data)
    np.testing.assert_array_equal(ds.make_xor(seed=3, margin=0.0).X, ds.make_xor(seed=3).X)
    with pytest.raises(ValueError):
        ds.make_xor(margin=0.6)


def test_circles_noise_free_is_separated_by_radius():
    d = ds.make_circles(n_samples=300, noise=0.0)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert np.all(r[d.Y[:, 0] == 1] <= 0.5 + 1e-12)
    assert np.all((r[d.Y[:, 0] == 0] >= 0.7 - 1e-12) & (r[d.Y[:, 0] == 0] <= 1 + 1e-12))


def test_sine_noise_free_is_exact():
    d = ds.make_sine(n_samples=64, noise=0.0)
    assert np.all(np.abs(d.X) <= 1.0)
    np.testing.assert_allclose(d.Y[:, 0], np.sin(np.pi * d.X[:, 0]))


@pytest.mark.parametrize("m,frac,n_train", [(200, 0.2, 160), (10, 0.5, 5), (2, 0.9, 1), (7, 0.0, 7), (3, 0.3, 2)])
def test_split_sizes(m, frac, n_train):
    d = ds.make_gaussians(n_samples=m, test_fraction=frac)
    assert d.n_train == n_train and d.n_test == m - n_train
    assert d.X.shape == (m, 2) and d.Y.shape == (m, 1)


def test_split_partitions_rows_and_keeps_pairs():
    X = np.arange(20.0).reshape(10, 2)
    Y = X[:, :1] * 10
    Xtr, Ytr, Xte, Yte = split(X, Y, 0.3, seed=1)
    assert len(Xtr) == 7 and len(Xte) == 3
    both = np.concatenate([Xtr, Xte])
    np.testing.assert_array_equal(np.sort(both[:, 0]), X[:, 0])
    np.testing.assert_array_equal(np.concatenate([Ytr, Yte]), both[:, :1] * 10)
    kept = split(X, Y, 0.0, seed=1)
    np.testing.assert_array_equal(kept[0], X)
    assert kept[2].shape == (0, 2)


def test_arrays_are_read_only():
    d = ds.make_moons(test_fraction=0.2)
    for a in all_arrays(d) + [d.X, d.Y]:
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0, 0] = 99.0
    with pytest.raises(AttributeError):  # FrozenInstanceError
        d.name = "changed"


def test_dataset_does_not_alias_caller_arrays():
    X = np.zeros((3, 2))
    d = Dataset("t", X, np.zeros((3, 1)), X[:0], np.zeros((0, 1)), "regression", ("a", "b"), ("y",))
    X[0, 0] = 5.0
    assert X.flags.writeable and d.X_train[0, 0] == 0.0


def test_xor_truth_table():
    d = xor_truth_table()
    np.testing.assert_array_equal(d.X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(d.Y_train[:, 0], [0, 1, 1, 0])
    assert d.n_test == 0 and d.task == "classification"


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"n_samples": 1}, "n_samples"),
        ({"n_samples": MAX_SAMPLES + 1}, "n_samples"),
        ({"n_samples": 10.5}, "whole number"),
        ({"n_samples": True}, "whole number"),
        ({"noise": -0.1}, "noise"),
        ({"noise": 5.1}, "noise"),
        ({"noise": float("nan")}, "noise"),
        ({"noise": "a lot"}, "noise"),
        ({"test_fraction": 0.95}, "test_fraction"),
        ({"test_fraction": -0.1}, "test_fraction"),
        ({"seed": -1}, "seed"),
    ],
)
@pytest.mark.parametrize("key", sorted(BUILTIN))
def test_generator_argument_validation(key, kwargs, match):
    with pytest.raises(ValueError, match=match):
        BUILTIN[key](**kwargs)


def test_limits_are_accepted():
    assert ds.make_spiral(n_samples=MAX_SAMPLES, noise=5.0, test_fraction=0.9).X.shape == (MAX_SAMPLES, 2)
    assert ds.make_xor(n_samples=2, noise=0).n_train == 2


def test_registry_and_make():
    assert set(BUILTIN) == {"xor", "circles", "gaussians", "spiral", "moons", "sine"}
    np.testing.assert_array_equal(make("XOR", seed=2).X, ds.make_xor(seed=2).X)
    for bad in ["nope", "", None, 3]:
        with pytest.raises(ValueError, match="xor, circles"):
            make(bad)


def test_describe():
    d = ds.make_xor(n_samples=200, test_fraction=0.2)
    assert describe(d) == ("XOR: 160 train / 40 test samples, 2 inputs → 1 output, classification")
    assert "1 input →" in describe(ds.make_sine())


# ---------------------------------------------------------------- load_csv: valid input

CSV = b"a,b,label\n0.5,1,0\n-2,3e-2,1\n4,5,1\n"


def check_simple(d):
    np.testing.assert_array_equal(d.X_train, [[0.5, 1], [-2, 0.03], [4, 5]])
    np.testing.assert_array_equal(d.Y_train, [[0], [1], [1]])
    assert d.feature_names == ("a", "b") and d.target_names == ("label",)
    assert d.task == "classification"


def test_load_csv_from_path_str_and_pathlib(tmp_path: Path):
    p = tmp_path / "my_data.csv"
    p.write_bytes(CSV)
    for src in (p, str(p)):
        d = load_csv(src)
        check_simple(d)
        assert d.name == "my_data"


def test_load_csv_from_bytes_and_file_objects():
    check_simple(load_csv(CSV))
    check_simple(load_csv(bytearray(CSV)))
    f = io.BytesIO(CSV)
    check_simple(load_csv(f))
    check_simple(load_csv(f))  # already read once: rewound, like a Streamlit upload
    assert load_csv(CSV, name="Mine").name == "Mine"
    upload = io.BytesIO(CSV)
    upload.name = "uploads/iris_small.csv"  # like Streamlit's UploadedFile
    assert load_csv(upload).name == "iris_small"


def test_header_detection():
    d = load_csv(b"1,2,3\n4,5,6\n")
    assert d.n_train == 2 and d.feature_names == ("x1", "x2") and d.target_names == ("y1",)
    assert d.task == "regression"
    d = load_csv(b"x,,target\n1,2,0\n3,4,1\n")
    assert d.feature_names == ("x", "x2") and d.n_train == 2
    d = load_csv(b"1,2,3\n4,5,6\n7,8,9\n", has_header=True)
    assert d.feature_names == ("1", "2") and d.n_train == 2
    with pytest.raises(ValueError, match="row 1, column 1"):
        load_csv(b"a,b\n1,2\n3,4\n", has_header=False)


@pytest.mark.parametrize("sep", [b";", b"\t", b","])
def test_delimiters(sep):
    data = (
        sep.join([b"u", b"v", b"w"])
        + b"\n"
        + sep.join([b"1.5", b"2", b"0"])
        + b"\n"
        + sep.join([b"3", b"4", b"1"])
        + b"\n"
    )
    d = load_csv(data)
    np.testing.assert_array_equal(d.X, [[1.5, 2], [3, 4]])
    assert d.feature_names == ("u", "v")


def test_bom_crlf_blank_lines_spaces_and_quotes():
    data = '\ufeffx1 , x2,y\r\n 1, 2 ,0\r\n\r\n"3",4,1\r\n\r\n\r\n  \r\n,,\r\n'.encode()
    d = load_csv(data)
    assert d.feature_names == ("x1", "x2")
    np.testing.assert_array_equal(d.X, [[1, 2], [3, 4]])


def test_multiple_target_columns_and_split():
    rows = "\n".join(f"{i},{i * 2},{i % 2},{1 - i % 2}" for i in range(10))
    d = load_csv(rows.encode(), target_columns=2, test_fraction=0.3, seed=5)
    assert d.n_inputs == 2 and d.n_outputs == 2 and d.n_train == 7 and d.n_test == 3
    assert d.target_names == ("y1", "y2") and d.task == "classification"
    np.testing.assert_array_equal(d.X[:, 1], 2 * d.X[:, 0])
    np.testing.assert_array_equal(d.Y[:, 0], d.X[:, 0] % 2)
    assert not np.array_equal(d.X[:, 0], np.arange(10))  # shuffled
    again = load_csv(rows.encode(), target_columns=2, test_fraction=0.3, seed=5)
    np.testing.assert_array_equal(again.X, d.X)


def test_task_selection():
    assert load_csv(b"1,0\n2,1\n", task="regression").task == "regression"
    assert load_csv(b"1,2\n2,1\n").task == "regression"
    with pytest.raises(ValueError, match="0 or 1"):
        load_csv(b"1,2\n2,1\n", task="classification")
    with pytest.raises(ValueError, match="task"):
        load_csv(CSV, task="clustering")


# ---------------------------------------------------------------- load_csv: malformed input


@pytest.mark.parametrize(
    "data,match",
    [
        (b"", "empty"),
        (b"\n\r\n  \n", "empty"),
        (b",,\n,,\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a UTF-8 text CSV file"),
        (b"a,b\n1,\x002\n", "not a UTF-8 text CSV file"),
        ("x,y\n1,2\n".encode("utf-16"), "not a UTF-8 text CSV file"),
        (b"a,b\n\xff\xfe,1\n", "not a UTF-8 text CSV file"),
        (b"a,b,c\n", "only a header"),
        (b"a,b\n1,2\n", "only 1 data row"),
        (b"1,2\n", "only 1 data row"),
        (b"a,b\n1,2\n1,abc\n", r"row 3, column 2: 'abc' is not a number"),
        (b"1,2\n3,4\n5,6x\n", r"row 3, column 2: '6x' is not a number"),
        (b"a,b\n1,1_000\n2,3\n", "row 2, column 2"),
        (b"a;b\n1,5;2\n3;4\n", "decimal separator"),
        (b"a,b\n1,nan\n2,3\n", "row 2, column 2.*not a finite number"),
        (b"a,b\n1,2\n-inf,3\n", "row 3, column 1.*not a finite number"),
        (b"a,b\n1,2\n,3\n", "row 3, column 1 is empty"),
        (b"a,b\n1,2\n3,   \n", "row 3, column 2 is empty"),
        (b"a,b,c\n1,2,3\n4,5\n", "row 3 has 2 columns.*header has 3"),
        (b"1,2,3\n4,5,6\n7,8,9,10\n", "row 3 has 4 columns.*first row has 3"),
        (b"1,2,3\n4,5,6\n7,8,9,\n", "row 3 has 4 columns"),
        (b"a\n1\n2\n", "Too few columns.*at least 2"),
        (b"a,b\n1,2e7\n3,4\n", r"row 2, column 2.*too large.*[Rr]escale"),
        (b"a,b\n1,-1000001\n3,4\n", "too large"),
        (b"a,b\n1,1e999\n3,4\n", "too large"),
        (b'a,b\n"1,2\n3,4\n', "row"),
    ],
)
def test_malformed_csv(data, match):
    with pytest.raises(ValueError, match=match):
        load_csv(data)


def test_too_few_columns_for_the_targets():
    with pytest.raises(ValueError, match="Too few columns.*at least 3"):
        load_csv(b"x,y\n1,2\n3,4\n", target_columns=2)


def test_too_many_columns():
    row = ",".join(["1"] * (MAX_COLUMNS + 1))
    with pytest.raises(ValueError, match=f"Too many columns.*{MAX_COLUMNS}"):
        load_csv(f"{row}\n{row}\n".encode())
    ok = ",".join(["1"] * MAX_COLUMNS)
    assert load_csv(f"{ok}\n{ok}\n".encode()).n_inputs == MAX_COLUMNS - 1


def test_too_many_rows():
    rows = [f"{i},0\n" for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValueError, match="more than 10000 data rows"):
        load_csv(("x,y\n" + "".join(rows)).encode())
    assert load_csv(("x,y\n" + "".join(rows[:-1])).encode()).n_train == MAX_ROWS


class CountingReader(io.BytesIO):
    def read(self, size=-1):
        self.requested = size
        return super().read(size)


def test_too_large_checked_before_parsing(tmp_path):
    big = b"1,2\n" * (MAX_CSV_BYTES // 4 + 1)
    assert len(big) > MAX_CSV_BYTES
    with pytest.raises(ValueError, match="too large.*5 MB"):
        load_csv(big)
    f = CountingReader(big)
    with pytest.raises(ValueError, match="too large"):
        load_csv(f)
    assert f.requested == MAX_CSV_BYTES + 1
    p = tmp_path / "big.csv"
    p.write_bytes(big)
    with pytest.raises(ValueError, match="too large"):
        load_csv(p)


def test_missing_file_and_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="Could not read"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="Could not read"):
        load_csv(tmp_path)
    with pytest.raises(ValueError, match="target_columns"):
        load_csv(CSV, target_columns=0)
    with pytest.raises(ValueError, match="has_header"):
        load_csv(CSV, has_header="yes")
    with pytest.raises(ValueError, match="test_fraction"):
        load_csv(CSV, test_fraction=1.0)
    with pytest.raises(TypeError):
        load_csv(12345)


# ---------------------------------------------------------------- property-based tests

csv_tokens = st.sampled_from(
    list('0123456789.,;\t\n\r -+eE"abnif') + ["\ufeff", "1e9", "0,1\n", "1,0\n", "2.5,", "nan", "\r\n", "\x00"]
)
csv_cells = st.sampled_from(["0", "1", "2.5", "-3e2", " 7 ", '"4"']) | st.sampled_from(["", "abc", "nan", "1e9", "1,5"])
csv_tables = st.builds(
    lambda rows, sep, eol: (eol.join(sep.join(r) for r in rows) + eol).encode("utf-8"),
    st.integers(2, 4).flatmap(
        lambda k: st.lists(
            st.lists(csv_cells, min_size=k, max_size=k) | st.lists(csv_cells, max_size=5), min_size=2, max_size=6
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
)
csv_like_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(csv_tokens, max_size=120).map(lambda t: "".join(t).encode("utf-8")),
    csv_tables,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=csv_like_bytes,
    target_columns=st.integers(1, 3),
    has_header=st.sampled_from([True, False, "auto"]),
    test_fraction=st.sampled_from([0.0, 0.5]),
)
def test_arbitrary_bytes_give_dataset_or_value_error(data, target_columns, has_header, test_fraction):
    try:
        d = load_csv(data, target_columns=target_columns, has_header=has_header, test_fraction=test_fraction)
    except ValueError as exc:
        assert str(exc)
        return
    assert isinstance(d, Dataset)
    if d.n_outputs != target_columns:  # a last column of class names: one-hot, one output per class
        assert target_columns == 1 and d.task == "classification" and 2 <= d.n_outputs <= MAX_CLASSES
        assert np.all(d.Y.sum(axis=1) == 1)
    assert d.n_inputs >= 1
    assert d.X.shape[0] == d.Y.shape[0] >= 2 and d.n_train >= 1
    for a in all_arrays(d):
        assert a.dtype == np.float64 and np.all(np.isfinite(a)) and not a.flags.writeable
        assert np.all(np.abs(a) <= MAX_ABS_VALUE)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 12).flatmap(
        lambda rows: st.integers(2, 6).flatmap(
            lambda cols: st.lists(st.lists(finite, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_float_matrix_round_trips_exactly(matrix, sep, header):
    M = np.array(matrix, dtype=np.float64)
    lines = [sep.join(repr(float(v)) for v in row) for row in matrix]
    if header:
        lines.insert(0, sep.join(f"c{j}" for j in range(M.shape[1])))
    d = load_csv(("\n".join(lines) + "\n").encode())
    np.testing.assert_array_equal(d.X, M[:, :-1])
    np.testing.assert_array_equal(d.Y, M[:, -1:])
    assert np.array_equal(np.signbit(d.X), np.signbit(M[:, :-1]))  # -0.0 survives too
    assert math.isclose(d.n_inputs, M.shape[1] - 1)
