"""The report's comparisons across runs, recorded for its claims (``claims.py``).

Each function records one finding with the interval it rests on, or None with the concrete
reason it cannot be measured here; rules are fixed from the report's text, never from ours.

- :func:`record_stand_in_check`: is the balcony stand-in too easy? A linear classifier on
  8 x 8 pixel thumbnails (192 numbers, no network) is trained on the training photos; if its
  validation accuracy already meets the report's rule (as a chance level is read), a deep
  model meeting it shows nothing, and the balcony claims are "not testable here".
- :func:`record_comparisons`: the spread of the architectures, fine-tuning's overfitting, the
  training-time ratios, DenseNet's first place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import uncertainty
from helpers.studies.rahlen2019 import timing
from helpers.studies.rahlen2019.claims import TOLERANCE
from helpers.studies.rahlen2019.experiment import Experiment
from helpers.studies.rahlen2019.tables import (
    PAPER_FINETUNE_TIME_RATIO,
    PAPER_INCEPTION_ALEXNET_RATIO,
)
from helpers.studies.rahlen2019.tasks import TaskData, paper_best

THUMBNAIL = 8  # pixels a side: 192 numbers per photo


def thumbnail_hits(data: TaskData, ridge: float = 1.0) -> np.ndarray:
    """Each validation photo's correctness under a ridge-regression linear classifier on
    standardised 8 x 8 RGB thumbnails fitted to the training photos (closed form, no seed)."""
    def pixels(part: Any) -> np.ndarray:
        return part.images(size=THUMBNAIL, progress=False).reshape(len(part), -1) / 255.0

    x, xv = pixels(data.train), pixels(data.val)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z, zv = (x - mu) / sd, (xv - mu) / sd
    z, zv = np.c_[z, np.ones(len(z))], np.c_[zv, np.ones(len(zv))]
    targets = np.eye(len(data.class_names))[data.train.labels]
    w = np.linalg.solve(z.T @ z + ridge * np.eye(z.shape[1]), z.T @ targets)
    return ((zv @ w).argmax(axis=1) == data.val.labels).astype(int)


def record_stand_in_check(exp: Experiment, task: str = "balcony") -> bool | None:
    """Record the thumbnail baseline and whether it already meets the report's rule (its best
    feature-extraction accuracy less :data:`TOLERANCE`): ``{task}_stand_in_too_easy``."""
    from helpers import report

    data = exp.tasks[task]
    name = f"{task}_stand_in_too_easy"
    if not data.available:
        report.record(f"{task}_thumbnail_baseline_val_acc", None, note=data.reason or "no data")
        return report.record(name, None, note=data.reason or "no data")
    hits = thumbnail_hits(data)
    value = report.record_scores(f"{task}_thumbnail_baseline_val_acc", hits, data=data.source,
                                 items=f"{task} validation photos",
                                 note="linear classifier on 8x8 thumbnails, no network")
    interval = uncertainty.item_interval(hits)
    rule = paper_best(task, "frozen") - TOLERANCE
    # Read as the verdict engine reads a chance level: the baseline's own score against the
    # rule (helpers.uncertainty.judge). Its interval is shown beside it.
    easy = bool(value >= rule)
    text = (f"stand-in too easy: a linear classifier on 8x8 thumbnails (no network) scores "
            f"{value:.3f} [{interval.low:.3f}, {interval.high:.3f}] on the validation photos, "
            f"{'at or above' if easy else 'below'} the rule's {rule:.3f}")
    return report.record(name, easy, data=data.source, note=text if easy else text.replace(
        "stand-in too easy: ", "stand-in not too easy by this check: "))


def _pretrained_runs(exp: Experiment, task: str, mode: str) -> list[Any]:
    return [r for r in exp.task_runs(task, mode) if r.pretrained and r.val_hits is not None]


def record_spread(exp: Experiment, task: str = "rooms") -> Any:
    """``{task}_worst_frozen_val_acc``: the weakest pretrained backbone with feature extraction,
    scored on the same photos as the best (the claim compares the two, paired)."""
    from helpers import report

    runs = _pretrained_runs(exp, task, "frozen")
    name = f"{task}_worst_frozen_val_acc"
    if len(runs) < 2:
        return report.record(name, None, note=f"fewer than two pretrained backbones ran on "
                             f"{task} with feature extraction")
    worst = min(runs, key=lambda r: r.best_val_accuracy)
    return report.record_scores(name, worst.val_hits, data=exp.tasks[task].source,
                                weights=worst.weights, items=f"{task} validation photos",
                                note=f"{worst.backbone}, the weakest of "
                                     f"{', '.join(r.backbone for r in runs)}")


def record_overfitting(exp: Experiment, task: str = "rooms") -> Any:
    """``{task}_finetune_train_acc``: the best fine-tuned model on as many training photos as
    validation photos, with the interval of its gap to the validation accuracy (unpaired)."""
    from helpers import report

    best = exp.best(task, "finetune_all")
    name = f"{task}_finetune_train_acc"
    if best is None or best.train_hits is None:
        return report.record(name, None, note=f"{task} was not fine-tuned in this profile")
    gap = uncertainty.unpaired_difference(best.train_hits[0], best.val_hits[0])
    return report.record_scores(
        name, best.train_hits, data=exp.tasks[task].source, weights=best.weights,
        items=f"{task} training photos (a sample)",
        intervals={f"{task}_best_finetune_val_acc": gap.as_dict()},
        note=f"{best.backbone}, the kept (best-epoch) weights in inference mode on "
             f"{best.train_hits.shape[1]} of its training photos")


def record_time_ratio(exp: Experiment, task: str = "rooms") -> Any:
    """``{task}_finetune_time_ratio``: fine-tuning's step time over feature extraction's, same
    model, photos and batch (:mod:`timing`), with its bootstrap interval."""
    from helpers import report

    name = f"{task}_finetune_time_ratio"
    timed = [r for r in exp.task_runs(task, "finetune_all") if r.step_seconds]
    if not timed:
        return report.record(name, None, paper=PAPER_FINETUNE_TIME_RATIO,
                             note="not timed in this profile (no fine-tuning or timing_steps 0)")
    run = timed[0]
    interval = timing.ratio_interval(run.step_seconds["frozen"], run.step_seconds["finetune_all"])
    return report.record(name, interval.estimate, paper=PAPER_FINETUNE_TIME_RATIO,
                         interval=interval.as_dict(), weights=run.weights,
                         data=exp.tasks[task].source,
                         note=f"{run.backbone}: {len(run.step_seconds['frozen'])} timed steps "
                              f"per mode on the same batch of {exp.batch_size} photos")


def record_comparisons(exp: Experiment) -> None:
    """Every cross-run finding the claims need (run after all tasks; the balcony stand-in
    check, :func:`record_stand_in_check`, runs in the balcony section)."""
    from helpers import report

    record_spread(exp)
    record_overfitting(exp)
    record_time_ratio(exp)
    report.record("inception_alexnet_time_ratio", None, paper=PAPER_INCEPTION_ALEXNET_RATIO,
                  note="Keras has no AlexNet, so this ratio cannot be timed here")
    best = exp.best("rooms", "frozen")
    densenet = any(r.backbone == "densenet121" and r.pretrained
                   for r in exp.task_runs("rooms", "frozen"))
    report.record("rooms_densenet_best_frozen", (best.backbone == "densenet121") if densenet
                  else None, note="DenseNet-121 ran with ImageNet weights" if densenet else
                  "DenseNet-121 did not run with ImageNet weights (no weights file offline; "
                  "the paper profile runs it where Keras can download them)")
