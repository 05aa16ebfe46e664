"""Five ways to write the same backpropagation: a registry of LaTeX symbol builders.

Each ``Notation`` turns engine indices into the symbols one derivation uses (its ``label`` names
the symbols, its ``source`` says in one line where they come from). Engine indices are
0-based (neuron i, input j, sample c) and are shown 1-based; a ``str`` index is a symbolic
index letter and is shown as it is (e.g. ``"j"`` in a sum Σ_j). Layers are numbered
0 (inputs) … L (outputs) as in the engine. Several numeric indices are written side by side
(``w_{12}``) when each is one character, and separated by commas otherwise (``w_{12,3}``).
The sample index c only appears when the batch has m > 1 samples.

============  =========================  ===================================================
notation      symbols                    notes
============  =========================  ===================================================
neutral       a^{(l)}_i z^{(l)}_i        weights w^{(l)}_{ij}, biases b^{(l)}_i, targets y_i,
                                         δ^{(l)}_i = ∂E/∂z^{(l)}_i, loss E, rate η
seed000       L_x, net_x, w_{xy}         layers are letters h, i, j, k, l, … (layer 0 = h,
                                         the output is the last letter); a neuron of a layer
                                         with several units carries its number as a subscript
                                         of the letter: L_{j_2} is neuron 2 of layer j, and
                                         w_{j_2 k} runs from L_{j_2} to L_k. Target T (T_{k_1}
                                         with several outputs), δ written ∂E/∂net_x, rate α;
                                         sample c (m > 1) as a superscript: L_{k}^{(c)}
seed001       A^l_{ic}, Z^l_{ic}         W^l_{ij}, b^l_i, Y_{ic}, δ written ∂E/∂Z^l_{ic}, η
seed002       a_k^{(l)}, z_k^{(l)}       inputs x_j, W_{kj}^{(l)}, the bias is W_{k0}^{(l)} on a
                                         constant input x_0 = 1, y_k, RSS, η, and
                                         δ_k^{(l)} = −∂RSS/∂z_k^{(l)} (delta_sign −1)
seed003       o_r, net_r, w_{rq}, u_{rq} units r = 1…N numbered through the layers (hidden
                                         first, outputs last, as the notes' w_r, r = 1…m+k);
                                         u_{rq} is the q-th input of unit r (an input x_q or
                                         the output o of a unit of the layer before); b_r,
                                         targets y_r, J, η, δ_r = −∂J/∂net_r (delta_sign −1);
                                         sample c (m > 1) as a superscript: o_r^{(c)}
============  =========================  ===================================================

Also here: ``format_number`` and small helpers that join LaTeX terms, eliding long sums.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "plain_symbol",
    "Notation",
    "NOTATIONS",
    "Shape",
    "get_notation",
    "format_number",
    "format_plain",
    "join_terms",
    "activation_symbol",
]

Index = int | str  # int: engine index (0-based, shown 1-based); str: a symbolic index letter


@dataclass(frozen=True)
class Shape:
    """What a symbol may depend on: the layer sizes (n_0, …, n_L) and the batch size m."""

    sizes: tuple[int, ...]
    m: int

    @property
    def L(self) -> int:
        return len(self.sizes) - 1


# ------------------------------------------------------------------ plain-text symbols
# Unicode sub- and superscripts for what the notations put there (digits, commas, parentheses, index
# letters): the graph and the tables write a symbol as plain text, with the panel's letters and indices.
_SUB = str.maketrans("0123456789()+-=aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₍₎₊₋₌ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789()+-=in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻⁼ⁱⁿ")
_GREEK = {r"\delta": "δ", r"\eta": "η", r"\sigma": "σ", r"\partial": "∂", r"\,": "", r"\!": ""}


def _group(tex: str, at: int) -> tuple[str, int]:
    """The argument of a sub/superscript starting at ``at``: a braced group or one character."""
    if at < len(tex) and tex[at] == "{":
        depth = 0
        for q in range(at, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[q], 0)
            if depth == 0:
                return tex[at + 1 : q], q + 1
        return tex[at + 1 :], len(tex)
    return tex[at : at + 1], at + 1


@functools.lru_cache(maxsize=4096)  # a pure function of the text; a network's symbols recur every update
def plain_symbol(tex: str) -> str:
    """A LaTeX symbol of a notation (w^{(2)}_{11}, W_{12}^{(1)}, w_{h_{2}i_{1}}, \\delta^{(1)}_{1}) as
    plain text with Unicode sub- and superscripts (w⁽²⁾₁₁, W₁₂⁽¹⁾, wₕ₂ᵢ₁, δ⁽¹⁾₁)."""
    tex = re.sub(r"\\mathrm\{(\w+)\}", r"\1", tex)
    for k, v in _GREEK.items():
        tex = re.sub(re.escape(k) + r"(?![A-Za-z])", v, tex)
    out, q = [], 0
    while q < len(tex):
        ch = tex[q]
        if tex.startswith("\\frac", q):  # ∂E/∂z
            top, q = _group(tex, q + 5)
            bottom, q = _group(tex, q)
            out.append(f"{plain_symbol(top)}/{plain_symbol(bottom)}")
            continue
        if ch in "_^":
            inner, q = _group(tex, q + 1)
            text = plain_symbol(inner).translate(_SUB if ch == "_" else _SUP)
            out.append(text.translate(_SUB) if ch == "_" else text)
            continue
        if ch not in "{} ":
            out.append(ch)
        q += 1
    return "".join(out)


# ------------------------------------------------------------------ formatting helpers
def format_number(x: float, digits: int = 4, *, paren: bool = False) -> str:
    """LaTeX for a number: ``digits`` decimals with trailing zeros dropped (0.01, 0.7514, 1);
    below 10^{-(digits-2)} ``digits`` significant figures instead (0.009954, not 0.01).

    Scientific (4.27 \\times 10^{-4}) when 0 < |x| < 10^{-(digits-1)} or |x| ≥ 10^6; NaN and
    ±∞ explicitly. With ``paren=True`` (a number substituted into a formula) negative and
    scientific numbers are wrapped in parentheses.
    """
    x, digits = float(x), max(1, int(digits))
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        s = r"\infty" if x > 0 else r"-\infty"
        return f"({s})" if paren and x < 0 else s
    sci = x != 0 and (abs(x) < 10.0 ** -(digits - 1) or abs(x) >= 1e6)
    if sci:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        s = f"{mantissa} \\times 10^{{{int(exponent)}}}"
    else:
        decimals = digits
        if x != 0 and abs(x) < 10.0 ** -(digits - 2):  # small values keep ``digits`` significant figures
            decimals = digits - 1 - math.floor(math.log10(abs(x)))
        s = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
        s = "0" if s in ("-0", "") else s
    return f"({s})" if paren and (sci or s.startswith("-")) else s


def distinct_digits(a: float, b: float, digits: int = 4, most: int = 17) -> int:
    """The fewest decimals, from ``digits`` up to ``most``, that write a and b differently (``digits``
    when they are equal): an update never reads "goes from −0.2302 to −0.2302"."""
    d = max(1, int(digits))
    if float(a) == float(b) or not (math.isfinite(a) and math.isfinite(b)):
        return d
    while d < most and format_number(a, d) == format_number(b, d):
        d += 1
    return d


def format_plain(x: float, digits: int = 4) -> str:
    """``format_number`` as plain text for tables: 0.7514, 4.386e-4, NaN, ∞."""
    s = format_number(x, digits)
    s = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", s)
    return s.replace(r"\text{NaN}", "NaN").replace(r"\infty", "∞")


def join_terms(terms: list[str], sep: str = " + ", limit: int = 6, head: int = 3, tail: int = 1) -> str:
    """Join LaTeX terms; more than ``limit`` terms keep ``head`` … ``tail`` around a \\cdots that
    says how many it stands for (the layer table lists every term)."""
    if len(terms) <= limit:
        return sep.join(terms)
    hidden = len(terms) - head - tail
    return sep.join(terms[:head] + [rf"\cdots_{{({hidden}\text{{ more}})}}"] + terms[-tail:])


def activation_symbol(name: str) -> str:
    """The function g of an activation, as LaTeX (linear: the identity, written id)."""
    return {
        "sigmoid": r"\sigma",
        "tanh": r"\tanh",
        "relu": r"\operatorname{ReLU}",
        "leaky_relu": r"\operatorname{LReLU}",
        "linear": r"\operatorname{id}",
        "softmax": r"\operatorname{softmax}",
    }.get(name, "g")


def _n(i: Index | None) -> str | None:
    """Show an index: engine ints 1-based, letters as they are, None stays None."""
    return None if i is None else (str(i + 1) if isinstance(i, int) else i)


def _sub(*parts: str | None) -> str:
    """A subscript's body: parts side by side if each is one character, else comma-separated."""
    shown = [p for p in parts if p]
    return ("" if all(len(p) == 1 for p in shown) else ",").join(shown)


