"""The course's results table: each report's headline claims, its numbers, ours, a verdict.

    python -m helpers.results            # reports/metrics/*.json -> reports/RESULTS.md

Every number in RESULTS.md comes from ``reports/metrics/<notebook>.json`` (written by
``helpers.report.record`` during ``make reproduce``); ``tests/test_results.py`` checks that
they agree. The claims and how each is judged live in :data:`CLAIMS` below, one list per
notebook. A claim is "not testable here" when the numbers behind it came from random weights
or synthetic data, or were not recorded; "reproduced" and "not reproduced" are decided by
the rule of the claim, never by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import config

REPRODUCED, NOT_REPRODUCED, NOT_TESTABLE = "reproduced", "not reproduced", "not testable here"


@dataclass(frozen=True)
class Claim:
    """One headline claim of a report and the rule that judges it on our numbers.

    ``kind``:
    - ``"at_least"``: ours reaches the paper's number within ``tolerance`` (absolute).
    - ``"beats"``: metric ``metric`` is higher than metric ``baseline`` (by more than
      ``tolerance``), in our run. The paper's number for each is shown beside.
    - ``"below"``: metric ``metric`` is lower than ``baseline`` by more than ``tolerance``
      (a flaw that collapses a score).
    - ``"finite"``: the metric was recorded and is a finite number (e.g. a loss that the report
      saw go NaN).
    """

    statement: str
    metric: str
    kind: str = "at_least"
    baseline: str | None = None
    tolerance: float = 0.0
    needs_pretrained: bool = True


@dataclass(frozen=True)
class Judgement:
    claim: Claim
    paper: Any
    here: Any
    baseline_here: Any
    verdict: str
    why: str


def _entry(metrics: Mapping[str, Any], name: str | None) -> Mapping[str, Any] | None:
    return metrics.get("metrics", {}).get(name) if name else None


def _trusted(metrics: Mapping[str, Any], entry: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether a number may judge a claim: real data and (where needed) pretrained weights."""
    data = entry.get("data") or metrics.get("data") or {}
    if isinstance(data, Mapping) and str(data.get("origin", "")).lower() == "synthetic":
        return False, "synthetic stand-in data"
    weights = entry.get("weights") or {}
    described = weights.get("by_backbone", {"": weights}) if isinstance(weights, Mapping) else {}
    random_init = [name for name, w in described.items()
                   if isinstance(w, Mapping) and w.get("pretrained") is False]
    if random_init:
        return False, f"random-init weights {', '.join(filter(None, random_init))}".strip()
    if metrics.get("profile") == "smoke":
        return False, "smoke profile"
    return True, ""


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def judge(claim: Claim, metrics: Mapping[str, Any]) -> Judgement:
    """Apply a claim's rule to one notebook's recorded metrics."""
    entry = _entry(metrics, claim.metric)
    base = _entry(metrics, claim.baseline)
    paper = entry.get("paper") if entry else None
    here = entry.get("value") if entry else None
    base_here = base.get("value") if base else None
    if entry is None or (claim.baseline and base is None):
        missing = claim.metric if entry is None else claim.baseline
        return Judgement(claim, paper, here, base_here, NOT_TESTABLE, f"{missing} not recorded")
    for e in (entry, base):
        if e is not None and claim.needs_pretrained:
            ok, why = _trusted(metrics, e)
            if not ok:
                return Judgement(claim, paper, here, base_here, NOT_TESTABLE, why)
    value, reference = _number(here), _number(base_here)
    if claim.kind == "finite":
        ok = value is not None
        why = "finite" if ok else "not finite"
    elif value is None:
        return Judgement(claim, paper, here, base_here, NOT_TESTABLE, "value is not a number")
    elif claim.kind == "at_least":
        target = _number(paper)
        if target is None:
            return Judgement(claim, paper, here, base_here, NOT_TESTABLE, "no paper number")
        ok = value >= target - claim.tolerance
        why = f"{value:.3f} vs paper {target:.3f} (tolerance {claim.tolerance:.3f})"
    elif claim.kind in ("beats", "below"):
        if reference is None:
            return Judgement(claim, paper, here, base_here, NOT_TESTABLE, "no baseline number")
        margin = value - reference
        ok = margin > claim.tolerance if claim.kind == "beats" else -margin > claim.tolerance
        why = f"{value:.3f} vs {reference:.3f} ({margin:+.3f})"
    else:
        raise ValueError(f"unknown claim kind {claim.kind!r}")
    return Judgement(claim, paper, here, base_here, REPRODUCED if ok else NOT_REPRODUCED, why)


# Filled per notebook with the metric names it records (see each notebook's report.record calls).
CLAIMS: dict[str, list[Claim]] = {}

