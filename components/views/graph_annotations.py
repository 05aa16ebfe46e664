"""The graph's annotations: column heads, the caption, and the callout with the event's number.

A grad/update event's number sits above its edge ("∂E/∂w[2]₁₂ = …" or "w[2]₁₂  0.4500 → 0.4087"),
the loss's beside the output layer ("E = …"), a forward or δ event's beside its neuron when the
node does not print it (no labels, or the nodes show another sample).
"""

from __future__ import annotations

import numpy as np

from components.views.graph_data import node_fill, node_ranges, node_values, segments
from components.views.graph_labels import fmt_value, layer_name, short_value, subscript
from components.views.graph_scene import INK, RING, Scene
from components.views.notation import plain_symbol
from engine import Event

__all__ = ["annotations", "caption_text", "event_note", "fill_legend", "layer_title", "FILL_LEGEND_STEPS"]

_SHORT_ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "lReLU", "linear": "lin", "softmax": "soft"}


def layer_title(scene: Scene, l: int) -> str:
    """Layer l's column head: its name in bold over its activation (and size, when nodes carry no
    labels). Columns are ~width / (L + 0.64) px apart; a head that would run into its
    neighbour's is shortened (h2, σ) rather than overlapping it."""
    L, n, fs, labels = scene.L, scene.lay.sizes[l], scene.font_size, scene.labels
    act = "x" if l == 0 else scene.acts[l - 1]
    room = 0.85 * scene.width / (L + 0.64)  # with a gap between neighbours
    name = layer_name(l, L)
    if len(name) * 0.7 * fs > room:  # bold
        name = "in" if l == 0 else ("out" if l == L else f"h{l}")
    sub = act if labels else f"{n} · {act}"
    if len(sub) * 0.5 * fs > room:
        sub = _SHORT_ACT.get(act, act) if labels else f"{n} {_SHORT_ACT.get(act, act)}"
    if not labels and len(sub) * 0.5 * fs > room:  # still too wide: the size alone
        sub = str(n)
    return f"<b>{name}</b><br><span style='font-size:{round(fs * 0.8)}px'>{sub}</span>"


def event_note(ev: Event | None, nt=None, shape=None) -> str | None:
    """The number a grad/update event puts on its edge ("∂E/∂w[2]₁₂ = …", "w[2]₁₂  0.4500 → 0.4087"); with
    a notation ``nt`` (and its ``Shape``) in that notation's symbols, as plain text ("∂E/∂w⁽²⁾₁₂ = …")."""
    if ev is None or not (ev.is_gradient or ev.is_update):
        return None
    if nt is not None:
        tex = nt.weight(shape, ev.layer, ev.i, ev.j) if ev.is_weight else nt.bias(shape, ev.layer, ev.i)
        name = plain_symbol(tex)
        if ev.is_gradient:
            return f"{plain_symbol(nt.d(tex))} = {fmt_value(ev.value)}"
        return f"{name}  {fmt_value(ev.factors.old)} → {fmt_value(ev.factors.new)}"
    name = f"w[{ev.layer}]{subscript(ev.i, ev.j)}" if ev.is_weight else f"b[{ev.layer}]{subscript(ev.i)}"
    if ev.is_gradient:
        return f"∂E/∂{name} = {fmt_value(ev.value)}"
    return f"{name}  {fmt_value(ev.factors.old)} → {fmt_value(ev.factors.new)}"


