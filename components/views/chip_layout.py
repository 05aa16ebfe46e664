"""Where each edge's printed value goes (small nets): along its own edge, clear of the others.

Pixel geometry only (numpy): the graph (``graph_edges.edge_chips``) passes the plot's scale, the text
widths and the nodes to avoid; the positions come back in data units.
"""

from __future__ import annotations

import numpy as np

from components.views.graph_data import GraphLayout

__all__ = ["CHIP_AT", "chip_positions", "overlap"]

CHIP_AT = (0.4, 0.32, 0.48, 0.25, 0.56, 0.64, 0.18, 0.72, 0.8, 0.12, 0.86)  # fractions along an edge, best first


def overlap(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(n, m) area in px² shared by each box (x_lo, x_hi, y_lo, y_hi) of ``boxes`` with each of ``others``."""
    ox = np.clip(
        np.minimum(boxes[:, None, 1], others[None, :, 1]) - np.maximum(boxes[:, None, 0], others[None, :, 0]), 0, None
    )
    oy = np.clip(
        np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 2], others[None, :, 2]), 0, None
    )
    return ox * oy


def chip_positions(
    lay: GraphLayout,
    idx: np.ndarray,
    widths_px: np.ndarray,
    height_px: float,
    *,
    px_per_x: float,
    px_per_y: float,
    obstacles: tuple,
) -> tuple[np.ndarray, np.ndarray]:
    """x, y (data units) of the value printed on each edge of ``idx``: the first fraction of CHIP_AT
    along it whose text box (``widths_px`` (k,) × ``height_px``) clears the boxes already placed and
    the ``obstacles`` (x, y, size in px: the nodes and bias units, as squares; covering one counts
    4×, it hides the node's own value); else where it overlaps least. Greedy in edge order, and
    kept only if it overlaps less in all than every value at CHIP_AT[0]. Where edges fan out from
    one node their values no longer print on top of each other (a 2-5-1 network stacked ten)."""
    t = np.asarray(CHIP_AT)
    ox_, oy_, osz = (np.asarray(a, float) for a in obstacles)
    nodes = np.stack(
        [ox_ * px_per_x - osz / 2, ox_ * px_per_x + osz / 2, oy_ * px_per_y - osz / 2, oy_ * px_per_y + osz / 2], axis=1
    )
    cx = (lay.x0[idx, None] + t * (lay.x1[idx, None] - lay.x0[idx, None])) * px_per_x  # (k, len(t)) centres, px
    cy = (lay.y0[idx, None] + t * (lay.y1[idx, None] - lay.y0[idx, None])) * px_per_y
    w = np.asarray(widths_px, float)[:, None]
    boxes = np.stack([cx - w / 2, cx + w / 2, cy - height_px / 2, cy + height_px / 2], axis=2)  # (k, len(t), 4)

    def cost(chosen: np.ndarray) -> float:  # all chip-chip overlaps once, node overlaps 4×
        b = boxes[np.arange(len(idx)), chosen]
        return float(np.triu(overlap(b, b), 1).sum() + 4 * overlap(b, nodes).sum())

    chosen = np.zeros(len(idx), int)
    for k in range(len(idx)):
        placed = boxes[np.arange(k), chosen[:k]]
        covered = overlap(boxes[k], placed).sum(axis=1) + 4 * overlap(boxes[k], nodes).sum(axis=1)
        chosen[k] = int(np.argmax(covered == 0)) if (covered == 0).any() else int(np.argmin(covered))
    if cost(chosen) >= cost(np.zeros(len(idx), int)):
        chosen[:] = 0
    pick = np.arange(len(idx))
    return cx[pick, chosen] / px_per_x, cy[pick, chosen] / px_per_y
