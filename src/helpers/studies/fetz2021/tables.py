"""Notebook 04's results board: every result with the paper's numbers, intervals and chance.

Each row of a table shows top-1/3/10 here beside the report's, the 95 % interval of top-1
(over the queries, and over the training seeds where a trainer ran several), the index and
per-query times, and the last row is chance on the same queries: exact
(:func:`helpers.uncertainty.labels_topk_chance`) and measured by a seeded random ranking
(:func:`helpers.uncertainty.random_ranking_hits`). :meth:`Board.record` records each query's
hits (``report.record_scores``), so every recorded top-k carries its interval and two
approaches scored on the same queries are compared by the verdict engine with the paired one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers import retrieval, uncertainty, verdicts
from helpers.studies.fetz2021.challenge import KS, REPORTS_LOCAL, Result, Sets, check_submission
from helpers.studies.fetz2021.claims import CLAIMS, TOLERANCE
from helpers.studies.fetz2021.paper import PAPER, PAPER_NOTES

__all__ = ["PAPER", "Board", "local_key", "record_absolute", "record_seed_extremes", "verdict_on"]


def interval_text(hits: Any) -> str:
    """'[low, high]' of the mean of per-query hits (seeds and queries together)."""
    found = uncertainty.seeds_and_items_interval(np.asarray(hits, dtype=float))
    return f"[{found.low:.3f}, {found.high:.3f}]"


class Board:
    """All results of a run on one :class:`Sets`, with the paper's numbers and chance."""

    def __init__(self, sets: Sets | None = None, items: str = "queries", seed: int = 0,
                 paper: bool = True) -> None:
        """``items`` names the queries in every record (two records pair only with the same
        name); ``paper=False``: a board on other data than the report's (no paper column)."""
        self.results: list[Result] = []
        self.items, self.chance_hits, self.paper = items, None, paper
        self._intervals: dict[tuple[int, str], str] = {}  # a bootstrap per row, not per table
        self.loo = bool(sets is not None and sets.loo)
        if sets is not None and sets.labelled:
            gallery = None if self.loo else sets.gallery_labels  # None: leave-one-out
            self.chance_exact = uncertainty.labels_topk_chance(sets.query_labels, gallery, KS)
            self.chance_hits = uncertainty.random_ranking_hits(sets.query_labels, gallery, KS,
                                                               seed=seed)

    def add(self, results: Result | Sequence[Result]) -> list[Result]:
        new = [results] if isinstance(results, Result) else list(results)
        self.results += new
        return new

    def find(self, approach: str) -> list[Result]:
        return [r for r in self.results if r.approach == approach]

    def get(self, approach: str, variant: str, metric: str | None = None) -> Result:
        """The result of ``approach`` whose variant contains ``variant`` (and of ``metric``)."""
        for r in self.find(approach):
            if variant in r.variant and metric in (None, r.metric):
                return r
        raise KeyError(f"no {approach!r} result with variant {variant!r}")

    def best(self, approach: str | None = None, k: str = "top1") -> Result:
        """The highest-scoring result (of one approach); ties go to the earliest added."""
        pool = self.find(approach) if approach else self.results
        if not pool:
            raise KeyError(f"no results for {approach!r}")
        return max(pool, key=lambda r: np.nan_to_num(r.scores[k], nan=-1.0))

    def chance_text(self) -> str:
        """Chance on these queries, exact and measured by a random ranking."""
        if self.chance_hits is None:
            return "no labels: no chance level"
        return "chance on these queries: " + ", ".join(
            f"{k} {self.chance_exact[k]:.3f} exact, {self.chance_hits[k].mean():.3f} by a random "
            f"ranking" for k in self.chance_exact)

    def chance_row(self, k: str = "top1") -> dict[str, Any] | None:
        """The table's last row: a random ranking of the same gallery for the same queries."""
        if self.chance_hits is None:
            return None
        exact = ", ".join(f"{name} {v:.3f}" for name, v in self.chance_exact.items())
        row: dict[str, Any] = {"approach": "chance", "variant": f"random ranking (exact: {exact})",
                               "ranking": "random", "seeds": 1}
        for other in (f"top{x}" for x in KS if f"top{x}" != k):
            row[f"{other} paper"], row[f"{other} here"] = None, float(self.chance_hits[other].mean())
        row.update({f"{k} 95% CI": interval_text(self.chance_hits[k]), "index s": None,
                    "ms/query": None, "paper": None, "here": float(self.chance_hits[k].mean())})
        return row

    def rows(self, approach: str | None = None, k: str = "top1",
             results: Sequence[Result] | None = None) -> list[dict[str, Any]]:
        """Rows for ``report.paper_vs_here``: paper and here are top-``k``, other ks beside,
        top-``k``'s interval, and chance last."""
        rows = []
        pool = results if results is not None else (self.find(approach) if approach else self.results)
        for r in pool:
            paper = (PAPER.get(r.approach) or {}) if self.paper else {}
            row: dict[str, Any] = {"approach": r.approach, "variant": r.variant,
                                   "ranking": r.metric, "seeds": r.seeds}
            for other in (f"top{x}" for x in KS if f"top{x}" != k):
                row[f"{other} paper"], row[f"{other} here"] = paper.get(other), r.scores[other]
            row.update({f"{k} 95% CI": self._interval(r, k),
                        "index s": round(r.index_s, 2), "ms/query": round(r.query_ms, 1),
                        "paper": paper.get(k), "here": r.scores[k]})
            rows.append(row)
        chance = self.chance_row(k)
        return rows + ([chance] if chance else [])

    def _interval(self, result: Result, k: str) -> str | None:
        if not result.hits:
            return None
        key = (id(result.hits[k]), k)
        if key not in self._intervals:
            self._intervals[key] = interval_text(result.hits[k])
        return self._intervals[key]

    def record(self, report: Any, name: str, result: Result, paper: bool = True,
               **context: Any) -> None:
        """Record ``<name>_top1/3/10`` with each query's hits (the interval comes with them),
        and the index and per-query times. ``paper=False``: no paper number beside (a variant
        that is ours, not the report's method)."""
        numbers = (PAPER.get(result.approach) or {}) if paper else {}
        note = "; ".join(filter(None, (result.label, result.note)))
        for k, value in result.scores.items():
            if result.hits is None:
                report.record(f"{name}_{k}", value, paper=numbers.get(k), note=note, **context)
            else:
                report.record_scores(f"{name}_{k}", result.hits[k], paper=numbers.get(k),
                                     note=note, items=self.items, **context)
        report.record(f"{name}_index_s", round(result.index_s, 3), note=result.label)
        report.record(f"{name}_query_ms", round(result.query_ms, 2), note=result.label)

    def record_chance(self, report: Any, name: str = "chance") -> None:
        """``chance_top1/3/10``: the random ranking's hits on the same queries (paired with
        every approach's), the exact chance level in the note."""
        if self.chance_hits is None:
            return
        for k, hits in self.chance_hits.items():
            report.record_scores(f"{name}_{k}", hits, note=f"random ranking of the gallery; "
                                 f"exact chance {self.chance_exact[k]:.3f}", items=self.items)

    def below_chance(self, k: str = "top1") -> list[str]:
        """Labels of the results whose top-``k`` lies below the random ranking's, with the
        paired interval of the difference excluding zero."""
        if self.chance_hits is None:
            return []
        found = []
        for r in self.results:
            if r.hits is None:
                continue
            gap = uncertainty.seeds_and_items_interval(np.atleast_2d(r.hits[k]).astype(float),
                                                       np.atleast_2d(self.chance_hits[k]),
                                                       bounds=None)
            if gap.high < 0:
                found.append(f"{r.label} {r.scores[k]:.3f} (difference {gap.estimate:+.3f}, "
                             f"[{gap.low:+.3f}, {gap.high:+.3f}])")
        return found

    def submission(self, result: Result, query_names: Sequence[str],
                   gallery_names: Sequence[str]) -> dict[str, list[str]]:
        """The challenge's dict for ``result``, checked complete before it is returned."""
        sub = retrieval.submission(query_names, gallery_names, result.ranked)
        check_submission(sub, query_names, gallery_names, leave_one_out=self.loo)
        return sub

    def versus_paper(self, approach: str, k: str = "top1", tolerance: float = TOLERANCE,
                     result: Result | None = None) -> str:
        """A sentence setting an approach's (best) top-k beside the paper's, in the words of
        :func:`helpers.verdicts.against_paper` (the study's tolerance)."""
        best = result or self.best(approach, k)
        here = best.scores[k]
        paper = (PAPER.get(approach) or {}).get(k)
        if paper is None:
            note = PAPER_NOTES.get(approach, "the report gives no number")
            return f"{approach}: {k} here {here:.3f} ({best.variant}, {best.metric}); {note}."
        if np.isnan(here):
            return f"{approach}: no labels, so no {k} to compare with the paper's {paper:.3f}."
        return (f"{approach}: {k} here {here:.3f} ({best.variant}, {best.metric}) "
                f"{verdicts.against_paper(here, paper, tolerance)}.")


