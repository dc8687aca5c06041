"""Report 03's figures: loss and accuracy curves per task (its figures 1-12, one grid per
task), the frozen vs fine-tuned trade-off (accuracy against training time), and the
validation images the best model gets wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator, NullFormatter

from helpers import plots, uncertainty
from helpers.studies.rahlen2019.experiment import Experiment, format_seconds
from helpers.studies.rahlen2019.tasks import (
    MODE_TITLES,
    MODES,
    PAPER_FIGURES,
    PAPER_RESULTS,
    TASK_NAMES,
    architecture,
)

MODE_STYLE = {"frozen": ("o", "feature extraction"), "finetune_all": ("^", "fine-tuning")}


def curves(exp: Experiment, task: str) -> Any:
    """Rows: loss and accuracy of each mode; columns: the architectures that ran.

    Training solid, validation dashed, the kept (best) epoch marked: the report's figures
    1-12 for one task, in one grid.
    """
    runs = exp.task_runs(task)
    if not runs:
        raise ValueError(f"no runs for task {task!r}: run it first")
    backbones = list(dict.fromkeys(r.backbone for r in runs))
    modes = [m for m in MODES if any(r.mode == m for r in runs)]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2 * len(modes), len(backbones), squeeze=False,
                             figsize=(3.6 * len(backbones), 2.5 * 2 * len(modes)))
    for c, backbone in enumerate(backbones):
        for m, mode in enumerate(modes):
            run = next((r for r in runs if r.backbone == backbone and r.mode == mode), None)
            for k, metric in enumerate(("loss", "accuracy")):
                ax = axes[2 * m + k, c]
                if run is None:
                    ax.axis("off")
                    continue
                for key, style, label in ((metric, "-", "train"), (f"val_{metric}", "--", "val")):
                    values = run.history.get(key, [])
                    ax.plot(np.arange(1, len(values) + 1), values, style, marker=".",
                            label=label)
                ax.axvline(run.best_epoch, color="grey", lw=0.8, ls=":")
                paper = architecture(backbone).paper or "extra"
                ax.set_title(f"{backbone} ({paper}), {MODE_STYLE[mode][1]}\n{metric}"
                             f"{'' if run.pretrained else ', RANDOM init'}", fontsize=8)
                ax.set_xlabel("epoch", fontsize=7)
                ax.tick_params(labelsize=7)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
                ax.grid(alpha=0.3)
                ax.legend(fontsize=6)
    fig.suptitle(f"{task}: training curves (the report's figures {PAPER_FIGURES[task]}); "
                 "dotted line = epoch kept", fontsize=10)
    fig.tight_layout()
    return fig


def tradeoff(exp: Experiment) -> Any:
    """Best validation accuracy against training time, one panel per task.

    Here (filled markers, backbone names) and the report (hollow grey markers, on a Tesla
    K80): the times are not comparable across machines, the shape of the trade-off is.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(TASK_NAMES), figsize=(4.6 * len(TASK_NAMES), 3.8),
                             squeeze=False)
    for ax, task in zip(axes[0], TASK_NAMES, strict=True):
        for mode in MODES:
            marker, label = MODE_STYLE[mode]
            paper = PAPER_RESULTS[task][mode]
            ax.scatter([s for s, _ in paper.values()], [a for _, a in paper.values()],
                       marker=marker, facecolors="none", edgecolors="grey",
                       label=f"paper, {label}")
            for run in exp.task_runs(task, mode):
                ax.scatter(run.seconds, run.best_val_accuracy, marker=marker, s=50,
                           label=f"here, {run.backbone}, {label}"
                           + ("" if run.pretrained else " (random)"))
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # labels on decades only: no clutter
        ax.set_xlabel("training time (s, log scale)")
        ax.set_ylabel("best validation accuracy")
        ax.set_title(task if exp.tasks[task].available else f"{task}: not run here", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    fig.suptitle("Frozen vs fine-tuned: accuracy against training time", fontsize=10)
    fig.tight_layout()
    return fig


def tradeoff_rows(exp: Experiment) -> list[dict[str, Any]]:
    """Per task and backbone that ran both modes: what fine-tuning adds and what it costs."""
    rows = []
    for task in TASK_NAMES:
        for backbone in dict.fromkeys(r.backbone for r in exp.task_runs(task)):
            pair = {r.mode: r for r in exp.task_runs(task) if r.backbone == backbone}
            if set(pair) != set(MODES):
                continue
            frozen, tuned = pair["frozen"], pair["finetune_all"]
            paper_arch = architecture(backbone).paper
            paper_gain = None
            if paper_arch is not None and architecture(backbone).same:  # like with like only
                paper_gain = (PAPER_RESULTS[task]["finetune_all"][paper_arch][1]
                              - PAPER_RESULTS[task]["frozen"][paper_arch][1])
            gain = uncertainty.seeds_and_items_interval(tuned.val_hits, frozen.val_hits)
            rows.append({"task": task, "model here": backbone,
                         "time frozen": format_seconds(frozen.seconds),
                         "time fine-tuned": format_seconds(tuned.seconds),
                         "run-time ratio (unequal epochs)": round(tuned.seconds / max(frozen.seconds, 1e-9), 1),
                         "paper": paper_gain,
                         "here": tuned.best_val_accuracy - frozen.best_val_accuracy,
                         "here 95 % interval": f"[{gain.low:+.3f}, {gain.high:+.3f}]",
                         "validation photos": int(tuned.val_hits.shape[1])})
    return rows


def misclassified(exp: Experiment, task: str, n: int = 8) -> tuple[Any, int]:
    """(figure or None, number wrong): the best run's wrong validation images, most confident
    first, titled "true -> predicted (probability)"."""
    run = exp.best(task)
    if run is None or run.probs is None:
        raise ValueError(f"no runs for task {task!r}: run it first")
    predicted = run.probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != run.y_true)
    if len(wrong) == 0:
        return None, 0
    order = wrong[np.argsort(-run.probs[wrong, predicted[wrong]], kind="stable")][:n]
    names = exp.tasks[task].class_names
    images = exp.images(task, "val", run.image_size)[order]
    titles = [f"{names[run.y_true[i]]} -> {names[predicted[i]]} ({run.probs[i].max():.2f})"
              for i in order]
    fig = plots.image_grid(images, titles=titles, ncols=min(4, len(order)), size=2.4)
    fig.suptitle(f"{task}: misclassified validation images ({run.backbone}, "
                 f"{MODE_TITLES[run.mode]})", fontsize=9)
    return fig, int(len(wrong))
