"""The step panel's maths: every event as a formula in every notation, checked against the engine.

Over 400 lines: every kind of event × every notation, each checked against the engine's numbers."""

from __future__ import annotations

import glob
import json
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from components.views.formulas import EventFormula, event_formula, format_number, loss_formula
from components.views.notation import NOTATIONS, distinct_digits, format_plain, get_notation
from components.views.position import layer_table, progress_text
from engine import Network

KEYS = tuple(NOTATIONS)
FLIPPED = ("seed002", "seed003")  # δ = −∂E/∂z


# ------------------------------------------------------------------------------ networks
def mazur_trace():
    """Mazur's 2-2-2 worked example: one sample, biases present but frozen, η = 0.5."""
    net = Network([2, 2, 2], activations="sigmoid", loss="half_sse", bias=True, seed=0)
    net.set_parameters([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]], [[0.35, 0.35], [0.60, 0.60]])
    return net.trace([[0.05, 0.10]], [[0.01, 0.99]], 0.5, update_biases=False)


def seed000_trace():
    """A 2-2-2-1 network without biases whose output and L_{j_1} are Mazur's 0.7514 and 0.5933."""

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def logit(p):
        return math.log(p / (1.0 - p))

    X = np.array([[0.05, 0.10]])
    W1 = np.array([[0.15, 0.20], [0.25, 0.30]])
    L_i = sigmoid(W1 @ X[0])
    c = logit(0.593269992107187) / L_i.sum()  # net_{j_1} = 0.3775
    W2 = np.array([[c, c], [0.45, 0.50]])
    L_j = sigmoid(W2 @ L_i)
    w2 = (logit(0.751365069552316) - 0.4 * L_j[0]) / L_j[1]  # net_k = 1.1059
    W3 = np.array([[0.4, w2]])
    net = Network([2, 2, 2, 1], activations="sigmoid", loss="half_sse", bias=False, seed=0)
    net.set_parameters([W1, W2, W3])
    return net.trace(X, [[0.01]], 0.5)


def random_trace(sizes, activations="sigmoid", loss="half_sse", m=1, *, bias=True, update_biases=True, seed=0):
    net = Network(sizes, activations=activations, loss=loss, bias=bias, seed=seed)
    if bias:
        rng = np.random.default_rng(seed + 1)
        net.set_parameters(net.weights, [rng.uniform(-0.5, 0.5, n) for n in sizes[1:]])
    rng = np.random.default_rng(seed + 2)
    X = rng.uniform(-1, 1, (m, sizes[0]))
    if activations == "softmax" or (isinstance(activations, list) and activations[-1] == "softmax"):
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    else:
        Y = rng.uniform(0, 1, (m, sizes[-1])).round(2)
    return net.trace(X, Y, 0.5, update_biases=update_biases)


CONFIGS = {
    "mazur": mazur_trace,
    "seed000": seed000_trace,
    "batch3_mse": lambda: random_trace([2, 3, 1], loss="half_mse", m=3),
    "batch5": lambda: random_trace([2, 2, 2], m=5),
    "ce_sigmoid": lambda: random_trace([2, 2, 1], loss="cross_entropy", m=2),
    "ce_softmax": lambda: random_trace([3, 2, 3], activations=["tanh", "softmax"], loss="cross_entropy", m=2),
    "sse_softmax": lambda: random_trace([2, 3, 3], activations=["relu", "softmax"]),
    "wide": lambda: random_trace([8, 7, 2], activations=["leaky_relu", "linear"], bias=False),
    "deep_tanh": lambda: random_trace([3, 2, 8, 2, 1], activations="tanh", loss="half_mse", m=2),
}


@pytest.fixture(scope="module")
def traces():
    return {name: make() for name, make in CONFIGS.items()}


@pytest.fixture(scope="module")
def formulas(traces):
    """(config, key, event, formula) for every event of every config in every notation."""
    return [(name, key, e, event_formula(e, tr, key)) for name, tr in traces.items() for e in tr.events for key in KEYS]


# ------------------------------------------------------------------------- LaTeX checks
ALLOWED_COMMANDS = {
    "frac",
    "tfrac",
    "partial",
    "cdot",
    "cdots",
    "sum",
    "Big",
    "big",
    "sigma",
    "tanh",
    "operatorname",
    "mathrm",
    "text",
    "infty",
    "times",
    "quad",
    "log",
    "delta",
    "alpha",
    "eta",
    "leftarrow",
    "Large",
    ",",
}


