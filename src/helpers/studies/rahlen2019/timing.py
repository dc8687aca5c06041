"""Fine-tuning against feature extraction in training time, on equal data and equal steps.

The report timed 30 epochs of each mode on the same photos (tables 4.1-4.6): its feature
extraction still ran every photo through the frozen backbone each epoch, and only the new
layer learned. The notebook's own runs cannot be compared that way (feature extraction trains
a head on cached features for 30 epochs, fine-tuning runs 2 epochs on the photos), so this
module times what one training step costs in each mode, on the same batch of photos, the same
model and the same batch size: the ratio of the two is the ratio of the report's epoch times
(and so of its 30-epoch times), without the time spent loading photos.
"""

from __future__ import annotations

import time

import numpy as np

from helpers import classifiers, training
from helpers.uncertainty import Interval

STEP_MODES = ("frozen", "finetune_all")


def step_seconds(clf: classifiers.Classifier, images: np.ndarray, labels: np.ndarray, *,
                 steps: int, batch_size: int = 32, learning_rate: float = 1e-4
                 ) -> dict[str, np.ndarray]:
    """Seconds of each of ``steps`` training steps per mode, on the first ``batch_size`` photos.

    Each mode is compiled and traced by one untimed step first. The steps change ``clf``'s
    weights: call this after the model was saved. BatchNorm stays in inference mode in both
    modes (:func:`helpers.classifiers.set_trainable`), as in the notebook's fine-tuning.
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2 (an interval needs two), got {steps}")
    x = clf.preprocess(np.asarray(images[:batch_size]))
    y = np.asarray(labels[:batch_size])
    out = {}
    for mode in STEP_MODES:
        classifiers.set_trainable(clf, mode)
        clf.model.compile(optimizer=training.make_optimizer("sgd", learning_rate, momentum=0.9),
                          loss="sparse_categorical_crossentropy")
        clf.model.train_on_batch(x, y)  # compile and trace: not timed
        times = []
        for _ in range(steps):
            began = time.perf_counter()
            clf.model.train_on_batch(x, y)
            times.append(time.perf_counter() - began)
        out[mode] = np.asarray(times)
    return out


def ratio_interval(frozen: np.ndarray, tuned: np.ndarray, *, seed: int = 0,
                   n_resamples: int = 2000, confidence: float = 0.95) -> Interval:
    """mean(tuned) / mean(frozen) with a percentile bootstrap over the timed steps."""
    frozen, tuned = np.asarray(frozen, float), np.asarray(tuned, float)
    if min(len(frozen), len(tuned)) < 2 or (frozen <= 0).any():
        raise ValueError("need at least two positive step times per mode")
    rng = np.random.default_rng(seed)
    f = rng.choice(frozen, size=(n_resamples, len(frozen))).mean(axis=1)
    t = rng.choice(tuned, size=(n_resamples, len(tuned))).mean(axis=1)
    low, high = np.quantile(t / f, [(1 - confidence) / 2, (1 + confidence) / 2])
    estimate = float(tuned.mean() / frozen.mean())
    return Interval(estimate, float(low), float(high), int(len(frozen) + len(tuned)),
                    f"percentile bootstrap over {len(frozen)} + {len(tuned)} timed steps",
                    confidence)
