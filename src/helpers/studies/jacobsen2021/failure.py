"""Report 02's NaN, reproduced where the report had it: its loss on its kind of model.

Section 5.1: the encoder (top layers trainable) plus a linear 128-d projection, trained with
``max_margin_contrastive_loss`` (margin 1) from ``wangz10/contrastive_loss``, batches of 64;
figures 15-16: about 30 epochs of falling loss, then NaN in every weight. Each variant here
trains the same encoder layers (on cached trunk activations) and projection from the same
start, stops at the first NaN loss, and says at which step and epoch it came. The variants
separate the two suspects: the report's guess (a batch holding a class once) and the square
root of the expanded distance form (zero, or a round-off negative, on its diagonal).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from helpers import config, training
from helpers.classifiers.model import Recipe
from helpers.classifiers.training import submodel, trainable_cut
from helpers.metric_learning import samplers
from helpers.studies.jacobsen2021.finetune import FineTunable, TrunkCache, prepare

#: The page's contrastive model: ``(encoder, projection_dim, views) -> keras model``.
Projection = Callable[..., Any]
#: The page's losses by name: ``loss(features, labels, guard=...) -> scalar``.
Losses = Mapping[str, Callable[..., Any]]


@dataclass(frozen=True)
class Variant:
    """One training set-up: the loss (``"margin"`` or ``"supcon"``), whether its guard is on,
    views per image and the batch sampler (``"plain"`` shuffled or ``"balanced"``)."""

    label: str
    loss: str
    guard: bool
    views: int = 1
    sampler: str = "plain"
    reports: bool = False  # the report's own set-up
    whole_batch: bool = False  # one batch of every item (section 7.1.2: "equal to the entire dataset")

    def make_loss(self, losses: Losses) -> Callable[[Any, Any], Any]:
        """The page's loss named ``self.loss`` with this guard, as Keras calls a loss."""
        loss, guard = losses[self.loss], self.guard
        return lambda labels, features: loss(features, labels, guard=guard)


VARIANTS: tuple[Variant, ...] = (
    Variant("margin loss as the report's code computed it, shuffled batches", "margin", False,
            reports=True),
    Variant("the same, class-balanced batches (no class once in a batch)", "margin", False,
            sampler="balanced"),
    Variant("margin loss clamped before the square root, shuffled batches (fix)", "margin",
            True),
    Variant("SupCon, 1 view, shuffled batches, no guard (the report's diagnosis)", "supcon",
            False),
    Variant("SupCon, 2 views, class-balanced, guarded (fix)", "supcon", True, views=2,
            sampler="balanced"),
    Variant("margin loss as the report's code computed it, one batch of every item (larger "
            "batches, section 7.1.2)", "margin", False, whole_batch=True),
)

#: "The loss being minimised for the first 30 epochs": a NaN at or after half of that counts as
#: the report's timing (our reading of "about 30", generous on the early side).
LATE_NAN_EPOCH = 15


class _BatchLosses(keras.callbacks.Callback):
    """Every training step's loss, so the first NaN is placed to the step."""

    def on_train_begin(self, logs: Any = None) -> None:
        self.losses: list[float] = []

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.losses.append(float((logs or {}).get("loss", np.nan)))


def diagonal_roundoff(z: np.ndarray) -> dict[str, int]:
    """The diagonal of ``|a|^2 - 2 a.b + |b|^2`` in float32, as the report's code formed it:
    how many entries are exactly 0 or negative (``sqrt``'s gradient there is infinite or NaN)."""
    ops = keras.ops
    z = ops.cast(ops.convert_to_tensor(z), "float32")
    sq = ops.sum(z * z, axis=1, keepdims=True)
    d2 = np.asarray(ops.diagonal(sq - 2.0 * ops.matmul(z, ops.transpose(z)) + ops.transpose(sq)))
    return {"zero": int((d2 == 0).sum()), "negative": int((d2 < 0).sum()), "of": int(d2.size)}


def run_variant(clf: FineTunable, cache: TrunkCache, groups: Sequence[str], recipe: Recipe,
                variant: Variant, items: int, projection: Projection, losses: Losses
                ) -> dict[str, Any]:
    """Train ``groups`` + the page's 128-d ``projection`` under ``variant`` (its loss from the
    page's ``losses``) on the first ``items`` training items: where (step, epoch) the loss
    first turned NaN."""
    prepare(clf, groups, seed=recipe.seed)
    cut = trainable_cut(clf)
    train = cache.at(cut)["train"]
    n = min(int(items), len(train))
    copies, labels = train.values[:, :n], train.labels[:n]
    batch_size = n if variant.whole_batch else recipe.batch_size
    stream = samplers.ViewBatches(copies, labels, batch_size, variant.views, variant.sampler,
                                  recipe.seed)
    batches_per_epoch, singletons = len(stream), stream.singletons
    built: dict[str, Any] = {}

    def build() -> Any:
        built["model"] = projection(submodel(clf, cut), 128, views=variant.views)
        return built["model"]

    recorder = _BatchLosses()
    run = training.fit(build, stream, None, recipe.replace(patience=0, keep_best=False),
                       loss=variant.make_loss(losses), callbacks=[recorder])
    bad = [i for i, v in enumerate(recorder.losses) if not np.isfinite(v)]
    before = recorder.losses[:bad[0]] if bad else recorder.losses
    weights_finite = all(np.isfinite(w).all() for w in built["model"].get_weights())
    first = bad[0] + 1 if bad else None
    return {"variant": variant.label, "report's set-up": variant.reports, "fix": variant.guard,
            "items": n, "batches per epoch": batches_per_epoch,
            "first-epoch batches with a class once": singletons,
            "first NaN step": first,
            "first NaN epoch": None if first is None else (first - 1) // batches_per_epoch + 1,
            "steps run": len(recorder.losses), "epochs run": run.epochs_run,
            "loss fell before": len(before) > 1 and before[-1] < before[0],
            "weights finite": weights_finite}


