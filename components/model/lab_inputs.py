"""What a lab is built from: the dataset a configuration names and the network it describes.

Plain Python (no Streamlit); ``components.model.lab.build_lab`` puts them together with a stepper
(and re-exports ``LabError`` and ``make_dataset``).
"""

from __future__ import annotations

import numpy as np

from components.model.config import LabConfig
from components.model.presets import PRESETS
from engine import Network
from engine.csv_loader import MAX_ABS_VALUE
from engine.datasets import Dataset, make, xor_truth_table
from engine.real_datasets import REAL, make_real

__all__ = ["LabError", "make_dataset", "make_network", "checked_samples", "edited_samples", "MAX_ABS_SAMPLE"]

MAX_ABS_SAMPLE = MAX_ABS_VALUE  # an edited input or target beyond ±this is refused, as a CSV value is


class LabError(ValueError):
    """A request the lab refused, with a message for the page."""


def checked_samples(samples, x_shape: tuple, y_shape: tuple, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """A worked example's edited samples ``(X (m, n_in), Y (m, n_out))`` as float64 copies, or LabError
    naming what is wrong: another shape, a value that is not a finite number within ±MAX_ABS_SAMPLE, or a
    cross-entropy target outside 0 … 1."""
    try:
        X, Y = (np.array(a, dtype=np.float64) for a in samples)
    except (TypeError, ValueError, OverflowError):
        raise LabError("every input and target must be a number") from None
    if X.shape != tuple(x_shape) or Y.shape != tuple(y_shape):
        raise LabError(
            f"the worked example has {x_shape[0]} sample(s) of {x_shape[1]} input(s) and {y_shape[1]} target(s)"
        )
    for name, a in (("input", X), ("target", Y)):
        if not np.all(np.isfinite(a)):
            raise LabError(f"every {name} must be a finite number")
        if np.max(np.abs(a), initial=0.0) > MAX_ABS_SAMPLE:
            raise LabError(f"an {name} is beyond the limit ±{MAX_ABS_SAMPLE:g}")
    if loss == "cross_entropy" and not np.all((Y >= 0) & (Y <= 1)):
        raise LabError("cross-entropy needs targets from 0 to 1")
    return X, Y


def edited_samples(config: LabConfig, samples) -> tuple[np.ndarray, np.ndarray] | None:
    """A worked example's edited ``samples`` checked (``checked_samples``), or None when there are none or
    they are the preset's own (nothing is edited, and a link need not carry them). LabError otherwise."""
    if samples is None:
        return None
    preset = PRESETS.get(config.preset) if config.dataset == "preset" else None
    if preset is None or preset.data() is None:
        raise LabError("only a worked example's samples can be edited")
    X0, Y0 = preset.data()
    X, Y = checked_samples(samples, X0.shape, Y0.shape, config.loss)
    return None if np.array_equal(X, X0) and np.array_equal(Y, Y0) else (X, Y)


def make_dataset(config: LabConfig, csv: Dataset | None = None, samples: tuple | None = None) -> Dataset:
    """The dataset a configuration names (ValueError if it cannot be built). ``samples``: a worked
    example's edited ``(X, Y)`` as ``edited_samples`` returns them (checked), in place of the preset's own."""
    if config.dataset == "csv":
        if csv is None:
            raise LabError("upload a CSV file first (Dataset → CSV upload)")
        return csv
    if config.dataset == "preset":
        preset = PRESETS.get(config.preset)
        if preset is None or preset.data() is None:
            raise LabError(f"unknown worked example {config.preset!r}")
        X, Y = preset.data()
        if samples is not None:
            X, Y = samples
        return Dataset(
            preset.label + (" (edited samples)" if samples is not None else ""),
            X,
            Y,
            X[:0],
            Y[:0],
            "classification",
            tuple(f"x{j + 1}" for j in range(X.shape[1])),
            tuple(f"y{j + 1}" for j in range(Y.shape[1])),
        )
    if config.dataset == "xor_table":
        return xor_truth_table()
    if config.dataset in REAL:  # fixed real data: n_samples and noise do not apply
        return make_real(config.dataset, test_fraction=config.test_fraction, seed=config.data_seed)
    return make(
        config.dataset,
        n_samples=config.n_samples,
        noise=config.noise,
        test_fraction=config.test_fraction,
        seed=config.data_seed,
        **({"margin": config.margin} if config.dataset == "xor" else {}),
    )


def make_network(config: LabConfig, dataset: Dataset) -> Network:
    """The network for a configuration and dataset: inputs and outputs follow the data."""
    sizes = [dataset.n_inputs, *config.hidden, dataset.n_outputs]
    net = Network(
        sizes, config.activations(), config.loss, bias=config.bias != "off", seed=config.seed, init=config.init
    )
    preset = PRESETS.get(config.preset)
    if (
        preset is not None
        and preset.weights is not None
        and [list(np.shape(w)) for w in preset.weights] == [[sizes[l + 1], sizes[l]] for l in range(len(sizes) - 1)]
    ):
        net.set_parameters(
            [np.array(w) for w in preset.weights],
            None if preset.biases is None else [np.array(b) for b in preset.biases],
        )
    return net
