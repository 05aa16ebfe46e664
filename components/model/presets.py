"""One-click settings: the four derivations the notations come from, XOR, and the classic 2-2-2 worked example.

A preset is a ``LabConfig`` and the notation its derivation writes in, plus, for the worked
examples, the exact samples and starting weights, so the numbers on screen match the ones a
textbook prints. Its ``label`` is short (it fits the sidebar's menu), ``description`` says what
it sets up and ``source`` where its notation comes from, both by content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from components.model.config import LINK_BASE, LabConfig
from components.model.diagnostics import diagnostic_examples

__all__ = ["Preset", "PRESETS"]


@dataclass(frozen=True)
class Preset:
    label: str  # what the menu shows: the content, in about 40 characters at most
    description: str  # what it sets up, in a sentence or two
    source: str  # one line: where its notation comes from, by content
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

# Presets are written against LINK_BASE: a field a preset does not name has the value an absent link
# parameter means, so a preset, its links and the lessons built on it name the same network.
PRESETS: dict[str, Preset] = {
    "mazur": Preset(
        "Worked example: textbook 2-2-2",
        "The classic worked example: two inputs, two sigmoid hidden units, two sigmoid outputs, "
        "biases present but never updated, one sample, η = 0.5. Change its weights, inputs and targets under "
        "Tools → Edit weights.",
        "Neutral notation (a, z, w, b, δ, η) on the numbers of the widely copied step-by-step example "
        "(inputs 0.05, 0.10; targets 0.01, 0.99), so each result can be checked against it.",
        LINK_BASE.with_(
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
        "3 layers, no biases, E = ½(T − L_k)²",
        "Inputs L_h, hidden layers L_i and L_j, output L_k: three weight layers of sigmoid units without "
        "biases, one sample with a single target T; E = (T − L_k)²/2 and Δw = −α ∂E/∂w.",
        "Layers as letters h → i → j → k, as in a derivation that writes L_k = σ(net_k), δ as ∂E/∂net "
        "and the learning rate as α.",
        LINK_BASE.with_(
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
        "Batch of m, biases, E = 1/(2m) Σ Σ",
        "All four XOR samples as the columns of one batch A^0 = [x_1 … x_m], with biases; the loss is "
        "averaged over the batch: E = 1/(2m) Σ_c Σ_i (A^L_ic − Y_ic)².",
        "Matrices with one column per sample (A^l, Z^l, W^l, b^l, Y), as in a derivation that sums "
        "∂E/∂Z^l_ic over the samples c of a batch.",
        LINK_BASE.with_(
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
        "Bias input x₀ = 1, RSS = ½ Σ (y − a)²",
        "XOR one sample at a time: RSS = ½ Σ (y_k − a_k)², the bias written as a weight W_k0 on a constant "
        "input x₀ = 1, and δ defined as (y − a)·a(1 − a), so W := W + η δ a.",
        "Layer numbers as superscripts (a_k^(l), z_k^(l), W_kj^(l)), as in a derivation of the residual "
        "sum of squares that takes δ = −∂RSS/∂z.",
        LINK_BASE.with_(
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
        "One hidden layer, J = Σ J_i over N",
        "All four XOR samples, one hidden layer: J = Σ_i J_i over the N samples, each "
        "J_i = ½ Σ_l (y_l − o_l)²; w_rq ← w_rq − η Σ_i ∂J_i/∂w_rq.",
        "Units numbered r through the network (net_r, o_r, w_rq, u_rq the q-th input of unit r), as in "
        "lecture notes that take δ = −∂J/∂net.",
        LINK_BASE.with_(
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
        "Neutral notation (a, z, w, b, δ, η), the symbols most textbooks use; pick another under Notation.",
        LINK_BASE.with_(
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
    "iris": Preset(
        "Iris: 3 species from 4 measures",
        "Fisher's 150 iris flowers (sepal and petal length and width, standardised) in three species: a "
        "4-8-3 network with tanh hidden units, a softmax output and the cross-entropy loss, mini-batches of 10.",
        "Neutral notation; the softmax output's δ is a − y, as the cross-entropy cancels its derivative.",
        LINK_BASE.with_(
            hidden=(8,),
            hidden_activation=("tanh",),
            output_activation="softmax",
            loss="cross_entropy",
            lr=0.1,
            batch_size=10,
            init="xavier",
            dataset="iris",
            test_fraction=0.2,
            shuffle=True,
        ),
    ),
    "digits": Preset(
        "Handwritten digits: 64-32-10",
        "The UCI 8×8 handwritten digits (1,797 images, pixels scaled to 0 … 1): a 64-32-10 network with "
        "sigmoid hidden units, softmax and cross-entropy, mini-batches of 10. Train 10 epochs: about 97 % of "
        "the test images are read right.",
        "Neutral notation; each sample is drawn as its 8×8 image beside the step.",
        LINK_BASE.with_(
            hidden=(32,),
            hidden_activation=("sigmoid",),
            output_activation="softmax",
            loss="cross_entropy",
            lr=0.5,
            batch_size=10,
            init="xavier",
            dataset="digits",
            test_fraction=0.2,
            shuffle=True,
        ),
    ),
}

# Networks in trouble, each showing one diagnostic (components/model/diagnostics.py) from its first update.
_TROUBLE = {
    "saturated": (
        "Trouble: saturated tanh units",
        "Five wide linear layers multiply the inputs' scale, so the tanh layer after them sits far out on its "
        "flat tails: g′(z) ≈ 0 and almost no gradient passes.",
    ),
    "dead_relu": (
        "Trouble: dead ReLUs",
        "Eight ReLU units on the four XOR points: a unit whose weights are negative never sees z > 0, outputs 0 "
        "for every sample and never learns.",
    ),
    "vanishing": (
        "Trouble: vanishing gradient (8-8-8-8)",
        "A 2-8-8-8-8-1 sigmoid network: g′(z) ≤ ¼ and small weights shrink δ at every layer, so the first "
        "layer barely learns.",
    ),
    "exploding": (
        "Trouble: gradient growing 10× a layer",
        "A one-unit bottleneck with small incoming weights: the layer below it gets a far larger gradient "
        "than the layers above.",
    ),
    "large_update": (
        "Trouble: updates larger than the weights",
        "η = 100 on one sample at a time: each Δw = −η ∂E/∂w is larger than the weight it changes.",
    ),
}
for _kind, _config in diagnostic_examples().items():
    PRESETS[f"trouble_{_kind}"] = Preset(
        _TROUBLE[_kind][0],
        _TROUBLE[_kind][1] + " The diagnostics under the step say so, and the graph flags where.",
        "Neutral notation (a, z, w, b, δ, η).",
        _config,
    )
