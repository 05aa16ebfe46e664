"""Backprop Lab's engine: exact float64 forward and backward passes, exposed step by step.

Pure numpy; usable from a notebook:

>>> from engine import Network, Stepper
>>> net = Network([2, 2, 2], activations="sigmoid", loss="half_sse", bias=True, seed=0)
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .gradcheck import GradientCheck, gradient_check, relative_error
from .losses import LOSS_FORMULAS, LOSSES
from .network import INITS, Network
from .schedule import batch_indices, epoch_order, n_batches
from .stepper import HISTORY_LIMIT, Stepper
from .trace import (
    GRANULARITIES,
    KINDS,
    PHASES,
    Event,
    EventSequence,
    Factors,
    ForwardFactors,
    GradFactors,
    HiddenDeltaFactors,
    Layout,
    LossFactors,
    OutputDeltaFactors,
    Trace,
    UpdateFactors,
)

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "get_activation",
    "GradientCheck",
    "gradient_check",
    "relative_error",
    "LOSS_FORMULAS",
    "LOSSES",
    "INITS",
    "Network",
    "batch_indices",
    "epoch_order",
    "n_batches",
    "HISTORY_LIMIT",
    "Stepper",
    "GRANULARITIES",
    "KINDS",
    "PHASES",
    "Event",
    "EventSequence",
    "Factors",
    "ForwardFactors",
    "LossFactors",
    "OutputDeltaFactors",
    "HiddenDeltaFactors",
    "GradFactors",
    "UpdateFactors",
    "Layout",
    "Trace",
]
