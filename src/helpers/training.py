"""The one training loop of the course: every trainer (autoencoders, classifiers, Siamese
networks, rankers, contrastive heads) calls :func:`fit` with a :class:`Recipe`.

:func:`fit` owns what every trainer needs and no trainer should write again: seeding (through
:func:`helpers.config.seed_everything`, so one notebook seed seeds every model), building the
optimizer (:func:`make_optimizer`, the only factory), compiling, early stopping and keeping the
best epoch's weights, stopping on a NaN loss, timing, and the history it hands back as a
:class:`TrainingRun`.

The Adadelta fix: the reports used Adadelta through standalone Keras 2, whose default
learning rate was 1.0. Keras 3's ``Adadelta()`` defaults to 0.001, a thousand times smaller,
with which the models barely move in the reports' epoch budgets; :data:`DEFAULT_LEARNING_RATES`
restores 1.0 whenever a recipe names no learning rate.

>>> run = fit(lambda: build_model(), (x, y), (x_val, y_val),
...           Recipe(optimizer="adam", epochs=20, patience=5, seed=SEED),
...           loss="sparse_categorical_crossentropy", metrics=["accuracy"])
>>> run.best_epoch, run.history["val_loss"], run.seconds
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers import config  # noqa: E402

#: Learning rate of an optimizer when a recipe names none. Adadelta 1.0 is Keras 2's default
#: (what the reports ran); Keras 3's own default, 0.001, is a thousand times smaller.
DEFAULT_LEARNING_RATES: dict[str, float] = {"adadelta": 1.0, "adam": 1e-3, "adamw": 1e-3,
                                            "sgd": 1e-2}
OPTIMIZERS = tuple(sorted(DEFAULT_LEARNING_RATES))
MODES = ("auto", "min", "max")
#: Training steps per call into the compiled graph where nothing watches single batches:
#: fewer trips between Python and TensorFlow, the same batches in the same order, so the
#: same weights (tests/test_training.py); about 10 % off a small dense model's training here
#: (benchmarks/README.md, "Notebook times"). TensorFlow only: the torch backend allows 1,
#: and Keras' JAX trainer unrolls the steps into one jitted function, a longer compilation for
#: every model of the JAX smoke runs (not measured here; they stay at one step per call).
STEPS_PER_EXECUTION = 32


def make_optimizer(name: str, learning_rate: float | None = None, *, momentum: float = 0.0,
                   weight_decay: float = 0.0,
                   clipnorm: float | None = None) -> keras.optimizers.Optimizer:
    """A fresh Keras optimizer by name: ``adadelta``, ``adam``, ``adamw`` or ``sgd``.

    ``learning_rate`` None takes :data:`DEFAULT_LEARNING_RATES` (Adadelta 1.0, the reports').
    ``momentum`` applies to SGD only, ``weight_decay`` to AdamW only (other optimizers ignore
    them, so one recipe can switch optimizers); ``clipnorm`` clips every gradient's norm.
    """
    key = str(name).lower()
    if key not in DEFAULT_LEARNING_RATES:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")
    lr = DEFAULT_LEARNING_RATES[key] if learning_rate is None else float(learning_rate)
    extra: dict[str, Any] = {} if clipnorm is None else {"clipnorm": float(clipnorm)}
    if key == "sgd":
        return keras.optimizers.SGD(lr, momentum=float(momentum), **extra)
    if key == "adamw":
        return keras.optimizers.AdamW(lr, weight_decay=float(weight_decay), **extra)
    if key == "adam":
        return keras.optimizers.Adam(lr, **extra)
    return keras.optimizers.Adadelta(learning_rate=lr, **extra)


@dataclass(frozen=True)
class Recipe:
    """How to train one model.

    ``patience`` epochs without an improvement of ``monitor`` (by more than ``min_delta``)
    stop the run; 0 never stops early. ``keep_best`` puts back the weights of the best epoch
    of ``monitor`` at the end (with or without stopping early). A ``val_`` monitor falls back
    to its training counterpart (``val_loss`` -> ``loss``) when :func:`fit` gets no validation
    data. ``mode`` says whether ``monitor`` should go down or up (``auto``: Keras decides from
    the name). ``seed`` seeds everything random in the run: initial weights when :func:`fit`
    builds the model, shuffling, dropout and noise layers.
    """

    optimizer: str = "adam"
    learning_rate: float | None = None
    epochs: int = 10
    batch_size: int = 32
    patience: int = 0
    monitor: str = "val_loss"
    mode: str = "auto"
    min_delta: float = 0.0
    keep_best: bool = True
    seed: int = 0
    momentum: float = 0.0
    weight_decay: float = 0.0
    clipnorm: float | None = None

    def __post_init__(self) -> None:
        if int(self.epochs) < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if int(self.batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if int(self.patience) < 0:
            raise ValueError(f"patience must be >= 0, got {self.patience}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if str(self.optimizer).lower() not in DEFAULT_LEARNING_RATES:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")

    def make_optimizer(self) -> keras.optimizers.Optimizer:
        """This recipe's optimizer, freshly built (an optimizer trains one model only)."""
        return make_optimizer(self.optimizer, self.learning_rate, momentum=self.momentum,
                              weight_decay=self.weight_decay, clipnorm=self.clipnorm)

    def replace(self, **changes: Any) -> Recipe:
        """A copy with ``changes`` (``recipe.replace(optimizer="adam", epochs=5)``)."""
        return dataclasses.replace(self, **changes)


@dataclass
class TrainingRun:
    """What :func:`fit` did: the trained model, its history, timing and where it stopped."""

    model: keras.Model = field(repr=False)
    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float]
    epochs_run: int
    best_epoch: int  # 1-based: the epoch whose weights the model holds
    best: float | None  # ``monitor`` at best_epoch; None when nothing was monitored
    monitor: str | None
    stopped_early: bool
    stopped_on_nan: bool
    recipe: Recipe

    @property
    def trainable_params(self) -> int:
        return int(sum(np.prod(w.shape) for w in self.model.trainable_weights))


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every epoch (``.seconds``), for the training-time tables."""

    def on_train_begin(self, logs: Any = None) -> None:
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


class StopOnNaN(keras.callbacks.Callback):
    """Stop training at the first batch whose loss is NaN or infinite (``.stopped``)."""

    def on_train_begin(self, logs: Any = None) -> None:
        self.stopped = False

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(float(loss)):
            self.stopped = True
            self.model.stop_training = True


def _stopper(recipe: Recipe, monitor: str) -> keras.callbacks.EarlyStopping | None:
    """Keras' EarlyStopping does both jobs: stop after ``patience``, keep the best weights."""
    if recipe.patience == 0 and not recipe.keep_best:
        return None
    # patience 0 means "never stop": more patience than epochs never runs out.
    patience = recipe.patience or recipe.epochs + 1
    return keras.callbacks.EarlyStopping(monitor=monitor, patience=int(patience),
                                         mode=recipe.mode, min_delta=recipe.min_delta,
                                         restore_best_weights=recipe.keep_best)


