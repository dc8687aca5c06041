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
    hits: dict[tuple[str, str], dict[str, Any]]

    def best_scheme(self, backbone: str) -> str: ...


METRIC_LABELS = {
    "test_top1": "test top-1",
    "val_top1": "val top-1",
    "test_top5": "test top-5",
    "val_top5": "val top-5",
}


#: Short names for the baseline table, so it fits a notebook's width.
SCHEME_LABELS = {"imagenet_then_255_bug": "flawed"}


def baseline_table(sweep: Sweep, chance: Mapping[str, Any], seed: int = 0) -> tuple[Any, list[str]]:
    """The baseline sweep as a table that fits the notebook's width, and the notes for below it.

    One row per (backbone, scheme) and a chance row; test top-1 carries its 95 % interval over
    the test images in the same column; long notes (why a backbone fell back, the chance level
    as a random ranking measured it, the split sizes) come back as lines to print under it.
    """
    import pandas as pd

    from helpers import uncertainty

    rows, notes = [], []
    for r in sweep.rows:
        top1 = uncertainty.item_interval(sweep.hits[(r["backbone"], r["scheme"])]["test_top1"], seed=seed)
        rows.append({"backbone": f"{r['backbone']}/{r['tap']}",
                     "weights": "pretrained" if r["weights"] == "pretrained" else "random",
                     "scheme": SCHEME_LABELS.get(r["scheme"], r["scheme"]), "dim": r["dim"],
                     "test top-1 [95 % CI]": f"{top1.estimate:.3f} [{top1.low:.3f}, {top1.high:.3f}]",
                     "val top-1": round(r["val_top1"], 3), "test top-5": round(r["test_top5"], 3),
                     "val top-5": round(r["val_top5"], 3)})
        if r["note"] and f"{r['backbone']}: {r['note']}" not in notes:
            notes.append(f"{r['backbone']}: {r['note']}")
    rows.append({"backbone": "chance", "weights": "", "scheme": "random ranking", "dim": "",
                 "test top-1 [95 % CI]": f"{chance['test_top1']:.3f}", "val top-1": chance["val_top1"],
                 "test top-5": chance["test_top5"], "val top-5": chance["val_top5"]})
    sizes = sorted({r["n_per_split"] for r in sweep.rows})
    notes.append(f"{' or '.join(map(str, sizes))} images per split (each a query against the rest); "
                 "'flawed' = imagenet, then /255 (the reconstructed pipeline below).")
    notes.append(f"chance, {chance['note']}")
    return pd.DataFrame(rows), notes


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
