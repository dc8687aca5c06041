"""Notebook 02's exercises: one more block unfrozen (predict, then run), NaN-safe distances, SupCon
(in NumPy, then as a Keras loss that trains) and the margin loss, and the report's comparison of
a validation score with test scores."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.answers import as_array, as_function, as_number, close, in_percent
from helpers.studies.ingwersen2020.paper import BEST_AE_4X
from helpers.studies.jacobsen2021.paper import GOLD_STANDARD, PAPER

# Report 02: the "gold standard" is report 01's AE-512 validation top-1 (table 9 gives its test
# top-1 too); EfficientNetB0's best fine-tuned LOO top-1 is a test score (tables 6 and 8).
GOLD_VAL, GOLD_TEST = GOLD_STANDARD, BEST_AE_4X["test_top1"]
EFFICIENTNET_TEST = PAPER["best_finetuned"]["efficientnetb0"]


#: MobileNetV2's block 15 (alpha 1.0): expand 1x1 160 -> 960, depthwise 3x3 on 960, project
#: 1x1 960 -> 160, no biases. Its three BatchNorm layers stay frozen (``unfreeze``).
BLOCK_15_WEIGHTS = 160 * 960 + 3 * 3 * 960 + 960 * 160
BLOCK_15_BN_SCALES = 2 * (960 + 960 + 160)  # gamma and beta of its BatchNorm layers
BLOCK_15_BN_ALL = 2 * BLOCK_15_BN_SCALES  # with the moving means and variances


@exercise("02.one_more_block", "predict: how many more weights train with block 15 unfrozen")
def check_one_more_block(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    if value == BLOCK_15_WEIGHTS:
        return None
    if value in (BLOCK_15_WEIGHTS + BLOCK_15_BN_SCALES, BLOCK_15_WEIGHTS + BLOCK_15_BN_ALL):
        return ("you counted the block's BatchNorm layers: read unfreeze on the page, which of "
                "the block's layers does it leave frozen?")
    if value in (160 * 960 * 2, 160 * 960 * 2 + 9 * 960 * 2):
        return "count each of the three convolutions once: expand, depthwise (3 x 3, one filter per channel), project"
    if value < 10_000:
        return "the block's 1x1 convolutions alone hold 160 x 960 weights each"
    return ("not yet: block 15 expands 160 channels to 960 (1x1), filters each of the 960 with "
            "its own 3x3 (depthwise), projects back to 160 (1x1); no biases")


def _distance_batches() -> list[np.ndarray]:
    """float32 batches with a duplicated row: the expanded square form has round-off there."""
    batches = []
    for seed in range(12):
        z = (np.random.default_rng(seed).normal(size=(8, 16)) * 3).astype(np.float32)
        z[1] = z[0]
        batches.append(z)
    return batches


#: Library functions that compute distances from the differences (or hide the expanded form
#: behind their own guard): correct, but the exercise is the guard itself.
LIBRARY_DISTANCES = frozenset({"cdist", "pdist", "squareform", "distance_matrix",
                               "euclidean_distances", "pairwise_distances", "nan_euclidean_distances"})


def _names_used(fn: Any) -> set[str]:
    """Every global and attribute name ``fn``'s code (nested functions included) refers to."""
    code = getattr(fn, "__code__", None)
    stack, names = ([code] if code is not None else []), set()
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    return names


