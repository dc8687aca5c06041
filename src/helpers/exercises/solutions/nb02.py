"""Reference answers to notebook 02's exercises (teachers and tests only)."""

from __future__ import annotations

import numpy as np


def last_batch(n, batch_size):
    return n - batch_size * ((n - 1) // batch_size)


def last_batch_modulo(n, batch_size):  # typical mistake: 0 when the images divide evenly
    return n % batch_size


def safe_distances(z):
    sq = (z * z).sum(axis=1, keepdims=True)
    return np.sqrt(np.maximum(sq - 2 * z @ z.T + sq.T, 0.0))


def naive_distances(z):  # the report's code: round-off negatives reach the square root
    sq = (z * z).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        return np.sqrt(sq - 2 * z @ z.T + sq.T)


def _supcon(z, labels, temperature, keep_self):
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    logits = z @ z.T / temperature
    others = ~np.eye(len(z), dtype=bool)
    denominator_mask = np.ones_like(others) if keep_self else others
    log_denominator = np.log((np.exp(logits) * denominator_mask).sum(axis=1))
    positives = (labels[:, None] == labels[None, :]) & others
    has_positive = positives.sum(axis=1) > 0
    per_anchor = -((logits - log_denominator[:, None]) * positives).sum(axis=1)
    return float((per_anchor[has_positive] / positives.sum(axis=1)[has_positive]).mean())


def supcon(z, labels, temperature):
    return _supcon(z, labels, temperature, keep_self=False)


def supcon_self_in_denominator(z, labels, temperature):  # typical mistake
    return _supcon(z, labels, temperature, keep_self=True)


def _pairs(z, labels, margin, square_hinge):
    d = np.linalg.norm(z[:, None, :] - z[None, :, :], axis=-1)
    same = labels[:, None] == labels[None, :]
    hinge = np.maximum(margin - d, 0.0)
    per_pair = np.where(same, d ** 2, hinge ** 2 if square_hinge else hinge)
    i, j = np.triu_indices(len(z), k=1)
    return float(per_pair[i, j].mean())


def margin_loss(z, labels, margin):
    return _pairs(z, labels, margin, square_hinge=True)


def margin_loss_unsquared_hinge(z, labels, margin):  # typical mistake
    return _pairs(z, labels, margin, square_hinge=False)


SOLUTIONS = {
    "02.last_batch": last_batch,
    "02.safe_distances": safe_distances,
    "02.supcon": supcon,
    "02.margin_loss": margin_loss,
    "02.gold_gap_on_test": 0.771 - 0.776452,
}

WRONG = {
    "02.last_batch": last_batch_modulo,
    "02.safe_distances": naive_distances,
    "02.supcon": supcon_self_in_denominator,
    "02.margin_loss": margin_loss_unsquared_hinge,
    "02.gold_gap_on_test": 0.783 - 0.776452,  # the report's validation-vs-test gap
}