def assert_latex_ok(tex: str) -> None:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, f"unbalanced braces in {tex!r}"
    assert depth == 0, f"unbalanced braces in {tex!r}"
    assert tex.count("(") == tex.count(")"), f"unbalanced parentheses in {tex!r}"
    assert tex.count(r"\Big(") == tex.count(r"\Big)") and tex.count(r"\big[") == tex.count(r"\big]")
    commands = set(re.findall(r"\\([A-Za-z]+|,)", tex))
    assert commands <= ALLOWED_COMMANDS, f"unexpected commands {commands - ALLOWED_COMMANDS} in {tex!r}"
    assert "$" not in tex and "<" not in tex and "nan" not in tex.lower().replace(r"\text{nan}", "")


SCI = re.compile(r"(\d+(?:\.\d+)?) \\times 10\^\{(-?\d+)\}")


def numbers_in(tex: str) -> list[str]:
    """The absolute numbers substituted into a formula, as format_number wrote them."""
    found = [f"{a} \\times 10^{{{b}}}" for a, b in SCI.findall(tex)]
    t = SCI.sub(" ", tex)
    t = re.sub(r"\\t?frac\{1\}\{[^{}]*\}", " ", t)  # ½, 1/(2·m), 1/m
    t = re.sub(r"[_^]\{(?:[^{}]|\{[^{}]*\})*\}|\^2", " ", t)  # indices, exponents, squares
    return found + re.findall(r"\d+(?:\.\d+)?", t)


def allowed_numbers(tr) -> set[str]:
    """Every value the trace holds (and 1 − a, m, 1, 2), formatted, without sign."""
    arrays = [tr.X, tr.Y, tr.loss_per_sample, np.array([tr.loss, tr.lr, tr.m, 1, 2])]
    arrays += [x for x in tr.Z[1:] + tr.A[1:] + tr.deltas[1:] + tr.da_dz[1:] if x is not None]
    arrays += [1.0 - a for a in tr.A[1:]]
    arrays += tr.weights_before + tr.biases_before + tr.weights_after + tr.biases_after
    arrays += tr.grad_weights + tr.grad_biases + tr.delta_weights + tr.delta_biases
    if tr.output.dE_da is not None:
        arrays.append(tr.output.dE_da)
    arrays += [np.array([e.factors.dE_da]) for e in tr.events if e.kind == "delta" and not e.factors.output]
    values = np.concatenate([np.ravel(a) for a in arrays])
    moved = [e.factors for e in tr.events if e.is_update]  # old and new with the decimals they need to differ
    wide = {format_number(abs(x), distinct_digits(f.old, f.new, 4)) for f in moved for x in (f.old, f.new)}
    return {format_number(abs(v)) for v in values} | wide


def expected_result(key: str, e) -> str:
    sign = -1 if (key in FLIPPED and e.kind == "delta") else 1
    if e.is_update:  # a moved parameter: as many decimals as old and new need to differ
        return "= " + format_number(e.value, distinct_digits(e.factors.old, e.factors.new, 4))
    return "= " + format_number(sign * e.value)


