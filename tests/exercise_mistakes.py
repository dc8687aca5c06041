"""Typical wrong answers to every exercise, each with a piece of the hint its checker must give.

``MISTAKES[exercise_id]`` lists ``(answer, hint fragment)`` pairs: the answer is a mistake
students make (TEACHING.md's "common student errors"), the fragment a phrase only the hint for
that mistake contains, so a test can tell that each distinct mistake gets its own hint.
Kept with the tests, not the package: a student copy of the course has none of it.
"""

from __future__ import annotations

import keras
import numpy as np
from scipy.spatial.distance import cdist

from helpers.classifiers.model import flat_layers


def loo_topk_with_self(vectors, labels, k):  # typical mistake: the query finds itself
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    nearest = np.argsort(-(unit @ unit.T), axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())


def chance_top1_uniform(counts):  # typical mistake: one over the number of classes
    return 1 / len(counts)


def select_on_test(rows):  # typical mistake: choosing by the number that is reported
    return max(rows, key=lambda r: r["test_top1"])


def plain_ae(input_dim, code_dim, noise):  # typical mistake: the noise forgotten
    inputs = keras.Input(shape=(input_dim,))
    code = keras.layers.Dense(code_dim, activation="relu")(inputs)
    outputs = keras.layers.Dense(input_dim, activation="sigmoid")(code)
    return keras.Model(inputs, outputs)


def naive_distances(z):  # the report's code: round-off negatives reach the square root
    sq = (z * z).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        return np.sqrt(sq - 2 * z @ z.T + sq.T)


def supcon_self_in_denominator(z, labels, temperature):  # typical mistake
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    logits = z @ z.T / temperature
    others = ~np.eye(len(z), dtype=bool)
    log_denominator = np.log(np.exp(logits).sum(axis=1))  # includes the anchor itself
    positives = (labels[:, None] == labels[None, :]) & others
    n_positives = positives.sum(axis=1)
    per_anchor = -((logits - log_denominator[:, None]) * positives).sum(axis=1)
    has_positive = n_positives > 0
    return float((per_anchor[has_positive] / n_positives[has_positive]).mean())


def margin_loss_unsquared_hinge(z, labels, margin):  # typical mistake
    d = np.linalg.norm(z[:, None, :] - z[None, :, :], axis=-1)
    same = labels[:, None] == labels[None, :]
    per_pair = np.where(same, d ** 2, np.maximum(margin - d, 0.0))
    i, j = np.triu_indices(len(z), k=1)
    return float(per_pair[i, j].mean())


class SupConLossSelfInDenominator(keras.losses.Loss):  # typical mistake
    def __init__(self, temperature=0.1, **kwargs):
        super().__init__(**kwargs)
        self.temperature = temperature

    def call(self, y_true, y_pred):
        ops = keras.ops
        views = y_pred.shape[1]
        z = ops.concatenate([y_pred[:, v] for v in range(views)], axis=0)
        z = z / ops.norm(z, axis=1, keepdims=True)
        labels = ops.tile(ops.reshape(y_true, (-1,)), (views,))
        logits = ops.matmul(z, ops.transpose(z)) / self.temperature
        others = 1.0 - ops.eye(ops.shape(z)[0])
        log_prob = logits - ops.log(ops.sum(ops.exp(logits), axis=1, keepdims=True))
        positives = ops.cast(ops.equal(labels[:, None], labels[None, :]), "float32") * others
        n_positives = ops.sum(positives, axis=1)
        per_anchor = -ops.sum(log_prob * positives, axis=1) / ops.maximum(n_positives, 1.0)
        has_positive = ops.cast(n_positives > 0, "float32")
        return ops.sum(per_anchor * has_positive) / ops.maximum(ops.sum(has_positive), 1.0)


def accuracy_fits_exactly(percent, n):  # typical mistake: forgets the printed rounding
    return (percent * n / 100) % 1 == 0


