"""The step view's drawing of the network: geometry once (px), then, per event of a window, the change
points of edge styles, node fills and texts, edge-value chips and the marks (rings, halo, focus, callout,
caption), as ``step_view_data``'s payload carries them. The numbers come from the engine's trace through
the same view helpers the server-drawn graph uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from components.views.graph import EDGE_LABEL_MAX_PAIR, EDGE_TITLES, LABEL_MAX_NEURONS, LABEL_MAX_PAIR
from components.views.graph_annotations import caption_text, event_note, fill_legend, layer_title
from components.views.graph_data import (
    BUCKET_COLORS,
    DENSE_PAIR,
    N_BUCKETS,
    K,
    bias_sizes,
    edge_buckets,
    event_marks,
    graph_layout,
    node_ranges,
    node_sizes,
)
from components.views.graph_edges import chip_texts_and_positions
from components.views.graph_labels import fmt_value, short_value, subscript
from components.views.graph_nodes import node_fills
from components.views.graph_scene import INK, X_PAD, Scene
from components.views.notation import Shape, get_notation, plain_symbol

__all__ = ["StepViewOptions", "graph_payload", "PENDING_OPACITY"]

PENDING_OPACITY = 0.18


@dataclass(frozen=True)
class StepViewOptions:
    """How the view draws: notation, digits, step size, edge colouring and its scale, sizes in px."""

    notation: str = "neutral"
    digits: int = 4
    granularity: str = "event"
    color_by: str = "weight"
    scale: float | None = None
    presentation: bool = False
    width: int = 430
    height: int = 500
    font_size: int = 15
    pictures: bool = False  # neuron pictures drawn in the nodes (sent beside the payload, stepping.pictures)
    strongest: bool = False  # a large network's summary: its strongest edges, the current neuron's in full


# ------------------------------------------------------------------------ graph
_TAGS = re.compile(r"<[^>]+>")


def _head(scene: Scene, l: int) -> tuple[str, str]:
    """Layer l's column head as (name, activation line), without the figure's markup."""
    name, _, sub = layer_title(scene, l).partition("<br>")
    return _TAGS.sub("", name), _TAGS.sub("", sub)


class _Frame:
    """Pixel geometry of the drawing: the plot area beside the colour legend, as ``build_figure`` lays it out."""

    def __init__(self, lay, o: StepViewOptions, labels: bool):
        fs = o.font_size
        self.top, self.bottom, self.right = int(2.6 * fs) + 10, int(1.7 * fs) + 6, int(3.5 * fs) + 46
        self.left = 12
        self.pw, self.ph = max(o.width - self.left - self.right, 80), max(o.height - self.top - self.bottom, 80)
        self.diam, self.y_range = node_sizes(lay, labels, self.ph, fs)
        self.L = len(lay.sizes) - 1

    def x(self, u):
        return self.left + (np.asarray(u, float) + X_PAD) / (self.L + 2 * X_PAD) * self.pw

    def y(self, v):
        lo, hi = self.y_range
        return self.top + (hi - np.asarray(v, float)) / max(hi - lo, 1e-9) * self.ph


def _r(a) -> list:
    return np.round(np.asarray(a, float), 1).tolist()


class _Changes:
    """Change points [k, item, *state] of one kind of item: the items whose state at event k differs
    from the one before (every item at the first call, the base cursor)."""

    def __init__(self):
        self.prev: tuple | None = None
        self.out: list[list] = []

    def put(self, k: int, *columns: np.ndarray) -> None:
        """columns: one (n_items,) array per part of the state."""
        if self.prev is None:
            changed = np.arange(len(columns[0]))
        else:
            changed = np.flatnonzero(np.logical_or.reduce([a != b for a, b in zip(columns, self.prev)]))
        self.prev = columns
        if changed.size:
            parts = [np.asarray(c)[changed].tolist() for c in columns]
            self.out += [[k, q, *state] for q, *state in zip(changed.tolist(), *parts)]


STRONG_PER_NEURON = 2  # … this many per neuron of the next layer (at least STRONG_MIN per layer pair)
STRONG_MIN = 12


def strongest_edges(lay, weights) -> np.ndarray:
    """(E,) bool: per layer pair, the STRONG_PER_NEURON · n_{l+1} (≥ STRONG_MIN) weights largest in |w|
    (``weights``: W^l, (n_l, n_{l−1}), as the update starts); no bias edge."""
    keep = np.zeros(len(lay.x0), bool)
    for p, W in enumerate(weights):
        flat = np.abs(np.nan_to_num(np.asarray(W, float).ravel()))
        k = min(flat.size, max(STRONG_PER_NEURON * W.shape[0], STRONG_MIN))
        keep[lay.w_start[p] + np.argpartition(-flat, k - 1)[:k]] = True
    return keep


def neuron_edges(lay, ev) -> list[int]:
    """The edges into and out of the neuron a forward or δ event computes (its fan-in, bias and fan-out)."""
    if ev is None or ev.kind not in ("forward", "delta"):
        return []
    l, i, L = ev.layer, ev.i, len(lay.sizes) - 1
    fan = [lay.w_start[l - 1] + i * lay.sizes[l - 1] + q for q in range(lay.sizes[l - 1])]
    fan += [lay.n_weights + lay.b_start[l - 1] + i] if lay.bias else []
    return fan + ([lay.w_start[l] + q * lay.sizes[l] + i for q in range(lay.sizes[l + 1])] if l < L else [])


def graph_payload(net, trace, k0: int, k1: int, o: StepViewOptions, every_edge: bool = False) -> dict:
    """The drawing of events k0 … k1 (base k0 − 1): geometry once, then change points. ``every_edge``: send
    every edge, also those no cursor of the window draws (play's ticks then share one geometry)."""
    sizes, L = tuple(net.layer_sizes), net.n_layers
    lay, acts, fs = graph_layout(sizes, bool(net.bias)), tuple(net.activations), int(o.font_size)
    pair = max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    labels = max(sizes) <= LABEL_MAX_NEURONS and pair <= LABEL_MAX_PAIR
    fr = _Frame(lay, o, labels)
    size = np.repeat(fr.diam, sizes)
    scene0 = Scene(lay, trace, -1, None, acts, 0, "activation", labels, fs, tuple(fr.diam), o.width)

    texts, rects = [], []
    for l in range(L + 1):  # column heads
        name, sub = _head(scene0, l)
        x = float(fr.x(l))
        texts.append([round(x, 1), fs + 4, name, fs, "middle", 700, INK])
        texts.append([round(x, 1), 2 * fs + 6, sub, round(fs * 0.8), "middle", 400, "#555555"])

    # edges: weights then biases, GraphLayout order; px ends
    edges = np.column_stack([fr.x(lay.x0), fr.y(lay.y0), fr.x(lay.x1), fr.y(lay.y1)])
    nodes = [[*p, round(float(d) / 2, 1), 0, int(l), int(i)] for p, d, l, i in _node_rows(lay, fr, size)]
    n_neurons = len(nodes)
    if lay.bias:
        half = np.asarray(bias_sizes(fr.diam, fs)) / 2
        nodes += [[*_r([fr.x(l), fr.y(lay.bias_y[l])]), round(float(half[l]), 1), 1, l, -1] for l in range(L)]

    # what a callout must not cover: every neuron's circle and the "+1" boxes (as circles around them)
    obstacles = np.array([[n[0], n[1], n[2] * (1.42 if n[3] == 1 else 1)] for n in nodes], float).reshape(-1, 3)
    edge_ch, node_ch, chip_ch = _Changes(), _Changes(), _Changes()
    marks, chips, chip_of, styles = [], [], {}, None
    fills, fill_of = [], {}  # the node-fill legends, and which one each quantity (a, δ) uses
    ranges = {}  # quantity → its node_ranges (the update's, the same at every cursor)
    scale, dense = o.scale, pair > DENSE_PAIR
    drawn = np.full(len(lay.x0), every_edge)  # edges drawn at some cursor of the window: the only ones sent
    strong = strongest_edges(lay, trace.weights_before) if o.strongest else None
    bias_states = (np.full(len(nodes) - n_neurons, "#f2f2f2"), np.full(len(nodes) - n_neurons, "+1"))
    nt = get_notation(o.notation)
    sign = nt.delta_sign  # δ on the nodes has the sign the panel's notation gives it
    backward = "neg_delta" if sign < 0 else "delta"
    for k in range(k0 - 1, k1 + 1):
        ev = trace.event(k) if k >= 0 else None
        ed = edge_buckets(net, trace, k, lay, o.color_by, scale=scale, dense=dense)
        if styles is None:  # one scale and one set of line styles for the whole window, from its base
            scale, styles = ed.scale, _edge_styles(ed)
        group = ed.group
        if strong is not None:  # the summary: the strongest edges, the current neuron's and parameter's in full
            show = strong.copy()
            show[neuron_edges(lay, ev)] = True
            focus_edge = event_marks(ev, lay)[3]
            if focus_edge is not None:
                show[focus_edge] = True
            group = np.where(show, group, -1)
        edge_ch.put(k, group + 1)  # style 0: not drawn
        drawn |= group >= 0

        c = 0 if ev is None or ev.sample is None else int(ev.sample)
        quantity = "activation" if k <= trace.layout.loss_index else backward
        scene = Scene(lay, trace, k, ev, acts, c, quantity, labels, fs, tuple(fr.diam), o.width)
        if quantity not in ranges:
            ranges[quantity] = node_ranges(trace, acts, quantity)
        fill, text = node_fills(scene, size, ranges[quantity])
        node_ch.put(
            k, np.concatenate([fill.astype(str), bias_states[0]]), np.concatenate([text.astype(str), bias_states[1]])
        )

        if labels and pair <= EDGE_LABEL_MAX_PAIR:
            done = np.flatnonzero(ed.done).tolist()
            if any(e not in chip_of for e in done):  # one chip per edge, placed where it first appears
                for e, (_, x, y) in chip_texts_and_positions(scene, ed, (fr.pw, fr.ph), fr.y_range).items():
                    if e not in chip_of:
                        chip_of[e] = len(chips)
                        chips.append(_r([fr.x(x), fr.y(y)]))
            shown = {chip_of[e]: short_value(v) for e, v in zip(done, ed.v[done].tolist())}  # as edge_chips writes
            chip_ch.put(k, np.array([shown.get(q, "") for q in range(len(chips))] + [""] * (len(lay.x0) - len(chips))))

        ring, halo, dashed, focus = event_marks(ev, lay)
        marks.append(
            {
                "ring": [int(q) for q in ring],
                "halo": [int(e) for e in halo] if len(halo) <= 100 else [],
                "dashed": [int(e) for e in dashed],
                "focus": None if focus is None else int(focus),
                "callout": _clear_of(_callout(scene, fr, focus, nt), obstacles, fr, fs),
                "caption": caption_text(scene, key=False) if ev is not None else "",
                "fill": _fill_index(fills, fill_of, scene) if ev is not None else None,
            }
        )
    texts += _legend(rects, fr, o, scale)
    sent = np.flatnonzero(drawn)
    new_id = np.full(len(lay.x0), -1)
    new_id[sent] = np.arange(sent.size)
    for m in marks:
        for part in ("halo", "dashed"):
            m[part] = [int(new_id[e]) for e in m[part] if new_id[e] >= 0]
        m["focus"] = None if m["focus"] is None or new_id[m["focus"]] < 0 else int(new_id[m["focus"]])
    return {
        "width": int(o.width),
        "height": int(o.height),
        "font": fs,
        "texts": texts,
        "rects": rects,
        "edges": _r(edges[sent]),
        "edge_styles": styles,
        "edge_changes": [[k, int(new_id[e]), st] for k, e, st in edge_ch.out if new_id[e] >= 0],
        "nodes": nodes,
        "node_changes": node_ch.out,
        "chips": chips,
        "chip_changes": [c for c in chip_ch.out if c[1] < len(chips)],
        "marks": marks,
        "fills": fills,  # the node-fill legends the marks name (mark["fill"]: an index, or None)
    }


def _fill_index(fills: list, fill_of: dict, scene) -> int:
    """The index in ``fills`` of the scene's node-fill legend (one per quantity shown; each sent once)."""
    if scene.quantity not in fill_of:
        legend = fill_legend(scene)
        if legend not in fills:
            fills.append(legend)
        fill_of[scene.quantity] = fills.index(legend)
    return fill_of[scene.quantity]


def _edge_styles(ed) -> list[list]:
    """[colour, width, opacity] of style s = group + 1 (``EdgeBuckets.group``; style 0: not drawn)."""
    out = [["#ffffff", 0.0, 0.0]]
    for g in range(2 * N_BUCKETS):
        b, done = g % N_BUCKETS - K, g >= N_BUCKETS
        out.append([str(BUCKET_COLORS[b + K]), round(ed.width(b), 2), ed.alpha if done else PENDING_OPACITY])
    return out


def _node_rows(lay, fr: _Frame, size: np.ndarray):
    xs, ys = _r(fr.x(lay.node_x)), _r(fr.y(lay.node_y))
    layer_of = np.repeat(np.arange(len(lay.sizes)), lay.sizes)
    neuron = np.arange(size.size) - np.asarray(lay.node_start)[layer_of]
    return [((x, y), d, l, i) for x, y, d, l, i in zip(xs, ys, size.tolist(), layer_of.tolist(), neuron.tolist())]


def _callout(scene: Scene, fr: _Frame, focus, nt=None) -> list | None:
    """The event's number beside its edge, the output layer or its neuron ([x, y, text] in px), named
    as the notation ``nt`` names it in the panel (plain text: w⁽²⁾₁₁, ∂E/∂w⁽²⁾₁₁, δ⁽¹⁾₁,₇)."""
    ev, lay = scene.event, scene.lay
    if ev is None:
        return None
    shape = Shape(tuple(scene.trace.layer_sizes), int(scene.trace.m)) if nt is not None else None
    note = event_note(ev, nt, shape)
    if note and focus is not None:
        mx = (lay.x0[focus] + lay.x1[focus]) / 2
        my = (lay.y0[focus] + lay.y1[focus]) / 2
        return [*_r([fr.x(mx), fr.y(my) - 30]), note]
    if ev.kind == "loss":
        q = lay.node_start[fr.L + 1] - 1
        loss = nt.loss_plain if nt is not None else "E"
        return [*_r([fr.x(fr.L), fr.y(lay.node_y[q]) + fr.diam[fr.L] / 2 + 30]), f"{loss} = {fmt_value(ev.value)}"]
    if ev.kind in ("forward", "delta") and (not scene.labels or scene.other_sample):
        q = lay.node_start[ev.layer] + ev.i
        value = -ev.value if ev.kind == "delta" and scene.quantity == "neg_delta" else ev.value
        side = 1 if ev.layer < fr.L / 2 else -1
        x = fr.x(lay.node_x[q]) + side * (fr.diam[ev.layer] / 2 + 40)
        if nt is None:
            sym = "a" if ev.kind == "forward" else "δ"
            text = f"{sym}[{ev.layer}]{subscript(ev.i)} = {fmt_value(value)} (sample {ev.sample + 1})"
        else:  # the notation's symbol carries the sample index when there are several
            make = nt.act if ev.kind == "forward" else nt.delta
            text = f"{plain_symbol(make(shape, ev.layer, ev.i, ev.sample))} = {fmt_value(value)}"
        return [*_r([x, fr.y(lay.node_y[q]) - fr.diam[ev.layer] / 2 - 20]), text]
    return None


_NUDGES = np.array(
    [(0, 0)]
    + [
        (dx, dy)
        for dy in (-30, 30, -60, 60, -90, 90, -130, 130, -170, 170, -220, 220, -280, 280, -340, 340)
        for dx in (0, -60, 60, -120, 120, -180, 180)
    ],
    float,
)
_SIDEWAYS = np.array((0, -60, 60, -120, 120, -180, 180), float)


def _clear_of(callout: list | None, circles: np.ndarray, fr: _Frame, fs: int) -> list | None:
    """The callout moved to the first nearby place where its box (as the browser sizes it: 0.58 em a
    character, 6 px padding) covers no neuron's circle and stays inside the drawing, below the layers'
    column heads and left of the colour legend; unmoved if none. ``circles``: (n, 3) centre x, y, radius."""
    if callout is None or not len(circles):
        return callout
    x, y, text = callout
    half_w, half_h = 0.58 * fs * len(str(text)) / 2 + 6, 0.8 * fs
    width, height = fr.left + fr.pw + fr.right, fr.top + fr.ph + fr.bottom
    legend = fr.left + fr.pw + 10  # the colour legend's column starts here
    if x - half_w >= 0 and x + half_w <= legend and y - half_h >= fr.top and y + half_h <= height:
        if _clear(np.array([x]), np.array([y]), half_w, half_h, circles)[0]:  # where it is: the first place looked at
            return [round(x, 1), round(y, 1), text]
    # where crowded layers leave no gap: just above the highest circle or just below the lowest
    edges = [
        float(min(circles[:, 1] - circles[:, 2]) - half_h - 4 - y),
        float(max(circles[:, 1] + circles[:, 2]) + half_h + 4 - y),
    ]
    cx = x + np.concatenate([_NUDGES[:, 0], _SIDEWAYS, _SIDEWAYS])  # every place, in order: (P,)
    cy = y + np.concatenate([_NUDGES[:, 1], np.full(7, edges[0]), np.full(7, edges[1])])
    clear = np.full(len(cx), -1)  # per place: 1 clear of every circle, 0 not, -1 not yet looked at
    # below the column heads and left of the legend if it can be, then left of the legend, else anywhere
    for top, right in ((fr.top, legend), (0, legend), (0, width)):
        inside = np.flatnonzero(
            (cx - half_w >= 0) & (cx + half_w <= right) & (cy - half_h >= top) & (cy + half_h <= height)
        )
        for block in np.array_split(inside, np.arange(8, len(inside), 8)):  # in order, 8 places at a time
            new = block[clear[block] < 0]
            if len(new):
                clear[new] = _clear(cx[new], cy[new], half_w, half_h, circles)
            hit = block[clear[block] == 1]
            if len(hit):
                return [round(float(cx[hit[0]]), 1), round(float(cy[hit[0]]), 1), text]
    return callout


def _clear(cx: np.ndarray, cy: np.ndarray, half_w: float, half_h: float, circles: np.ndarray) -> np.ndarray:
    """(P,) whether each box centred at (cx, cy) keeps 2 px from every circle: the nearest point of the box
    to each circle's centre lies outside the circle grown by 2 px."""
    nx = np.clip(circles[None, :, 0], (cx - half_w)[:, None], (cx + half_w)[:, None])  # (P, circles)
    ny = np.clip(circles[None, :, 1], (cy - half_h)[:, None], (cy + half_h)[:, None])
    return np.all((nx - circles[:, 0]) ** 2 + (ny - circles[:, 1]) ** 2 > (circles[:, 2] + 2) ** 2, axis=1)


def _legend(rects: list, fr: _Frame, o: StepViewOptions, scale: float) -> list:
    """The edge colour legend at the right: the 13 bucket colours, top = ≥ +scale; returns its texts."""
    fs = o.font_size
    x = fr.left + fr.pw + 14
    h = 0.85 * fr.ph / N_BUCKETS
    y0 = fr.top + 0.075 * fr.ph
    for q in range(N_BUCKETS):
        rects.append(
            [round(x, 1), round(y0 + q * h, 1), max(12, fs), round(h + 0.5, 1), str(BUCKET_COLORS[-1 - q]), ""]
        )
    ticks = {0: f"≥ {short_value(scale)}", K // 2: short_value(scale / 2), K: "0"}
    ticks |= {N_BUCKETS - 1 - K // 2: short_value(-scale / 2), N_BUCKETS - 1: f"≤ {short_value(-scale)}"}
    size = round(fs * 0.85)
    out = [
        [round(x + max(12, fs) + 4, 1), round(y0 + (q + 0.5) * h + size / 3, 1), t, size, "start", 400, INK]
        for q, t in ticks.items()
    ]
    out.append([round(x + 6, 1), round(y0 - 8, 1), EDGE_TITLES[o.color_by], round(fs * 0.85), "start", 700, INK])
    return out
