"""The course's best frozen backbone, chosen from the committed standard-profile results.

Two experiments of the course score *frozen* ImageNet features with nothing trained on top,
which is what notebook 06 does with a student's photos: notebook 01's leave-one-out top-1 on
places6 rooms (``scheme_imagenet_test_top1_<backbone>``, table 4) and notebook 05's zero-shot
top-2 of 20 candidates on Totally Looks Like (``zero_shot_top2_<backbone>``, section 3). Each
backbone with real weights in both is ranked in each, and the best mean rank wins (ties: the
higher mean score); the runner-up is the backbone notebook 05's fusion pairs it with. The
intervals are shown beside the numbers: a choice inside the noise is a choice, not a finding,
and the closing section tests whether it carries over to the student's photos.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import config

#: (notebook, metric pattern, what it measures).
EVIDENCE = (
    ("01_ingwersen_autoencoders", "scheme_imagenet_test_top1_{}",
     "places6 rooms: LOO top-1 (notebook 01)"),
    ("05_totally_looks_like", "zero_shot_top2_{}",
     "TLL pairs: zero-shot top-2 of 20 (notebook 05)"),
)
#: Used when no committed results can be read (a checkout without reports/metrics).
FALLBACK = ("mobilenetv2", "mobilenet")


@dataclass(frozen=True)
class Ranking:
    """Backbones best first, the table behind the order and the sentence that says why."""

    order: tuple[str, ...]
    rows: list[dict[str, Any]]
    reason: str

    @property
    def best(self) -> str:
        return self.order[0]

    @property
    def runner_up(self) -> str:
        return self.order[1] if len(self.order) > 1 else self.order[0]


def _read(metrics_dir: Path, notebook: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(a standard run's metrics, its weights by backbone); empty when there is none."""
    path = metrics_dir / f"{notebook}.json"
    if not path.is_file():
        return {}, {}
    data = json.loads(path.read_text())
    if data.get("profile") != "standard":
        return {}, {}
    return data.get("metrics", {}), (data.get("weights") or {}).get("by_backbone", {})


def _pretrained(entry: dict[str, Any], run_weights: dict[str, Any], backbone: str) -> bool:
    """Whether a number came from ImageNet weights: its own record, else the run's."""
    weights = entry.get("weights") or run_weights.get(backbone) or {}
    return bool(weights.get("pretrained", False))


def _shown(entry: dict[str, Any]) -> str:
    interval = entry.get("interval") or {}
    low, high = interval.get("low"), interval.get("high")
    return (f"{entry['value']:.3f} [{low:.3f}, {high:.3f}]" if low is not None
            else f"{entry['value']:.3f}")


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ia, ib = a.get("interval") or {}, b.get("interval") or {}
    if None in (ia.get("low"), ia.get("high"), ib.get("low"), ib.get("high")):
        return True  # without intervals nothing says the two differ
    return ia["low"] <= ib["high"] and ib["low"] <= ia["high"]


def rank(metrics_dir: Path | None = None) -> Ranking:
    """The ranking of backbones by the committed standard results (see the module)."""
    metrics_dir = metrics_dir or config.repo_root() / "reports" / "metrics"
    found = {nb: _read(metrics_dir, nb) for nb, _, _ in EVIDENCE}
    scores: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for notebook, pattern, what in EVIDENCE:
        prefix, _, suffix = pattern.partition("{}")
        metrics, run_weights = found[notebook]
        for key, entry in metrics.items():
            name = key.removeprefix(prefix).removesuffix(suffix)
            if key.startswith(prefix) and "_" not in name and _pretrained(entry, run_weights,
                                                                          name):
                scores.setdefault(name, []).append((what, entry))
    complete = {b: s for b, s in scores.items() if len(s) == len(EVIDENCE)}
    if len(complete) < 2:
        return Ranking(FALLBACK, [], f"no committed standard results in {metrics_dir} rank two "
                       f"backbones: {FALLBACK[0]} and {FALLBACK[1]}, the course's defaults")
    ranks = {b: 0.0 for b in complete}
    for what in (w for _, _, w in EVIDENCE):
        ordered = sorted(complete, key=lambda b: -dict(complete[b])[what]["value"])
        for place, backbone in enumerate(ordered, 1):
            ranks[backbone] += place / len(EVIDENCE)
    mean = {b: sum(e["value"] for _, e in s) / len(s) for b, s in complete.items()}
    order = tuple(sorted(complete, key=lambda b: (ranks[b], -mean[b])))
    rows = [{"backbone": b, **{what: _shown(e) for what, e in complete[b]},
             "mean rank": ranks[b], "here": "chosen" if b == order[0] else
             "fused with it" if b == order[1] else ""} for b in order]
    best, second = order[0], order[1]
    overlap = all(_overlap(dict(complete[best])[w], dict(complete[second])[w])
                  for _, _, w in EVIDENCE)
    reason = (f"{best} has the best mean rank ({ranks[best]:.1f}) over {len(EVIDENCE)} frozen-"
              f"feature experiments of the course, {second} the next ({ranks[second]:.1f}); "
              + ("their 95 % intervals overlap in each, so the order is the course's best "
                 "guess, tested on your photos below" if overlap else
                 "the order is tested on your photos below"))
    return Ranking(order, rows, reason)
