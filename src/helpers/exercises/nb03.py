"""Notebook 03's exercises: the majority baseline, best-epoch selection, the report's numbers."""

from __future__ import annotations

from typing import Any

from helpers.exercises import exercise
from helpers.exercises.answers import as_function, as_number, close


@exercise("03.majority_baseline", "the accuracy of always answering the biggest class")
def check_majority_baseline(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    # (validation images per class, the accuracy of always answering the biggest class)
    for counts, want in (([96, 51], 96 / 147), ([64, 52, 73], 73 / 189), ([10, 10], 0.5)):
        got = as_number(fn(list(counts)))
        if isinstance(got, str):
            return f"for counts {counts}: {got}"
        if close(got, want, rel=1e-6):
            continue
        if close(got, 1 / len(counts), rel=1e-6):
            return (f"for counts {counts} you give one over the number of classes: that is a coin "
                    "(or die) thrown at random. A model that always says the same class does "
                    "better when the classes are unequal")
        if close(got, min(counts) / sum(counts), rel=1e-6):
            return f"for counts {counts} you answer with the smallest class: pick the biggest"
        if got > 1:
            return f"for counts {counts} you return {got:g}: give a fraction of the images, not a count"
        return (f"for counts {counts}: not yet. Which single answer is right most often, and for "
                "what fraction of the validation images?")
    return None


# (validation accuracy per epoch, test accuracy per epoch, the kept epoch's (val, test))
_RUNS = (([0.70, 0.82, 0.79, 0.85, 0.80], [0.69, 0.80, 0.78, 0.77, 0.79], (0.85, 0.77)),
         ([0.60, 0.90, 0.90, 0.70], [0.58, 0.80, 0.86, 0.71], (0.90, 0.80)))


@exercise("03.best_epoch_bias", "the best-validation-epoch score and its held-out score")
def check_best_epoch_bias(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for val, test, (want_val, want_test) in _RUNS:
        got = fn(list(val), list(test))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return "return two numbers: (the reported validation accuracy, the held-out accuracy)"
        reported, held_out = (as_number(g) for g in got)
        if isinstance(reported, str) or isinstance(held_out, str):
            return f"both returned values must be numbers: {reported if isinstance(reported, str) else held_out}"
        if not close(reported, want_val, rel=1e-9):
            return ("the first number is what the report printed: the highest validation accuracy "
                    "over the epochs")
        if close(held_out, want_test, rel=1e-9):
            continue
        if close(held_out, max(test), rel=1e-9):
            return ("you took the best test epoch: then the test set chose the epoch, and the "
                    "held-out number is biased upwards just like the validation one")
        if close(held_out, test[-1], rel=1e-9):
            return "that is the last epoch's test accuracy; the kept weights are another epoch's"
        return ("the held-out number is the test accuracy of the epoch the validation set picked "
                "(on a tie, the first such epoch: a checkpoint only saves on an improvement)")
    return None


@exercise("03.more_epochs", "predict: the best of 3 epochs against the best of 30")
def check_more_epochs(answer: Any) -> str | None:
    choice = str(answer).strip().strip("()").lower()
    if choice not in {"a", "b", "c"}:
        return "answer with one letter: 'a', 'b' or 'c'"
    if choice == "a":
        return None
    if choice == "b":
        return ("the 3-epoch run's epochs are the first 3 of the 30: can the highest of 3 numbers "
                "beat the highest of 30 numbers that include them?")
    return ("both numbers are maxima, and one set of epochs contains the other; it does not "
            "depend on the run")


# Table 4.4 (fine-tuning, fireplace): accuracies that fit a validation set of 159 images.
_FITS = ((85.53, 159, True), (79.24, 159, True), (80.50, 159, True), (80.05, 159, False),
         (76.00, 159, False), (96.87, 192, True), (33.33, 3, True), (33.40, 3, False),
         (50.00, 2, True))


@exercise("03.accuracy_fits", "can a printed accuracy be a whole count of n images?")
def check_accuracy_fits(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for percent, n, want in _FITS:
        got = fn(percent, n)
        if not isinstance(got, (bool, int)) and type(got).__name__ != "bool_":
            return f"fits({percent}, {n}) returned {type(got).__name__}: return True or False"
        if bool(got) == want:
            continue
        if want:
            return (f"fits({percent}, {n}) should be True: the printed number is rounded (or cut) "
                    "to two decimals, so k / n almost never equals it exactly; allow a difference "
                    "below 0.01 percentage points")
        return (f"fits({percent}, {n}) should be {want}: look at the whole count k nearest to "
                f"{percent} % of {n}, and how far k / n is from {percent} %")
    return None
