"""Sentences that set a run's numbers beside the report's, table by table.

They phrase; they do not judge claims: closeness to a paper number is
:func:`helpers.verdicts.against_paper` with the study's tolerance
(:data:`helpers.studies.rahlen2019.claims.TOLERANCE`), and the claims themselves are judged by
:mod:`helpers.verdicts` in the closing table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.studies.rahlen2019.claims import INCOMPARABLE, TOLERANCE
from helpers.studies.rahlen2019.experiment import RAN, Experiment
from helpers.studies.rahlen2019.tasks import MODE_TITLES, architecture, paper_best, paper_result
from helpers.verdicts import against_paper


def compare(here: float, paper: float, tolerance: float = TOLERANCE) -> str:
    """'agrees with', 'is above' or 'is below' the paper's number (the study's tolerance)."""
    return against_paper(here, paper, tolerance)


def grid_sentence(exp: Experiment, task: str, mode: str) -> str:
    """What this task and mode's table shows, run by run, against the report."""
    data = exp.tasks[task]
    if not data.available:
        return (f"Not run: {data.reason}. The report's numbers stand alone (best "
                f"{paper_best(task, mode):.3f}).")
    grid = exp.grid(task, mode)
    ran = [r for r in grid if r.status == RAN]
    parts = []
    for run in ran:
        _, paper = paper_result(task, mode, run.backbone)
        stands = architecture(run.backbone).paper
        what = f"{run.backbone} ({run.weights_label()})"
        if not run.pretrained:
            parts.append(f"{what} reaches {run.best_val_accuracy:.3f}, a random-init control "
                         "that says nothing about the pretrained architecture")
        elif paper is None:
            parts.append(f"{what} reaches {run.best_val_accuracy:.3f} (held-out test "
                         f"{run.test_accuracy:.3f}; no like model in the report, whose best "
                         f"was {paper_best(task, mode):.3f})")
        else:
            parts.append(f"{what}, standing in for {stands}, reaches "
                         f"{run.best_val_accuracy:.3f}, which {compare(run.best_val_accuracy, paper)}")
    missing = [r.backbone for r in grid if r.status != RAN]
    text = "; ".join(parts) + "." if parts else "Nothing ran."
    if missing:
        text += (f" Not run in this profile: {', '.join(missing)} (the paper profile trains "
                 "them; here only MobileNetV2, MobileNet and MobileNetV3Small have real "
                 "ImageNet weights).")
    return f"{MODE_TITLES[mode].capitalize()}: {text}"


def _interval(row: dict[str, Any]) -> tuple[float, float]:
    low, high = row["here 95 % interval"].strip("[]").split(",")
    return float(low), float(high)


def tradeoff_sentence(rows: list[dict[str, Any]]) -> str:
    """Fine-tuning's gain and cost per task, from :func:`figures.tradeoff_rows`, each gain read
    against its paired interval over the validation photos."""
    if not rows:
        return "No backbone ran both modes here, so the trade-off is the report's alone."
    parts, better, worse = [], 0, 0
    for row in rows:
        low, high = _interval(row)
        better, worse = better + (low > 0), worse + (high < 0)
        photos = abs(row["here"]) * row["validation photos"]
        paper = "" if row["paper"] is None else f" (report: {100 * row['paper']:+.1f})"
        parts.append(f"{row['task']} / {row['model here']}: {100 * row['here']:+.1f} points "
                     f"(about {photos:.0f} of {row['validation photos']} photos; 95 % interval "
                     f"{100 * low:+.1f} to {100 * high:+.1f}){paper} for "
                     f"{row['run-time ratio (unequal epochs)']}x this run's training time "
                     "(unequal epochs and data; the report's time claims are timed below on its own "
                     "architectures)")
    within = len(rows) - better - worse
    verdict = (f"fine-tuning scored higher beyond the noise in {better} of {len(rows)} cases, "
               f"lower in {worse}, and within the noise of the validation photos in {within}")
    return ("Fine-tuning vs feature extraction: " + "; ".join(parts) + f". So {verdict}. The "
            "report's own tables are mixed too: on fireplaces its ResNet and AlexNet scored "
            "higher with feature extraction (tables 4.3-4.4).")


def best_sentence(exp: Experiment, task: str) -> str:
    """The task's best model here against the report's best, over both modes."""
    best = exp.best(task)
    if best is None:
        return f"{task}: not run here ({exp.tasks[task].reason or 'no data'})."
    paper = max(paper_best(task, m) for m in ("frozen", "finetune_all"))
    trust = "" if best.pretrained else " (random weights: not comparable)"
    if _too_easy(task):
        return (f"{task}: best {best.best_val_accuracy:.3f} ({best.backbone}, "
                f"{MODE_TITLES[best.mode]}); the stand-in is too easy to test the report's "
                f"{paper:.3f} (a thumbnail classifier already meets it).")
    acc = best.best_val_accuracy
    if INCOMPARABLE.get(task):  # the claims' rows show both numbers and judge neither
        return (f"{task}: best {acc:.3f} ({best.backbone}, {MODE_TITLES[best.mode]}){trust}, "
                f"shown beside the report's {paper:.3f} but not compared with it "
                f"({INCOMPARABLE[task]}).")
    return (f"{task}: best {acc:.3f} ({best.backbone}, {MODE_TITLES[best.mode]}){trust}, which "
            f"{compare(acc, paper) if np.isfinite(acc) else 'is not a number'}.")


def _too_easy(task: str) -> bool:
    """Whether this run found the task's stand-in too easy (``findings.record_stand_in_check``)."""
    from helpers import report

    try:
        entry = report.current().data["metrics"].get(f"{task}_stand_in_too_easy") or {}
    except RuntimeError:  # no run being recorded
        return False
    return entry.get("value") is True
