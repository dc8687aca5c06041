"""Reference answers to notebook 01's exercises (teachers and tests only)."""

from __future__ import annotations

import numpy as np

from helpers import preprocessing


def places_scheme(x):
    bgr = x[..., ::-1].astype(np.float32)
    return bgr - np.asarray(preprocessing.PLACES365_MEAN_BGR, dtype=np.float32)


def places_scheme_rgb(x):  # typical mistake: the channels left in RGB order
    return x.astype(np.float32) - np.asarray(preprocessing.PLACES365_MEAN_BGR, dtype=np.float32)


def loo_topk(vectors, labels, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)  # the query is not its own neighbour
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())


def loo_topk_with_self(vectors, labels, k):  # typical mistake: the query finds itself
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    nearest = np.argsort(-(unit @ unit.T), axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())


def chance_top1(counts):
    n = np.asarray(counts, dtype=float)
    return float((n * (n - 1)).sum() / (n.sum() * (n.sum() - 1)))


def chance_top1_uniform(counts):  # typical mistake: one over the number of classes
    return 1 / len(counts)


def select_on_val(rows):
    return max(rows, key=lambda r: r["val_top1"])


def select_on_test(rows):  # typical mistake: choosing by the number that is reported
    return max(rows, key=lambda r: r["test_top1"])


SOLUTIONS = {
    "01.places_scheme": places_scheme,
    "01.loo_topk": loo_topk,
    "01.chance_top1": chance_top1,
    "01.select_on_val": select_on_val,
    "01.ae512_test_gain": 0.771 - 0.769,
}

WRONG = {
    "01.places_scheme": places_scheme_rgb,
    "01.loo_topk": loo_topk_with_self,
    "01.chance_top1": chance_top1_uniform,
    "01.select_on_val": select_on_test,
    "01.ae512_test_gain": 0.783 - 0.760,  # the validation gain
}
