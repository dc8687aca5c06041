"""Notebook 03's tables and records: the report's rows beside ours, chance rows, and every
number a claim rests on, recorded with each photo's correctness (``report.record_scores``).

Like with like only: a report row gets a number here only from the same architecture
(DenseNet-121, Inception v3, in the paper profile); our other backbones stand in rows of their
own, with no paper number. Best per mode is compared with the report's best per mode.
"""

from __future__ import annotations

from typing import Any

from helpers import uncertainty
from helpers.studies.rahlen2019.experiment import MODE_KEYS, RAN, Experiment, Run, format_seconds
from helpers.studies.rahlen2019.tasks import (
    ARCHITECTURES,
    MODE_TITLES,
    MODES,
    PAPER_RESULTS,
    PAPER_TABLES,
    architecture,
    paper_best,
    paper_result,
)

# The report's own time ratios in its tables (DenseNet on rooms fine-tuned / frozen: 2.28;
# Inception v3 / AlexNet, balcony, feature extraction: 2.75); its words are in timing.py.
TABLE_RATIOS = {"finetune": PAPER_RESULTS["rooms"]["finetune_all"]["DenseNet-121"][0]
                / PAPER_RESULTS["rooms"]["frozen"]["DenseNet-121"][0],
                "inception_alexnet": PAPER_RESULTS["balcony"]["frozen"]["Inception v3"][0]
                / PAPER_RESULTS["balcony"]["frozen"]["AlexNet"][0]}


def _status(run: Run) -> str:
    if run.status != RAN:
        return run.status
    seeds = f", {len(run.seeds)} seeds" if len(run.seeds) > 1 else ", one seed"
    return (f"{run.epochs} epoch{'s' if run.epochs != 1 else ''}{seeds}"
            + (f", {run.start}" if run.start else ""))


def _ours(run: Run) -> dict[str, Any]:
    ran = run.status == RAN
    return {"here": run.best_val_accuracy if ran else None,
            "test (chosen on val)": run.test_accuracy if ran else None,
            "model here": run.backbone, "weights": run.weights_label() if ran else "–",
            "status": _status(run), "time here": format_seconds(run.seconds)}


def rows(exp: Experiment, task: str, mode: str) -> list[dict[str, Any]]:
    """Table 4.x: the report's five models with its numbers, ours with ours, chance below.

    A report row holds a number here only where the same architecture ran; "here" is the
    report's metric (best validation epoch), "test" the held-out accuracy of those weights.
    """
    ran = {r.backbone: r for r in exp.grid(task, mode)}
    out = []
    for arch in ARCHITECTURES:
        p_seconds, p_acc = PAPER_RESULTS[task][mode][arch.paper]
        same = ran.get(arch.backbone) if arch.same else None
        row = {"paper model": arch.paper, "paper": p_acc, "paper time": format_seconds(p_seconds)}
        row.update(_ours(same) if same is not None else
                   {"here": None, "test (chosen on val)": None, "model here": "–",
                    "weights": "–", "status": arch.why if not arch.same else
                    f"{arch.backbone}: {ran[arch.backbone].status}", "time here": "–"})
        out.append(row)
    for backbone, run in ran.items():
        if architecture(backbone).same:
            continue
        if run.status != RAN and backbone not in exp.backbones:
            continue  # a relative of a report model that this profile leaves out
        out.append({"paper model": "(not in report)", "paper": None, "paper time": "–",
                    **_ours(run)})
    data = exp.tasks[task]
    if not data.available:  # say it in the table, not only in the prose
        out.append({"paper model": "(data here)", "paper": None, "paper time": "–",
                    "here": None, "test (chosen on val)": None, "model here": "–",
                    "weights": "–", "status": f"not run ({data.spec.stand_in}): "
                              f"{data.reason.split('. ')[0]}",
                    "time here": "–"})
    return out + chance_rows(exp, task)


