"""The graph's nodes as plotly traces: bias squares, neurons with their values and hover text, rings.

Nodes are blank until their event is reached, then filled with their value (a or δ of the
scene's sample) on the diverging scale; small nets print the value on the node. A ring marks
the neuron the event computed (black) and the selected neuron (pink).
"""

from __future__ import annotations

import functools

import numpy as np

from components.views.graph_data import bias_sizes, node_colours, node_values
from components.views.graph_labels import fmt_values, layer_name, node_label, subscript
from components.views.graph_scene import INK, RING, SELECT, Scene, scatter
from components.views.typed_arrays import typed, typed_rows, typed_static

__all__ = ["node_traces", "node_fills", "node_hover"]


@functools.lru_cache(maxsize=16)
def _node_heads(sizes: tuple, acts: tuple) -> tuple:
    L = len(sizes) - 1
    return tuple(
        f"<b>{layer_name(l, L)} · neuron {i + 1}</b>" + (f" ({acts[l - 1]})" if l else "")
        for l, n in enumerate(sizes)
        for i in range(n)
    )


def node_hover(scene: Scene, b_now: list[np.ndarray]) -> list[str]:
    """Hover text of every neuron, layer by layer: what is known of it at the cursor for the scene's
    sample; b_now: the biases at the cursor, per layer 1 … L."""
    trace, cursor, c, sizes, L = scene.trace, scene.cursor, scene.sample, scene.lay.sizes, scene.L
    heads = _node_heads(tuple(sizes), tuple(scene.acts))
    if trace is None:
        return list(heads)
    tail = f"<br>sample {c + 1} of {trace.m}"
    out = [f"{h}<br>x{subscript(i)} = {x}{tail}" for i, (h, x) in enumerate(zip(heads, fmt_values(trace.X[c])))]
    fwd = np.concatenate(node_values(trace, cursor, c, "activation")[1][1:]).tolist()
    bwd = np.concatenate(node_values(trace, cursor, c, "delta")[1][1:]).tolist()
    z, a, d = (fmt_values(np.concatenate([M[l][c] for l in range(1, L + 1)])) for M in (trace.Z, trace.A, trace.deltas))
    b = fmt_values(np.concatenate(b_now)) if trace.bias else None
    y = fmt_values(trace.Y[c])
    first_out = len(fwd) - sizes[L]
    for q, h in enumerate(heads[sizes[0] :]):
        s = h + tail + (f"<br>z = {z[q]}<br>a = {a[q]}" if fwd[q] else "<br>a: not computed yet")
        if q >= first_out and fwd[q]:
            s += f"<br>target y = {y[q - first_out]}"
        if bwd[q]:
            s += f"<br>δ = ∂E/∂z = {d[q]}"
        out.append(s + (f"<br>b = {b[q]}" if b is not None else ""))
    return out


def node_fills(scene: Scene, size: np.ndarray, ranges: list[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(fill colour, printed value) per neuron, size (N,) its diameter in px; white and blank until computed.
    ``ranges``: the scene's ``node_ranges``, when the caller has them already (one per quantity and update)."""
    n, fs = size.size, scene.font_size
    text = np.full(n, "", dtype=object)
    if scene.trace is None:
        return np.full(n, "#ffffff"), text
    fill, shown, values = node_colours(scene.trace, scene.cursor, scene.sample, scene.quantity, scene.acts, ranges)
    if scene.labels:
        text[shown] = [node_label(x, 4 if d >= 3.75 * fs else 3) for x, d in zip(values[shown], size[shown])]
    return fill, text


def node_traces(scene: Scene, b_now: list[np.ndarray], ring: list[int], selected: tuple[int, int] | None) -> list[dict]:
    """Bias squares, neurons (customdata [layer, neuron]) and the rings on top of them: black on the
    nodes ``ring`` (node ids: the event's), pink on the ``selected`` (layer, neuron)."""
    lay, diam, labels, fs = scene.lay, scene.diam, scene.labels, scene.font_size
    sizes, L, data = lay.sizes, scene.L, []
    size = np.repeat(diam, sizes)
    fill, text = node_fills(scene, size)
    keep = dict(marker=dict(opacity=1), textfont=dict(color=INK))  # a click selection must not dim anything
    mode = "markers+text" if labels else "markers"
    if lay.bias:
        data.append(
            scatter(
                "bias units",
                mode,
                typed(np.arange(L)),
                typed(lay.bias_y),
                text=["+1"] * L,
                textfont=dict(size=round(fs * 0.8), color=INK),
                hoverinfo="text",
                hovertext=[f"<b>bias unit of layer {l}</b>: constant +1; its edges carry b[{l + 1}]" for l in range(L)],
                marker=dict(
                    symbol="square",
                    color="#f2f2f2",
                    line=dict(color="#555555", width=1.5),
                    size=typed(bias_sizes(diam, fs)),
                ),
                selected=keep,
                unselected=keep,
            )
        )
    layer_of = np.repeat(np.arange(L + 1), sizes)
    neuron = np.arange(size.size) - np.asarray(lay.node_start)[layer_of]
    outline = np.where(size >= 20, 2.0, np.where(size >= 8, 1.0, 0.0))
    node = scatter(
        "neurons",
        "markers",
        typed_static(lay, "node_x"),
        typed_static(lay, "node_y"),
        customdata=typed_rows(np.stack([layer_of, neuron], 1), "i2"),  # rows [layer, neuron]
        hoverinfo="text",
        hovertext=node_hover(scene, b_now),
        marker=dict(size=typed(size), color=fill.tolist(), opacity=1, line=dict(color="#444444", width=typed(outline))),
        selected=keep,
        unselected=keep,
    )
    if labels:
        font = round(fs * (0.95 if max(diam) >= 3.75 * fs else 0.8))
        node.update(mode=mode, text=text.tolist(), textposition="middle center", textfont=dict(size=font, color=INK))
    data.append(node)
    rings = [(q, max(size[q] + 14, 14), RING, 5 if size[q] >= 20 else 3) for q in ring]
    if selected is not None:
        q = lay.node_start[selected[0]] + selected[1]
        rings.append((q, max(size[q] + 26, 22), SELECT, 3.5))
    if rings:
        q, rs, rc, rw = (list(col) for col in zip(*rings))
        data.append(
            scatter(
                "rings",
                "markers",
                typed(lay.node_x[q]),
                typed(lay.node_y[q]),
                hoverinfo="skip",
                marker=dict(symbol="circle-open", size=typed(rs), color=rc, opacity=1, line=dict(width=typed(rw))),
                unselected=dict(marker=dict(opacity=1)),
            )
        )
    return data
