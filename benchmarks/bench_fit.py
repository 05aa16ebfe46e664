"""Training speed: µs per gradient-descent update of ``net.fit`` vs a plain numpy loop vs PyTorch.

    python benchmarks/bench_fit.py            # full run (about a minute; longer on a busy machine)
    python benchmarks/bench_fit.py --quick    # CI smoke run (< 20 s); numbers are noisier

The workload is the issue's headline (TensorFlow Playground's default shape):
network 2-8-8-8-8-8-8-1, tanh on every layer including the output, E = ½ Σ (a − y)²,
500 points of an XOR-like 2-D dataset (uniform in [−1, 1]², labels ±1), η = 0.01,
batch sizes 1, 10, 30, 100, 500, float64, one thread everywhere.

Each column does the same updates from the same initial weights (checked before timing to
max |Δ| < 1e-9). What each one times, per repeat of whole epochs:

- ``net.fit(X, Y, lr, epochs, batch_size)``: exactly what a user calls, including its
  contract of evaluating E on all 500 points after every epoch (the returned loss curve);
- the numpy loop: a student's loop, updates only (forward, δ, W −= η ∂E/∂W, b −= η ∂E/∂b);
- PyTorch: nn.Linear + nn.Tanh, float64, batches sliced from one tensor (no DataLoader), per
  update forward, loss, backward, torch.optim.SGD step,
  zero_grad; updates only.

So the engine column carries slightly more work than the other two (a conservative comparison;
at batch 500 the per-epoch loss is one extra forward pass per update).

µs per update = median over repeats of (CPU time of the repeat / its updates): one thread, so
CPU time is the work done, and it does not count the time other jobs on a shared machine take
(the run prints wall / CPU time as a warning when they took a lot). Every repeat is
at least 0.3 s (0.03 s with --quick); the three implementations take turns, repeat by repeat,
so slow drifts of the machine hit them alike.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy (and torch) are imported

import argparse  # noqa: E402
import gc  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from engine import Network  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # optional: only the comparison column needs it
    torch = None

SIZES = (2, 8, 8, 8, 8, 8, 8, 1)
BATCH_SIZES = (1, 10, 30, 100, 500)
M, LR = 500, 0.01
TORCH_MIN_SPEEDUP_B10 = 3.0  # the issue: engine ≥ 3× faster per update than torch at batch 10

# TensorFlow Playground, 2-8×6-1 tanh, 500 points, as reported in the issue (µs per update),
# and the plain numpy loop measured in that same run, used to rescale to this machine.
TF_REF = {10: 114.0, 500: 5000.0}
TF_REF_NUMPY = {10: 185.0, 500: 940.0}


# ------------------------------------------------------------------------- workload
def make_data(m=M, seed=0):
    """XOR-like data: X (m, 2) uniform in [−1, 1]², Y (m, 1) = sign(x₁ x₂) ∈ {−1, +1}."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(m, 2))
    Y = np.where(X[:, :1] * X[:, 1:] >= 0.0, 1.0, -1.0)
    return X, Y


def make_network():
    """2-8-8-8-8-8-8-1, tanh everywhere, ½ Σ (a − y)², weights ~ U(−0.5, 0.5), zero biases."""
    return Network(SIZES, activations="tanh", loss="half_sse", bias=True, seed=0, init="uniform")