def alexnet_global_pooling(image_size=224):  # typical mistake: a global average, not the grid
    x = pixels = keras.Input((image_size, image_size, 3))
    for filters, size, stride in ((64, 11, 4), (192, 5, 1), (384, 3, 1), (256, 3, 1), (256, 3, 1)):
        x = keras.layers.Conv2D(filters, size, strides=stride, padding="same",
                                activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    for _ in range(2):
        x = keras.layers.Dense(4096, activation="relu")(x)
    return keras.Model(pixels, x)


def set_mode_bottom(clf, n):  # typical mistake: the first n layers, not the last
    batchnorm = keras.layers.BatchNormalization
    weighted = [layer for layer in flat_layers(clf.base)
                if layer.weights and not isinstance(layer, batchnorm)]
    first = {layer.name for layer in weighted[:n]}
    clf.base.trainable = True
    for layer in flat_layers(clf.base):
        layer.trainable = layer.name in first
    for layer in clf.head:
        layer.trainable = True


def topk_least_similar(similarity, query_labels, gallery_labels, k):  # typical mistake
    ranked = np.argsort(similarity, axis=1)[:, :k]  # ascending: the worst matches first
    hits = (np.asarray(gallery_labels)[ranked] == np.asarray(query_labels)[:, None]).any(axis=1)
    return float(hits.mean())


def contrastive_loss_swapped(y_true, distance, margin=1.0):  # typical mistake: 1 = similar
    y = np.asarray(y_true, float)
    d = np.asarray(distance, float)
    return y * 0.5 * d**2 + (1 - y) * 0.5 * np.maximum(margin - d, 0.0) ** 2


def lowe_absolute(distances, ratio=0.75):  # typical mistake: a fixed distance threshold
    nearest = np.argmin(distances, axis=1)
    return [(i, int(j)) for i, j in enumerate(nearest) if distances[i, j] < ratio]


def hinge_mean_negative(scores, m):  # typical mistake: every negative instead of the hardest
    positive, negatives = scores[:, 0], scores[:, 1:]
    return float(np.mean(np.maximum(0.0, negatives.mean(axis=1) - positive + m)))


def fuse_raw(u, v, how):  # typical mistake: the vectors fused before normalising them
    return np.concatenate([u, v]) if how == "concat" else (u + v) / 2


def chance_candidates_added(n, k, partners=1):  # typical mistake: overlapping events added
    return k * partners / n


class SumFusion(keras.layers.Layer):  # typical mistake: the inputs added, not averaged
    def call(self, inputs):
        return keras.ops.sum(keras.ops.stack(inputs, axis=0), axis=0)


def loo_topk_euclidean(vectors, labels, k):  # the rows never normalised
    distance = np.linalg.norm(vectors[:, None] - vectors[None], axis=-1)
    np.fill_diagonal(distance, np.inf)
    nearest = np.argsort(distance, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).any(axis=1).mean())


def loo_topk_percent(vectors, labels, k):  # right, but in percent
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argsort(-similarity, axis=1)[:, :k]
    return 100 * float((labels[nearest] == labels[:, None]).any(axis=1).mean())


def chance_top1_with_replacement(counts):  # N instead of N - 1: the query stays in the gallery
    n = np.asarray(counts, dtype=float)
    return float(((n / n.sum()) ** 2).sum())


def chance_top1_two_decimals(counts):  # right, printed to two decimals
    n = np.asarray(counts, dtype=float)
    return round(float((n * (n - 1)).sum() / (n.sum() * (n.sum() - 1))), 2)


def squared_distances(z):  # the guard, but no square root
    sq = (z * z).sum(axis=1, keepdims=True)
    return np.maximum(sq - 2 * z @ z.T + sq.T, 0.0)


def scipy_distances(z):  # correct numbers, but the expanded form and its guard are skipped
    return cdist(z, z)


def _supcon_with(z, labels, temperature, normalise=True, self_positive=False,
                 self_in_denominator=False, keep_singletons=False):
    if normalise:
        z = z / np.linalg.norm(z, axis=1, keepdims=True)
    logits = z @ z.T / temperature
    others = ~np.eye(len(z), dtype=bool)
    denominator = np.exp(logits) if self_in_denominator else np.exp(logits) * others
    log_denominator = np.log(denominator.sum(axis=1))
    positives = labels[:, None] == labels[None, :]
    positives = positives if self_positive else positives & others
    n_positives = positives.sum(axis=1)
    per_anchor = -((logits - log_denominator[:, None]) * positives).sum(axis=1)
    keep = np.ones(len(z), bool) if keep_singletons else n_positives > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return float((per_anchor[keep] / n_positives[keep]).mean())


def supcon_not_normalised(z, labels, temperature):
    return _supcon_with(z, labels, temperature, normalise=False)


