"""The shipped real datasets (Iris, 8×8 digits), their place in a lab, and the CSV loader's class labels,
several targets and standardisation."""

import hashlib
import time

import numpy as np
import pytest

from components.model.config import DATASETS, LabConfig, validate
from components.model.lab import build_lab
from components.model.presets import PRESETS
from engine import real_datasets as rd
from engine.csv_loader import MAX_CLASSES, MAX_COLUMNS, MAX_ROWS, load_csv
from engine.datasets import one_hot, standardise
from engine.real_datasets import REAL, load_digits, load_iris, make_real

DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
SHA256 = {
    "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
}


def rows(a: np.ndarray) -> list[tuple]:
    return sorted(map(tuple, np.asarray(a).tolist()))


# ---------------------------------------------------------------- the files


@pytest.mark.parametrize("file", sorted(SHA256))
def test_data_files_are_the_documented_copies(file):
    data = (rd.DATA_DIR / file).read_bytes()
    assert len(data) < 200 * 1024
    assert hashlib.sha256(data).hexdigest() == SHA256[file]
    assert SHA256[file] in (rd.DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_a_missing_or_damaged_file_is_refused_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setattr(rd, "DATA_DIR", tmp_path)
    rd._iris_raw.cache_clear()
    rd._digits_raw.cache_clear()
    try:
        with pytest.raises(ValueError, match="data/iris.csv is missing or damaged"):
            load_iris()
        (tmp_path / "digits.csv.gz").write_bytes(b"not gzip")
        with pytest.raises(ValueError, match="data/digits.csv.gz is missing or damaged"):
            load_digits()
        (tmp_path / "iris.csv").write_text("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n")
        with pytest.raises(ValueError, match="expected 150 rows"):
            load_iris()
    finally:
        rd._iris_raw.cache_clear()
        rd._digits_raw.cache_clear()


# ---------------------------------------------------------------- Iris


def test_iris_shapes_classes_and_names():
    d = load_iris()
    assert (d.n_train, d.n_test, d.n_inputs, d.n_outputs) == (150, 0, 4, 3)
    assert d.task == "classification" and d.name == "Iris"
    assert d.target_names == ("setosa", "versicolor", "virginica")
    assert d.feature_names == rd.IRIS_FEATURES
    np.testing.assert_array_equal(d.Y.sum(axis=0), [50, 50, 50])


def test_iris_raw_values_are_fishers():
    X, labels, _ = rd._iris_raw()
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])  # (UCI's copy: petal width 0.1)
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])  # (UCI's copy: 4.9, 3.1, 1.5, 0.1)
    np.testing.assert_allclose(X.mean(axis=0), [5.8433, 3.0573, 3.758, 1.1993], atol=1e-4)
    np.testing.assert_array_equal(np.bincount(labels), [50, 50, 50])
    np.testing.assert_array_equal(labels, np.repeat([0, 1, 2], 50))


def test_iris_is_standardised_with_the_training_rows():
    d = load_iris(test_fraction=0.2, seed=3)
    assert (d.n_train, d.n_test) == (120, 30)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1, atol=1e-12)
    X, labels, _ = rd._iris_raw()
    perm = np.random.default_rng(3).permutation(150)  # shuffled with the seed, then split (the same permutation)
    X, labels = X[perm], labels[perm]
    train, test = perm[:120], perm[120:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    np.testing.assert_allclose(d.X_test, (X[test] - mean) / std, atol=1e-12)  # the training mean and std
    np.testing.assert_array_equal(d.Y_test, one_hot(labels[test], 3))


# ---------------------------------------------------------------- digits


def test_digits_shapes_classes_and_scaling():
    d = load_digits()
    assert (d.n_train, d.n_test, d.n_inputs, d.n_outputs) == (1797, 0, 64, 10)
    assert d.task == "classification" and d.target_names == tuple("0123456789")
    assert d.feature_names[:2] == ("r0c0", "r0c1") and d.feature_names[-1] == "r7c7"
    np.testing.assert_array_equal(d.Y.sum(axis=0), DIGIT_COUNTS)
    assert d.X.min() == 0 and d.X.max() == 1
    np.testing.assert_array_equal(d.X * 16, np.round(d.X * 16))  # pixel counts 0..16, divided by 16
    pixels, labels = rd._digits_raw()
    np.testing.assert_array_equal(np.bincount(labels), DIGIT_COUNTS)
    assert pixels[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0] and labels[0] == 0
    assert pixels.sum() == 561718


@pytest.mark.parametrize("load", [load_iris, load_digits])
def test_split_is_deterministic_and_partitions_the_rows(load):
    a, b, c = load(test_fraction=0.2, seed=7), load(test_fraction=0.2, seed=7), load(test_fraction=0.2, seed=8)
    for x, y in zip([a.X_train, a.Y_train, a.X_test, a.Y_test], [b.X_train, b.Y_train, b.X_test, b.Y_test]):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.Y_test, c.Y_test)
    whole = load()
    assert a.n_train + a.n_test == whole.n_train and a.n_test == round(0.2 * whole.n_train)
    assert rows(a.Y) == rows(whole.Y)  # every sample once: train and test partition the rows
    if load is load_digits:  # (iris inputs depend on the training rows' statistics)
        assert rows(np.hstack([a.Y, a.X])) == rows(np.hstack([whole.Y, whole.X]))
    # test_fraction 0 still shuffles with the seed (the iris file is sorted by class)
    assert not np.array_equal(load(seed=0).Y, load(seed=1).Y)
    assert np.any(np.diff(np.argmax(load_iris().Y[:50], axis=1)))


