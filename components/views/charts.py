"""Training charts: loss curves, decision boundary / fitted curve, gradient norms per layer.

Pure functions from a ``Lab``'s recorded numbers (and engine forward passes) to plotly
figures. Figures are built from plain dicts: plotly's per-property validation costs
more than the data at these sizes.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import plotly.graph_objects as go

from components.views.palette import BLUE, BLUE_PALE, ORANGE, ORANGE_PALE, rgb
from components.views.revision import data_revision

__all__ = [
    "loss_figure",
    "data_figure",
    "outputs_figure",
    "boundary_grid",
    "boundary_png",
    "grad_norm_figure",
    "log_ticks",
    "BLUE",
    "ORANGE",
]

GRID = 80  # decision-boundary resolution (GRID × GRID forward passes)
# Our own light style, drawn with theme=None: Streamlit's theme is applied in the browser, and a
# second time once the chart's width is known (titles became <b><b>…), so every new chart was
# drawn twice on every play tick. A small template dict, not a named one (validating a named
# template into every figure cost ~25 ms per chart).
_INK, _MUTED, _GRID_LINE = "#1f2937", "#6b7280", "#e5e7eb"
_AXIS = dict(
    gridcolor=_GRID_LINE,
    zeroline=False,
    linecolor="#d1d5db",
    tickfont=dict(color=_MUTED, size=12),
    title=dict(font=dict(color=_MUTED, size=13)),
)
_LAYOUT = dict(
    margin=dict(l=50, r=10, t=62, b=40),
    height=300,  # title on top, the legend between it and the plot
    legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=dict(size=12)),
    font=dict(size=14, family="Source Sans, Source Sans Pro, DejaVu Sans, Arial, sans-serif", color=_INK),
    paper_bgcolor="#ffffff",
    plot_bgcolor="#ffffff",
    template=dict(layout=dict(xaxis=_AXIS, yaxis=_AXIS)),
)


def _figure(data, **layout) -> go.Figure:
    title = layout.pop("title", None)
    if title is not None:  # at the very top, so the titles of charts side by side line up
        title = {
            **title,
            "font": {"size": 16, "weight": 600},
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 10},
        }
        if "subtitle" in title:  # a second line: the plot moves down to make room
            title["subtitle"] = {**title["subtitle"], "font": {"size": 13, "color": _MUTED}}
            layout.setdefault("margin", {**_LAYOUT["margin"], "t": _LAYOUT["margin"]["t"] + 22})
    return go.Figure(
        {"data": data, "layout": {**_LAYOUT, "datarevision": data_revision(data), "title": title, **layout}},
        skip_invalid=False,
    )


def _line_mode(n_points: int) -> str:
    """Lines, with markers while there are few points (a lone point of a line is invisible)."""
    return "lines+markers" if n_points <= 20 else "lines"


def per_sample(E: float, loss_name: str, m: int) -> float:
    """The loss as the charts and status lines show it: half_sse sums over the m samples, so it is
    divided by m (E/m, comparable between the training and test sets); the others are means already."""
    return E / max(int(m), 1) if loss_name == "half_sse" else E


def loss_symbol(loss_name: str) -> str:
    """How that loss is labelled: "E/m" (half_sse, per sample) or "E"."""
    return "E/m" if loss_name == "half_sse" else "E"


def loss_summary(train: float, test: float | None, loss_name: str, m_train: int, m_test: int) -> str:
    """One line with the training (and test) loss, in the charts' convention, with what it is over:
    "E/m = 0.0171 on the 160 training samples · 0.0137 on the 40 test samples"."""
    text = f"{loss_symbol(loss_name)} = {per_sample(train, loss_name, m_train):.4g} on the {m_train} training samples"
    if test is not None:
        text += f" · {per_sample(test, loss_name, m_test):.4g} on the {m_test} test samples"
    return text


def accuracy_summary(accuracy: tuple[float, float | None] | None) -> str:
    """What the classification gets right, appended to a loss line: " · 92.5 % classified right (training)
    · 90 % (test)"; "" for regression."""
    if accuracy is None or not np.isfinite(accuracy[0]):
        return ""
    train, test = accuracy
    text = f" · {100 * train:.3g} % classified right (training)"
    return text + (f" · {100 * test:.3g} % (test)" if test is not None and np.isfinite(test) else "")


