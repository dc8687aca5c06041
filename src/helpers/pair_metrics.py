"""Retrieval metrics with a known true item, and the intra-class distance (reports 02, 05).

Part of :mod:`helpers.retrieval`'s API (re-exported there; definitions and tie rules in its
docstring and ``REPRODUCTION.md``): ties count *against* the true item. Built on
:mod:`helpers.similarity`, as retrieval is.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers.similarity import (
    as_matrix,
    check_ks,
    check_metric,
    chunk_rows,
    label_array,
    normalize,
    prepared,
    ranking_keys,
    row_slices,
    squared_distance,
)


def _true_cols(true_col, n: int, width: int) -> np.ndarray:
    cols = np.broadcast_to(np.asarray(true_col, dtype=np.int64), (n,))
    if cols.size and (cols.min() < 0 or cols.max() >= width):
        raise ValueError(f"true_col must index one of the {width} candidate columns")
    return cols


def candidates_topk_from_scores(
    scores: np.ndarray, true_col: int | Sequence[int], ks: Sequence[int] = (1, 2),
    per_item: bool = False,
) -> dict[str, Any]:
    """Top-k over candidate scores (higher = more similar); ties count against the true one.

    ``scores`` is (n, C); ``true_col`` the true candidate's column, one int or one per row.
    With ``per_item``, each row's 0/1 hit (int arrays) instead of the fractions.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"scores must be (items, candidates), got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores hold NaN or inf: the ranker diverged, no top-k can be read")
    cols = _true_cols(true_col, len(s), s.shape[1])
    ks = check_ks(ks, s.shape[1], "candidates per item")
    true = s[np.arange(len(s)), cols][:, None]
    rank = (s >= true).sum(axis=1) - 1  # 0 = best; every tie placed ahead of the true one
    if per_item:
        return {f"top{k}": (rank < k).astype(np.int64) for k in ks}
    return {f"top{k}": float((rank < k).mean()) for k in ks}


def candidates_topk(
    left: np.ndarray,
    right: np.ndarray,
    candidates: np.ndarray,
    true_col: int | Sequence[int],
    ks: Sequence[int] = (1, 2),
    metric: str = "cosine",
    per_item: bool = False,
) -> dict[str, Any]:
    """Top-k of candidates: ``candidates[i]`` holds right indices (true + others) for left i
    (``per_item``: each row's 0/1 hit, as :func:`candidates_topk_from_scores`)."""
    metric = check_metric(metric)
    a, b = prepared(left, right, metric)
    cand = np.asarray(candidates, dtype=np.int64)
    if cand.ndim != 2 or len(cand) != len(a):
        raise ValueError(f"candidates must be ({len(a)}, C) right indices, got {cand.shape}")
    if cand.size and (cand.min() < 0 or cand.max() >= len(b)):
        raise ValueError("candidates hold indices outside right")
    picked = b[cand]  # (n, C, D): small (C = 20)
    if metric == "cosine":
        scores = np.einsum("nd,ncd->nc", a, picked)
    else:
        scores = -np.sqrt(((picked - a[:, None, :]) ** 2).sum(axis=2))
    return candidates_topk_from_scores(scores, true_col, ks, per_item=per_item)


def recall_at_k_pairs(
    left: np.ndarray,
    right: np.ndarray,
    ks: Sequence[int] = (1, 5, 10, 20),
    metric: str = "cosine",
    chunk_size: int | None = None,
    per_item: bool = False,
) -> dict[str, Any]:
    """Recall@k over all pairs: left i's partner is right i, ranked among every right item.

    Ties count against the partner. Returns ``{"recall@1": .., ...}`` as fractions; with
    ``per_item``, each left image's 0/1 hit (int arrays).
    """
    metric = check_metric(metric)
    a, b = prepared(left, right, metric)
    if len(a) != len(b):
        raise ValueError(f"left and right must pair up row by row, got {len(a)} vs {len(b)}")
    ks = check_ks(ks, len(b), "right items")
    b_sq = np.einsum("ij,ij->i", b, b) if metric == "euclidean" else None
    ranks = np.empty(len(a), dtype=np.int64)
    for sl in row_slices(len(a), int(chunk_size) if chunk_size else chunk_rows(len(b))):
        keys = ranking_keys(a[sl], b, metric, b_sq)
        true = keys[np.arange(sl.stop - sl.start), np.arange(sl.start, sl.stop)][:, None]
        ranks[sl] = (keys <= true).sum(axis=1) - 1
    if per_item:
        return {f"recall@{k}": (ranks < k).astype(np.int64) for k in ks}
    return {f"recall@{k}": float((ranks < k).mean()) for k in ks}


def mean_intra_class_distance(
    embeddings: np.ndarray, labels: Sequence, metric: str = "cosine"
) -> dict:
    """Mean distance over all distinct pairs within each class (cosine: 1 - similarity).

    Keys follow ``np.unique(labels)``. A class with one item has no pairs: its value is NaN
    and a warning names it.
    """
    metric = check_metric(metric)
    x = as_matrix(embeddings, "embeddings")
    y = label_array(labels, len(x), "labels")
    out = {}
    singles = []
    for label in np.unique(y):
        members = x[y == label].astype(np.float64)
        n = len(members)
        key = label.item() if hasattr(label, "item") else label
        if n < 2:
            out[key] = float("nan")
            singles.append(key)
            continue
        if metric == "cosine":
            # sum_{i != j} u_i . u_j = |sum u|^2 - sum |u_i|^2: O(n D), no n x n block.
            u = normalize(members).astype(np.float64)
            total = u.sum(axis=0)
            pair_sim = (total @ total - np.einsum("ij,ij->", u, u)) / (n * (n - 1))
            out[key] = float(1.0 - pair_sim)
        else:
            acc = 0.0
            for sl in row_slices(n, chunk_rows(n)):
                d = np.sqrt(squared_distance(members[sl], members))
                # The expansion leaves rounding noise on the diagonal: zero it before summing.
                d[np.arange(sl.stop - sl.start), np.arange(sl.start, sl.stop)] = 0.0
                acc += float(d.sum())
            out[key] = acc / (n * (n - 1))
    if singles:
        warnings.warn(f"classes with a single item have no intra-class distance: {singles}",
                      stacklevel=2)
    return out
