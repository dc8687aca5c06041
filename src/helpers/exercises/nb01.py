"""Notebook 01's exercises: LOO top-k, chance, model choice, and two on its autoencoders: write
the denoising AE in Keras (the check trains it), and predict what a 1-unit bottleneck retrieves."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import retrieval
from helpers.exercises import exercise
from helpers.exercises.answers import (
    as_function,
    as_number,
    in_percent,
    rounded_match,
    too_coarse,
)


def _loo_data() -> tuple[np.ndarray, np.ndarray]:
    """Eight vectors whose cosine and Euclidean neighbours differ (norms vary 1-20x)."""
    rng = np.random.default_rng(7)
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    directions = rng.normal(size=(3, 4))[labels] + 0.9 * rng.normal(size=(8, 4))
    return directions * rng.uniform(1, 20, size=(8, 1)), labels


@exercise("01.loo_topk", "leave-one-out top-k by cosine similarity")
def check_loo_topk(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    x, y = _loo_data()
    for k in (1, 2, 3):
        got = as_number(fn(x.copy(), y.copy(), k))
        if isinstance(got, str):
            return f"for k={k}: {got}"
        want = retrieval.loo_topk(x, y, ks=(k,))[f"top{k}"]
        if rounded_match(got, want):
            continue
        if in_percent(got, want):
            return (f"for k={k} you give {got:g}: that is a percentage; return the fraction of "
                    "images with a hit, between 0 and 1")
        if rounded_match(got, 1.0):
            return (f"for k={k} every image scores a hit: is each image counted as its own "
                    "nearest neighbour? Leave the query out")
        euclid = retrieval.loo_topk(x, y, ks=(k,), metric="euclidean")[f"top{k}"]
        if rounded_match(got, euclid) and not rounded_match(euclid, want):
            return (f"for k={k} your score is the Euclidean one: cosine similarity ignores each "
                    "vector's length (normalise the rows first)")
        if got > 1:
            return f"for k={k} you give {got:g}: return a fraction between 0 and 1, not a count"
        return (f"for k={k} your score differs from the expected one on eight hand-made vectors: "
                "a hit is ANY of the k nearest other images sharing the query's label; the score "
                "is the fraction of images with a hit")
    return None


@exercise("01.chance_top1", "the chance level of LOO top-1")
def check_chance_top1(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for counts in ([10, 2, 2], [80] * 6, [5, 1]):
        got = as_number(fn(list(counts)))
        if isinstance(got, str):
            return f"for counts {counts}: {got}"
        n = np.asarray(counts, dtype=np.float64)
        want = float((n * (n - 1)).sum() / (n.sum() * (n.sum() - 1)))
        if rounded_match(got, want):
            continue
        if rounded_match(got, 1 / len(counts)):
            return (f"for counts {counts} you give one over the number of classes: that assumes "
                    "equal classes and a label guessed at random, but LOO picks a random OTHER image")
        if rounded_match(got, float((n / n.sum()) @ (n / n.sum()))):
            return (f"for counts {counts}: close, but the neighbour is one of the N - 1 images "
                    "left after removing the query, which has one fewer image of its own class")
        if in_percent(got, want):
            return f"for counts {counts} you give {got:g}: give a fraction between 0 and 1, not a percentage"
        coarse = too_coarse(got, want)
        if coarse:
            return f"for counts {counts}: {coarse}"
        return (f"for counts {counts}: not yet; a random neighbour shares the query's room with "
                "some probability that depends on the query's room: average it over all queries")
    return None


def _grid_rows() -> list[dict[str, Any]]:
    return [{"model": "AE-a", "val_top1": 0.61, "test_top1": 0.66},
            {"model": "AE-b", "val_top1": 0.65, "test_top1": 0.62},
            {"model": "AE-c", "val_top1": 0.63, "test_top1": 0.64}]


@exercise("01.select_on_val", "choose the model on validation, report it on test")
def check_select_on_val(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    rows = _grid_rows()
    chosen = fn([dict(r) for r in rows])
    if not isinstance(chosen, dict) or "model" not in chosen:
        return "return the chosen row itself (one of the dicts you were given)"
    if chosen["model"] == max(rows, key=lambda r: r["val_top1"])["model"]:
        return None
    if chosen["model"] == max(rows, key=lambda r: r["test_top1"])["model"]:
        return ("you chose with the test scores, the same numbers you then report: the choice "
                "itself inflates them. Choose with another split")
    return "not yet: which row would you pick, and by which column?"


def _toy_features(n: int = 96, dim: int = 12, seed: int = 3) -> np.ndarray:
    """Features in [0, 1] driven by two latent factors, as scaled CNN features are."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(size=(n, 2)).astype(np.float32)
    return np.clip(z @ rng.uniform(size=(2, dim)).astype(np.float32) / 2, 0, 1)


