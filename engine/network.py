"""A multilayer perceptron with exact float64 forward and backward passes.

Notation (layer 0 = inputs, layer L = outputs, m samples per batch, rows are samples):

    Z^l = A^{l-1} W^{l}ᵀ + b^l          weights[l-1]: (n_l, n_{l-1}), biases[l-1]: (n_l,)
    A^l = g^l(Z^l)                       (m, n_l)
    δ^L = ∂E/∂Z^L                        see losses.output_delta
    δ^l = (δ^{l+1} W^{l+1}) ⊙ g'^l(Z^l)  hidden layers, weights from before the update
    ∂E/∂W^l = δ^lᵀ A^{l-1}               summed over the samples of the batch
    ∂E/∂b^l = Σ_c δ^l_c
    Δw = −η ∂E/∂w

Inside this module every per-layer list is indexed by layer number l = 0..L, so ``Z[l]``
reads as Z^l and ``W[l]`` as W^l (entries that do not exist, Z[0], W[0], deltas[0], are None).
The public lists keep their contract: ``weights[l]`` connects layer l to layer l+1 (it is
W^{l+1}), and ``grad_weights``/``delta_weights`` follow it; ``_by_layer`` converts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Activation, get_activation
from .losses import check_loss, loss_value, output_delta
from .trace import Trace

__all__ = ["Network", "INITS", "as_batch"]

INITS = ("uniform", "xavier", "he")
UNIFORM_RANGE = 0.5  # "small uniform": w ~ U(−0.5, 0.5)


def _as_2d(name: str, V, n: int, m: int | None = None) -> np.ndarray:
    """Validate V as finite float64 of shape (m, n); a 1-D vector of length n is one sample."""
    try:
        V = np.array(V, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric") from None
    if V.ndim == 1:
        V = V.reshape(-1, 1) if (n == 1 and m is not None and V.size == m) else V.reshape(1, -1)
    if V.ndim != 2 or V.shape[1] != n or V.shape[0] == 0:
        raise ValueError(f"{name} must have shape (m, {n}) with m ≥ 1; got {V.shape}")
    if m is not None and V.shape[0] != m:
        raise ValueError(f"{name} has {V.shape[0]} rows but X has {m}")
    if not np.all(np.isfinite(V)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return V


def as_batch(X, Y, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate a batch: X (m, n_in), Y (m, n_out), finite float64 copies."""
    X = _as_2d("X", X, n_in)
    return X, _as_2d("Y", Y, n_out, X.shape[0])


def _by_layer(public: Sequence) -> list:
    """[None, P^1, …, P^L] from the public [P^1, …, P^L], so that entry l is layer l's."""
    return [None, *public]


def _check_lr(lr) -> float:
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"learning rate must be a number, got {lr!r}") from None
    if not np.isfinite(lr) or lr < 0:
        raise ValueError(f"learning rate must be a finite number ≥ 0, got {lr}")
    return lr


