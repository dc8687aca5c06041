"""Candidate sets of report 05: fixed evaluation sets, fresh training draws, zero-shot scores.

A candidate set pairs each left image with ``C`` right images (20 in the report): its true
pair and ``C - 1`` others, the true one at a seeded random column. Indices are *global* pair
indices, rows of the per-backbone ``(P, d)`` feature arrays, so one feature cache serves every
split. :class:`CandidateBatches` serves them to Keras, gathering feature rows per batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from helpers.retrieval import normalize

N_CANDIDATES = 20


@dataclass(frozen=True)
class CandidateSet:
    """Left images and their candidates: row i ranks ``cands[i]`` for left image ``left[i]``.

    Indices are global pair indices (rows of the left/right feature arrays); the true right
    image of left image ``left[i]`` is ``cands[i, true_pos[i]]`` (equal to ``left[i]``).
    """

    left: np.ndarray  # (N,) int
    cands: np.ndarray  # (N, C) int
    true_pos: np.ndarray  # (N,) int

    def __post_init__(self) -> None:
        if self.cands.ndim != 2 or not len(self.cands) == len(self.left) == len(self.true_pos):
            raise ValueError("left (N,), cands (N, C) and true_pos (N,) must agree")
        truth = self.cands[np.arange(len(self.left)), self.true_pos]
        if not np.array_equal(truth, self.left):
            raise ValueError("cands[i, true_pos[i]] must be the true pair of left[i]")

    def __len__(self) -> int:
        return len(self.left)

    @classmethod
    def within(cls, index: Sequence[int] | np.ndarray, cands: np.ndarray,
               true_pos: np.ndarray) -> CandidateSet:
        """Map a split's own candidate rows (``PairSet.candidates`` of that split, indices
        local to it) to global pair indices: local j is global ``index[j]``."""
        index = np.asarray(index, dtype="int64")
        cands = np.asarray(cands, dtype="int64")
        return cls(left=index.copy(), cands=index[cands], true_pos=np.asarray(true_pos))

    @property
    def onehot(self) -> np.ndarray:
        """(N, C) float32 labels marking the true candidate, for Keras losses and metrics."""
        y = np.zeros(self.cands.shape, dtype="float32")
        y[np.arange(len(self)), self.true_pos] = 1.0
        return y


def draw_candidates(
    pool: Sequence[int] | np.ndarray,
    n: int = N_CANDIDATES,
    seed: int | Sequence[int] = 0,
    anchors: Sequence[int] | np.ndarray | None = None,
) -> CandidateSet:
    """For each anchor, its true pair plus ``n - 1`` distinct others drawn from ``pool``.

    ``pool`` is the set of pair indices the negatives may come from (one split, so test
    candidates never leak training images); ``anchors`` defaults to the whole pool. The true
    candidate lands at a seeded random column so that a model that ties every score, or a
    metric that breaks ties by position, cannot look better than chance.
    """
    pool = np.asarray(pool, dtype="int64")
    anchors = pool if anchors is None else np.asarray(anchors, dtype="int64")
    if len(np.unique(pool)) != len(pool):
        raise ValueError("pool holds duplicate pair indices")
    if n < 2 or n > len(pool):
        raise ValueError(f"need 2 <= n <= pool size, got n={n} for a pool of {len(pool)} pairs")
    where = {int(p): i for i, p in enumerate(pool)}
    missing = [int(a) for a in anchors if int(a) not in where]
    if missing:
        raise ValueError(f"anchors not in the pool: {missing[:5]}")
    rng = np.random.default_rng(seed)
    cands = np.empty((len(anchors), n), dtype="int64")
    true_pos = rng.integers(0, n, size=len(anchors))
    for row, anchor in enumerate(anchors):
        # Draw from the pool minus the anchor: pick among len-1 slots, skip the anchor's slot.
        picks = rng.choice(len(pool) - 1, size=n - 1, replace=False)
        picks = picks + (picks >= where[int(anchor)])
        negatives = pool[picks]
        cands[row] = np.insert(negatives, true_pos[row], anchor)
    return CandidateSet(left=anchors.copy(), cands=cands, true_pos=true_pos)


def zero_shot_scores(
    left: Sequence[np.ndarray], right: Sequence[np.ndarray], candidates: CandidateSet
) -> np.ndarray:
    """(N, C) cosine similarities of the pretrained features, averaged over backbones.

    ``left[b]`` and ``right[b]`` are backbone b's (P, d_b) features of all pairs. With several
    backbones the mean cosine equals the cosine of their concatenated unit vectors (up to a
    constant), the untrained version of fusion by concatenation.
    """
    if len(left) != len(right) or not left:
        raise ValueError("need one left and one right array per backbone")
    total = np.zeros(candidates.cands.shape, dtype="float32")
    for lv, rv in zip(left, right, strict=True):
        lu, ru = normalize(lv)[candidates.left], normalize(rv)
        total += np.einsum("nd,ncd->nc", lu, ru[candidates.cands])
    return total / len(left)


class CandidateBatches(keras.utils.PyDataset):
    """Batches ``({left_b, cands_b}, onehot)`` gathered from feature arrays on the fly.

    With ``candidates`` given the batches are fixed (validation, test). Without, anchors come
    from ``pool`` in a new order each epoch and every anchor gets ``n - 1`` fresh random
    negatives from ``pool`` (the report's "randomized selection ... from the entire dataset",
    restricted to the training split). Every draw is seeded by (seed, epoch, batch).
    """

    def __init__(self, left: Sequence[np.ndarray], right: Sequence[np.ndarray],
                 batch_size: int, pool: Sequence[int] | None = None,
                 candidates: CandidateSet | None = None, n: int = N_CANDIDATES, seed: int = 0):
        super().__init__()
        if (pool is None) == (candidates is None):
            raise ValueError("give either a pool to draw from or fixed candidates")
        self.left = [np.asarray(x, dtype="float32") for x in left]
        self.right = [np.asarray(x, dtype="float32") for x in right]
        self.batch_size, self.n, self.seed, self.epoch = int(batch_size), int(n), int(seed), 0
        self.candidates = candidates
        self.pool = None if pool is None else np.asarray(pool, dtype="int64")
        if self.pool is not None and self.n > len(self.pool):
            raise ValueError(f"{self.n} candidates need a pool of at least {self.n} pairs")
        self._order = self._shuffled()

    def _shuffled(self) -> np.ndarray | None:
        if self.pool is None:
            return None
        return np.random.default_rng([self.seed, self.epoch]).permutation(self.pool)

    def __len__(self) -> int:
        total = len(self.candidates) if self.candidates is not None else len(self.pool)
        return math.ceil(total / self.batch_size)

    def batch_candidates(self, index: int) -> CandidateSet:
        """The candidate set behind batch ``index`` (of the current epoch)."""
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self.candidates is not None:
            c = self.candidates
            return CandidateSet(c.left[part], c.cands[part], c.true_pos[part])
        return draw_candidates(self.pool, self.n, seed=[self.seed, self.epoch, index],
                               anchors=self._order[part])

    def __getitem__(self, index: int):
        c = self.batch_candidates(index)
        x = {}
        for b, (lv, rv) in enumerate(zip(self.left, self.right, strict=True)):
            x[f"left_{b}"], x[f"cands_{b}"] = lv[c.left], rv[c.cands]
        return x, c.onehot

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._order = self._shuffled()


