"""The classifier itself: a backbone, a softmax head, which layer groups train, a recipe."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers import training  # noqa: E402

MODES = ("frozen", "finetune_all")
OPTIMIZERS = training.OPTIMIZERS
Data = Any  # (images uint8 (N, H, W, 3), labels (N,)) | Activations | images alone


@dataclass(frozen=True)
class Recipe(training.Recipe):
    """:class:`helpers.training.Recipe` with a classifier's defaults, plus ``augment``.

    SGD with momentum 0.9; ``patience`` epochs without improvement of ``monitor`` on the
    validation data stop the run and the best epoch's weights are restored (report 02: "all
    models stopped early"); ``patience=0`` or no validation data trains every epoch and keeps
    the last. ``seed`` makes each run reproducible on its own (head init, dropout, batch
    order, augmentation).
    """

    optimizer: str = "sgd"
    learning_rate: float = 1e-3
    momentum: float = 0.9
    epochs: int = 10
    batch_size: int = 32
    patience: int = 3
    monitor: str = "val_loss"
    augment: bool = True
    seed: int = 0


@dataclass
class Activations:
    """Outputs of a classifier's frozen trunk at layer ``cut``: ``values`` is (K, N, ...).

    Copy 0 is each image as is; copies 1..K-1 are augmented versions (crop + flip).
    """

    cut: str
    values: np.ndarray
    labels: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.values.shape[1])

    @property
    def copies(self) -> int:
        return int(self.values.shape[0])

    def take(self, rows: Any, copies: int | None = None) -> Activations:
        """Items ``rows`` (indices or a mask), keeping the first ``copies`` copies (default all)."""
        rows = np.asarray(rows)
        values = self.values[:copies, rows] if copies else self.values[:, rows]
        return Activations(self.cut, values, None if self.labels is None else self.labels[rows])


@dataclass
class TrainResult:
    """What :func:`fit` did: the Keras history, timing and where it stopped."""

    history: dict[str, list[float]]
    seconds: float
    epoch_seconds: list[float]
    epochs_run: int
    best_epoch: int  # 1-based; the epoch whose weights the model holds
    stopped_early: bool
    trainable_params: int
    recipe: Recipe
    cut: str | None = None

    def best(self, key: str = "val_accuracy") -> float:
        """``key`` at the best epoch (the weights kept), NaN when it was not logged."""
        values = self.history.get(key, [])
        return float(values[self.best_epoch - 1]) if len(values) >= self.best_epoch else np.nan


@dataclass(eq=False)
class Classifier:
    """``base`` (images -> pooled features, the encoder) + dropout + dense softmax ``head``."""

    base: keras.Model
    model: keras.Model
    head: list[keras.layers.Layer]
    n_classes: int
    groups: dict[str, list[str]]
    preprocess: Callable[[np.ndarray], np.ndarray]
    backbone: str | None = None
    weights: Any = None
    trainable: str | tuple[str, ...] = "frozen"
    trainable_layers: list[str] = field(default_factory=list)
    initial_weights: list[np.ndarray] = field(default_factory=list)
    # Models over parts of the base (trunks, tops), built once: they share the base's layers.
    views: dict[tuple, keras.Model] = field(default_factory=dict, repr=False)

    @property
    def encoder(self) -> keras.Model:
        """The model without its head: what report 02 measures."""
        return self.base

    @property
    def image_size(self) -> int:
        return int(self.base.input_shape[1])


def flat_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer in order, descending into nested models."""
    out = []
    for layer in model.layers:
        out.extend(flat_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return out


def set_trainable(clf: Classifier, trainable: str | Sequence[str]) -> list[str]:
    """Make exactly ``trainable`` (a mode or group names) trainable; BatchNorm stays frozen.

    Returns the names of the base's layers that now train (those holding weights).
    """
    if isinstance(trainable, str) and trainable in MODES:
        wanted: list[str] = [] if trainable == "frozen" else ["all"]
    else:
        wanted = [trainable] if isinstance(trainable, str) else list(trainable)
    unknown = [g for g in wanted if g not in clf.groups]
    if unknown:
        raise ValueError(f"unknown layer groups {unknown}; have {sorted(clf.groups)} or {MODES}")
    selected = {name for g in wanted for name in clf.groups[g]}
    clf.base.trainable = True
    names = []
    for layer in flat_layers(clf.base):
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = layer.name in selected and not is_bn
        if layer.trainable and layer.weights:
            names.append(layer.name)
    for layer in clf.head:
        layer.trainable = True
    clf.trainable = trainable if isinstance(trainable, str) else tuple(trainable)
    clf.trainable_layers = names
    return names


def from_base(
    base: keras.Model,
    n_classes: int,
    trainable: str | Sequence[str] = "frozen",
    *,
    groups: dict[str, list[str]] | None = None,
    preprocess: Callable[[np.ndarray], np.ndarray] | None = None,
    dropout: float = 0.2,
    backbone: str | None = None,
    weights: Any = None,
) -> Classifier:
    """A classifier over any Keras ``base`` mapping images to one vector per image.

    ``groups`` names layer groups (``{"top": ["dense_3"]}``); ``"all"`` is added. ``preprocess``
    maps [0, 255] RGB batches to the base's input (default: none).
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if len(base.output_shape) != 2:
        raise ValueError(f"the base must output (N, D) vectors; got {base.output_shape}")
    groups = dict(groups or {})
    groups.setdefault("all", [layer.name for layer in flat_layers(base) if layer.weights])
    inputs = keras.Input(base.input_shape[1:], name="pixels")
    head = [keras.layers.Dropout(dropout, name="head_dropout"),
            keras.layers.Dense(n_classes, activation="softmax", name="head")]
    out = inputs
    for layer in [base, *head]:
        out = layer(out)
    clf = Classifier(
        base=base, model=keras.Model(inputs, out, name=f"{base.name}_classifier"), head=head,
        n_classes=int(n_classes), groups=groups, preprocess=preprocess or _identity,
        backbone=backbone, weights=weights, initial_weights=base.get_weights(),
    )
    set_trainable(clf, trainable)
    return clf


def _identity(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def build(
    backbone: str,
    n_classes: int,
    trainable: str | Sequence[str] = "frozen",
    *,
    weights: Any = "imagenet",
    image_size: int | None = None,
    pooling: str = "avg",
    dropout: float = 0.2,
    scheme: str = "imagenet",
) -> Classifier:
    """A registered backbone (:mod:`helpers.backbones`) with a softmax head.

    ``scheme`` is the :mod:`helpers.preprocessing` scheme the inputs get, in the backbone's own
    mode; for another backbone's ``imagenet`` mode (``"resnet50"`` gives Caffe preprocessing
    to any backbone, as report 02's scheme tables do) assign
    ``clf.preprocess = scheme_preprocess(scheme, "resnet50")``.
    """
    from helpers import backbones

    preprocess = scheme_preprocess(scheme, backbone)
    base, info = backbones.base(backbone, weights, image_size, include_top=False, pooling=pooling)
    groups = backbones.layer_groups(backbone, base)
    return from_base(base, n_classes, trainable, groups=groups, preprocess=preprocess,
                     dropout=dropout, backbone=backbone, weights=info)


def scheme_preprocess(scheme: str, backbone: str) -> Callable[[np.ndarray], np.ndarray]:
    """``batch -> preprocessing.apply(scheme, batch, backbone)``, checked now, not at first use.

    Assign it to ``clf.preprocess`` to feed the same classifier another scheme.
    """
    from helpers import preprocessing

    preprocessing.apply(scheme, np.zeros((1, 1, 1, 3), np.uint8), backbone=backbone)

    def preprocess(x: np.ndarray) -> np.ndarray:
        return preprocessing.apply(scheme, x, backbone=backbone)

    preprocess.__qualname__ = f"preprocess[{scheme}, {backbone}]"
    return preprocess


def reset(clf: Classifier, seed: int = 0) -> None:
    """Back to the weights the base was built with and a freshly initialised head.

    One build then serves many experiments that all start from the same pretrained (or the
    same random) weights, and :class:`Activations` of its frozen trunk stay valid across them.
    """
    clf.base.set_weights(clf.initial_weights)
    dense = clf.head[-1]
    dense.kernel.assign(keras.initializers.GlorotUniform(seed=seed)(dense.kernel.shape))
    dense.bias.assign(np.zeros(dense.bias.shape, np.float32))
