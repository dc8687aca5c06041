"""Reference answers to notebook 04's exercises (teachers and tests only)."""

from __future__ import annotations

import numpy as np


def topk_accuracy(similarity, query_labels, gallery_labels, k):
    ranked = np.argsort(-similarity, axis=1)[:, :k]  # most similar first
    hits = (np.asarray(gallery_labels)[ranked] == np.asarray(query_labels)[:, None]).any(axis=1)
    return float(hits.mean())


def contrastive_loss(y_true, distance, margin=1.0):
    from keras import ops

    y = ops.cast(y_true, "float32")
    d = ops.cast(distance, "float32")
    return (1 - y) * 0.5 * ops.square(d) + y * 0.5 * ops.square(ops.maximum(margin - d, 0.0))


def lowe_ratio(distances, ratio=0.75):
    order = np.argsort(distances, axis=1)
    rows = np.arange(len(distances))
    nearest, second = distances[rows, order[:, 0]], distances[rows, order[:, 1]]
    keep = nearest < ratio * second
    return list(zip(rows[keep].tolist(), order[keep, 0].tolist(), strict=True))


def smallest_query_count(scores, decimals, max_n=200):
    """The smallest n for which every score is some k / n, as printed to ``decimals``."""
    for n in range(1, max_n + 1):
        if all(abs(round(s * n) / n - s) <= 0.5 * 10 ** -decimals + 1e-12 for s in scores):
            return n
    return None


SOLUTIONS = {
    "04.topk_accuracy": topk_accuracy,
    "04.contrastive_loss": contrastive_loss,
    "04.cae_noise": "without",
    "04.lowe_ratio": lowe_ratio,
    "04.query_counts": (smallest_query_count([0.5333333333333333, 0.7333333333333333,
                                              0.8666666666666667], 6),
                        smallest_query_count([0.557, 0.743, 0.871], 3)),
}
