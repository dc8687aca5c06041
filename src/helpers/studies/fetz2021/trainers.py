"""Notebook 04's seed loop: each trainer of the page run once per seed and scored on the same
queries.

The trainers themselves (the dense head, the Siamese network, the autoencoders, the small CNN)
are written in the notebook (``#@save`` cells, :mod:`helpers.studies.fetz2021.saved`); each
returns a :data:`Fit`, and every one takes its seed: :func:`helpers.config.seed_everything`
runs before the model is built (so the initial weights follow the seed) and the recipe carries
it to
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


def accuracy_hits(classifiers: Sequence[Any], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(seeds, images) 0/1: each classifier's right answers on ``x``."""
    return np.stack([(np.argmax(c.predict(x, verbose=0), axis=1) == np.asarray(y)).astype(int)
                     for c in classifiers])
