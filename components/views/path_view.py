"""∂E/∂w as a sum over paths, written out: LaTeX lines, table rows and a sentence for a ``PathSum``.

``components.model.chain_paths`` multiplies the local derivatives along every path from a parameter
(or a neuron) to the loss and adds the products; this module only writes its numbers down, in the
notation the panel uses (``notation``). Every number is a ``Factor``'s or a path's own value; the only
arithmetic is the sign of δ for the notations whose δ is −∂E/∂z (delta_sign −1, as ``formulas``).

A path's factors, in the order they multiply (neutral notation, sample c when m > 1):

    a^{(l−1)}_j  ·  g'(z^{(l)}_i) · w^{(l+1)}_{k i} · g'(z^{(l+1)}_k) · …  ·  ∂E/∂a^{(L)}_o
    (weights only)                                                          (or δ^{(L)}_o when the
                                                                             output's g' cancels)

g' is written with the layer's activation (σ', tanh', ReLU', …; g' when only a Shape is given). In a
notation with δ = −∂E/∂z an output δ factor is written (−δ), whose value is the engine's ∂E/∂z. With a
batch of m > 1 samples the factors other than the weights differ from sample to sample, so each path
contributes Σ_c of its per-sample products: the symbolic line carries Σ_c and each numeric line gives
the path's product summed over the samples, with only the factors that are the same for every sample
(the weights) substituted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from components.model.chain_paths import PathSum, Target
from components.views.notation import (
    Notation,
    Shape,
    activation_symbol,
    format_number,
    format_plain,
    get_notation,
    plain_symbol,
)

__all__ = ["SYMBOLIC_PATHS", "TOP_PATHS", "MAX_ROWS", "path_lines", "path_rows", "path_summary", "path_route"]

SYMBOLIC_PATHS = 3  # paths written out in the symbolic sum before eliding (head 2, \cdots, the last one)
TOP_PATHS = 5  # paths listed by size when there are too many to list them all
MAX_ROWS = 64  # table rows before the table keeps only the largest paths
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUBS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")


# ------------------------------------------------------------------------------- context
class _Ctx:
    """The notation, the shape its symbols depend on, the layers' activations and the digits."""

    def __init__(self, ps: PathSum, trace_or_shape, notation: str | Notation, digits: int):
        self.ps, self.nt, self.digits = ps, get_notation(notation), int(digits)
        self.s, self.acts = _shape(ps, trace_or_shape)
        self.c = "c" if ps.m > 1 else None  # the sample index in symbols (shown only when m > 1)
        self.flip = self.nt.delta_sign < 0

    def n(self, x) -> str:
        """A number substituted into a formula (negatives in parentheses)."""
        return format_number(x, self.digits, paren=True)

    def v(self, x) -> str:
        """A number standing on its own (after "=")."""
        return format_number(x, self.digits)

    @property
    def sum_c(self) -> str:
        return rf"\sum_{{c=1}}^{{{self.ps.m}}} " if self.ps.m > 1 else ""

    # ---------------------------------------------------------------------- symbols
    def gprime(self, l: int, i: int) -> str:
        g = activation_symbol(self.acts[l - 1]) if self.acts else "g"
        return f"{g}'({self.nt.pre(self.s, l, i, self.c)})"

    def factor(self, kind: str, l: int, i: int, j: int | None) -> str:
        """The LaTeX symbol of one factor (engine indices, 0-based; see ``chain_paths.Factor``)."""
        nt, s, c, t = self.nt, self.s, self.c, self.ps.target
        if kind == "a":  # the input the weight multiplies: a^{(l−1)}_j (u_rq in the numbered-unit notation)
            return nt.inp(s, t.layer, t.i, t.j, c)
        if kind == "x0":
            return nt.bias_input
        if kind == "w":
            return nt.weight(s, l, i, j)
        if kind == "g'":
            return self.gprime(l, i)
        if kind == "dE_da":
            return nt.d(nt.act(s, l, i, c))
        if kind == "delta":  # the engine's δ^L = ∂E/∂z^L: written (−δ) where this notation's δ is −∂E/∂z
            D = nt.delta(s, l, i, c)
            return rf"\left(-{D}\right)" if self.flip else D
        raise ValueError(f"unknown factor kind {kind!r}")

    def lhs(self) -> str:
        """What the paths add up to: ∂E/∂w, ∂E/∂b, or (Σ_c) δ^{(l)}_i = (Σ_c) ∂E/∂z^{(l)}_i."""
        nt, s, t = self.nt, self.s, self.ps.target
        if t.kind == "weight":
            return nt.d(nt.weight(s, t.layer, t.i, t.j))
        if t.kind == "bias":
            return nt.d(nt.bias(s, t.layer, t.i))
        D, dz, sc = nt.delta(s, t.layer, t.i, self.c), nt.d(nt.pre(s, t.layer, t.i, self.c)), self.sum_c
        if self.flip:
            return f"{sc}{dz} = -{sc}{D}"
        return f"{sc}{D}" if D == dz else f"{sc}{D} = {sc}{dz}"

    def keys(self, row: Sequence[int]) -> list[tuple[str, int, int, int | None]]:
        """The factors (kind, layer, i, j) of the path through neurons row[0] (the target's layer), row[1], …;
        the same order as ``chain_paths`` multiplies them (plus x_0 = 1 for a notation's bias input)."""
        ps, t = self.ps, self.ps.target
        L = t.layer + len(row) - 1
        out: list[tuple[str, int, int, int | None]] = []
        if t.kind == "weight":
            out.append(("a", t.layer - 1, t.j, None))
        elif t.kind == "bias" and self.nt.bias_input:
            out.append(("x0", t.layer, t.i, None))
        for step, k in enumerate(row):
            layer, k = t.layer + step, int(k)
            if step:
                out.append(("w", layer, k, int(row[step - 1])))
            if layer < L or ps.terminal == "dE_da":
                out.append(("g'", layer, k, None))
            if layer == L:
                out.append(("dE_da" if ps.terminal == "dE_da" else "delta", layer, k, None))
        return out

    def product_symbol(self, row: Sequence[int]) -> str:
        return r"\cdot ".join(self.factor(*key) for key in self.keys(row))


