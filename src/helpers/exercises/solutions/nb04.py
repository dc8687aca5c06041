"""Reference answers to notebook 04's exercises (teachers and tests only)."""

from __future__ import annotations

import numpy as np


def topk_accuracy(similarity, query_labels, gallery_labels, k):
    ranked = np.argsort(-similarity, axis=1)[:, :k]  # most similar first
    hits = (np.asarray(gallery_labels)[ranked] == np.asarray(query_labels)[:, None]).any(axis=1)
    return float(hits.mean())


def topk_least_similar(similarity, query_labels, gallery_labels, k):  # typical mistake
    ranked = np.argsort(similarity, axis=1)[:, :k]  # ascending: the worst matches first
    hits = (np.asarray(gallery_labels)[ranked] == np.asarray(query_labels)[:, None]).any(axis=1)
    return float(hits.mean())


def chance_topk(c, k):
    return 1 - (1 - 1 / c) ** k


def chance_topk_added(c, k):  # typical mistake: adds chances that overlap
    return k / c


def lowe_ratio(distances, ratio=0.75):
    order = np.argsort(distances, axis=1)
    rows = np.arange(len(distances))
    nearest, second = distances[rows, order[:, 0]], distances[rows, order[:, 1]]
    keep = nearest < ratio * second
    return list(zip(rows[keep].tolist(), order[keep, 0].tolist(), strict=True))


def lowe_absolute(distances, ratio=0.75):  # typical mistake: a fixed distance threshold
    nearest = np.argmin(distances, axis=1)
    return [(i, int(j)) for i, j in enumerate(nearest) if distances[i, j] < ratio]


def smallest_query_count(scores, decimals, max_n=200):
    """The smallest n for which every score is some k / n, as printed to ``decimals``."""
    for n in range(1, max_n + 1):
        if all(abs(round(s * n) / n - s) <= 0.5 * 10 ** -decimals + 1e-12 for s in scores):
            return n
    return None


SOLUTIONS = {
    "04.topk_accuracy": topk_accuracy,
    "04.chance_topk": chance_topk,
    "04.lowe_ratio": lowe_ratio,
    "04.query_counts": (smallest_query_count([0.5333333333333333, 0.7333333333333333,
                                              0.8666666666666667], 6),
                        smallest_query_count([0.557, 0.743, 0.871], 3)),
}

WRONG = {
    "04.topk_accuracy": topk_least_similar,
    "04.chance_topk": chance_topk_added,
    "04.lowe_ratio": lowe_absolute,
    "04.query_counts": (70, 70),  # the challenge's 70 queries, assumed for both
}
