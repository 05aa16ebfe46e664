"""The gradient check as a table: backprop against central finite differences, per parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.views.notation import Shape, get_notation, plain_symbol
from engine import Network, gradient_check

__all__ = ["gradient_check_table"]


def gradient_check_table(lab) -> pd.DataFrame:
    """Backprop vs central differences for every parameter, on the current update's batch; each
    parameter named as the chosen notation names it in the panel (plain text: w⁽¹⁾₁₂, b⁽²⁾₁)."""
    tr = lab.trace
    nt = get_notation(lab.display.notation)
    shape = Shape(tuple(tr.layer_sizes), int(tr.m))
    probe = Network.from_dict(lab.net.to_dict())
    probe.set_parameters(tr.weights_before, tr.biases_before)
    chk = gradient_check(probe, tr.X, tr.Y)
    rows = []
    for l, (bw, nw, ew) in enumerate(zip(chk.backprop_weights, chk.numeric_weights, chk.error_weights), start=1):
        for (i, j), v in np.ndenumerate(bw):
            rows.append(
                {
                    "parameter": plain_symbol(nt.weight(shape, l, i, j)),
                    "backprop": v,
                    "finite difference": nw[i, j],
                    "relative error": ew[i, j],
                }
            )
        if lab.net.bias:
            for i, v in enumerate(chk.backprop_biases[l - 1]):
                rows.append(
                    {
                        "parameter": plain_symbol(nt.bias(shape, l, i)),
                        "backprop": v,
                        "finite difference": chk.numeric_biases[l - 1][i],
                        "relative error": chk.error_biases[l - 1][i],
                    }
                )
    return pd.DataFrame(rows)