def _shape(ps: PathSum, trace_or_shape) -> tuple[Shape, tuple[str, ...] | None]:
    """(Shape, activations per layer 1..L or None) from a Trace, a Network or a Shape."""
    obj = trace_or_shape
    if isinstance(obj, Shape):
        return obj, None
    sizes = getattr(obj, "layer_sizes", None)
    if sizes is None:
        raise TypeError(f"expected a Trace, a Network or a Shape, got {type(obj).__name__}")
    acts = getattr(obj, "activations", None)
    return Shape(tuple(int(n) for n in sizes), int(ps.m)), (tuple(acts) if acts is not None else None)


def _row_of_path(ps: PathSum, sizes: Sequence[int], k: int) -> list[int]:
    """The neurons (layer l, l+1, …, L) of path number k in enumeration order (lexicographic, as
    ``nx.all_simple_paths`` yields them), without enumerating: k in mixed radix over the widths."""
    t = ps.target
    widths = [int(n) for n in sizes[t.layer + 1 :]]
    digits = []
    for w in reversed(widths):
        k, r = divmod(k, w)
        digits.append(r)
    return [t.i, *reversed(digits)]


def _rows_for_symbols(ps: PathSum, sizes: Sequence[int], count: int) -> list[list[int]]:
    """The neuron rows of the first paths to write symbolically: all of them up to ``count``,
    else the first count − 1 and the last one."""
    n = ps.n_paths
    idx = list(range(n)) if n <= count else [*range(count - 1), n - 1]
    if ps.enumerated:
        return [[k for _, k in ps.paths[p].nodes[1 if ps.target.kind == "weight" else 0 :]] for p in idx]
    return [_row_of_path(ps, sizes, p) for p in idx]


