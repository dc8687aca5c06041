"""Report 02's fine-tuning experiments: layer configurations, a trunk cache, runs scored by LOO.

One run = reset the classifier to its pretrained weights, make a layer configuration trainable,
fit with a recipe (early stopping on validation), drop the head, and score the encoder's
vectors by leave-one-out top-1/top-5 on the validation and test splits (report 02's metric).

:class:`TrunkCache` computes the frozen trunk's outputs once per split at the lowest cut any
configuration needs, and derives higher cuts from it on demand, so a grid of runs costs one
pass of the trunk plus training of the top layers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers import training
from helpers.classifiers.model import Activations, Classifier, Recipe, TrainResult, flat_layers
from helpers.classifiers.model import reset as reset_classifier
from helpers.classifiers.model import set_trainable as set_trainable_groups
from helpers.classifiers.training import activations, embed, fit, predict, trainable_cut


def score(vectors: np.ndarray, labels: Sequence) -> dict[str, float]:
    """Report 02's metric: leave-one-out top-1 and top-5 (cosine) of encoder vectors."""
    from helpers import retrieval

    return retrieval.loo_topk(vectors, np.asarray(labels), ks=(1, 5))


def top1_hits(vectors: np.ndarray, labels: Sequence) -> np.ndarray:
    """Each item's leave-one-out top-1 hit (0/1): the per-item scores :func:`score` averages."""
    from helpers import retrieval

    return np.asarray(retrieval.loo_topk(vectors, np.asarray(labels), ks=(1,),
                                         per_item=True)["top1"], dtype=int)


class TrunkCache:
    """Frozen-trunk activations of each split at ``cut``, with higher cuts derived and kept.

    ``splits`` maps a split name to ``(uint8 images, labels)``; ``copies`` how many versions
    of each image to cache per split (1 = as is; more adds augmented copies, for training).
    ``dtype=np.float16`` halves the memory (ResNet50's stage-4 output is 800 kB per image).
    """

    def __init__(self, clf: Classifier, splits: Mapping[str, tuple[np.ndarray, Any]],
                 cut: str, copies: Mapping[str, int] | int = 1, seed: int = 0,
                 dtype: Any = np.float32) -> None:
        start = time.perf_counter()
        self.clf, self.cut = clf, cut
        self._by_cut: dict[str, dict[str, Activations]] = {cut: {}}
        for i, (name, (images, labels)) in enumerate(splits.items()):
            k = copies if isinstance(copies, int) else copies.get(name, 1)
            self._by_cut[cut][name] = activations(clf, images, labels, cut=cut, copies=k,
                                                  seed=seed + i, dtype=dtype)
        self.seconds = time.perf_counter() - start

    def at(self, cut: str) -> dict[str, Activations]:
        """Every split's activations at ``cut`` (computed from the base cut once, then kept)."""
        if cut not in self._by_cut:
            start = time.perf_counter()
            self._by_cut[cut] = {name: activations(self.clf, acts, cut=cut)
                                 for name, acts in self._by_cut[self.cut].items()}
            self.seconds += time.perf_counter() - start
        return self._by_cut[cut]

    def nbytes(self) -> int:
        return sum(a.values.nbytes for split in self._by_cut.values() for a in split.values())


def lowest_cut(clf: Classifier, configs: Sequence[Sequence[str]]) -> str:
    """The earliest :func:`trainable_cut` over ``configs``: one cache serves all of them."""
    order = {layer.name: i for i, layer in enumerate(flat_layers(clf.base))}
    cuts = []
    for groups in configs:
        set_trainable_groups(clf, groups)
        cuts.append(trainable_cut(clf))
    return min(cuts, key=lambda name: order.get(name, -1))


