"""Notebook 05's exercises: the report's ranking hinge, its floor, fusion, chance with candidates."""

from __future__ import annotations

from math import comb
from typing import Any

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.answers import (
    as_array,
    as_function,
    as_number,
    close,
    in_percent,
    rounded_match,
    too_coarse,
)

# Two left images, each with its partner in column 0 and two negatives.
_SCORES = np.array([[0.9, 0.1, 0.3],
                    [0.4, 0.6, 0.2]])
_HINGE = {1.0: (0.4 + 1.2) / 2, 0.2: (0.0 + 0.4) / 2}  # margin -> mean over the rows


@exercise("05.ranking_hinge", "the report's loss mean(max(0, max(S_neg) - S_pos + m))")
def check_ranking_hinge(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for m, want in _HINGE.items():
        got = as_number(fn(_SCORES.copy(), m))
        if isinstance(got, str):
            return f"for m={m}: {got}"
        if rounded_match(got, want):
            continue
        unclamped = float(np.mean(_SCORES[:, 1:].max(axis=1) - _SCORES[:, 0] + m))
        mean_negative = float(np.mean(np.maximum(0, _SCORES[:, 1:].mean(axis=1) - _SCORES[:, 0] + m)))
        if close(got, unclamped, rel=0, abs_tol=1e-6):
            return (f"for m={m}: a row whose partner already wins by more than the margin should "
                    "add nothing to the loss, not a negative amount")
        if close(got, mean_negative, rel=0, abs_tol=1e-6):
            return (f"for m={m}: you average the negatives; the report takes the HARDEST negative "
                    "of each row (the one the model scores highest)")
        return (f"for m={m}: not yet. Column 0 is the partner's score, the other columns the "
                "negatives'; compute the hinge per row, then average the rows")
    return None


@exercise("05.loss_floor", "predict: the report's loss on a row the model gets right")
def check_loss_floor(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    if close(value, 0.2, rel=0, abs_tol=1e-6):
        return None
    if close(value, 0.0, rel=0, abs_tol=1e-6):
        return ("the hinge is zero only when max(S_neg) - S_pos + m <= 0. With m = 1 and scores "
                "between 0 and 1, does that happen here?")
    if value < 0:
        return "the hinge max(0, ...) is never negative"
    return "put the row's numbers into max(0, max(S_neg) - S_pos + m) with m = 1"


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


_U, _V = np.array([3.0, 4.0]), np.array([0.0, 2.0])


@exercise("05.fusion", "fusing two backbones' vectors by concatenation or averaging")
def check_fusion(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    expected = {"concat": np.concatenate([_unit(_U), _unit(_V)]),
                "average": (_unit(_U) + _unit(_V)) / 2}
    for how, want in expected.items():
        got = as_array(fn(_U.copy(), _V.copy(), how), want.shape)
        if isinstance(got, str):
            return f"for how={how!r}: {got}"
        if np.allclose(got, want, atol=1e-6):
            continue
        raw = np.concatenate([_U, _V]) if how == "concat" else (_U + _V) / 2
        if np.allclose(got, raw, atol=1e-6):
            return (f"for how={how!r}: normalise each backbone's vector to length 1 first, or "
                    "the backbone with the larger activations decides the similarity alone")
        if np.allclose(got, _unit(want), atol=1e-6):
            return (f"for how={how!r}: right direction, but do not normalise the fused vector "
                    "again here; the cosine score will do that")
        return f"for how={how!r}: not yet (u = {_U.tolist()}, v = {_V.tolist()})"
    return None


@exercise("05.chance_candidates", "the chance level of top-k among n candidates")
def check_chance_candidates(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    # (candidates, k, true partners among them)
    for n, k, p in ((20, 1, 1), (20, 2, 1), (1500, 20, 1), (20, 2, 2), (10, 3, 3)):
        got = as_number(fn(n, k, p))
        if isinstance(got, str):
            return f"for n={n}, k={k}, partners={p}: {got}"
        want = 1 - comb(n - p, k) / comb(n, k)
        if rounded_match(got, want):
            continue
        if rounded_match(got, k * p / n):
            return (f"for n={n}, k={k}, partners={p}: k x partners / n counts the orders with "
                    "two partners in the top k twice. Count instead the random orders in which "
                    "no partner reaches the top k")
        if in_percent(got, want):
            return f"for n={n}, k={k}, partners={p}: give a fraction between 0 and 1, not a percentage"
        coarse = too_coarse(got, want)
        if coarse:
            return f"for n={n}, k={k}, partners={p}: {coarse}"
        return (f"for n={n}, k={k}, partners={p}: not yet. A random score puts the candidates "
                "in a random order; what share of the orders has a partner among the first k?")
    return None


def _mean_fusion_output(layer_class: Any, arrays: list[np.ndarray]) -> np.ndarray:
    """The student's layer inside a small Keras model (symbolic inputs, as in the tower)."""
    import keras

    inputs = [keras.Input(a.shape[1:]) for a in arrays]
    model = keras.Model(inputs, layer_class()(inputs))
    return np.asarray(model.predict([a[None] if a.ndim == 1 else a for a in arrays], verbose=0))


@exercise("05.average_layer", "the averaging fusion written as a Keras layer")
def check_average_layer(answer: Any) -> str | None:
    import keras

    if not (isinstance(answer, type) and issubclass(answer, keras.layers.Layer)):
        return ("expected a Keras layer class (class MeanFusion(keras.layers.Layer): ...); pass "
                "the class itself, not an instance")
    rng = np.random.default_rng(5)
    for count in (2, 3):  # two backbones, and three: a mean is not a pairwise half-sum
        arrays = [rng.normal(size=(4, 3, 5)).astype("float32") for _ in range(count)]
        got = _mean_fusion_output(answer, arrays)
        want = np.mean(arrays, axis=0)
        if got.shape != want.shape:
            return (f"with {count} inputs of shape (4, 3, 5) your layer returned {got.shape}: "
                    "the mean keeps each input's shape (it does not join them end to end)")
        if np.allclose(got, want, atol=1e-5):
            continue
        if np.allclose(got, np.sum(arrays, axis=0), atol=1e-5):
            return "that is the sum of the inputs: divide by how many there are"
        if count == 3 and np.allclose(got, (arrays[0] + arrays[1]) / 2, atol=1e-5):
            return "with three inputs every one of them counts: divide the sum by len(inputs)"
        return f"not yet: with {count} inputs the output is not their elementwise mean"
    return None


@exercise("05.margin", "predict: the final training loss after halving the hinge's margin")
def check_margin(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    # Each row's loss is max(0, max(S_neg) - S_pos + m) with scores in [0, 1]: wherever the hinge
    # is still on (nearly every row: it is off only where the partner wins by more than m), the
    # loss drops by exactly what the margin drops.
    if -0.6 <= value <= -0.4:
        return None
    if abs(value) < 0.1:
        return ("the margin is added inside max(0, ...): on a row where the hinge is on, what "
                "happens to the row's loss when m goes from 1.0 to 0.5?")
    if value > 0:
        return "a smaller margin asks less of the model: can the loss go up?"
    return ("too far: the hinge stays on for nearly every row (the partner rarely beats the "
            "hardest negative by more than 0.5 on the [0, 1] scale), so each row drops by the "
            "change in m")