def _elide(terms: list[str], n: int) -> str:
    """terms are the first len − 1 of n terms and the last one: joined with a \\cdots that says how
    many it stands for (as ``notation.join_terms`` writes it)."""
    if n <= len(terms):
        return " + ".join(terms)
    hidden = n - len(terms)
    return " + ".join([*terms[:-1], rf"\cdots_{{({hidden}\text{{ more}})}}", terms[-1]])


# ---------------------------------------------------------------------------- numbers
def _path_keys(ctx: _Ctx, p) -> list[tuple[str, int, int, int | None, float | None]]:
    """(kind, layer, i, j, value or None when it varies over the samples) of a PathTerm's factors,
    with x_0 = 1 in front for a notation's bias input."""
    out = []
    if ctx.ps.target.kind == "bias" and ctx.nt.bias_input:
        out.append(("x0", ctx.ps.target.layer, ctx.ps.target.i, None, 1.0))
    out += [(f.kind, f.layer, f.i, f.j, f.value) for f in p.factors]
    return out


def _path_line(ctx: _Ctx, p) -> str:
    """One path: its product symbolically, with its numbers, and its value (summed over the samples)."""
    keys = _path_keys(ctx, p)
    sym = r"\cdot ".join(ctx.factor(k, l, i, j) for k, l, i, j, _ in keys)
    if ctx.ps.m == 1:
        num = r"\cdot ".join(ctx.n(v) for *_, v in keys)
        return f"{sym} = {num} = {ctx.v(p.product)}"
    partial = r"\cdot ".join(ctx.factor(k, l, i, j) if v is None else ctx.n(v) for k, l, i, j, v in keys)
    sc = ctx.sum_c
    middle = f" = {sc}{partial}" if partial != sym else ""
    return f"{sc}{sym}{middle} = {ctx.v(p.product)}"


def _sum_line(ctx: _Ctx, values: list[str]) -> str:
    """LHS = the listed products (+ …) = total."""
    body = " + ".join(values)
    line = f"{ctx.lhs()} = {body}" if len(values) > 1 else ctx.lhs()
    return f"{line} = {ctx.v(ctx.ps.total)}"


def path_lines(
    ps: PathSum,
    trace_or_shape,
    notation: str | Notation = "neutral",
    digits: int = 4,
    max_full: int = 16,
    *,
    top: int = TOP_PATHS,
) -> list[str]:
    """The path sum as LaTeX lines.

    1. The symbolic sum: LHS = (Σ_c) (path 1's product + path 2's + \\cdots + the last path's), in the notation.
    2. A note (\\text) when m > 1: each path's product is summed over the samples.
    3. The numbers: every path (n_paths ≤ max_full), each "symbols = numbers = product"; else
       "n paths; the top largest:" with those, then "+ (rest of n − top paths) = value".
       Beyond chain_paths.MAX_PATHS nothing is enumerated: one line says so.
    4. LHS = the products (and the rest) added = total (for a flipped δ also δ = −total).

    trace_or_shape: the Trace (or Network) the path sum came from — its activations name g' — or a Shape.
    """
    ctx = _Ctx(ps, trace_or_shape, notation, digits)
    nt, s, n = ctx.nt, ctx.s, ps.n_paths
    rows = _rows_for_symbols(ps, s.sizes, SYMBOLIC_PATHS)
    terms = [ctx.product_symbol(r) for r in rows]
    rhs = _elide(terms, n)
    if ps.m > 1:
        rhs = rf"{ctx.sum_c}\Big({rhs}\Big)" if n > 1 else f"{ctx.sum_c}{rhs}"
    lines = [f"{ctx.lhs()} = {rhs}"]
    if ps.m > 1:
        lines.append(
            rf"\text{{With {ps.m} samples the local derivatives differ from sample to sample: each path's "
            r"product below is summed over the samples } c\text{ (only the weights, the same for every "
            r"sample, are substituted).}"
        )
    if ctx.flip and ps.terminal == "delta":
        lines.append(
            rf"\text{{This notation's }} \delta \text{{ is }} -\partial {nt.loss}/\partial z"
            r"\text{, so a path ends with } (-\delta)\text{, the output's } \partial "
            rf"{nt.loss}/\partial z."
        )
    if not ps.enumerated:
        lines.append(rf"\text{{{n:,} paths: too many to list one by one; their sum is the backward pass's value}}")
        lines.append(f"{ctx.lhs()} = {ctx.v(ps.total)}")
    elif n <= max_full:
        lines += [_path_line(ctx, p) for p in ps.paths]
        lines.append(_sum_line(ctx, [ctx.n(p) for p in ps.products] if n <= 8 else _few(ctx, ps)))
    else:
        big = ps.largest(top)
        k = len(big.paths)
        lines.append(rf"\text{{{n:,} paths; the {k} largest:}}")
        lines += [_path_line(ctx, p) for p in big.paths]
        rest = [ctx.n(big.rest)] if big.n_rest else []
        if big.n_rest:
            lines.append(rf"+\;(\text{{rest of {big.n_rest:,} paths}}) = {ctx.v(big.rest)}")
        lines.append(_sum_line(ctx, [ctx.n(p.product) for p in big.paths] + rest))
    if ps.target.kind == "neuron" and ctx.flip:
        t = ps.target
        lines.append(f"{ctx.sum_c}{nt.delta(s, t.layer, t.i, ctx.c)} = {ctx.v(-ps.total)}")
    return lines


