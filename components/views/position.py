"""Where the cursor stands, for the step panel: the progress line in words and the event's layer as a table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.views.notation import Notation, get_notation

__all__ = ["progress_text", "layer_table", "layer_table_reveal"]


def progress_text(trace, cursor: int) -> str:
    """Where the cursor is, in words: phase, sample (m > 1), layer and position."""
    if cursor < 0:
        return "ready: press → to start the forward pass"
    lay, e = trace.layout, trace.event(int(cursor))
    l, i, c = e.layer, e.i, e.sample
    sample = [f"sample {c + 1} of {lay.m}"] if (c is not None and lay.m > 1) else []
    where = f"layer {l} of {lay.L}"
    if e.kind == "loss":
        return "loss"
    if e.kind == "forward":
        parts = ["forward pass", *sample, where, f"neuron {i + 1} of {lay.sizes[l]}"]
    elif e.kind == "delta":
        parts = ["backward pass", *sample, where, f"δ {i + 1} of {lay.sizes[l]}"]
    else:
        first, last = lay.group(e.index, "layer")
        label = {"grad_w": "∂E/∂w", "grad_b": "∂E/∂b", "update_w": "Δw", "update_b": "Δb"}[e.kind]
        phase = "gradients" if e.is_gradient else "update"
        parts = [phase, where, f"{label} {cursor - first + 1} of {last - first + 1}"]
    return ", ".join(parts)


def layer_table(trace, event, digits: int | None = None, notation: str | Notation = "neutral") -> pd.DataFrame:
    """The event's whole layer as a table; the boolean column ``current`` marks the event's row.

    forward/delta: one row per neuron of the layer, for the event's sample: neuron, z, a,
    (y for the output layer), δ (in the notation's sign: −∂E/∂z for seeds 002 and 003).
    loss: one row per (sample, output neuron): a, y.
    grad/update: one row per weight (and bias) of the layer: from, to, w, ∂E/∂w, Δw, w'.
    Values not yet computed at this cursor are NaN. ``digits`` rounds the numbers.
    """
    full, reveal = layer_table_reveal(trace, event, notation)
    for c, when in reveal.items():
        full[c] = full[c].where(when <= event.index, np.nan)
    return full.round(digits) if digits is not None else full


def layer_table_reveal(trace, event, notation: str | Notation = "neutral") -> tuple[pd.DataFrame, dict]:
    """(table, reveal): ``layer_table`` with every value filled in, and for each column whose values
    appear one by one, the event index (an (rows,) array) from which each of its cells is shown."""
    lay, l = trace.layout, event.layer
    sign = get_notation(notation).delta_sign
    if event.kind == "loss":
        rows = [
            {"sample": c + 1, "neuron": i + 1, "a": trace.A[-1][c, i], "y": trace.Y[c, i], "current": True}
            for c in range(lay.m)
            for i in range(lay.sizes[-1])
        ]
        return pd.DataFrame(rows), {}
    if event.kind in ("forward", "delta"):
        c, neurons = event.sample, np.arange(lay.sizes[l])
        fwd, bwd = lay.forward_index(l, neurons, c), lay.delta_index(l, neurons, c)
        cols = {"neuron": neurons + 1, "z": trace.Z[l][c].copy(), "a": trace.A[l][c].copy()}
        if l == lay.L:
            cols["y"] = trace.Y[c]
        cols["δ"] = sign * trace.deltas[l][c]
        cols["current"] = neurons == event.i
        return pd.DataFrame(cols), {"z": fwd, "a": fwd, "δ": bwd}
    # rows in gradient order: neuron i of layer l, then each incoming weight j, then the bias
    n_in, cols = lay.sizes[l - 1], lay.sizes[l - 1] + int(trace.bias)
    i, j = np.divmod(np.arange(lay.sizes[l] * cols), cols)
    bias = j == n_in

    def table(W, b):  # weights (n_l, n_in) and biases (n_l,) as one column per row
        return (np.hstack([W, b[:, None]]) if trace.bias else W).ravel()

    graded = lay.grad_index(l, i, j)
    # a bias that is not updated keeps its value once its neuron's last weight is updated
    updated = lay.update_index(l, i, j if lay.update_biases else np.minimum(j, n_in - 1))
    df = pd.DataFrame(
        {
            "from": np.where(bias, "bias", (j + 1).astype(str)),
            "to": i + 1,
            "w": table(trace.weights_before[l - 1], trace.biases_before[l - 1]),
            "∂E/∂w": table(trace.grad_weights[l - 1], trace.grad_biases[l - 1]),
            "Δw": table(trace.delta_weights[l - 1], trace.delta_biases[l - 1]),
            "w'": table(trace.weights_after[l - 1], trace.biases_after[l - 1]),
            "current": (i == event.i) & (bias if event.j is None else j == event.j),
        }
    )
    return df, {"∂E/∂w": graded, "Δw": updated, "w'": updated}
