"""Report 02's optimizer x learning-rate grid (table 3), on trainable heads over frozen vectors.

The report fine-tuned ResNet50's stage 5 for every (optimizer, learning rate) cell. Here each
cell trains a small head (the page's ``grid_head``: a dense layer, then the 6-way softmax the
report discards) on the frozen encoder's pooled vectors, cached once, so the whole grid costs
seconds per seed and runs with several seeds. Each head trains until its validation loss stops
improving (``GridSpec.patience``; the best epoch is kept) within ``GridSpec.epochs``, so a slow
optimizer is not cut off by a budget a fast one fits in. After training the softmax is dropped
and the dense layer's outputs are scored by leave-one-out top-1, the report's metric; every
cell keeps each test item's hit per seed, so two cells compare with a paired interval over the
same items and seeds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers import training
from helpers.sweep import Sweep

Split = tuple[np.ndarray, np.ndarray]  # (vectors (N, D), labels (N,))


@dataclass(frozen=True)
class GridSpec:
    """What the grid runs: ``optimizers`` x ``learning_rates``, each cell at most ``epochs``
    epochs in batches of ``batch_size``, stopped when the validation loss has not improved for
    ``patience`` epochs (the best epoch kept; 0: every epoch runs, the last kept), on a head of
    ``width`` units (once per seed: :func:`optimizer_grid`)."""

    optimizers: tuple[str, ...] = ("sgd", "adam")
    learning_rates: tuple[float, ...] = (5e-3, 1e-3, 5e-4, 1e-4, 5e-5)
    epochs: int = 10
    batch_size: int = 64
    width: int = 256
    skip: tuple[tuple[str, float], ...] = field(default=())  # cells the report left empty
    patience: int = 0


@dataclass
class Cell:
    """One (optimizer, learning rate) cell: per-seed hits on the test items, validation top-1."""

    optimizer: str
    learning_rate: float
    test_hits: np.ndarray  # (seeds, test items), 0/1 LOO top-1 hits
    val_top1: float  # mean over seeds
    epochs: tuple[int, ...] = ()  # per seed: the epoch kept (the last when nothing stops it)

    @property
    def test_top1(self) -> float:
        return float(self.test_hits.mean())

    def name(self, backbone: str) -> str:
        """The metric name this cell is recorded under (``grid_top1_mobilenetv2_sgd_5e-03``)."""
        return metric_name(backbone, self.optimizer, self.learning_rate)


def metric_name(backbone: str, optimizer: str, learning_rate: float) -> str:
    return f"grid_top1_{backbone}_{optimizer}_{learning_rate:.0e}"


def _hits(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    from helpers import retrieval

    return np.asarray(retrieval.loo_topk(vectors, labels, ks=(1,), per_item=True)["top1"])


#: The page's head: ``(dim, width, n_classes) -> (model that trains, encoder without softmax)``.
BuildHead = Callable[[int, int, int], tuple[Any, Any]]


def train_head(build_head: BuildHead, train: Split, val: Split, evaluate: Sequence[Split],
               optimizer: str, learning_rate: float, spec: GridSpec, seed: int
               ) -> tuple[list[np.ndarray], int]:
    """Train one head with ``optimizer`` at ``learning_rate`` (early stopping on ``val``'s loss
    when ``spec.patience``); each ``evaluate`` split's LOO top-1 hits, and the epoch kept."""
    x, y = train
    mean, std = x.mean(0), x.std(0) + 1e-6
    n_classes = int(max(y.max(), val[1].max(), *(s[1].max() for s in evaluate))) + 1
    built = {}

    def build():
        built["model"], built["encoder"] = build_head(x.shape[1], spec.width, n_classes)
        return built["model"]

    early = spec.patience > 0
    recipe = training.Recipe(optimizer=optimizer, learning_rate=float(learning_rate),
                             momentum=0.9, epochs=spec.epochs, batch_size=spec.batch_size,
                             patience=spec.patience, monitor="val_loss", keep_best=early,
                             seed=int(seed))
    run = training.fit(build, ((x - mean) / std, y),
                       ((val[0] - mean) / std, val[1]) if early else None, recipe,
                       loss="sparse_categorical_crossentropy")
    hits = [_hits(built["encoder"].predict((v - mean) / std, verbose=0), labels)
            for v, labels in evaluate]
    return hits, int(run.best_epoch)


def optimizer_grid(build_head: BuildHead, train: Split, val: Split, test: Split,
                   spec: GridSpec, seeds: Sequence[int]) -> list[Cell]:
    """Table 3: one :class:`Cell` per (optimizer, learning rate) not in ``spec.skip``, each
    trained once per seed by a :class:`~helpers.sweep.Sweep` with the page's ``build_head``."""
    def train_cell(cell: tuple[str, float], seed: int) -> dict[str, Any]:
        (val_hits, test_hits), epoch = train_head(build_head, train, val, (val, test), *cell,
                                                  spec, seed)
        return {"test": test_hits, "val": val_hits, "epoch": epoch}

    cells = [(opt, lr) for opt, lr in itertools.product(spec.optimizers, spec.learning_rates)
             if (opt, lr) not in spec.skip]
    sweep = Sweep(train_cell, seeds, hits=lambda r: {k: r[k] for k in ("test", "val")},
                  label=lambda c: f"{c[0]} lr {c[1]:g}")
    return [Cell(opt, float(lr), runs.hits("test"),
                 float(np.mean([v.mean() for v in runs.hits("val")])),
                 tuple(int(r["epoch"]) for r in runs.results))
            for (opt, lr), runs in sweep.run(cells).items()]


def best_rate(cells: Sequence[Cell], optimizer: str) -> float:
    """``optimizer``'s learning rate with the best validation top-1 (never the test split)."""
    return max((c for c in cells if c.optimizer == optimizer), key=lambda c: c.val_top1
               ).learning_rate


def still_improving(cells: Sequence[Cell], spec: GridSpec) -> list[str]:
    """The cells (``"sgd 1e-04"``) where some seed's kept epoch lies within ``spec.patience``
    of the cap: the validation loss was still falling when the epochs ran out, so the head
    had not reached its validation-chosen stop. Without patience, every cell."""
    late = spec.epochs - spec.patience if spec.patience else 0
    return [f"{c.optimizer} {c.learning_rate:.0e}" for c in cells if max(c.epochs, default=0) > late]
