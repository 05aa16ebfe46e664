"""The app on a 784-32-10 network (benchmarks only): the page cannot build one (64 inputs at most).

Each new session starts with a lab on 200 random 28×28 "images" (784 inputs in [−0.1, 0.1]: raw
[0, 1] pixels sum to |z| > 36 at some hidden neuron, where the lab stops the cursor as saturated; 10 one-hot
classes), a 32-sigmoid hidden layer and a softmax-free sigmoid output, in mini-batches of 10; then
the app itself runs, unchanged. Used by bench_step_latency.py to time → on a 784-32-10 update
(10 samples: 51,741 events per update, sent in windows).
"""

from __future__ import annotations

import os
import runpy
import sys

import numpy as np
import streamlit as st

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from components.model.config import LabConfig  # noqa: E402
from components.model.lab import build_lab  # noqa: E402
from components.ui import state  # noqa: E402
from engine.datasets import Dataset  # noqa: E402

if state.KEY not in st.session_state:
    rng = np.random.default_rng(0)
    X = 0.2 * (rng.random((200, 784)) - 0.5)  # small, centred pixels: z stays far from saturation
    Y = np.eye(10)[rng.integers(0, 10, 200)]
    data = Dataset(
        "784 random pixels",
        X[:160],
        Y[:160],
        X[160:],
        Y[160:],
        "classification",
        tuple(f"p{i}" for i in range(784)),
        tuple(f"c{i}" for i in range(10)),
    )
    config = LabConfig(hidden=(32,), hidden_activation=("sigmoid",), lr=0.5, batch_size=10, dataset="csv")
    st.session_state[state.KEY] = build_lab(config, csv=data)

runpy.run_path(os.path.join(ROOT, "app.py"), run_name="__main__")
