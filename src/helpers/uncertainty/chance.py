"""Chance levels: what a random ranking or a trivial classifier scores, exact and measured.

A rule is only a test when chance fails it: on 5 flower classes with 32 images each, a
random ranking already finds the query's class in its top 10 with probability 0.900.

Analytic (exact):

* :func:`topk_chance` / :func:`labels_topk_chance`: top-k class retrieval. Under a random
  ranking the k nearest are k draws without replacement from the gallery, so "no item of the
  query's class among them" is hypergeometric: chance = 1 - P(0 of K_c in k of N). Query/
  gallery: the query is not in the gallery (N, K_c as counted). Leave-one-out: the query is
  left out, so N - 1 items and K_c - 1 of its class.
* :func:`candidates_chance`: one true item among N candidates: top-k chance k / N.
* :func:`classification_chance`: a constant guess of the majority class scores its share;
  uniform random guessing scores 1 / C whatever the class balance.

Measured, on the same items (per-item hits, so :func:`helpers.uncertainty.item_interval`
gives them an interval to print beside the exact number): :func:`random_ranking_hits`,
:func:`random_candidates_hits`, :func:`majority_class_hits`, :func:`random_guess_hits`.
Both side by side, as a notebook's chance row prints them: :func:`retrieval_chance_levels`,
:func:`classification_chance_levels` (:class:`ChanceLevel`).

The issue's examples, checked in ``tests/test_uncertainty.py``: flowers, gallery of 160 with
32 per class, query/gallery top-1/3/10 = 0.200 / 0.490 / 0.900 (leave-one-out over the same
160 would give 0.195 / 0.481 / 0.894: the issue's numbers are query/gallery). Six balanced
rooms, top-5: 1 - (5/6)^5 = 0.598 for a large gallery; places6's test split (480, 80 per
room) gives 0.600 query/gallery and 0.596 leave-one-out (notebook 01's protocol): "about
0.60" either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.uncertainty.intervals import Interval, item_interval

# Query rows ranked at once by the random ranking: bounds its (rows, gallery) key block.
_RANDOM_BLOCK_CELLS = 2**22


def _check_k(k: int, limit: int, what: str) -> int:
    k = int(k)
    if not 1 <= k <= limit:
        raise ValueError(f"k={k} must lie between 1 and {limit} ({what})")
    return k


def _no_hit_probability(population: int, same_class: int, k: int) -> float:
    """P(none of ``same_class`` items among ``k`` drawn without replacement from ``population``)."""
    return float(stats.hypergeom(population, same_class, k).pmf(0))


def topk_chance(gallery_counts: Sequence[int] | Mapping[object, int], k: int, *,
                query_counts: Sequence[int] | Mapping[object, int] | None = None,
                leave_one_out: bool = False) -> float:
    """Expected top-k hit rate of a random ranking, from class counts (exact, hypergeometric).

    ``gallery_counts``: items per class in the gallery (for leave-one-out: in the evaluated
    set). ``query_counts``: queries per class, the same classes in the same order (mapping
    keys must match); by default the queries are the gallery's own items (leave-one-out) or
    are drawn like the gallery (query/gallery), i.e. classes weighted by gallery share.
    """
    keys = list(gallery_counts) if isinstance(gallery_counts, Mapping) else None
    counts = np.asarray([gallery_counts[c] for c in keys] if keys else gallery_counts,
                        dtype=np.int64)
    if counts.ndim != 1 or counts.size == 0 or counts.min() < 0 or counts.sum() == 0:
        raise ValueError(f"gallery_counts must be non-negative counts per class, got {counts}")
    if query_counts is None:
        weights = counts.astype(np.float64)
    elif isinstance(query_counts, Mapping):
        if keys is None or set(query_counts) - set(keys):
            raise ValueError("query_counts names classes gallery_counts does not have")
        weights = np.asarray([query_counts.get(c, 0) for c in keys], dtype=np.float64)
    else:
        weights = np.asarray(query_counts, dtype=np.float64)
    if weights.shape != counts.shape or weights.min() < 0 or weights.sum() == 0:
        raise ValueError(f"query_counts must give one non-negative count per class, got {weights}")
    population = int(counts.sum()) - int(leave_one_out)
    k = _check_k(k, population, "gallery size" + (" minus the query" if leave_one_out else ""))
    if leave_one_out and (weights > 0)[counts == 0].any():
        raise ValueError("leave-one-out queries must come from the evaluated set's own classes")
    per_class = np.array([
        1.0 - _no_hit_probability(population, max(0, int(c) - int(leave_one_out)), k)
        if w > 0 else 0.0 for c, w in zip(counts, weights, strict=True)])
    return float((per_class * weights).sum() / weights.sum())


def _labels(labels, name: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of labels, got shape {arr.shape}")
    return arr


def labels_topk_chance(query_labels: Sequence | np.ndarray,
                       gallery_labels: Sequence | np.ndarray | None = None,
                       ks: Sequence[int] = (1, 5)) -> dict[str, float]:
    """:func:`topk_chance` for these very items: ``{"top1": .., "top5": ..}`` like the metrics.

    ``gallery_labels=None`` is leave-one-out over ``query_labels`` (``retrieval.loo_topk``);
    otherwise query/gallery (``retrieval.query_gallery_topk``). A query whose class is missing
    from the gallery can never hit and counts as 0.
    """
    yq = _labels(query_labels, "query_labels")
    yg = yq if gallery_labels is None else _labels(gallery_labels, "gallery_labels")
    classes, gallery = np.unique(yg, return_counts=True)
    queries = {c: int((yq == c).sum()) for c in np.unique(yq)}
    missing = sum(n for c, n in queries.items() if c not in set(classes.tolist()))
    present = np.array([queries.get(c, 0) for c in classes])
    result = {}
    for k in ks:
        rate = topk_chance(gallery, k, query_counts=present,
                           leave_one_out=gallery_labels is None) if present.sum() else 0.0
        result[f"top{int(k)}"] = float(rate * present.sum() / (present.sum() + missing))
    return result


def random_ranking_hits(query_labels: Sequence | np.ndarray,
                        gallery_labels: Sequence | np.ndarray | None = None,
                        ks: Sequence[int] = (1, 5), seed: int = 0) -> dict[str, np.ndarray]:
    """Per-query top-k hits (0/1) of a seeded uniformly random ranking of the gallery.

    The measured counterpart of :func:`labels_topk_chance` (same protocols, same items): each
    query ranks the gallery by independent uniform keys; leave-one-out gives the query's own
    key +inf so it is never its own neighbour.
    """
    yq = _labels(query_labels, "query_labels")
    loo = gallery_labels is None
    yg = yq if loo else _labels(gallery_labels, "gallery_labels")
    ks = tuple(_check_k(k, len(yg) - int(loo), "gallery size") for k in ks)
    if not ks:
        raise ValueError("ks must name at least one k")
    kmax = max(ks)
    rng = np.random.default_rng(seed)
    hits = {k: np.empty(len(yq)) for k in ks}
    rows = max(1, _RANDOM_BLOCK_CELLS // len(yg))
    for start in range(0, len(yq), rows):
        block = slice(start, min(len(yq), start + rows))
        keys = rng.random((block.stop - block.start, len(yg)))
        if loo:
            keys[np.arange(len(keys)), np.arange(block.start, block.stop)] = np.inf
        nearest = np.argpartition(keys, kmax - 1, axis=1)[:, :kmax]
        order = np.argsort(np.take_along_axis(keys, nearest, axis=1), axis=1)
        nearest = np.take_along_axis(nearest, order, axis=1)
        same = yg[nearest] == yq[block, None]
        for k in ks:
            hits[k][block] = same[:, :k].any(axis=1)
    return {f"top{k}": h for k, h in hits.items()}


def candidates_chance(n_candidates: int, k: int) -> float:
    """Top-k chance with one true item among ``n_candidates`` ranked at random: k / N."""
    n = int(n_candidates)
    if n < 1:
        raise ValueError(f"n_candidates must be at least 1, got {n_candidates}")
    return _check_k(k, n, "candidates") / n


def random_candidates_hits(n_items: int, n_candidates: int, ks: Sequence[int] = (1, 2),
                           seed: int = 0) -> dict[str, np.ndarray]:
    """Per-item top-k hits (0/1) when every item's candidates get seeded uniform random scores.

    Rank of the true candidate (column 0) = how many others score higher, as in
    ``retrieval.candidates_topk_from_scores`` (continuous random scores do not tie).
    """
    if int(n_items) < 1:
        raise ValueError(f"n_items must be at least 1, got {n_items}")
    ks = tuple(_check_k(k, int(n_candidates), "candidates") for k in ks)
    scores = np.random.default_rng(seed).random((int(n_items), int(n_candidates)))
    rank = (scores > scores[:, :1]).sum(axis=1)
    return {f"top{k}": (rank < k).astype(np.float64) for k in ks}


def classification_chance(labels: Sequence | np.ndarray,
                          n_classes: int | None = None) -> dict[str, float]:
    """``{"majority": share of the most common class, "uniform": 1 / C}`` on these labels.

    The majority share is the accuracy of the best constant guess on these very items, the
    bar a rule must clear (it is never below 1 / C). ``n_classes`` defaults to the classes seen.
    """
    y = _labels(labels, "labels")
    _, counts = np.unique(y, return_counts=True)
    c = len(counts) if n_classes is None else int(n_classes)
    if c < len(counts):
        raise ValueError(f"n_classes={n_classes} but the labels hold {len(counts)} classes")
    return {"majority": float(counts.max() / counts.sum()), "uniform": 1.0 / c}


def majority_class_hits(test_labels: Sequence | np.ndarray,
                        train_labels: Sequence | np.ndarray | None = None) -> np.ndarray:
    """Per-item correctness (0/1) of always answering the training set's most common class.

    Without ``train_labels`` the test items' own majority (the best constant guess; ties: the
    smallest label, as ``np.unique`` sorts).
    """
    y = _labels(test_labels, "test_labels")
    source = y if train_labels is None else _labels(train_labels, "train_labels")
    classes, counts = np.unique(source, return_counts=True)
    return (y == classes[np.argmax(counts)]).astype(np.float64)


def random_guess_hits(test_labels: Sequence | np.ndarray, n_classes: int,
                      seed: int = 0) -> np.ndarray:
    """Per-item correctness (0/1) of seeded uniform guesses among labels ``0 .. n_classes-1``."""
    y = _labels(test_labels, "test_labels")
    if int(n_classes) < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    guesses = np.random.default_rng(seed).integers(0, int(n_classes), size=len(y))
    return (guesses == y).astype(np.float64)


@dataclass(frozen=True)
class ChanceLevel:
    """The exact chance level beside the same metric measured on the items by chance itself."""

    analytic: float
    measured: Interval

    def __str__(self) -> str:
        return f"{self.analytic:.3f} exact, measured {self.measured}"


def retrieval_chance_levels(query_labels: Sequence | np.ndarray,
                            gallery_labels: Sequence | np.ndarray | None = None,
                            ks: Sequence[int] = (1, 5), seed: int = 0) -> dict[str, ChanceLevel]:
    """``{"top1": ChanceLevel, ...}``: :func:`labels_topk_chance` and :func:`random_ranking_hits`
    with its item interval, for a retrieval table's chance row (same protocol rules)."""
    exact = labels_topk_chance(query_labels, gallery_labels, ks)
    measured = random_ranking_hits(query_labels, gallery_labels, ks, seed=seed)
    return {name: ChanceLevel(exact[name], item_interval(hits, seed=seed))
            for name, hits in measured.items()}


def classification_chance_levels(test_labels: Sequence | np.ndarray,
                                 train_labels: Sequence | np.ndarray | None = None,
                                 n_classes: int | None = None,
                                 seed: int = 0) -> dict[str, ChanceLevel]:
    """``{"majority": .., "uniform": ..}`` for a classification table's chance row.

    Majority: the test items' share of the class the majority predictor answers (the training
    set's most common class, else the test items' own), measured by that predictor; uniform:
    1 / C, measured by seeded uniform guesses over ``n_classes`` (default: classes seen).
    """
    y = _labels(test_labels, "test_labels")
    seen = np.unique(y if train_labels is None else np.concatenate([y, _labels(train_labels,
                                                                    "train_labels")]))
    c = len(seen) if n_classes is None else int(n_classes)
    if c < len(seen) or not np.isin(seen, np.arange(c)).all():
        raise ValueError(f"labels must be 0 .. {c - 1} for uniform guesses over {c} classes")
    majority = majority_class_hits(y, train_labels)
    guesses = random_guess_hits(y, c, seed=seed)
    return {"majority": ChanceLevel(float(majority.mean()), item_interval(majority, seed=seed)),
            "uniform": ChanceLevel(1.0 / c, item_interval(guesses, seed=seed))}
