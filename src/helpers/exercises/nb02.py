"""Notebook 02's exercises: the short last batch, NaN-safe distances, SupCon and the margin
loss, and the report's comparison of a validation score with test scores."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.answers import as_array, as_function, as_number, close
from helpers.studies.ingwersen2020.paper import BEST_AE_4X
from helpers.studies.jacobsen2021.paper import GOLD_STANDARD, PAPER

# Report 02: the "gold standard" is report 01's AE-512 validation top-1 (table 9 gives its test
# top-1 too); EfficientNetB0's best fine-tuned LOO top-1 is a test score (tables 6 and 8).
GOLD_VAL, GOLD_TEST = GOLD_STANDARD, BEST_AE_4X["test_top1"]
EFFICIENTNET_TEST = PAPER["best_finetuned"]["efficientnetb0"]


@exercise("02.last_batch", "the size of an epoch's last batch")
def check_last_batch(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for n, batch in ((3842, 64), (3832, 64), (128, 64), (10, 64), (578, 64)):
        got = fn(n, batch)
        want = n - batch * ((n - 1) // batch)
        if got == want:
            continue
        if got == 0:
            return (f"for {n} images in batches of {batch} you give 0: a batch of 0 is never "
                    "drawn; what is the last batch when the images divide evenly?")
        return f"for {n} images in batches of {batch}: not yet, count what is left for the last one"
    return None


def _distance_batches() -> list[np.ndarray]:
    """float32 batches with a duplicated row: the expanded square form has round-off there."""
    batches = []
    for seed in range(12):
        z = (np.random.default_rng(seed).normal(size=(8, 16)) * 3).astype(np.float32)
        z[1] = z[0]
        batches.append(z)
    return batches


@exercise("02.safe_distances", "Euclidean distances that cannot go NaN")
def check_safe_distances(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for z in _distance_batches():
        got = as_array(fn(z.copy()), (len(z), len(z)))
        if isinstance(got, str):
            return got
        want = np.linalg.norm(z[:, None, :].astype(np.float64) - z[None, :, :], axis=-1)
        if np.isnan(got).any():
            return ("NaN on a batch with a repeated image: in float32 |a|^2 - 2a.b + |b|^2 can "
                    "come out slightly below zero where it should be zero; keep it off negatives "
                    "before the square root")
        if not np.allclose(got, want, atol=2e-2):
            return "your distances differ from the Euclidean ones between the rows of z"
    return None


def _contrastive_batch() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 0])
    z = rng.normal(size=(3, 5))[labels] + 0.7 * rng.normal(size=(8, 5))
    singleton = np.array([0, 0, 1, 1, 1, 2, 2, 3])  # the last anchor has no positive
    return z.astype(np.float32), labels, singleton


def _supcon(z: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """SupCon with one view, in float64 (Khosla et al. eq. 2; anchors without positives out)."""
    z = z.astype(np.float64) / np.linalg.norm(z, axis=1, keepdims=True)
    logits = z @ z.T / temperature
    others = ~np.eye(len(z), dtype=bool)
    log_denominator = np.log((np.exp(logits) * others).sum(axis=1))
    positives = (labels[:, None] == labels[None, :]) & others
    n_positives = positives.sum(axis=1)
    per_anchor = -((logits - log_denominator[:, None]) * positives).sum(axis=1)
    has_positive = n_positives > 0
    return float((per_anchor[has_positive] / n_positives[has_positive]).mean())


def _margin(z: np.ndarray, labels: np.ndarray, margin: float) -> float:
    """The margin contrastive loss over every unordered pair, in float64."""
    z = z.astype(np.float64)
    d = np.linalg.norm(z[:, None, :] - z[None, :, :], axis=-1)
    same = labels[:, None] == labels[None, :]
    per_pair = np.where(same, d ** 2, np.maximum(margin - d, 0.0) ** 2)
    i, j = np.triu_indices(len(z), k=1)
    return float(per_pair[i, j].mean())


@exercise("02.supcon", "the supervised contrastive (SupCon) loss")
def check_supcon(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    z, labels, singleton = _contrastive_batch()
    for t in (0.5, 0.1):
        got = as_number(fn(z.copy(), labels.copy(), t))
        if isinstance(got, str):
            return f"at temperature {t}: {got}"
        want = _supcon(z, labels, t)
        if not close(got, want, rel=1e-3):
            if got < want:
                return (f"at temperature {t} your loss is too small: is the anchor itself "
                        "counted among its own positives? It is not its own positive")
            return (f"at temperature {t} your loss is too large: which terms does your "
                    "denominator sum over? Every vector but the anchor (and check the sign and "
                    "that the rows are unit vectors)")
    got = as_number(fn(z.copy(), singleton.copy(), 0.1))
    if isinstance(got, str):
        return (f"with one room present once in the batch: {got}; an anchor without positives "
                "has nothing to average, leave it out of the mean")
    if not close(got, _supcon(z, singleton, 0.1), rel=1e-3):
        return "right without singletons; with a room present once, leave that anchor out of the mean"
    return None


@exercise("02.margin_loss", "the margin-based contrastive loss (Hadsell et al. 2006)")
def check_margin_loss(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    z, labels, _ = _contrastive_batch()
    for margin in (1.0, 4.0):
        got = as_number(fn(z.copy(), labels.copy(), margin))
        if isinstance(got, str):
            return f"with margin {margin}: {got}"
        want = _margin(z, labels, margin)
        if close(got, want, rel=1e-3):
            continue
        n = len(z)
        if close(got * n * n, want * n * (n - 1) / 2, rel=1e-3) or close(got * n * (n - 1),
                                                                           want * n * (n - 1) / 2,
                                                                           rel=1e-3):
            return f"with margin {margin}: the terms are right; average over unordered pairs i < j only"
        return (f"with margin {margin}: not yet. Same-room pairs pay their squared distance; "
                "other pairs pay only when closer than the margin, and that term is squared too")
    return None


@exercise("02.gold_gap_on_test", "the gap to the gold standard, test against test")
def check_gold_gap_on_test(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    if close(value, GOLD_TEST - EFFICIENTNET_TEST, rel=0, abs_tol=1e-3):
        return None
    if close(value, GOLD_VAL - EFFICIENTNET_TEST, rel=0, abs_tol=1e-3):
        return ("that is the report's own gap, which sets a validation score against a test "
                "score; use the gold-standard model's test top-1 instead (report 02, table 9)")
    if close(value, EFFICIENTNET_TEST - GOLD_TEST, rel=0, abs_tol=1e-3):
        return "the sign: gold standard minus EfficientNetB0 (negative if EfficientNetB0 is above)"
    if abs(value) > 1:
        return "give the gap as a difference of top-1 fractions, not in percentage points"
    return ("not yet: find the AE 4096 -> 512 row in report 02's table 9 and take the column "
            "measured on the same split as EfficientNetB0's 0.776")
