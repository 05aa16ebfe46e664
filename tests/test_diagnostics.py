"""Diagnostics (components.model.diagnostics): silent on healthy networks, each finding on a case built to show it."""

from __future__ import annotations

import numpy as np
import pytest

from components.model import diagnostics as dg
from components.model.config import LabConfig
from components.model.lab import build_lab
from components.model.presets import PRESETS
from engine import Network


def _kinds(findings) -> set[str]:
    return {f.kind for f in findings}


def _one_sentence(f: dg.Finding) -> bool:
    s = f.sentence
    return s[0].isupper() and s.endswith(".") and ". " not in s and "\n" not in s


def _xor_batch(m=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(m, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


# ------------------------------------------------------------------------------ healthy
@pytest.mark.parametrize("name", [k for k in PRESETS if not k.startswith("trouble_")])
def test_every_preset_is_healthy_at_its_start(name):
    assert dg.diagnose_lab(build_lab(PRESETS[name].config)) == []


@pytest.mark.parametrize("kind", list(dg.diagnostic_examples()))
def test_each_trouble_preset_shows_its_own_finding_alone(kind):
    found = dg.diagnose_lab(build_lab(PRESETS[f"trouble_{kind}"].config))
    assert found and {f.kind for f in found} == {kind}


@pytest.mark.parametrize(
    "config",
    [
        LabConfig(),
        LabConfig(hidden=(8, 8), hidden_activation=("relu", "relu"), init="he", dataset="moons", seed=3),
        LabConfig(hidden=(8, 8, 8), hidden_activation=("tanh",) * 3, init="xavier", dataset="circles"),
        LabConfig(hidden=(4,), hidden_activation=("leaky_relu",), dataset="xor_table", batch_size=0),
    ],
)
def test_healthy_configurations_give_no_findings(config):
    assert dg.diagnose_lab(build_lab(config)) == []


def test_leaky_relu_never_dies():
    net = Network([2, 4, 1], ["leaky_relu", "sigmoid"], "half_sse", seed=0)
    W, b = net.parameters()
    b[0][:] = -100.0
    net.set_parameters(W, b)
    X, _ = _xor_batch()
    assert dg.dead_relus(net, X) == []


# ------------------------------------------------------------------------------ examples
@pytest.mark.parametrize("kind", dg.FINDING_KINDS)
def test_each_example_shows_its_finding_and_only_it(kind):
    examples = dg.diagnostic_examples()
    assert set(examples) == set(dg.FINDING_KINDS)
    findings = dg.diagnose_lab(build_lab(examples[kind]))
    assert findings and _kinds(findings) == {kind}
    assert all(_one_sentence(f) for f in findings), [f.sentence for f in findings]


# ------------------------------------------------------------------------- constructed
def test_a_deep_sigmoid_network_with_large_weights_saturates():
    net = Network([2, 8, 8, 8, 8, 1], "sigmoid", "half_sse", seed=0)
    rng = np.random.default_rng(0)
    net.set_parameters([rng.normal(0, 4, size=W.shape) for W in net.weights])
    X, Y = _xor_batch()
    findings = dg.diagnose(net, X, Y)
    saturated = [f for f in findings if f.kind == "saturated"]
    assert len(saturated) >= 6 and all(f.neuron is not None and 1 <= f.layer <= 4 for f in saturated)
    Z, A = net.forward_pass(X)
    for f in saturated:  # each really has g'(z) < 0.01 on more than 90 % of the samples
        slope = A[f.layer][:, f.neuron] * (1 - A[f.layer][:, f.neuron])
        assert np.mean(slope < dg.SATURATED_SLOPE) > dg.SATURATED_SHARE
        assert f"Neuron {f.neuron + 1} of layer {f.layer} (sigmoid)" in f.sentence
    assert all(_one_sentence(f) for f in findings)


def test_a_deep_sigmoid_network_with_small_weights_loses_its_gradient_on_the_way_back():
    net = Network([2, 8, 8, 8, 8, 1], "sigmoid", "half_sse", seed=0)
    rng = np.random.default_rng(0)
    net.set_parameters([rng.uniform(-0.1, 0.1, size=W.shape) for W in net.weights])
    X, Y = _xor_batch()
    found = dg.gradient_flow(net, X, Y)
    assert [(f.kind, f.layer) for f in found] == [("vanishing", 1)]
    norms = [np.linalg.norm(g) for g in net.gradients(X, Y)[0]]
    assert all(hi > 10 * lo for lo, hi in zip(norms, norms[1:]))  # every step shrinks more than 10×
    assert "from layer 5 back to layer 1" in found[0].sentence and _one_sentence(found[0])


def test_relu_units_with_negative_biases_are_dead():
    net = Network([2, 5, 1], ["relu", "sigmoid"], "half_sse", seed=0)
    W, b = net.parameters()
    b[0][[1, 3]] = -10.0  # |w·x| ≤ 1 on these inputs: z < 0 always
    net.set_parameters(W, b)
    X, Y = _xor_batch()
    dead = dg.dead_relus(net, X)
    assert [(f.layer, f.neuron) for f in dead] == [(1, 1), (1, 3)]
    assert "outputs 0 on all 200 samples" in dead[0].sentence and _one_sentence(dead[0])
    assert _kinds(dg.diagnose(net, X, Y)) == {"dead_relu"}


def test_a_huge_learning_rate_makes_updates_larger_than_the_weights():
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "half_sse", seed=2)
    X, Y = _xor_batch(20)
    tr = net.trace(X, Y, lr=100.0)
    found = dg.large_updates(tr)
    assert found and all(f.kind == "large_update" for f in found)
    for f in found:
        W, dW = tr.weights_before[f.layer - 1], tr.delta_weights[f.layer - 1]
        floor = max(dg.TINY_WEIGHT, dg.SMALL_SHARE * np.sqrt(np.mean(W * W)))
        n = int(np.sum((np.abs(W) > floor) & (np.abs(dW) > np.abs(W))))
        assert f"{n} of {W.size} weights" in f.sentence and "η (now 100)" in f.sentence
    assert _kinds(dg.diagnose(net, X, Y, lr=100.0)) >= {"large_update"}
    assert dg.large_updates(net.trace(X, Y, lr=0.01)) == []


def test_weights_growing_towards_the_output_make_the_gradient_explode_towards_the_inputs():
    net = Network([2, 4, 4, 4, 1], "linear", "half_sse", seed=0)
    rng = np.random.default_rng(0)
    scales = (1e-6, 1e-4, 1e-2, 1.0)
    net.set_parameters([s * rng.normal(size=W.shape) for s, W in zip(scales, net.weights)])
    X, Y = _xor_batch()
    found = dg.gradient_flow(net, X, Y)
    assert [(f.kind, f.layer) for f in found] == [("exploding", 1)]
    assert "from layer 4 back to layer 1" in found[0].sentence


def test_gradient_flow_needs_two_hidden_layers():
    """One hidden layer: a single step, which mostly reflects the inputs' scale (the textbook 2-2-2's 81×)."""
    lab = build_lab(PRESETS["mazur"].config)
    gw, _ = lab.net.gradients(lab.dataset.X_train, lab.dataset.Y_train)
    assert np.linalg.norm(gw[1]) > 10 * np.linalg.norm(gw[0])
    assert dg.gradient_flow(lab.net, lab.dataset.X_train, lab.dataset.Y_train) == []


def test_output_units_saturated_at_their_target_are_fine_but_not_far_from_it():
    net = Network([2, 2, 1], ["tanh", "sigmoid"], "half_sse", seed=0)
    W, b = net.parameters()
    b[1][:] = 20.0  # the output sits at a ≈ 1 for every input
    net.set_parameters(W, b)
    X, _ = _xor_batch()
    ones, zeros = np.ones((len(X), 1)), np.zeros((len(X), 1))
    assert dg.saturated_units(net, X, ones) == []
    far = dg.saturated_units(net, X, zeros)
    assert [(f.layer, f.neuron) for f in far] == [(2, 0)] and "far from its target" in far[0].sentence
    ce = Network([2, 2, 1], ["tanh", "sigmoid"], "cross_entropy", seed=0)
    ce.set_parameters(W, b)
    assert dg.saturated_units(ce, X, zeros) == []  # cross-entropy: δ^L = s (a − y), no g' to vanish


def test_nothing_is_diagnosed_while_the_parameters_are_not_finite():
    net = Network([2, 2, 1], "sigmoid", "half_sse", seed=0)
    net.weights[0][0, 0] = np.nan  # what a diverged run leaves behind
    X, Y = _xor_batch(10)
    assert dg.diagnose(net, X, Y, lr=1.0) == []
