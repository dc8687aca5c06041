"""What notebook 05 records for its claims (``claims.py``): per-item hits, chance, the rows the
course cannot test here with the concrete reason.

Each function records through :mod:`helpers.report` and returns what the notebook prints.
Every hits array is recorded with ``items="test"`` or ``items="val"``, so the verdict engine
pairs two metrics only when they score the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers import report
from helpers.studies.xushi2023.candidates import CandidateSet
from helpers.studies.xushi2023.runs import GRID_SUFFIX, RankerRuns, mean_hits, select
from helpers.uncertainty import (
    candidates_chance,
    random_candidates_hits,
    seeds_and_items_interval,
)

#: The report's backbones this machine has no ImageNet weights for decide these rows.
BEST_PAIRS = (("resnet50", "vgg19"), ("resnet50", "mobilenetv3large"))
SMALL_LARGE = (("resnet50", "mobilenetv3small"), ("resnet50", "mobilenetv3large"))


def metric_name(text: str) -> str:
    """A label made safe for ``report.record``: ``a+b (concat), infonce`` -> ``a_b_concat_infonce``."""
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in text)
    return "_".join(part for part in safe.split("_") if part)


def weights_of(backbones: Sequence[str], weights: Mapping[str, Any]) -> dict[str, Any]:
    """The weights record of the backbones a number rests on (grid features: their backbone)."""
    return {b.removesuffix(GRID_SUFFIX): weights[b.removesuffix(GRID_SUFFIX)] for b in backbones}


def record_chance(test: CandidateSet, val: CandidateSet, seed: int) -> dict[str, float]:
    """Random scores on the test and validation rows, recorded with their hits beside the
    exact chance (2 / C top-2); returns the measured means."""
    n = test.cands.shape[1]
    out = {}
    for split, cands, offset in (("test", test, 0), ("val", val, 1)):
        hits = random_candidates_hits(len(cands), n, ks=(1, 2), seed=seed + offset)
        suffix = "" if split == "test" else "_val"
        for k in (1, 2):
            name = f"random{suffix}_top{k}"
            out[name] = report.record_scores(name, hits[f"top{k}"], items=split,
                                             exact=candidates_chance(n, k))
    return out


def record_models(models: Sequence[RankerRuns], weights: Mapping[str, Any]) -> None:
    """Each model's test top-2 hits (seeds, items), its validation top-2 and seeds beside."""
    for m in models:
        report.record_scores(f"top2_{metric_name(m.label)}", m.hits("test"), items="test",
                             top1=float(m.hits("test_top1").mean()), val_top2=m.top2("val"),
                             seeds=m.seeds, weights=weights_of(m.spec.backbones, weights))


def _pretrained(names: Sequence[str], weights: Mapping[str, Any]) -> bool:
    return all(n in weights and getattr(weights[n], "pretrained", False) for n in names)


def _val_of(models: Sequence[RankerRuns], group: tuple[str, ...]) -> RankerRuns | None:
    found = [m for m in select(models, size=len(group), fusion="concat")
             if m.spec.backbones == group and m.spec.loss == "hinge"]
    return found[0] if found else None