# ------------------------------------------------------------------ implementations
def numpy_loop(Ws, bs, X, Y, lr, epochs, *, B):
    """Plain gradient descent, in place, on Ws[l] = W^{l+1} (n_{l+1}, n_l) and bs[l] = b^{l+1}."""
    m = X.shape[0]
    for _ in range(epochs):
        for start in range(0, m, B):
            Xb, Yb = X[start : start + B], Y[start : start + B]
            A = [Xb]  # A[l] = A^l: (B, n_l)
            for W, b in zip(Ws, bs):
                A.append(np.tanh(A[-1] @ W.T + b))  # A^l = tanh(A^{l-1} W^lᵀ + b^l)
            delta = (A[-1] - Yb) * (1.0 - A[-1] ** 2)  # δ^L = (a − y) ⊙ (1 − a²)
            for l in range(len(Ws) - 1, -1, -1):  # delta is δ^{l+1}
                gW = delta.T @ A[l]  # ∂E/∂W^{l+1} = δ^{l+1}ᵀ A^l
                gb = delta.sum(axis=0)  # ∂E/∂b^{l+1} = Σ_c δ^{l+1}_c
                if l > 0:
                    delta = (delta @ Ws[l]) * (1.0 - A[l] ** 2)  # δ^l, with W^{l+1} before its update
                Ws[l] -= lr * gW
                bs[l] -= lr * gb


def torch_model(net):
    """The same network as nn.Sequential(Linear, Tanh, …), float64, with net's parameters."""
    layers = []
    for W, b in zip(net.weights, net.biases):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin, torch.nn.Tanh()]
    return torch.nn.Sequential(*layers)


def torch_loop(model, opt, Xt, Yt, epochs, B):
    """Mini-batch SGD over the batches in order, like net.fit; E = ½ Σ (out − y)²."""
    m = Xt.shape[0]
    for _ in range(epochs):
        for start in range(0, m, B):
            out = model(Xt[start : start + B])
            loss = 0.5 * ((out - Yt[start : start + B]) ** 2).sum()
            loss.backward()
            opt.step()
            opt.zero_grad()


class Runner:
    """One implementation: reset() to the initial weights, run(epochs, B), params() for checks."""

    def __init__(self, name, reset, run, params):
        self.name, self.reset, self.run, self.params = name, reset, run, params


def make_runners(X, Y):
    net0 = make_network()
    W0, b0 = net0.parameters()
    runners = []

    net = make_network()
    runners.append(
        Runner(
            "engine",
            lambda: net.set_parameters(W0, b0),
            lambda epochs, B: net.fit(X, Y, LR, epochs, batch_size=B),
            lambda: net.parameters(),
        )
    )

    state = {}

    def np_reset():
        state["W"], state["b"] = [W.copy() for W in W0], [b.copy() for b in b0]

    runners.append(
        Runner(
            "numpy",
            np_reset,
            lambda epochs, B: numpy_loop(state["W"], state["b"], X, Y, LR, epochs, B=B),
            lambda: ([W.copy() for W in state["W"]], [b.copy() for b in state["b"]]),
        )
    )

    if torch is not None:
        model = torch_model(net0)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        lins = [mod for mod in model if isinstance(mod, torch.nn.Linear)]
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

        def torch_reset():
            with torch.no_grad():
                for lin, W, b in zip(lins, W0, b0):
                    lin.weight.copy_(torch.from_numpy(W))
                    lin.bias.copy_(torch.from_numpy(b))
            opt.zero_grad()

        runners.append(
            Runner(
                "torch",
                torch_reset,
                lambda epochs, B: torch_loop(model, opt, Xt, Yt, epochs, B),
                lambda: (
                    [lin.weight.detach().numpy().copy() for lin in lins],
                    [lin.bias.detach().numpy().copy() for lin in lins],
                ),
            )
        )
    return runners


# --------------------------------------------------------------------- measurement
CLOCK = {"cpu": 0.0, "wall": 0.0}  # totals over all timed runs: wall / cpu > 1 means a busy machine


def timed(r, epochs, B):
    """CPU seconds of this process for ``epochs`` epochs at batch size B from the initial weights.

    CPU time, not wall time: everything runs on one thread, and on a machine shared with
    other jobs the CPU time per update stays put while the wall time does not. (reset untimed)
    """
    r.reset()
    gc.disable()  # (no gc.collect() here: with torch loaded it costs ~0.1 s a call)
    try:
        w0, t0 = time.perf_counter(), time.process_time()
        r.run(epochs, B)
        t, w = time.process_time() - t0, time.perf_counter() - w0
    finally:
        gc.enable()
    CLOCK["cpu"] += t
    CLOCK["wall"] += w
    return t


