"""Report 02's fine-tuning plumbing: a classifier built from the page's model, a trunk cache,
which layer groups train, and one run's record.

The model (the softmax head, which layers unfreeze), the training calls and the evaluation
call are on notebook 02's page (:mod:`helpers.studies.jacobsen2021.saved`); this module builds
a :class:`FineTunable` from the page's ``softmax_classifier`` and ``unfreeze``, resets it
between runs, and caches what the frozen layers compute.

:class:`TrunkCache` computes the frozen trunk's outputs once per split at the lowest cut any
configuration needs, and derives higher cuts from it on demand, so a grid of runs costs one
pass of the trunk plus training of the top layers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.classifiers.model import (
    Activations,
    Classifier,
    Recipe,
    TrainResult,
    flat_layers,
    scheme_preprocess,
)
from helpers.classifiers.model import reset as reset_weights
from helpers.classifiers.training import activations, trainable_cut


def score(vectors: np.ndarray, labels: Sequence) -> dict[str, float]:
    """Report 02's metric: leave-one-out top-1 and top-5 (cosine) of encoder vectors."""
    from helpers import retrieval

    return retrieval.loo_topk(vectors, np.asarray(labels), ks=(1, 5))


def top1_hits(vectors: np.ndarray, labels: Sequence) -> np.ndarray:
    """Each item's leave-one-out top-1 hit (0/1): the per-item scores :func:`score` averages."""
    from helpers import retrieval

    return np.asarray(retrieval.loo_topk(vectors, np.asarray(labels), ks=(1,),
                                         per_item=True)["top1"], dtype=int)


@dataclass(eq=False)
class FineTunable(Classifier):
    """A :class:`~helpers.classifiers.model.Classifier` whose head and unfreezing come from the
    page: ``unfreeze(base, layer_names) -> names that train`` (notebook 02's ``unfreeze``)."""

    unfreeze: Callable[[Any, set[str]], list[str]] | None = None


def from_base(model: Callable[[Any, int], tuple[Any, list]], unfreeze: Callable[..., list[str]],
              base: Any, n_classes: int, groups: Mapping[str, list[str]] | None = None,
              preprocess: Callable[[np.ndarray], np.ndarray] | None = None,
              backbone: str | None = None, weights: Any = None) -> FineTunable:
    """The page's ``model(base, n_classes) -> (keras model, head layers)`` over any Keras
    ``base`` (images -> one vector each), its layer ``groups`` by name (``"all"`` is added)
    and ``preprocess`` ([0, 255] RGB -> the base's input); nothing trains yet."""
    groups = dict(groups or {})
    groups.setdefault("all", [layer.name for layer in flat_layers(base) if layer.weights])
    keras_model, head = model(base, n_classes)
    clf = FineTunable(base=base, model=keras_model, head=list(head), n_classes=int(n_classes),
                      groups=groups, preprocess=preprocess or _as_float, backbone=backbone,
                      weights=weights, initial_weights=base.get_weights(), unfreeze=unfreeze)
    set_layers(clf, ())
    return clf


def _as_float(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def build(model: Callable[[Any, int], tuple[Any, list]], unfreeze: Callable[..., list[str]],
          backbone: str, n_classes: int, weights: Any = "imagenet",
          image_size: int | None = None) -> FineTunable:
    """:func:`from_base` on a registered backbone (:mod:`helpers.backbones`, average-pooled),
    with the backbone's own preprocessing and layer groups."""
    from helpers import backbones

    base, info = backbones.base(backbone, weights, image_size, include_top=False, pooling="avg")
    return from_base(model, unfreeze, base, n_classes, backbones.layer_groups(backbone, base),
                     scheme_preprocess("imagenet", backbone), backbone, info)


def set_layers(clf: FineTunable, groups: Sequence[str]) -> list[str]:
    """Make the layer ``groups`` of ``clf`` (names in ``clf.groups``) train, with the page's
    ``unfreeze``; the head always trains. Returns the base's layers that train."""
    groups = (groups,) if isinstance(groups, str) else tuple(groups)
    unknown = [g for g in groups if g not in clf.groups]
    if unknown:
        raise ValueError(f"unknown layer groups {unknown}; have {sorted(clf.groups)}")
    names = clf.unfreeze(clf.base, {name for g in groups for name in clf.groups[g]})
    for layer in clf.head:
        layer.trainable = True
    clf.trainable, clf.trainable_layers = (groups or "frozen"), list(names)
    return clf.trainable_layers


def prepare(clf: FineTunable, groups: Sequence[str], seed: int = 0) -> list[str]:
    """Back to the pretrained weights with a freshly initialised head and the head's dropout
    drawing from ``seed``, then :func:`set_layers`: every run starts from the same place
    whatever ran before it (a seed's run is the same alone or in a sweep), and the cached
    trunk stays valid."""
    reset_weights(clf, seed=seed)
    for layer in clf.head:
        generator = getattr(layer, "seed_generator", None)
        if generator is not None:
            generator.state.assign(np.array([seed, 0], dtype=generator.state.dtype))
    return set_layers(clf, groups)


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


def lowest_cut(clf: FineTunable, configs: Sequence[Sequence[str]]) -> str:
    """The earliest trainable cut over ``configs``: one cache serves all of them."""
    order = {layer.name: i for i, layer in enumerate(flat_layers(clf.base))}
    cuts = []
    for groups in configs:
        set_layers(clf, groups)
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


def as_result(run: Any, recipe: Recipe, cut: str | None = None) -> TrainResult:
    """A :class:`TrainResult` from a :func:`helpers.training.fit` run kept to its last epoch."""
    return TrainResult(run.history, run.seconds, run.epoch_seconds, run.epochs_run,
                       run.epochs_run, run.stopped_early, run.trainable_params, recipe, cut)


def snapshot(clf: Classifier) -> list[np.ndarray]:
    """The base's weights, then the softmax layer's: what :func:`restore` puts back."""
    return clf.base.get_weights() + [w.numpy().copy() for w in clf.head[-1].weights]


def restore(clf: Classifier, run: Run) -> None:
    """Put the weights ``run`` ended with back into ``clf`` (to reuse its encoder later)."""
    n = len(clf.base.weights)
    clf.base.set_weights(run.weights[:n])
    for variable, value in zip(clf.head[-1].weights, run.weights[n:], strict=True):
        variable.assign(value)
