"""The report's autoencoder grid at any input width, grid runs over seeds, model choice.

The autoencoders themselves (spec, builder, training call, evaluation call) are notebook 01's
``#@save`` cells (generated into :mod:`helpers.studies.ingwersen2020.saved`); every function here
that trains or scores takes them as a :class:`PageCode`, so the code a student edits on the page
is the code that runs. :func:`paper_grid` rescales the report's grid (written for 4096-wide VGG16
fc1 features) to any input width with the same compression ratios and keeps the report's own
numbers beside each entry. (t-SNE grids with KL divergences are ``helpers.plots.tsne_grid``.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.sweep import Runs, Sweep
from helpers.training import Recipe


@dataclass(frozen=True)
class PageCode:
    """Notebook 01's own code that the grid runs: ``spec(hidden, noise=, noise_type=, name=)``
    (``AESpec``), ``train(features, spec, recipe, scaling=)`` (``train_autoencoder``) and
    ``hits(encode, splits)`` (``retrieval_hits``: each image's 0/1 LOO hit per split and k)."""

    spec: Callable[..., Any]
    train: Callable[..., Any]
    hits: Callable[[Any, Mapping[str, tuple[np.ndarray, np.ndarray]]], Mapping[str, np.ndarray]]

    def scores(self, encode: Callable[[np.ndarray], np.ndarray] | None,
               splits: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
        """LOO top-1/top-5 per split (``{"test_top1": .., "val_top5": ..}``): the hits' means."""
        return {m: float(np.mean(h)) for m, h in self.hits(encode, splits).items()}


# The report's VGG16 fc1 width, the reference its layer sizes were chosen against.
PAPER_INPUT_DIM = 4096


@dataclass(frozen=True)
class GridEntry:
    """One autoencoder of the report's grid, rescaled to our input width."""

    table: str  # where the report lists it, e.g. "Table 3"
    paper_layers: tuple[int, ...]  # the report's sizes, input first (4096, 2048)
    spec: Any  # ours (the page's AESpec), same compression ratios
    paper: Mapping[str, float]  # the report's test/val top-1 and top-5 for this model

    @property
    def compression(self) -> float:
        """How many times smaller the code is than the input (paper's ratio)."""
        return self.paper_layers[0] / self.paper_layers[-1]


# The report's grid (VGG16 fc1 features, Places preprocessing), with its numbers.
# Table 3: shallow AEs; Table 5: denoising AE noise 0.3; Table 4: deep AE; Table 2: deep
# denoising AEs (Table 6 lists a different VGG16 fc_2 run of the same shape; Table 2 is the
# fc_1 run the text discusses). Keys: top-1/top-5 on the test and validation splits.
_PAPER_GRID: tuple[tuple[str, tuple[int, ...], float, tuple[float, float, float, float]], ...] = (
    ("Table 3", (4096, 3072), 0.0, (0.778, 0.765, 0.943, 0.940)),
    ("Table 3", (4096, 2048), 0.0, (0.782, 0.773, 0.937, 0.944)),
    ("Table 3", (4096, 512), 0.0, (0.771, 0.783, 0.945, 0.951)),
    ("Table 3", (4096, 128), 0.0, (0.775, 0.774, 0.936, 0.944)),
    ("Table 5", (4096, 1028), 0.3, (0.778, 0.783, 0.915, 0.928)),
    ("Table 4", (4096, 2048, 1028), 0.0, (0.775, 0.764, 0.914, 0.934)),
    ("Table 2", (4096, 2048, 1028), 0.3, (0.764, 0.753, 0.919, 0.913)),
    ("Table 2", (4096, 2048, 1028), 0.5, (0.740, 0.735, 0.908, 0.904)),
)
PAPER_METRIC_KEYS = ("test_top1", "val_top1", "test_top5", "val_top5")


def scale_width(width: int, input_dim: int, reference_dim: int = PAPER_INPUT_DIM) -> int:
    """The report's layer width at our input width, keeping the ratio (at least 2)."""
    return max(2, int(round(width * input_dim / reference_dim)))


def paper_grid(
    spec_of: Callable[..., Any],
    input_dim: int,
    reference_dim: int = PAPER_INPUT_DIM,
    noise_type: str = "gaussian",
    extra_noise: Sequence[float] = (0.5,),
    mask_noise: Sequence[float] = (),
) -> list[GridEntry]:
    """The report's autoencoder grid mapped to ``input_dim`` by equal compression ratios, each
    entry's spec made by ``spec_of`` (the page's ``AESpec``).

    ``extra_noise`` adds shallow denoising AEs at other noise factors (the report ran 0.5 only
    on deep AEs; the issue asks for 0.3 and 0.5 on both), marked "(ours)" with no paper numbers.
    ``mask_noise`` adds table 5's denoising AE with *masking* corruption at each fraction (the
    corruption of the report's section 2.3; its tables' "noise factor" is the Gaussian one of
    the Keras-blog code), marked "(ours, masking)", whatever ``noise_type`` the others use.
    """
    if input_dim < 2:
        raise ValueError(f"input_dim must be >= 2, got {input_dim}")
    entries = []
    for table, layers, noise, numbers in _PAPER_GRID:
        hidden = tuple(scale_width(w, input_dim, reference_dim) for w in layers[1:])
        spec = spec_of(hidden=hidden, noise=noise, noise_type=noise_type)
        entries.append(
            GridEntry(table, layers, spec, dict(zip(PAPER_METRIC_KEYS, numbers, strict=True)))
        )
    for noise in extra_noise:
        layers = (reference_dim, 1028)
        hidden = (scale_width(1028, input_dim, reference_dim),)
        spec = spec_of(hidden=hidden, noise=float(noise), noise_type=noise_type)
        entries.append(GridEntry("(ours)", layers, spec, {}))
    for fraction in mask_noise:
        width = scale_width(1028, input_dim, reference_dim)
        spec = spec_of(hidden=(width,), noise=float(fraction), noise_type="mask",
                      name=f"DAE {width} mask {float(fraction):g}")
        entries.append(GridEntry("(ours, masking)", (reference_dim, 1028), spec, {}))
    return entries


# --------------------------------------------------------------------------- grids


def _grid_row(spec: Any, model: Any, input_dim: int,
              scores: Mapping[str, float]) -> dict[str, Any]:
    return {"model": spec.name, "kind": spec.kind, "layers": spec.layers(input_dim),
            "code_dim": spec.code_dim, "compression": input_dim / spec.code_dim,
            "noise": spec.noise, "optimizer": model.optimizer, "epochs_run": model.epochs_run,
            "best_epoch": model.best_epoch, "val_mse": model.best_val_loss,
            "seconds": round(model.seconds, 1), **scores}


def select_best(
    rows: Sequence[Mapping[str, Any]],
    by: str = "val_top1",
    min_compression: float = 1.0,
) -> Mapping[str, Any]:
    """The row with the highest ``by`` among codes at least ``min_compression`` times smaller.

    Select on the validation split and report the test split, so the choice of model does not
    flatter the number it is judged by. Ties go to the smaller code.
    """
    eligible = [r for r in rows if r["compression"] >= min_compression - 1e-9]
    if not eligible:
        raise ValueError(f"no autoencoder compresses by {min_compression}x or more")
    return max(eligible, key=lambda r: (r[by], -r["code_dim"]))


# --------------------------------------------------------------------------- seeds and hits


def autoencoder_sweep(
    page: PageCode,
    train_features: np.ndarray,
    splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
    recipe: Recipe,
    seeds: Sequence[int],
    **train_kwargs: Any,
) -> Sweep:
    """A :class:`~helpers.sweep.Sweep` of autoencoders (the page's specs as configurations),
    each trained by ``page.train`` on ``train_features`` by ``recipe`` with the seed swapped in
    (``train_kwargs``: its scaling), each code's per-item LOO hits kept by ``page.hits``."""
    def train_once(spec: Any, seed: int) -> Any:
        return page.train(train_features, spec, recipe.replace(seed=seed), **train_kwargs)

    return Sweep(train_once, seeds, hits=lambda model: page.hits(model.encode, splits),
                 label=lambda spec: f"{spec.name} [{recipe.optimizer}]")


@dataclass
class SeededGrid:
    """A grid of autoencoders as an :func:`autoencoder_sweep` trained it: every entry at the
    notebook's seed, more seeds for the entries claims rest on (``sweep.run(..., into=runs)``).

    ``rows``: one row per spec from the first seed (model choice reads these, on validation);
    ``hits[name][metric]``: (seeds, items) 0/1 hits; ``best_epochs[name]``: epoch of the best
    validation MSE, one per seed; ``seeds[name]``: the seeds each spec was trained with.
    """

    runs: dict[Any, Runs]

    @property
    def specs(self) -> dict[str, Any]:
        return {spec.name: spec for spec in self.runs}

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [_grid_row(spec, r.first, r.first.input_dim,
                          {m: float(h.mean()) for m, h in r.split_hits[0].items()})
                for spec, r in self.runs.items()]

    @property
    def models(self) -> dict[tuple[str, str], Any]:
        """The first seed's model of each spec, by ``(name, optimizer)``."""
        return {(spec.name, r.first.optimizer): r.first for spec, r in self.runs.items()}

    @property
    def hits(self) -> dict[str, dict[str, np.ndarray]]:
        return {spec.name: {m: r.hits(m) for m in r.splits} for spec, r in self.runs.items()}

    @property
    def best_epochs(self) -> dict[str, list[int]]:
        return {spec.name: [m.best_epoch for m in r.results] for spec, r in self.runs.items()}

    @property
    def seeds(self) -> dict[str, list[int]]:
        return {spec.name: list(r.seeds) for spec, r in self.runs.items()}

    def mean_row(self, name: str) -> dict[str, Any]:
        """The first seed's row with each metric replaced by its mean over all seeds."""
        row = dict(next(r for r in self.rows if r["model"] == name))
        row.update({m: float(h.mean()) for m, h in self.hits[name].items()})
        row["seeds"] = len(self.seeds[name])
        return row


def compare_optimizers(
    page: PageCode,
    spec: Any,
    train_features: np.ndarray,
    splits: Mapping[str, tuple[np.ndarray, np.ndarray]],
    recipe: Recipe,
    trained: Mapping[tuple[str, str], Any],
) -> tuple[Any, dict[str, Any]]:
    """One architecture trained by ``page.train`` with Adadelta at the report's learning rate
    1.0, at Keras 3's default 0.001, and Adam at 0.001, within the same epoch budget; a run
    that matches the grid's optimizer and default rate is the grid's own model (``trained``),
    not trained twice. Returns the table (one row per run) and each run's history."""
    import pandas as pd

    from helpers.training import DEFAULT_LEARNING_RATES

    runs = {"adadelta lr 1.0 (report)": ("adadelta", 1.0),
            "adadelta lr 0.001 (Keras 3 default)": ("adadelta", 1e-3), "adam lr 0.001": ("adam", 1e-3)}
    rows, histories = [], {}
    for label, (opt, lr) in runs.items():
        in_grid = opt == recipe.optimizer and lr == DEFAULT_LEARNING_RATES[opt]
        model = trained[(spec.name, opt)] if in_grid else page.train(
            train_features, spec, recipe.replace(optimizer=opt, learning_rate=lr), scaling="max")
        histories[label] = model.history
        rows.append({"optimizer": label, "epochs run": model.epochs_run,
                     "val MSE": model.best_val_loss, "seconds": round(model.seconds, 1),
                     **page.scores(model.encode, splits)})
    return pd.DataFrame(rows).set_index("optimizer"), histories
