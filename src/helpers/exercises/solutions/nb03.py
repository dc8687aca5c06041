"""Reference answers to notebook 03's exercises (teachers and tests only)."""

from __future__ import annotations

import numpy as np


def majority_baseline(counts):
    return max(counts) / sum(counts)


def uniform_guess(counts):  # typical mistake: one over the number of classes
    return 1 / len(counts)


def best_epoch_bias(val_acc, test_acc):
    best = int(np.argmax(val_acc))  # argmax keeps the first of tied epochs
    return val_acc[best], test_acc[best]


def best_of_both(val_acc, test_acc):  # typical mistake: the test set picks its own epoch
    return max(val_acc), max(test_acc)


def accuracy_fits(percent, n):
    k = round(percent * n / 100)
    return abs(100 * k / n - percent) < 0.01


def accuracy_fits_exactly(percent, n):  # typical mistake: forgets the printed rounding
    return (percent * n / 100) % 1 == 0


SOLUTIONS = {
    "03.majority_baseline": majority_baseline,
    "03.best_epoch_bias": best_epoch_bias,
    "03.more_epochs": "a",
    "03.accuracy_fits": accuracy_fits,
}

WRONG = {
    "03.majority_baseline": uniform_guess,
    "03.best_epoch_bias": best_of_both,
    "03.more_epochs": "c",
    "03.accuracy_fits": accuracy_fits_exactly,
}