def _few(ctx: _Ctx, ps: PathSum) -> list[str]:
    """The products of many paths, the first 6 and the last with a \\cdots between."""
    vals = [ctx.n(x) for x in ps.products]
    return [*vals[:6], rf"\cdots_{{({len(vals) - 7}\text{{ more}})}}", vals[-1]]


# ------------------------------------------------------------------------------- table
def _node_name(l: int, i: int, L: int) -> str:
    """x₁ (input), h₁ (the hidden layer of a one-hidden-layer network) or h⁽²⁾₁, o₁ (output)."""
    sub = str(i + 1).translate(_SUBS)
    if l == 0:
        return "x" + sub
    if l == L:
        return "o" + sub
    return ("h" if L == 2 else "h" + f"({l})".translate(_SUP)) + sub


def path_route(nodes: Sequence[tuple[int, int]], L: int) -> str:
    """A path's neurons as plain text: "x₁ → h₁ → o₁" (layers 0 … L)."""
    return " → ".join(_node_name(l, i, L) for l, i in nodes)


def path_rows(
    ps: PathSum,
    notation: str | Notation = "neutral",
    digits: int = 4,
    trace_or_shape=None,
    *,
    max_rows: int = MAX_ROWS,
) -> list[dict]:
    """One row per path for a table: path (x₁ → h₁ → o₁), factors (their symbols, plain text),
    values (their numbers; a factor that varies over the samples is written by its symbol, Σ_c), product
    (float, summed over the samples) and share (product / total; NaN when the total is 0).

    Every path when there are at most max_rows, in enumeration order; else the largest max_rows − 1 and a
    last row for the rest. Not enumerated: one row for all paths. trace_or_shape names the symbols
    (needed for any notation but the neutral one, whose names the paths carry)."""
    nt = get_notation(notation)
    ctx = None
    if trace_or_shape is not None:
        ctx = _Ctx(ps, trace_or_shape, nt, digits)
    elif nt.key != "neutral":
        raise ValueError(f"path_rows needs the trace (or a Shape) to name symbols in the {nt.key} notation")
    total = ps.total

    def share(x: float) -> float:
        return float(x) / total if total != 0 and math.isfinite(total) else float("nan")

    if not ps.enumerated:
        return [
            {"path": f"all {ps.n_paths:,} paths", "factors": "", "values": "", "product": total, "share": share(total)}
        ]
    if ps.n_paths <= max_rows:
        chosen, rest = list(ps.paths), None
    else:
        big = ps.largest(max(1, max_rows - 1))
        chosen, rest = list(big.paths), big
    L = max(l for l, _ in chosen[0].nodes) if chosen else ps.target.layer
    sum_c = "Σ_c " if ps.m > 1 else ""
    out = []
    for p in chosen:
        if ctx is not None:
            keys = _path_keys(ctx, p)
            names = [_plain(ctx.factor(k, l, i, j)) for k, l, i, j, _ in keys]
            vals = [v for *_, v in keys]
        else:
            names = [_plain(f.name) for f in p.factors]
            vals = [f.value for f in p.factors]
        shown = [nm if v is None else _plain_factor(v, digits) for nm, v in zip(names, vals)]
        out.append(
            {
                "path": path_route(p.nodes, L),
                "factors": " · ".join(names),
                "values": sum_c + " · ".join(shown),
                "product": float(p.product),
                "share": share(p.product),
            }
        )
    if rest is not None:
        out.append(
            {
                "path": f"the other {rest.n_rest:,} paths",
                "factors": "",
                "values": "",
                "product": float(rest.rest),
                "share": share(rest.rest),
            }
        )
    return out