def _sub_sample(i: str | None, c: str | None) -> str:
    """A neuron's index and its sample's: comma-separated when both are numbers (z_{4,8}: neuron 4 of
    sample 8, never neuron 48) or either is longer than one character; letters as the derivation writes
    them (A^1_{1c})."""
    if i and c and i.isdigit() and c.isdigit():
        return f"{i},{c}"
    return _sub(i, c)


def _c(s: Shape, c: Index | None) -> str | None:
    """The sample index, shown only for batches of m > 1."""
    return _n(c) if s.m > 1 else None


def _sup_c(s: Shape, c: Index | None) -> str:
    """The sample as a superscript (c), for notations without a sample subscript."""
    shown = _c(s, c)
    return f"^{{({shown})}}" if shown else ""


def _frac_partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


# --------------------------------------------------------------------------- Notation
@dataclass(frozen=True)
class Notation:
    """One derivation's symbols. Builders take a Shape first; ``l`` is a layer 0…L.

    act(s, l, i, c): activation of neuron i of layer l (sample c); layer 0 are the inputs
    pre(s, l, i, c): pre-activation; weight(s, l, i, j): from neuron j of layer l−1 to i of l
    bias(s, l, i); target(s, i, c): target of output i; delta(s, l, i, c): this notation's δ
    (``delta_sign`` · ∂E/∂z); inp(s, l, i, j, c): the j-th input of neuron i of layer l.
    in_var(s, l) / out_var(s, l): index letter for sums over layer l−1 / l+1.
    update: "prime" (w' = w − η ∂E/∂w), "arrow" (w ← …) or "assign" (W := W + η δ a).
    bias_input: the constant the bias weight multiplies (the RSS derivation's x_0 = 1), or None.
    target_first: write residuals as (y − a) rather than (a − y).
    """

    key: str
    label: str
    loss: str
    lr: str
    delta_sign: int
    act: Callable[..., str]
    pre: Callable[..., str]
    weight: Callable[..., str]
    bias: Callable[..., str]
    target: Callable[..., str]
    delta_fn: Callable[..., str]
    in_var: Callable[[Shape, int], str]
    out_var: Callable[[Shape, int], str]
    update: str = "prime"
    bias_input: str | None = None
    target_first: bool = False
    inp_fn: Callable[..., str] | None = None
    source: str = ""  # one line: where the notation comes from, by content (shown beside the chooser)

    def delta(self, s: Shape, l: int, i: Index, c: Index | None = None) -> str:
        return self.delta_fn(s, l, i, c)

    def inp(self, s: Shape, l: int, i: Index, j: Index, c: Index | None = None) -> str:
        return self.inp_fn(s, l, i, j, c) if self.inp_fn else self.act(s, l - 1, j, c)

    def d(self, x: str) -> str:
        """∂(loss)/∂x as a LaTeX fraction."""
        return _frac_partial(self.loss, x)

    def new(self, symbol: str) -> str:
        """The updated parameter's symbol: w' for "prime" notations, the symbol itself otherwise."""
        return re.sub(r"^([A-Za-z]+)", r"\1'", symbol, count=1) if self.update == "prime" else symbol

    @property
    def loss_plain(self) -> str:
        """The loss symbol as plain text (E, RSS, J)."""
        return re.sub(r"\\mathrm\{(\w+)\}", r"\1", self.loss)

    @property
    def assign(self) -> str:
        return {"prime": "=", "arrow": r"\leftarrow", "assign": ":="}[self.update]


