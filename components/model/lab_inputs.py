"""What a lab is built from: the dataset a configuration names and the network it describes.

Plain Python (no Streamlit); ``components.model.lab.build_lab`` puts them together with a stepper
(and re-exports ``LabError`` and ``make_dataset``).
"""

from __future__ import annotations

import numpy as np

from components.model.config import LabConfig
from components.model.presets import PRESETS
from engine import Network
from engine.datasets import Dataset, make, xor_truth_table
from engine.real_datasets import REAL, make_real

__all__ = ["LabError", "make_dataset", "make_network"]


class LabError(ValueError):
    """A request the lab refused, with a message for the page."""


def make_dataset(config: LabConfig, csv: Dataset | None = None) -> Dataset:
    """The dataset a configuration names (ValueError if it cannot be built)."""
    if config.dataset == "csv":
        if csv is None:
            raise LabError("upload a CSV file first (Dataset → CSV upload)")
        return csv
    if config.dataset == "preset":
        preset = PRESETS.get(config.preset)
        if preset is None or preset.data() is None:
            raise LabError(f"unknown worked example {config.preset!r}")
        X, Y = preset.data()
        return Dataset(
            preset.label,
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
