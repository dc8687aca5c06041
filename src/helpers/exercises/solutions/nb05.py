"""Reference answers to notebook 05's exercises (teachers and tests only)."""

from __future__ import annotations

from math import comb

import keras
import numpy as np


def ranking_hinge(scores, m):
    positive, negatives = scores[:, 0], scores[:, 1:]
    return float(np.mean(np.maximum(0.0, negatives.max(axis=1) - positive + m)))


def hinge_mean_negative(scores, m):  # typical mistake: every negative instead of the hardest
    positive, negatives = scores[:, 0], scores[:, 1:]
    return float(np.mean(np.maximum(0.0, negatives.mean(axis=1) - positive + m)))


def fuse(u, v, how):
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return np.concatenate([u, v]) if how == "concat" else (u + v) / 2


def fuse_raw(u, v, how):  # typical mistake: the vectors fused before normalising them
    return np.concatenate([u, v]) if how == "concat" else (u + v) / 2


def chance_candidates(n, k, partners=1):
    return 1 - comb(n - partners, k) / comb(n, k)


def chance_candidates_added(n, k, partners=1):  # typical mistake: overlapping events added
    return k * partners / n


class MeanFusion(keras.layers.Layer):
    def call(self, inputs):
        return keras.ops.mean(keras.ops.stack(inputs, axis=0), axis=0)


class SumFusion(keras.layers.Layer):  # typical mistake: the inputs added, not averaged
    def call(self, inputs):
        return keras.ops.sum(keras.ops.stack(inputs, axis=0), axis=0)


SOLUTIONS = {
    "05.ranking_hinge": ranking_hinge,
    "05.loss_floor": max(0.0, 0.1 - 0.9 + 1.0),
    "05.fusion": fuse,
    "05.chance_candidates": chance_candidates,
    "05.average_layer": MeanFusion,
    "05.margin": -0.5,
}

WRONG = {
    "05.ranking_hinge": hinge_mean_negative,
    "05.loss_floor": 0.0,
    "05.fusion": fuse_raw,
    "05.chance_candidates": chance_candidates_added,
    "05.average_layer": SumFusion,
    "05.margin": 0.0,
}