@pytest.mark.parametrize("load", [load_iris, load_digits])
def test_targets_are_one_hot(load):
    d = load(test_fraction=0.3, seed=2)
    for Y in (d.Y_train, d.Y_test):
        assert set(np.unique(Y)) == {0.0, 1.0}
        np.testing.assert_array_equal(Y.sum(axis=1), 1)
    for a in (d.X_train, d.Y_train, d.X_test, d.Y_test):
        assert a.dtype == np.float64 and not a.flags.writeable


def test_one_hot_and_standardise_helpers():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    tr, te = standardise(np.array([[1.0, 5.0], [3.0, 5.0]]), np.array([[5.0, 6.0]]))
    np.testing.assert_array_equal(tr, [[-1, 0], [1, 0]])  # a constant column is only centred
    np.testing.assert_array_equal(te, [[3, 1]])


def test_make_real_and_its_refusals():
    assert set(REAL) == {"iris", "digits"}
    np.testing.assert_array_equal(make_real(" Iris ", test_fraction=0.2, seed=1).X, load_iris(0.2, 1).X)
    with pytest.raises(ValueError, match="iris, digits"):
        make_real("mnist")
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=0.95)
    with pytest.raises(ValueError, match="seed"):
        load_iris(seed=-1)


# ---------------------------------------------------------------- in a lab


@pytest.mark.parametrize("name,sizes", [("iris", (4, 8, 3)), ("digits", (64, 8, 10))])
def test_real_datasets_build_a_softmax_lab(name, sizes):
    assert name in DATASETS
    c = LabConfig(hidden=(8,), output_activation="softmax", loss="cross_entropy", dataset=name)
    assert validate(c) == []
    lab = build_lab(c)
    assert lab.net.layer_sizes == sizes
    assert lab.dataset.n_test == round(0.2 * (lab.dataset.n_train + lab.dataset.n_test))
    # n_samples and noise do not apply to real data
    other = build_lab(c.with_(n_samples=50, noise=1.5)).dataset
    np.testing.assert_array_equal(other.X_train, lab.dataset.X_train)
    lab.step("update")
    assert lab.problem is None


def test_iris_trains_to_high_accuracy():
    c = LabConfig(hidden=(8,), hidden_activation=("tanh",), output_activation="softmax", loss="cross_entropy",
                  lr=0.1, batch_size=10, init="xavier", dataset="iris", test_fraction=0.2)  # fmt: skip
    lab = build_lab(c)
    lab.train_epochs(50)
    train, test = lab.accuracy()
    assert train >= 0.9 and test >= 0.9, (train, test)