# ---- neutral --------------------------------------------------------------------------
def _neutral() -> Notation:
    return Notation(
        "neutral",
        "Neutral (a, z, w, b, δ, η)",
        "E",
        r"\eta",
        +1,
        act=lambda s, l, i, c=None: f"a^{{({l})}}_{{{_sub_sample(_n(i), _c(s, c))}}}",
        pre=lambda s, l, i, c=None: f"z^{{({l})}}_{{{_sub_sample(_n(i), _c(s, c))}}}",
        weight=lambda s, l, i, j: f"w^{{({l})}}_{{{_sub(_n(i), _n(j))}}}",
        bias=lambda s, l, i: f"b^{{({l})}}_{{{_n(i)}}}",
        target=lambda s, i, c=None: f"y_{{{_sub_sample(_n(i), _c(s, c))}}}",
        delta_fn=lambda s, l, i, c=None: rf"\delta^{{({l})}}_{{{_sub_sample(_n(i), _c(s, c))}}}",
        in_var=lambda s, l: "j",
        out_var=lambda s, l: "k",
        source="The symbols most textbooks use: activations a, pre-activations z, weights w, biases b, targets y, "
        "δ = ∂E/∂z and the learning rate η.",
    )


# ---- seed000: layers as letters ---------------------------------------------------------
def _letter(l: int) -> str:
    letters = "hijklmnopqrstuvwxyz"
    return letters[l] if l < len(letters) else f"h_{{{l}}}"


