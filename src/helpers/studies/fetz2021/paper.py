"""Fetz et al. (2021)'s own numbers (section 3): the challenge's top-k of each approach.

Only three approaches were scored on the challenge; the small CNN's "around 40%" is an accuracy
of unclear definition. :func:`paper_for` gives the paper's number of a metric notebook 04
records by name alone (``report.record`` fills it in).
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


def paper_for(metric: str) -> Any:
    """The report's number for a metric notebook 04 records by name, or None."""
    return {"small_cnn_val_accuracy": SMALL_CNN_ACCURACY}.get(metric)