def supcon_self_positive(z, labels, temperature):
    return _supcon_with(z, labels, temperature, self_positive=True)


def supcon_singletons_averaged(z, labels, temperature):  # 0 / 0 for a room held once
    return _supcon_with(z, labels, temperature, keep_singletons=True)


def topk_percent(similarity, query_labels, gallery_labels, k):
    ranked = np.argsort(-similarity, axis=1)[:, :k]
    return 100 * float((gallery_labels[ranked] == query_labels[:, None]).any(axis=1).mean())


def chance_candidates_percent(n, k, partners=1):
    from math import comb

    return 100 * (1 - comb(n - partners, k) / comb(n, k))


BLOCK_15 = 160 * 960 + 3 * 3 * 960 + 960 * 160
GOLD_GAP_ON_TEST = 0.771 - 0.776452  # report 02: the AE's test top-1 minus EfficientNetB0's

MISTAKES = {
    "00.bug_range": [(1.0, "before the mistake"), (255.0, "before any preprocessing"),
                     (0.5, "the flawed pipeline's extra step")],
    "00.random_top5_chance": [(1 / 1000, "for top-1"), (0.5, "not a percentage")],
    "01.loo_topk": [(loo_topk_with_self, "Leave the query out"),
                    (loo_topk_euclidean, "Euclidean"),
                    (loo_topk_percent, "percentage")],
    "01.chance_top1": [(chance_top1_uniform, "one over the number of classes"),
                       (chance_top1_with_replacement, "N - 1 images"),
                       (chance_top1_two_decimals, "to 2 decimals only")],
    "01.select_on_val": [(select_on_test, "inflates")],
    "01.denoising_ae": [(plain_ae, "nothing corrupts the input")],
    "01.one_unit_code": [(0.6, "cosine similarity of two positive numbers"),
                         (16.7, "not in percent"), (0.02, "below chance")],
    "02.one_more_block": [(BLOCK_15 + 2 * (960 + 960 + 160), "BatchNorm"),
                          (160 * 960 * 2, "each of the three convolutions once")],
    "02.safe_distances": [(naive_distances, "keep it off negatives before the square root"),
                          (squared_distances, "squared distances"),
                          (scipy_distances, "cdist computes the distances for you")],
    "02.supcon": [(supcon_self_in_denominator, "the anchor is in its own denominator:"),
                  (supcon_not_normalised, "not unit vectors"),
                  (supcon_self_positive, "the anchor counts among its own positives"),
                  (supcon_singletons_averaged, "leave it out of the mean")],
    "02.supcon_keras_loss": [(SupConLossSelfInDenominator, "every other vector as its denominator"),
                             (SupConLossSelfInDenominator(), "not an instance")],
    "02.margin_loss": [(margin_loss_unsquared_hinge, "that term is squared too")],
    "02.gold_gap_on_test": [(0.783 - 0.776452, "validation score against a test score"),
                            (-GOLD_GAP_ON_TEST, "the sign"),
                            (100 * GOLD_GAP_ON_TEST, "percentage points")],
    "03.more_epochs": [("c", "does not depend on the run"), ("b", "include them")],
    "03.accuracy_fits": [(accuracy_fits_exactly, "allow a difference")],
    "03.alexnet": [(alexnet_global_pooling, "(Flatten)")],
    "03.unfreeze_top": [(set_mode_bottom, "FIRST layers")],
    "04.topk_accuracy": [(topk_least_similar, "LEAST similar"), (topk_percent, "percentage")],
    "04.contrastive_loss": [(contrastive_loss_swapped, "labels run the other way")],
    "04.cae_noise": [("with", "corrupted pixels")],
    "04.lowe_ratio": [(lowe_absolute, "SECOND nearest")],
    "04.query_counts": [((70, 70), "ResNet50's 0.5333")],
    "05.ranking_hinge": [(hinge_mean_negative, "HARDEST negative")],
    "05.loss_floor": [(0.0, "does that happen here"), (-0.2, "never negative")],
    "05.fusion": [(fuse_raw, "normalise each backbone's vector")],
    "05.chance_candidates": [(chance_candidates_added, "counts the orders"),
                             (chance_candidates_percent, "not a percentage")],
    "05.average_layer": [(SumFusion, "the sum of the inputs")],
    "05.margin": [(0.0, "inside max(0, ...)"), (0.3, "can the loss go up")],
}