def annotations(scene: Scene, focus: int | None) -> list[dict]:
    """Layer titles, caption, and the event's number (on the edge ``focus`` of a grad/update event)."""
    lay, ev, fs, diam, L = scene.lay, scene.event, scene.font_size, scene.diam, scene.L
    caption = caption_text(scene) if scene.trace is not None else ""
    notes = [
        dict(
            x=l,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=fs, color=INK),
            text=layer_title(scene, l),
        )
        for l in range(L + 1)
    ]
    if caption:
        notes.append(
            dict(
                x=0,
                y=0,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                text=caption,
                font=dict(size=round(fs * 0.8), color="#555555"),
            )
        )
    if ev is None:
        return notes
    box = dict(
        bgcolor="rgba(255,255,255,0.92)",
        bordercolor=RING,
        borderwidth=1.5,
        borderpad=4,
        font=dict(size=fs, color=INK),
        arrowcolor=RING,
        arrowwidth=1.5,
        showarrow=True,
    )
    note = event_note(ev)
    if note and focus is not None:  # above the edge's middle, reaching towards the picture's middle
        fx, fy = segments(lay, np.array([focus]), 0.5)
        right = float(fx[0]) < L / 2
        notes.append(
            dict(
                x=float(fx[0]),
                y=float(fy[0]),
                text=note,
                ax=-12 if right else 12,
                ay=-46,
                xanchor="left" if right else "right",
                **box,
            )
        )
    elif ev.kind == "loss":
        q = lay.node_start[L + 1] - 1
        notes.append(
            dict(x=L, y=float(lay.node_y[q]), text=f"E = {fmt_value(ev.value)}", ax=0, ay=diam[L] / 2 + 34, **box)
        )
    elif ev.kind in ("forward", "delta") and (not scene.labels or scene.other_sample):  # else its node shows it
        q = lay.node_start[ev.layer] + ev.i
        sym = "a" if ev.kind == "forward" else "δ"
        # up and towards the middle of the picture (over edges rather than the column's nodes), in two
        # short lines, so the box stays inside a narrow picture
        side = 1 if ev.layer < L / 2 else -1
        notes.append(
            dict(
                x=float(lay.node_x[q]),
                y=float(lay.node_y[q]),
                ax=side * (diam[ev.layer] / 2 + 28),
                ay=-(diam[ev.layer] / 2 + 30),
                xanchor="right" if side < 0 else "left",
                **box,
                text=f"{sym}[{ev.layer}]{subscript(ev.i)} = {fmt_value(ev.value)}<br>"
                f"<span style='font-size:{round(fs * 0.8)}px'>sample {ev.sample + 1}</span>",
            )
        )
    return notes


def fill_key(scene: Scene) -> str:
    """What the node fills mean: their colour scale, with the values at its ends ("fill: blue −1 … 0 …
    +1 orange; inputs ±0.99"), as ``node_ranges`` sets them (a value past an end keeps its colour)."""
    ranges = node_ranges(scene.trace, scene.acts, scene.quantity)
    inputs, rest = ranges[0], sorted(set(ranges[1:]))
    if len(rest) != 1:
        return "fill: blue < 0 < orange, each layer on its own scale"
    r = rest[0]
    key = f"fill: blue −{short_value(r)} … 0 … +{short_value(r)} orange"
    return key + (f"; inputs ±{short_value(inputs)}" if short_value(inputs) != short_value(r) else "")


FILL_LEGEND_STEPS = 11  # swatches in the drawn node-fill legend, −range … +range


def fill_legend(scene: Scene) -> dict:
    """The node fills' legend as the step view draws it: ``colours`` (FILL_LEGEND_STEPS '#rrggbb', −range
    … +range, the fills' own palette), the end values ``low`` and ``high`` ("" when each layer has its own
    range), ``inputs`` (their own range, or ""), and ``what`` the fills show."""
    ranges = node_ranges(scene.trace, scene.acts, scene.quantity)
    inputs, rest = ranges[0], sorted(set(ranges[1:]))
    what = {"activation": "a", "neg_delta": "δ = −∂E/∂z"}.get(scene.quantity, "δ = ∂E/∂z")
    colours = node_fill(np.linspace(-1.0, 1.0, FILL_LEGEND_STEPS)).tolist()
    if len(rest) != 1:
        return {"what": what, "colours": colours, "low": "", "high": "", "inputs": "", "per_layer": True}
    r = short_value(rest[0])
    return {
        "what": what,
        "colours": colours,
        "low": f"−{r}",
        "high": f"+{r}",
        "inputs": f"inputs ±{short_value(inputs)}" if short_value(inputs) != r else "",
        "per_layer": False,
    }


def caption_text(scene: Scene, key: bool = True) -> str:
    """What the nodes show (a or δ, of which sample), under the picture; ``key``: with the fills' scale in
    words (the step view draws it instead: ``fill_legend``)."""
    c, quantity = scene.sample, scene.quantity
    what = {"activation": "activation a", "neg_delta": "δ = −∂E/∂z"}.get(quantity, "δ = ∂E/∂z")
    pending = not all(d.all() for d in node_values(scene.trace, scene.cursor, c, quantity)[1])
    return (
        f"nodes: {what}, sample {c + 1} of {scene.trace.m}"
        + (f" ({fill_key(scene)})" if key else "")
        + ("; blank = not computed yet" if pending else "")
        + (f"; the event is sample {scene.event.sample + 1}" if scene.other_sample else "")
    )