def record_report_claims(models: Sequence[RankerRuns], weights: Mapping[str, Any],
                         loss: str) -> dict[str, float]:
    """The report's claims on the pooled models trained with ``loss``: single vs pair
    (validation, as figure 4), concatenation vs averaging (test), the loss near 1.0, and the
    best-pair and MobileNetV3Small rows (measured where their backbones are real)."""
    singles, pairs = select(models, loss=loss, size=1), select(models, loss=loss, size=2)
    used = sorted({b for m in singles + pairs for b in m.spec.backbones})
    w = weights_of(used, weights)
    out = {}
    if singles and pairs:
        out["val_single_mean_top2"] = report.record_scores(
            "val_single_mean_top2", mean_hits(singles, "val"), items="val", weights=w,
            models=[m.label for m in singles])
        out["val_pair_mean_top2"] = report.record_scores(
            "val_pair_mean_top2", mean_hits(pairs, "val"), items="val", weights=w,
            models=[m.label for m in pairs])
    # Concatenation against averaging on the pairs trained both ways (the same test rows).
    both = {m.spec.backbones for m in pairs if m.spec.fusion == "average"}
    for fusion in ("concat", "average"):
        group = [m for m in pairs if m.spec.fusion == fusion and m.spec.backbones in both]
        if group and len(group) < len(pairs):
            out[f"pair_{fusion}_mean_top2"] = report.record_scores(
                f"pair_{fusion}_mean_top2", mean_hits(group, "test"), items="test", weights=w,
                models=[m.label for m in group])
    hinge = [m for m in select(models, loss="hinge")]
    if hinge:
        losses = np.array([m.final_losses() for m in hinge]).T  # (seeds, models)
        if losses.shape[1] == 1:  # one model: its seeds are the items
            losses = losses.T
        extra = dict(items="models", weights=w, low=float(losses.min()), high=float(losses.max()))
        if losses.size > 1:
            out["hinge_final_loss"] = report.record_scores("hinge_final_loss", losses,
                                                           score_bounds=None, **extra)
        else:  # one number, no spread to read an interval from
            out["hinge_final_loss"] = report.record("hinge_final_loss", float(losses[0, 0]),
                                                    **extra)
    _record_best_pairs(models, weights)
    _record_small_large(models, weights)
    return out


def _record_best_pairs(models: Sequence[RankerRuns], weights: Mapping[str, Any]) -> None:
    needed = sorted({b for g in BEST_PAIRS for b in g})
    pairs = select(models, loss="hinge", size=2)
    if not _pretrained(needed, weights) or any(_val_of(models, g) is None for g in BEST_PAIRS):
        missing = [b for b in needed if not _pretrained([b], weights)]
        report.record("report_best_pairs", None, note=(
            f"not testable here: no ImageNet weights for {', '.join(missing)} on this machine "
            "(random init would rank random features); the three MobileNets here are not the "
            "report's pairs"))
        return
    top = sorted(pairs, key=lambda m: -m.top2("val"))[:2]
    report.record("report_best_pairs", {m.spec.backbones for m in top} == set(BEST_PAIRS),
                  top_two=[m.label for m in top], weights=weights_of(needed, weights))


def _record_small_large(models: Sequence[RankerRuns], weights: Mapping[str, Any]) -> None:
    small, large = (_val_of(models, g) for g in SMALL_LARGE)
    names = [f"val_top2_{metric_name('_'.join(g))}" for g in SMALL_LARGE]
    if small is not None and large is not None and _pretrained(
            [b for g in SMALL_LARGE for b in g], weights):
        for name, m in zip(names, (small, large), strict=True):
            report.record_scores(name, m.hits("val"), items="val",
                                 weights=weights_of(m.spec.backbones, weights))
        return
    v3 = [m for m in select(models, loss="hinge") if "mobilenetv3small" in m.spec.backbones]
    seen = "; ".join(f"{m.label} val top-2 {m.top2('val'):.3f}" for m in v3)
    real = "MobileNetV3Small has ImageNet weights here" if _pretrained(
        ["mobilenetv3small"], weights) else "MobileNetV3Small did not run pretrained"
    for name in names:
        report.record(name, None, note=(
            f"not testable here: no ImageNet weights for MobileNetV3Large or ResNet50 on this "
            f"machine; {real}{' (' + seen + ')' if seen else ''}"))


def record_params_trend(rho: float, totals: Sequence[float]) -> None:
    """Figure 6's claim: not testable on three small backbones; the Spearman kept beside."""
    report.record("params_top2_spearman", rho)
    report.record("params_help_up_to_a_point", None, note=(
        f"not testable here: the models with real weights span {min(totals):.1f}-"
        f"{max(totals):.1f} M parameters, MobileNet family only, while the report's trend "
        "and its upper limit rest on ResNet50 pairs (ResNet50/InceptionV3 the largest); "
        f"Spearman of parameters and test top-2 over our models {rho:.2f}"))