@exercise("02.safe_distances", "Euclidean distances that cannot go NaN")
def check_safe_distances(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    library = sorted(_names_used(fn) & LIBRARY_DISTANCES)
    if library or str(getattr(fn, "__module__", "")).startswith(("scipy", "sklearn")):
        return (f"{', '.join(library) or fn.__name__} computes the distances for you, from the "
                "differences a - b, so it never meets the problem. The exercise is the expanded "
                "form |a|^2 - 2 a.b + |b|^2 (one matrix product, as a loss computes it in a "
                "batch) made safe: write that form and keep it off negatives")
    for z in _distance_batches():
        got = as_array(fn(z.copy()), (len(z), len(z)))
        if isinstance(got, str):
            return got
        want = np.linalg.norm(z[:, None, :].astype(np.float64) - z[None, :, :], axis=-1)
        if np.isnan(got).any():
            return ("NaN on a batch with a repeated image: in float32 |a|^2 - 2a.b + |b|^2 can "
                    "come out slightly below zero where it should be zero; keep it off negatives "
                    "before the square root")
        if np.allclose(got, want ** 2, atol=2e-1):
            return "these are squared distances: take the square root (after the guard)"
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


def _supcon_variants(z: np.ndarray, labels: np.ndarray, t: float) -> dict[str, float]:
    """SupCon as each typical mistake computes it (float64), keyed by the hint for it."""
    zn = z.astype(np.float64) / np.linalg.norm(z, axis=1, keepdims=True)
    others = ~np.eye(len(z), dtype=bool)
    same = labels[:, None] == labels[None, :]

    def loss(vectors: np.ndarray, in_denominator: np.ndarray, positives: np.ndarray) -> float:
        logits = vectors @ vectors.T / t
        log_denominator = np.log((np.exp(logits) * in_denominator).sum(axis=1))
        n_pos = positives.sum(axis=1)
        per_anchor = -((logits - log_denominator[:, None]) * positives).sum(axis=1)
        return float((per_anchor[n_pos > 0] / n_pos[n_pos > 0]).mean())

    everything = np.ones_like(others)
    return {
        "the anchor is in its own denominator: the sum of exp(z_i . z_a / t) runs over every "
        "vector BUT the anchor a": loss(zn, everything, same & others),
        "the anchor counts among its own positives: its positives are the OTHER vectors of "
        "its room": loss(zn, others, same),
        "the anchor is in its own denominator and among its own positives: leave it out of "
        "both": loss(zn, everything, same),
        "the rows are not unit vectors: normalise z (each row to length 1) before the dot "
        "products, or the temperature scales vectors of any length": loss(
            z.astype(np.float64), others, same & others),
    }


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
        if close(got, want, rel=1e-3):
            continue
        for hint, value in _supcon_variants(z, labels, t).items():
            if close(got, value, rel=1e-3):
                return f"at temperature {t}: {hint}"
        if close(got, -want, rel=1e-3):
            return f"at temperature {t}: the sign: the loss is MINUS the mean log-probability"
        return (f"at temperature {t}: not yet ({got:.4f}). Per anchor: minus the mean, over its "
                "positives, of log(exp(z_a . z_p / t) / sum over every other vector of "
                "exp(z_a . z_i / t)); then the mean over anchors")
    got = as_number(fn(z.copy(), singleton.copy(), 0.1))
    if isinstance(got, str):
        return (f"with one room present once in the batch: {got}; an anchor without positives "
                "has nothing to average, leave it out of the mean")
    if not close(got, _supcon(z, singleton, 0.1), rel=1e-3):
        return "right without singletons; with a room present once, leave that anchor out of the mean"
    return None


def _supcon_views(y: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """SupCon over (N, V, D) views, view-major, in float64 (anchors without positives out)."""
    z = np.concatenate([y[:, v] for v in range(y.shape[1])])
    return _supcon(z, np.concatenate([labels] * y.shape[1]), temperature)


def _loss_value(loss: Any, labels: np.ndarray, y: np.ndarray) -> Any:
    import keras

    return as_number(float(keras.ops.convert_to_numpy(loss(labels, y))))


@exercise("02.supcon_keras_loss", "SupCon written as a Keras loss, trained with")
def check_supcon_keras_loss(answer: Any) -> str | None:
    import keras

    if not (isinstance(answer, type) and issubclass(answer, keras.losses.Loss)):
        return ("expected a Keras loss class (class SupConLoss(keras.losses.Loss): ...); pass the "
                "class itself, not an instance")
    rng = np.random.default_rng(3)
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 3])  # room 3 once: its other view is its positive
    views = rng.normal(size=(8, 2, 5)).astype(np.float32)
    for t in (0.5, 0.1):
        got = _loss_value(answer(temperature=t), labels, views)
        if isinstance(got, str):
            return f"at temperature {t}: {got}"
        want = _supcon_views(views, labels, t)
        if not close(got, want, rel=1e-3):
            return (f"at temperature {t}: {got:.4f}, not {want:.4f}. y_pred is (batch, views, D): "
                    "put the views one after the other (view-major, so the labels repeat), "
                    "normalise, and give each anchor every other vector as its denominator")
    one = rng.normal(size=(6, 1, 5)).astype(np.float32)
    got = _loss_value(answer(temperature=0.1), np.array([0, 0, 1, 1, 1, 2]), one)
    if isinstance(got, str):
        return (f"one view with room 2 held once: {got}; an anchor without a positive has "
                "nothing to average, leave it out of the mean")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2, 5)), keras.layers.Dense(4)])
    model.compile(keras.optimizers.SGD(0.05), loss=answer(temperature=0.1))
    history = model.fit(np.repeat(views, 4, axis=0), np.tile(labels, 4), batch_size=8, epochs=3,
                        verbose=0).history["loss"]
    if not np.isfinite(history).all():
        return "your loss trains to NaN: shift the logits by their row maximum before exp"
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
    if abs(value) > 1 or in_percent(value, GOLD_TEST - EFFICIENTNET_TEST):
        return "give the gap as a difference of top-1 fractions, not in percentage points"
    return ("not yet: find the AE 4096 -> 512 row in report 02's table 9 and take the column "
            "measured on the same split as EfficientNetB0's 0.776")