def loss_figure(curve: list, loss_name: str, m_train: int = 1, m_test: int = 1) -> go.Figure:
    """Train (and test) loss against epochs; log y-axis once the loss spans decades.

    half_sse sums over samples, so it is drawn per sample (E/m) to make train and test comparable.
    """
    x = [p[0] for p in curve]
    train = [per_sample(p[1], loss_name, m_train) if np.isfinite(p[1]) else None for p in curve]
    mode = _line_mode(len(x))
    data = [dict(type="scatter", x=x, y=train, name="train", mode=mode, line=dict(color=BLUE, width=3))]
    if any(p[2] is not None for p in curve):
        test = [per_sample(p[2], loss_name, m_test) if p[2] is not None and np.isfinite(p[2]) else None for p in curve]
        data.append(
            dict(type="scatter", x=x, y=test, name="test", mode=mode, line=dict(color=ORANGE, width=3, dash="dash"))
        )
    finite = [v for v in train if v is not None and v > 0]
    log = bool(finite) and max(finite) / max(min(finite), 1e-300) > 100
    title = f"Loss per sample, E/m ({loss_name})" if loss_name == "half_sse" else f"Loss E ({loss_name})"
    return _figure(
        data,
        title=dict(text=title, x=0.01),
        xaxis=dict(title="epoch"),
        yaxis=dict(title=loss_symbol(loss_name), type="log" if log else "linear"),
    )


def _bounds(X: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi - lo > 1e-6 * np.maximum(np.abs(hi), 1.0), 0.1 * (hi - lo), 0.5)  # one point: ±0.5 around it
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def boundary_grid(net, X: np.ndarray):
    """The network's output over the inputs' bounding box: (x0, x1, y0, y1), pixel centres gx
    (GRID,), gy (GRID,) and z (GRID, GRID), z[r, c] at (gx[c], gy[r]): output 0 of one-output
    networks, else argmax / (k − 1); NaN where the output is not finite."""
    x0, x1, y0, y1 = _bounds(X)
    gx = x0 + (np.arange(GRID) + 0.5) * (x1 - x0) / GRID  # the centres of GRID × GRID pixels
    gy = y0 + (np.arange(GRID) + 0.5) * (y1 - y0) / GRID
    xx, yy = np.meshgrid(gx, gy)
    with np.errstate(all="ignore"):
        out = net.forward(np.column_stack([xx.ravel(), yy.ravel()]))
    k = out.shape[1]
    zz = (out[:, 0] if k == 1 else out.argmax(axis=1) / max(k - 1, 1)).reshape(GRID, GRID)
    return (x0, x1, y0, y1), gx, gy, np.where(np.isfinite(zz), zz, np.nan)


_BOUNDARY_SCALE = [(p, np.array(rgb(c), float)) for p, c in ((0.0, BLUE_PALE), (0.5, "#f7f7f7"), (1.0, ORANGE_PALE))]


def boundary_png(z: np.ndarray, lo: float, hi: float) -> str:
    """z (h, w), rows bottom to top, as a PNG data URI: pale blue at lo, white at the middle, pale
    orange at hi (linear in RGB between), transparent where NaN. A plotly heatmap converted each of
    the GRID² cells to a colour string in the browser on every redraw, the largest part of a
    play tick's chart drawing; this image is a few kB and the browser only decodes it."""
    t = np.clip((z - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)[::-1]  # the image's rows go top down
    (_, c0), (p1, c1), (p2, c2) = _BOUNDARY_SCALE  # (p0 = 0)
    colour = np.where(
        (t <= p1)[..., None], c0 + (c1 - c0) * (t / p1)[..., None], c1 + (c2 - c1) * ((t - p1) / (p2 - p1))[..., None]
    )
    alpha = np.where(np.isnan(t), 0, 255)[..., None]
    rgba = np.concatenate([np.nan_to_num(np.rint(colour)), alpha], axis=-1).astype(np.uint8)
    h, w = z.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgba.reshape(h, w * 4)], axis=1).tobytes()  # filter 0 per row

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _titled(text: str, note: str) -> dict:
    """A title with ``note`` as its subtitle: "Decision boundary · after 2128 updates" on one line ran past
    a chart column at 1280 px."""
    return dict(text=text, x=0.01, **({"subtitle": dict(text=note)} if note else {}))


