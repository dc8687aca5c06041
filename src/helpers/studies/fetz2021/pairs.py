"""Pairs for notebook 04's Siamese network: seeded similar/dissimilar pairs over labels, and a
``keras.utils.PyDataset`` that serves them in batches, fresh pairs every epoch.

Plumbing, not the report's model: the Siamese network and its contrastive loss are written in
the notebook (``#@save`` cells, :mod:`helpers.studies.fetz2021.saved`).

**Label convention (Hadsell, Chopra and LeCun 2006, eq. 4)**: ``Y = 0`` for a *similar* pair,
``Y = 1`` for a *dissimilar* one. Many tutorials use the opposite labels (1 = similar); mixing
the two silently trains the network to push similar images apart, so :data:`SIMILAR` and
:data:`DISSIMILAR` are used everywhere, and the tests pin them down.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

#: Hadsell et al.'s label for a pair showing the same class / object.
SIMILAR = 0
#: Hadsell et al.'s label for a pair showing different classes / objects.
DISSIMILAR = 1


@dataclass(frozen=True)
class Pairs:
    """Index pairs into one array of items and their Hadsell labels (0 similar, 1 dissimilar)."""

    first: np.ndarray
    second: np.ndarray
    y: np.ndarray
    #: Positive pairs asked for but impossible (the anchor's class has no other member); they
    #: were replaced by negative pairs so the number of pairs stays as requested.
    skipped_positives: int = 0

    def __len__(self) -> int:
        return len(self.y)

    @property
    def positive_fraction(self) -> float:
        return float(np.mean(self.y == SIMILAR)) if len(self.y) else 0.0


def make_pairs(
    labels: Sequence[Any] | np.ndarray,
    n_pairs: int | None = None,
    *,
    positive_fraction: float = 0.5,
    seed: int = 0,
) -> Pairs:
    """Seeded positive and negative pairs over items labelled ``labels``.

    Every item serves as the anchor of about the same number of pairs (anchors are drawn by
    cycling through shuffled indices), so no item dominates. A positive pair joins the anchor
    with a *different* item of its label; a negative pair with an item of another label.
    ``n_pairs`` defaults to ``2 * len(labels)``. The same ``seed`` gives the same pairs.
    """
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) < 2:
        raise ValueError(f"labels must be a 1-d sequence of at least 2 items, got shape {y.shape}")
    if not 0.0 <= positive_fraction <= 1.0:
        raise ValueError(f"positive_fraction must lie in [0, 1], got {positive_fraction}")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2 and positive_fraction < 1.0:
        raise ValueError("all items share one label: no negative (dissimilar) pair exists")
    n = 2 * len(y) if n_pairs is None else int(n_pairs)
    if n < 1:
        raise ValueError(f"n_pairs must be positive, got {n_pairs}")
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(codes == c) for c in range(len(classes))]
    others = [np.flatnonzero(codes != c) for c in range(len(classes))]
    reps = math.ceil(n / len(y))
    anchors = np.concatenate([rng.permutation(len(y)) for _ in range(reps)])[:n]
    want_positive = np.zeros(n, dtype=bool)
    want_positive[: round(n * positive_fraction)] = True
    rng.shuffle(want_positive)

    second = np.empty(n, dtype=np.int64)
    labels_out = np.empty(n, dtype=np.float32)
    skipped = 0
    for i, (a, positive) in enumerate(zip(anchors, want_positive, strict=True)):
        own = members[codes[a]]
        if positive and len(own) > 1:
            # Draw among the other members: index into own without the anchor itself.
            j = rng.integers(len(own) - 1)
            second[i] = own[j] if own[j] != a else own[-1]
            labels_out[i] = SIMILAR
            continue
        if positive:
            skipped += 1
        if len(classes) < 2:
            raise ValueError("a positive pair is impossible and no negative pair exists")
        candidates = others[codes[a]]
        second[i] = candidates[rng.integers(len(candidates))]
        labels_out[i] = DISSIMILAR
    return Pairs(anchors.astype(np.int64), second, labels_out, skipped)


class PairDataset(keras.utils.PyDataset):
    """Batches ``((x_first, x_second), y)`` of pairs drawn by :func:`make_pairs`.

    ``views`` is one array (N, ...) of items (images or feature vectors) or a list of arrays of
    the same shape holding different views of the same items (the original and augmented
    copies): each pair member then comes from a randomly chosen view. With ``resample`` the
    pairs are drawn afresh every epoch (seed + epoch), which shows the network many more pairs
    than a fixed list; use ``resample=False`` for a validation set, whose loss must be
    comparable across epochs for EarlyStopping.
    """

    def __init__(
        self,
        views: np.ndarray | Sequence[np.ndarray],
        labels: Sequence[Any] | np.ndarray,
        *,
        n_pairs: int | None = None,
        batch_size: int = 32,
        positive_fraction: float = 0.5,
        seed: int = 0,
        resample: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.views = [np.asarray(views)] if isinstance(views, np.ndarray) else list(views)
        if not self.views or any(v.shape != self.views[0].shape for v in self.views):
            raise ValueError("views must be one array or a list of arrays of the same shape")
        self.labels = np.asarray(labels)
        if len(self.labels) != len(self.views[0]):
            raise ValueError(f"{len(self.labels)} labels for {len(self.views[0])} items")
        self.n_pairs = 2 * len(self.labels) if n_pairs is None else int(n_pairs)
        self.batch_size = int(batch_size)
        self.positive_fraction = positive_fraction
        self.seed, self.resample, self.epoch = int(seed), bool(resample), 0
        self._draw()

    def _draw(self) -> None:
        seed = self.seed + (self.epoch if self.resample else 0)
        self.pairs = make_pairs(
            self.labels, self.n_pairs, positive_fraction=self.positive_fraction, seed=seed
        )
        rng = np.random.default_rng(seed + 7919)  # a different stream from the pair draw
        self._view_first = rng.integers(len(self.views), size=len(self.pairs))
        self._view_second = rng.integers(len(self.views), size=len(self.pairs))

    def __len__(self) -> int:
        return math.ceil(self.n_pairs / self.batch_size)

    def _gather(self, index: np.ndarray, view: np.ndarray) -> np.ndarray:
        out = np.empty((len(index),) + self.views[0].shape[1:], dtype=self.views[0].dtype)
        for v, array in enumerate(self.views):
            mask = view == v
            out[mask] = array[index[mask]]
        return out.astype("float32", copy=False)

    def __getitem__(self, i: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        sl = slice(i * self.batch_size, min((i + 1) * self.batch_size, self.n_pairs))
        first = self._gather(self.pairs.first[sl], self._view_first[sl])
        second = self._gather(self.pairs.second[sl], self._view_second[sl])
        return (first, second), self.pairs.y[sl]

    def on_epoch_end(self) -> None:
        if self.resample:
            self.epoch += 1
            self._draw()
