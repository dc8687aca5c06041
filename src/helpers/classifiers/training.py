"""Training and inference: on images, or on cached activations of the frozen trunk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from helpers import training
from helpers.classifiers.model import (
    Activations,
    Classifier,
    Data,
    Recipe,
    TrainResult,
    flat_layers,
)
from helpers.datasets.pydata import crop_flip

# Keras on TensorFlow warns about "retracing" when several small models are fit one after
# another (every run compiles its own train function). Here that is by design, and only noise.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

# ---------------------------------------------------------------------------------------------
# Trunk activations
# ---------------------------------------------------------------------------------------------


def _producer(tensor: Any) -> str:
    return tensor._keras_history[0].name


def trainable_cut(clf: Classifier) -> str:
    """The layer whose output feeds the first trainable layer: everything up to it is frozen."""
    if not clf.trainable_layers:
        return _producer(clf.base.outputs[0])
    first = clf.trainable_layers[0]
    for layer in flat_layers(clf.base):  # topological order: the first trainable one seen wins
        if layer.trainable and layer.weights:
            first = layer.name
            break
    inputs = clf.base.get_layer(first).input
    if isinstance(inputs, (list, tuple)):
        raise ValueError(f"first trainable layer {first!r} has several inputs; cannot cut there")
    return _producer(inputs)


def submodel(clf: Classifier, start: str, stop: str | None = None) -> keras.Model:
    """The base from layer ``start``'s output to ``stop``'s output (default: the features).

    ``submodel(clf, trainable_cut(clf))`` is the encoder as it trains on :class:`Activations`;
    it shares its layers (and weights) with ``clf.base``.
    """
    key = ("sub", start, stop)
    if key not in clf.views:
        # Kept per (start, stop): a new Model per call would retrace predict/fit every time.
        try:
            tail = clf.base.get_layer(start).output
            end = clf.base.outputs[0] if stop is None else clf.base.get_layer(stop).output
            if tail is end:  # cut at the end itself (frozen mode): nothing left but identity
                x = keras.Input(tail.shape[1:], name=f"{start}_in")
                model = keras.Model(x, keras.layers.Identity(name=f"{start}_id")(x))
            else:
                model = keras.Model(tail, end, name=f"{clf.base.name}_from_{start}")
            clf.views[key] = model
        except (ValueError, KeyError) as error:
            raise ValueError(f"cannot cut {clf.base.name} at {start!r}: {error}") from error
    return clf.views[key]


def _batches(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def activations(
    clf: Classifier,
    data: np.ndarray | Activations,
    labels: Sequence | None = None,
    cut: str | None = None,
    copies: int = 1,
    seed: int = 0,
    batch_size: int = 32,
    dtype: Any = np.float32,
) -> Activations:
    """Outputs of the frozen trunk (input up to layer ``cut``) for images or lower activations.

    ``data`` is uint8 images (N, H, W, 3); ``copies`` - 1 augmented copies are added (crop +
    flip, seeded). From :class:`Activations` at a lower cut, the layers in between run on every
    copy (cheap: one trunk pass serves several cuts). ``cut`` defaults to
    :func:`trainable_cut`.
    """
    cut = cut or trainable_cut(clf)
    if isinstance(data, Activations):
        if data.cut == cut:
            return data if labels is None else Activations(cut, data.values, np.asarray(labels))
        model = submodel(clf, data.cut, cut)
        values = np.stack([model.predict(v, batch_size=batch_size, verbose=0).astype(dtype)
                           for v in data.values])
        return Activations(cut, values, data.labels if labels is None else np.asarray(labels))
    images = np.asarray(data)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be (N, H, W, 3); got shape {images.shape}")
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    if ("trunk", cut) not in clf.views:
        clf.views[("trunk", cut)] = keras.Model(clf.base.inputs, clf.base.get_layer(cut).output)
    trunk = clf.views[("trunk", cut)]
    rng = np.random.default_rng(seed)
    values = []
    for k in range(copies):
        # Copy 0 as is; the others augmented in batches (crop_flip draws from rng per image).
        version = images if k == 0 else np.concatenate(
            [crop_flip(images[sl], rng) for sl in _batches(len(images), 256)])
        values.append(trunk.predict(_Inference(clf, version, batch_size), verbose=0).astype(dtype))
    return Activations(cut, np.stack(values), None if labels is None else np.asarray(labels))


# ---------------------------------------------------------------------------------------------
# Training and inference
# ---------------------------------------------------------------------------------------------


class _Batches(keras.utils.PyDataset):
    """Shuffled (x, y) batches of images (augmented, preprocessed) or of cached activations."""

    def __init__(self, clf: Classifier, data: Data, augment: bool, batch_size: int,
                 seed: int, shuffle: bool) -> None:
        super().__init__()
        self.clf, self.augment, self.batch_size = clf, augment, batch_size
        self.seed, self.shuffle, self.epoch = seed, shuffle, 0
        if isinstance(data, Activations):
            if data.labels is None:
                raise ValueError("Activations used for training need labels")
            self.x, self.y, self.cached = data.values, np.asarray(data.labels), True
        else:
            x, y = data
            self.x, self.y, self.cached = np.asarray(x), np.asarray(y), False
        n = self.x.shape[1] if self.cached else len(self.x)
        if len(self.y) != n:
            raise ValueError(f"{len(self.y)} labels for {n} inputs")
        if self.y.min() < 0 or self.y.max() >= clf.n_classes:
            raise ValueError(f"labels must lie in [0, {clf.n_classes}); got {self.y.min()}..")
        self.n = n
        self._draw()

    def _draw(self) -> None:
        rng = np.random.default_rng([self.seed, self.epoch])
        self.order = rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        copies = self.x.shape[0] if self.cached and self.augment else 1
        self.copy = rng.integers(0, copies, self.n)  # which cached copy each item uses

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        if self.cached:
            x = self.x[self.copy[rows], rows].astype(np.float32, copy=False)
        else:
            x = self.x[rows]
            if self.augment:
                x = crop_flip(x, np.random.default_rng([self.seed, self.epoch, index]))
            x = self.clf.preprocess(x)
        return x, self.y[rows].astype(np.int32)

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._draw()


def _train_model(clf: Classifier, cut: str | None) -> keras.Model:
    """The model ``fit`` trains: the classifier itself, or its part above ``cut`` + the head."""
    if cut is None:
        return clf.model
    top = submodel(clf, cut)
    inside = {layer.name for layer in flat_layers(top)}
    outside = [name for name in clf.trainable_layers if name not in inside]
    if outside:
        raise ValueError(f"layers {outside[:3]} train but lie below the cut {cut!r}; "
                         "compute activations at trainable_cut(clf) or lower")
    if ("train", cut) not in clf.views:
        x = keras.Input(top.input_shape[1:], name=f"{cut}_activations")
        out = top(x)
        for layer in clf.head:
            out = layer(out)
        clf.views[("train", cut)] = keras.Model(x, out, name=f"{clf.model.name}_from_{cut}")
    return clf.views[("train", cut)]


def fit(clf: Classifier, train: Data, val: Data | None = None,
        recipe: Recipe | None = None, verbose: int = 0) -> TrainResult:
    """Train ``clf`` on ``train`` (``(images, labels)`` or labelled :class:`Activations`).

    With ``val`` (same forms), early stopping on ``recipe.monitor`` restores the best epoch.
    Only the trainable layers change (see :func:`set_trainable`).
    """
    recipe = recipe or Recipe()
    cut = train.cut if isinstance(train, Activations) else None
    if isinstance(val, Activations) and val.cut != cut:
        raise ValueError(f"train is cut at {cut!r} but val at {val.cut!r}")
    stream = _Batches(clf, train, recipe.augment, recipe.batch_size, recipe.seed, shuffle=True)
    val_stream = None if val is None else _Batches(clf, val, False, 64, recipe.seed, False)
    early = val_stream is not None and recipe.patience > 0
    run = training.fit(lambda: _train_model(clf, cut), stream, val_stream,
                       recipe.replace(patience=recipe.patience if early else 0, keep_best=early),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                       verbose=verbose)
    return TrainResult(
        history=run.history, seconds=run.seconds, epoch_seconds=run.epoch_seconds,
        epochs_run=run.epochs_run, best_epoch=run.best_epoch, stopped_early=run.stopped_early,
        trainable_params=run.trainable_params, recipe=recipe, cut=cut,
    )


class _Inference(keras.utils.PyDataset):
    """Preprocessed batches of images, for ``predict`` (compiled, unlike eager calls)."""

    def __init__(self, clf: Classifier, images: np.ndarray, batch_size: int) -> None:
        super().__init__()
        self.clf, self.images, self.batch_size = clf, images, batch_size

    def __len__(self) -> int:
        return -(-len(self.images) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray]:
        batch = self.images[index * self.batch_size:(index + 1) * self.batch_size]
        return (self.clf.preprocess(batch),)


def _run(clf: Classifier, data: Data, with_head: bool, batch_size: int) -> np.ndarray:
    if isinstance(data, Activations):
        model = _train_model(clf, data.cut) if with_head else submodel(clf, data.cut)
        return model.predict(data.values[0], batch_size=batch_size, verbose=0)
    images = np.asarray(data[0] if isinstance(data, tuple) else data)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, H, W, 3); got shape {images.shape}")
    model = clf.model if with_head else clf.base
    return model.predict(_Inference(clf, images, batch_size), verbose=0)


def embed(clf: Classifier, data: Data, batch_size: int = 64) -> np.ndarray:
    """The encoder's vectors (head dropped) for images or :class:`Activations` (copy 0)."""
    return _run(clf, data, with_head=False, batch_size=batch_size)


def predict(clf: Classifier, data: Data, batch_size: int = 64) -> np.ndarray:
    """Class probabilities (N, n_classes) for images or :class:`Activations` (copy 0)."""
    return _run(clf, data, with_head=True, batch_size=batch_size)


def accuracy(clf: Classifier, data: Data, labels: Sequence | None = None) -> float:
    """Fraction of items whose most probable class is their label."""
    if labels is None:
        labels = data.labels if isinstance(data, Activations) else data[1]
    return float((predict(clf, data).argmax(axis=1) == np.asarray(labels)).mean())


def batches(clf: Classifier, data: Data, *, augment: bool = False, batch_size: int = 64,
            seed: int = 0, shuffle: bool = False) -> keras.utils.PyDataset:
    """``data`` (``(images, labels)`` or labelled :class:`Activations`) in the batches
    :func:`fit` trains on: images cropped and flipped when ``augment``, then preprocessed for
    ``clf``; cached activations drawn from a random copy each epoch when ``augment``; the order
    reshuffled every epoch from ``seed`` when ``shuffle``. For a notebook's own training call
    (``helpers.training.fit(model, batches(clf, train, ...), batches(clf, val), ...)``)."""
    return _Batches(clf, data, augment, batch_size, seed, shuffle)
