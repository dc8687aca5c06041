"""The report's experiment grid: every task x architecture x mode, trained with its recipe.

Recipe (report section 3.2): a new softmax layer on an ImageNet backbone, SGD with learning rate
1e-3 and momentum 0.9, batch 32, 30 epochs, random crop + horizontal flip on the training images,
and the best validation accuracy over the epochs as the score (the weights of that epoch are
kept, as in the PyTorch transfer-learning tutorial the report followed). Training time is the
wall time of the whole run.

Feature extraction on a CPU: the frozen backbone's pooled output is computed once for each
image and for ``copies - 1`` augmented versions of it (:func:`helpers.classifiers.activations`),
and the head trains on those; its time includes that pass. ``copies=None`` trains on the images
themselves (fresh crops every epoch, as the report did; the paper profile, for a GPU).

Noise: a frozen head is cheap, so it trains once per seed in ``head_seeds`` (the notebook's
SEED, SEED + 1, ...) on the same cached features (a :class:`~helpers.sweep.Sweep`); fine-tuning
trains once (one seed, its interval from the validation photos alone). Every run keeps each validation and test photo's
correctness (``val_hits``, ``test_hits``: seeds x photos), which is what the record's intervals
and paired comparisons are computed from (:mod:`helpers.studies.rahlen2019.tables`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers import classifiers
from helpers.backbones import get as backbone_spec
from helpers.studies.rahlen2019 import predict, timing
from helpers.studies.rahlen2019.profile import Settings
from helpers.studies.rahlen2019.tasks import ARCHITECTURES, EXTRA, MODES, TaskData
from helpers.sweep import Sweep, training_seeds

RAN, NOT_RUN, NO_DATA = "run", "not run in this profile", "no data"
# Where fine-tuning starts: "fresh" = a new random head, as the report did; "frozen" = the head
# feature extraction trained (Keras's two-step recipe). With BatchNorm folded into the shared
# ImageNet weights, the report's way (fresh head, SGD 1e-3 on every layer) diverged here.
FINETUNE_FROM = ("frozen", "fresh")
MODE_KEYS = {"frozen": "frozen", "finetune_all": "finetune"}  # short names for metric keys


@dataclass
class Run:
    """One (task, backbone, mode) cell of the grid: what ran and what it scored."""

    task: str
    backbone: str
    mode: str
    status: str = RAN
    weights: Any = None  # helpers.backbones.WeightsInfo
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = float("nan")  # whole run: activations (frozen) + training
    prep_seconds: float = 0.0  # of which computing frozen activations
    epochs: int = 0
    best_epoch: int = 0
    image_size: int = 0
    start: str = ""  # fine-tuning: "fresh head" or "feature-extraction head"
    y_true: np.ndarray | None = None
    probs: np.ndarray | None = None  # validation probabilities of the kept weights (first seed)
    seeds: list[int] = field(default_factory=list)
    val_hits: np.ndarray | None = None  # (seeds, validation photos): 1 where right
    test_hits: np.ndarray | None = None  # (seeds, test photos), the same kept weights
    train_hits: np.ndarray | None = None  # (1, training photos) of a fine-tuned run: overfitting
    step_seconds: dict[str, np.ndarray] = field(default_factory=dict)  # mode -> per-step times

    @property
    def pretrained(self) -> bool:
        return bool(getattr(self.weights, "pretrained", False))

    @property
    def best_val_accuracy(self) -> float:
        """The report's number: validation accuracy of the best epoch's weights (seed mean)."""
        if self.val_hits is not None:
            return float(self.val_hits.mean())
        values = self.history.get("val_accuracy", [])
        return float(max(values)) if values else float("nan")

    @property
    def test_accuracy(self) -> float:
        """Held-out accuracy of the same kept weights (seed mean); NaN without a test split."""
        return float(self.test_hits.mean()) if self.test_hits is not None else float("nan")

    @property
    def last_val_accuracy(self) -> float:
        values = self.history.get("val_accuracy", [])
        return float(values[-1]) if values else float("nan")

    @property
    def metric(self) -> str:
        return f"{self.task}_{self.backbone}_{MODE_KEYS[self.mode]}_val_acc"

    def weights_label(self) -> str:
        if self.weights is None:
            return "–"
        return "ImageNet" if self.pretrained else "RANDOM init"


def format_seconds(seconds: float | None) -> str:
    """217.0 -> '3m 37s' (the report's style); '–' for missing."""
    if seconds is None or not np.isfinite(seconds):
        return "–"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}m {rest:02d}s"


