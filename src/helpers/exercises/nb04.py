"""Notebook 04's exercises: query/gallery top-k, its chance level, Lowe's ratio test, the report."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.answers import as_function, as_number, close

# Three queries against four gallery images: similarities and labels made so that the first
# hit comes at rank 1, 2 and 3 (top-1 1/3, top-2 2/3, top-3 1).
_SIMILARITY = np.array([[0.9, 0.1, 0.8, 0.3],
                        [0.2, 0.7, 0.6, 0.1],
                        [0.5, 0.4, 0.3, 0.9]])
_QUERY_LABELS = np.array([0, 0, 1])
_GALLERY_LABELS = np.array([0, 1, 0, 2])
_TOPK = {1: 1 / 3, 2: 2 / 3, 3: 1.0}


@exercise("04.topk_accuracy", "query/gallery top-k accuracy from a similarity matrix")
def check_topk_accuracy(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for k, want in _TOPK.items():
        got = as_number(fn(_SIMILARITY.copy(), _QUERY_LABELS.copy(), _GALLERY_LABELS.copy(), k))
        if isinstance(got, str):
            return f"for k={k}: {got}"
        if close(got, want, rel=0, abs_tol=1e-9):
            continue
        if k == 1 and close(got, 0.0, rel=0, abs_tol=1e-9):
            return ("for k=1 no query scores a hit: are you taking the LEAST similar gallery "
                    "images? A higher similarity is a better match")
        if got > 1:
            return f"for k={k} you return {got:g}: give the fraction of queries, not a count"
        return (f"for k={k}: not yet. A query is a hit if ANY of its k most similar gallery "
                "images has the query's label; the score is the fraction of queries that hit")
    return None


@exercise("04.chance_topk", "the chance level of top-k with c classes of equal size")
def check_chance_topk(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    # (classes, k, chance that k random picks from a large balanced gallery include a hit)
    for c, k, want in ((5, 1, 0.2), (5, 3, 0.488), (2, 2, 0.75), (21, 10, 1 - (20 / 21) ** 10)):
        got = as_number(fn(c, k))
        if isinstance(got, str):
            return f"for c={c}, k={k}: {got}"
        if close(got, want, rel=1e-6):
            continue
        if close(got, k / c, rel=1e-6):
            return (f"for c={c}, k={k} you give k / c: that adds up the chances of k events "
                    "that can happen together (and passes 1 when k > c). What is the chance "
                    "that NONE of the k picks is of the query's class?")
        return (f"for c={c}, k={k}: not yet. Each pick is of the query's class with chance "
                "1 / c, independently (a large gallery)")
    return None


# Distances from four query keypoints (rows) to three gallery keypoints (columns).
_DISTANCES = np.array([[0.2, 0.9, 0.8],
                       [0.5, 0.6, 0.9],
                       [0.7, 0.1, 0.12],
                       [0.9, 0.95, 0.3]])
_KEPT = {0.75: {(0, 0), (3, 2)}, 0.9: {(0, 0), (1, 0), (2, 1), (3, 2)}}


def _as_pairs(value: Any) -> set[tuple[int, int]] | str:
    try:
        return {(int(i), int(j)) for i, j in value}
    except (TypeError, ValueError):
        return "return the kept matches as (query keypoint, gallery keypoint) pairs"


@exercise("04.lowe_ratio", "Lowe's ratio test on a keypoint distance matrix")
def check_lowe_ratio(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for ratio, want in _KEPT.items():
        got = _as_pairs(fn(_DISTANCES.copy(), ratio))
        if isinstance(got, str):
            return got
        if got == want:
            continue
        if len(got) == len(_DISTANCES) and ratio == 0.75:
            return ("with ratio 0.75 you keep every keypoint: compare the nearest distance with "
                    "the SECOND nearest of the same keypoint, not with a fixed threshold")
        if not got:
            return ("you keep nothing: a match is kept when the nearest distance is below "
                    "ratio x the second nearest (check the direction of the comparison)")
        return (f"with ratio {ratio}: not yet. For every query keypoint take its nearest and "
                "second-nearest gallery keypoint; keep (query, nearest) when the first distance "
                "is clearly smaller than the second")
    return None


@exercise("04.query_counts", "how many queries the report's ResNet50 and SURF scores fit")
def check_query_counts(answer: Any) -> str | None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "answer with two whole numbers: (queries behind ResNet50's scores, behind SURF's)"
    resnet, surf = (as_number(a) for a in answer)
    if isinstance(resnet, str) or isinstance(surf, str):
        return "both must be whole numbers of queries"
    hints = []
    if resnet != 15:
        hints.append("ResNet50's 0.5333 / 0.7333 / 0.8667: which is the smallest number of "
                     "queries n for which all three are (close to) whole counts k / n?")
    if surf != 70:
        hints.append("SURF's 0.557 / 0.743 / 0.871 are printed to three decimals: find the "
                     "smallest n for which each is k / n rounded to three decimals")
    return " ".join(hints) or None
