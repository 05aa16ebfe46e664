"""A hand-written step-view payload (schema v = 1) for a 2-2-2 network: 8 events, two tables.

Mazur's textbook network (x = (0.05, 0.10), targets (0.01, 0.99)): four forward events, the
loss, two output δ and one hidden δ. Only for the browser tests of components/ui/step_view.py:
the app's own payloads come from components/views/step_view_data.py.
"""

from __future__ import annotations

N_EVENTS = 8
W = 520
H = 330
R = 24

# Node ids: 0 bias₀, 1 x₁, 2 x₂, 3 bias₁, 4 h₁, 5 h₂, 6 o₁, 7 o₂.
NODES = [
    [90, 70, 14, 1, 0, -1],
    [90, 150, R, 0, 0, 0],
    [90, 240, R, 0, 0, 1],
    [260, 70, 14, 1, 1, -1],
    [260, 150, R, 0, 1, 0],
    [260, 240, R, 0, 1, 1],
    [430, 150, R, 0, 2, 0],
    [430, 240, R, 0, 2, 1],
]
# Edge ids: into h₁ (0 bias, 1 x₁, 2 x₂), into h₂ (3, 4, 5), into o₁ (6 bias, 7 h₁, 8 h₂), into o₂ (9, 10, 11).
PAIRS = [(0, 4), (1, 4), (2, 4), (0, 5), (1, 5), (2, 5), (3, 6), (4, 6), (5, 6), (3, 7), (4, 7), (5, 7)]
WEIGHTS = ["0.35", "0.15", "0.20", "0.35", "0.25", "0.30", "0.60", "0.40", "0.45", "0.60", "0.50", "0.55"]
GREY, BLUE, RED, DARK = 0, 1, 2, 3
EDGE_STYLES = [["#a0aec0", 1.5, 0.8], ["#2b6cb0", 3, 1], ["#c53030", 3, 1], ["#1a1a1a", 2.5, 1]]
WHITE, INPUT, FWD, BWD = "#ffffff", "#edf2f7", "#c6f6d5", "#fed7d7"

