"""Training time of the report's own architectures, timed step by step on equal data.

The report timed 30 epochs of each model and mode on a Tesla K80 (tables 4.1-4.6): every
epoch ran the training photos through the model (the backward pass through the head alone
with feature extraction, through every layer when fine-tuning), then the validation photos
forward, and loaded the photos from disk. Its two time claims compare its own architectures:
Inception v3 against AlexNet with feature extraction (table 4.1) and DenseNet-121 fine-tuned
against frozen (tables 4.5-4.6). A time needs no pretrained weights, so the notebook builds
those architectures with random weights (its ``report_classifier``: AlexNet written on the
page, DenseNet121 and InceptionV3 from ``keras.applications``) and its ``time_steps`` times
training steps of each mode and forward passes on one batch of photos.

From those, :func:`epoch_ratio` estimates the ratio of two epochs of the report's: its training
photos through training steps, its validation photos through a forward pass (costed as a
frozen step: the frozen backbone's forward pass and the small head's update), and every photo
loaded from disk (decoded and resized on one thread, timed here), in table 3.1's counts. Our
reconstruction runs these one after another; the report's PyTorch loader may have loaded the
next batch while the GPU computed, which would pull its ratios towards the compute ratios.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.uncertainty import Interval

STEP_MODES = ("frozen", "finetune_all")
#: (training photos, validation photos) of each task in the report's table 3.1.
REPORT_PHOTOS = {"balcony": (558 + 486, 139 + 122), "fireplace": (382 + 205, 96 + 51),
                 "rooms": (256 + 208 + 291, 64 + 52 + 73)}
StepTimes = dict[str, dict[str, np.ndarray]]  # architecture -> {mode: seconds per step}
#: The report's words for its two time claims (4.3.2: "mer än dubbelt så lång tid", 4.1.1:
#: "tre gånger längre tid"); its tables give 2.28 (DenseNet on rooms) and 2.75.
PAPER_FINETUNE_TIME_RATIO = 2.0
PAPER_INCEPTION_ALEXNET_RATIO = 3.0
#: The report's two time claims: metric -> ((architecture, mode) timed, against (architecture,
#: mode), the report's task whose photo counts make an epoch, the text's ratio).
TIME_CLAIMS = {
    "rooms_finetune_time_ratio": (("densenet121", "finetune_all"), ("densenet121", "frozen"),
                                  "rooms", PAPER_FINETUNE_TIME_RATIO),
    "inception_alexnet_time_ratio": (("inceptionv3", "frozen"), ("alexnet", "frozen"),
                                     "balcony", PAPER_INCEPTION_ALEXNET_RATIO),
}
#: Per-batch keys besides the modes: photos loaded from disk (decoded and resized).
LOAD = "load"
#: The modes each architecture is timed in: those the claims compare, and frozen always (an
#: epoch's validation forward pass is costed as a frozen step).
TIMED_MODES = {name: tuple(m for m in STEP_MODES if m == "frozen" or any(
    (name, m) in claim[:2] for claim in TIME_CLAIMS.values()))
    for name in ("alexnet", "densenet121", "inceptionv3")}


def time_architectures(classifier: Callable[..., Any], time_steps: Callable[..., dict],
                       exp: Any, names: Sequence[str], sizes: Mapping[str, int], *,
                       steps: int, batch_size: int, image_size: int | None = None) -> StepTimes:
    """Per architecture, the page's ``time_steps`` on ``batch_size`` training photos at its
    input size (``sizes``, or ``image_size`` for all), the model built by the page's
    ``classifier(name, n_classes, image_size)``; {} when ``steps`` < 2 or ``names`` is empty
    (not timed in this profile)."""
    import gc

    task = next((t for t in ("rooms", "balcony", "fireplace")
                 if t in exp.tasks and exp.tasks[t].available), None)
    if steps < 2 or not names or task is None:
        return {}
    data, out = exp.tasks[task], {}
    for name in names:
        size = int(image_size or sizes[name])
        images = exp.images(task, "train", size)[:batch_size]
        clf = classifier(name, len(data.class_names), size)
        out[name] = time_steps(clf, images, data.train.labels[:batch_size], steps,
                               TIMED_MODES.get(name, STEP_MODES))
        out[name][LOAD] = load_seconds(data.train.items[:batch_size], size, steps)
        del clf
        gc.collect()
    return out


def load_seconds(items: Sequence[str], size: int, steps: int) -> np.ndarray:
    """Seconds to decode and resize ``items`` from disk, ``steps`` times on one thread (the
    first, untimed, reads the files into the operating system's cache, as an SSD-backed
    training run's later epochs find them)."""
    import time

    from helpers.datasets.images import load_batch

    load_batch(list(items), size, workers=1)
    seconds = []
    for _ in range(steps):
        began = time.perf_counter()
        load_batch(list(items), size, workers=1)
        seconds.append(time.perf_counter() - began)
    return np.asarray(seconds)


def _bootstrap_means(times: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(times, size=(n, len(times))).mean(axis=1)


def cost_ratio(numerator: Sequence[tuple[float, np.ndarray]],
               denominator: Sequence[tuple[float, np.ndarray]], *, seed: int = 0,
               n_resamples: int = 2000, confidence: float = 0.95, what: str = "") -> Interval:
    """sum(w * mean(t)) over ``numerator`` / the same over ``denominator``, with a percentile
    bootstrap that resamples each array of timed calls on its own."""
    parts = [(float(w), np.asarray(t, float)) for w, t in (*numerator, *denominator)]
    if any(len(t) < 2 or (t <= 0).any() for _, t in parts):
        raise ValueError("need at least two positive timed calls per part")
    rng = np.random.default_rng(seed)
    cut = len(numerator)
    draws = [w * _bootstrap_means(t, rng, n_resamples) for w, t in parts]
    ratios = sum(draws[:cut]) / sum(draws[cut:])
    low, high = np.quantile(ratios, [(1 - confidence) / 2, (1 + confidence) / 2])
    estimate = (sum(w * t.mean() for w, t in parts[:cut])
                / sum(w * t.mean() for w, t in parts[cut:]))
    calls = sum(len(t) for _, t in parts)
    return Interval(float(estimate), float(low), float(high), int(calls),
                    f"percentile bootstrap over {calls} timed calls{what}", confidence)


def ratio_interval(frozen: np.ndarray, tuned: np.ndarray, *, seed: int = 0,
                   n_resamples: int = 2000, confidence: float = 0.95) -> Interval:
    """mean(tuned) / mean(frozen) with a percentile bootstrap over the timed steps."""
    return cost_ratio([(1.0, tuned)], [(1.0, frozen)], seed=seed, n_resamples=n_resamples,
                      confidence=confidence)


def _epoch(times: Mapping[str, np.ndarray], mode: str, task: str
           ) -> list[tuple[float, np.ndarray]]:
    """One epoch of the report's ``task``: its training photos through training steps of
    ``mode``, its validation photos forward (costed as frozen steps), and every photo loaded
    (when timed), as (weight, per-batch times) pairs."""
    n_train, n_val = REPORT_PHOTOS[task]
    parts = [(float(n_train), times[mode]), (float(n_val), times["frozen"])]
    return parts + ([(float(n_train + n_val), times[LOAD])] if LOAD in times else [])


def epoch_ratio(times: StepTimes, top: tuple[str, str], bottom: tuple[str, str], task: str,
                seed: int = 0) -> Interval | None:
    """Epoch-time ratio of (architecture, mode) ``top`` over ``bottom`` on the report's
    ``task`` (its table 3.1 photo counts); None when either was not timed."""
    if top[1] not in times.get(top[0], {}) or bottom[1] not in times.get(bottom[0], {}):
        return None
    photos = REPORT_PHOTOS[task]
    return cost_ratio(_epoch(times[top[0]], top[1], task),
                      _epoch(times[bottom[0]], bottom[1], task), seed=seed,
                      what=f"; epochs of {photos[0]} training + {photos[1]} validation photos "
                           f"(the report's {task}, table 3.1), loading included")


def table(times: StepTimes) -> Any:
    """Milliseconds per training step of each timed architecture and mode, as a DataFrame."""
    import pandas as pd

    def ms(t: dict[str, np.ndarray], mode: str) -> str:
        return f"{1000 * float(np.mean(t[mode])):.1f}" if mode in t else "not timed"

    return pd.DataFrame([{"architecture": name, "frozen step (ms)": ms(t, "frozen"),
                          "fine-tuning step (ms)": ms(t, "finetune_all"),
                          "loading the batch (ms)": ms(t, LOAD),
                          "timed steps each": len(t["frozen"])}
                         for name, t in times.items()]).set_index("architecture")
