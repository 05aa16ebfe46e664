"""Each event of a trace written as a formula: symbolic, with its numbers, and its result.

Pure formatting: every number comes from ``event.factors`` or the trace's arrays (the only
arithmetic is a sign flip for notations whose δ is −∂E/∂z, and 1 − a written out where a
seed prints it). Symbols come from ``components.notation``; LaTeX is KaTeX-compatible.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.views.notation import (
    Notation,
    Shape,
    activation_symbol,
    distinct_digits,
    format_number,
    get_notation,
    join_terms,
    plain_symbol,
)

__all__ = ["event_symbol", "EventFormula", "event_formula", "event_name", "format_number", "loss_formula"]

SUM_LIMIT = 6  # terms of a sum over neurons shown before eliding with \cdots
SAMPLE_LIMIT = 4  # terms of a sum over samples shown before eliding


@dataclass(frozen=True)
class EventFormula:
    title: str  # plain text
    symbolic: str  # LaTeX
    substituted: str  # LaTeX, starting with "=" (may be "" when nothing is substituted)
    result: str  # LaTeX "= value"
    explanation: str  # one sentence, markdown


@dataclass(frozen=True)
class _Ctx:
    trace: object
    nt: Notation
    s: Shape
    digits: int

    def n(self, x) -> str:
        """A number substituted into a formula (negatives in parentheses)."""
        return format_number(x, self.digits, paren=True)

    def v(self, x) -> str:
        """A number standing on its own (after "=", or as a function's argument)."""
        return format_number(x, self.digits)


def event_name(event, trace, notation: str | Notation = "neutral") -> str:
    """What the event computes, named as the panel names it, in plain text: a⁽¹⁾₁ (a forward event
    computes z and then a), E, δ⁽²⁾₁,₃, ∂E/∂w⁽²⁾₁₂, w⁽²⁾₁₂ (its new value)."""
    nt = get_notation(notation)
    if event.kind == "loss":
        return nt.loss_plain
    return plain_symbol(event_symbol(event, trace, nt))


def event_symbol(event, trace, notation: str | Notation = "neutral") -> str:
    """The LaTeX symbol of the number the event computes (``event_name`` in LaTeX)."""
    nt = get_notation(notation)
    s, e = Shape(tuple(trace.layer_sizes), trace.m), event
    if e.kind == "loss":
        return nt.loss
    if e.kind in ("forward", "delta"):
        return (nt.act if e.kind == "forward" else nt.delta)(s, e.layer, e.i, e.sample)
    param = nt.weight(s, e.layer, e.i, e.j) if e.kind.endswith("_w") else nt.bias(s, e.layer, e.i)
    return nt.d(param) if e.kind.startswith("grad") else param


def event_formula(event, trace, notation: str | Notation = "neutral", digits: int = 4) -> EventFormula:
    """The formula of one event of ``trace`` in the given notation, numbers to ``digits`` decimals."""
    nt = get_notation(notation)
    ctx = _Ctx(trace, nt, Shape(tuple(trace.layer_sizes), trace.m), digits)
    build = {
        "forward": _forward,
        "loss": _loss,
        "delta": _delta,
        "grad_w": _grad,
        "grad_b": _grad,
        "update_w": _update,
        "update_b": _update,
    }[event.kind]
    return build(ctx, event)


def loss_formula(trace, notation: str | Notation = "neutral") -> str:
    """The network's loss, symbolically (LaTeX), in the given notation."""
    return event_formula(trace.event(trace.layout.loss_index), trace, notation).symbolic


# ------------------------------------------------------------------------------ helpers
def _neuron(l: int, i: int) -> str:
    return f"input {i + 1}" if l == 0 else f"neuron {i + 1} of layer {l}"


def _parameter_words(e) -> str:
    """Plain words for the weight or bias of a grad/update event."""
    if e.is_weight:
        return f"the weight from {_neuron(e.layer - 1, e.j)} to {_neuron(e.layer, e.i)}"
    return f"the bias of {_neuron(e.layer, e.i)}"


def _sample(ctx: _Ctx, c) -> str:
    return f" (sample {c + 1} of {ctx.s.m})" if ctx.s.m > 1 else ""


def _gprime(ctx: _Ctx, name: str, A: str, Z: str, a: float, da_dz: float, *, evaluated: bool = False):
    """(symbolic, substituted) for g'(z), written with a the way the seeds write it."""
    n = ctx.n
    if name == "sigmoid":
        return f"{A}(1 - {A})", (rf"{n(a)}\cdot {n(1.0 - a)}" if evaluated else rf"{n(a)}\cdot(1 - {n(a)})")
    if name == "tanh":
        return f"(1 - {{{A}}}^2)", f"(1 - {n(a)}^2)"
    if name == "relu":
        return f"[{Z} > 0]", n(da_dz)
    if name == "linear":
        return "1", n(da_dz)
    return rf"{activation_symbol(name)}'({Z})", n(da_dz)


def _output_delta(ctx: _Ctx, c: int, i: int, evaluated: bool = False) -> tuple[str, str, str]:
    """(symbolic, substituted, case) of the output δ of neuron i, sample c, in the notation's sign.

    case: "simplified" (cross-entropy: g' cancels), "softmax" (Jacobian sum) or "chain".
    """
    tr, nt, s, n = ctx.trace, ctx.nt, ctx.s, ctx.n
    L, out, flip = s.L, ctx.trace.output, nt.delta_sign < 0
    A, Y, Z = nt.act(s, L, i, c), nt.target(s, i, c), nt.pre(s, L, i, c)
    a, y = float(tr.A[L][c, i]), float(tr.Y[c, i])
    scale_sym, scale_num = ("", "") if out.scale == 1 else (r"\frac{1}{m}", rf"\frac{{1}}{{{tr.m}}}")
    res_sym, res_num = (f"({Y} - {A})", f"({n(y)} - {n(a)})") if flip else (f"({A} - {Y})", f"({n(a)} - {n(y)})")
    if out.simplified:
        return scale_sym + res_sym, scale_num + res_num, "simplified"
    if out.da_dz is None:  # softmax with a squared error: δ_i = a_i (∂E/∂a_i − Σ_k ∂E/∂a_k a_k)
        k = nt.out_var(s, L - 1)
        dEda, acts = out.dE_da[c], tr.A[L][c]
        lead = "-" if flip else ""  # δ = −∂E/∂z: the same numbers behind a leading minus
        Ak = nt.act(s, L, k, c)
        sym = rf"{lead}{A}\Big({nt.d(A)} - \sum_{{{k}}} {nt.d(Ak)}\,{Ak}\Big)"
        terms = [rf"{n(dEda[q])}\cdot {n(acts[q])}" for q in range(len(acts))]
        num = rf"{lead}{n(a)}\cdot\Big({n(dEda[i])} - \big({join_terms(terms, limit=SUM_LIMIT)}\big)\Big)"
        return sym, num, "softmax"
    g_sym, g_num = _gprime(ctx, tr.activations[L - 1], A, Z, a, float(out.da_dz[c, i]), evaluated=evaluated)
    return rf"{scale_sym}{res_sym}\cdot {g_sym}", rf"{scale_num}{res_num}\cdot {g_num}", "chain"


def _delta_event_factors(tr, l: int, i: int, c: int):
    """The factors of the δ event of neuron i, layer l, sample c (e.g. its ∂E/∂a)."""
    return tr.event(tr.layout.delta_index(l, i, c)).factors


# ------------------------------------------------------------------------------ forward
def _forward(ctx: _Ctx, e) -> EventFormula:
    tr, nt, s, n, v = ctx.trace, ctx.nt, ctx.s, ctx.n, ctx.v
    l, i, c, f = e.layer, e.i, e.sample, e.factors
    n_in, act = s.sizes[l - 1], f.activation
    Z, A = nt.pre(s, l, i, c), nt.act(s, l, i, c)
    if n_in <= SUM_LIMIT:
        sym_terms = [rf"{nt.weight(s, l, i, j)}\,{nt.inp(s, l, i, j, c)}" for j in range(n_in)]
    else:
        q = nt.in_var(s, l)
        sym_terms = [rf"\sum_{{{q}=1}}^{{{n_in}}} {nt.weight(s, l, i, q)}\,{nt.inp(s, l, i, q, c)}"]
    num_terms = [rf"{n(f.w[j])}\cdot {n(f.a_prev[j])}" for j in range(n_in)]
    num_sum = join_terms(num_terms, limit=SUM_LIMIT)
    if tr.bias:
        b_sym = nt.bias(s, l, i) + (rf"\,{nt.bias_input}" if nt.bias_input else "")
        b_num = n(f.b) + (r"\cdot 1" if nt.bias_input else "")
        if nt.bias_input:  # seed 002 writes the bias weight first: W_k0 x_0 + W_k1 a_1 + …
            sym_terms, num_sum = [b_sym] + sym_terms, f"{b_num} + {num_sum}"
        else:
            sym_terms, num_sum = sym_terms + [b_sym], f"{num_sum} + {b_num}"
    g = activation_symbol(act)
    if act == "linear":
        a_sym, a_num = f"{A} = {Z}", f"{A} = {Z}"
    elif act == "softmax":
        k = nt.out_var(s, l - 1)
        zs = tr.Z[l][c]
        a_sym = rf"{A} = \frac{{e^{{{Z}}}}}{{\sum_{{{k}}} e^{{{nt.pre(s, l, k, c)}}}}}"
        denom = join_terms([f"e^{{{v(z)}}}" for z in zs], limit=SUM_LIMIT)
        a_num = rf"{A} = \frac{{e^{{{v(zs[i])}}}}}{{{denom}}}"
    else:
        a_sym, a_num = f"{A} = {g}({Z})", f"{A} = {g}({v(f.z)})"
    what = "adds up its weighted inputs" + (" and its bias" if tr.bias else "")
    return EventFormula(
        f"Forward pass · {_neuron(l, i)}{_sample(ctx, c)}",
        rf"{Z} = {' + '.join(sym_terms)},\quad {a_sym}",
        rf"{Z} = {num_sum} = {v(f.z)},\quad {a_num}",
        f"= {v(e.value)}",
        f"Neuron {i + 1} of layer {l} {what} to get ${Z}$, then applies the {act} activation to get its output ${A}$.",
    )


# --------------------------------------------------------------------------------- loss
def _loss(ctx: _Ctx, e) -> EventFormula:
    tr, nt, s, n, v = ctx.trace, ctx.nt, ctx.s, ctx.n, ctx.v
    f, L, m = e.factors, s.L, s.m
    a, y, name = f.a, f.y, f.loss
    k = nt.out_var(s, L - 1)
    unit = k if s.sizes[L] > 1 else 0  # a single output is written with its own index
    A, Y = nt.act(s, L, unit, "c"), nt.target(s, unit, "c")
    sums = (r"\sum_{c=1}^{m}" if m > 1 else "") + (rf"\sum_{{{k}}}" if s.sizes[L] > 1 else "")
    cells = [(c, i) for c in range(m) for i in range(s.sizes[L])]
    if name in ("half_sse", "half_mse"):
        body = f"({Y} - {A})^2" if nt.target_first else f"({A} - {Y})^2"
        terms = [
            f"({n(y[c, i])} - {n(a[c, i])})^2" if nt.target_first else f"({n(a[c, i])} - {n(y[c, i])})^2"
            for c, i in cells
        ]
        pre_sym, pre_num = (
            (r"\tfrac{1}{2}", r"\tfrac{1}{2}")
            if name == "half_sse"
            else (r"\tfrac{1}{2m}", rf"\tfrac{{1}}{{2\cdot {m}}}")
        )
        words = "half the sum of the squared differences between the outputs and their targets"
        words += "" if name == "half_sse" else f", divided by the number of samples m = {m}"
    elif tr.activations[-1] == "softmax":
        body = rf"{Y}\log {A}"
        terms = [rf"{n(y[c, i])}\log {n(a[c, i])}" for c, i in cells]
        pre_sym, pre_num = r"-\tfrac{1}{m}", rf"-\tfrac{{1}}{{{m}}}"
        words = "the cross-entropy: minus the average log-probability the outputs give the targets"
    else:
        body = rf"\big[{Y}\log {A} + (1 - {Y})\log(1 - {A})\big]"
        terms = [rf"{n(y[c, i])}\log {n(a[c, i])} + (1 - {n(y[c, i])})\log(1 - {n(a[c, i])})" for c, i in cells]
        pre_sym, pre_num = r"-\tfrac{1}{m}", rf"-\tfrac{{1}}{{{m}}}"
        words = "the binary cross-entropy of the sigmoid outputs, averaged over the samples"
    inner = join_terms(terms, limit=SUM_LIMIT)
    inner = rf"\Big[{inner}\Big]" if len(terms) > 1 or name == "cross_entropy" else inner
    return EventFormula(
        f"Loss · {nt.loss_plain} over {m} sample{'s' if m > 1 else ''}",
        rf"{nt.loss} = {pre_sym}{sums}{body}",
        f"= {pre_num}{inner}",
        f"= {v(e.value)}",
        f"The loss ${nt.loss}$ is {words}.",
    )


# -------------------------------------------------------------------------------- delta
def _delta(ctx: _Ctx, e) -> EventFormula:
    tr, nt, s, n, v = ctx.trace, ctx.nt, ctx.s, ctx.n, ctx.v
    l, i, c, f = e.layer, e.i, e.sample, e.factors
    D, A, Z = nt.delta(s, l, i, c), nt.act(s, l, i, c), nt.pre(s, l, i, c)
    flip = nt.delta_sign < 0
    lead = "-" if flip else ""
    sign_note = (
        (
            f" In this notation δ is defined as $-\\partial {nt.loss}/\\partial z$, so it has the opposite "
            f"sign of ∂{nt.loss_plain}/∂z."
        )
        if flip
        else ""
    )
    if f.output:
        sym, num, case = _output_delta(ctx, c, i)
        softmax = tr.activations[-1] == "softmax"
        if softmax:
            k = nt.out_var(s, l - 1)
            Ak = nt.act(s, l, k, c)
            chain = rf"{lead}\sum_{{{k}}} {nt.d(Ak)}\frac{{\partial {Ak}}}{{\partial {Z}}}"
            why = (
                f"With softmax outputs every output depends on ${Z}$, so δ sums ∂{nt.loss_plain}/∂a over "
                "the softmax Jacobian ∂a_k/∂z_i = a_k(1[i=k] − a_i)."
            )
        else:
            chain = rf"{lead}{nt.d(A)}\,\frac{{\partial {A}}}{{\partial {Z}}}"
            why = (
                "The output δ is the chain rule: how the loss changes with the output, times how the "
                "output changes with its pre-activation."
            )
        if case == "simplified":
            why = (
                "With cross-entropy and softmax outputs the a_k of the softmax Jacobian cancels the 1/a_k of "
                f"∂{nt.loss_plain}/∂a_k and the sum collapses"
                if softmax
                else f"With cross-entropy the g'(z) = a(1 − a) of the output cancels against the denominator of "
                f"∂{nt.loss_plain}/∂a"
            ) + f", so δ simplifies to the error a − y times 1/m (m = {s.m})."
        return EventFormula(
            f"Backward pass · output δ for {_neuron(l, i)}{_sample(ctx, c)}",
            f"{D} = {chain} = {sym}",
            f"= {num}",
            f"= {v(nt.delta_sign * e.value)}",
            why + sign_note,
        )
    n_next, act = s.sizes[l + 1], tr.activations[l - 1]
    sgn = float(nt.delta_sign)
    g_sym, g_num = _gprime(ctx, act, A, Z, f.a, f.da_dz)
    k = nt.out_var(s, l)
    if nt.key == "seed000" and l + 1 == s.L and n_next == 1:  # the seed's recurrence, spelled out
        o_sym, o_num, _ = _output_delta(ctx, c, 0)
        sum_sym = rf"{o_sym}\cdot {nt.weight(s, l + 1, 0, i)}"
        sum_num = rf"{o_num}\cdot {n(f.w_next[0])}"
    else:
        if n_next <= SUM_LIMIT:
            sum_sym = " + ".join(rf"{nt.delta(s, l + 1, q, c)}\,{nt.weight(s, l + 1, q, i)}" for q in range(n_next))
        else:
            sum_sym = rf"\sum_{{{k}}} {nt.delta(s, l + 1, k, c)}\,{nt.weight(s, l + 1, k, i)}"
        sum_num = join_terms([rf"{n(sgn * d)}\cdot {n(w)}" for d, w in zip(f.delta_next, f.w_next)], limit=SUM_LIMIT)
    middle = "" if flip else rf"{nt.d(A)}\cdot {g_sym} = "
    return EventFormula(
        f"Backward pass · hidden δ for {_neuron(l, i)}{_sample(ctx, c)}",
        rf"{D} = {middle}\Big({sum_sym}\Big)\cdot {g_sym}",
        rf"= \Big({sum_num}\Big)\cdot {g_num} = {n(sgn * f.dE_da)}\cdot {n(f.da_dz)}",
        f"= {v(nt.delta_sign * e.value)}",
        "A hidden δ collects the δs of the next layer, each weighted by the connection it flows back "
        f"through, and multiplies by the slope g'(z) of this neuron's {act}." + sign_note,
    )


# ---------------------------------------------------------------------------- gradients
def _param(ctx: _Ctx, e) -> str:
    s, nt = ctx.s, ctx.nt
    return nt.weight(s, e.layer, e.i, e.j) if e.is_weight else nt.bias(s, e.layer, e.i)


def _grad(ctx: _Ctx, e) -> EventFormula:
    tr, nt, s, n, v = ctx.trace, ctx.nt, ctx.s, ctx.n, ctx.v
    l, i, j, f, m = e.layer, e.i, e.j, e.factors, s.m
    P, is_w = _param(ctx, e), e.is_weight
    flip, sgn = nt.delta_sign < 0, float(nt.delta_sign)
    lead = "-" if flip else ""
    bias_in = nt.bias_input if (not is_w and nt.bias_input) else None

    def inp(c):  # the input the parameter multiplies, or None for a bias without x_0
        return nt.inp(s, l, i, j, c) if is_w else bias_in

    deltas, ins = f.delta, f.a_prev
    if m == 1 and nt.key == "seed000":  # δ spelled out as in the seed: (L_k − T)·L_k(1 − L_k)·L_j
        if l == s.L:
            d_sym, d_num, _ = _output_delta(ctx, 0, i, evaluated=True)
        else:
            fac = _delta_event_factors(tr, l, i, 0)
            A = nt.act(s, l, i, 0)
            g_sym, g_num = _gprime(ctx, tr.activations[l - 1], A, nt.pre(s, l, i, 0), fac.a, fac.da_dz, evaluated=True)
            d_sym, d_num = rf"{nt.d(A)}\cdot {g_sym}", rf"{n(fac.dE_da)}\cdot {g_num}"
        sym = d_sym + (rf"\cdot {inp(0)}" if is_w else "")
        num = "= " + d_num + (rf"\cdot {n(ins[0])}" if is_w else "")
    elif m == 1:
        D = nt.delta(s, l, i, 0)
        sym = lead + D + (rf"\,{inp(0)}" if inp(0) else "")
        num_d = f"{lead}{n(sgn * deltas[0])}"
        if is_w or bias_in:
            num = rf"= {num_d}\cdot {n(ins[0])}"
        else:
            num = f"= {num_d}" if flip else ""  # ∂E/∂b = δ: nothing to substitute
    else:
        D = nt.delta(s, l, i, "c")
        sym = rf"{lead}\sum_{{c=1}}^{{{m}}} {D}" + (rf"\,{inp('c')}" if inp("c") else "")
        terms = [rf"{n(sgn * d)}\cdot {n(a)}" if (is_w or bias_in) else n(sgn * d) for d, a in zip(deltas, ins)]
        body = join_terms(terms, limit=SAMPLE_LIMIT)
        num = rf"= -\big({body}\big)" if flip else f"= {body}"
    what = "weight" if is_w else "bias"
    target = _parameter_words(e)
    per = f", summed over the {m} samples" if m > 1 else ""
    because = (
        f"the δ of the neuron it feeds times the input it multiplies{per}"
        if (is_w or bias_in)
        else f"just the δ of its neuron{per}, because the bias multiplies a constant 1"
    )
    sign_note = f" (minus, because this notation's δ is $-\\partial {nt.loss}/\\partial z$)" if flip else ""
    return EventFormula(
        f"Gradient · {target}",
        f"{nt.d(P)} = {sym}",
        num,
        f"= {v(e.value)}",
        f"The gradient of the {what} is {because}{sign_note}.",
    )


# ------------------------------------------------------------------------------ updates
def _update(ctx: _Ctx, e) -> EventFormula:
    tr, nt, s, n, v = ctx.trace, ctx.nt, ctx.s, ctx.n, ctx.v
    l, i, j, f, m = e.layer, e.i, e.j, e.factors, s.m
    P, is_w = _param(ctx, e), e.is_weight
    dd = distinct_digits(f.old, f.new, ctx.digits)  # old and new are written so that they differ
    if dd != ctx.digits:
        n_, v_ = n, v
        n = lambda x: format_number(x, dd, paren=True) if x in (f.old, f.new) else n_(x)  # noqa: E731
        v = lambda x: format_number(x, dd) if x in (f.old, f.new) else v_(x)  # noqa: E731
    if nt.update == "assign":  # seed 002: W := W + η δ a, with δ = −∂RSS/∂z
        x = (lambda c: nt.inp(s, l, i, j, c)) if is_w else (lambda c: nt.bias_input or "")
        if m == 1:
            d, a = -float(tr.deltas[l][0, i]), (float(tr.A[l - 1][0, j]) if is_w else 1.0)
            sym = rf"{P} := {P} + {nt.lr}\,{nt.delta(s, l, i, 0)}\,{x(0)}"
            num = rf"= {n(f.old)} + {n(f.lr)}\cdot {n(d)}" + (rf"\cdot {n(a)}" if (is_w or nt.bias_input) else "")
        else:
            sym = rf"{P} := {P} + {nt.lr}\sum_{{c=1}}^{{{m}}} {nt.delta(s, l, i, 'c')}\,{x('c')}"
            num = rf"= {n(f.old)} + {n(f.lr)}\cdot {n(-f.grad)}"
    else:
        sym = rf"{nt.new(P)} {nt.assign} {P} - {nt.lr}\,{nt.d(P)}"
        num = rf"= {n(f.old)} - {n(f.lr)}\cdot {n(f.grad)}"
    target = _parameter_words(e)
    return EventFormula(
        f"Update · {target}",
        sym,
        num,
        f"= {v(e.value)}",
        f"Gradient descent moves the {'weight' if is_w else 'bias'} against its gradient: "
        f"$\\Delta {P} = -{nt.lr}\\cdot{nt.d(P)} = {v(f.delta_w)}$, so it goes from ${v(f.old)}$ "
        f"to ${v(f.new)}$.",
    )
