"""Notebook 05's tables: figures 3-6 of the report beside our models (each over its seeds).

Every function takes :class:`~helpers.studies.xushi2023.runs.RankerRuns` (one model, every
seed) and returns rows for ``report.paper_vs_here``; each retrieval table ends in a chance row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers.studies.xushi2023.paper import PAPER, PAPER_MODELS, ROSENFELD
from helpers.studies.xushi2023.runs import GRID_SUFFIX, RankerRuns, mean_hits, select


def _paper_model(models: RankerRuns) -> float | None:
    s = models.spec
    return PAPER_MODELS.get(s.backbones) if s.fusion == "concat" and s.loss == "hinge" else None


def chance_row(label: str, measured: float, exact: float, **extra: Any) -> dict[str, Any]:
    """The row every retrieval table ends in: random scores measured on the same rows (a
    column of its own) and the exact chance level (``here``)."""
    return {"model": label, **extra, "random scores, measured": measured,
            "paper": PAPER["random_top2"], "here": exact}


def top2_rows(models: Sequence[RankerRuns], loss: str, chance: tuple[float, float]
              ) -> list[dict[str, Any]]:
    """Figure 3 on the test split: every pooled model trained with ``loss`` (mean over its
    seeds, top-1 beside), the report's test numbers where its own backbones ran, then chance
    (``chance`` = (measured on the test rows, exact))."""
    rows = [{"model": m.label, "seeds": len(m.runs),
             "test top-1": float(m.hits("test_top1").mean()),
             "paper": _paper_model(m), "here": m.top2("test")}
            for m in select(models, loss=loss)]
    return rows + [chance_row("chance", chance[0], chance[1])]


def validation_rows(models: Sequence[RankerRuns], loss: str, chance: tuple[float, float]
                    ) -> list[dict[str, Any]]:
    """Figure 4's summaries on the validation split, as the report's figures are: the mean of
    the single models, of the pairs (every fusion), the best pair, then chance."""
    singles = select(models, loss=loss, size=1)
    pairs = select(models, loss=loss, size=2)
    rows = []
    for label, group, paper in (("mean of single models", singles, "single_mean_top2"),
                                ("mean of pairs", pairs, "pair_mean_top2")):
        if group:
            rows.append({"model": label, "models": len(group), "paper": PAPER[paper],
                         "here": float(mean_hits(group, "val").mean())})
    if pairs:
        best = max(pairs, key=lambda m: m.top2("val"))
        rows.append({"model": f"best pair ({best.label})", "models": 1,
                     "paper": PAPER["pair_best_val_top2"], "here": best.top2("val")})
    return rows + [chance_row("chance", chance[0], chance[1])]


def loss_rows(models: Sequence[RankerRuns]) -> list[dict[str, Any]]:
    """Figure 5: the last epoch's training loss per model, mean over seeds (the report: about
    1.0 for all, its hinge)."""
    return [{"model": m.label, "loss": m.spec.loss,
             "val loss (last epoch)": float(np.mean([r.history.get("val_loss", [np.nan])[-1]
                                                     for r in m.runs])),
             "paper": PAPER["hinge_loss"] if m.spec.loss == "hinge" else None,
             "here": float(m.final_losses().mean())} for m in models]


def parameter_rows(models: Sequence[RankerRuns], backbone_params: Mapping[str, int]
                   ) -> list[dict[str, Any]]:
    """Figure 6: parameters (frozen backbones + trained head) beside test top-2."""
    rows = []
    for m in models:
        frozen = sum(backbone_params[b.removesuffix(GRID_SUFFIX)] for b in m.spec.backbones)
        rows.append({"model": m.label, "backbone params (M)": frozen / 1e6,
                     "head params (M)": m.first.run.model.count_params() / 1e6,
                     "paper": _paper_model(m), "here": m.top2("test")})
    return rows


def parameter_scatter(rows: Sequence[Mapping[str, Any]]):
    """Test top-2 against total parameters (millions), one labelled point per model."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for row in rows:
        total = row["backbone params (M)"] + row["head params (M)"]
        ax.scatter(total, row["here"], s=30)
        ax.annotate(str(row["model"]), (total, row["here"]), fontsize=7,
                    xytext=(4, 3), textcoords="offset points")
    ax.set(xlabel="parameters, backbones + head (millions)", ylabel="test top-2",
           title="parameters against accuracy (cf. the report's figure 6)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def recall_rows(recall: Mapping[str, Mapping[str, float]], chance: Mapping[int, float]
                ) -> list[dict[str, Any]]:
    """Recall@k here (each backbone) beside Rosenfeld et al.'s ResNet50 (paper column) and
    DenseNet121 (its own column), then the chance of each k over this gallery."""
    rows = []
    for name, scores in recall.items():
        for key, value in scores.items():
            k = int(key.split("@")[1])
            rows.append({"k": k, "backbone here": name,
                         "DenseNet121 (Rosenfeld)": ROSENFELD["DenseNet121"].get(k),
                         "paper": ROSENFELD["ResNet50"].get(k), "here": float(np.mean(value))})
    rows += [{"k": k, "backbone here": "chance (k / pairs)", "paper": None, "here": c}
             for k, c in chance.items()]
    return rows