def _plain(tex: str) -> str:
    """A factor's LaTeX symbol as plain text (σ'(z⁽¹⁾₁), tanh'(…), ReLU'(…), (−δ⁽²⁾₁))."""
    tex = re.sub(r"\\operatorname\{(\w+)\}", r"\1", tex)
    tex = re.sub(r"\\(tanh)(?![A-Za-z])", r"\1", tex)
    tex = tex.replace(r"\left(", "(").replace(r"\right)", ")")
    return plain_symbol(tex).replace("-", "−")


def _plain_factor(x: float, digits: int) -> str:
    """A factor's value in a table cell: format_plain, a negative in parentheses."""
    s = format_plain(x, digits)
    return f"({s})" if s.startswith("-") else s


# ----------------------------------------------------------------------------- summary
def _plain_number(x: float) -> str:
    """6 significant figures (0.000438568), "−" for minus; scientific only when tiny or huge."""
    x = float(x)
    s = f"{x:.6g}"
    if "e" in s or not math.isfinite(x):
        s = format_plain(x, 6)
    return s.replace("-", "−")


def _target_plain(t: Target, nt: Notation | None, s: Shape | None) -> tuple[str, str]:
    """(the target's name, the quantity its paths add up to) as plain text."""
    if nt is None or s is None:
        return plain_symbol(t.symbol), " = ".join(plain_symbol(part) for part in t.description.split(" = "))
    if t.kind == "weight":
        sym = plain_symbol(nt.weight(s, t.layer, t.i, t.j))
    elif t.kind == "bias":
        sym = plain_symbol(nt.bias(s, t.layer, t.i))
    else:
        D, dz = plain_symbol(nt.delta(s, t.layer, t.i)), f"∂{nt.loss_plain}/∂{plain_symbol(nt.pre(s, t.layer, t.i))}"
        if nt.delta_sign < 0:
            return D, f"{dz} = −{D}"
        return D, dz if D == dz else f"{D} = {dz}"
    return sym, f"∂{nt.loss_plain}/∂{sym}"


def path_summary(ps: PathSum, notation: str | Notation | None = None, trace_or_shape=None) -> str:
    """One plain sentence: "2 paths from w⁽¹⁾₁₁ to the loss; their products add up to ∂E/∂w⁽¹⁾₁₁ = 0.000438568".
    Neutral names unless a notation and the trace (or a Shape) are given."""
    nt = get_notation(notation) if notation is not None else None
    s = _shape(ps, trace_or_shape)[0] if (nt is not None and trace_or_shape is not None) else None
    name, what = _target_plain(ps.target, nt, s)
    n, value = ps.n_paths, _plain_number(ps.total)
    over = f", summed over the {ps.m} samples," if ps.m > 1 else ""
    start = f"neuron {ps.target.i + 1} of layer {ps.target.layer}" if ps.target.kind == "neuron" else name
    if not ps.enumerated:
        return (
            f"{n:,} paths from {start} to the loss, too many to list one by one; together{over.rstrip(',')} "
            f"they give {what} = {value}"
        )
    if n == 1:
        return f"1 path from {start} to the loss; its product{over} is {what} = {value}"
    return f"{n:,} paths from {start} to the loss; their products{over} add up to {what} = {value}"
