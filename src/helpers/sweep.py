"""One training function over configurations x seeds, keeping each item's hits per split.

A claim about a trained model should not rest on one lucky initialisation, so every notebook
trains each configuration once per seed: the notebook's ``SEED``, ``SEED + 1``, ... Each run
is scored on fixed items (test photos, queries, candidate rows), and its 0/1 hit on every item
is kept. Stacked over the seeds that is a ``(seeds, items)`` array, which
:func:`helpers.report.record_scores` turns into a number with a 95 % interval over seeds and
items, and which two configurations scored on the same items compare pair by pair.

A notebook cell reads::

    sweep = Sweep(train_ranker_once, training_seeds(SEED, 3), hits=ranker_hits)
    results = sweep.run(specs)           # one printed line per spec: mean, per-seed, time
    results[spec].hits("test")           # (seeds, items)
    results[spec].record("top2_concat", "test", items="test")

``train(config, seed)`` must take everything that should vary with the seed from its ``seed``
argument (initial weights, batch order, dropout): the sweep only calls it, config by config,
seed by seed, in the order given, and keeps what it returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

Config = TypeVar("Config", bound=Hashable)
Result = TypeVar("Result")

#: ``train(config, seed) -> result``: one training run.
Train = Callable[[Config, int], Result]
#: ``hits(result) -> {split: (items,) 0/1 hits}``: how one run scored on each split's items.
Hits = Callable[[Result], Mapping[str, np.ndarray]]


def training_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The training seeds derived from the notebook's one ``seed``: ``seed, seed + 1, ...``
    (``count`` of them)."""
    if int(count) < 1:
        raise ValueError(f"need at least one seed, got {count}")
    return tuple(int(seed) + i for i in range(int(count)))


@dataclass
class Runs(Generic[Config, Result]):
    """One configuration trained once per seed: ``results[i]`` and ``split_hits[i]`` belong to
    ``seeds[i]``; the first seed is the notebook's own (its model is the one shown)."""

    config: Config
    label: str
    seeds: list[int] = field(default_factory=list)
    results: list[Result] = field(default_factory=list, repr=False)
    split_hits: list[dict[str, np.ndarray]] = field(default_factory=list, repr=False)
    seconds: list[float] = field(default_factory=list)

    @property
    def first(self) -> Result:
        """The run of the first seed (the notebook's ``SEED``): its curves, its galleries."""
        return self.results[0]

    @property
    def splits(self) -> list[str]:
        """The names of the scored splits, as the ``hits`` function returned them."""
        return list(self.split_hits[0]) if self.split_hits else []

    def hits(self, split: str) -> np.ndarray:
        """``(seeds, items)``: every seed's 0/1 hit on each of ``split``'s items."""
        if split not in self.splits:
            raise KeyError(f"no hits for split {split!r} of {self.label}; "
                           f"scored: {self.splits or 'none (the sweep has no hits function)'}")
        return np.stack([h[split] for h in self.split_hits])

    def mean(self, split: str) -> float:
        """The mean hit over seeds and items (top-k, accuracy: whatever the hits count)."""
        return float(self.hits(split).mean())

    def per_seed(self, split: str) -> np.ndarray:
        """``(seeds,)``: each seed's mean hit on ``split``."""
        return self.hits(split).mean(axis=1)

    def record(self, name: str, split: str, **context: Any) -> float:
        """Record ``split``'s hits as metric ``name`` with its interval over seeds and items
        (:func:`helpers.report.record_scores`, with ``seeds`` in the context); returns the
        mean."""
        from helpers import report

        return report.record_scores(name, self.hits(split), seeds=list(self.seeds), **context)

    def summary(self) -> str:
        """One line: each split's mean, the first split's per-seed means, the training time."""
        parts = []
        for i, split in enumerate(self.splits):
            text = f"{split}: {self.mean(split):.3f}"
            if i == 0 and len(self.seeds) > 1:
                text += " (seeds: " + ", ".join(f"{v:.3f}" for v in self.per_seed(split)) + ")"
            parts.append(text)
        seeds = f"{len(self.seeds)} seed{'s' if len(self.seeds) != 1 else ''}"
        return f"{self.label:48s} " + "; ".join([*parts, f"{seeds}, {sum(self.seconds):.0f} s"])


class Sweep(Generic[Config, Result]):
    """Train every configuration once per seed and keep each run's result and hits.

    ``train(config, seed)`` trains one model; ``hits(result)`` (optional) scores it, one
    ``(items,)`` 0/1 array per split; ``label(config)`` names a configuration in the printed
    lines (default ``str``); ``verbose=False`` prints nothing. ``runs_type`` is the class each
    configuration's :class:`Runs` is made of (a study may add its own names to it).
    """

    def __init__(self, train: Train, seeds: Sequence[int], *, hits: Hits | None = None,
                 label: Callable[[Config], str] = str, verbose: bool = True,
                 runs_type: type[Runs] = Runs) -> None:
        if not seeds:
            raise ValueError("a sweep needs at least one seed")
        self.train, self.hits, self.label = train, hits, label
        self.seeds = [int(s) for s in seeds]
        self.verbose, self.runs_type = verbose, runs_type

    def run(self, configs: Iterable[Config], *, seeds: Sequence[int] | None = None,
            into: dict[Config, Runs] | None = None) -> dict[Config, Runs]:
        """Train each configuration (in order, each once) at each seed (``seeds`` or the
        sweep's), returning ``{config: Runs}``.

        ``into``: the results of an earlier run to extend in place: a configuration already
        there trains only at the seeds it has not run yet, and its new runs are appended (more
        seeds for the entries a claim rests on, after choosing them on the first seed).
        """
        seeds = self.seeds if seeds is None else [int(s) for s in seeds]
        results = {} if into is None else into
        for config in dict.fromkeys(configs):
            runs = results.get(config)
            if runs is None:
                runs = results[config] = self.runs_type(config, self.label(config))
            todo = [s for s in seeds if s not in runs.seeds]
            for seed in todo:
                self._run_one(runs, seed)
            if todo and self.verbose:
                print(runs.summary())
        return results

    def one(self, config: Config, *, seeds: Sequence[int] | None = None) -> Runs:
        """:meth:`run` for a single configuration: its :class:`Runs`."""
        return self.run([config], seeds=seeds)[config]

    def _run_one(self, runs: Runs, seed: int) -> None:
        began = time.perf_counter()
        result = self.train(runs.config, seed)
        runs.seconds.append(time.perf_counter() - began)
        runs.seeds.append(seed)
        runs.results.append(result)
        runs.split_hits.append({} if self.hits is None else dict(self.hits(result)))