def _dense_widths(model: Any) -> list[int]:
    import keras

    return [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@exercise("01.denoising_ae", "table 5's denoising autoencoder written in Keras, then trained")
def check_denoising_ae(answer: Any) -> str | None:
    import keras

    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    model = fn(12, 4, 0.3)
    if not isinstance(model, keras.Model):
        return "return a keras.Model (keras.Model(inputs, outputs)), from the features to their reconstruction"
    x = _toy_features()
    if tuple(model.output_shape) != (None, 12):
        return (f"the output has shape {model.output_shape}: an autoencoder reconstructs its "
                "input, so the last layer has input_dim units")
    if _dense_widths(model) != [4, 12]:
        return (f"the Dense layers have {_dense_widths(model)} units: one bottleneck of code_dim "
                "units, then the reconstruction of input_dim")
    clean = keras.ops.convert_to_numpy(model(x, training=False))
    if not np.allclose(clean, keras.ops.convert_to_numpy(model(x, training=False))):
        return ("the model gives different outputs for the same input at inference: the noise "
                "must act only while training (Keras noise layers do that by themselves)")
    if np.allclose(clean, keras.ops.convert_to_numpy(model(x, training=True)), atol=1e-6):
        return ("nothing corrupts the input while training: a denoising AE adds noise to its "
                "input (keras.layers.GaussianNoise) before the encoder")
    noise = [layer for layer in model.layers if isinstance(layer, keras.layers.GaussianNoise)]
    if noise and not np.isclose(float(noise[0].stddev), 0.3):
        return "the noise's standard deviation is the `noise` argument (the report's noise factor)"
    big = keras.ops.convert_to_numpy(model(x * 1e3 - 5e2, training=False))
    if big.min() < 0 or big.max() > 1:
        return ("the reconstruction leaves [0, 1], where the scaled features live: end with a "
                "sigmoid, as the report's x in [0, 1]^d asks")
    # Run it: a few epochs of the report's training (MSE against the clean input) must learn.
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, x, epochs=30, batch_size=32, verbose=0).history["loss"]
    if not history[-1] < 0.7 * history[0]:
        return (f"trained for 30 epochs the loss went from {history[0]:.4f} to {history[-1]:.4f}: "
                "it should fall. Is the bottleneck's activation ReLU and the output sigmoid?")
    return None


@exercise("01.one_unit_code", "predict: LOO top-1 of a 1-unit bottleneck")
def check_one_unit_code(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    # A ReLU code of width 1 is a number >= 0. The cosine of two positive numbers is 1, so every
    # other image is equally similar: ranking cannot use the code at all, and LOO top-1 is the
    # chance level of a random (or index-ordered) neighbour, about 1/6 for six rooms.
    if 0.10 <= value <= 0.25:
        return None
    if value > 1:
        return "give top-1 as a fraction between 0 and 1, not in percent"
    if value > 0.25:
        return ("a 1-unit code is a single non-negative number per image. What is the cosine "
                "similarity of two positive numbers, and what is left to rank the neighbours by?")
    return ("below chance would need a code that finds the wrong room on purpose; with no "
            "information, what does a random neighbour score on six rooms?")