def verify_epochs(B):
    """Epochs for the check: at least 4 updates, at least one whole epoch."""
    return max(1, math.ceil(4 / math.ceil(M / B)))


def verify(runners, B, tol=1e-9):
    """Run every implementation a few updates from the same start; assert equal parameters.

    Returns {name: seconds per epoch} of this (first, cold) run, a rough size for the repeats.
    """
    seconds, results = {}, {}
    epochs = verify_epochs(B)
    for r in runners:
        seconds[r.name] = timed(r, epochs, B) / epochs
        results[r.name] = r.params()
    W_ref, b_ref = results["engine"]
    for name, (W, b) in results.items():
        diff = max(float(np.max(np.abs(x - y))) for x, y in zip(W + b, W_ref + b_ref))
        if not diff < tol:  # (not an assert: python -O must not skip the check)
            raise AssertionError(
                f"{name} differs from net.fit by {diff:.2e} after {epochs} epoch(s) "
                f"at batch size {B}: the columns would not time the same work"
            )
    return seconds


def measure(runners, B, repeats, min_time, per_epoch):
    """{name: [µs per update, one per repeat]} at batch size B; repeats of ≥ min_time s, interleaved.

    per_epoch: {name: seconds per epoch} from the cold first run; when an epoch is shorter than
    min_time, a warm run of about min_time / 4 refines it before the repeats are sized.
    """
    updates_per_epoch = math.ceil(M / B)
    epochs = {}
    for r in runners:
        t1 = per_epoch[r.name]
        if t1 < min_time:  # cheap: time a warm run of about min_time / 4
            n = max(1, math.ceil(min_time / 4 / t1))
            t1 = timed(r, n, B) / n
        epochs[r.name] = max(1, math.ceil(1.25 * min_time / t1))
    samples = {r.name: [] for r in runners}
    for _ in range(repeats):
        for r in runners:
            n = epochs[r.name]
            samples[r.name].append(timed(r, n, B) / (n * updates_per_epoch) * 1e6)
    return samples


# ------------------------------------------------------------------------ reporting
def _us(x):
    return "—" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def _ratio(num, den):
    return "—" if num is None or den is None else f"{num / den:.1f}×"


def environment():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    tv = torch.__version__ if torch is not None else "not installed"
    return (
        f"{cpu}; Python {platform.python_version()}, numpy {np.__version__}, torch {tv}; "
        f"1 thread, float64; engine/fit.py {engine_version()}"
    )


def engine_version():
    """The last commit of engine/fit.py, and whether the working copy differs from it."""

    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()

    try:
        commit = git("log", "-1", "--format=%h", "--", "engine/fit.py") or "untracked"
        dirty = git("status", "--porcelain", "--", "engine/fit.py")
    except (OSError, subprocess.SubprocessError):
        return "(git unavailable)"
    return f"at {commit}" + (" + uncommitted changes" if dirty else "")


