"""The course's results table: each report's headline claims, its numbers, ours, a verdict.

    python -m helpers.results            # reports/metrics/*.json -> reports/RESULTS.md

Every number in RESULTS.md comes from ``reports/metrics/<notebook>.json`` (recorded by
``helpers.report.record`` and saved by ``report.finish`` when a standard-profile run of
``make reproduce`` completes; other profiles read ``metrics/<profile>/`` and write
``RESULTS-<profile>.md``); ``tests/test_results.py`` checks that
they agree. The claims are declared in each study's ``helpers.studies.<study>.claims`` and
judged by :mod:`helpers.verdicts`, the same engine that draws each notebook's closing table. A claim is "not testable here" when the numbers behind it came from
random weights or synthetic data, or were not recorded; "reproduced" and "not reproduced"
are decided by the rule of the claim, never by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers import config, report
from helpers.verdicts import (
    INCONCLUSIVE,
    KINDS,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    REPRODUCED,
    Claim,
    Verdict,
    all_claims,
    judge,
    markdown,
    number,
    row,
    titles,
)
from helpers.verdicts import fmt as _fmt

__all__ = ["CLAIMS", "KINDS", "TITLES", "Claim", "Verdict", "judge", "render", "write",
           "compare_runs", "REPRODUCED", "NOT_REPRODUCED", "INCONCLUSIVE", "NOT_TESTABLE"]

#: Every notebook's claims, as declared in ``helpers.studies.<study>.claims``.
CLAIMS = all_claims()
TITLES = titles()
# Two runs of `make reproduce` with the same seed on the same kind of machine agree on every
# recorded number within this (absolute); TensorFlow runs with op determinism on.
TOLERANCE = 0.01
GPU_RUN = ("not done: no GPU was lent to the session that made this run; "
           "the README's GPU recipe runs the paper profile with any Keras backend")
_COUNTED = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_TESTABLE)


def _provenance_line(metrics: Mapping[str, Any]) -> str:
    data = metrics.get("data") or {}
    weights = metrics.get("weights") or {}
    data_text = (f"{data.get('name', '?')} ({data.get('origin', '?')})"
                 if isinstance(data, Mapping) else str(data))
    if not (isinstance(weights, Mapping) and "by_backbone" in weights):
        per_number = {str(e["weights"].get("description") or e["weights"].get("source"))
                      for e in metrics.get("metrics", {}).values()
                      if isinstance(e, Mapping) and isinstance(e.get("weights"), Mapping)}
        if per_number:
            weights = {"description": "; ".join(sorted(per_number))}
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
    lines += ["", "Verdicts are computed by `helpers.verdicts` from `reports/metrics/*.json` (the rules: "
              "`helpers/studies/<study>/claims.py`, the same rows as each notebook's closing table); "
              "numbers from random-init weights or synthetic data never count as a verdict.", ""]
    summary = ["| report | claims | " + " | ".join(_COUNTED) + " |", "|---|---|---|---|---|---|"]
    sections: list[str] = []
    for notebook, title in TITLES.items():
        metrics = all_metrics.get(notebook)
        claims = CLAIMS.get(notebook, [])
        if metrics is None:
            summary.append(f"| {title} | {len(claims)} | — | — | — | notebook not run |")
            continue
        judged = [judge(c, metrics) for c in claims]
        counts = [sum(j.verdict == v for j in judged) for v in _COUNTED]
        summary.append(f"| {title} | {len(judged)} | " + " | ".join(map(str, counts)) + " |")
        sections += [f"## {title}", "", _provenance_line(metrics), "",
                     *markdown([row(j, metrics) for j in judged]), ""]
    return "\n".join(lines + summary + [""] + sections)


def machine_description() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.platform()}"


def notebook_seconds(executed_dir: Path, profile: str) -> dict[str, float]:
    """Wall-clock seconds of each notebook's last run in ``profile`` (from timings.json)."""
    path = executed_dir / "timings.json"
    if not path.exists():
        return {}
    runs = json.loads(path.read_text()).get(profile, {})
    return {name: float(run["seconds"]) for name, run in sorted(runs.items())}


def write(reports: Path | None = None, profile: str = "standard") -> Path:
    reports = reports or config.reports_dir()
    metrics = reports / "metrics"
    all_metrics = load_all(metrics if profile == "standard" else metrics / profile)
    # The commit the numbers came from; the checkout's only when the runs do not say.
    run_commits = sorted({str(m.get("git_commit")) for m in all_metrics.values()
                          if m.get("git_commit")})
    commit = ", ".join(run_commits) or report.git_commit()
    per_notebook = notebook_seconds(reports / "executed", profile)
    seconds = sum(per_notebook.values())
    header = {
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine_description(),
        "profile": profile,
        "total notebook time": f"{seconds / 60:.1f} min" if seconds else "not recorded",
        "per notebook": ", ".join(f"{name[:2]} {s / 60:.1f} min"
                                  for name, s in per_notebook.items()) or "not recorded",
        "regenerated within": f"{TOLERANCE} absolute on every number (same seed, same machine "
                              "kind): `python -m helpers.results --compare OTHER_RUN/reports`",
        "GPU paper-profile run": GPU_RUN,
    }
    path = reports / ("RESULTS.md" if profile == "standard" else f"RESULTS-{profile}.md")
    path.write_text(render(all_metrics, header))
    return path


# Numbers that measure the machine rather than the method: never compared between runs.
TIMING_SUFFIXES = ("_s", "_ms", "_seconds", "_minutes")


def compare_runs(ours: Mapping[str, Mapping[str, Any]], theirs: Mapping[str, Mapping[str, Any]],
                 tolerance: float = TOLERANCE) -> list[str]:
    """Differences between two runs' metrics (numbers beyond ``tolerance``), one line each.

    Timings (names ending in _s, _ms, ...) are left out; a metric or notebook present in one
    run only is a difference.
    """
    differences = []
    for notebook in sorted(set(ours) | set(theirs)):
        if notebook not in ours or notebook not in theirs:
            differences.append(f"{notebook}: only in {'ours' if notebook in ours else 'theirs'}")
            continue
        mine, other = ours[notebook].get("metrics", {}), theirs[notebook].get("metrics", {})
        for name in sorted(set(mine) | set(other)):
            if name.endswith(TIMING_SUFFIXES):
                continue
            if name not in mine or name not in other:
                differences.append(f"{notebook}/{name}: only in "
                                   f"{'ours' if name in mine else 'theirs'}")
                continue
            a, b = mine[name].get("value"), other[name].get("value")
            x, y = number(a), number(b)
            if isinstance(a, bool) or isinstance(b, bool) or x is None or y is None:
                same = a == b
            else:
                same = abs(x - y) <= tolerance
            if not same:
                differences.append(f"{notebook}/{name}: {_fmt(a)} vs {_fmt(b)}")
    return differences


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.results")
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--compare", type=Path, metavar="REPORTS_DIR",
                        help="compare reports/metrics with another run's (its reports/ folder) "
                             "instead of writing RESULTS.md; exit 1 on a difference")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    if args.compare:
        sub = "" if args.profile == "standard" else args.profile
        ours = load_all(config.reports_dir() / "metrics" / sub)
        differences = compare_runs(ours, load_all(args.compare / "metrics" / sub), args.tolerance)
        for line in differences:
            print(line)
        print(f"{len(differences)} differences beyond {args.tolerance} in "
              f"{sum(len(m.get('metrics', {})) for m in ours.values())} metrics")
        return 1 if differences else 0
    print(f"wrote {write(profile=args.profile)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
