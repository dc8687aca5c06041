"""Supervised contrastive learning (report 02): losses, batch samplers and the training model.

Report 02 trained an encoder with a 128-d linear projection and a margin-based pairwise
contrastive loss (batch 64, code from ``wangz10/contrastive_loss``); after ~30 epochs every
weight became NaN. Two mechanisms can do that, and both are reproduced here behind
``guard=False`` so a notebook can show the failure next to the fix:

* :func:`supcon_loss` (Khosla et al. 2020, eq. 2) averages ``log p(positive)`` over each
  anchor's positives. With one view per image and a class present once in the batch, that
  anchor has no positive and the mean is 0/0 = NaN: the report's own diagnosis. The fix is the
  paper's recipe: two augmented views (an anchor's other view is always a positive), the anchor
  excluded from its positives and its denominator, anchors without positives left out of the
  mean, a log-sum-exp shifted by the row maximum, and a class-balanced batch sampler
  (:func:`balanced_batches`) so every class in a batch appears at least twice.
* :func:`margin_contrastive_loss` (Hadsell et al. 2006, the loss the report used) needs
  Euclidean distances. ``sqrt(|a|^2 - 2 a.b + |b|^2)`` over the whole square matrix has zeros
  (or round-off negatives) on its diagonal, and the gradient of ``sqrt`` there is ``0 / 0``:
  one such batch turns every weight into NaN, at a random moment. The guard clamps the squared
  distance away from zero before the square root.

Everything is written with ``keras.ops`` (no ``tf.GradientTape``), so training runs through
``model.fit`` on any Keras backend.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import ops  # noqa: E402

from helpers import training  # noqa: E402

_EPS = 1e-12


def _views(features: Any) -> Any:
    """(N, D) -> (N, 1, D); (N, V, D) stays. Anything else is an error."""
    features = ops.convert_to_tensor(features)
    if len(features.shape) == 2:
        return ops.expand_dims(features, 1)
    if len(features.shape) != 3:
        raise ValueError(f"features must be (N, D) or (N, views, D); got shape {features.shape}")
    return features


def _flatten_views(features: Any, labels: Any) -> tuple[Any, Any]:
    """(N, V, D) + (N,) -> (V*N, D) + (V*N,), view-major as in Khosla et al.'s reference code."""
    features = _views(features)
    n_views = features.shape[1]
    z = ops.concatenate([features[:, v, :] for v in range(n_views)], axis=0)
    y = ops.reshape(ops.convert_to_tensor(labels), (-1,))
    y = ops.concatenate([y] * n_views, axis=0)
    return z, y


