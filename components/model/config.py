"""The whole configuration of a lab as one typed, validated record, and its URL form.

Like TensorFlow Playground's state list: every setting the numbers depend on lives in one
frozen ``LabConfig`` (how they are shown is ``components.model.display.Display``);
``to_query`` / ``from_query`` turn it into URL query parameters and back, and ``validate``
explains in words what is wrong with a value. No maths here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from engine import INITS, LOSSES
from engine.datasets import BUILTIN
from engine.real_datasets import REAL

__all__ = [
    "LabConfig",
    "LIMITS",
    "BIAS_MODES",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "DATASETS",
    "validate",
    "to_query",
    "from_query",
    "CONFIG_KEYS",
    "LINK_BASE",
]

BIAS_MODES = ("on", "frozen", "off")
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS = HIDDEN_ACTIVATIONS + ("softmax",)
# Real data (iris, digits) take only test_fraction and data_seed: n_samples and noise are still
# validated (they stay in the URL) but ignored. Their one-hot targets suit softmax + cross_entropy.
DATASETS = tuple(BUILTIN) + tuple(REAL) + ("xor_table", "preset", "csv")

# The largest network and data a session may build (stated in the UI and README).
LIMITS = {
    "hidden_layers": 8,
    "units": 64,  # per hidden layer
    "n_samples": 2000,  # built-in datasets
    "lr": 100.0,
    "noise": 2.0,
    "margin": 0.5,
    "test_fraction": 0.5,
    "seed": 2**31 - 1,
    "updates": 1_000_000,
}


@dataclass(frozen=True)
class LabConfig:
    """Everything a user chose. Input and output widths come from the dataset."""

    # The defaults learn their XOR data within the first "Train N epochs" (≥ 95 % of the training points;
    # tests/test_first_page.py): tanh hidden units, Xavier initialisation, little noise.
    hidden: tuple[int, ...] = (4,)
    hidden_activation: tuple[str, ...] = ("tanh",)
    output_activation: str = "sigmoid"
    loss: str = "half_sse"
    bias: str = "on"  # on | frozen (present, never updated) | off
    lr: float = 0.5
    batch_size: int = 1  # 0 means the whole training set
    init: str = "xavier"
    seed: int = 0
    dataset: str = "xor"
    n_samples: int = 200
    noise: float = 0.05
    margin: float = 0.1  # XOR only: the clean points keep this far from both axes
    test_fraction: float = 0.2
    data_seed: int = 0
    shuffle: bool = False
    preset: str = ""  # a preset's fixed data and weights are in use

    def activations(self) -> list[str]:
        return list(self.hidden_activation) + [self.output_activation]

    def with_(self, **changes) -> LabConfig:
        return replace(self, **changes)


def validate(c: LabConfig) -> list[str]:
    """Problems with a configuration, each a sentence a student can act on (empty: fine)."""
    errs = []
    if len(c.hidden) > LIMITS["hidden_layers"]:
        errs.append(f"at most {LIMITS['hidden_layers']} hidden layers (got {len(c.hidden)})")
    for n in c.hidden:
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= LIMITS["units"]:
            errs.append(f"each hidden layer needs 1 to {LIMITS['units']} neurons (got {n!r})")
            break
    if len(c.hidden_activation) != len(c.hidden):
        errs.append("give one activation per hidden layer")
    if any(a not in HIDDEN_ACTIVATIONS for a in c.hidden_activation):
        errs.append(f"hidden activations must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
    if c.output_activation not in OUTPUT_ACTIVATIONS:
        errs.append(f"output activation must be one of {', '.join(OUTPUT_ACTIVATIONS)}")
    if c.loss not in LOSSES:
        errs.append(f"loss must be one of {', '.join(LOSSES)}")
    elif c.loss == "cross_entropy" and c.output_activation not in ("sigmoid", "softmax"):
        errs.append("cross_entropy needs a sigmoid or softmax output layer")
    if c.bias not in BIAS_MODES:
        errs.append(f"biases must be one of {', '.join(BIAS_MODES)}")
    if not isinstance(c.lr, (int, float)) or not math.isfinite(c.lr) or not 0 < c.lr <= LIMITS["lr"]:
        errs.append(f"the learning rate must be a number above 0 and at most {LIMITS['lr']:g} (got {c.lr!r})")
    if not isinstance(c.batch_size, int) or c.batch_size < 0:
        errs.append(f"the batch size must be a whole number ≥ 1, or 0 for the whole set (got {c.batch_size!r})")
    if c.init not in INITS:
        errs.append(f"initialisation must be one of {', '.join(INITS)}")
    for name in ("seed", "data_seed"):
        v = getattr(c, name)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= LIMITS["seed"]:
            errs.append(f"{name.replace('_', ' ')} must be a whole number from 0 to {LIMITS['seed']}")
    if c.dataset not in DATASETS:
        errs.append(f"dataset must be one of {', '.join(DATASETS)}")
    if not isinstance(c.n_samples, int) or not 4 <= c.n_samples <= LIMITS["n_samples"]:
        errs.append(f"the number of samples must be 4 to {LIMITS['n_samples']}")
    if not isinstance(c.noise, (int, float)) or not math.isfinite(c.noise) or not 0 <= c.noise <= LIMITS["noise"]:
        errs.append(f"noise must be from 0 to {LIMITS['noise']:g}")
    m = c.margin
    if not isinstance(m, (int, float)) or not math.isfinite(m) or not 0 <= m <= LIMITS["margin"]:
        errs.append(f"the XOR margin must be from 0 to {LIMITS['margin']:g}")
    tf = c.test_fraction
    if not isinstance(tf, (int, float)) or not math.isfinite(tf) or not 0 <= tf <= LIMITS["test_fraction"]:
        errs.append(f"the test fraction must be from 0 to {LIMITS['test_fraction']:g}")
    return errs


# ------------------------------------------------------------------ URL form
# short key -> (field, parser, formatter)
def _ints(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("-")) if s else ()


def _strs(s: str) -> tuple[str, ...]:
    return tuple(x for x in s.split("-")) if s else ()


def _bool(s: str) -> bool:
    if s not in ("0", "1"):
        raise ValueError(s)
    return s == "1"


def _float(s: str) -> float:
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(s)
    return v


_KEYS = {
    "h": ("hidden", _ints, lambda v: "-".join(map(str, v))),
    "act": ("hidden_activation", _strs, lambda v: "-".join(v)),
    "out": ("output_activation", str, str),
    "loss": ("loss", str, str),
    "bias": ("bias", str, str),
    "lr": ("lr", _float, repr),
    "bs": ("batch_size", int, str),
    "init": ("init", str, str),
    "seed": ("seed", int, str),
    "data": ("dataset", str, str),
    "n": ("n_samples", int, str),
    "noise": ("noise", _float, repr),
    "gap": ("margin", _float, repr),
    "test": ("test_fraction", _float, repr),
    "dseed": ("data_seed", int, str),
    "shuf": ("shuffle", _bool, lambda v: "1" if v else "0"),
    "preset": ("preset", str, str),
}
CONFIG_KEYS = frozenset(_KEYS)  # the query keys a LabConfig reads
_FIELD_TO_KEY = {f: k for k, (f, _, _) in _KEYS.items()}
assert set(_FIELD_TO_KEY) == {f.name for f in fields(LabConfig)}


# What an absent query parameter means: fixed for good, so that links and lesson files written
# before the first page's defaults changed open the same network. A query with no configuration key at
# all is the first page, ``LabConfig()``; ``to_query`` therefore always writes the architecture.
LINK_BASE = LabConfig(hidden=(2,), hidden_activation=("sigmoid",), init="uniform", noise=0.1, margin=0.0)


def to_query(c: LabConfig) -> dict[str, str]:
    """Query parameters for the settings that differ from ``LINK_BASE``, and always ``h``."""
    base = asdict(LINK_BASE)
    return {
        _FIELD_TO_KEY[name]: _KEYS[_FIELD_TO_KEY[name]][2](value)
        for name, value in asdict(c).items()
        if value != base[name] or name == "hidden"
    }


def from_query(params: dict[str, str], base: LabConfig | None = None) -> tuple[LabConfig, list[str]]:
    """A valid LabConfig from query parameters, and a note for each parameter that was ignored.

    Unknown keys are left to the caller. A value that does not parse, or makes the
    configuration invalid, is dropped (its default stays) and named in the notes. Without ``base``,
    absent keys mean ``LINK_BASE``'s values, and a query without any configuration key is
    ``LabConfig()``, the first page.
    """
    c = base or (LINK_BASE if CONFIG_KEYS & set(params) else LabConfig())
    ignored = []
    for key, (name, parse, _) in _KEYS.items():
        if key not in params:
            continue
        raw = params[key]
        try:
            value = parse(str(raw)[:200])
            trial = replace(c, **{name: value})
        except (TypeError, ValueError):
            ignored.append(f"{key}={str(raw)[:40]!r} (not understood)")
            continue
        if name == "hidden" and len(trial.hidden_activation) != len(trial.hidden):
            acts = trial.hidden_activation[:1] or ("sigmoid",)
            trial = replace(trial, hidden_activation=acts * len(trial.hidden))
        if name == "hidden_activation" and len(value) == 1 and len(trial.hidden) > 1:
            trial = replace(trial, hidden_activation=value * len(trial.hidden))
        problems = validate(trial)
        if problems and len(problems) > len(validate(c)):
            ignored.append(f"{key}={str(raw)[:40]!r} ({problems[0]})")
            continue
        c = trial
    return c, ignored