# ------------------------------------------------------------------------- sweep tests
def test_every_event_in_every_notation(traces, formulas):
    allowed = {name: allowed_numbers(tr) for name, tr in traces.items()}
    for name, key, e, f in formulas:
        assert isinstance(f, EventFormula)
        for tex in (f.symbolic, f.substituted, f.result):
            assert_latex_ok(tex)
        assert f.result == expected_result(key, e), (name, key, e.index)
        stray = [x for x in numbers_in(f.substituted) if x not in allowed[name]]
        assert not stray, (name, key, e.index, e.kind, stray, f.substituted)
        assert f.title and "<" not in f.title and "<" not in f.explanation and f.explanation.endswith(".")
    assert len(formulas) > 500


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_katex_renders_every_formula(traces, formulas, tmp_path):
    """Render every formula with the KaTeX that ships inside Streamlit (the one the app uses)."""
    import streamlit

    found = glob.glob(os.path.join(os.path.dirname(streamlit.__file__), "static", "static", "js", "katex.*.js"))
    if not found:
        pytest.skip("Streamlit's KaTeX bundle not found")
    module = tmp_path / "katex.mjs"
    shutil.copy(found[0], module)
    from components.views.step_text import fit_latex

    latex = sorted(
        {tex for *_, f in formulas for tex in (f.symbolic, f.substituted + " " + f.result)}
        | {r"\Large " + loss_formula(tr, k) for tr in traces.values() for k in KEYS}
    )
    latex += [r"\Large " + fit_latex(tex, 30) for tex in latex]  # as the panel breaks long lines
    inline = sorted({m for *_, f in formulas for m in re.findall(r"\$([^$]+)\$", f.explanation)})
    shapes = {}  # one formula per shape: the numbers do not change how KaTeX parses it
    for tex in latex + inline:
        shapes.setdefault(re.sub(r"\d+(\.\d+)?", "0", SCI.sub("S", tex)), tex)
    script = (
        f"import katex from {json.dumps(module.as_uri())};\n"
        "let data = ''; process.stdin.on('data', d => data += d); process.stdin.on('end', () => {\n"
        "  const bad = [];\n"
        "  for (const s of JSON.parse(data)) {\n"
        "    try { katex.renderToString(s, {throwOnError: true, displayMode: true}); }\n"
        "    catch (e) { bad.push([s, e.message]); } }\n"
        "  console.log(JSON.stringify(bad)); });\n"
    )
    (tmp_path / "check.mjs").write_text(script)
    out = subprocess.run(
        ["node", str(tmp_path / "check.mjs")],
        input=json.dumps(list(shapes.values())),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


# ---------------------------------------------------------------- Mazur: exact strings
def test_mazur_forward_and_loss(traces):
    tr = traces["mazur"]
    f = event_formula(tr.event(0), tr)
    assert f.symbolic == (
        r"z^{(1)}_{1} = w^{(1)}_{11}\,a^{(0)}_{1} + w^{(1)}_{12}\,a^{(0)}_{2} + b^{(1)}_{1},"
        r"\quad a^{(1)}_{1} = \sigma(z^{(1)}_{1})"
    )
    assert f.substituted == (
        r"z^{(1)}_{1} = 0.15\cdot 0.05 + 0.2\cdot 0.1 + 0.35 = 0.3775,"
        r"\quad a^{(1)}_{1} = \sigma(0.3775)"
    )
    assert f.result == "= 0.5933"
    loss = event_formula(tr.event(tr.layout.loss_index), tr, "seed002")
    assert loss.symbolic == r"\mathrm{RSS} = \tfrac{1}{2}\sum_{k}(y_{k} - a_{k}^{(2)})^2"
    assert loss.substituted == r"= \tfrac{1}{2}\Big[(0.01 - 0.7514)^2 + (0.99 - 0.7729)^2\Big]"
    assert loss.result == "= 0.2984"
    f2 = event_formula(tr.event(0), tr, "seed002")  # the bias as W_k0 on x_0 = 1, written first
    assert f2.substituted.startswith(r"z_{1}^{(1)} = 0.35\cdot 1 + 0.15\cdot 0.05")


def test_mazur_output_delta_in_each_sign(traces):
    tr = traces["mazur"]
    e = tr.event(tr.layout.delta_start)
    f0 = event_formula(e, tr, "seed000")
    assert f0.symbolic.endswith(r"= (L_{j_{1}} - T_{j_{1}})\cdot L_{j_{1}}(1 - L_{j_{1}})")
    assert f0.substituted == r"= (0.7514 - 0.01)\cdot 0.7514\cdot(1 - 0.7514)"
    assert f0.result == "= 0.1385"
    for key, symbol in (("seed002", r"\delta_{1}^{(2)}"), ("seed003", r"\delta_{3}")):
        f = event_formula(e, tr, key)
        assert f.symbolic.startswith(symbol + " = -")
        assert f.substituted == r"= (0.01 - 0.7514)\cdot 0.7514\cdot(1 - 0.7514)"
        assert f.result == "= -0.1385"
        assert "opposite sign" in f.explanation
    hidden = event_formula(tr.event(tr.layout.delta_start + 2), tr, "seed003")
    assert hidden.symbolic == r"\delta_{1} = \Big(\delta_{3}\,w_{31} + \delta_{4}\,w_{41}\Big)\cdot o_{1}(1 - o_{1})"
    assert hidden.substituted.startswith(r"= \Big((-0.1385)\cdot 0.4 + 0.0381\cdot 0.5\Big)")
    assert hidden.result == "= -0.008771"


def test_mazur_gradient_and_update(traces):
    tr = traces["mazur"]
    g = tr.event(tr.layout.grad_start)  # ∂E/∂w^{(2)}_{11}
    f = event_formula(g, tr)
    assert (f.symbolic, f.substituted, f.result) == (
        r"\frac{\partial E}{\partial w^{(2)}_{11}} = \delta^{(2)}_{1}\,a^{(1)}_{1}",
        r"= 0.1385\cdot 0.5933",
        "= 0.0822",
    )
    f2 = event_formula(g, tr, "seed002")
    assert f2.substituted == r"= -(-0.1385)\cdot 0.5933" and f2.result == "= 0.0822"
    u = tr.event(tr.layout.update_start)
    f = event_formula(u, tr)
    assert f.symbolic == r"w'^{(2)}_{11} = w^{(2)}_{11} - \eta\,\frac{\partial E}{\partial w^{(2)}_{11}}"
    assert (f.substituted, f.result) == (r"= 0.4 - 0.5\cdot 0.0822", "= 0.3589")
    f = event_formula(u, tr, "seed002")
    assert f.symbolic == r"W_{11}^{(2)} := W_{11}^{(2)} + \eta\,\delta_{1}^{(2)}\,a_{1}^{(1)}"
    assert (f.substituted, f.result) == (r"= 0.4 + 0.5\cdot (-0.1385)\cdot 0.5933", "= 0.3589")
    assert event_formula(u, tr, "seed000").symbolic.startswith(r"w'_{i_{1}j_{1}} = w_{i_{1}j_{1}} - \alpha")
    assert event_formula(u, tr, "seed003").symbolic.startswith(r"w_{31} \leftarrow w_{31} - \eta")


def test_seed000_issue_example():
    """∂E/∂w_jk = (L_k − T)·L_k(1 − L_k)·L_j = (0.7514 − 0.01)·0.7514·0.2486·0.5933 = 0.0822."""
    tr = seed000_trace()
    g = tr.event(tr.layout.grad_start)  # the output layer's first weight: from L_{j_1} to L_k
    assert (g.kind, g.layer, g.i, g.j) == ("grad_w", 3, 0, 0)
    f = event_formula(g, tr, "seed000")
    assert f.symbolic == r"\frac{\partial E}{\partial w_{j_{1}k}} = (L_{k} - T)\cdot L_{k}(1 - L_{k})\cdot L_{j_{1}}"
    assert f.substituted + " " + f.result == r"= (0.7514 - 0.01)\cdot 0.7514\cdot 0.2486\cdot 0.5933 = 0.0822"
    for number in ("0.7514", "0.01", "0.2486", "0.5933", "0.0822"):
        assert number in f.substituted + f.result
    loss = event_formula(tr.event(tr.layout.loss_index), tr, "seed000")
    assert loss.symbolic == r"E = \tfrac{1}{2}(T - L_{k})^2"
    hidden = event_formula(tr.event(tr.layout.delta_start + 1), tr, "seed000")  # ∂E/∂net_{j_1}
    assert r"\frac{\partial E}{\partial L_{j_{1}}}" in hidden.symbolic
    assert r"(L_{k} - T)\cdot L_{k}(1 - L_{k})\cdot w_{j_{1}k}" in hidden.symbolic
    assert hidden.substituted.startswith(r"= \Big((0.7514 - 0.01)\cdot 0.7514\cdot(1 - 0.7514)\cdot 0.4\Big)")
    u = tr.event(tr.layout.update_start)
    f = event_formula(u, tr, "seed000")
    assert f.symbolic == r"w'_{j_{1}k} = w_{j_{1}k} - \alpha\,\frac{\partial E}{\partial w_{j_{1}k}}"
    assert f.substituted + " " + f.result == r"= 0.4 - 0.5\cdot 0.0822 = 0.3589"


# ------------------------------------------------------------- batches, losses, widths
def test_batch_gradients_sum_over_samples(traces):
    tr = traces["batch3_mse"]
    g = tr.event(tr.layout.grad_start)
    f = event_formula(g, tr, "seed001")
    assert (
        f.symbolic
        == r"\frac{\partial E}{\partial W^{2}_{11}} = \sum_{c=1}^{3} \frac{\partial E}{\partial Z^{2}_{1c}}\,A^{1}_{1c}"
    )
    terms = [
        rf"{format_number(d, paren=True)}\cdot {format_number(a, paren=True)}"
        for d, a in zip(g.factors.delta, g.factors.a_prev)
    ]
    assert f.substituted == "= " + " + ".join(terms)
    assert r"\sum_{c=1}^{3}" in event_formula(g, tr).symbolic
    loss = event_formula(tr.event(tr.layout.loss_index), tr, "seed001")
    assert loss.symbolic == r"E = \tfrac{1}{2m}\sum_{c=1}^{m}(A^{2}_{1c} - Y_{1c})^2"
    assert loss.substituted.startswith(r"= \tfrac{1}{2\cdot 3}\Big[")
    out = event_formula(tr.event(tr.layout.delta_start + tr.layout.N), tr)  # output δ of sample 2
    assert r"\frac{1}{m}" in out.symbolic and out.substituted.startswith(r"= \frac{1}{3}(")
    tr5 = traces["batch5"]
    f5 = event_formula(tr5.event(tr5.layout.grad_start), tr5)
    assert r"\sum_{c=1}^{5}" in f5.symbolic and f5.substituted.count(r"\cdots") == 1
    assert f5.substituted.count(r"\cdot ") == 4  # 3 terms, \cdots, the last term
    b = event_formula(tr5.event(tr5.layout.grad_start + 2), tr5, "seed002")  # bias: −Σ_c δ x_0
    assert b.symbolic.endswith(r"= -\sum_{c=1}^{5} \delta_{1c}^{(2)}\,x_0") and b.substituted.startswith(r"= -\big(")


def test_cross_entropy_simplification(traces):
    for name in ("ce_sigmoid", "ce_softmax"):
        tr = traces[name]
        e = tr.event(tr.layout.delta_start)
        f = event_formula(e, tr)
        assert f.symbolic.endswith(r"= \frac{1}{m}(a^{(2)}_{1,1} - y_{1,1})")  # neuron 1, sample 1
        assert "cancels" in f.explanation
        a, y = e.factors.a, e.factors.y
        assert f.substituted == rf"= \frac{{1}}{{2}}({format_number(a, paren=True)} - {format_number(y, paren=True)})"
        f2 = event_formula(e, tr, "seed002")
        assert f2.symbolic.endswith(r"= \frac{1}{m}(y_{1,1} - a_{1,1}^{(2)})") and f2.result == "= " + format_number(
            -e.value
        )
    loss = event_formula(traces["ce_sigmoid"].event(traces["ce_sigmoid"].layout.loss_index), traces["ce_sigmoid"])
    assert r"\log" in loss.symbolic and loss.symbolic.startswith(r"E = -\tfrac{1}{m}")


def test_softmax_with_squared_error_shows_the_jacobian_sum(traces):
    tr = traces["sse_softmax"]
    f = event_formula(tr.event(tr.layout.delta_start), tr)
    assert r"\sum_{k}" in f.symbolic and "Jacobian" in f.explanation
    assert event_formula(tr.event(tr.layout.loss_index - 1), tr).symbolic.count(r"\frac{e^") == 1


def test_wide_layers_are_elided(traces):
    tr = traces["wide"]
    f = event_formula(tr.event(0), tr)
    assert r"\sum_{j=1}^{8}" in f.symbolic and r"\cdots" in f.substituted
    assert f.substituted.endswith(
        rf"= {format_number(tr.Z[1][0, 0])},\quad a^{{(1)}}_{{1}} = \operatorname{{LReLU}}"
        rf"({format_number(tr.Z[1][0, 0])})"
    )
    deep = traces["deep_tanh"]
    e = next(x for x in deep.events if x.kind == "delta" and x.layer == 1)  # sums over 8 δs
    f = event_formula(e, deep)
    assert r"\sum_{k}" in f.symbolic and r"\cdots" in f.substituted and r"(1 - {a^{(1)}_{1,1}}^2)" in f.symbolic


def test_large_network_stays_readable():
    """784-32-10: sums are elided, every number still comes from the trace, tables are whole layers."""
    tr = random_trace([784, 32, 10], activations=["relu", "softmax"], loss="cross_entropy", m=8)
    lay = tr.layout
    allowed = allowed_numbers(tr)
    for k in (
        0,
        lay.loss_index,
        lay.delta_start,
        lay.delta_start + 10,
        lay.grad_start,
        lay.update_start - 1,
        lay.n_events - 1,
    ):
        e = tr.event(k)
        for key in KEYS:
            f = event_formula(e, tr, key)
            for tex in (f.symbolic, f.substituted, f.result):
                assert_latex_ok(tex)
                assert len(tex) < 700
            assert f.result == expected_result(key, e)
            assert all(x in allowed for x in numbers_in(f.substituted))
    assert r"\sum_{j=1}^{784}" in event_formula(tr.event(0), tr).symbolic
    assert len(layer_table(tr, tr.event(lay.n_events - 1))) == 32 * 785


# ------------------------------------------------------------------ progress and tables
def test_progress_text(traces):
    tr = traces["mazur"]
    lay = tr.layout
    assert progress_text(tr, -1) == "ready: press → to start the forward pass"
    assert progress_text(tr, 1) == "forward pass, layer 1 of 2, neuron 2 of 2"
    assert progress_text(tr, lay.loss_index) == "loss"
    assert progress_text(tr, lay.delta_start) == "backward pass, layer 2 of 2, δ 1 of 2"
    assert progress_text(tr, lay.grad_start + 2) == "gradients, layer 2 of 2, ∂E/∂b 3 of 6"
    assert progress_text(tr, lay.update_start + 3) == "update, layer 2 of 2, Δw 4 of 4"
    b = traces["batch3_mse"]
    assert progress_text(b, b.layout.N + 1) == "forward pass, sample 2 of 3, layer 1 of 2, neuron 2 of 3"
    last_sample = b.layout.delta_start + 2 * b.layout.N
    assert progress_text(b, last_sample) == "backward pass, sample 3 of 3, layer 2 of 2, δ 1 of 1"
    deep = traces["deep_tanh"]
    first, last = deep.layout.phase_bounds("update")
    assert progress_text(deep, last).startswith("update, layer 1 of 4, Δb")


def test_layer_table_forward_and_delta(traces):
    tr = traces["mazur"]
    df = layer_table(tr, tr.event(2))  # forward, layer 2, neuron 1
    assert list(df.columns) == ["neuron", "z", "a", "y", "δ", "current"]
    assert list(df["current"]) == [True, False]
    assert df["a"][0] == tr.A[2][0, 0] and np.isnan(df["a"][1]) and df["δ"].isna().all()
    df = layer_table(tr, tr.event(tr.layout.delta_start + 2), digits=4)  # hidden δ, layer 1 neuron 1
    assert list(df.columns) == ["neuron", "z", "a", "δ", "current"] and len(df) == 2
    assert df["δ"][0] == round(tr.deltas[1][0, 0], 4) and np.isnan(df["δ"][1])
    loss = layer_table(tr, tr.event(tr.layout.loss_index))
    assert list(loss.columns) == ["sample", "neuron", "a", "y", "current"] and len(loss) == 2


def test_layer_table_gradients_and_updates(traces):
    tr = traces["mazur"]
    g = tr.event(tr.layout.grad_start + 1)  # ∂E/∂w^{(2)}_{12}
    df = layer_table(tr, g)
    assert list(df.columns) == ["from", "to", "w", "∂E/∂w", "Δw", "w'", "current"]
    assert list(df["from"]) == ["1", "2", "bias"] * 2 and list(df["to"]) == [1, 1, 1, 2, 2, 2]
    assert df["current"].tolist() == [False, True, False, False, False, False]
    assert df["∂E/∂w"].notna().tolist() == [True, True, False, False, False, False]
    assert df["Δw"].isna().all()
    u = tr.event(tr.layout.update_start)
    df = layer_table(tr, u)
    assert df["∂E/∂w"].notna().all() and df["w'"].notna().tolist() == [True] + [False] * 5
    assert df["w'"][0] == tr.weights_after[1][0, 0] and df["current"].tolist()[0]
    last = layer_table(tr, tr.event(tr.layout.n_events - 1))  # frozen biases keep b' = b
    assert last["w'"].notna().all() and (last[last["from"] == "bias"]["Δw"] == 0).all()
    b = traces["batch5"]
    bias_event = b.event(b.layout.grad_start + 2)
    assert layer_table(b, bias_event)["current"].tolist() == [False, False, True, False, False, False]


# ----------------------------------------------------------------------- format_number
def test_format_number_edge_cases():
    assert format_number(0.751365) == "0.7514"
    assert format_number(0.01) == "0.01" and format_number(0.5) == "0.5" and format_number(1.0) == "1"
    assert format_number(-0.0381) == "-0.0381" and format_number(-0.0381, paren=True) == "(-0.0381)"
    assert format_number(0.0) == "0" and format_number(-0.0) == "0"
    assert format_number(1e-8) == r"1 \times 10^{-8}"
    assert format_number(-4.3857e-4, paren=True) == r"(-4.386 \times 10^{-4})"
    assert format_number(1e8) == r"1 \times 10^{8}" and format_number(123456.789) == "123456.789"
    assert format_number(float("nan")) == r"\text{NaN}"
    assert format_number(float("inf")) == r"\infty" and format_number(-float("inf"), paren=True) == r"(-\infty)"
    assert format_number(0.751365, digits=2) == "0.75" and format_number(0.751365, digits=6) == "0.751365"
    assert format_plain(-4.3857e-4) == "-4.386e-4" and format_plain(float("inf")) == "∞"


def test_notation_registry():
    assert set(NOTATIONS) == {"neutral", "seed000", "seed001", "seed002", "seed003"}
    assert NOTATIONS["seed000"].label == "Layer letters (L_k, net_k, w_jk, α)"
    assert [NOTATIONS[k].loss_plain for k in KEYS] == ["E", "E", "E", "RSS", "J"]
    assert [NOTATIONS[k].delta_sign for k in KEYS] == [1, 1, 1, -1, -1]
    assert NOTATIONS["seed000"].lr == r"\alpha" and NOTATIONS["neutral"].lr == r"\eta"
    with pytest.raises(ValueError):
        get_notation("seed999")


# ------------------------------------------------------------------------ Streamlit panel
def _panel_app(cursor, notation, presentation):
    from components.ui.step_panel import show_step_panel
    from tests.test_formulas import mazur_trace

    show_step_panel(mazur_trace(), cursor, notation, digits=4, presentation=presentation)


@pytest.mark.parametrize(
    "cursor,notation,presentation",
    [
        (-1, "neutral", False),
        (0, "seed000", False),
        (5, "seed002", False),
        (9, "seed000", True),
        (11, "neutral", False),
        (21, "seed001", False),
        (28, "seed003", True),
    ],
)
def test_step_panel_renders_the_formulas(cursor, notation, presentation):
    from streamlit.testing.v1 import AppTest

    from components.views.step_text import formula_lines

    at = AppTest.from_function(_panel_app, args=(cursor, notation, presentation), default_timeout=30).run()
    assert not at.exception
    bodies = [el.value.strip().removeprefix("$$").removesuffix("$$").strip() for el in at.latex]
    tr = mazur_trace()
    assert bodies == formula_lines(tr, cursor, notation, 4, presentation)
    if cursor < 0:
        expected = [loss_formula(tr, notation)]
        assert len(at.info) == 1
    else:
        f = event_formula(tr.event(cursor), tr, notation)
        expected = [f.symbolic, " ".join(p for p in (f.substituted, f.result) if p)]
        tables = [m.value for m in at.markdown if m.value.startswith("| ")]
        assert len(tables) == 1 and ":orange-background[**" in tables[0]  # the layer, current row highlighted
    shown = [m.value for m in at.markdown] if presentation else [c.value for c in at.caption]
    assert shown[0].removeprefix("#### ") == progress_text(tr, cursor)
    assert [unbreak(b) for b in bodies] == [unbreak(x) for x in expected]
    if not presentation and cursor in (-1, 21):  # short formulas are shown exactly as written
        assert bodies == expected


def unbreak(tex: str) -> str:
    """A formula without the panel's line breaking, size command and spacing."""
    for token in (r"\Large", r"\begin{aligned}", r"\end{aligned}", r"\\", "&", r"\quad", " "):
        tex = tex.replace(token, "")
    return tex


def test_fit_latex_breaks_long_lines_at_top_level_equals():
    from components.views.step_text import fit_latex

    short = r"= 0.4 - 0.5\cdot 0.0822 = 0.3589"
    assert fit_latex(short, 58) == short
    long = (
        r"= \Big(0.1385\cdot 0.4 + (-0.0381)\cdot 0.5\Big)\cdot 0.5933\cdot(1 - 0.5933) = 0.0364\cdot 0.2413 = 0.0088"
    )
    broken = fit_latex(long, 40)
    assert broken.startswith(r"\begin{aligned}&= \Big(0.1385\cdot 0.4 + (-0.0381)\cdot 0.5\Big)")
    assert r"\\ &\quad \cdot" in broken  # a product too wide for a line continues on the next
    assert r"\\ &= 0.0364\cdot 0.2413 = 0.0088\end{aligned}" in broken and unbreak(broken) == unbreak(long)
    assert r"\cdots" in fit_latex(r"= 1\cdot 2 + \cdots + 3\cdot 4 = 5\cdot 6\cdot 7\cdot 8\cdot 9 = 30240", 12)
    forward = r"z = 0.15\cdot 0.05 + 0.2\cdot 0.1 + 0.35 = 0.3775,\quad a = \sigma(0.3775) = 0.5933"
    assert fit_latex(forward, 40).count(r"\\") == 1 and unbreak(fit_latex(forward, 40)) == unbreak(forward)
    narrow = fit_latex(forward, 20)  # a sum too wide for a line continues on the next, indented
    assert r"\\ &\quad + 0.2\cdot 0.1" in narrow and unbreak(narrow) == unbreak(forward)
    # a sum inside sized brackets (the loss with 9 digits) breaks there too: \Big[ … \Big] may span rows
    loss = r"= \tfrac{1}{2}\Big[(0.75136507 - 0.01)^2 + (0.772928465 - 0.99)^2\Big] = 0.298371109"
    broken = fit_latex(loss, 40)
    assert r"\Big[(0.75136507 - 0.01)^2 \\ &\quad + (0.772928465 - 0.99)^2\Big]" in broken
    assert unbreak(broken) == unbreak(loss)


def test_layer_table_markdown_highlights_the_current_row_and_leaves_pending_blank():
    from components.views.notation import format_plain
    from components.views.step_text import table_markdown

    tr = mazur_trace()
    g = tr.layout.grad_start + 1  # the second gradient of the output layer: later ones not computed yet
    df = layer_table(tr, tr.event(g))
    md = table_markdown(df, 4).splitlines()
    assert md[0] == "| " + " | ".join(c for c in df.columns if c != "current") + " |"
    rows = md[2:]
    assert len(rows) == len(df)
    for r, (_, row) in enumerate(df.iterrows()):
        cells = [c.strip() for c in rows[r].strip("|").split("|")]
        want = [
            "" if isinstance(v, float) and np.isnan(v) else format_plain(v, 4) if isinstance(v, float) else str(v)
            for k, v in row.items()
            if k != "current"
        ]
        if row["current"]:
            want = [f":orange-background[**{w}**]" if w else "" for w in want]
        assert cells == want
    assert sum(":orange-background" in r for r in rows) == 1
    assert any(c.strip() == "" for c in rows[-1].strip("|").split("|")[3:])  # the last gradient is still pending


@pytest.mark.parametrize("notation", ["neutral", "seed002"])
def test_an_update_never_reads_as_no_change_when_the_parameter_moved(notation):
    """With η small enough that w moves in its 6th decimal, old and new get as many decimals as they
    need to differ (the other numbers keep the chosen digits); a parameter that did not move stays put."""
    net = Network([2, 2, 2], activations="sigmoid", loss="half_sse", bias=True, seed=0)
    net.set_parameters([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]], [[0.35, 0.35], [0.60, 0.60]])
    tr = net.trace([[0.05, 0.10]], [[0.01, 0.99]], 1e-5, update_biases=True)
    for e in tr.events[tr.layout.update_start :]:
        f = event_formula(e, tr, notation, 4)
        old, new = e.factors.old, e.factors.new
        if old != new:
            shown = re.findall(r"goes from \$(.+?)\$ to \$(.+?)\$", f.explanation)[0]
            assert shown[0] != shown[1], f.explanation
            decimals = len(shown[1].split(".")[1]) if "." in shown[1] else 0
            assert float(shown[1]) == pytest.approx(new, abs=0.51 * 10.0**-decimals)
            assert f.result == f"= {shown[1]}"
    still = distinct_digits(0.5, 0.5, 4)
    assert still == 4 and distinct_digits(-0.23021, -0.23024, 4) == 5