@dataclass(frozen=True)
class GridOptions:
    """How :class:`Experiment` trains: its modes and the report's recipe.

    ``image_size`` is pixels or ``"native"`` (each backbone's own: 299 for InceptionV3, as the
    report fed it); ``finetune`` the backbones that are also fine-tuned (default: all);
    ``finetune_from`` where fine-tuning starts (see :data:`FINETUNE_FROM`; "frozen" falls back
    to a fresh head when feature extraction did not run first); ``finetune_learning_rate``
    defaults to ``learning_rate``. ``head_seeds``: how many seeds (``seed``, ``seed + 1``, ...)
    train each frozen head on the tasks in ``seed_tasks`` (default: all; the others train one
    seed); ``finetune_tasks``: the tasks that fine-tune (default: all);
    ``timing_steps``: training steps timed per mode on the same batch after fine-tuning, for
    the equal-data time comparison (0: not timed).
    """

    modes: Sequence[str] = MODES
    image_size: int | str = 224
    weights: Any = "imagenet"
    copies: int | None = 4
    batch_size: int = 32
    learning_rate: float = 1e-3
    momentum: float = 0.9
    seed: int = 0
    finetune: Sequence[str] | None = None
    finetune_from: str = "frozen"
    finetune_learning_rate: float | None = None
    head_seeds: int = 1
    seed_tasks: Sequence[str] | None = None
    finetune_tasks: Sequence[str] | None = None
    timing_steps: int = 0

    @classmethod
    def from_settings(cls, settings: Settings, seed: int) -> GridOptions:
        """Notebook 03's resolved settings (``helpers.studies.rahlen2019.profile.Settings``)."""
        return cls(modes=settings.modes, image_size=settings.image_size,
                   weights=settings.weights, copies=settings.copies,
                   batch_size=settings.batch_size, seed=seed,
                   finetune=settings.finetune_backbones,
                   finetune_from=settings.finetune_from,
                   finetune_learning_rate=settings.finetune_learning_rate,
                   head_seeds=settings.head_seeds, seed_tasks=settings.seed_tasks,
                   finetune_tasks=settings.finetune_tasks,
                   timing_steps=settings.timing_steps)


