"""Siamese networks with the contrastive loss of Hadsell, Chopra and LeCun (2006).

Report 04 (Fetz et al. 2021) trained a Siamese network on generated pairs of training images,
with a pretrained ResNet50 inside, dense layers and batch normalisation on top, a contrastive
loss, and ``EarlyStopping`` + ``ReduceLROnPlateau``. Notebook 05's ranker can build on the same
pieces, so each is usable on its own:

* :func:`make_pairs`: seeded positive/negative pairs from labels (any grouping works: class
  labels, object ids, or the pair ids of Totally Looks Like, where each "class" has 2 images);
* :class:`PairDataset`: a ``keras.utils.PyDataset`` serving pair batches, drawing fresh pairs
  every epoch, optionally from several *views* of each item (e.g. features of flipped images);
* :func:`contrastive_loss` / :class:`ContrastiveLoss`: the Hadsell et al. loss;
* :func:`build_embedding_head`: dense (+ batch norm) layers from a feature vector to an
  embedding; :func:`build_image_embedder` puts a pretrained backbone under such a head;
* :func:`build_siamese`: two inputs, one shared embedder, their Euclidean distance;
* :func:`train`: compile and fit with the report's callbacks.

**Label convention (Hadsell et al. 2006, eq. 4)**: ``Y = 0`` for a *similar* pair, ``Y = 1``
for a *dissimilar* one, and with ``D`` the Euclidean distance of the two embeddings and ``m``
the margin::

    L(Y, D) = (1 - Y) * 1/2 * D**2  +  Y * 1/2 * max(0, m - D)**2

Many tutorials use the opposite labels (1 = similar). Mixing the two conventions silently
trains the network to push similar images apart, so the constants :data:`SIMILAR` and
:data:`DISSIMILAR` are used everywhere here, and the tests pin them down.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import ops  # noqa: E402

from helpers import training  # noqa: E402

#: Hadsell et al.'s label for a pair showing the same class / object.
SIMILAR = 0
#: Hadsell et al.'s label for a pair showing different classes / objects.
DISSIMILAR = 1


# --------------------------------------------------------------------------------- pairs
@dataclass(frozen=True)
class Pairs:
    """Index pairs into one array of items and their Hadsell labels (0 similar, 1 dissimilar)."""

    first: np.ndarray
    second: np.ndarray
    y: np.ndarray
    #: Positive pairs asked for but impossible (the anchor's class has no other member); they
    #: were replaced by negative pairs so the number of pairs stays as requested.
    skipped_positives: int = 0

    def __len__(self) -> int:
        return len(self.y)

    @property
    def positive_fraction(self) -> float:
        return float(np.mean(self.y == SIMILAR)) if len(self.y) else 0.0


def make_pairs(
    labels: Sequence[Any] | np.ndarray,
    n_pairs: int | None = None,
    *,
    positive_fraction: float = 0.5,
    seed: int = 0,
) -> Pairs:
    """Seeded positive and negative pairs over items labelled ``labels``.

    Every item serves as the anchor of about the same number of pairs (anchors are drawn by
    cycling through shuffled indices), so no item dominates. A positive pair joins the anchor
    with a *different* item of its label; a negative pair with an item of another label.
    ``n_pairs`` defaults to ``2 * len(labels)``. The same ``seed`` gives the same pairs.
    """
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) < 2:
        raise ValueError(f"labels must be a 1-d sequence of at least 2 items, got shape {y.shape}")
    if not 0.0 <= positive_fraction <= 1.0:
        raise ValueError(f"positive_fraction must lie in [0, 1], got {positive_fraction}")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2 and positive_fraction < 1.0:
        raise ValueError("all items share one label: no negative (dissimilar) pair exists")
    n = 2 * len(y) if n_pairs is None else int(n_pairs)
    if n < 1:
        raise ValueError(f"n_pairs must be positive, got {n_pairs}")
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(codes == c) for c in range(len(classes))]
    others = [np.flatnonzero(codes != c) for c in range(len(classes))]
    reps = math.ceil(n / len(y))
    anchors = np.concatenate([rng.permutation(len(y)) for _ in range(reps)])[:n]
    want_positive = np.zeros(n, dtype=bool)
    want_positive[: round(n * positive_fraction)] = True
    rng.shuffle(want_positive)

    second = np.empty(n, dtype=np.int64)
    labels_out = np.empty(n, dtype=np.float32)
    skipped = 0
    for i, (a, positive) in enumerate(zip(anchors, want_positive, strict=True)):
        own = members[codes[a]]
        if positive and len(own) > 1:
            # Draw among the other members: index into own without the anchor itself.
            j = rng.integers(len(own) - 1)
            second[i] = own[j] if own[j] != a else own[-1]
            labels_out[i] = SIMILAR
            continue
        if positive:
            skipped += 1
        if len(classes) < 2:
            raise ValueError("a positive pair is impossible and no negative pair exists")
        candidates = others[codes[a]]
        second[i] = candidates[rng.integers(len(candidates))]
        labels_out[i] = DISSIMILAR
    return Pairs(anchors.astype(np.int64), second, labels_out, skipped)


class PairDataset(keras.utils.PyDataset):
    """Batches ``((x_first, x_second), y)`` of pairs drawn by :func:`make_pairs`.

    ``views`` is one array (N, ...) of items (images or feature vectors) or a list of arrays of
    the same shape holding different views of the same items (the original and augmented
    copies): each pair member then comes from a randomly chosen view. With ``resample`` the
    pairs are drawn afresh every epoch (seed + epoch), which shows the network many more pairs
    than a fixed list; use ``resample=False`` for a validation set, whose loss must be
    comparable across epochs for EarlyStopping.
    """

    def __init__(
        self,
        views: np.ndarray | Sequence[np.ndarray],
        labels: Sequence[Any] | np.ndarray,
        *,
        n_pairs: int | None = None,
        batch_size: int = 32,
        positive_fraction: float = 0.5,
        seed: int = 0,
        resample: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.views = [np.asarray(views)] if isinstance(views, np.ndarray) else list(views)
        if not self.views or any(v.shape != self.views[0].shape for v in self.views):
            raise ValueError("views must be one array or a list of arrays of the same shape")
        self.labels = np.asarray(labels)
        if len(self.labels) != len(self.views[0]):
            raise ValueError(f"{len(self.labels)} labels for {len(self.views[0])} items")
        self.n_pairs = 2 * len(self.labels) if n_pairs is None else int(n_pairs)
        self.batch_size = int(batch_size)
        self.positive_fraction = positive_fraction
        self.seed, self.resample, self.epoch = int(seed), bool(resample), 0
        self._draw()

    def _draw(self) -> None:
        seed = self.seed + (self.epoch if self.resample else 0)
        self.pairs = make_pairs(
            self.labels, self.n_pairs, positive_fraction=self.positive_fraction, seed=seed
        )
        rng = np.random.default_rng(seed + 7919)  # a different stream from the pair draw
        self._view_first = rng.integers(len(self.views), size=len(self.pairs))
        self._view_second = rng.integers(len(self.views), size=len(self.pairs))

    def __len__(self) -> int:
        return math.ceil(self.n_pairs / self.batch_size)

    def _gather(self, index: np.ndarray, view: np.ndarray) -> np.ndarray:
        out = np.empty((len(index),) + self.views[0].shape[1:], dtype=self.views[0].dtype)
        for v, array in enumerate(self.views):
            mask = view == v
            out[mask] = array[index[mask]]
        return out.astype("float32", copy=False)

    def __getitem__(self, i: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        sl = slice(i * self.batch_size, min((i + 1) * self.batch_size, self.n_pairs))
        first = self._gather(self.pairs.first[sl], self._view_first[sl])
        second = self._gather(self.pairs.second[sl], self._view_second[sl])
        return (first, second), self.pairs.y[sl]

    def on_epoch_end(self) -> None:
        if self.resample:
            self.epoch += 1
            self._draw()


# ---------------------------------------------------------------------------------- loss
def contrastive_loss(y_true: Any, distance: Any, margin: float = 1.0) -> Any:
    """Hadsell et al.'s loss per pair: ``(1-Y) D^2 / 2 + Y max(0, m - D)^2 / 2``.

    ``y_true`` holds 0 for similar and 1 for dissimilar pairs; ``distance`` the Euclidean
    distance of the two embeddings (what :func:`build_siamese` outputs). Shapes (B,) or (B, 1).
    """
    y = ops.reshape(ops.cast(y_true, "float32"), (-1,))
    d = ops.reshape(ops.cast(distance, "float32"), (-1,))
    similar_term = 0.5 * ops.square(d)
    dissimilar_term = 0.5 * ops.square(ops.maximum(margin - d, 0.0))
    return (1.0 - y) * similar_term + y * dissimilar_term


@keras.saving.register_keras_serializable(package="lookalike")
class ContrastiveLoss(keras.losses.Loss):
    """:func:`contrastive_loss` as a Keras loss (mean over the batch by default)."""

    def __init__(self, margin: float = 1.0, name: str = "contrastive", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.margin = float(margin)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return contrastive_loss(y_true, y_pred, self.margin)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "margin": self.margin}


# -------------------------------------------------------------------------------- models
@keras.saving.register_keras_serializable(package="lookalike")
class PairDistance(keras.layers.Layer):
    """Euclidean distance of two embeddings, shape (B, 1).

    ``sqrt`` has an infinite gradient at 0, which a similar pair reaches easily; clamping the
    squared distance at ``eps`` keeps training finite.
    """

    def __init__(self, eps: float = 1e-9, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.eps = float(eps)

    def call(self, first: Any, second: Any) -> Any:
        squared = ops.sum(ops.square(first - second), axis=-1, keepdims=True)
        return ops.sqrt(ops.maximum(squared, self.eps))

    def compute_output_shape(self, first_shape: Any, second_shape: Any = None) -> Any:
        return tuple(first_shape[:-1]) + (1,)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "eps": self.eps}


def build_embedding_head(
    input_dim: int,
    *,
    hidden: Sequence[int] = (512,),
    embedding_dim: int = 128,
    batch_norm: bool = True,
    dropout: float = 0.0,
    final_activation: str | None = None,
    l2_normalize: bool = True,
    name: str = "embedding_head",
) -> keras.Model:
    """Feature vector -> embedding: ``[Dense(relu) -> BatchNorm -> Dropout] * len(hidden)``.

    The report ended its head in a sigmoid (``final_activation="sigmoid"``). With
    ``l2_normalize`` the embeddings lie on the unit sphere, so distances lie in [0, 2] and a
    margin of about 1 means "orthogonal or further"; without it the margin must be tuned to
    the scale the network happens to learn.
    """
    inputs = keras.Input((int(input_dim),), name=f"{name}_input")
    x = inputs
    for i, units in enumerate(hidden):
        x = keras.layers.Dense(int(units), activation="relu", name=f"{name}_dense{i}")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    x = keras.layers.Dense(
        int(embedding_dim), activation=final_activation, name=f"{name}_embedding"
    )(x)
    if l2_normalize:
        x = keras.layers.UnitNormalization(name=f"{name}_l2")(x)
    return keras.Model(inputs, x, name=name)


def build_image_embedder(
    backbone: str,
    head: keras.Model | None = None,
    *,
    image_size: int = 224,
    weights: str | None = "imagenet",
    tap: str = "avg",
    trainable_backbone: bool = False,
    base: keras.Model | None = None,
    name: str | None = None,
) -> tuple[keras.Model, Any]:
    """[0, 255] RGB images -> backbone's own preprocessing -> pretrained backbone -> head.

    Returns ``(embedder, weights_info)`` where ``weights_info`` is what
    ``helpers.backbones.build`` reports (its ``.source`` says whether real weights loaded).
    The backbone runs with ``training=False`` so its BatchNorm layers stay in inference mode
    even when fine-tuned (the MobileNet weights here have BN folded into the convolutions, and
    batch statistics would wreck them). ``head=None`` gives a default
    :func:`build_embedding_head` sized to the backbone's output. ``base`` reuses a feature
    extractor already built by ``backbones.build`` (the one whose cached features trained the
    head: with random initialisation a second build would hold different weights); then
    ``weights_info`` is None.
    """
    from helpers import backbones, preprocessing

    weights_info = None
    if base is None:
        base, weights_info = backbones.build(backbone, tap=tap, weights=weights, image_size=image_size)
    base.trainable = bool(trainable_backbone)
    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = preprocessing.layer("imagenet", backbone)(inputs)
    x = base(x, training=False)
    if len(x.shape) != 2:
        raise ValueError(f"tap {tap!r} of {backbone} gives shape {x.shape}; need (batch, dim)")
    head = head or build_embedding_head(int(x.shape[-1]))
    outputs = head(x)
    return keras.Model(inputs, outputs, name=name or f"{backbone}_embedder"), weights_info


def build_siamese(embedder: keras.Model, name: str = "siamese") -> keras.Model:
    """Two inputs of the embedder's input shape, one shared embedder, their distance (B, 1).

    Works for any embedder: a head over cached features (fast: the frozen backbone runs once
    per image, not once per pair) or a full image embedder from :func:`build_image_embedder`.
    """
    shape = tuple(embedder.input_shape[1:])
    first = keras.Input(shape, name="first")
    second = keras.Input(shape, name="second")
    distance = PairDistance(name="distance")(embedder(first), embedder(second))
    return keras.Model([first, second], distance, name=name)


#: The report's Siamese training: Adam 1e-3, early stopping with the best weights kept.
SIAMESE_RECIPE = training.Recipe(optimizer="adam", learning_rate=1e-3, epochs=20, patience=5)


def train(
    siamese: keras.Model,
    train_pairs: PairDataset,
    val_pairs: PairDataset | None = None,
    recipe: training.Recipe = SIAMESE_RECIPE,
    margin: float = 1.0,
    verbose: int = 0,
) -> training.TrainingRun:
    """Adam + :class:`ContrastiveLoss`, EarlyStopping and ReduceLROnPlateau as in the report.

    Both callbacks watch the validation loss when ``val_pairs`` is given (else the training
    loss); EarlyStopping restores the best weights, ReduceLROnPlateau halves the learning rate
    after ``recipe.patience // 2`` flat epochs, so it acts before training stops. The pairs
    batch themselves (``recipe.batch_size`` is not used); ``recipe.seed`` seeds the run.
    """
    monitor = "val_loss" if val_pairs is not None else "loss"
    reduce = keras.callbacks.ReduceLROnPlateau(
        monitor=monitor, factor=0.5, patience=max(1, recipe.patience // 2), verbose=verbose
    )
    return training.fit(siamese, train_pairs, val_pairs, recipe,
                        loss=ContrastiveLoss(margin=margin), callbacks=[reduce], verbose=verbose)


def embed(embedder: keras.Model, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Embeddings of a batch of items (features or images) as a float32 NumPy array."""
    return np.asarray(embedder.predict(np.asarray(x, "float32"), batch_size=batch_size, verbose=0))