def _node(s: Shape, l: int, i: Index) -> str:
    """Neuron i of layer l: the layer's letter, with the neuron number if the layer is wider than 1."""
    letter = _letter(l)
    if isinstance(i, str) or s.sizes[l] == 1:
        return letter
    return f"{letter}_{{{_n(i)}}}"


def _seed000() -> Notation:
    return Notation(
        "seed000",
        "Layer letters (L_k, net_k, w_jk, α)",
        "E",
        r"\alpha",
        +1,
        act=lambda s, l, i, c=None: f"L_{{{_node(s, l, i)}}}{_sup_c(s, c)}",
        pre=lambda s, l, i, c=None: rf"\mathrm{{net}}_{{{_node(s, l, i)}}}{_sup_c(s, c)}",
        weight=lambda s, l, i, j: f"w_{{{_node(s, l - 1, j)}{_node(s, l, i)}}}",
        bias=lambda s, l, i: f"b_{{{_node(s, l, i)}}}",
        target=lambda s, i, c=None: ("T" if s.sizes[-1] == 1 else f"T_{{{_node(s, s.L, i)}}}") + _sup_c(s, c),
        delta_fn=lambda s, l, i, c=None: _frac_partial("E", rf"\mathrm{{net}}_{{{_node(s, l, i)}}}{_sup_c(s, c)}"),
        in_var=lambda s, l: _letter(l - 1),
        out_var=lambda s, l: _letter(l + 1),
        target_first=True,
        source="Layers as letters h → i → j → k, as in a derivation that writes L_k = σ(net_k), the loss "
        "E = ½(T − L_k)², δ as ∂E/∂net and the learning rate as α.",
    )


# ---- seed001: matrices with a sample column ---------------------------------------------
def _seed001() -> Notation:
    return Notation(
        "seed001",
        "Batch matrices (A^l, Z^l, W^l, b^l)",
        "E",
        r"\eta",
        +1,
        act=lambda s, l, i, c=None: f"A^{{{l}}}_{{{_sub_sample(_n(i), _c(s, c))}}}",
        pre=lambda s, l, i, c=None: f"Z^{{{l}}}_{{{_sub_sample(_n(i), _c(s, c))}}}",
        weight=lambda s, l, i, j: f"W^{{{l}}}_{{{_sub(_n(i), _n(j))}}}",
        bias=lambda s, l, i: f"b^{{{l}}}_{{{_n(i)}}}",
        target=lambda s, i, c=None: f"Y_{{{_sub_sample(_n(i), _c(s, c))}}}",
        delta_fn=lambda s, l, i, c=None: _frac_partial("E", f"Z^{{{l}}}_{{{_sub_sample(_n(i), _c(s, c))}}}"),
        in_var=lambda s, l: "j",
        out_var=lambda s, l: "k",
        update="arrow",
        source="Matrices with one column per sample, as in a derivation for a batch of m that sets "
        "A^0 = [x_1 … x_m] and E = 1/(2m) Σ_c Σ_i (A^L_ic − Y_ic)².",
    )


