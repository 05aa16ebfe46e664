"""Each neuron's activation over the input plane of a 2-input network (components.views.neuron_pictures):
the engine's activations on a grid over the data, in the graph's node colours, row 0 at the top."""

from __future__ import annotations

import time

import numpy as np
import pytest
from test_png import decode_png, uri_png

from components.views.graph_data import NODE_FILL_MAX, node_fill
from components.views.neuron_pictures import (
    activation_rgb,
    neuron_pictures,
    plane_extent,
    plane_grid,
)
from components.views.palette import rgb
from engine import Network


def _pixels(uri: str) -> np.ndarray:
    return decode_png(uri_png(uri)).astype(int)


def _hex_rgb(fills) -> np.ndarray:
    return np.array([rgb(c) for c in np.asarray(fills).ravel()]).reshape(*np.shape(fills), 3)


def _one_neuron(w1: float, w2: float, act: str = "sigmoid") -> Network:
    net = Network([2, 1], activations=act, bias=True, seed=0)
    net.set_parameters([[[w1, w2]]], [[0.0]])
    return net


X_SQUARE = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.5]])


def test_extent_has_a_five_percent_margin():
    assert plane_extent(X_SQUARE) == pytest.approx((-1.1, 1.1, -1.1, 1.1))
    assert plane_extent([[2.0, 0.0], [2.0, 10.0]]) == pytest.approx((1.5, 2.5, -0.5, 10.5))  # a constant input


def test_grid_rows_run_from_the_top():
    g = plane_grid(X_SQUARE, 5).reshape(5, 5, 2)
    assert g[0, 0].tolist() == pytest.approx([-1.1, 1.1])  # top left: smallest x1, largest x2
    assert g[-1, -1].tolist() == pytest.approx([1.1, -1.1])
    assert np.all(np.diff(g[:, 0, 1]) < 0) and np.all(np.diff(g[0, :, 0]) > 0)


def test_orientation_activation_growing_with_x2_is_orange_at_the_top():
    pics = neuron_pictures(_one_neuron(0.0, 3.0), X_SQUARE, size=12)
    px = _pixels(pics[(1, 0)])
    assert px.shape == (12, 12, 3)
    top, bottom = px[0].mean(axis=0), px[-1].mean(axis=0)
    assert top[0] > bottom[0] and top[2] < bottom[2]  # more red, less blue: oranger at the top
    assert np.all(px == px[:, :1])  # nothing changes along x1
    # and along x1 for a neuron that grows with x1: orange on the right
    px = _pixels(neuron_pictures(_one_neuron(3.0, 0.0, "tanh"), X_SQUARE, size=12)[(1, 0)])
    assert px[:, -1, 0].mean() > px[:, 0, 0].mean() and np.all(px == px[:1])
    assert tuple(px[0, -1]) != tuple(px[0, 0])


def test_every_hidden_and_output_neuron_has_a_picture():
    net = Network([2, 3, 4, 2], activations=["relu", "tanh", "sigmoid"], seed=1)
    pics = neuron_pictures(net, np.random.default_rng(0).normal(size=(20, 2)), size=8)
    assert set(pics) == {(l, i) for l in (1, 2, 3) for i in range(net.layer_sizes[l])}
    for uri in pics.values():
        assert uri.startswith("data:image/png;base64,") and _pixels(uri).shape == (8, 8, 3)


@pytest.mark.parametrize("sizes", [[1, 3, 1], [3, 2], [64, 10]])
def test_only_two_input_networks(sizes):
    net = Network(sizes, seed=0)
    assert neuron_pictures(net, np.zeros((2, sizes[0]))) == {}


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "softmax"])
def test_output_fills_match_the_graph_palette(act):
    net = Network([2, 3, 2], activations=["tanh", act], seed=3)
    X = np.random.default_rng(2).normal(size=(30, 2))
    size = 10
    pics = neuron_pictures(net, X, size=size)
    A = net.forward(plane_grid(X, size))  # (size², 2), row-major from the top-left pixel
    for i in range(2):
        want = _hex_rgb(node_fill(NODE_FILL_MAX * A[:, i]).reshape(size, size))
        assert np.array_equal(_pixels(pics[(2, i)]), want)


def test_unbounded_layers_use_the_given_range_or_the_grid_fit():
    net = Network([2, 2, 1], activations=["relu", "linear"], seed=0)
    X = np.random.default_rng(4).normal(size=(30, 2))
    size = 6
    _, A = net.forward_pass(plane_grid(X, size))
    pics = neuron_pictures(net, X, size=size, ranges=[1.0, 2.0, 4.0])
    want = _hex_rgb(node_fill(NODE_FILL_MAX * A[1][:, 1] / 2.0).reshape(size, size))
    assert np.array_equal(_pixels(pics[(1, 1)]), want)
    want = _hex_rgb(node_fill(NODE_FILL_MAX * A[2][:, 0] / 4.0).reshape(size, size))
    assert np.array_equal(_pixels(pics[(2, 0)]), want)
    # without ranges the layer's grid activations set the scale: some pixel reaches NODE_FILL_MAX of it
    px = _pixels(neuron_pictures(net, X, size=size)[(2, 0)])
    ends = _hex_rgb(node_fill(np.array([-NODE_FILL_MAX, NODE_FILL_MAX])))
    assert np.any(np.abs(px - ends[0]).sum(-1) < 60) or np.any(np.abs(px - ends[1]).sum(-1) < 60)


def test_activation_rgb_is_node_fill_and_nan_is_grey():
    t = np.array([-2.0, -1.0, -0.3337, 0.0, 0.1234, 1.0, 3.0])
    assert np.array_equal(activation_rgb(t), _hex_rgb(node_fill(t)))
    from components.views.graph_data import NAN_FILL

    assert tuple(activation_rgb(np.array([np.nan]))[0]) == rgb(NAN_FILL)


def test_wide_deep_network_is_fast():
    """64 units × 8 layers (513 pictures of 24×24): well under 50 ms of work (CPU time; the budget
    is loose here because a shared test machine is noisy)."""
    net = Network([2] + [64] * 8 + [1], activations="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(200, 2))
    neuron_pictures(net, X)
    best = min(_cpu(lambda: neuron_pictures(net, X)) for _ in range(5))
    pics = neuron_pictures(net, X)
    assert len(pics) == 8 * 64 + 1
    assert _pixels(pics[(8, 63)]).shape == (24, 24, 3)  # stored uncompressed (level 0), still a valid PNG
    assert np.array_equal(_pixels(pics[(9, 0)]), _pixels(neuron_pictures(net, X, level=9)[(9, 0)]))
    assert best < 0.25, best


def _cpu(f) -> float:
    t = time.process_time()
    f()
    return time.process_time() - t