# (progress, title, lines, explanation, table, row, node changes, edge changes, marks)
EVENTS = [
    (
        "forward pass, layer 1 of 2, neuron 1 of 2",
        "Forward pass · neuron 1 of layer 1",
        [
            r"\begin{aligned} z^{(1)}_{1} &= w_{11} x_1 + w_{12} x_2 + b_1 \\ "
            r"&= 0.15 \cdot 0.05 + 0.20 \cdot 0.10 + 0.35 = 0.3775 \end{aligned}",
            r"a^{(1)}_{1} = \sigma\!\left(z^{(1)}_{1}\right) = 0.5933",
        ],
        "The neuron adds its weighted inputs and its bias, then squashes the sum with the sigmoid.",
        0,
        0,
        [(4, FWD, "0.593")],
        [(0, DARK), (1, DARK), (2, DARK)],
        {"ring": [4], "halo": [0, 1, 2], "focus": 1, "caption": "h₁ reads x₁, x₂ and the bias"},
    ),
    (
        "forward pass, layer 1 of 2, neuron 2 of 2",
        "Forward pass · neuron 2 of layer 1",
        [
            r"\begin{aligned} z^{(1)}_{2} &= 0.25 \cdot 0.05 + 0.30 \cdot 0.10 + 0.35 \\ &= 0.3925 \end{aligned}",
            r"a^{(1)}_{2} = \sigma\!\left(z^{(1)}_{2}\right) = 0.5969",
        ],
        "The second hidden neuron does the same with its own weights.",
        0,
        1,
        [(5, FWD, "0.597")],
        [(0, GREY), (1, GREY), (2, GREY), (3, DARK), (4, DARK), (5, DARK)],
        {"ring": [5], "halo": [3, 4, 5], "caption": "h₂ reads x₁, x₂ and the bias"},
    ),
    (
        "forward pass, layer 2 of 2, neuron 1 of 2",
        "Forward pass · neuron 1 of layer 2",
        [r"a^{(2)}_{1} = \sigma\!\left(0.40 \cdot 0.5933 + 0.45 \cdot 0.5969 + 0.60\right) = 0.7514"],
        "The output neuron reads the hidden activations.",
        0,
        2,
        [(6, FWD, "0.751")],
        [(3, GREY), (4, GREY), (5, GREY), (6, DARK), (7, DARK), (8, DARK)],
        {"ring": [6], "halo": [6, 7, 8], "caption": "o₁ reads h₁, h₂ and the bias"},
    ),
    (
        "forward pass, layer 2 of 2, neuron 2 of 2",
        "Forward pass · neuron 2 of layer 2",
        [r"a^{(2)}_{2} = \sigma\!\left(0.50 \cdot 0.5933 + 0.55 \cdot 0.5969 + 0.60\right) = 0.7729"],
        "The second output neuron does the same.",
        0,
        3,
        [(7, FWD, "0.773")],
        [(6, GREY), (7, GREY), (8, GREY), (9, DARK), (10, DARK), (11, DARK)],
        {"ring": [7], "halo": [9, 10, 11], "caption": "o₂ reads h₁, h₂ and the bias"},
    ),
    (
        "loss",
        "Loss · squared error of this sample",
        [
            r"E = \tfrac12\left(y_1 - a^{(2)}_{1}\right)^2 + \tfrac12\left(y_2 - a^{(2)}_{2}\right)^2"
            r" = \tfrac12\left(0.01 - 0.75136507\right)^2 + \tfrac12\left(0.99 - 0.77292847\right)^2"
            r" = 0.2984",
        ],
        "The loss compares both outputs with their targets; this long line shrinks to fit its box.",
        None,
        None,
        [],
        [(9, GREY), (10, GREY), (11, GREY)],
        {"ring": [6, 7], "callout": [330, 300, "E = 0.2984"], "caption": "the loss of this sample"},
    ),
    (
        "backward pass, layer 2 of 2, δ 1 of 2",
        "Backward pass · output δ for neuron 1 of layer 2",
        [r"\delta^{(2)}_{1} = \left(a^{(2)}_{1} - y_1\right) a^{(2)}_{1}\left(1 - a^{(2)}_{1}\right) = 0.1385"],
        "The output δ is the loss's slope times the sigmoid's slope.",
        1,
        0,
        [(6, BWD, "δ 0.138")],
        [(6, BLUE), (7, BLUE), (8, BLUE)],
        {"ring": [6], "dashed": [7, 8], "caption": "δ₁ flows back along o₁'s edges"},
    ),
    (
        "backward pass, layer 2 of 2, δ 2 of 2",
        "Backward pass · output δ for neuron 2 of layer 2",
        [r"\delta^{(2)}_{2} = \left(a^{(2)}_{2} - y_2\right) a^{(2)}_{2}\left(1 - a^{(2)}_{2}\right) = -0.0381"],
        "A negative δ: the output was below its target.",
        1,
        1,
        [(7, BWD, "δ −0.038")],
        [(9, RED), (10, RED), (11, RED)],
        {"ring": [7], "dashed": [10, 11], "caption": "δ₂ flows back along o₂'s edges"},
    ),
    (
        "backward pass, layer 1 of 2, δ 1 of 2",
        "Backward pass · hidden δ for neuron 1 of layer 1",
        [
            r"\begin{aligned} \delta^{(1)}_{1} &= \left(w_{11}^{(2)} \delta^{(2)}_{1}"
            r" + w_{21}^{(2)} \delta^{(2)}_{2}\right) a^{(1)}_{1}\left(1 - a^{(1)}_{1}\right)"
            r" \\ &= 0.0088 \end{aligned}",
        ],
        "The hidden δ gathers the output δ through the weights that leave the neuron.",
        1,
        14,
        [(4, BWD, "δ 0.009")],
        [],
        {"ring": [4], "halo": [7, 10], "focus": 7, "caption": "h₁ gathers δ₁ and δ₂"},
    ),
]

SAMPLES = 16  # table 1 has a row per sample of a batch, to show the 12-row cut


def _tables() -> list[dict]:
    forward = {
        "caption": "Forward pass · this sample",
        "columns": ["neuron", "z", "a"],
        "cells": [
            ["h₁", "0.3775", "0.5933"],
            ["h₂", "0.3925", "0.5969"],
            ["o₁", "1.1059", "0.7514"],
            ["o₂", "1.2249", "0.7729"],
        ],
        "reveal": [[-1, 0, 0], [-1, 1, 1], [-1, 2, 2], [-1, 3, 3]],
    }
    cells = [[str(s + 1), f"{0.7 + s / 100:.4f}", "0.01", f"{0.1385 - s / 1000:.4f}"] for s in range(SAMPLES)]
    cells[0][3], cells[1][3] = "0.1385", "−0.0381"
    reveal = [[-1, -1, -1, 5 if s == 0 else 6 if s == 1 else 7] for s in range(SAMPLES)]
    backward = {"caption": "Backward pass · δ per sample", "columns": ["sample", "a", "y", "δ"], "cells": cells}
    backward["reveal"] = reveal
    return [forward, backward]


