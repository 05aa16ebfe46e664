"""The step view's payload holds, for every cursor of its window, exactly what the server-drawn
panel, table and graph show at that cursor (same functions, same strings), in bounded size."""

from __future__ import annotations

import json

import numpy as np
import pytest

from components.views.graph_data import edge_buckets, graph_layout
from components.views.graph_nodes import node_fills
from components.views.graph_scene import Scene
from components.views.position import layer_table, progress_text
from components.views.step_text import formula_lines, table_cells
from components.views.step_view_data import (
    WINDOW,
    StepViewOptions,
    StepViewPosition,
    step_targets,
    step_view_payload,
)
from engine import GRANULARITIES, Network, Stepper

MAX_MESSAGE = 1_000_000  # bytes of JSON per payload


def case(sizes, m, acts=None, loss="half_sse", bias=True, seed=0):
    acts = acts or ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    net = Network(sizes, activations=acts, loss=loss, bias=bias, seed=seed)
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(m, sizes[0])), rng.uniform(size=(m, sizes[-1]))
    return net, net.trace(X, Y, 0.5)


def payload(net, tr, cursor=-1, **opts):
    pos = StepViewPosition(key="test", seq=0, update=0, cursor=cursor, can_back=False)
    return step_view_payload(net, tr, pos, StepViewOptions(**opts))


def state_at(changes, k, n_items):
    """Apply the change points up to cursor k, as the browser does: {item: state}."""
    out = {}
    for entry in changes:
        if entry[0] <= k:
            out[entry[1]] = tuple(entry[2:])
    assert len(out) == n_items  # the base gives every item a state
    return out


@pytest.mark.parametrize(
    "sizes,m,notation",
    [([2, 2, 2], 1, "neutral"), ([2, 3, 1], 4, "seed002"), ([3, 4, 3, 2], 2, "seed000")],
)
def test_panel_and_table_at_every_cursor_are_the_server_panels(sizes, m, notation):
    net, tr = case(sizes, m)
    p = payload(net, tr, notation=notation)
    k0, k1 = p["window"]
    assert (k0, k1) == (0, tr.layout.n_events - 1)  # small updates fit one window
    assert p["start"]["lines"] == formula_lines(tr, -1, notation)
    for k in range(k0, k1 + 1):
        e = p["events"][k - k0]
        assert e["lines"] == formula_lines(tr, k, notation)
        assert e["progress"] == progress_text(tr, k)
        t = p["tables"][e["table"]]
        columns, cells = table_cells(layer_table(tr, tr.event(k), notation=notation), 4)
        assert t["columns"] == columns
        shown = [[cell if k >= when else "" for cell, when in zip(row, w)] for row, w in zip(t["cells"], t["reveal"])]
        lo = t["offset"]
        assert shown == cells[lo : lo + len(shown)]
        current = np.flatnonzero(layer_table(tr, tr.event(k))["current"].to_numpy())
        assert e["row"] + lo == int(current[0])


@pytest.mark.parametrize("sizes,m", [([2, 2, 2], 1), ([2, 3, 3, 1], 3)])
def test_graph_nodes_and_edges_at_every_cursor_are_the_figures(sizes, m):
    net, tr = case(sizes, m)
    p = payload(net, tr)
    g, (k0, k1) = p["graph"], p["window"]
    lay = graph_layout(sizes, True)
    n_neurons = sum(sizes)
    scale = None
    for k in range(k0 - 1, k1 + 1):
        ev = tr.event(k) if k >= 0 else None
        c = 0 if ev is None or ev.sample is None else ev.sample
        quantity = "activation" if k <= tr.layout.loss_index else "delta"
        diam = tuple(n[2] * 2 for n in g["nodes"][:n_neurons])
        per_layer = tuple(diam[lay.node_start[l]] for l in range(len(sizes)))
        scene = Scene(lay, tr, k, ev, tuple(net.activations), c, quantity, True, 15, per_layer, 430)
        fill, text = node_fills(scene, np.asarray(diam))
        nodes = state_at(g["node_changes"], k, len(g["nodes"]))
        assert [nodes[q] for q in range(n_neurons)] == list(zip(fill.tolist(), text.tolist()))
        ed = edge_buckets(net, tr, k, lay, "weight", scale=scale)
        scale = scale or ed.scale
        edges = state_at(g["edge_changes"], k, len(g["edges"]))
        assert [edges[e][0] for e in range(len(g["edges"]))] == (ed.group + 1).tolist()


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_next_and_back_are_the_steppers_moves(granularity):
    net, tr = case([2, 3, 2], 3)
    lay = tr.layout
    nxt, back = step_targets(lay, granularity, np.arange(-1, lay.n_events))
    for k in range(-1, lay.n_events):
        s = Stepper(net.copy(), tr.X, tr.Y, 0.5)
        s.seek(k)
        s.step(granularity)
        assert nxt[k + 1] == (s.cursor if s.update == 0 else lay.n_events)
        s = Stepper(net.copy(), tr.X, tr.Y, 0.5)
        s.seek(k)
        s.back(granularity)
        assert back[k + 1] == (s.cursor if k >= 0 else -2)