def test_digits_64_32_10_reaches_90_percent_test_accuracy():
    """The digits preset: 64-32-10, sigmoid hidden, softmax + cross-entropy, η = 0.5, batch 10, Xavier,
    shuffled each epoch, 20 % test; 10 epochs of the page's "Train N epochs" (about 0.1 s)."""
    start = time.perf_counter()
    for seed in (0, 1):
        lab = build_lab(PRESETS["digits"].config.with_(seed=seed, data_seed=seed))  # the page's preset
        assert lab.net.layer_sizes == (64, 32, 10)
        assert lab.train_epochs(10) == 10 * lab.stepper.updates_per_epoch
        train, test = lab.accuracy()
        assert lab.problem is None and lab.dataset.n_test == 359
        assert test >= 0.90 and train >= 0.90, (seed, train, test)
    assert time.perf_counter() - start < 60


# ---------------------------------------------------------------- CSV: class labels

IRIS_LIKE = b"sl,sw,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n"


def test_csv_text_labels_are_one_hot_in_sorted_order():
    d = load_csv(IRIS_LIKE)
    assert d.task == "classification" and d.feature_names == ("sl", "sw")
    assert d.target_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(d.Y, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(d.X[:, 0], [5.1, 7.0, 6.3, 4.9])
    d = load_csv(b"1,2,zebra\n3,4,ant\n5,6,zebra\n")  # no header: the first row is data with a label
    assert d.n_train == 3 and d.target_names == ("ant", "zebra") and d.feature_names == ("x1", "x2")
    np.testing.assert_array_equal(d.Y, [[0, 1], [1, 0], [0, 1]])
    d = load_csv(b"a;b;c\n1;2; dog \n3;4;cat\n")  # semicolons, spaces stripped
    assert d.target_names == ("cat", "dog")


def test_csv_whole_number_labels_with_labels_true_or_a_class_header():
    data = b"a,b,digit\n1,2,10\n3,4,2\n5,6,2.0\n7,8,3\n"
    assert load_csv(data).task == "regression" and load_csv(data).n_outputs == 1  # unchanged by default
    for d in (load_csv(data, labels=True), load_csv(data.replace(b"digit", b"class:digit"))):
        assert d.target_names == ("2", "3", "10")  # numerical order; 2 and 2.0 are one class
        np.testing.assert_array_equal(d.Y, [[0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 1, 0]])
        assert d.task == "classification"
    d = load_csv(b"x,y\n1,0\n2,1\n3,1\n")  # a 0/1 column stays one sigmoid output
    assert d.n_outputs == 1 and d.task == "classification"
    assert load_csv(b"x,y\n1,0\n2,1\n3,1\n", labels=True).n_outputs == 2


def test_csv_labels_split_and_standardise_together():
    lines = [f"{i},{i * i % 7},{'abc'[i % 3]}" for i in range(30)]
    d = load_csv("\n".join(lines).encode(), test_fraction=0.2, seed=4, standardise=True)
    assert (d.n_train, d.n_test, d.n_outputs) == (24, 6, 3)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), 1, atol=1e-12)
    raw = load_csv("\n".join(lines).encode(), test_fraction=0.2, seed=4)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(d.X_test, (raw.X_test - mean) / std, atol=1e-12)
    np.testing.assert_array_equal(d.Y, raw.Y)
    labels = np.array([ord("abc"[i % 3]) - ord("a") for i in range(30)])
    np.testing.assert_array_equal(np.argmax(raw.Y, axis=1), labels[raw.X[:, 0].astype(int)])


def test_csv_standardise_off_by_default_and_constant_columns():
    d = load_csv(b"a,b,y\n1,5,0\n3,5,1\n", standardise=True)
    np.testing.assert_array_equal(d.X, [[-1, 0], [1, 0]])
    np.testing.assert_array_equal(load_csv(b"a,b,y\n1,5,0\n3,5,1\n").X, [[1, 5], [3, 5]])


# ---------------------------------------------------------------- CSV: several targets


def test_csv_targets_named_with_the_y_prefix():
    d = load_csv(b"a,b,y:u,y: v\n1,2,0.5,3\n3,4,1,2\n")
    assert d.feature_names == ("a", "b") and d.target_names == ("u", "v") and d.task == "regression"
    np.testing.assert_array_equal(d.Y, [[0.5, 3], [1, 2]])
    d = load_csv(b"a,Y:u,y:v\n1,0,1\n3,1,0\n")  # prefix in any case; 0/1 targets: classification
    assert d.n_inputs == 1 and d.target_names == ("u", "v") and d.task == "classification"
    d = load_csv(b"a,b,y:\n1,2,3\n4,5,6\n")  # an empty name after the prefix gets the default
    assert d.target_names == ("y1",)
    d = load_csv(b"a,b,y:u,y:v\n1,2,0.5,3\n3,4,1,2\n", target_columns=1)  # a number wins
    assert d.feature_names == ("a", "b", "y:u") and d.target_names == ("v",)
    d = load_csv(b"a,b,c\n1,2,3\n3,4,5\n", target_columns=2)
    assert d.target_names == ("b", "c")