def report(results, have_torch):
    lines = [
        "| batch size | engine (`net.fit`) µs | numpy loop µs | torch µs | engine speed-up vs torch | vs numpy loop |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for B, t in results.items():
        lines.append(
            f"| {B} | {_us(t['engine'])} | {_us(t['numpy'])} | {_us(t.get('torch'))} | "
            f"{_ratio(t.get('torch'), t['engine'])} | {_ratio(t['numpy'], t['engine'])} |"
        )
    lines += [
        "",
        "TensorFlow Playground (2-8×6-1 tanh, 500 points), µs per update, figures from the issue "
        "rescaled by this run's numpy loop (scaled = reported × our numpy loop / its numpy loop):",
        "",
        "| | batch 10 | batch 500 |",
        "|---|---:|---:|",
    ]
    scaled = {B: TF_REF[B] * results[B]["numpy"] / TF_REF_NUMPY[B] for B in TF_REF}
    eng = {B: results[B]["engine"] for B in TF_REF}
    rows = [
        ("TF Playground, as reported", TF_REF),
        ("numpy loop in that run, as reported", TF_REF_NUMPY),
        ("numpy loop, this run", {B: results[B]["numpy"] for B in TF_REF}),
        ("TF Playground, scaled to this run", scaled),
        ("engine (`net.fit`), this run", eng),
    ]
    for label, v in rows:
        lines.append(f"| {label} | {_us(v[10])} | {_us(v[500])} |")
    lines.append(
        f"| engine speed-up vs TF reported / scaled | {_ratio(TF_REF[10], eng[10])} / "
        f"{_ratio(scaled[10], eng[10])} | {_ratio(TF_REF[500], eng[500])} / {_ratio(scaled[500], eng[500])} |"
    )

    verdicts = []
    if have_torch:
        s = results[10]["torch"] / results[10]["engine"]
        ok = "PASS" if s >= TORCH_MIN_SPEEDUP_B10 else "FAIL"
        verdicts.append(f"{ok}: engine vs torch at batch 10: {s:.1f}× (required ≥ {TORCH_MIN_SPEEDUP_B10:.0f}×)")
    else:
        verdicts.append("torch is not installed: torch column skipped (pip install torch==2.13.0 to compare)")
    for B in TF_REF:
        for label, peer in (("reported", TF_REF[B]), ("scaled", scaled[B])):
            ok = "beats" if eng[B] < peer else "does NOT beat"
            speedup = peer / eng[B]
            close = ", within 5%: inside run-to-run noise" if abs(speedup - 1.0) < 0.05 else ""
            verdicts.append(
                f"engine {ok} TF Playground ({label}) at batch {B}: "
                f"{_us(eng[B])} µs vs {_us(peer)} µs (speed-up {speedup:.2f}×{close})"
            )
    return "\n".join(lines), verdicts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="CI smoke run: short repeats, < 20 s")
    args = p.parse_args(argv)
    repeats, min_time = (3, 0.03) if args.quick else (7, 0.3)

    if torch is None:
        print("note: torch is not installed; the torch column is skipped.")
    else:
        torch.set_num_threads(1)
    t_start = time.perf_counter()
    gc.collect()
    gc.freeze()  # everything imported so far is never scanned again
    X, Y = make_data()
    runners = make_runners(X, Y)
    per_epoch = {B: verify(runners, B) for B in BATCH_SIZES}  # all checked before any timing
    print(
        f"verified: {', '.join(r.name for r in runners)} reach the same weights (max |Δ| < 1e-9) after "
        f"{', '.join(str(verify_epochs(B) * math.ceil(M / B)) for B in BATCH_SIZES)} updates "
        f"at batch sizes {', '.join(map(str, BATCH_SIZES))}"
    )
    print(environment())
    print(
        f"{'-'.join(map(str, SIZES))} tanh, half_sse, {M} points, lr {LR}; median (min–max) of {repeats} "
        f"repeats ≥ {min_time} s each{' (--quick: noisy)' if args.quick else ''}\n"
    )

    results = {}
    for B in BATCH_SIZES:
        samples = measure(runners, B, repeats, min_time, per_epoch[B])
        results[B] = {name: statistics.median(v) for name, v in samples.items()}
        print(
            f"  batch {B:>3}: "
            + ", ".join(f"{k} {_us(results[B][k])} µs ({_us(min(v))}–{_us(max(v))})" for k, v in samples.items()),
            flush=True,
        )
    table, verdicts = report(results, torch is not None)
    print("\nµs per update (lower is better); speed-up = other / engine\n")
    print(table)
    print()
    for v in verdicts:
        print(v)
    busy = CLOCK["wall"] / max(CLOCK["cpu"], 1e-9)
    print(
        f"\n(total {time.perf_counter() - t_start:.0f} s; timed runs took {busy:.2f}× their CPU time in wall time"
        f"{': the machine was busy, expect noise' if busy > 1.2 else ''})"
    )


if __name__ == "__main__":
    main()