def chance_rows(exp: Experiment, task: str) -> list[dict[str, Any]]:
    """The majority class and uniform guessing on the same validation and test photos."""
    data = exp.tasks[task]
    if not data.available:
        return []
    val = uncertainty.classification_chance_levels(data.val.labels, data.train.labels,
                                                   n_classes=len(data.class_names))
    test = (uncertainty.classification_chance_levels(data.test.labels, data.train.labels,
                                                     n_classes=len(data.class_names))
            if data.test is not None else None)
    return [{"paper model": f"chance: {what}", "paper": None, "paper time": "–",
             "here": val[key].analytic, "test (chosen on val)": None if test is None
             else test[key].analytic, "model here": "–", "weights": "–",
             "status": f"measured {val[key].measured}", "time here": "–"}
            for key, what in (("majority", "majority class"), ("uniform", "uniform guess"))]


def _note(run: Run) -> str:
    seeds = (f"{len(run.seeds)} head seeds ({', '.join(map(str, run.seeds))}) x photos"
             if len(run.seeds) > 1 else "one seed: interval over the photos only")
    best = (f", best epoch{'s' if len(run.best_epochs) > 1 else ''} "
            f"{', '.join(map(str, run.best_epochs))}" if run.best_epochs else "")
    return (f"{run.backbone} ({architecture(run.backbone).paper or 'not in the report'}), "
            f"{run.weights_label()}, {run.epochs} epochs{best}, {run.image_size} px, {seeds}"
            + (f", from the {run.start}" if run.start else ""))


def _record_run(name: str, run: Run | None, split: str, task: str, **context: Any) -> Any:
    """One accuracy of a run (its validation or test photos), with each photo's correctness."""
    from helpers import report

    data = context.pop("data")
    hits = None if run is None or run.status != RAN else (
        run.val_hits if split == "validation" else run.test_hits)
    if hits is None:
        return report.record(name, None, data=data, note=context.pop("why"), **context)
    context.pop("why", None)
    return report.record_scores(name, hits, data=data, weights=run.weights, note=_note(run),
                                items=f"{task} {split} photos", **context)


def _against_test(run: Run | None, stem: str) -> dict[str, Any] | None:
    """The interval of validation minus test accuracy of the same weights: different photos,
    so unpaired, over the seed-averaged correctness of each photo."""
    if run is None or run.val_hits is None or run.test_hits is None:
        return None
    gap = uncertainty.unpaired_difference(run.val_hits.mean(axis=0), run.test_hits.mean(axis=0))
    return {f"{stem}_test_acc": gap.as_dict()}


def record(exp: Experiment, task: str) -> dict[str, Any]:
    """``report.record`` every cell of the task's grid and its best per mode (val and test)."""
    data = exp.tasks[task]
    recorded: dict[str, Any] = {}
    for mode in MODES:  # modes left out still get their (not run) rows
        for run in exp.grid(task, mode):
            p_seconds, p_acc = paper_result(task, mode, run.backbone)
            recorded[run.metric] = _record_run(
                run.metric, run, "validation", task, data=data.source, why=run.status,
                paper=p_acc, table=PAPER_TABLES[(task, mode)], paper_seconds=p_seconds,
                seconds=None if run.status != RAN else round(run.seconds, 1))
        best = exp.best(task, mode)
        why = (data.reason or "not run") if best is None else None
        key = MODE_KEYS[mode]
        recorded[f"{task}_best_{key}_val_acc"] = _record_run(
            f"{task}_best_{key}_val_acc", best, "validation", task, data=data.source, why=why,
            paper=paper_best(task, mode), intervals=_against_test(best, f"{task}_best_{key}"),
            chosen=None if best is None else
            f"{MODE_TITLES[mode]}: {best.backbone}, chosen on validation")
        recorded[f"{task}_best_{key}_test_acc"] = _record_run(
            f"{task}_best_{key}_test_acc", best, "test", task, data=data.source,
            why=why or "no test split", paper=None)
    return recorded