def supcon_loss(
    features: Any,
    labels: Any,
    temperature: float = 0.1,
    base_temperature: float | None = None,
    guard: bool = True,
) -> Any:
    """Supervised contrastive loss L^sup_out (Khosla et al. 2020, eq. 2), a scalar tensor.

    ``features`` is (N, D) (one view) or (N, V, D) (V augmented views of each of N images);
    they are L2-normalised here. ``labels`` is (N,). For every anchor i among the V*N vectors,
    the positives P(i) are the other vectors with i's label (i itself excluded, its other views
    included) and the denominator runs over every vector but i:

        L = mean_i  -(T / T_base) / |P(i)| * sum_{p in P(i)} log( exp(z_i.z_p / T)
                                                  / sum_{a != i} exp(z_i.z_a / T) )

    ``base_temperature`` (``T_base``) defaults to ``temperature`` (no rescaling; the reference
    code used 0.07). With ``guard=True`` anchors with no positive are left out of the mean
    (and the loss is 0 if no anchor has one); with ``guard=False`` they divide by zero and the
    loss is NaN, which is the failure report 02 hit with single views and singleton classes.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    base_temperature = temperature if base_temperature is None else base_temperature
    z, y = _flatten_views(features, labels)
    z = ops.cast(z, "float32")
    z = z / ops.sqrt(ops.maximum(ops.sum(z * z, axis=1, keepdims=True), _EPS))
    m = ops.shape(z)[0]
    logits = ops.matmul(z, ops.transpose(z)) / temperature
    not_self = 1.0 - ops.eye(m, dtype="float32")
    # Shift each row by its largest *non-self* logit before exponentiating (the log-sum-exp
    # trick): exp never overflows, the denominator is >= 1 so its log is finite even at a tiny
    # temperature (shifting by the self-similarity 1/T, as the reference code does, underflows
    # every other term to 0 there), and the shift cancels in log_prob. stop_gradient: a constant.
    row_max = ops.max(ops.where(not_self > 0, logits, -1e9), axis=1, keepdims=True)
    logits = logits - ops.stop_gradient(row_max)
    same = ops.cast(ops.equal(y[:, None], y[None, :]), "float32")
    positives = same * not_self
    # where(), not a product with the mask: the self logit can exceed the shift by up to 2/T,
    # and exp() of that is inf at small T (inf * 0 = NaN).
    exp_others = ops.where(not_self > 0, ops.exp(ops.minimum(logits, 0.0)), 0.0)
    log_prob = logits - ops.log(ops.sum(exp_others, axis=1, keepdims=True))
    n_pos = ops.sum(positives, axis=1)
    pos_sum = ops.sum(ops.where(positives > 0, log_prob, 0.0), axis=1)
    scale = -(temperature / base_temperature)
    if not guard:
        # The reference implementation: 0 / 0 for an anchor without positives.
        return scale * ops.mean(pos_sum / n_pos)
    has_pos = ops.cast(n_pos > 0, "float32")
    per_anchor = pos_sum / ops.maximum(n_pos, 1.0)
    return scale * ops.sum(per_anchor * has_pos) / ops.maximum(ops.sum(has_pos), 1.0)


def margin_contrastive_loss(
    embeddings: Any, labels: Any, margin: float = 1.0, guard: bool = True
) -> Any:
    """The margin-based pairwise contrastive loss (Hadsell et al. 2006) over a batch, a scalar.

    Over every unordered pair (i < j) of the (N, D) or (N, V, D) embeddings (not normalised, as
    in the report), with d the Euclidean distance: ``d^2`` for a same-label pair,
    ``max(margin - d, 0)^2`` otherwise; the mean over pairs. ``guard=False`` computes the
    distance matrix as ``wangz10/contrastive_loss`` did, ``sqrt`` of the expanded square form
    over the whole matrix: its diagonal is zero (or a round-off negative), where the gradient
    of ``sqrt`` is NaN, so training with it breaks sooner or later. ``guard=True`` clamps the
    squared distances to at least 1e-12 first: same values off the diagonal, finite gradients.
    """
    z, y = _flatten_views(embeddings, labels)
    z = ops.cast(z, "float32")
    sq = ops.sum(z * z, axis=1, keepdims=True)
    d2 = sq - 2.0 * ops.matmul(z, ops.transpose(z)) + ops.transpose(sq)
    d = ops.sqrt(d2) if not guard else ops.sqrt(ops.maximum(d2, _EPS))
    m = ops.shape(z)[0]
    upper = ops.triu(ops.ones((m, m), dtype="float32"), k=1)
    same = ops.cast(ops.equal(y[:, None], y[None, :]), "float32")
    d2_pos = ops.square(d) if not guard else ops.maximum(d2, 0.0)
    per_pair = same * d2_pos + (1.0 - same) * ops.square(ops.relu(margin - d))
    # where() rather than a product with the mask: 0 * NaN on the diagonal would still be NaN
    # in the forward pass of the unguarded loss, and the point is to show it in the gradient.
    per_pair = ops.where(upper > 0, per_pair, ops.zeros_like(per_pair))
    return ops.sum(per_pair) / ops.maximum(ops.sum(upper), 1.0)


@keras.saving.register_keras_serializable(package="lookalike")
class SupConLoss(keras.losses.Loss):
    """:func:`supcon_loss` as a Keras loss: ``y_true`` labels (B,), ``y_pred`` (B, V, D)."""

    def __init__(self, temperature: float = 0.1, base_temperature: float | None = None,
                 guard: bool = True, name: str = "supcon", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.temperature, self.base_temperature, self.guard = temperature, base_temperature, guard

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return supcon_loss(y_pred, y_true, self.temperature, self.base_temperature, self.guard)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "temperature": self.temperature,
                "base_temperature": self.base_temperature, "guard": self.guard}


@keras.saving.register_keras_serializable(package="lookalike")
class MarginContrastiveLoss(keras.losses.Loss):
    """:func:`margin_contrastive_loss` as a Keras loss: labels (B,), embeddings (B, [V,] D)."""

    def __init__(self, margin: float = 1.0, guard: bool = True, name: str = "margin_pairs",
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.margin, self.guard = margin, guard

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return margin_contrastive_loss(y_pred, y_true, self.margin, self.guard)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "margin": self.margin, "guard": self.guard}


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def plain_batches(
    n: int, batch_size: int, seed: int = 0, drop_remainder: bool = False
) -> list[np.ndarray]:
    """One shuffled epoch of index batches, as ``model.fit(shuffle=True)`` would draw them.

    The last batch holds ``n % batch_size`` items unless dropped: with 3842 training images
    and batch 64 (report 02) that is a batch of 2, where singleton classes are all but certain.
    """
    if n < 1 or batch_size < 1:
        raise ValueError(f"need n >= 1 and batch_size >= 1, got n={n}, batch_size={batch_size}")
    order = np.random.default_rng(seed).permutation(n)
    stop = n - n % batch_size if drop_remainder else n
    return [order[i:i + batch_size] for i in range(0, stop, batch_size)]


def balanced_batches(
    labels: Sequence,
    batch_size: int,
    min_per_class: int = 2,
    seed: int = 0,
    n_batches: int | None = None,
) -> list[np.ndarray]:
    """One epoch of class-balanced index batches: every class in a batch appears >= twice.

    Each batch takes ``batch_size // n_classes`` items of every class (the remainder goes to
    classes drawn at random), cycling through each class's shuffled items so every item is
    seen about equally often. When ``batch_size`` cannot give every class ``min_per_class``
    items, each batch takes ``batch_size // min_per_class`` classes (drawn without
    replacement), ``min_per_class`` items each. A class with fewer than ``min_per_class``
    items is an error: no sampler can pair it. ``n_batches`` defaults to
    ``ceil(len(labels) / batch_size)``; every batch is full.
    """
    y = np.asarray(labels)
    classes, counts = np.unique(y, return_counts=True)
    if batch_size < 2 * min_per_class and len(classes) > 1:
        raise ValueError(f"batch_size={batch_size} cannot hold two classes of {min_per_class}")
    small = classes[counts < min_per_class]
    if len(small):
        raise ValueError(f"classes {small.tolist()} have fewer than {min_per_class} items")
    rng = np.random.default_rng(seed)
    pools = {c: rng.permutation(np.flatnonzero(y == c)) for c in classes}
    cursor = dict.fromkeys(classes, 0)

    def take(c: Any, k: int) -> np.ndarray:
        out: list[np.ndarray] = []
        while k > 0:
            if cursor[c] >= len(pools[c]):
                # Reshuffle a used-up class, putting items already in this batch last so a
                # batch repeats an item only when its class is smaller than its quota.
                taken = np.concatenate(out) if out else np.empty(0, int)
                fresh = np.setdiff1d(pools[c], taken)
                pools[c] = np.concatenate([rng.permutation(fresh), rng.permutation(taken)])
                cursor[c] = 0
            got = pools[c][cursor[c]:cursor[c] + k]
            cursor[c] += len(got)
            k -= len(got)
            out.append(got)
        return np.concatenate(out)

    n_batches = n_batches or int(np.ceil(len(y) / batch_size))
    per_batch = min(len(classes), batch_size // min_per_class)
    batches = []
    for _ in range(n_batches):
        chosen = classes if per_batch == len(classes) else rng.choice(classes, per_batch, False)
        quota = np.full(len(chosen), batch_size // len(chosen))
        quota[rng.choice(len(chosen), batch_size - quota.sum(), replace=False)] += 1
        batch = np.concatenate([take(c, int(q)) for c, q in zip(chosen, quota, strict=True)])
        batches.append(rng.permutation(batch))
    return batches


def singleton_batches(batches: Sequence[np.ndarray], labels: Sequence) -> int:
    """How many batches contain a class exactly once (an anchor with no positive, one view)."""
    y = np.asarray(labels)
    return sum(int((np.unique(y[b], return_counts=True)[1] == 1).any()) for b in batches)


class ViewBatches(keras.utils.PyDataset):
    """Feeds ``(x (B, V, ...), labels (B,))`` batches of V views of each image to ``fit``.

    ``copies`` is (K, N, ...): K >= V precomputed versions of each of N inputs (augmented
    images or their frozen-trunk activations); each batch picks V distinct copies per item at
    random. ``sampler`` is ``"balanced"`` (:func:`balanced_batches`) or ``"plain"``
    (:func:`plain_batches`, kept to show the failure); batches are redrawn every epoch from
    ``seed`` so a run is reproducible.
    """

    def __init__(self, copies: np.ndarray, labels: Sequence, batch_size: int = 64,
                 views: int = 2, sampler: str = "balanced", seed: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if sampler not in ("balanced", "plain"):
            raise ValueError(f"sampler must be 'balanced' or 'plain', got {sampler!r}")
        if copies.ndim < 3 or copies.shape[0] < views:
            raise ValueError(f"copies must be (K>={views}, N, ...); got shape {copies.shape}")
        self.copies, self.labels = copies, np.asarray(labels)
        if len(self.labels) != copies.shape[1]:
            raise ValueError(f"{len(self.labels)} labels for {copies.shape[1]} items")
        self.batch_size, self.views, self.sampler, self.seed = batch_size, views, sampler, seed
        self.epoch = 0
        self._draw()

    def _draw(self) -> None:
        seed = self.seed + 1000003 * self.epoch
        if self.sampler == "balanced":
            self.batches = balanced_batches(self.labels, self.batch_size, seed=seed)
        else:
            self.batches = plain_batches(len(self.labels), self.batch_size, seed=seed)
        self._rng = np.random.default_rng(seed + 1)
        self.singletons = singleton_batches(self.batches, self.labels)

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        idx = self.batches[index]
        # V distinct copies per item: argsort of uniform noise is a per-row permutation.
        pick = np.argsort(self._rng.random((len(idx), self.copies.shape[0])), axis=1)
        x = np.stack([self.copies[pick[:, v], idx] for v in range(self.views)], axis=1)
        return x.astype(np.float32, copy=False), self.labels[idx].astype(np.int32)

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._draw()


def projection_model(encoder: keras.Model, projection_dim: int = 128,
                     views: int = 2, name: str = "supcon") -> keras.Model:
    """``encoder`` + a linear ``projection_dim`` projection, applied to every view.

    Input (B, V, *encoder input shape), output (B, V, projection_dim): the views are folded
    into the batch for the encoder and unfolded after, so one model serves
    :class:`SupConLoss` and :class:`MarginContrastiveLoss` through plain ``fit``. The encoder's
    layers are shared, so training this trains ``encoder``; the projection is dropped after
    (Khosla et al.) by simply using ``encoder`` again.
    """
    in_shape = tuple(encoder.input_shape[1:])
    if any(d is None for d in in_shape):
        raise ValueError(f"the encoder needs a fully defined input shape, got {in_shape}")
    x = keras.Input((views, *in_shape), name="views")
    h = encoder(FoldViews(name="fold")(x))
    p = keras.layers.Dense(projection_dim, name="projection")(h)
    return keras.Model(x, UnfoldViews(views, name="unfold")(p), name=name)


@keras.saving.register_keras_serializable(package="lookalike")
class FoldViews(keras.layers.Layer):
    """(B, V, *shape) -> (B*V, *shape): views become batch items for a per-image encoder."""

    def call(self, x: Any) -> Any:
        return ops.reshape(x, (-1, *x.shape[2:]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch = None if input_shape[0] is None else input_shape[0] * input_shape[1]
        return (batch, *input_shape[2:])


@keras.saving.register_keras_serializable(package="lookalike")
class UnfoldViews(keras.layers.Layer):
    """(B*V, D) -> (B, V, D), the inverse of :class:`FoldViews`."""

    def __init__(self, views: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.views = int(views)

    def call(self, x: Any) -> Any:
        return ops.reshape(x, (-1, self.views, x.shape[-1]))

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch = None if input_shape[0] is None else input_shape[0] // self.views
        return (batch, self.views, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "views": self.views}


# ---------------------------------------------------------------------------------------------
# The failure, reproduced
# ---------------------------------------------------------------------------------------------

# (description, loss, views, sampler, is it a fix?): the report's set-ups as it diagnosed
# them and as its code was, then the fixes.
NAN_VARIANTS: tuple[tuple[str, keras.losses.Loss, int, str, bool], ...] = (
    ("SupCon, 1 view, plain batches, no guard", SupConLoss(guard=False), 1, "plain", False),
    ("SupCon, 1 view, plain batches, guarded", SupConLoss(), 1, "plain", True),
    ("SupCon, 2 views, balanced batches, guarded", SupConLoss(), 2, "balanced", True),
    ("margin pairs, sqrt of square form (report's code)", MarginContrastiveLoss(guard=False),
     1, "plain", False),
    ("margin pairs, clamped before sqrt", MarginContrastiveLoss(), 1, "plain", True),
)


class _BatchLosses(keras.callbacks.Callback):
    def on_train_begin(self, logs: Any = None) -> None:
        self.losses: list[float] = []

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.losses.append(float((logs or {}).get("loss", np.nan)))


def _nan_check_model(dim: int, views: int) -> keras.Model:
    encoder = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(256, activation="relu")])
    return projection_model(encoder, 128, views=views)


def nan_check(copies: np.ndarray, labels: Sequence, batch_size: int = 64, epochs: int = 2,
              learning_rate: float = 0.05, seed: int = 0,
              variants: Sequence[tuple[str, keras.losses.Loss, int, str, bool]] = NAN_VARIANTS,
              ) -> list[dict[str, Any]]:
    """Train a small projection head on fixed vectors under each variant; where does NaN appear?

    ``copies`` is (K >= 2, N, D): K versions (e.g. augmented) of N feature vectors. Each row
    says how many batches of the first epoch hold a class only once, the first training step
    whose loss was NaN (None if none) and whether the weights are still finite at the end.
    """
    recipe = training.Recipe(optimizer="sgd", learning_rate=learning_rate, momentum=0.9,
                             epochs=epochs, batch_size=batch_size, keep_best=False, seed=seed)
    rows = []
    for name, loss, views, sampler, fixed in variants:
        stream = ViewBatches(copies, labels, batch_size, views, sampler, seed)
        singletons, recorder = stream.singletons, _BatchLosses()
        model = training.fit(lambda views=views: _nan_check_model(copies.shape[-1], views),
                             stream, None, recipe, loss=loss, callbacks=[recorder]).model
        bad = [i for i, v in enumerate(recorder.losses) if not np.isfinite(v)]
        rows.append({"variant": name, "fixed": fixed, "batches": len(stream),
                     "singleton batches": singletons,
                     "first NaN step": bad[0] + 1 if bad else None,
                     "steps run": len(recorder.losses),
                     "weights finite": all(np.isfinite(w).all() for w in model.get_weights())})
    return rows
