"""Notebook 04's trainers, each run once per seed and scored on the same queries.

Every trainer here takes its seed: :func:`helpers.config.seed_everything` runs before the model
is built (so the initial weights follow the seed) and the recipe carries it to
:func:`helpers.training.fit` (batch order, dropout, noise). :func:`scoring_sweep` trains one
approach once per seed (a :class:`~helpers.sweep.Sweep`), scores each seed's embedding(s) on
one :class:`~.challenge.Sets`, and :func:`rows_over_seeds` returns one row per embedding with
the hits of every seed, ``(seeds, queries)``, which is what the verdict engine's interval over
seeds and queries needs (issue 17: at least 3 seeds in the standard profile where training is
cheap).

The heads train on cached backbone features (the backbone is frozen, its BatchNorm in
inference mode), so they are scored on the queries' and gallery's cached features too: the same
ranking as the image model (backbone + head) gives, at a fraction of the cost; their rows' times
add the frozen backbone's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import config
from helpers.studies.fetz2021 import small_cnn
from helpers.studies.fetz2021.challenge import Result, Sets, evaluate_embedder, over_seeds
from helpers.sweep import Runs, Sweep

#: fit(seed) -> ({variant: embed}, what was trained)
Fit = Callable[[int], tuple[dict[str, Callable[[np.ndarray], np.ndarray]], Any]]
#: one seed's training and scoring: (what was trained, {variant: its Result on the sets})
Scored = tuple[Any, dict[str, Result]]


def scoring_sweep(seeds: Sequence[int], sets: Sets, approach: str, metric: str = "cosine",
                  label: str = "") -> Sweep:
    """A :class:`~helpers.sweep.Sweep` over trainers (:data:`Fit`): each seed's ``fit`` is
    trained and every embedding it returns is scored on ``sets`` by ``metric``, each variant
    named ``label + variant``; each variant's top-1 hits are kept as ``"<variant> top-1"``
    (the sweep's printed line shows them)."""

    def train_and_score(fit: Fit, seed: int) -> Scored:
        embeds, model = fit(seed)
        return model, {label + v: evaluate_embedder(approach, label + v, embed, sets, (metric,))[0]
                       for v, embed in embeds.items()}

    def top1(scored: Scored) -> dict[str, np.ndarray]:
        return {f"{v[len(label):]} top-1": r.hits["top1"] for v, r in scored[1].items()
                if r.hits is not None}

    name = f"{approach} ({label.rstrip(': ,')})" if label else approach
    return Sweep(train_and_score, seeds, hits=top1, label=lambda fit: name)


def rows_over_seeds(runs: Runs, plus: Result | None = None) -> tuple[dict[str, Result], list]:
    """``({variant: Result over the seeds}, [what each seed trained])`` from a
    :func:`scoring_sweep`'s runs; ``plus``'s times are added to each row's (the frozen backbone
    under a head scored on cached features)."""
    variants = runs.first[1]
    return ({v: over_seeds([scored[v] for _, scored in runs.results], plus) for v in variants},
            [model for model, _ in runs.results])


@dataclass
class Cached:
    """Frozen backbone features of the training sets: plain, mirrored, validation."""

    train: np.ndarray
    train_flip: np.ndarray
    val: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_val.max()) + 1)


def dense_head_fit(cached: Cached, *, augment: bool, epochs: int, batch_size: int) -> Fit:
    """The report's ResNet50 model on frozen features: dense layers and a softmax over the
    training classes, fitted on the training images (and their mirror images with
    ``augment``: the report's ImageDataGenerator flips).

    Two embeddings per seed: the fitted model's own output (the report: "the feature extractor
    ... applies the model to make predictions" and normalises them), and its penultimate
    512-wide layer (ours).
    """
    x = np.concatenate([cached.train, cached.train_flip]) if augment else cached.train
    y = np.tile(cached.y_train, 2) if augment else cached.y_train

    def fit(seed: int) -> tuple[dict[str, Callable], Any]:
        config.seed_everything(seed)
        head = small_cnn.build_feature_classifier(cached.train.shape[1], cached.n_classes,
                                                  hidden=(512,))
        recipe = small_cnn.CLASSIFIER_RECIPE.replace(epochs=epochs, batch_size=batch_size,
                                                     patience=5, seed=seed)
        run = small_cnn.train_classifier(head, x, y, validation=(cached.val, cached.y_val),
                                         recipe=recipe)
        cut = small_cnn.feature_model(head)
        return {"softmax output (the report's)": lambda f: head.predict(f, verbose=0),
                "penultimate 512 (ours)": lambda f: cut.predict(f, verbose=0)}, (head, run)

    return fit