# ---- seed002: RSS, x_0 = 1, δ = −∂RSS/∂z -----------------------------------------------
def _seed002() -> Notation:
    def act(s, l, i, c=None):
        if l == 0:
            return f"x_{{{_sub_sample(_n(i), _c(s, c))}}}"
        return f"a_{{{_sub_sample(_n(i), _c(s, c))}}}^{{({l})}}"

    return Notation(
        "seed002",
        "RSS, bias x₀ = 1 (a^(l), z^(l), W_kj)",
        r"\mathrm{RSS}",
        r"\eta",
        -1,
        act=act,
        pre=lambda s, l, i, c=None: f"z_{{{_sub_sample(_n(i), _c(s, c))}}}^{{({l})}}",
        weight=lambda s, l, i, j: f"W_{{{_sub(_n(i), _n(j))}}}^{{({l})}}",
        bias=lambda s, l, i: f"W_{{{_sub(_n(i), '0')}}}^{{({l})}}",
        target=lambda s, i, c=None: f"y_{{{_sub_sample(_n(i), _c(s, c))}}}",
        delta_fn=lambda s, l, i, c=None: rf"\delta_{{{_sub_sample(_n(i), _c(s, c))}}}^{{({l})}}",
        in_var=lambda s, l: "j",
        out_var=lambda s, l: "k",
        update="assign",
        bias_input="x_0",
        target_first=True,
        source="Layer numbers as superscripts and the bias as W_k0 on x₀ = 1, as in a derivation of "
        "RSS = ½ Σ (y_k − a_k)² that takes δ = −∂RSS/∂z and updates W := W + η δ a.",
    )


# ---- seed003: units numbered through the network, u_rq, δ = −∂J/∂net ---------------------
def _unit(s: Shape, l: int, i: Index) -> str:
    """Unit number r of neuron i in layer l ≥ 1 (1-based, counted through layers 1…L)."""
    return str(sum(s.sizes[1:l]) + i + 1) if isinstance(i, int) else i


def _seed003() -> Notation:
    def act(s, l, i, c=None):
        if l == 0:
            return f"x_{{{_n(i)}}}{_sup_c(s, c)}"
        return f"o_{{{_unit(s, l, i)}}}{_sup_c(s, c)}"

    return Notation(
        "seed003",
        "Numbered units (o_r, net_r, w_rq, J)",
        "J",
        r"\eta",
        -1,
        act=act,
        pre=lambda s, l, i, c=None: rf"\mathrm{{net}}_{{{_unit(s, l, i)}}}{_sup_c(s, c)}",
        weight=lambda s, l, i, j: f"w_{{{_sub(_unit(s, l, i), _n(j))}}}",
        bias=lambda s, l, i: f"b_{{{_unit(s, l, i)}}}",
        target=lambda s, i, c=None: f"y_{{{_unit(s, s.L, i)}}}{_sup_c(s, c)}",
        delta_fn=lambda s, l, i, c=None: rf"\delta_{{{_unit(s, l, i)}}}{_sup_c(s, c)}",
        in_var=lambda s, l: "q",
        out_var=lambda s, l: "l" if l + 1 == s.L else "s",
        update="arrow",
        target_first=True,
        inp_fn=lambda s, l, i, j, c=None: f"u_{{{_sub(_unit(s, l, i), _n(j))}}}{_sup_c(s, c)}",
        source="Units numbered r through the network, as in lecture notes that write net_r, o_r, u_rq (the q-th "
        "input of unit r) and J = Σ_i J_i over N samples, with δ = −∂J/∂net.",
    )


NOTATIONS: dict[str, Notation] = {n.key: n for n in (_neutral(), _seed000(), _seed001(), _seed002(), _seed003())}


def get_notation(notation: str | Notation) -> Notation:
    """A Notation from its key (or the Notation itself); ValueError for unknown keys."""
    if isinstance(notation, Notation):
        return notation
    try:
        return NOTATIONS[notation]
    except (KeyError, TypeError):
        raise ValueError(f"unknown notation {notation!r}; choose one of {', '.join(NOTATIONS)}") from None