TITLES = {
    "01_ingwersen_autoencoders": "01 · Ingwersen 2020, transfer-learned autoencoders",
    "02_jacobsen_finetuning_supcon": "02 · Jacobsen 2021, fine-tuning and SupCon",
    "03_swedish_attribute_classifiers": "03 · Råhlén & Sjöqvist 2019, attribute classifiers",
    "04_query_gallery_challenge": "04 · Fetz et al. 2021, the query/gallery challenge",
    "05_totally_looks_like": "05 · Xu & Shi 2023, Totally Looks Like",
}


def _fmt(value: Any) -> str:
    number = _number(value)
    if number is None:
        return "—" if value is None else str(value)
    return f"{number:.3f}"


def _provenance_line(metrics: Mapping[str, Any]) -> str:
    data = metrics.get("data") or {}
    weights = metrics.get("weights") or {}
    data_text = (f"{data.get('name', '?')} ({data.get('origin', '?')})"
                 if isinstance(data, Mapping) else str(data))
    if isinstance(weights, Mapping) and "by_backbone" in weights:
        weights_text = "; ".join(f"{k}: {v.get('description') or v.get('source', '?')}"
                                 for k, v in weights["by_backbone"].items())
    elif isinstance(weights, Mapping) and weights:
        weights_text = str(weights.get("description") or weights.get("source", weights))
    else:
        weights_text = "none recorded"
    return (f"Profile {metrics.get('profile', '?')}, data {data_text}, weights {weights_text}, "
            f"backend {metrics.get('backend', '?')}, seed {metrics.get('seed', '?')}, "
            f"commit {metrics.get('git_commit', metrics.get('commit', '?'))}.")


def load_all(metrics_dir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(metrics_dir.glob("*.json")):
        found[path.stem] = json.loads(path.read_text())
    return found


def render(all_metrics: Mapping[str, Mapping[str, Any]], header: Mapping[str, str]) -> str:
    """RESULTS.md as text: a summary table, then one section per notebook."""
    lines = ["# Results: the five reports, reproduced", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    lines += ["", "Verdicts are computed by `helpers.results` from `reports/metrics/*.json`; "
              "numbers from random-init weights or synthetic data never count as a verdict.", ""]
    summary = ["| report | claims | reproduced | not reproduced | not testable here |",
               "|---|---|---|---|---|"]
    sections: list[str] = []
    for notebook, title in TITLES.items():
        metrics = all_metrics.get(notebook)
        claims = CLAIMS.get(notebook, [])
        if metrics is None:
            summary.append(f"| {title} | {len(claims)} | — | — | notebook not run |")
            continue
        judged = [judge(c, metrics) for c in claims]
        counts = {v: sum(j.verdict == v for j in judged)
                  for v in (REPRODUCED, NOT_REPRODUCED, NOT_TESTABLE)}
        summary.append(f"| {title} | {len(judged)} | {counts[REPRODUCED]} | "
                       f"{counts[NOT_REPRODUCED]} | {counts[NOT_TESTABLE]} |")
        sections += [f"## {title}", "", _provenance_line(metrics), "",
                     "| claim | metric | paper | here | compared with | verdict | why |",
                     "|---|---|---|---|---|---|---|"]
        for j in judged:
            compared = (f"{j.claim.baseline} = {_fmt(j.baseline_here)}"
                        if j.claim.baseline else "paper")
            sections.append(f"| {j.claim.statement} | `{j.claim.metric}` | {_fmt(j.paper)} | "
                            f"{_fmt(j.here)} | {compared} | **{j.verdict}** | {j.why} |")
        sections.append("")
    return "\n".join(lines + summary + [""] + sections)


def machine_description() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}"


def total_time(executed_dir: Path, profile: str) -> float | None:
    path = executed_dir / "timings.json"
    if not path.exists():
        return None
    runs = json.loads(path.read_text()).get(profile, {})
    return sum(r["seconds"] for r in runs.values()) if runs else None


def write(reports: Path | None = None, profile: str = "standard") -> Path:
    reports = reports or config.reports_dir()
    all_metrics = load_all(reports / "metrics")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=config.repo_root()).stdout.strip() or "unknown"
    seconds = total_time(reports / "executed", profile)
    header = {
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine_description(),
        "profile": profile,
        "total notebook time": f"{seconds / 60:.1f} min" if seconds else "not recorded",
    }
    path = reports / "RESULTS.md"
    path.write_text(render(all_metrics, header))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.results")
    parser.add_argument("--profile", default="standard")
    args = parser.parse_args(argv)
    print(f"wrote {write(profile=args.profile)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
