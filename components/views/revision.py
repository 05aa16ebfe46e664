"""``layout.datarevision`` for our plotly figures: a short fingerprint of their data.

Streamlit draws a newly mounted chart, then hands plotly the same figure again once it has
measured the chart's width (a JSON copy: new arrays). Without a datarevision, ``Plotly.react``
takes new arrays for new data and draws everything a second time; with one that is unchanged
it keeps the drawing. The fingerprint changes whenever the data does, so a figure updated in
place (rather than remounted) is still redrawn.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

__all__ = ["data_revision"]


def _plain(v):
    if isinstance(v, np.ndarray):
        return [v.dtype.str, v.shape, hashlib.blake2b(np.ascontiguousarray(v).tobytes(), digest_size=8).hexdigest()]
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        return v.item()
    raise TypeError(f"no fingerprint for {type(v).__name__}")


def data_revision(data: list) -> str:
    """A 16-hex-digit fingerprint of a figure's traces (dicts of lists, numbers, strings, numpy arrays)."""
    text = json.dumps(data, default=_plain, sort_keys=True, allow_nan=True)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
