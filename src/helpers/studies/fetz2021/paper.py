"""Fetz et al. (2021)'s own numbers (section 3): the challenge's top-k of each approach.

Only three approaches were scored: ResNet50 and the convolutional autoencoder (printed as
multiples of 1/15: 8, 11 and 13 of 15 queries; 1, 1 and 5 of 15) and SURF (multiples of 1/70
to three decimals: 39, 52 and 61 of 70), so the report's "SURF almost as good" compares scores
on different query sets. The small CNN's "around 40%" is an accuracy of unclear definition on
22 classes (figure 3's last layer). :func:`paper_for` gives the paper's number of a metric
notebook 04 records by name alone (``report.record`` fills it in).
"""

from __future__ import annotations

from typing import Any

PAPER: dict[str, dict[str, float] | None] = {
    "pretrained CNN": {"top1": 0.533, "top3": 0.733, "top10": 0.867},
    "Siamese": None,
    "conv autoencoder": {"top1": 0.067, "top3": 0.067, "top10": 0.333},
    "VAE": None,
    "small CNN": None,
    "SURF": {"top1": 0.557, "top3": 0.743, "top10": 0.871},
}
PAPER_NOTES = {
    "Siamese": "report: 'did not perform as expected', no score given",
    "VAE": "report: unstable, not used in the challenge",
    "small CNN": "report: 'accuracy ... around 40%', metric unclear",
}
#: Section 3: "the accuracy of the model was pretty low: around 40%".
SMALL_CNN_ACCURACY = 0.40
#: The smallest query counts the printed scores fit (section 3's printouts).
QUERY_COUNTS = {"pretrained CNN": 15, "conv autoencoder": 15, "SURF": 70}

#: The report's absolute numbers, judged apart (they need the report's data).
_ABSOLUTE = {
    **{f"challenge_resnet50_top{k}": PAPER["pretrained CNN"][f"top{k}"] for k in (1, 3, 10)},
    **{f"challenge_cae_top{k}": PAPER["conv autoencoder"][f"top{k}"] for k in (1, 3, 10)},
    **{f"challenge_surf_top{k}": PAPER["SURF"][f"top{k}"] for k in (1, 3, 10)},
    "small_cnn_accuracy_22_classes": SMALL_CNN_ACCURACY,
    "small_cnn_val_accuracy": SMALL_CNN_ACCURACY,
}


def paper_for(metric: str) -> Any:
    """The report's number for a metric notebook 04 records by name, or None."""
    return _ABSOLUTE.get(metric)


def smallest_query_count(*scores: float, digits: int = 3, limit: int = 200) -> int:
    """The fewest queries n for which every score is some k/n rounded to ``digits``."""
    for n in range(1, limit + 1):
        if all(any(round(k / n, digits) == round(s, digits) for k in range(n + 1)) for s in scores):
            return n
    raise ValueError(f"no query count up to {limit} gives {scores}")