def test_large_update_is_sent_in_windows_under_a_megabyte():
    net, tr = case([784, 32, 10], 8, acts=["relu", "softmax"], loss="cross_entropy")
    n = tr.layout.n_events
    for cursor in (-1, n // 2, n - 1):
        p = payload(net, tr, cursor=cursor)
        k0, k1 = p["window"]
        assert k1 - k0 + 1 == WINDOW and k0 - 1 <= cursor <= k1
        assert len(p["next"]) == len(p["back"]) == len(p["graph"]["marks"]) == WINDOW + 1
        assert len(json.dumps(p).encode()) <= MAX_MESSAGE


def test_payload_is_plain_json():
    net, tr = case([2, 2, 2], 1)
    p = payload(net, tr, cursor=5, presentation=True, color_by="gradient")
    assert json.loads(json.dumps(p, allow_nan=False)) == p


@pytest.mark.parametrize("notation", ["neutral", "seed002", "seed003"])
def test_delta_on_the_nodes_has_the_sign_of_the_notations_delta(notation):
    """In notations whose δ is −∂E/∂z the nodes, the caption and the callouts show that δ, as the panel does."""
    from components.views.formulas import event_formula
    from components.views.notation import get_notation

    net, tr = case([2, 2, 2], 1)
    sign = get_notation(notation).delta_sign
    p = payload(net, tr, notation=notation)
    g, n_neurons = p["graph"], 6
    for e in tr.events:
        if e.kind != "delta":
            continue
        nodes = state_at(g["node_changes"], e.index, len(g["nodes"]))
        q = graph_layout([2, 2, 2], True).node_start[e.layer] + e.i
        text = nodes[q][1]
        shown = float(text.replace("−", "-"))
        assert np.sign(shown) == np.sign(sign * e.value) and abs(shown - sign * e.value) < 1e-3, (text, e.value)
        result = event_formula(e, tr, notation, 4).result
        assert (result.startswith("= -") or result.startswith("= (-")) == (sign * e.value < 0)
        mark = g["marks"][e.index - (p["window"][0] - 1)]
        assert ("−∂E/∂z" in mark["caption"]) == (sign < 0) and n_neurons == sum((2, 2, 2))


@pytest.mark.parametrize("sizes,m", [([2, 2, 2], 1), ([2, 4, 1], 3), ([2, 3, 3, 2], 2)])
def test_callouts_are_clear_of_the_neurons(sizes, m):
    """Each event's callout box (as the browser sizes it) covers no neuron's circle."""
    net, tr = case(sizes, m)
    for presentation in (False, True):
        fs = 20 if presentation else 15
        p = payload(net, tr, presentation=presentation, font_size=fs, width=560 if presentation else 430)
        g = p["graph"]
        circles = [n[:3] for n in g["nodes"] if n[3] == 0]
        placed = 0
        for mark in g["marks"]:
            if not mark["callout"]:
                continue
            x, y, text = mark["callout"]
            hw, hh = 0.58 * fs * len(text) / 2 + 6, 0.8 * fs
            for cx, cy, r in circles:
                nx, ny = min(max(cx, x - hw), x + hw), min(max(cy, y - hh), y + hh)
                assert (nx - cx) ** 2 + (ny - cy) ** 2 > r**2, (text, (x, y), (cx, cy, r))
            placed += 1
        assert placed > 0


def test_the_node_fills_have_their_own_drawn_legend():
    """Each mark names a node-fill legend: the fills' own colours from −range to +range and the values at
    its ends, as node_ranges sets them (the edge legend beside the graph is the edges')."""
    from components.views.graph_annotations import FILL_LEGEND_STEPS
    from components.views.graph_data import node_fill, node_ranges
    from components.views.graph_labels import short_value

    net, tr = case([2, 2, 2], 1)
    graph = payload(net, tr)["graph"]
    marks, fills = graph["marks"], graph["fills"]
    assert marks[0]["fill"] is None and all(m["fill"] is not None for m in marks[1:])  # not the start
    assert len(fills) == 2  # a and δ: each legend is sent once
    for key in fills:
        assert key["colours"] == node_fill(np.linspace(-1, 1, FILL_LEGEND_STEPS)).tolist()
        assert len(key["colours"]) == FILL_LEGEND_STEPS and key["colours"][FILL_LEGEND_STEPS // 2] == node_fill(0.0)
    forward = [fills[m["fill"]] for m, e in zip(marks[1:], tr.events) if e.kind == "forward"]
    r = node_ranges(tr, list(net.activations), "activation")  # sigmoid: ±1; the inputs by their batch
    assert all((k["low"], k["high"], k["what"]) == ("−1", "+1", "a") for k in forward)
    assert all(k["inputs"] == f"inputs ±{short_value(r[0])}" for k in forward)
    backward = [fills[m["fill"]] for m, e in zip(marks[1:], tr.events) if e.kind == "delta"]
    r = node_ranges(tr, list(net.activations), "delta")[1]  # δ: one scale for every layer
    assert all((k["low"], k["high"]) == (f"−{short_value(r)}", f"+{short_value(r)}") for k in backward)
    # the caption's words say what the nodes show; the scale is the drawn legend's
    assert all("fill:" not in m["caption"] and m["caption"].startswith("nodes: ") for m in marks[1:])


def test_the_plotly_graph_caption_keeps_the_scale_in_words():
    """The server-drawn graph (play) has no drawn legend for the fills: its caption gives the scale."""
    from components.views.graph import build_figure

    net, tr = case([2, 2, 2], 1)
    key = payload(net, tr)["graph"]["fills"][0]  # a, at the forward pass
    texts = [a.text for a in build_figure(net, tr, 2).layout.annotations]
    assert any(f"(fill: blue {key['low']} … 0 … {key['high']} orange" in t for t in texts), texts
