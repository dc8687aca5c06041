"""Batches for contrastive training (report 02): which images share a batch, and their views.

Report 02 trained with batches of 64 drawn by a plain shuffle; its author blamed the NaN on a
batch holding some room only once (an anchor without a positive). :func:`plain_batches` draws
such batches, :func:`balanced_batches` never holds a class once, :func:`singleton_batches`
counts the batches that do, and :class:`ViewBatches` feeds ``fit`` V views of each image from
precomputed copies. The losses and the model they train are on notebook 02's page
(:mod:`helpers.studies.jacobsen2021.saved`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def plain_batches(
    n: int, batch_size: int, seed: int = 0, drop_remainder: bool = False
) -> list[np.ndarray]:
    """One shuffled epoch of index batches, as ``model.fit(shuffle=True)`` would draw them.

    The last batch holds ``n % batch_size`` items unless dropped: with 3842 training images
    and batch 64 (report 02) that is a batch of 2, where singleton classes are all but certain.
    """
    if n < 1 or batch_size < 1:
        raise ValueError(f"need n >= 1 and batch_size >= 1, got n={n}, batch_size={batch_size}")
    order = np.random.default_rng(seed).permutation(n)
    stop = n - n % batch_size if drop_remainder else n
    return [order[i:i + batch_size] for i in range(0, stop, batch_size)]


def balanced_batches(
    labels: Sequence,
    batch_size: int,
    min_per_class: int = 2,
    seed: int = 0,
    n_batches: int | None = None,
) -> list[np.ndarray]:
    """One epoch of class-balanced index batches: every class in a batch appears >= twice.

    Each batch takes ``batch_size // n_classes`` items of every class (the remainder goes to
    classes drawn at random), cycling through each class's shuffled items so every item is
    seen about equally often. When ``batch_size`` cannot give every class ``min_per_class``
    items, each batch takes ``batch_size // min_per_class`` classes (drawn without
    replacement), ``min_per_class`` items each. A class with fewer than ``min_per_class``
    items is an error: no sampler can pair it. ``n_batches`` defaults to
    ``ceil(len(labels) / batch_size)``; every batch is full.
    """
    y = np.asarray(labels)
    classes, counts = np.unique(y, return_counts=True)
    if batch_size < 2 * min_per_class and len(classes) > 1:
        raise ValueError(f"batch_size={batch_size} cannot hold two classes of {min_per_class}")
    small = classes[counts < min_per_class]
    if len(small):
        raise ValueError(f"classes {small.tolist()} have fewer than {min_per_class} items")
    rng = np.random.default_rng(seed)
    pools = {c: rng.permutation(np.flatnonzero(y == c)) for c in classes}
    cursor = dict.fromkeys(classes, 0)

    def take(c: Any, k: int) -> np.ndarray:
        out: list[np.ndarray] = []
        while k > 0:
            if cursor[c] >= len(pools[c]):
                # Reshuffle a used-up class, putting items already in this batch last so a
                # batch repeats an item only when its class is smaller than its quota.
                taken = np.concatenate(out) if out else np.empty(0, int)
                fresh = np.setdiff1d(pools[c], taken)
                pools[c] = np.concatenate([rng.permutation(fresh), rng.permutation(taken)])
                cursor[c] = 0
            got = pools[c][cursor[c]:cursor[c] + k]
            cursor[c] += len(got)
            k -= len(got)
            out.append(got)
        return np.concatenate(out)

    n_batches = n_batches or int(np.ceil(len(y) / batch_size))
    per_batch = min(len(classes), batch_size // min_per_class)
    batches = []
    for _ in range(n_batches):
        chosen = classes if per_batch == len(classes) else rng.choice(classes, per_batch, False)
        quota = np.full(len(chosen), batch_size // len(chosen))
        quota[rng.choice(len(chosen), batch_size - quota.sum(), replace=False)] += 1
        batch = np.concatenate([take(c, int(q)) for c, q in zip(chosen, quota, strict=True)])
        batches.append(rng.permutation(batch))
    return batches


def singleton_batches(batches: Sequence[np.ndarray], labels: Sequence) -> int:
    """How many batches contain a class exactly once (an anchor with no positive, one view)."""
    y = np.asarray(labels)
    return sum(int((np.unique(y[b], return_counts=True)[1] == 1).any()) for b in batches)


class ViewBatches(keras.utils.PyDataset):
    """Feeds ``(x (B, V, ...), labels (B,))`` batches of V views of each image to ``fit``.

    ``copies`` is (K, N, ...): K >= V precomputed versions of each of N inputs (augmented
    images or their frozen-trunk activations); each batch picks V distinct copies per item at
    random. ``sampler`` is ``"balanced"`` (:func:`balanced_batches`) or ``"plain"``
    (:func:`plain_batches`, kept to show the failure); batches are redrawn every epoch from
    ``seed`` so a run is reproducible.
    """

    def __init__(self, copies: np.ndarray, labels: Sequence, batch_size: int = 64,
                 views: int = 2, sampler: str = "balanced", seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if sampler not in ("balanced", "plain"):
            raise ValueError(f"sampler must be 'balanced' or 'plain', got {sampler!r}")
        if copies.ndim < 3 or copies.shape[0] < views:
            raise ValueError(f"copies must be (K>={views}, N, ...); got shape {copies.shape}")
        self.copies, self.labels = copies, np.asarray(labels)
        if len(self.labels) != copies.shape[1]:
            raise ValueError(f"{len(self.labels)} labels for {copies.shape[1]} items")
        self.batch_size, self.views, self.sampler, self.seed = batch_size, views, sampler, seed
        self.epoch = 0
        self._draw()

    def _draw(self) -> None:
        seed = self.seed + 1000003 * self.epoch
        if self.sampler == "balanced":
            self.batches = balanced_batches(self.labels, self.batch_size, seed=seed)
        else:
            self.batches = plain_batches(len(self.labels), self.batch_size, seed=seed)
        self._rng = np.random.default_rng(seed + 1)
        self.singletons = singleton_batches(self.batches, self.labels)

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        idx = self.batches[index]
        # V distinct copies per item: argsort of uniform noise is a per-row permutation.
        pick = np.argsort(self._rng.random((len(idx), self.copies.shape[0])), axis=1)
        x = np.stack([self.copies[pick[:, v], idx] for v in range(self.views)], axis=1)
        return x.astype(np.float32, copy=False), self.labels[idx].astype(np.int32)

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._draw()
