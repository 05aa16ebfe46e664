"""∂E/∂w as a sum over paths: the chain rule written out along every route from a parameter to the loss.

The network is a layered DAG (``network_graph``): node (l, i) is neuron i of layer l (layer 0 = inputs),
edge (l−1, j) → (l, i) carries the weight W^l_ij = ``weights[l-1][i, j]``. For a target — a weight
W^l_ij, a bias b^l_i or a neuron (l, i) with δ^l_i = ∂E/∂z^l_i — every path runs from neuron (l, i)
to an output neuron (L, k) (``nx.all_simple_paths``), and for sample c

    ∂E_c/∂z^l_i = Σ_paths g'(z^l_i) · w^{l+1}_{i_{l+1} i} · g'(z^{l+1}_{i_{l+1}}) · …
                               · w^L_{k i_{L−1}} · g'(z^L_k) · ∂E/∂a^L_k
    ∂E_c/∂W^l_ij = a^{l−1}_j · (the same sum),    ∂E_c/∂b^l_i = 1 · (the same sum)

with the neuron's own factors taken from layer l on (a path of a target in layer L is the single
node (L, i)). How a path ends mirrors the engine's output δ (``engine.losses.output_delta``):

- ``terminal == "dE_da"`` (an elementwise output with a squared error): the last two factors are
  g'(z^L_k) and ∂E/∂a^L_k = s (a^L_k − y_k);
- ``terminal == "delta"`` (cross-entropy with sigmoid or softmax outputs, where g' cancels, and softmax
  with a squared error, whose Jacobian couples every output): both are replaced by the single factor
  δ^L_k = ∂E/∂z^L_k, exactly the engine's value (s (a − y), or Σ_k' ∂E/∂a_k' a_k' (1[k = k'] − a_k)).

s is the loss's scale (1 for half_sse, 1/m for half_mse and cross_entropy) and it is already inside
∂E/∂a^L_k (or δ^L_k), so the batch's gradient is the plain sum over samples c of the per-sample path
sums, as in the engine (∂E/∂W^l = δ^lᵀ A^{l−1}). Every factor is the engine's own number (the
trace's A, g'(Z), output δ and the weights before the update); only the order of the additions differs.

A path's factors are named in a neutral notation with 1-based indices ("w^{(2)}_{11}", "g'(z^{(2)}_1)",
"∂E/∂a^{(2)}_1"); ``Factor`` also gives kind, layer, i, j (0-based, like the engine) for other notations.
Beyond ``MAX_PATHS`` paths (a first-layer weight of a wide, deep network has Π widths of them) nothing
is enumerated: the count is the product of the layer widths and the total is the engine's gradient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from engine import Network, Trace

__all__ = [
    "MAX_PATHS",
    "TARGET_KINDS",
    "FACTOR_KINDS",
    "Target",
    "weight",
    "bias",
    "neuron",
    "Factor",
    "PathTerm",
    "Largest",
    "PathSum",
    "network_graph",
    "count_paths",
    "path_edges",
    "path_sum",
    "path_sum_of_trace",
]

MAX_PATHS = 100_000  # more paths than this are counted, not enumerated
TARGET_KINDS = ("weight", "bias", "neuron")
# "a": a^{l−1}_j (weights only); "w": a weight on the path; "g'": g'(z) of a neuron on the path;
# "dE_da": ∂E/∂a^L_k at the output; "delta": δ^L_k at the output (terminal "delta")
FACTOR_KINDS = ("a", "w", "g'", "dE_da", "delta")
_CHUNK = 2**20  # path × sample products computed at a time


def _sub(*idx: int) -> str:
    """1-based subscript: "1", "11", or "10,3" once an index has two digits."""
    parts = [str(k + 1) for k in idx]
    return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)


def _brace(s: str) -> str:
    return s if len(s) == 1 else "{" + s + "}"


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    """What the paths start from: a weight W^l_ij (``weights[l-1][i, j]``), a bias b^l_i, or the
    neuron (l, i) itself (its δ^l_i = ∂E/∂z^l_i). l is 1..L; i, j are 0-based."""

    kind: str  # one of TARGET_KINDS
    layer: int
    i: int
    j: int | None = None  # weights only: the neuron of layer l − 1

    @property
    def node(self) -> tuple[int, int]:
        """The neuron (l, i) every path starts from."""
        return (self.layer, self.i)

    @property
    def symbol(self) -> str:
        """w^{(l)}_{ij}, b^{(l)}_i or δ^{(l)}_i (1-based, neutral notation)."""
        if self.kind == "weight":
            return f"w^{{({self.layer})}}_{_brace(_sub(self.i, self.j))}"
        letter = "b" if self.kind == "bias" else "δ"
        return f"{letter}^{{({self.layer})}}_{_brace(_sub(self.i))}"

    @property
    def description(self) -> str:
        """The quantity the path sum is, e.g. "∂E/∂w^{(2)}_{11}" or "δ^{(2)}_1 = ∂E/∂z^{(2)}_1"."""
        if self.kind == "neuron":
            return f"{self.symbol} = ∂E/∂z^{{({self.layer})}}_{_brace(_sub(self.i))}"
        return f"∂E/∂{self.symbol}"


def weight(l: int, i: int, j: int) -> Target:
    """The weight W^l_ij from neuron j of layer l − 1 to neuron i of layer l (``weights[l-1][i, j]``)."""
    return Target("weight", l, i, j)


def bias(l: int, i: int) -> Target:
    """The bias b^l_i of neuron i of layer l (``biases[l-1][i]``)."""
    return Target("bias", l, i)


def neuron(l: int, i: int) -> Target:
    """Neuron i of layer l, whose δ^l_i = ∂E/∂z^l_i the paths add up (per sample)."""
    return Target("neuron", l, i)


def _check_target(sizes: Sequence[int], has_bias: bool, t: Target) -> None:
    L = len(sizes) - 1
    if t.kind not in TARGET_KINDS:
        raise ValueError(f"unknown target kind {t.kind!r}; choose one of {', '.join(TARGET_KINDS)}")
    if not (isinstance(t.layer, (int, np.integer)) and 1 <= t.layer <= L):
        raise ValueError(f"the layer must be 1 to {L} (layer 0 is the inputs), got {t.layer!r}")
    if not (isinstance(t.i, (int, np.integer)) and 0 <= t.i < sizes[t.layer]):
        raise ValueError(f"layer {t.layer} has neurons 0 to {sizes[t.layer] - 1}, got {t.i!r}")
    if t.kind == "weight":
        if not (isinstance(t.j, (int, np.integer)) and 0 <= t.j < sizes[t.layer - 1]):
            raise ValueError(f"layer {t.layer - 1} has neurons 0 to {sizes[t.layer - 1] - 1}, got j = {t.j!r}")
    elif t.j is not None:
        raise ValueError(f"a {t.kind} target has no j")
    if t.kind == "bias" and not has_bias:
        raise ValueError("this network has no biases")


# ----------------------------------------------------------------------------- graph
def _graph(sizes: Sequence[int], weights: Sequence[np.ndarray]) -> nx.DiGraph:
    G = nx.DiGraph()
    for l, n in enumerate(sizes):
        G.add_nodes_from(((l, i), {"layer": l, "i": i}) for i in range(n))
    for l in range(1, len(sizes)):
        W = weights[l - 1]
        G.add_edges_from(
            ((l - 1, j), (l, i), {"weight": float(W[i, j]), "layer": l, "i": i, "j": j})
            for i in range(sizes[l])
            for j in range(sizes[l - 1])
        )
    return G


def network_graph(net: Network) -> nx.DiGraph:
    """The network as a DAG: nodes (l, i) with attributes layer, i; edges (l−1, j) → (l, i) with
    weight = W^l_ij (``net.weights[l-1][i, j]``) and layer, i, j."""
    return _graph(net.layer_sizes, net.weights)


def count_paths(layer_sizes: Sequence[int], target: Target) -> int:
    """Paths from the target's neuron (l, i) to the outputs: n_{l+1} · … · n_L (1 in the output layer)."""
    return math.prod(int(n) for n in layer_sizes[target.layer + 1 :])