OUTPUTS_BELOW = 2  # fewer training samples than this (one): outputs against targets, not a boundary through a point
OUTPUTS_SHOWN = 8  # samples whose outputs are drawn


def outputs_figure(net, dataset, title_note: str = "") -> go.Figure:
    """Each output of the network beside its target, for the first OUTPUTS_SHOWN training samples: what a
    worked example of one sample, or a regression with several outputs, is learning."""
    X, Y = dataset.X_train[:OUTPUTS_SHOWN], dataset.Y_train[:OUTPUTS_SHOWN]
    with np.errstate(all="ignore"):
        out = net.forward(X)
    m, k = Y.shape
    names = [
        f"output {i + 1}" if m == 1 else f"sample {c + 1}" if k == 1 else f"sample {c + 1}, output {i + 1}"
        for c in range(m)
        for i in range(k)
    ]
    bars = [
        dict(type="bar", x=names, y=Y.ravel(), name="target y", marker=dict(color="#a0aec0")),
        dict(
            type="bar",
            x=names,
            y=np.where(np.isfinite(out), out, np.nan).ravel(),
            name="output a",
            marker=dict(color=ORANGE),
        ),
    ]
    more = dataset.X_train.shape[0] - m
    return _figure(
        bars,
        title=_titled("Outputs against targets" + (f" (first {m} samples)" if more > 0 else ""), title_note),
        barmode="group",
        xaxis=dict(type="category"),
        yaxis=dict(title="value", zeroline=True),
        margin={**_LAYOUT["margin"], "t": _LAYOUT["margin"]["t"] + 22 * bool(title_note)},
        height=380,
    )


def data_figure(net, dataset, title_note: str = "") -> go.Figure | None:
    """2-D data: points over the network's output as an image (``boundary_grid``, ``boundary_png``);
    1-D: data and fitted curve. ``title_note`` says which parameters ``net`` holds (e.g. "after
    3 updates")."""
    X, Y = dataset.X, dataset.Y
    n_train = dataset.X_train.shape[0]
    if n_train < OUTPUTS_BELOW or (Y.shape[1] > 1 and dataset.task == "regression"):
        return outputs_figure(net, dataset, title_note)
    if X.shape[1] == 2:
        (x0, x1, y0, y1), _, _, zz = boundary_grid(net, X)
        label = Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1) / max(Y.shape[1] - 1, 1)
        lo, hi = (float(np.nanmin(label)), float(np.nanmax(label))) if label.size else (0.0, 1.0)
        image = dict(
            source=boundary_png(zz, lo, hi),
            xref="x",
            yref="y",
            x=x0,
            y=y1,
            sizex=x1 - x0,
            sizey=y1 - y0,
            sizing="stretch",
            layer="below",
        )
        data = []
        for part, sl, symbol in (
            ("train", slice(0, n_train), "circle"),
            ("test", slice(n_train, None), "diamond-open"),
        ):
            pts, lab = X[sl], label[sl]
            if len(pts):
                data.append(
                    dict(
                        type="scatter",
                        x=pts[:, 0],
                        y=pts[:, 1],
                        mode="markers",
                        name=part,
                        marker=dict(
                            symbol=symbol,
                            size=8,
                            color=lab,
                            cmin=lo,
                            cmax=hi if hi > lo else lo + 1,
                            colorscale=[[0, BLUE], [1, ORANGE]],
                            line=dict(color="white" if part == "train" else "black", width=1),
                        ),
                    )
                )
        k = Y.shape[1]
        key = (
            f"background: output {lo:g} (blue) … {hi:g} (orange)"
            if k == 1
            else f"background: class picked, 1 (blue) … {k} (orange)"
        )
        return _figure(
            data,
            title=_titled("Decision boundary", title_note),
            images=[image],
            annotations=[  # what the background's colours mean (the points' colours are their labels)
                dict(
                    text=key,
                    xref="paper",
                    yref="paper",
                    x=0,
                    y=0,
                    yshift=-50,
                    xanchor="left",
                    yanchor="top",
                    showarrow=False,
                    font=dict(size=12, color=_MUTED),
                )
            ],
            margin={
                **_LAYOUT["margin"],
                "t": _LAYOUT["margin"]["t"] + 22 * bool(title_note),
                "b": _LAYOUT["margin"]["b"] + 34,
            },
            xaxis=dict(title=dataset.feature_names[0], range=[x0, x1], showgrid=False, zeroline=False),
            yaxis=dict(title=dataset.feature_names[1], range=[y0, y1], scaleanchor="x", showgrid=False, zeroline=False),
            height=380,
        )
    if X.shape[1] == 1:
        lo, hi = float(X.min()), float(X.max())
        gx = np.linspace(lo, hi, 200)
        with np.errstate(all="ignore"):
            out = net.forward(gx[:, None])[:, 0]
        data = [
            dict(
                type="scatter",
                x=X[:n_train, 0],
                y=Y[:n_train, 0],
                mode="markers",
                name="train",
                marker=dict(color=BLUE, size=7),
            ),
            dict(
                type="scatter",
                x=X[n_train:, 0],
                y=Y[n_train:, 0],
                mode="markers",
                name="test",
                marker=dict(color=ORANGE, size=7, symbol="diamond-open"),
            ),
            dict(
                type="scatter",
                x=gx,
                y=np.where(np.isfinite(out), out, np.nan),
                mode="lines",
                name="network",
                line=dict(color="#333", width=3),
            ),
        ]
        return _figure(
            data,
            title=_titled("Fitted curve", title_note),
            xaxis=dict(title=dataset.feature_names[0]),
            yaxis=dict(title=dataset.target_names[0]),
            height=320,
        )
    return None