class Experiment:
    """Runs and remembers the grid; saves each task's best model for :func:`predict.classify`.

    ``backbones`` are the ones this profile trains; every other architecture of the report still
    gets a row, marked "not run in this profile". ``epochs`` maps a mode to its number of
    epochs; ``options`` (:class:`GridOptions`) the modes and the recipe.
    """

    def __init__(self, tasks: Mapping[str, TaskData], backbones: Sequence[str],
                 epochs: Mapping[str, int], options: GridOptions | None = None, *,
                 models_dir: Path | None = None, save_models: bool = True) -> None:
        options = options or GridOptions()
        modes, finetune = options.modes, options.finetune
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise ValueError(f"unknown modes {unknown}; choose from {MODES}")
        missing = [m for m in modes if int(epochs.get(m, 0)) < 1]
        if missing:
            raise ValueError(f"epochs must be at least 1 for {missing}; got {dict(epochs)}")
        if options.finetune_from not in FINETUNE_FROM:
            raise ValueError(f"finetune_from must be one of {FINETUNE_FROM}, "
                             f"got {options.finetune_from!r}")
        if options.copies is not None and options.copies < 1:
            raise ValueError(f"copies must be None or at least 1, got {options.copies}")
        for name in backbones:
            backbone_spec(name)  # an unknown name fails here, before any work
        self.tasks, self.backbones, self.modes = dict(tasks), list(backbones), list(modes)
        self.epochs = {m: int(epochs[m]) for m in self.modes}
        self.image_size, self.weights, self.copies = (options.image_size, options.weights,
                                                      options.copies)
        self.batch_size, self.learning_rate = options.batch_size, options.learning_rate
        self.momentum, self.seed, self.save_models = options.momentum, options.seed, save_models
        self.finetune_from = options.finetune_from
        self.finetune_learning_rate = options.finetune_learning_rate or options.learning_rate
        self.models_dir = models_dir
        # Backbones also fine-tuned (None: all); the others run feature extraction only.
        self.finetune = list(self.backbones if finetune is None else finetune)
        self.finetune_tasks = list(options.finetune_tasks or self.tasks)
        self.seeds = list(training_seeds(options.seed, max(1, int(options.head_seeds))))
        self.seed_tasks = list(options.seed_tasks or self.tasks)
        self.timing_steps = int(options.timing_steps)
        self.runs: list[Run] = []
        self.saved: dict[str, Path] = {}
        self._images: dict[tuple[str, str, int], np.ndarray] = {}

    def weights_plan(self) -> dict[str, str]:
        """Per backbone, the weights it will get, found without building it (for the headline)."""
        from helpers.backbones import locate

        plan = {}
        for name in self.backbones:
            info = locate(backbone_spec(name), False, self.weights)
            plan[name] = (info.describe() if info is not None else
                          "random init (asked for)" if self.weights in (None, "random") else
                          "no local file: Keras download, else RANDOM init")
        return plan

    # -- data --------------------------------------------------------------------------------

    def size_for(self, backbone: str) -> int:
        if self.image_size == "native":
            return backbone_spec(backbone).input_size
        return int(self.image_size)

    def images(self, task: str, split: str, size: int) -> np.ndarray:
        """uint8 images of a task's split at ``size`` (decoded once, then kept)."""
        key = (task, split, size)
        if key not in self._images:
            part = getattr(self.tasks[task], split)
            self._images[key] = part.images(size=size, progress=False)
        return self._images[key]

    def recipe(self, mode: str, seed: int | None = None) -> classifiers.Recipe:
        """The report's recipe; early stopping never triggers (patience = epochs) but the best
        epoch's weights are restored at the end, judged on validation accuracy."""
        n = self.epochs[mode]
        rate = self.learning_rate if mode == "frozen" else self.finetune_learning_rate
        return classifiers.Recipe(optimizer="sgd", learning_rate=rate,
                                  momentum=self.momentum, epochs=n, batch_size=self.batch_size,
                                  patience=n, monitor="val_accuracy", augment=True,
                                  seed=self.seed if seed is None else seed)

    # -- running -----------------------------------------------------------------------------

    def run_task(self, task: str) -> list[Run]:
        """Train every backbone of this profile in every mode on ``task``; returns its runs."""
        data = self.tasks[task]
        self.runs = [r for r in self.runs if r.task != task]
        if not data.available:
            return []
        for backbone in self.backbones:
            size = self.size_for(backbone)
            clf = classifiers.build(backbone, len(data.class_names), "frozen",
                                    weights=self.weights, image_size=size)
            for mode in self.modes:
                if mode == "finetune_all" and (backbone not in self.finetune
                                               or task not in self.finetune_tasks):
                    continue
                run = self._run_mode(clf, task, backbone, mode)
                self.runs.append(run)
                self._keep_if_best(clf, run, data)
                if mode == "finetune_all" and self.timing_steps > 0:
                    # Last: the timed steps change the weights, which are saved by now.
                    run.step_seconds = timing.step_seconds(
                        clf, self.images(task, "train", size), data.train.labels,
                        steps=self.timing_steps, batch_size=self.batch_size,
                        learning_rate=self.finetune_learning_rate)
            del clf
            gc.collect()
        return self.task_runs(task)

    def _run_mode(self, clf: classifiers.Classifier, task: str, backbone: str, mode: str) -> Run:
        """One (backbone, mode) cell: trained, with each photo's correctness kept."""
        data, size = self.tasks[task], self.size_for(backbone)
        x_train, x_val = self.images(task, "train", size), self.images(task, "val", size)
        y_train, y_val = data.train.labels, data.val.labels
        has_test = data.test is not None and len(data.test) > 0
        x_test = self.images(task, "test", size) if has_test else None
        classifiers.set_trainable(clf, mode)
        if mode == "finetune_all" and self.finetune_from == "frozen" and any(
                r.backbone == backbone and r.mode == "frozen" for r in self.task_runs(task)):
            clf.base.set_weights(clf.initial_weights)  # keep the head frozen mode trained
            start = "feature-extraction head"
        else:
            classifiers.reset(clf, seed=self.seed)
            start = "fresh head"
        run = Run(task, backbone, mode, weights=clf.weights, image_size=size,
                  y_true=np.asarray(y_val), start=start if mode != "frozen" else "")
        began = time.perf_counter()
        if mode == "frozen" and self.copies is not None:
            train = classifiers.activations(clf, x_train, y_train, copies=self.copies,
                                            seed=self.seed, batch_size=self.batch_size)
            held = [classifiers.activations(clf, x, y, batch_size=self.batch_size)
                    for x, y in ((x_val, y_val), (x_test, data.test.labels if has_test else None))
                    if x is not None]
            run.prep_seconds = time.perf_counter() - began

            def train_head(_: tuple[str, str, str], seed: int) -> tuple[Any, list, list]:
                """One head per seed on the same features; its weights kept as they end."""
                result, probs = fit_head(clf, train, held[0], self.recipe(mode, seed), also=held[1:])
                return result, probs, [layer.get_weights() for layer in clf.head]

            def correct(out: tuple[Any, list, list]) -> dict[str, np.ndarray]:
                hits = {"val": out[1][0].argmax(axis=1) == y_val}
                if has_test:
                    hits["test"] = out[1][1].argmax(axis=1) == data.test.labels
                return hits

            seeds = self.seeds if task in self.seed_tasks else self.seeds[:1]
            heads = Sweep(train_head, seeds, hits=correct, verbose=False).one((task, backbone, mode))
            first, probs, kept = heads.first  # the first seed's (the notebook's SEED) model is kept
            run.probs, run.seconds = probs[0], run.prep_seconds + first.seconds
            for layer, weights in zip(clf.head, kept, strict=True):
                layer.set_weights(weights)
            val_hits = list(heads.hits("val"))
            test_hits = list(heads.hits("test")) if has_test else []
            result, run.seeds = first, heads.seeds
        else:
            result = classifiers.fit(clf, (x_train, y_train), (x_val, y_val), self.recipe(mode))
            run.seconds, run.seeds = time.perf_counter() - began, [self.seed]
            run.probs = classifiers.predict(clf, (x_val, y_val))
            val_hits = [run.probs.argmax(axis=1) == y_val]
            test_hits = ([classifiers.predict(clf, (x_test, data.test.labels)).argmax(axis=1)
                          == data.test.labels] if has_test else [])
            if mode == "finetune_all":  # as many training photos as validation ones
                rows = np.random.default_rng(self.seed).permutation(len(y_train))[:len(y_val)]
                seen = classifiers.predict(clf, (x_train[rows], y_train[rows])).argmax(axis=1)
                run.train_hits = (seen == y_train[rows]).astype(int)[None, :]
        run.val_hits = np.asarray(val_hits, dtype=int)
        run.test_hits = np.asarray(test_hits, dtype=int) if test_hits else None
        run.history, run.epochs = result.history, result.epochs_run
        run.best_epoch = result.best_epoch
        return run

    def _keep_if_best(self, clf: classifiers.Classifier, run: Run, data: TaskData) -> None:
        """Save the task's best model so far (pretrained beats random, then accuracy)."""
        if not self.save_models:
            return
        best = self.best(run.task)
        if best is not run:
            return
        self.saved[run.task] = predict.save(
            clf.model, run.task, data.class_names,
            predict.ModelInputs(run.backbone, run.image_size), folder=self.models_dir,
            mode=run.mode,
            weights=run.weights.describe() if run.weights is not None else None,
            val_accuracy=run.best_val_accuracy, data=data.source.notice)

    # -- reading results ---------------------------------------------------------------------

    def task_runs(self, task: str, mode: str | None = None) -> list[Run]:
        return [r for r in self.runs if r.task == task and (mode is None or r.mode == mode)]

    def best(self, task: str, mode: str | None = None) -> Run | None:
        """The best run of a task (and mode), chosen on validation: pretrained runs first,
        then validation accuracy."""
        runs = self.task_runs(task, mode)
        if not runs:
            return None
        return max(runs, key=lambda r: (r.pretrained, np.nan_to_num(r.best_val_accuracy, nan=-1)))

    def grid(self, task: str, mode: str) -> list[Run]:
        """The report's architectures that have a Keras counterpart, then this profile's other
        backbones, for one task and mode: runs where they ran, "not run" rows where not."""
        ran = {r.backbone: r for r in self.task_runs(task, mode)}
        status = NO_DATA if not self.tasks[task].available else NOT_RUN
        known = [a.backbone for a in ARCHITECTURES + EXTRA if a.backbone is not None]
        listed = known + [b for b in dict.fromkeys([*self.backbones, *ran]) if b not in known]
        return [ran.get(b) or Run(task, b, mode, status=status) for b in listed]