def steps_per_execution(x: Any, callbacks: Sequence[keras.callbacks.Callback]) -> int:
    """:data:`STEPS_PER_EXECUTION` for arrays on TensorFlow with no caller callbacks, else 1.

    A caller's callback may act on every batch (a recorder of per-step losses, a learning-rate
    schedule), so it keeps one step per call; :class:`StopOnNaN` then sees the running loss
    every few steps, which stays NaN once a step was NaN, so the stop still happens.
    """
    if callbacks or isinstance(x, keras.utils.PyDataset) or keras.backend.backend() != "tensorflow":
        return 1
    return STEPS_PER_EXECUTION


def fit(model: keras.Model | Callable[[], keras.Model], data: Any, val: Any = None,
        recipe: Recipe | None = None, *, loss: Any = None, metrics: Sequence[Any] | None = None,
        callbacks: Sequence[keras.callbacks.Callback] = (), verbose: int = 0) -> TrainingRun:
    """Seed, compile and train ``model`` on ``data`` as ``recipe`` says; the one training loop.

    ``model`` is a Keras model, or a function building one: :func:`fit` calls it after
    seeding, so the initial weights follow ``recipe.seed`` too. ``data`` is ``(x, y)`` arrays,
    ``x`` alone (a model whose loss needs no targets, e.g. a VAE) or a ``keras.utils.PyDataset``
    (which batches itself: ``recipe.batch_size`` is then not used); ``val`` is what Keras takes
    as ``validation_data`` (None: no validation). ``loss`` and ``metrics`` go to ``compile``;
    ``callbacks`` run besides the timer, the NaN stop and early stopping.
    """
    recipe = recipe or Recipe()
    config.seed_everything(int(recipe.seed))
    if not isinstance(model, keras.Model):
        model = model()
    x, y = data if isinstance(data, tuple) else (data, None)
    model.compile(optimizer=recipe.make_optimizer(), loss=loss,
                  metrics=list(metrics) if metrics else None,
                  steps_per_execution=steps_per_execution(x, callbacks))
    monitor = recipe.monitor
    if val is None and monitor.startswith("val_"):
        monitor = monitor[len("val_"):]
    stopper = _stopper(recipe, monitor)
    timer, nan = EpochTimer(), StopOnNaN()
    every = [timer, nan, *([stopper] if stopper else []), *callbacks]
    sizing = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": int(recipe.batch_size)}
    start = time.perf_counter()
    hist = model.fit(x, y, validation_data=val, epochs=int(recipe.epochs), callbacks=every,
                     verbose=verbose, **sizing)
    seconds = time.perf_counter() - start
    epochs_run = len(timer.seconds)
    best_epoch, best = epochs_run, None
    if stopper is not None and stopper.best is not None:
        best_epoch, best = stopper.best_epoch + 1, float(stopper.best)
    return TrainingRun(
        model=model, history={k: [float(v) for v in vs] for k, vs in hist.history.items()},
        seconds=seconds, epoch_seconds=list(timer.seconds), epochs_run=epochs_run,
        best_epoch=best_epoch, best=best, monitor=None if stopper is None else monitor,
        stopped_early=epochs_run < recipe.epochs, stopped_on_nan=nan.stopped, recipe=recipe)
