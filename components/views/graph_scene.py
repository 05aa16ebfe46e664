"""What every part of the graph figure shares: the scene it draws and the style it draws it in.

``graph.build_figure`` makes one ``Scene`` per figure and hands it to the parts: edges
(``graph_edges``), nodes (``graph_nodes``) and annotations (``graph_annotations``).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.views.graph_data import GraphLayout
from engine import Event, Trace

__all__ = ["Scene", "scatter", "INK", "RING", "SELECT", "HALO", "FONT", "X_PAD"]

X_PAD = 0.32  # the x axis reaches this far (in column gaps) beyond the first and last column
INK, RING, SELECT = "#1a1a1a", "#111111", "#c51b7d"  # text; the event's ring and outline; the selection ring
HALO = "0 0 2px #ffffff, 0 0 2px #ffffff, 0 0 3px #ffffff"  # a white rim: text stays legible over edges
FONT = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Scene:
    """One figure's state: the network at the cursor and how large things are drawn.

    sample, quantity: the batch sample whose values the nodes show, and which value
    ("activation" a or "delta" δ; None without a trace).
    labels: values printed on the nodes; font_size: px; diam: node diameter per layer 0 … L
    in px (``node_sizes``); width: the plot's expected width in px.
    """

    lay: GraphLayout
    trace: Trace | None
    cursor: int
    event: Event | None
    acts: tuple[str, ...]
    sample: int
    quantity: str | None
    labels: bool
    font_size: int
    diam: tuple[float, ...]
    width: int

    @property
    def L(self) -> int:
        return len(self.lay.sizes) - 1

    @property
    def other_sample(self) -> bool:
        """The event belongs to another sample than the nodes show."""
        return self.event is not None and self.event.sample not in (None, self.sample)


def scatter(name: str, mode: str, x, y, **kw) -> dict:
    """A plotly scatter trace as a dict (layout.showlegend is False: the name is for tests and debugging)."""
    return dict(type="scatter", name=name, mode=mode, x=x, y=y, **kw)