def log_ticks(lo: float, hi: float) -> list[float]:
    """Tick values for a log axis over [lo, hi] (both > 0): 1, 2, 5 × 10^k over up to two decades,
    powers of ten beyond (every other one past eight). Plotly's own choice over a narrow range
    labels every mantissa with a bare digit (2, 1, 9, 8 … 2 on a fresh page)."""
    k0, k1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    if k1 - k0 > 2:  # every power of ten from below the lowest value to above the highest
        ticks = [10.0**k for k in range(k0, k1 + 1)]
    else:
        ticks = [m * 10.0**k for k in range(k0, k1 + 1) for m in (1, 2, 5) if lo / 1.6 <= m * 10.0**k <= hi * 1.6]
    step = int(np.ceil(len(ticks) / 8))
    return ticks[::step] if ticks else [lo]


def grad_norm_figure(grad_norms: list) -> go.Figure:
    """‖∂E/∂W^l‖ per layer over time, log scale: vanishing gradients show as a fan of lines. The
    legend sits under the plot (one entry per layer: on top it would wrap onto the title)."""
    data, yaxis = [], dict(title="norm", type="log")
    if grad_norms:
        # numpy arrays (NaN = gap): plotly checks a list element by element, ~50 ms per redraw at 600 points
        x = np.array([p[0] for p in grad_norms], dtype=float)
        L = len(grad_norms[-1][1])
        palette = ["#2166ac", "#4393c3", "#92c5de", "#fdb863", "#e08214", "#b35806", "#542788", "#8073ac", "#333333"]
        ys = []
        for l in range(L):
            y = np.array([p[1][l] if len(p[1]) > l and p[1][l] > 0 else np.nan for p in grad_norms], dtype=float)
            ys.append(y)
            data.append(
                dict(
                    type="scatter",
                    x=x,
                    y=y,
                    mode=_line_mode(x.size),
                    name=f"W{l + 1}",
                    line=dict(color=palette[l % len(palette)], width=2.5),
                )
            )
        shown = np.concatenate(ys) if ys else np.array([])
        shown = shown[np.isfinite(shown)]
        if shown.size:
            ticks = log_ticks(float(shown.min()), float(shown.max()))
            yaxis.update(tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return _figure(
        data,
        title=dict(text="Gradient norm per layer ‖∂E/∂W‖", x=0.01),
        xaxis=dict(title="epoch"),
        yaxis=yaxis,
        legend=dict(orientation="h", y=-0.3, yanchor="top", x=0, font=dict(size=12)),
        height=340,
    )
