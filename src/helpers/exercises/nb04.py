"""Notebook 04's exercises: query/gallery top-k, the contrastive loss, the CAE's noise, Lowe's
ratio test, the report."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.answers import as_function, as_number, in_percent, rounded_match

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
        if rounded_match(got, want):
            continue
        if in_percent(got, want):
            return f"for k={k} you give {got:g}: a percentage; give the fraction of queries"
        if k == 1 and rounded_match(got, 0.0):
            return ("for k=1 no query scores a hit: are you taking the LEAST similar gallery "
                    "images? A higher similarity is a better match")
        if got > 1:
            return f"for k={k} you return {got:g}: give the fraction of queries, not a count"
        return (f"for k={k}: not yet. A query is a hit if ANY of its k most similar gallery "
                "images has the query's label; the score is the fraction of queries that hit")
    return None


# Five pairs (Hadsell's labels: 0 similar, 1 dissimilar) and their embedding distances.
_PAIR_LABELS = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
_PAIR_DISTANCES = np.array([0.0, 0.6, 0.2, 0.9, 1.7])


def _hadsell(y: np.ndarray, d: np.ndarray, margin: float) -> np.ndarray:
    return (1 - y) * 0.5 * d**2 + y * 0.5 * np.maximum(0.0, margin - d) ** 2


def _as_values(value: Any, n: int) -> np.ndarray | str:
    try:
        import keras

        array = np.asarray(keras.ops.convert_to_numpy(value), dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return "return one loss per pair: an array (or Keras tensor) of the pairs' losses"
    if array.size == 1 and n > 1:
        return ("you return one number: return one loss per pair (Keras averages them over the "
                "batch itself)")
    return array if array.size == n else f"expected {n} losses, one per pair, got {array.size}"


@exercise("04.contrastive_loss", "the Siamese network's contrastive loss (Hadsell et al. 2006)")
def check_contrastive_loss(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for margin in (1.0, 2.0):
        got = _as_values(fn(_PAIR_LABELS.astype("float32"), _PAIR_DISTANCES.astype("float32"),
                            margin), len(_PAIR_LABELS))
        if isinstance(got, str):
            return got
        want = _hadsell(_PAIR_LABELS, _PAIR_DISTANCES, margin)
        if np.allclose(got, want, atol=1e-5):
            continue
        if np.allclose(got, _hadsell(1 - _PAIR_LABELS, _PAIR_DISTANCES, margin), atol=1e-5):
            return ("your labels run the other way: here Y = 0 is a SIMILAR pair (pull it "
                    "together, D² / 2) and Y = 1 a dissimilar one (push it beyond the margin)")
        if np.allclose(got, 2 * want, atol=1e-5):
            return "nearly: Hadsell's loss halves both terms (D² / 2 and max(0, m - D)² / 2)"
        unclamped = (1 - _PAIR_LABELS) * 0.5 * _PAIR_DISTANCES**2 + _PAIR_LABELS * 0.5 * (
            margin - _PAIR_DISTANCES) ** 2
        if np.allclose(got, unclamped, atol=1e-5):
            return ("a dissimilar pair already beyond the margin should cost nothing: clamp "
                    "m - D at zero before squaring")
        return (f"with margin {margin}: not yet. Similar pair: D² / 2; dissimilar pair: "
                "max(0, m - D)² / 2")
    return None


@exercise("04.cae_noise", "predict: the CAE's validation loss with and without its noise")
def check_cae_noise(answer: Any) -> str | None:
    if not isinstance(answer, str) or answer.strip().lower() not in ("with", "without", "same"):
        return ('answer "with" (noise 0.3 ends with the lower validation loss), "without" '
                '(no noise does) or "same"')
    if answer.strip().lower() == "without":
        return None
    return ("the noise layers are on while the CAE trains and off when it reconstructs the "
            "validation images: it learned from corrupted pixels and activations (0.3 is large "
            "on a [0, 1] scale), and the clean ones are not what it was fitted to. The noise "
            "may make the code more robust, but the MSE on clean images is what is measured")


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