def record_recall(recall: Mapping[str, Mapping[str, np.ndarray]],
                  weights: Mapping[str, Any]) -> dict[str, float]:
    """Each backbone's raw-feature recall@k over all pairs, with each left image's hit."""
    return {f"{name} {key}": report.record_scores(
                f"recall_at_{key.split('@')[1]}_{name}", hits, items="left",
                weights=weights_of([name], weights))
            for name, scores in recall.items() for key, hits in scores.items()}


def record_beyond(headline: RankerRuns, zero_hits: Mapping[str, np.ndarray],
                  weights: Mapping[str, Any]) -> dict[str, float]:
    """The course's findings: the headline pair trained against its own zero-shot cosine
    and chance (the same test rows)."""
    group = headline.spec.backbones
    w = weights_of(group, weights)
    out = {"fused_top2": report.record_scores("fused_top2", headline.hits("test"), items="test",
                                              model=headline.label, weights=w)}
    out["fused_zero_shot_top2"] = report.record_scores(
        "fused_zero_shot_top2", zero_hits["top2"], items="test", model="+".join(group),
        weights=w)
    return out


def record_pairs_against_better_member(models: Sequence[RankerRuns], weights: Mapping[str, Any],
                                       loss: str, fusion: str) -> list[dict[str, Any]]:
    """Each pooled pair (``loss``, ``fusion``: one model per pair of backbones) against the
    better of its two backbones alone, the better one chosen on validation top-2; both scored on
    the same test rows and seeds.

    Records ``fused_pairs_top2`` and ``better_members_top2``: (seeds, items) hits averaged
    over the pairs, so their paired difference is the mean of the pair-by-pair gains. The
    report's own gap is the same comparison: every pair of its holds ResNet50, its best
    single model (about 0.40), against the pairs' 0.61. Returns one row per pair for a table.
    """
    singles = {m.spec.backbones[0]: m for m in select(models, loss=loss, size=1)}
    rows, fused, members = [], [], []
    for pair in select(models, loss=loss, size=2, fusion=fusion):
        alone = [singles[b] for b in pair.spec.backbones if b in singles]
        if len(alone) < 2:
            continue
        better = max(alone, key=lambda m: m.top2("val"))
        gain = seeds_and_items_interval(pair.hits("test"), better.hits("test"))
        rows.append({"pair": pair.label, "better alone (on validation)": better.label,
                     "pair top-2": pair.top2("test"), "alone top-2": better.top2("test"),
                     "paper": None, "here": gain.estimate,
                     "95 % interval": f"[{gain.low:+.3f}, {gain.high:+.3f}]"})
        fused.append(pair.hits("test"))
        members.append(better.hits("test"))
    if not rows:
        for name in ("fused_pairs_top2", "better_members_top2"):
            report.record(name, None, note="not testable here: no pair trained beside both of "
                                           "its backbones alone (TRAIN_SINGLES False?)")
        return rows
    used = sorted({b for m in select(models, loss=loss) for b in m.spec.backbones})
    w = weights_of(used, weights)
    report.record_scores("fused_pairs_top2", np.mean(fused, axis=0), items="test", weights=w,
                         pairs=[r["pair"] for r in rows])  # paper numbers: paper.paper_for
    report.record_scores("better_members_top2", np.mean(members, axis=0), items="test",
                         weights=w, members=[r["better alone (on validation)"] for r in rows])
    return rows


def record_model_picks(models: Sequence[RankerRuns], weights: Mapping[str, Any]) -> dict[str, str]:
    """Section 5's point that the losses are too similar to pick the best model: among the
    pooled hinge models, the one with the lowest final training loss (mean over seeds, as the
    report's figure 5 shows it) against the one with the best validation top-2 (as its figure 4),
    both scored on the test rows."""
    hinge = select(models, loss="hinge")
    by_top2 = max(hinge, key=lambda m: m.top2("val"))
    by_loss = min(hinge, key=lambda m: float(m.final_losses().mean()))
    used = sorted({b for m in hinge for b in m.spec.backbones})
    for name, m in (("top2_pick_top2", by_top2), ("loss_pick_top2", by_loss)):
        report.record_scores(name, m.hits("test"), items="test", model=m.label,
                             weights=weights_of(used, weights))
    return {"picked by validation top-2": by_top2.label, "picked by lowest loss": by_loss.label}
