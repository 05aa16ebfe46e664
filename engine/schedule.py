"""Which samples each gradient-descent update sees.

One epoch visits every sample once, in dataset order or (shuffle=True) in a
permutation drawn from (seed, epoch), so update number u is fully determined by
u alone: ``fit`` and the ``Stepper`` agree on every batch. Batches never cross an
epoch boundary; the last one of an epoch may be smaller.
"""

from __future__ import annotations

import numpy as np

__all__ = ["n_batches", "epoch_order", "batch_indices", "check_batch_size"]


def check_batch_size(batch_size, m: int) -> int:
    """The effective batch size: None means m (full batch); must be an int ≥ 1."""
    if batch_size is None:
        return m
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer or None (full batch), got {batch_size!r}")
    return min(int(batch_size), m)


def n_batches(m: int, batch_size: int) -> int:
    """Updates per epoch: ⌈m / B⌉."""
    return -(-m // batch_size)


def epoch_order(m: int, epoch: int, shuffle: bool, seed) -> np.ndarray:
    """The order in which epoch ``epoch`` visits the m samples, shape (m,)."""
    if not shuffle:
        return np.arange(m)
    return np.random.default_rng([0 if seed is None else int(seed), int(epoch)]).permutation(m)


def batch_indices(m: int, batch_size: int, update: int, shuffle: bool, seed) -> np.ndarray:
    """Sample indices of update number ``update`` (0-based, counted from the first epoch)."""
    epoch, b = divmod(update, n_batches(m, batch_size))
    return epoch_order(m, epoch, shuffle, seed)[b * batch_size : (b + 1) * batch_size]