def path_edges(net: Network, target: Target) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """Every edge ((l, i), (l+1, k)) on some path from the target to the loss, for highlighting;
    for a weight target also its own edge ((l−1, j), (l, i))."""
    _check_target(net.layer_sizes, net.bias, target)
    G = network_graph(net)
    reach = nx.descendants(G, target.node) | {target.node}
    edges = set(G.subgraph(reach).edges())
    if target.kind == "weight":
        edges.add(((target.layer - 1, target.j), target.node))
    return edges


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class Factor:
    """One local derivative on a path, for every sample of the batch.

    kind: one of FACTOR_KINDS; layer, i, j: 0-based indices like the engine's ("a": a^{layer}_i,
    "w": W^{layer}_{ij} = weights[layer-1][i, j], "g'", "dE_da", "delta": neuron i of layer);
    name: neutral notation, 1-based; values: (m,) its value for each sample (a weight repeats).
    """

    kind: str
    layer: int
    i: int
    j: int | None
    name: str
    values: np.ndarray  # (m,)

    @property
    def value(self) -> float | None:
        """The factor's value when it is the same for every sample (weights; any factor when m = 1), else None."""
        v = self.values
        return float(v[0]) if np.all(v == v[0]) else None


@dataclass(frozen=True, eq=False)
class PathTerm:
    """One path and its share of the gradient.

    nodes: the neurons it visits, ((l−1, j) for a weight, then) (l, i), …, (L, k);
    factors: in the order they multiply; per_sample: (m,) their product for each sample;
    product: Σ_c per_sample, this path's contribution to the total.
    """

    index: int  # position in PathSum.paths
    nodes: tuple[tuple[int, int], ...]
    factors: tuple[Factor, ...]
    per_sample: np.ndarray  # (m,)
    product: float


