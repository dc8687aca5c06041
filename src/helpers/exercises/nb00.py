"""Notebook 00's exercises: what the flawed pipeline feeds a network, and a chance level."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import preprocessing
from helpers.exercises import exercise
from helpers.exercises.answers import as_number, close

N_IMAGENET_CLASSES = 1000


@exercise("00.bug_range", "the largest |value| MobileNetV2 receives under the flawed pipeline")
def check_bug_range(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    pixels = np.array([[[[0, 0, 0], [255, 255, 255]]]], dtype=np.uint8)  # the extreme pixels
    correct = preprocessing.apply("imagenet", pixels, "mobilenetv2")
    flawed = preprocessing.apply("imagenet_then_255_bug", pixels, "mobilenetv2")
    target = float(np.abs(flawed).max())
    if close(abs(value), target):
        return None
    if close(abs(value), float(np.abs(correct).max())):
        return ("that is the range of MobileNetV2's own scheme, before the mistake; "
                "now apply the second division as well")
    if close(abs(value), 255.0) or close(abs(value), 127.5):
        return "that is a pixel's range before any preprocessing; follow both steps in order"
    if value < 0:
        return "the question asks for the largest absolute value, a positive number"
    return ("not quite: take the brightest pixel (255), apply MobileNetV2's x / 127.5 - 1, then "
            "the flawed pipeline's extra step, and see how large the result is")


@exercise("00.random_top5_chance", "chance that a random network's top-5 holds the true class")
def check_random_top5_chance(answer: Any) -> str | None:
    value = as_number(answer)
    if isinstance(value, str):
        return value
    target = 5 / N_IMAGENET_CLASSES
    if close(value, target):
        return None
    if close(value, 1 / N_IMAGENET_CLASSES):
        return "that is the chance for top-1; a top-5 list gets five different guesses"
    if close(value, 5 * target * 100) or close(value, target * 100):
        return "give a fraction between 0 and 1, not a percentage"
    if not 0 <= value <= 1:
        return "a chance is a fraction between 0 and 1"
    return ("not yet: ImageNet has 1000 classes, and a network that knows nothing ranks them "
            "in an order unrelated to the photo; how likely is the true one among the first five?")
