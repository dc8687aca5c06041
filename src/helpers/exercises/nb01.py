"""Notebook 01's exercises: a preprocessing scheme, LOO top-k, chance, model choice, the report."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import preprocessing, retrieval
from helpers.exercises import exercise
from helpers.exercises.answers import as_array, as_function, as_number, close
from helpers.studies.ingwersen2020.paper import BEST_AE_4X, PAPER_BASELINES

# Report 01, table 3 (AE 4096 -> 512) and section 5.2 (the VGG16 fc1 Places baseline).
REPORT_AE512 = {k: BEST_AE_4X[k] for k in ("test_top1", "val_top1")}
REPORT_BASELINE = {k: PAPER_BASELINES[("vgg16", "places")][k] for k in ("test_top1", "val_top1")}


def _pixels() -> np.ndarray:
    """Two 2x2 RGB images with every channel different, uint8 like the data sets give."""
    return np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3) * 10 + 5


@exercise("01.places_scheme", "the Places365 preprocessing scheme")
def check_places_scheme(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    x = _pixels()
    before = x.copy()
    out = as_array(fn(x), x.shape)
    if isinstance(out, str):
        return out
    if not np.array_equal(x, before):
        return "your function changed its input array in place; work on a copy"
    target = preprocessing.apply("places", x)
    if np.allclose(out, target, atol=1e-3):
        return None
    rgb = x.astype(np.float64) - np.asarray(preprocessing.PLACES365_MEAN_BGR)
    if np.allclose(out, rgb, atol=1e-3):
        return ("the means are right but the channels are not: the Caffe-trained models expect "
                "their channels in a different order from the RGB the images come in")
    if np.allclose(out * 255, target, atol=1e-2) or np.allclose(out, target / 255, atol=1e-4):
        return "your values are 255 times too small: this scheme keeps the 0-255 pixel scale"
    if np.allclose(out.mean(axis=(0, 1, 2)), target.mean(axis=(0, 1, 2)) * -1, atol=1e-2):
        return "the sign is reversed: subtract the means from the pixels, not the other way round"
    return ("not yet: Places preprocessing reorders the channels and subtracts one mean per "
            "channel (preprocessing.PLACES365_MEAN_BGR, in the order its name says)")


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
        if close(got, want, rel=0, abs_tol=1e-6):
            continue
        if close(got, 1.0, rel=0, abs_tol=1e-9):
            return (f"for k={k} every image scores a hit: is each image counted as its own "
                    "nearest neighbour? Leave the query out")
        euclid = retrieval.loo_topk(x, y, ks=(k,), metric="euclidean")[f"top{k}"]
        if close(got, euclid, rel=0, abs_tol=1e-6) and not close(euclid, want, rel=0, abs_tol=1e-6):
            return (f"for k={k} your score is the Euclidean one: cosine similarity ignores each "
                    "vector's length (normalise the rows first)")
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
        if close(got, want, rel=1e-6):
            continue
        if close(got, 1 / len(counts), rel=1e-6):
            return (f"for counts {counts} you give one over the number of classes: that assumes "
                    "equal classes and a label guessed at random, but LOO picks a random OTHER image")
        if close(got, float((n / n.sum()) @ (n / n.sum())), rel=1e-6):
            return (f"for counts {counts}: close, but the neighbour is one of the N - 1 images "
                    "left after removing the query, which has one fewer image of its own class")
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


@exercise("01.ae512_test_gain", "the report's AE-512 test top-1 gain over its baseline")
def check_ae512_test_gain(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    test_gain = REPORT_AE512["test_top1"] - REPORT_BASELINE["test_top1"]
    val_gain = REPORT_AE512["val_top1"] - REPORT_BASELINE["val_top1"]
    if close(value, test_gain, rel=0, abs_tol=5e-4):
        return None
    if close(value, val_gain, rel=0, abs_tol=5e-4):
        return ("that is the gain on validation, the split the model was chosen on; the "
                "question asks for the test split")
    if close(value, test_gain * 100, rel=0.05) or close(value, val_gain * 100, rel=0.05):
        return "give the gain as a difference of top-1 fractions, not in percentage points"
    if value < 0:
        return "AE-512 scored above the baseline on test: the gain is positive"
    return ("not yet: take the AE 4096 -> 512 row of table 3 and the VGG16 fc1 baseline row "
            "(section 5.2), test columns, and subtract")