@dataclass(frozen=True, eq=False)
class Largest:
    """The k paths of largest |product| (largest first) and what the others add up to."""

    paths: tuple[PathTerm, ...]
    rest: float  # Σ of the other paths' products
    n_rest: int  # how many other paths

    @property
    def total(self) -> float:
        return math.fsum([p.product for p in self.paths]) + self.rest


class _Chain:
    """The numbers of one trace a target's paths multiply, by layer (index t = 0..L)."""

    def __init__(self, tr: Trace, target: Target):
        sizes = tr.layer_sizes
        self.L, self.m, self.target = len(sizes) - 1, tr.m, target
        L, out = self.L, tr.output
        self.terminal = "delta" if out.dE_da is None or out.da_dz is None else "dE_da"
        self.W = [None, *tr.weights_before]  # W[t]: (n_t, n_{t−1})
        self.G = [None, *tr.da_dz[1:L], out.da_dz if self.terminal == "dE_da" else None]  # g'(Z^t): (m, n_t)
        self.T = out.dE_da if self.terminal == "dE_da" else out.delta  # (m, n_L)
        l = target.layer
        self.start = tr.A[l - 1][:, target.j] if target.kind == "weight" else None  # (m,) a^{l−1}_j

    def node_factors(self, t: int, k: int) -> list[Factor]:
        sub = _brace(_sub(k))
        out = []
        if self.G[t] is not None:
            out.append(Factor("g'", t, k, None, f"g'(z^{{({t})}}_{sub})", self.G[t][:, k]))
        if t == self.L:
            if self.terminal == "dE_da":
                out.append(Factor("dE_da", t, k, None, f"∂E/∂a^{{({t})}}_{sub}", self.T[:, k]))
            else:
                out.append(Factor("delta", t, k, None, f"δ^{{({t})}}_{sub}", self.T[:, k]))
        return out

    def factors(self, row: np.ndarray) -> list[Factor]:
        """The factors of the path through neurons row[0] (layer l), row[1] (layer l+1), …, in order."""
        l, tgt = self.target.layer, self.target
        out = []
        if self.start is not None:
            out.append(Factor("a", l - 1, tgt.j, None, f"a^{{({l - 1})}}_{_brace(_sub(tgt.j))}", self.start))
        for s, k in enumerate(row):
            t, k = l + s, int(k)
            if s:
                prev = int(row[s - 1])
                w = self.W[t][k, prev]
                name = f"w^{{({t})}}_{_brace(_sub(k, prev))}"
                out.append(Factor("w", t, k, prev, name, np.full(self.m, w)))
            out.extend(self.node_factors(t, k))
        return out

    def products(self, rows: np.ndarray) -> np.ndarray:
        """(P, m) per-sample products of the paths in rows (P, L − l + 1), multiplied in factor order."""
        l = self.target.layer
        P = rows.shape[0]
        prod = np.ones((P, self.m)) if self.start is None else np.tile(self.start, (P, 1))
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for s in range(rows.shape[1]):
                t, idx = l + s, rows[:, s]
                if s:
                    prod *= self.W[t][idx, rows[:, s - 1]][:, None]
                if self.G[t] is not None:
                    prod *= self.G[t][:, idx].T
                if t == self.L:
                    prod *= self.T[:, idx].T
        return prod