def _graph(k0: int, k1: int) -> dict:
    base = k0 - 1
    edges = [[*NODES[a][:2], *NODES[b][:2]] for a, b in PAIRS]
    nodes_base = [[base, n, WHITE, ""] for n in range(len(NODES))]
    nodes_base[0][3] = nodes_base[3][3] = "+1"
    nodes_base[1][2:] = [INPUT, "0.05"]
    nodes_base[2][2:] = [INPUT, "0.10"]
    styles = [GREY] * len(PAIRS)
    fills = {n: (f, t) for _, n, f, t in nodes_base}
    node_changes, edge_changes = [], []
    for k, event in enumerate(EVENTS):  # the state before the window is the base
        nodes_at, edges_at = event[6], event[7]
        if k <= base:
            fills.update({n: (f, t) for n, f, t in nodes_at})
            styles = [dict(edges_at).get(e, s) for e, s in enumerate(styles)]
        elif k <= k1:
            node_changes += [[k, n, f, t] for n, f, t in nodes_at]
            edge_changes += [[k, e, s] for e, s in edges_at]
    node_changes = [[base, n, *fills[n]] for n in range(len(NODES))] + node_changes
    edge_changes = [[base, e, s] for e, s in enumerate(styles)] + edge_changes
    chips = [[(x1 * 0.35 + x2 * 0.65), (y1 * 0.35 + y2 * 0.65)] for x1, y1, x2, y2 in edges]
    chip_changes = [[base, c, WEIGHTS[c] if c % 3 else ""] for c in range(len(chips))]
    chip_changes += [[k, c, "∂ 0.08"] for k, c in ((5, 7), (5, 8)) if k0 <= k <= k1]
    start_marks = {"ring": [], "halo": [], "dashed": [], "focus": None, "callout": None, "caption": "x = (0.05, 0.10)"}
    marks = [start_marks if c == -1 else _marks(EVENTS[c][8]) for c in range(base, k1 + 1)]
    return {
        "width": W,
        "height": H,
        "font": 13,
        "texts": [
            [90, 24, "Input", 14, "middle", "bold", "#1a1a1a"],
            [260, 24, "Hidden", 14, "middle", "bold", "#1a1a1a"],
            [430, 24, "Output", 14, "middle", "bold", "#1a1a1a"],
            [44, 318, "forward", 12, "start", "normal", "#1a1a1a"],
            [134, 318, "backward", 12, "start", "normal", "#1a1a1a"],
        ],
        "rects": [[28, 308, 12, 12, FWD, "#4a5568"], [118, 308, 12, 12, BWD, "#4a5568"]],
        "edges": edges,
        "edge_styles": EDGE_STYLES,
        "edge_changes": edge_changes,
        "nodes": NODES,
        "node_changes": node_changes,
        "chips": chips,
        "chip_changes": chip_changes,
        "marks": marks,
    }


def _marks(m: dict) -> dict:
    return {"ring": [], "halo": [], "dashed": [], "focus": None, "callout": None, "caption": ""} | m


def payload(
    update: int = 0, cursor: int = -1, seq: int = 0, window: tuple[int, int] | None = None, presentation: bool = False
) -> dict:
    """The payload of update ``update`` (every update has the same 8 events), events window[0]…window[1]."""
    k0, k1 = window or (0, N_EVENTS - 1)
    assert 0 <= k0 <= k1 < N_EVENTS
    cursors = range(k0 - 1, k1 + 1)
    return {
        "v": 1,
        "key": f"fixture|u{update}|p{int(presentation)}",
        "seq": seq,
        "cursor": cursor,
        "update": update,
        "n_events": N_EVENTS,
        "window": [k0, k1],
        "next": [c + 1 for c in cursors],
        "back": [-2 if c == -1 else c - 1 for c in cursors],
        "can_back": update > 0,
        "start": {
            "progress": "start of the update",
            "lines": [
                r"x = \begin{pmatrix} 0.05 \\ 0.10 \end{pmatrix}, \quad y = \begin{pmatrix} 0.01 \\ 0.99 \end{pmatrix}"
            ],
            "note": "Press → to start the forward pass.",
        },
        "events": [
            {"progress": e[0], "title": e[1], "lines": e[2], "explanation": e[3], "table": e[4], "row": e[5]}
            for e in EVENTS[k0 : k1 + 1]
        ],
        "tables": _tables(),
        "presentation": presentation,
        "graph": _graph(k0, k1),
    }
