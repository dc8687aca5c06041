"""Notebook 01's paper-vs-here rows, and the findings its claims are judged on.

The report's numbers live in :mod:`helpers.studies.ingwersen2020.paper`; the functions here pair
them with ours. Whether a claim holds is decided by :mod:`helpers.verdicts` alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from helpers.studies.ingwersen2020.paper import (  # noqa: F401  (re-exported)
    BEST_AE,
    BEST_AE_4X,
    DRE19_PRINTED_TOTALS,
    DRE19_TABLE1,
    FLAWED_PIPELINE,
    PAPER_BASELINES,
    PAPER_TSNE_KL,
)


class Sweep(Protocol):
    """What the rows here read of :class:`helpers.studies.ingwersen2020.experiments.Sweep` (which imports
    this module, so it is described here rather than imported)."""

    rows: list[dict[str, Any]]

    def best_scheme(self, backbone: str) -> str: ...


METRIC_LABELS = {
    "test_top1": "test top-1",
    "val_top1": "val top-1",
    "test_top5": "test top-5",
    "val_top5": "val top-5",
}


def baseline_rows(sweep: Sweep, metrics: Sequence[str] = ("test_top1", "val_top1")) -> list[dict]:
    """Paper-vs-here rows of the sweep: the report's number where it gave one (else "–")."""
    out = []
    for r in sweep.rows:
        paper_key = (r["backbone"], r["scheme"])
        for m in metrics:
            paper = PAPER_BASELINES.get(paper_key, {}).get(m)
            out.append(
                {
                    "backbone": f"{r['backbone']}/{r['tap']}",
                    "weights": r["weights"],
                    "scheme": r["scheme"],
                    "metric": METRIC_LABELS[m],
                    "paper": paper,
                    "here": r[m],
                }
            )
    return out


def grid_rows(
    grid: Sequence[Any],
    rows: Sequence[Mapping[str, Any]],
    input_dim: int,
    metrics: Sequence[str] = ("test_top1", "val_top1"),
) -> list[dict]:
    """Paper-vs-here rows of the autoencoder grid, matched entry by entry."""
    by_name = {}
    for r in rows:
        by_name.setdefault(r["model"], r)
    out = []
    for entry in grid:
        r = by_name[entry.spec.name]
        for m in metrics:
            out.append(
                {
                    "table": entry.table,
                    "paper AE": ", ".join(map(str, entry.paper_layers))
                    + (f" noise {entry.spec.noise:g}" if entry.spec.noise else ""),
                    "ours": entry.spec.layers(input_dim),
                    "metric": METRIC_LABELS[m],
                    "paper": entry.paper.get(m),
                    "here": r[m],
                }
            )
    return out


def places_best(sweep: Sweep) -> bool | None:
    """Whether Places preprocessing won (validation) for every pretrained backbone of the sweep;
    None when no backbone had pretrained weights."""
    pretrained = sorted({r["backbone"] for r in sweep.rows if r["weights"] == "pretrained"})
    winners = [sweep.best_scheme(b) for b in pretrained]
    return all(w == "places" for w in winners) if winners else None


def best_per_kind(ae_rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The best validation top-1 of each kind of autoencoder (shallow, denoising, deep, ...)."""
    by_kind: dict[str, float] = {}
    for r in ae_rows:
        by_kind[r["kind"]] = max(by_kind.get(r["kind"], 0.0), float(r["val_top1"]))
    return by_kind


def shallow_best(ae_rows: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether shallow AEs without noise reach the best validation top-1 of all kinds; None when
    the grid ran no other kind."""
    by_kind = best_per_kind(ae_rows)
    others = [v for k, v in by_kind.items() if k != "shallow"]
    if "shallow" not in by_kind or not others:
        return None
    return all(by_kind["shallow"] >= v for v in others)