class _Paths(Sequence):
    """The enumerated paths, each ``PathTerm`` built on demand: len(), indexing (negative too), slicing."""

    def __init__(self, chain: _Chain | None, rows: np.ndarray, products: np.ndarray):
        self._chain, self._rows, self._products = chain, rows, products

    def __len__(self) -> int:
        return self._rows.shape[0]

    def __getitem__(self, p):
        if isinstance(p, slice):
            return [self[k] for k in range(*p.indices(len(self)))]
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer)):
            raise TypeError("path indices must be integers or slices")
        n = len(self)
        p = int(p) + n if p < 0 else int(p)
        if not 0 <= p < n:
            raise IndexError(f"path index out of range (0 … {n - 1})")
        ch, row = self._chain, self._rows[p]
        tgt = ch.target
        nodes = tuple((tgt.layer + s, int(k)) for s, k in enumerate(row))
        if tgt.kind == "weight":
            nodes = ((tgt.layer - 1, tgt.j), *nodes)
        per_sample = ch.products(row[None, :])[0]
        return PathTerm(p, nodes, tuple(ch.factors(row)), per_sample, float(self._products[p]))


@dataclass(frozen=True, eq=False)
class PathSum:
    """A gradient (or a neuron's δ) as the sum of its paths' products.

    per_sample: (m,) Σ over paths for each sample — ∂E_c/∂w, or δ^l_ic for a neuron;
    total: Σ over paths of each path's product (Σ_c); for a neuron that is Σ_c δ^l_ic.
    engine_per_sample, engine_total: the engine's own values (δ^l_ic a^{l−1}_jc, δ^l_ic; their Σ_c).
    abs_sum: Σ over paths and samples of |term|, the size of the sum before any cancellation (NaN if not enumerated).
    products: (n_paths,) each path's product, in enumeration order (empty when not enumerated).
    """

    target: Target
    n_paths: int
    enumerated: bool  # False: more than max_paths paths, total is the engine's value
    terminal: str  # "dE_da" (paths end g'(z^L_k) · ∂E/∂a^L_k) or "delta" (paths end δ^L_k)
    loss_name: str
    m: int
    total: float
    per_sample: np.ndarray  # (m,)
    engine_total: float
    engine_per_sample: np.ndarray  # (m,)
    abs_sum: float
    products: np.ndarray  # (n_paths,) or (0,)
    paths: Sequence[PathTerm]  # PathTerm objects built on demand

    @property
    def description(self) -> str:
        return self.target.description

    def largest(self, k: int) -> Largest:
        """The k paths with the largest |product|, largest first, and the sum of all the others."""
        k = max(0, int(k))
        if not self.enumerated:
            return Largest((), self.total, self.n_paths)
        order = np.argsort(-np.abs(self.products), kind="stable")
        top, others = order[:k], order[k:]
        return Largest(tuple(self.paths[int(p)] for p in top), float(np.sum(self.products[others])), len(others))