def siamese_fit(cached: Cached, *, sigmoid: bool, epochs: int, batch_size: int) -> Fit:
    """A Siamese head on frozen features, contrastive loss on fresh pairs every epoch (each
    member plain or mirrored), EarlyStopping and ReduceLROnPlateau as in the report.

    ``sigmoid``: the report's final version (dense layers, batch normalisation, ReLU, a sigmoid
    last layer); otherwise ours (no sigmoid, embeddings L2-normalised, so margin 1 means
    "orthogonal").
    """
    from helpers.metric_learning import siamese

    def fit(seed: int) -> tuple[dict[str, Callable], Any]:
        config.seed_everything(seed)
        head = siamese.build_embedding_head(cached.train.shape[1], hidden=(512,),
                                            embedding_dim=128,
                                            final_activation="sigmoid" if sigmoid else None,
                                            l2_normalize=not sigmoid)
        pairs = siamese.PairDataset([cached.train, cached.train_flip], cached.y_train,
                                    n_pairs=4 * len(cached.y_train), batch_size=batch_size,
                                    seed=seed)
        val_pairs = siamese.PairDataset(cached.val, cached.y_val, n_pairs=2 * len(cached.y_val),
                                        seed=seed + 1000, resample=False)
        recipe = siamese.SIAMESE_RECIPE.replace(epochs=epochs, patience=6, seed=seed)
        run = siamese.train(siamese.build_siamese(head), pairs, val_pairs, recipe)
        variant = ("dense+BN, sigmoid (the report's)" if sigmoid
                   else "dense+BN, L2-normalised (ours)")
        return {variant: lambda f: siamese.embed(head, f)}, (head, run)

    return fit


@dataclass
class CaeSettings:
    """The convolutional autoencoder's knobs (profile.py); the report's values where it
    gives them: Gaussian noise 0.3, Adam."""

    image_size: int
    filters: tuple[int, ...] = (32, 64)
    noise_stddev: float = 0.3
    learning_rate: float = 1e-3
    latent_dim: int = 256
    epochs: int = 12
    batch_size: int = 32


def cae_fit(train: np.ndarray, val: np.ndarray, cae: CaeSettings) -> Fit:
    """The convolutional autoencoder with Gaussian-noise layers on unit-scale images; its code
    is the descriptor."""
    from helpers.autoencoders import generative

    def fit(seed: int) -> tuple[dict[str, Callable], Any]:
        config.seed_everything(seed)
        model = generative.build_conv_autoencoder(cae.image_size, filters=cae.filters,
                                                  noise_stddev=cae.noise_stddev,
                                                  latent_dim=cae.latent_dim, seed=seed)
        recipe = generative.CAE_RECIPE.replace(epochs=cae.epochs, batch_size=cae.batch_size,
                                               learning_rate=cae.learning_rate, patience=4,
                                               seed=seed)
        run = generative.train_autoencoder(model, train, validation=val, recipe=recipe)
        filters = "-".join(str(f) for f in cae.filters)
        variant = (f"convs {filters} + noise {cae.noise_stddev:g}, {cae.image_size} px, "
                   f"code {cae.latent_dim}")
        return {variant: model.features}, (model, run)

    return fit


def small_cnn_fit(images: dict[str, np.ndarray], labels: dict[str, np.ndarray], *,
                  epochs: int, batch_size: int) -> Fit:
    """The report's Conv16-32-64 + dense 1024 classifier from scratch; its penultimate layer
    is the descriptor. ``images``/``labels``: ``train`` and ``val``."""

    def fit(seed: int) -> tuple[dict[str, Callable], Any]:
        config.seed_everything(seed)
        size, classes = images["train"].shape[1], int(labels["train"].max() + 1)
        cnn = small_cnn.build_small_cnn(size, classes)
        recipe = small_cnn.CLASSIFIER_RECIPE.replace(epochs=epochs, batch_size=batch_size,
                                                     patience=3, seed=seed)
        run = small_cnn.train_classifier(cnn, images["train"], labels["train"],
                                         validation=(images["val"], labels["val"]),
                                         recipe=recipe)
        cut = small_cnn.feature_model(cnn)
        variant = f"Conv16-32-64 + dense 1024, {size} px"
        return {variant: lambda x: cut.predict(x, verbose=0)}, (cnn, run)

    return fit


def accuracy_hits(classifiers: Sequence[Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(seeds, images) 0/1: each classifier's right answers on ``x``."""
    return np.stack([(np.argmax(c.predict(x, verbose=0), axis=1) == np.asarray(y)).astype(int)
                     for c in classifiers])
