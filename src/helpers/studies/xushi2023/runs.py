"""Notebook 05's rankers over several training seeds, per-item hits, the head chosen on validation.

Every model is trained once per seed (the notebook's SEED, SEED + 1, ...) on the same cached
features, splits and fixed candidate sets by a :class:`~helpers.sweep.Sweep`
(:func:`ranker_sweep`), so its per-item hits form a ``(seeds, items)`` array:
``report.record_scores`` turns it into a number with a 95 % interval over seeds and items, and
two models scored on the same items are compared paired (``helpers.verdicts``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.retrieval import candidates_topk_from_scores
from helpers.studies.xushi2023.candidates import CandidateSet
from helpers.studies.xushi2023.saved import RankerOptions, RankerResult, RankerSpec
from helpers.sweep import Runs, Sweep
from helpers.training import Recipe

#: The training call a notebook passes in (its own ``train_ranker``, so an edit on the page is
#: what runs): (spec, data, recipe, options) -> RankerResult.
TrainRanker = Callable[[RankerSpec, Any, Recipe, RankerOptions], RankerResult]


def ranker_hits(result: RankerResult, data: Any) -> dict[str, np.ndarray]:
    """One run's 0/1 hits on the fixed candidates: top-2 on ``test`` and ``val``, top-1 on
    ``test_top1``."""
    def topk(scores: np.ndarray, cands: CandidateSet, k: int) -> np.ndarray:
        return candidates_topk_from_scores(scores, cands.true_pos, ks=(k,), per_item=True)[f"top{k}"]

    return {"test": topk(result.test_scores, data.test, 2),
            "val": topk(result.val_scores, data.val, 2),
            "test_top1": topk(result.test_scores, data.test, 1)}


class RankerRuns(Runs[RankerSpec, RankerResult]):
    """One ranker (``spec``) trained once per seed, in the report's words: top-2, final losses."""

    @property
    def spec(self) -> RankerSpec:
        return self.config

    @property
    def runs(self) -> list[RankerResult]:
        return self.results

    def top2(self, split: str = "test") -> float:
        return self.mean(split)

    def final_losses(self) -> np.ndarray:
        """The last epoch's training loss, one per seed."""
        return np.array([r.history["loss"][-1] for r in self.results], dtype=float)


def ranker_sweep(train: TrainRanker, data: Any, recipe: Recipe, options: RankerOptions,
                 seeds: Sequence[int]) -> Sweep:
    """A :class:`~helpers.sweep.Sweep` training rankers with the page's ``train`` on the same
    data, recipe and options, once per seed (only the recipe's seed moves), scored by
    :func:`ranker_hits`."""
    def train_once(spec: RankerSpec, seed: int) -> RankerResult:
        return train(spec, data, dataclasses.replace(recipe, seed=seed), options)

    return Sweep(train_once, seeds, hits=lambda result: ranker_hits(result, data),
                 label=lambda spec: spec.label, runs_type=RankerRuns)


def mean_hits(models: Sequence[RankerRuns], split: str = "test") -> np.ndarray:
    """(seeds, items): per seed and item, the share of ``models`` that hit (their average)."""
    if not models:
        raise ValueError("no models to average")
    return np.mean([m.hits(split) for m in models], axis=0)


def choose_head(train: TrainRanker, spec: RankerSpec, data: Any, recipe: Recipe,
                options: RankerOptions, hidden_choices: Sequence[Sequence[int]]
                ) -> tuple[RankerOptions, list[dict]]:
    """The head (hidden layer sizes) with the best validation top-2 for ``spec``, trained with
    the notebook's seed; the test split is not looked at. Returns the chosen options and one
    row per candidate."""
    choices = [tuple(int(h) for h in c) for c in hidden_choices] or [options.hidden]
    if len(choices) == 1:
        return dataclasses.replace(options, hidden=choices[0]), []
    rows, best = [], None
    for hidden in choices:
        run = train(spec, data, recipe, dataclasses.replace(options, hidden=hidden))
        val = float(candidates_topk_from_scores(run.val_scores, data.val.true_pos)["top2"])
        rows.append({"head": " -> ".join(map(str, hidden)) + " -> embedding" if hidden
                     else "linear -> embedding", "hidden": hidden, "val top-2": val})
        if best is None or val > best[1]:
            best = (hidden, val)
    return dataclasses.replace(options, hidden=best[0]), rows


def by_label(models: Sequence[RankerRuns]) -> dict[str, RankerRuns]:
    return {m.label: m for m in models}


def select(models: Sequence[RankerRuns], *, loss: str | None = None, fusion: str | None = None,
           size: int | None = None, grid: bool = False) -> list[RankerRuns]:
    """The models of one kind: loss, fusion (pairs), number of backbones, grid features."""
    keep = []
    for m in models:
        s = m.spec
        if loss is not None and s.loss != loss:
            continue
        if size is not None and len(s.backbones) != size:
            continue
        if fusion is not None and len(s.backbones) > 1 and s.fusion != fusion:
            continue
        if any(is_grid(b) for b in s.backbones) != grid:
            continue
        keep.append(m)
    return keep


GRID_SUFFIX = ":grid2"


def is_grid(name: str) -> bool:
    """Whether a feature-table name is a backbone's 2 x 2 grid features (``name:grid2``)."""
    return name.endswith(GRID_SUFFIX)


def summary_rows(groups: Mapping[str, Sequence[RankerRuns]], split: str, chance: float,
                 random_top2: float) -> list[dict[str, Any]]:
    """One row per named group of models (their mean top-2 on ``split``), then chance."""
    rows = [{"models": name, "count": len(ms), f"{split} top-2": float(mean_hits(ms, split).mean())}
            for name, ms in groups.items() if ms]
    rows.append({"models": "chance (random scores measured; 2 / 20)", "count": 0,
                 f"{split} top-2": f"{random_top2:.3f} (measured), {chance:.3f}"})
    return rows