# ------------------------------------------------------------------------ path sums
def _engine_values(tr: Trace, t: Target) -> np.ndarray:
    """(m,) the engine's per-sample value of the target: δ a (weight), δ (bias, neuron)."""
    delta = tr.deltas[t.layer][:, t.i]
    return delta * tr.A[t.layer - 1][:, t.j] if t.kind == "weight" else delta


def _engine_total(tr: Trace, t: Target) -> float:
    if t.kind == "weight":
        return float(tr.grad_weights[t.layer - 1][t.i, t.j])
    if t.kind == "bias":
        return float(tr.grad_biases[t.layer - 1][t.i])
    return float(np.sum(tr.deltas[t.layer][:, t.i]))


def _enumerate(tr: Trace, t: Target) -> np.ndarray:
    """(P, L − l + 1) neuron indices of every path from (l, i) to an output, layer by layer."""
    L, sizes = len(tr.layer_sizes) - 1, tr.layer_sizes
    if t.layer == L:  # the path of an output neuron is the neuron itself
        return np.array([[t.i]], dtype=np.intp)
    G = _graph(sizes, tr.weights_before)
    paths = nx.all_simple_paths(G, t.node, [(L, k) for k in range(sizes[L])])
    return np.array([[k for _, k in p] for p in paths], dtype=np.intp).reshape(-1, L - t.layer + 1)


def path_sum_of_trace(trace: Trace, target: Target, *, max_paths: int = MAX_PATHS) -> PathSum:
    """The target's gradient (or δ) as a sum over paths, from the numbers of one update's trace
    (the parameters before its update, its batch of m samples)."""
    tr = trace
    _check_target(tr.layer_sizes, tr.bias, target)
    chain = _Chain(tr, target)
    n = count_paths(tr.layer_sizes, target)
    eng = _engine_values(tr, target)
    eng_total = _engine_total(tr, target)
    if n > max_paths:  # counted, not enumerated: the engine's numbers stand in for the sum
        none = _Paths(chain, np.zeros((0, chain.L - target.layer + 1), np.intp), np.zeros(0))
        return PathSum(
            target, n, False, chain.terminal, tr.loss_name, tr.m, eng_total, eng.copy(), eng_total, eng.copy(),
            float("nan"), np.zeros(0), none,
        )  # fmt: skip
    rows = _enumerate(tr, target)
    assert rows.shape[0] == n, (rows.shape, n)
    products = np.empty(n)
    per_sample = np.zeros(tr.m)
    abs_sum = 0.0
    step = max(1, _CHUNK // tr.m)
    with np.errstate(over="ignore", invalid="ignore"):
        for p0 in range(0, n, step):
            prod = chain.products(rows[p0 : p0 + step])  # (P, m)
            products[p0 : p0 + step] = prod.sum(axis=1)
            per_sample += prod.sum(axis=0)
            abs_sum += float(np.abs(prod).sum())
    return PathSum(
        target, n, True, chain.terminal, tr.loss_name, tr.m, float(np.sum(products)), per_sample, eng_total, eng,
        abs_sum, products, _Paths(chain, rows, products),
    )  # fmt: skip


def path_sum(net: Network, X, Y, target: Target, *, max_paths: int = MAX_PATHS) -> PathSum:
    """The target's gradient on the batch (X (m, n_0), Y (m, n_L)) at the network's current parameters,
    as a sum over paths (see the module's docstring)."""
    return path_sum_of_trace(net.trace(X, Y, lr=0.0), target, max_paths=max_paths)