def fit_head(clf: classifiers.Classifier, train: classifiers.Activations,
             val: classifiers.Activations, recipe: classifiers.Recipe,
             also: Sequence[classifiers.Activations] = ()
             ) -> tuple[classifiers.TrainResult, list[np.ndarray]]:
    """Train ``clf``'s head on pooled features (activations at the base's output).

    ``classifiers.fit`` cuts the base *above* the activations it is given, which needs at
    least one layer between the cut and the features; at the pooled output there is none. So
    the head is trained in a stand-in classifier whose base is two identity layers, and its
    weights are copied into ``clf``'s head (then ``clf.model`` is the trained classifier).
    Returns the training result and the probabilities of ``val`` and of each of ``also``.
    """
    import keras

    width = int(clf.base.output_shape[-1])
    x = keras.Input((width,), name="pooled_in")
    pooled = keras.layers.Identity(name="pooled")(x)
    base = keras.Model(x, keras.layers.Identity(name="features")(pooled), name="pooled")
    view = classifiers.from_base(base, clf.n_classes, "frozen", dropout=clf.head[0].rate)
    classifiers.reset(view, seed=recipe.seed)
    as_pooled = [classifiers.Activations("pooled", a.values, a.labels)
                 for a in (train, val, *also)]
    result = classifiers.fit(view, as_pooled[0], as_pooled[1], recipe)
    for mine, trained in zip(clf.head, view.head, strict=True):
        mine.set_weights(trained.get_weights())
    return result, [classifiers.predict(view, a) for a in as_pooled[1:]]