def test_csv_without_header_or_prefix_keeps_one_target():
    d = load_csv(b"1,2,3\n4,5,6\n")
    assert d.n_outputs == 1 and d.target_names == ("y1",)


# ---------------------------------------------------------------- CSV: refusals


@pytest.mark.parametrize(
    "data,kwargs,match",
    [
        (b"a,b,c\n1,2,x\n3,4,\n", {}, "row 3, column 3 is empty: every row needs a class label"),
        (b"a,b,c\n1,2,x\n3,4,?\n", {}, r"row 3, column 3 is '\?', a missing value"),
        (b"a,b,c\n1,2,x\n3,4,NA\n5,6,y\n", {}, "row 3, column 3 is 'NA', a missing value"),
        (b"a,b,c\n1,2,x\n3,4, n/a \n", {}, "'n/a', a missing value"),
        (b"a,b,c\n1,2,x\n3,4,x\n", {}, "only one class \\('x'\\).*at least 2"),
        (b"a,b\n1,3\n3,3\n", {"labels": True}, "only one class \\('3'\\)"),
        (b"a,b\n1,2.5\n2,3\n", {"labels": True}, "row 2, column 2: '2.5' is not a whole number"),
        (b"a,b,c\n1,2,x" + b"x" * 40 + b"\n3,4,y\n", {}, "longer than 40 characters"),
        (b"a,b,c\n1,2,3\n3,4,5\n", {"labels": True, "target_columns": 2}, "must be the only target column"),
        (b"a,b,class:c\n1,2,3\n3,4,5\n", {"target_columns": 2}, "must be the only target column"),
        (b"a,b,c\n1,2,x\n3,4,y\n", {"task": "regression"}, "holds class labels"),
        (b"a,y:b,c\n1,2,3\n3,4,5\n", {}, r"must be the last columns, but column 3 'c' comes after column 2 'y:b'"),
        (b"y:a,y:b\n1,2\n3,4\n", {}, "Too few columns.*2 target column"),
        (b"a,b,c\n1,2,x\n3,4,5\n", {}, "row 2, column 3: 'x' is not a number"),
        (b"a,b\n1,x\n2,y\n", {"labels": False}, "row 2, column 2: 'x' is not a number"),
        (b"a,b\n1,0\n2,1\n", {"labels": "yes"}, "labels must be True, False or 'auto'"),
        (b"a,b\n1,0\n2,1\n", {"standardise": 1}, "standardise must be True or False"),
        (b"a,b\n1,0\n2,1\n", {"target_columns": "all"}, "target_columns must be a whole number"),
    ],
)
def test_csv_refusals(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_csv(data, **kwargs)


def test_csv_class_limit():
    ok = b"a,b\n" + b"".join(b"%d,c%02d\n" % (i, i) for i in range(MAX_CLASSES))
    assert load_csv(ok).n_outputs == MAX_CLASSES
    too_many = b"a,b\n" + b"".join(b"%d,c%02d\n" % (i, i) for i in range(MAX_CLASSES + 1))
    with pytest.raises(ValueError, match=f"{MAX_CLASSES + 1} different labels; the limit is {MAX_CLASSES}"):
        load_csv(too_many)


def test_csv_column_and_row_limits_hold_for_labels():
    header = ",".join(f"c{j}" for j in range(MAX_COLUMNS + 1))
    row = ",".join(["1"] * MAX_COLUMNS + ["cat"])
    with pytest.raises(ValueError, match=f"Too many columns.*{MAX_COLUMNS}"):
        load_csv(f"{header}\n{row}\n{row}\n".encode())
    body = "".join(f"{i},{'ab'[i % 2]}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ValueError, match=f"more than {MAX_ROWS} data rows"):
        load_csv(("x,label\n" + body).encode())
