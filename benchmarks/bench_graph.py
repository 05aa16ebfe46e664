"""How long the network graph takes to build AND serialise, as Streamlit does it.

    python benchmarks/bench_graph.py

Streamlit's st.plotly_chart runs ``fig.to_dict()`` then ``plotly.io.to_json(dict,
validate=False)``; each timing below is build_figure + exactly that, the median of
several runs at a cursor in the middle of the backward pass (the busiest figure: edge
highlights, hover text, faded pending values). The median
(and the fastest run, less disturbed by other processes) is printed. Targets: < 10 ms for the 344-weight
2-8-8-8-8-8-8-1 net, < 150 ms for 784-32-10 (25,408 weights). A naive figure with one
plotly trace per edge is timed on the 344-weight net for comparison.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from components.views.graph import GraphOptions, build_figure, graph_layout
from components.views.palette import BLUE, ORANGE
from engine import Network

NETS = {"2-4-4-1": [2, 4, 4, 1], "2-8x6-1": [2, 8, 8, 8, 8, 8, 8, 1], "784-32-10": [784, 32, 10]}
TARGET_MS = {"2-8x6-1": 10.0, "784-32-10": 150.0}


def as_streamlit_sends(fig: go.Figure) -> str:
    return pio.to_json(fig.to_dict(), validate=False)


def timings_ms(fn, runs: int) -> list[float]:
    fn()  # warm-up (layout cache, imports)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return times


def median_ms(fn, runs: int) -> float:
    return statistics.median(timings_ms(fn, runs))


def example(sizes, m: int = 4):
    net = Network(sizes, activations="sigmoid", seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.random((m, sizes[0])), rng.random((m, sizes[-1]))
    tr = net.trace(X, Y, lr=0.5)
    return net, tr, (tr.layout.delta_start + tr.layout.grad_start) // 2  # mid backward pass


def naive_figure(net, tr, cursor) -> go.Figure:
    """The slow way: one validated go.Scatter per edge."""
    lay = graph_layout(tuple(net.layer_sizes), net.bias)
    W, _ = tr.parameters_at(cursor)
    v = np.concatenate([w.ravel() for w in W])
    fig = go.Figure()
    for e in range(v.size):
        color = ORANGE if v[e] > 0 else BLUE
        fig.add_trace(
            go.Scatter(
                x=[lay.x0[e], lay.x1[e]],
                y=[lay.y0[e], lay.y1[e]],
                mode="lines",
                line=dict(color=color, width=0.5 + 5 * min(abs(v[e]), 1)),
                hoverinfo="skip",
            )
        )
    fig.add_trace(go.Scatter(x=lay.node_x, y=lay.node_y, mode="markers", marker=dict(size=30)))
    return fig


def main() -> int:
    ok = True
    print(
        f"{'network':<10} {'weights':>8} {'traces':>7} {'build ms':>9} "
        f"{'+json ms':>9} {'(min)':>7} {'json kB':>8}  target"
    )
    for name, sizes in NETS.items():
        net, tr, k = example(sizes)
        opts = GraphOptions(color_by="weight", sample=0)
        runs = 15 if sizes[0] > 100 else 41
        build = median_ms(lambda: build_figure(net, tr, k, opts), runs)
        all_runs = timings_ms(lambda: as_streamlit_sends(build_figure(net, tr, k, opts)), runs)
        total, fastest = statistics.median(all_runs), min(all_runs)
        fig = build_figure(net, tr, k, opts)
        kb = len(as_streamlit_sends(fig)) / 1024
        target = TARGET_MS.get(name)
        verdict = "" if target is None else (f"< {target:g} ms " + ("ok" if total < target else "MISSED"))
        ok &= target is None or total < target
        n_w = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        print(
            f"{name:<10} {n_w:>8} {len(fig.data):>7} {build:>9.1f} {total:>9.1f} {fastest:>7.1f} {kb:>8.0f}  {verdict}"
        )
    net, tr, k = example(NETS["2-8x6-1"])
    fast = median_ms(lambda: as_streamlit_sends(build_figure(net, tr, k, GraphOptions())), 31)
    naive = median_ms(lambda: as_streamlit_sends(naive_figure(net, tr, k)), 3)
    print(f"naive one-trace-per-edge 2-8x6-1: {naive:.1f} ms (+json), {naive / fast:.0f}× slower than build_figure")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
