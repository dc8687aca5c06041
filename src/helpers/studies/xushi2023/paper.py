"""Xu & Shi (2023)'s own numbers (figures 3-6, section 4), and Rosenfeld et al. (2018)'s
all-vs-all recall@k that notebook 05 sets its pretrained features beside.

:func:`paper_for` gives the paper's number of a metric notebook 05 records (``report.record``
fills it in), so no notebook cell types one.
"""

from __future__ import annotations

from typing import Any

#: Top-k of 20 candidates (chance: k / 20); single models ~0.37, pairs ~0.61 (section 4).
PAPER = {"random_top1": 0.05, "random_top2": 0.10, "single_mean_top2": 0.37,
         "single_best_top2": 0.40, "pair_mean_top2": 0.61, "pair_best_top2": 0.631,
         "pair_best_val_top2": 0.68, "hinge_loss": 1.0}
#: Test top-2 per model (figures 3, 4): ResNet50 alone, its two best pairs.
PAPER_MODELS = {("resnet50",): 0.40, ("resnet50", "mobilenetv3large"): 0.631,
                ("resnet50", "vgg19"): 0.623}
#: Figure 5: "about 1.0" for every model; notebook 05 reads 0.7-1.1 as near it.
HINGE_LOSS_NEAR = (0.7, 1.1)
#: Rosenfeld et al. (2018), table 2: recall@k of pretrained features over TLL's 1828 pairs.
ROSENFELD = {"ResNet50": {1: 0.0438, 5: 0.1023, 10: 0.1444, 20: 0.1958},
             "DenseNet121": {1: 0.0580, 5: 0.1231, 10: 0.1647, 20: 0.2139}}
ROSENFELD_PAIRS = 1828

_RECORDED = {key: PAPER[key] for key in ("random_top1", "random_top2")}
# Figures 3 and 4 are validation accuracies: the val_ metrics carry them.
_RECORDED.update(val_single_mean_top2=PAPER["single_mean_top2"],
                 val_pair_mean_top2=PAPER["pair_mean_top2"], random_val_top2=PAPER["random_top2"],
                 val_pair_best_top2=PAPER["pair_best_val_top2"], hinge_final_loss=PAPER["hinge_loss"])
# Pair by pair (section 4(a)): every pair of the report holds ResNet50, its best single model.
_RECORDED.update(fused_pairs_top2=PAPER["pair_mean_top2"],
                 better_members_top2=PAPER["single_best_top2"])


def paper_for(metric: str) -> Any:
    """The report's number for a metric notebook 05 records, or None where it gave none.

    ``recall_at_<k>_<backbone>`` gets Rosenfeld et al.'s ResNet50 recall@k, whatever the
    backbone here.
    """
    if metric in _RECORDED:
        return _RECORDED[metric]
    if metric.startswith("recall_at_"):
        k = metric[len("recall_at_"):].split("_")[0]
        return ROSENFELD["ResNet50"].get(int(k)) if k.isdigit() else None
    return None