def local_key(result: Result, prefix: str = "") -> str:
    """The metric name of a keypoint row: ``surf`` (the report's ranking), ``surf_ransac``."""
    ours = "" if REPORTS_LOCAL in result.variant else "_ransac"
    return f"{prefix}{result.variant.split()[0].lower()}{ours}"


def verdict_on(statement_start: str, metrics: Any) -> str:
    """The verdict engine's word and reason for the study's claim starting with these words,
    on this run's metrics so far (``report.current().data``): what a sentence may conclude."""
    claim = next(c for c in CLAIMS if c.statement.startswith(statement_start))
    found = verdicts.judge(claim, metrics)
    return f"{found.verdict} ({found.why})"


def _topk_text(result: Result) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in result.scores.items())


def record_absolute(report: Any, board: Board, ours: dict[str, Result], data: str) -> None:
    """The report's absolute top-k rows (``challenge_<approach>_top1/3/10``): recorded without
    a value, the reason and our number in the note, so the claims table shows why they are
    not testable here. ``ours``: {"resnet50": .., "cae": .., "surf": ..} results on ``data``."""
    chance = ", ".join(f"{k} {v:.3f}" for k, v in getattr(board, "chance_exact", {}).items())
    for key, result in ours.items():
        note = (f"not testable here: the challenge's images were never published and ResNet50's "
                f"ImageNet weights are not at hand; ours on {data} ({result.label}): "
                f"{_topk_text(result)}, chance {chance}")
        for k in KS:
            report.record(f"challenge_{key}_top{k}", None, note=note)


def record_seed_extremes(report: Any, name: str, hits: Any, items: str, what: str) -> str:
    """Record the best and the worst training seed's per-item hits (``hits``: seeds x items,
    the same items for every seed) as ``<name>_best_seed_<what>`` and ``<name>_worst_seed_<what>``,
    so the engine judges their difference with the paired interval; returns the per-seed scores.

    Which seed is best is chosen after the fact, so the difference is an upper reading of the
    seed-to-seed spread (the claims' caveat says so)."""
    per_seed = np.asarray(hits, dtype=float)
    means = per_seed.mean(axis=1)
    best, worst = int(np.argmax(means)), int(np.argmin(means))
    note = f"seeds {len(means)}; per seed " + ", ".join(f"{m:.3f}" for m in means)
    for label, row in (("best", best), ("worst", worst)):
        report.record_scores(f"{name}_{label}_seed_{what}", per_seed[row], items=items, note=note)
    return ", ".join(f"{m:.3f}" for m in means)