def first_batch_diagonal(clf: FineTunable, cache: TrunkCache, groups: Sequence[str],
                         recipe: Recipe, items: int, projection: Projection) -> dict[str, int]:
    """:func:`diagonal_roundoff` of the untrained ``projection``'s outputs on the first
    shuffled batch: the round-off the report's distance code meets at step 1."""
    prepare(clf, groups, seed=recipe.seed)
    cut = trainable_cut(clf)
    train = cache.at(cut)["train"]
    n = min(int(items), len(train))
    stream = samplers.ViewBatches(train.values[:, :n], train.labels[:n], recipe.batch_size,
                                  1, "plain", recipe.seed)
    config.seed_everything(int(recipe.seed))
    model = projection(submodel(clf, cut), 128, views=1)
    x, _ = stream[0]
    z = np.asarray(model(keras.ops.convert_to_tensor(x), training=False))[:, 0, :]
    return diagonal_roundoff(z)


def failure_runs(clf: FineTunable, cache: TrunkCache, groups: Sequence[str], recipe: Recipe,
                 items: int, projection: Projection, losses: Losses,
                 variants: Sequence[Variant] = VARIANTS) -> list[dict[str, Any]]:
    """:func:`run_variant` for each of ``variants``, in order (each from the same start), with
    the page's ``projection`` model and ``losses``."""
    return [run_variant(clf, cache, groups, recipe, v, items, projection, losses)
            for v in variants]


def findings(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the rows show: whether the report's set-up broke and when, whether the NaN needs a
    class held once (broke on shuffled batches but not on balanced ones), whether a fix broke."""
    broke = {r["variant"]: r["first NaN step"] is not None or not r["weights finite"]
             for r in rows}
    by = {v.label: v for v in VARIANTS}
    reports = [r for r in rows if by.get(r["variant"], Variant("", "", True)).reports]
    plain, balanced = VARIANTS[0].label, VARIANTS[1].label
    return {
        "report_setup_broke": bool(reports) and broke[reports[0]["variant"]],
        "first_nan_step": reports[0]["first NaN step"] if reports else None,
        "first_nan_epoch": reports[0]["first NaN epoch"] if reports else None,
        "needs_singleton": (broke[plain] and not broke[balanced])
        if plain in broke and balanced in broke else None,
        "supcon_unguarded_broke": broke.get(VARIANTS[3].label),
        "a_fix_broke": any(broke[r["variant"]] for r in rows if r["fix"]),
        "whole_batch_broke": broke.get(VARIANTS[5].label),
        "late_nan": _late(reports[0]) if reports else None,
    }


def _late(row: Mapping[str, Any]) -> bool | None:
    """Did the report's set-up run :data:`LATE_NAN_EPOCH` epochs or more, its loss falling,
    before its NaN? None when no NaN came within the epochs allowed (the timing is not seen)."""
    epoch = row["first NaN epoch"]
    if epoch is None:
        return None
    return bool(epoch >= LATE_NAN_EPOCH and row.get("loss fell before", False))


def record_findings(found: Mapping[str, Any], epochs_allowed: int, items: int) -> None:
    """Record what :func:`findings` found under the metric names the claims read."""
    from helpers import report

    report.record("nan_unguarded_margin", found["report_setup_broke"],
                  first_nan_step=found["first_nan_step"], first_nan_epoch=found["first_nan_epoch"],
                  epochs_allowed=epochs_allowed, report="about 30 good epochs")
    report.record("nan_late_margin", found["late_nan"], first_nan_epoch=found["first_nan_epoch"],
                  note=None if found["late_nan"] is not None
                  else f"not testable here: no NaN within {epochs_allowed} epochs")
    report.record("margin_nan_needs_singleton", found["needs_singleton"])
    report.record("nan_whole_batch_margin", found["whole_batch_broke"], items=items)
    report.record("nan_unguarded_supcon", found["supcon_unguarded_broke"])
    report.record("nan_with_fixes", found["a_fix_broke"])
