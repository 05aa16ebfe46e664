"""One-click settings: each seed's derivation, XOR, and the classic 2-2-2 worked example.

A preset is a ``LabConfig`` and the notation its derivation writes in, plus, for the worked
examples, the exact samples and starting weights, so the numbers on screen match the ones a
textbook prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.model.config import LabConfig

__all__ = ["Preset", "PRESETS"]


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    config: LabConfig
    notation: str = "neutral"  # the notation the preset opens in (components.model.display.NOTATION_KEYS)
    X: tuple | None = None  # fixed samples (m, n_in) for worked examples
    Y: tuple | None = None
    weights: tuple | None = None  # explicit starting weights, like Network.weights
    biases: tuple | None = None

    def data(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.X is None:
            return None
        return np.array(self.X, dtype=float), np.array(self.Y, dtype=float)


_XOR_X = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
_XOR_Y = ((0.0,), (1.0,), (1.0,), (0.0,))

PRESETS: dict[str, Preset] = {
    "mazur": Preset(
        "Textbook 2-2-2 (editable weights)",
        "The classic worked example: two inputs, two sigmoid hidden units, two sigmoid outputs, "
        "biases present but never updated, one sample, η = 0.5. Edit its weights in the Edit tab.",
        LabConfig(
            hidden=(2,),
            hidden_activation=("sigmoid",),
            output_activation="sigmoid",
            loss="half_sse",
            bias="frozen",
            lr=0.5,
            batch_size=0,
            dataset="preset",
            preset="mazur",
        ),
        notation="neutral",
        X=((0.05, 0.10),),
        Y=((0.01, 0.99),),
        weights=(((0.15, 0.20), (0.25, 0.30)), ((0.40, 0.45), (0.50, 0.55))),
        biases=((0.35, 0.35), (0.60, 0.60)),
    ),
    "seed000": Preset(
        "Seed 000: L_h → L_i → L_j → L_k, no biases",
        "Three weight layers of sigmoid units without biases and a single target T; "
        "E = (T − L_k)²/2 and Δw = −α ∂E/∂w.",
        LabConfig(
            hidden=(2, 2),
            hidden_activation=("sigmoid", "sigmoid"),
            output_activation="sigmoid",
            loss="half_sse",
            bias="off",
            lr=0.5,
            batch_size=0,
            dataset="preset",
            preset="seed000",
        ),
        notation="seed000",
        X=((0.35, 0.9),),
        Y=((0.5,),),
        weights=(((0.1, 0.8), (0.4, 0.6)), ((0.3, 0.9), (0.5, 0.2)), ((0.7, 0.4),)),
    ),
    "seed001": Preset(
        "Seed 001: a batch of m with biases, E = 1/(2m) ΣΣ",
        "A^0 = [x_1 … x_m]: all four XOR samples in one batch, biases, and the 1/(2m) normalisation.",
        LabConfig(
            hidden=(3,),
            hidden_activation=("sigmoid",),
            output_activation="sigmoid",
            loss="half_mse",
            bias="on",
            lr=2.0,
            batch_size=0,
            dataset="preset",
            seed=1,
            preset="seed001",
        ),
        notation="seed001",
        X=_XOR_X,
        Y=_XOR_Y,
    ),
    "seed002": Preset(
        "Seed 002: RSS with a bias input x₀ = 1",
        "RSS = ½ Σ (y_k − a_k)², the bias written as a weight W_k0 on a constant input x₀ = 1, and "
        "δ defined as (y − a)·a(1 − a), so W := W + η δ a.",
        LabConfig(
            hidden=(3,),
            hidden_activation=("sigmoid",),
            output_activation="sigmoid",
            loss="half_sse",
            bias="on",
            lr=0.5,
            batch_size=1,
            dataset="preset",
            seed=2,
            preset="seed002",
        ),
        notation="seed002",
        X=_XOR_X,
        Y=_XOR_Y,
    ),
    "seed003": Preset(
        "Seed 003: one hidden layer, J summed over N",
        "J = Σ_i J_i over all N samples, each J_i = ½ Σ_l (y_l − o_l)²; w_rq ← w_rq − η Σ_i ∂J_i/∂w_rq.",
        LabConfig(
            hidden=(3,),
            hidden_activation=("sigmoid",),
            output_activation="sigmoid",
            loss="half_sse",
            bias="on",
            lr=0.5,
            batch_size=0,
            dataset="preset",
            seed=3,
            preset="seed003",
        ),
        notation="seed003",
        X=_XOR_X,
        Y=_XOR_Y,
    ),
    "xor": Preset(
        "XOR (noisy, 200 points)",
        "The problem a single layer cannot solve: 2-4-1 with tanh hidden units, mini-batches of 10.",
        LabConfig(
            hidden=(4,),
            hidden_activation=("tanh",),
            output_activation="sigmoid",
            loss="half_sse",
            bias="on",
            lr=0.5,
            batch_size=10,
            dataset="xor",
            n_samples=200,
            noise=0.05,
            test_fraction=0.2,
            init="xavier",
        ),
    ),
}