class Network:
    """A fully connected feed-forward network.

    >>> net = Network([2, 2, 2], activations="sigmoid", loss="half_sse", bias=True, seed=0)
    >>> net.forward([[0.05, 0.10]]).shape
    (1, 2)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: str | Sequence[str] = "sigmoid",
        loss: str = "half_sse",
        bias: bool = True,
        seed: int | None = 0,
        init: str = "uniform",
    ):
        try:  # a non-iterable layer_sizes (e.g. 5 or None) is a ValueError like any other bad size
            sizes = tuple(layer_sizes) if not isinstance(layer_sizes, (str, bytes)) else ()
        except TypeError:
            sizes = ()
        if len(sizes) < 2 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes
        ):
            raise ValueError(
                f"layer_sizes must list at least 2 positive integers (inputs, …, outputs); got {layer_sizes!r}"
            )
        self.layer_sizes = tuple(int(n) for n in sizes)
        L = len(self.layer_sizes) - 1
        try:  # a non-iterable activations (e.g. 5 or None) is a ValueError too
            names = [activations] * L if isinstance(activations, str) else list(activations)
        except TypeError:
            raise ValueError(f"activations must be a name or a list of names, got {activations!r}") from None
        if len(names) != L:
            raise ValueError(f"give one activation per layer after the inputs: {L} needed, {len(names)} given")
        self._acts: tuple[Activation, ...] = tuple(get_activation(a) for a in names)
        for l, act in enumerate(self._acts[:-1], start=1):
            if not act.elementwise:
                raise ValueError(f"{act.name} can only be the output layer's activation (layer {l} is hidden)")
        if not self._acts[-1].elementwise and self.layer_sizes[-1] < 2:
            raise ValueError("softmax needs at least 2 output units")
        check_loss(loss, self._acts[-1])
        self.loss_name = loss
        self.bias = bool(bias)
        if init not in INITS:
            raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
        self.init, self.seed = init, seed
        self.weights, self.biases = self._initial_parameters(init, seed)

    # ----------------------------------------------------------------- structure
    @property
    def n_layers(self) -> int:
        """L, the number of weight layers (layers after the inputs)."""
        return len(self.layer_sizes) - 1

    @property
    def activations(self) -> tuple[str, ...]:
        """Activation name per layer 1..L."""
        return tuple(a.name for a in self._acts)

    def activation(self, l: int) -> Activation:
        """The activation of layer l (1..L)."""
        return self._acts[l - 1]

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return f"Network({sizes}, activations={list(self.activations)}, loss={self.loss_name!r}, bias={self.bias})"

    # --------------------------------------------------------------- parameters
    def _initial_parameters(self, init: str, seed) -> tuple[list[np.ndarray], list[np.ndarray]]:
        rng = np.random.default_rng(seed)
        weights = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            if init == "uniform":
                W = rng.uniform(-UNIFORM_RANGE, UNIFORM_RANGE, size=(n_out, n_in))
            elif init == "xavier":  # Glorot: U(±√(6 / (n_in + n_out)))
                r = np.sqrt(6.0 / (n_in + n_out))
                W = rng.uniform(-r, r, size=(n_out, n_in))
            else:  # He: N(0, 2 / n_in)
                W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
            weights.append(W)
        return weights, [np.zeros(n) for n in self.layer_sizes[1:]]

    def set_parameters(self, weights, biases=None) -> None:
        """Replace the parameters with validated float64 copies.

        weights[l]: (n_{l+1}, n_l); biases[l]: (n_{l+1},) — omitted or None means zeros.
        """
        L = self.n_layers
        # weights or biases without a len() (e.g. 5 from a malformed dict) are a ValueError
        if not hasattr(weights, "__len__") or isinstance(weights, (str, bytes, dict)):
            raise ValueError(f"weights must be a list of {L} matrices, got {type(weights).__name__}")
        if len(weights) != L:
            raise ValueError(f"expected {L} weight matrices, got {len(weights)}")
        if biases is None:
            biases = [np.zeros(n) for n in self.layer_sizes[1:]]
        if not hasattr(biases, "__len__") or isinstance(biases, (str, bytes, dict)):
            raise ValueError(f"biases must be a list of {L} vectors, got {type(biases).__name__}")
        if len(biases) != L:
            raise ValueError(f"expected {L} bias vectors, got {len(biases)}")
        new_w, new_b = [], []
        for l, (W, b) in enumerate(zip(weights, biases)):
            shape_w = (self.layer_sizes[l + 1], self.layer_sizes[l])
            try:
                W = np.array(W, dtype=np.float64)
                b = np.array(b, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise ValueError(f"weights[{l}] and biases[{l}] must be numeric") from None
            if W.shape != shape_w:
                raise ValueError(f"weights[{l}] must have shape {shape_w}, got {W.shape}")
            if b.shape != (shape_w[0],):
                raise ValueError(f"biases[{l}] must have shape ({shape_w[0]},), got {b.shape}")
            if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
                raise ValueError(f"weights[{l}] or biases[{l}] contain NaN or infinite values")
            if not self.bias and np.any(b != 0):
                raise ValueError("this network has no biases (bias=False); biases must be zero")
            new_w.append(W)
            new_b.append(b)
        self.weights, self.biases = new_w, new_b

    def parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of (weights, biases)."""
        return [W.copy() for W in self.weights], [b.copy() for b in self.biases]

    def copy(self) -> Network:
        """An independent network with the same structure and parameters."""
        new = Network(self.layer_sizes, list(self.activations), self.loss_name, self.bias, self.seed, self.init)
        new.set_parameters(self.weights, self.biases)
        return new

    @property
    def n_weights(self) -> int:
        return sum(W.size for W in self.weights)

    @property
    def n_parameters(self) -> int:
        return self.n_weights + (sum(b.size for b in self.biases) if self.bias else 0)

    # ------------------------------------------------------------------ passes
    def forward_pass(self, X) -> tuple[list, list[np.ndarray]]:
        """(Z, A): lists over layers 0..L of (m, n_l) arrays; Z[0] is None, A[0] = X."""
        X = _as_2d("X", X, self.layer_sizes[0])
        return self._forward(X, self.weights, self.biases)

    def _forward(self, X, weights, biases):
        """(Z, A) over layers 0..L from the public weights and biases lists."""
        L, W, b = self.n_layers, _by_layer(weights), _by_layer(biases)
        Z: list = [None] * (L + 1)
        A: list = [X] + [None] * L
        with np.errstate(over="ignore", invalid="ignore"):
            for l in range(1, L + 1):
                Z[l] = A[l - 1] @ W[l].T + b[l]  # Z^l = A^{l-1} W^lᵀ + b^l
                A[l] = self.activation(l).f(Z[l])  # A^l = g^l(Z^l)
        return Z, A

    def forward(self, X) -> np.ndarray:
        """Network outputs A^L, shape (m, n_out), for inputs X of shape (m, n_in)."""
        return self.forward_pass(X)[1][-1]

    predict = forward

    def loss(self, X, Y) -> float:
        """E(X, Y) with the loss's exact normalisation."""
        X, Y = as_batch(X, Y, self.layer_sizes[0], self.layer_sizes[-1])
        Z, A = self._forward(X, self.weights, self.biases)
        return float(loss_value(self.loss_name, self._acts[-1], Z[-1], A[-1], Y).sum())

    def _backward(self, Z, A, Y, weights):
        """δ per layer (index 0..L, deltas[0] None), the output δ's factors and g'(Z) per layer."""
        L, W = self.n_layers, _by_layer(weights)
        out = output_delta(self.loss_name, self.activation(L), Z[L], A[L], Y)
        deltas: list = [None] * (L + 1)
        da_dz: list = [None] * (L + 1)
        deltas[L], da_dz[L] = out.delta, out.da_dz  # δ^L = ∂E/∂Z^L
        with np.errstate(over="ignore", invalid="ignore"):
            for l in range(L - 1, 0, -1):
                da_dz[l] = self.activation(l).df(Z[l], A[l])  # g'^l(Z^l)
                deltas[l] = (deltas[l + 1] @ W[l + 1]) * da_dz[l]  # δ^l = (δ^{l+1} W^{l+1}) ⊙ g'^l(Z^l)
        return out, deltas, da_dz

    def _parameter_gradients(self, A, deltas):
        """(∂E/∂W, ∂E/∂b) as public lists: entry l − 1 holds layer l's."""
        L = self.n_layers
        grad_w = [deltas[l].T @ A[l - 1] for l in range(1, L + 1)]  # ∂E/∂W^l = δ^lᵀ A^{l-1}
        if self.bias:
            grad_b = [deltas[l].sum(axis=0) for l in range(1, L + 1)]  # ∂E/∂b^l = Σ_c δ^l_c
        else:
            grad_b = [np.zeros(self.layer_sizes[l]) for l in range(1, L + 1)]
        return grad_w, grad_b

    def gradients(self, X, Y) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(∂E/∂W, ∂E/∂b) with the same shapes as (weights, biases); zeros for biases if bias=False."""
        X, Y = as_batch(X, Y, self.layer_sizes[0], self.layer_sizes[-1])
        Z, A = self._forward(X, self.weights, self.biases)
        _, deltas, _ = self._backward(Z, A, Y, self.weights)
        return self._parameter_gradients(A, deltas)

    # ---------------------------------------------------------------- training
    def trace(self, X, Y, lr: float, update_biases: bool = True) -> Trace:
        """Everything one gradient-descent update on (X, Y) computes, without applying it."""
        X, Y = as_batch(X, Y, self.layer_sizes[0], self.layer_sizes[-1])
        lr = _check_lr(lr)
        W0 = [W.copy() for W in self.weights]
        b0 = [b.copy() for b in self.biases]
        Z, A = self._forward(X, W0, b0)
        per_sample = loss_value(self.loss_name, self._acts[-1], Z[-1], A[-1], Y)
        out, deltas, da_dz = self._backward(Z, A, Y, W0)
        grad_w, grad_b = self._parameter_gradients(A, deltas)
        update_b = self.bias and bool(update_biases)
        dW = [-lr * g for g in grad_w]  # Δw = −η ∂E/∂w
        db = [-lr * g if update_b else np.zeros_like(g) for g in grad_b]
        W1 = [W + d for W, d in zip(W0, dW)]  # w' = w + Δw
        b1 = [b + d for b, d in zip(b0, db)]
        return Trace(
            layer_sizes=self.layer_sizes,
            activations=self.activations,
            loss_name=self.loss_name,
            bias=self.bias,
            update_biases=update_b,
            lr=lr,
            X=X,
            Y=Y,
            Z=Z,
            A=A,
            loss=float(per_sample.sum()),
            loss_per_sample=per_sample,
            output=out,
            deltas=deltas,
            da_dz=da_dz,
            grad_weights=grad_w,
            grad_biases=grad_b,
            delta_weights=dW,
            delta_biases=db,
            weights_before=W0,
            biases_before=b0,
            weights_after=W1,
            biases_after=b1,
        )

    def train_step(self, X, Y, lr: float, update_biases: bool = True) -> Trace:
        """One gradient-descent update on this batch; returns its full trace."""
        tr = self.trace(X, Y, lr, update_biases)
        self.weights = [W.copy() for W in tr.weights_after]
        self.biases = [b.copy() for b in tr.biases_after]
        return tr

    def fit(
        self,
        X,
        Y,
        lr: float,
        epochs: int,
        *,
        batch_size: int | None = None,
        update_biases: bool = True,
        shuffle: bool = False,
        seed: int | None = 0,
    ) -> np.ndarray:
        """Train in place from the current parameters; returns E(X, Y) after each epoch, shape (epochs,).

        batch_size None means full batch; the last batch of an epoch may be smaller and never
        mixes with the next epoch. With shuffle=True the order is permuted each epoch by ``seed``.
        """
        from .fit import fit as _fit

        X, Y = as_batch(X, Y, self.layer_sizes[0], self.layer_sizes[-1])
        return _fit(
            self,
            X,
            Y,
            _check_lr(lr),
            epochs,
            batch_size=batch_size,
            update_biases=update_biases,
            shuffle=shuffle,
            seed=seed,
        )

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        """A JSON-ready description of the network and its parameters."""
        return {
            "format": "backprop-lab/network",
            "version": 1,
            "layer_sizes": list(self.layer_sizes),
            "activations": list(self.activations),
            "loss": self.loss_name,
            "bias": self.bias,
            "weights": [W.tolist() for W in self.weights],
            "biases": [b.tolist() for b in self.biases],
        }

    @classmethod
    def from_dict(cls, d) -> Network:
        """Inverse of to_dict; raises ValueError with a readable message for malformed input."""
        if not isinstance(d, dict):
            raise ValueError("a network description must be a JSON object")
        missing = [k for k in ("layer_sizes", "activations", "loss", "weights") if k not in d]
        if missing:
            raise ValueError(f"the network description lacks {', '.join(missing)}")
        sizes = d["layer_sizes"]
        if not isinstance(sizes, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
            raise ValueError("layer_sizes must be a list of integers")
        bias = d.get("bias", True)
        if not isinstance(bias, bool):
            raise ValueError("bias must be true or false")
        net = cls(sizes, d["activations"], d["loss"], bias=bias, seed=0)
        net.set_parameters(d["weights"], d.get("biases"))
        return net