@dataclass
class Run:
    """One fine-tuning run: what trained, how, and the encoder's scores."""

    label: str
    groups: tuple[str, ...]
    recipe: Recipe
    result: TrainResult
    scores: dict[str, float]
    vectors: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    weights: list[np.ndarray] = field(repr=False, default_factory=list)  # base, then head
    # Per test item, 0/1: "test_top1" (LOO hit of the encoder), "test_accuracy" (head correct).
    hits: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The run as a table row (scores, epochs, time)."""
        return {"run": self.label, **{k: round(v, 4) for k, v in self.scores.items()},
                "epochs": self.result.epochs_run, "best epoch": self.result.best_epoch,
                "seconds": round(self.result.seconds, 1)}


def finetune(clf: Classifier, cache: TrunkCache, groups: Sequence[str], recipe: Recipe,
             label: str = "", splits: tuple[str, str, str] = ("train", "val", "test"),
             train_rows: Any = None) -> Run:
    """Reset ``clf``, train ``groups`` with ``recipe`` on cached activations, score the encoder.

    ``scores``: ``val_top1``, ``test_top1``, ``test_top5`` (LOO of the head-less encoder) and
    ``test_accuracy`` (of the softmax head, which report 02 discards). ``train_rows`` trains
    on a subset of the training items, without augmented copies (the scheme comparison).
    """
    reset_classifier(clf, seed=recipe.seed)
    set_trainable_groups(clf, tuple(groups))
    data = cache.at(trainable_cut(clf))
    train, val, test = (data[s] for s in splits)
    if train_rows is not None:
        train = train.take(train_rows, copies=1)
    result = fit(clf, train, val, recipe)
    vectors = {"val": embed(clf, val), "test": embed(clf, test)}
    scores = {"val_top1": score(vectors["val"], val.labels)["top1"]}
    scores.update({f"test_{k}": v for k, v in score(vectors["test"], test.labels).items()})
    correct = (predict(clf, test).argmax(1) == test.labels).astype(int)
    scores["test_accuracy"] = float(correct.mean())
    hits = {"test_top1": top1_hits(vectors["test"], test.labels), "test_accuracy": correct}
    return Run(label or "+".join(groups), tuple(groups), recipe, result, scores, vectors,
               _snapshot(clf), hits)


def _snapshot(clf: Classifier) -> list[np.ndarray]:
    return clf.base.get_weights() + [w.numpy().copy() for w in clf.head[-1].weights]


def restore(clf: Classifier, run: Run) -> None:
    """Put the weights ``run`` ended with back into ``clf`` (to reuse its encoder later)."""
    n = len(clf.base.weights)
    clf.base.set_weights(run.weights[:n])
    for variable, value in zip(clf.head[-1].weights, run.weights[n:], strict=True):
        variable.assign(value)


def linear_probe(train: np.ndarray, train_labels: Sequence, test: np.ndarray,
                 test_labels: Sequence, n_classes: int, epochs: int = 30,
                 seed: int = 0) -> float:
    """Test accuracy of a softmax layer trained on frozen vectors (Khosla et al.'s stage 2)."""
    import keras

    mean, std = train.mean(0), train.std(0) + 1e-6
    recipe = training.Recipe(optimizer="adam", learning_rate=1e-3, epochs=epochs, batch_size=64,
                             keep_best=False, seed=seed)
    model = training.fit(lambda: keras.Sequential([
        keras.Input((train.shape[1],)), keras.layers.Dense(n_classes, activation="softmax")]),
        ((train - mean) / std, np.asarray(train_labels)), None, recipe,
        loss="sparse_categorical_crossentropy").model
    pred = model.predict((test - mean) / std, verbose=0).argmax(1)
    return float((pred == np.asarray(test_labels)).mean())


@dataclass(frozen=True)
class ContrastiveObjective:
    """What contrastive fine-tuning optimises: ``loss`` ``"supcon"`` (Khosla et al.,
    ``temperature``) or ``"margin"`` (the report's pair loss, ``margin``), on a linear
    projection to ``projection_dim``, with batches from ``sampler`` (``"balanced"``: every
    class at least twice, or ``"plain"``)."""

    loss: str = "supcon"
    temperature: float = 0.1
    margin: float = 1.0
    projection_dim: int = 128
    sampler: str = "balanced"


def supcon_finetune(clf: Classifier, cache: TrunkCache, groups: Sequence[str], recipe: Recipe,
                    objective: ContrastiveObjective = ContrastiveObjective(),
                    probe_epochs: int = 30, label: str = "") -> Run:
    """Contrastive training of ``groups`` (encoder + linear projection, two views), then score.

    ``objective`` says the loss (:class:`ContrastiveObjective`); the views are two distinct
    cached copies of each training image (so ``cache`` needs >= 2 copies of "train"). No early stopping (the loss is not a
    validation signal); ``recipe.epochs`` runs unless the loss turns NaN, which stops training.
    Scores as :func:`finetune`, with ``test_accuracy`` from :func:`linear_probe` on the frozen
    encoder and ``loss_finite`` saying whether every epoch's loss was a number.
    """
    from helpers.classifiers.training import submodel
    from helpers.metric_learning import contrastive

    reset_classifier(clf, seed=recipe.seed)
    set_trainable_groups(clf, tuple(groups))
    cut = trainable_cut(clf)
    data = cache.at(cut)
    train, val, test = data["train"], data["val"], data["test"]
    if train.copies < 2:
        raise ValueError("contrastive training needs >= 2 cached copies of the training split")
    loss, projection_dim = objective.loss, objective.projection_dim
    losses = {"supcon": contrastive.SupConLoss(objective.temperature),
              "margin": contrastive.MarginContrastiveLoss(objective.margin)}
    if loss not in losses:
        raise ValueError(f"loss must be one of {sorted(losses)}, got {loss!r}")
    stream = contrastive.ViewBatches(train.values, train.labels, recipe.batch_size,
                                     sampler=objective.sampler, seed=recipe.seed)
    # No validation signal: every epoch runs (unless the loss turns NaN), the last is kept.
    run = training.fit(lambda: contrastive.projection_model(submodel(clf, cut), projection_dim),
                       stream, None, recipe.replace(patience=0, keep_best=False),
                       loss=losses[loss])
    history = run.history
    finite = bool(np.isfinite(history.get("loss", [np.nan])).all())
    result = TrainResult(history, run.seconds, run.epoch_seconds, run.epochs_run,
                         run.epochs_run, run.stopped_early, run.trainable_params, recipe, cut)
    vectors = {s: embed(clf, a) for s, a in (("train", train), ("val", val), ("test", test))}
    ok = all(np.isfinite(v).all() for v in vectors.values())
    scores = {"val_top1": score(vectors["val"], val.labels)["top1"] if ok else np.nan}
    test_scores = score(vectors["test"], test.labels) if ok else {"top1": np.nan, "top5": np.nan}
    scores.update({f"test_{k}": v for k, v in test_scores.items()})
    scores["test_accuracy"] = linear_probe(vectors["train"], train.labels, vectors["test"],
                                           test.labels, clf.n_classes, probe_epochs,
                                           recipe.seed) if ok else np.nan
    scores["loss_finite"] = float(finite)
    hits = {"test_top1": top1_hits(vectors["test"], test.labels)} if ok else {}
    return Run(label or f"{loss} {'+'.join(groups)}", tuple(groups), recipe, result, scores,
               vectors, _snapshot(clf), hits)


def embed_copies(clf: Classifier, acts: Activations) -> np.ndarray:
    """Encoder vectors of every cached copy: (K, N, D), e.g. views for a contrastive check."""
    return np.stack([embed(clf, Activations(acts.cut, acts.values[k:k + 1], acts.labels))
                     for k in range(acts.copies)])