def test_a_neuron_and_a_sample_index_never_run_together():
    """z_{4,8} is neuron 4 of sample 8; z_{48} would read as neuron 48 (and a^{(0)}_{21} like w_{21})."""
    net = Network([2, 5, 1], activations=["tanh", "sigmoid"], loss="half_sse", bias=True, seed=1)
    rng = np.random.default_rng(0)
    tr = net.trace(rng.normal(size=(10, 2)), rng.uniform(size=(10, 1)), 0.5)
    e = tr.event(int(tr.layout.forward_index(1, 3, 7)))
    f = event_formula(e, tr)
    assert r"z^{(1)}_{4,8}" in f.symbolic and r"a^{(0)}_{2,8}" in f.symbolic and "_{48}" not in f.symbolic
    assert r"w^{(1)}_{42}" in f.symbolic  # a weight's two one-digit indices stay as the derivations write them


def test_a_sum_that_just_fits_with_its_signs_breaks_at_a_sign_not_inside_a_product():
    """A row is measured as it is written (with its " + "), so a row that looked short without its
    signs is not left too wide and then broken between the factors of a product."""
    from components.views.step_text import _width, fit_latex

    tex = r"z^{(1)}_{1} = 0.15\cdot 3 + 0.2\cdot 0.1 + 0.35 = 0.82,\quad a^{(1)}_{1} = \sigma(0.82) = 0.6942"
    out = fit_latex(tex, 34)
    rows = out.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r" \\ ")
    assert rows[0].endswith(r"0.2\cdot 0.1") and rows[1].startswith(r"&\quad + 0.35")
    assert all(_width(r) <= 34 for r in rows)
    assert not any(r.startswith(r"&\quad \cdot") for r in rows)
