"""The course's results: each report's headline claims, its numbers, ours, a verdict.

    python -m helpers.results            # reports/metrics/*.json -> reports/RESULTS.md
    python -m helpers.results --compare OTHER_RUN/reports   # and records the comparison

Every number in RESULTS.md comes from ``reports/metrics/<notebook>.json`` (recorded by
``helpers.report.record`` and saved by ``report.finish`` when a standard-profile run of
``make reproduce`` completes; other profiles read ``metrics/<profile>/`` and write
``RESULTS-<profile>.md``); ``tests/test_results.py`` checks that they agree. The claims are
declared in each study's ``helpers.studies.<study>.claims`` and judged by
:mod:`helpers.verdicts`; this module draws the rows, the same in each notebook's closing table
(:func:`claims_table`) and in RESULTS.md. The words are the uncertainty vocabulary's
(reproduced / contradicted / inconclusive / not testable here); the course's own findings
("beyond the report") are a table of their own and never counted. Each report's section opens
with its verdicts at a glance (:mod:`helpers.glance`: a forest plot, drawn by :func:`write`
into ``reports/figures/results/``, and a short table), then the full reasoning and the
report's method card (:mod:`helpers.method`) in ``<details>`` blocks.

The header holds only facts of the runs, read from their metrics files (commit, dates,
profile, backend, seed, times; machine and devices where a run recorded them, else "not
recorded"), and a reproducibility line only where ``--compare`` ran (its outcome is saved in
``reports/compare.json``).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers import config, glance, method, report
from helpers.verdicts import (
    CONTRADICTED,
    INCONCLUSIVE,
    KINDS,
    NO_INTERVAL,
    NOT_TESTABLE,
    REPRODUCED,
    YES_NO,
    Claim,
    Verdict,
    all_claims,
    fmt,
    judge,
    judge_notebook,
    number,
    recorded,
    recorded_interval,
    titles,
)

__all__ = ["CLAIMS", "KINDS", "TITLES", "Claim", "Verdict", "judge", "render", "write",
           "claims_table", "compare_runs", "REPRODUCED", "CONTRADICTED", "INCONCLUSIVE",
           "NOT_TESTABLE"]

#: Every notebook's claims, as declared in ``helpers.studies.<study>.claims``.
CLAIMS = all_claims()
TITLES = titles()
# Two runs of `make reproduce` with the same seed on the same kind of machine agree on every
# recorded number within this (absolute); TensorFlow runs with op determinism on.
TOLERANCE = 0.01
COUNTED = (REPRODUCED, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)
SUMMARY_HEADER = ("| report | claims | " + " | ".join(COUNTED)
                  + " | beyond the report (not counted) |")
#: What ``--compare`` leaves in the reports folder, for the header's reproducibility line.
COMPARE_RECORD = "compare.json"
NOT_RECORDED = "not recorded"


def _entry(metrics: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return metrics.get("metrics", {}).get(name) or {}


def _with_interval(name: str, metrics: Mapping[str, Any]) -> str:
    entry = _entry(metrics, name) or {}
    value = number(entry.get("value"))
    interval = None if value is None else recorded_interval(recorded(entry, "interval"), value)
    shown = fmt(entry.get("value"))
    return shown if interval is None else f"{shown} [{interval.low:.3f}, {interval.high:.3f}]"


def row(judged: Verdict, metrics: Mapping[str, Any],
        card: method.MethodCard | None = None) -> dict[str, str]:
    """One claim's cells, the same in a notebook's closing table and in RESULTS.md; with the
    study's method ``card``, the card lines the claim depends on that differ from the report."""
    claim = judged.claim
    compared = "paper"
    if claim.baselines:
        compared = ", ".join(f"{b} = {_with_interval(b, metrics)}" for b in claim.baselines)
        base_paper = (_entry(metrics, claim.baselines[0]) or {}).get("paper")
        if len(claim.baselines) == 1 and number(base_paper) is not None:
            compared += f" (paper {fmt(base_paper)})"
    metric = ", ".join(f"`{m}`" for m in claim.metrics)
    why = judged.why + (f"; {claim.caveat}" if claim.caveat else "")
    if judged.verdict == INCONCLUSIVE and judged.point_holds is not None:
        word = f"{INCONCLUSIVE} ({NO_INTERVAL})" if NO_INTERVAL in judged.why else INCONCLUSIVE
    else:
        word = judged.verdict
    # A claim on several metrics shows each one's paper number and ours, in the claim's order.
    paper = ", ".join(fmt((_entry(metrics, m) or {}).get("paper")) for m in claim.metrics)
    here = ", ".join(_with_interval(m, metrics) for m in claim.metrics)
    chance = [claim.chance_for(m) for m in claim.metrics + claim.baselines]
    statement = claim.statement + (f" ({claim.source})" if claim.source else "")
    return {"claim": statement, "metric": metric, "paper": paper, "here": here,
            "chance": ", ".join(fmt(c) for c in dict.fromkeys(chance) if c is not None) or "—",
            "compared with": compared, "verdict": f"**{word}**", "why": why,
            "method differs": (method.short(card, claim.card) if card is not None else "") or "—",
            "controls": controls(claim, metrics)}


COLUMNS = ("claim", "metric", "paper", "here", "chance", "compared with", "verdict", "why",
           "method differs", "controls")


def controls(claim: Claim, metrics: Mapping[str, Any]) -> str:
    """The controls a claim names (its negative control, or why it has none; its positive
    controls), with the recorded control's value."""
    if claim.by_construction:
        return f"holds by construction: {claim.by_construction}"
    if claim.kind in YES_NO and not claim.negative_controls:
        return "—"  # a yes/no event of the run: nothing to control
    named = list(claim.negative_controls)
    if claim.negative_control:
        value = fmt((_entry(metrics, claim.negative_control) or {}).get("value"))
        named[named.index(f"recorded {claim.negative_control}")] += f" ({value})"
    parts = [f"negative: {', '.join(named)}" if named
             else f"negative: none ({claim.no_control or 'not declared'})"]
    if claim.positive_controls:
        parts.append(f"positive: {', '.join(claim.positive_controls)} above chance")
    return "; ".join(parts)
BEYOND_HEADING = "Beyond the report: findings of the course, not the report's (never counted)"


def markdown(rows: Sequence[Mapping[str, str]]) -> list[str]:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    return lines + ["| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |"
                    for r in rows]


def tables(judged: Sequence[Verdict], metrics: Mapping[str, Any],
           card: method.MethodCard | None = None) -> list[str]:
    """The report's claims as one table, then (where any) the course's own findings apart."""
    ours = [row(v, metrics, card) for v in judged if not v.claim.beyond_report]
    beyond = [row(v, metrics, card) for v in judged if v.claim.beyond_report]
    return markdown(ours) + (["", f"**{BEYOND_HEADING}**", "", *markdown(beyond)] if beyond else [])


class Table(str):
    """A markdown table that Jupyter renders as one (a notebook's closing verdicts)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def claims_table(judged: Sequence[Verdict], metrics: Mapping[str, Any],
                 card: method.MethodCard | None = None) -> Table:
    """Judged claims as a table, as RESULTS.md shows them."""
    return Table("\n".join(tables(judged, metrics, card)))


def notebook_table(notebook: str, metrics: Mapping[str, Any]) -> Table:
    """A notebook's closing table: its study's claims judged on ``metrics`` (the running
    notebook's ``report.current().data``), row for row what RESULTS.md shows for that run."""
    return claims_table(judge_notebook(notebook, metrics), metrics, method.card(notebook))


#: Where ``write`` draws each report's forest plot, relative to the reports folder.
FIGURES = Path("figures") / "results"


def _card(notebook: str) -> method.MethodCard | None:
    try:
        return method.card(notebook)
    except (KeyError, ModuleNotFoundError):
        return None


def _section(notebook: str, title: str, metrics: Mapping[str, Any],
             judged: Sequence[Verdict]) -> list[str]:
    """One report in RESULTS.md: the figure, the short table, the reasoning and the card."""
    card = _card(notebook)
    lines = [f"## {title}", "", _provenance_line(metrics), "",
             f"![The verdicts of {title[:2]} at a glance]({(FIGURES / notebook).as_posix()}.png)",
             "", glance.short_table(judged, metrics, card), "",
             "<details><summary>One sentence per claim, and the full reasoning</summary>", "",
             glance.sentences(judged), "", *tables(judged, metrics, card), "", "</details>", ""]
    if card is not None:
        lines += ["<details><summary>Method card: every setting, the report's and ours"
                  "</summary>", "", card.markdown(), "", "</details>", ""]
    return lines


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


#: Notebooks that record metrics but reproduce no report (06: a student's own photos, whose
#: numbers describe that folder): RESULTS.md, its header and its comparisons leave them out.
NOT_REPORTS = ("06_your_own_photos",)


def load_all(metrics_dir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(metrics_dir.glob("*.json")):
        if path.stem not in NOT_REPORTS:
            found[path.stem] = json.loads(path.read_text())
    return found


def verdict_counts(notebook: str, metrics: Mapping[str, Any],
                   judged: Sequence[Verdict] | None = None) -> dict[str, int]:
    """How many of the report's claims (not the course's own findings) got each verdict word,
    in :data:`COUNTED`'s order: the numbers of RESULTS.md's summary table."""
    judged = judged if judged is not None else [judge(c, metrics) for c in CLAIMS.get(notebook, [])]
    reported = [j for j in judged if not j.claim.beyond_report]
    return {word: sum(j.verdict == word for j in reported) for word in COUNTED}


def render(all_metrics: Mapping[str, Mapping[str, Any]], header: Mapping[str, str]) -> str:
    """RESULTS.md as text: a summary table, then one section per notebook (the report's
    claims, then the course's own findings apart)."""
    lines = ["# Results: the five reports, reproduced", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    lines += ["", "Verdicts are computed by `helpers.verdicts` from `reports/metrics/*.json` (the "
              "rules: `helpers/studies/<study>/claims.py`, the same rows as each notebook's "
              "closing table) in the words of `helpers.uncertainty.judge`: **reproduced** (the "
              "95 % interval lies on the claimed side), **contradicted** (on the other side), "
              "**inconclusive** (it spans the threshold, or no interval was recorded: the point "
              "comparison is shown, not judged), **not testable here** (random-init weights, "
              "synthetic data, nothing recorded, or chance alone already meets the rule: the "
              "chance column is what a random ranking or the majority class scores on the same "
              "items). Findings of the course that are not the report's claims are listed apart "
              "and never counted.", "",
              "Each report's figure (a forest plot: our value or difference with its 95 % "
              "interval, the rule's threshold and chance, coloured by verdict) is drawn into "
              f"`reports/{FIGURES.as_posix()}/` by `python -m helpers.results`, which `make "
              "reproduce` runs last; they are committed with it. "
              "\"method differs\" names the lines of the report's method card (in each "
              "section) where our setting differs from the report's; \"?\" marks a line the "
              "report is silent on, where ours is a reconstruction.", ""]
    summary = [SUMMARY_HEADER, "|" + "---|" * (len(COUNTED) + 3)]
    sections: list[str] = []
    for notebook, title in TITLES.items():
        metrics = all_metrics.get(notebook)
        claims = CLAIMS.get(notebook, [])
        reported = [c for c in claims if not c.beyond_report]
        if metrics is None:
            summary.append(f"| {title} | {len(reported)} | " + " | ".join(["—"] * 3)
                           + f" | notebook not run | {len(claims) - len(reported)} |")
            continue
        judged = [judge(c, metrics) for c in claims]
        counts = list(verdict_counts(notebook, metrics, judged).values())
        summary.append(f"| {title} | {len(reported)} | " + " | ".join(map(str, counts))
                       + f" | {len(claims) - len(reported)} |")
        sections += _section(notebook, title, metrics, judged)
    return "\n".join(lines + summary + [""] + sections)


def notebook_seconds(executed_dir: Path, profile: str) -> dict[str, float]:
    """Wall-clock seconds of each notebook's last run in ``profile`` (from timings.json)."""
    path = executed_dir / "timings.json"
    if not path.exists():
        return {}
    runs = json.loads(path.read_text()).get(profile, {})
    return {name: float(run["seconds"]) for name, run in sorted(runs.items())}


def recorded_seconds(all_metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Each run's span from its start to its last record (``started_at`` .. ``updated_at``)."""
    spans = {}
    for name, metrics in sorted(all_metrics.items()):
        try:
            start = datetime.fromisoformat(str(metrics["started_at"]))
            end = datetime.fromisoformat(str(metrics["updated_at"]))
        except (KeyError, ValueError):
            continue
        spans[name] = (end - start).total_seconds()
    return spans


def _one_or_each(all_metrics: Mapping[str, Mapping[str, Any]], key: str) -> str:
    """A run fact that all notebooks share, or each notebook's; "not recorded" if none has it."""
    found = {name[:2]: str(m[key]) for name, m in all_metrics.items() if m.get(key) is not None}
    if not found:
        return NOT_RECORDED
    if len(set(found.values())) == 1:
        return next(iter(found.values()))
    return ", ".join(f"{nb} {value}" for nb, value in found.items())


def _gpu_used(all_metrics: Mapping[str, Mapping[str, Any]]) -> str:
    """Whether a run saw a GPU, from the devices it recorded (``devices``: a list of names)."""
    recorded = [m["devices"] for m in all_metrics.values() if isinstance(m.get("devices"), list)]
    if not recorded:
        return f"{NOT_RECORDED} (the metrics files name no device)"
    return "yes" if any("gpu" in str(d).lower() or "cuda" in str(d).lower()
                        for devices in recorded for d in devices) else "no"


def run_header(all_metrics: Mapping[str, Mapping[str, Any]], reports: Path,
               profile: str) -> dict[str, str]:
    """RESULTS.md's header: only facts of the runs behind it."""
    starts = sorted(str(m["started_at"]) for m in all_metrics.values() if m.get("started_at"))
    ends = sorted(str(m["updated_at"]) for m in all_metrics.values() if m.get("updated_at"))
    per_notebook = notebook_seconds(reports / "executed", profile)
    source = "notebook wall clock"
    if not per_notebook:
        per_notebook, source = recorded_seconds(all_metrics), "from each run's first to last record"
    seconds = sum(per_notebook.values())
    header = {
        "commit": _one_or_each(all_metrics, "git_commit"),
        "run": f"{starts[0]} .. {ends[-1]}" if starts and ends else NOT_RECORDED,
        "machine": _one_or_each(all_metrics, "machine"),
        "GPU used": _gpu_used(all_metrics),
        "profile": _one_or_each(all_metrics, "profile"),
        "backend": _one_or_each(all_metrics, "backend"),
        "seed": _one_or_each(all_metrics, "seed"),
        "total time": f"{seconds / 60:.1f} min ({source})" if seconds else NOT_RECORDED,
        "per notebook": ", ".join(f"{name[:2]} {s / 60:.1f} min"
                                  for name, s in per_notebook.items()) or NOT_RECORDED,
    }
    line = reproducibility_line(reports, header["commit"], profile)
    if line:
        header["reproducibility"] = line
    return header


def _compare_path(reports: Path, profile: str) -> Path:
    return reports / (COMPARE_RECORD if profile == "standard" else f"compare-{profile}.json")


def record_comparison(reports: Path, profile: str, ours: Mapping[str, Mapping[str, Any]],
                      other: Path, differences: Sequence[str], n_metrics: int,
                      tolerance: float, theirs: Mapping[str, Mapping[str, Any]] | None = None
                      ) -> Path:
    """Save what ``--compare`` found (``differences``: :func:`compare_runs`' lines), for
    :func:`reproducibility_line`: with the other run's metrics (``theirs``) also its commit
    and how many metrics are identical to the bit."""
    done = {"commit": _one_or_each(ours, "git_commit"), "other": str(other),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "differences": len(differences),
            "names": [line.split(":")[0] for line in differences[:5]], "metrics": n_metrics,
            "tolerance": tolerance}
    if theirs is not None:
        identical, compared = count_identical(ours, theirs)
        done.update(other_commit=_one_or_each(theirs, "git_commit"), identical=identical,
                    compared=compared)
    path = _compare_path(reports, profile)
    path.write_text(json.dumps(done, indent=1) + "\n")
    return path


def reproducibility_line(reports: Path, commit: str, profile: str = "standard") -> str:
    """The outcome of ``--compare`` for these runs (same commits), or "" where none ran."""
    path = _compare_path(reports, profile)
    if not path.exists():
        return ""
    done = json.loads(path.read_text())
    if done.get("commit") != commit:
        return ""
    other = done["other"] if "other_commit" not in done else f"commit {done['other_commit']}"
    line = f"compared with another run ({other}) on {done['date']}: "
    if "identical" in done:
        line += (f"{done['identical']} of {done['compared']} metrics (timings left out) "
                 "identical to the bit, ")
    line += (f"{done['differences']} differences beyond {done['tolerance']} absolute in "
             f"{done['metrics']} metrics")
    if done.get("names"):
        line += f" ({', '.join(done['names'])})"
    return line


def count_identical(ours: Mapping[str, Mapping[str, Any]],
                    theirs: Mapping[str, Mapping[str, Any]]) -> tuple[int, int]:
    """How many metrics both runs have (timings left out, as :func:`compare_runs` does), and
    how many of them hold the same value to the bit."""
    identical = compared = 0
    for notebook in set(ours) & set(theirs):
        mine = ours[notebook].get("metrics", {})
        other = theirs[notebook].get("metrics", {})
        for name in set(mine) & set(other):
            if name.endswith(TIMING_SUFFIXES):
                continue
            compared += 1
            identical += mine[name].get("value") == other[name].get("value")
    return identical, compared


def write(reports: Path | None = None, profile: str = "standard") -> Path:
    reports = reports or config.reports_dir()
    metrics = reports / "metrics"
    all_metrics = load_all(metrics if profile == "standard" else metrics / profile)
    header = run_header(all_metrics, reports, profile)
    if header["commit"] == NOT_RECORDED:
        header["commit"] = f"{report.git_commit()} (the checkout's: the runs record none)"
    path = reports / ("RESULTS.md" if profile == "standard" else f"RESULTS-{profile}.md")
    path.write_text(render(all_metrics, header))
    draw_figures(all_metrics, reports / (FIGURES if profile == "standard" else FIGURES / profile))
    return path


def draw_figures(all_metrics: Mapping[str, Mapping[str, Any]], folder: Path) -> list[Path]:
    """Each report's forest plot as ``<folder>/<notebook>.png`` (the figure RESULTS.md links)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook, title in TITLES.items():
        if notebook not in all_metrics:
            continue
        judged = [judge(c, all_metrics[notebook]) for c in CLAIMS.get(notebook, [])]
        shown = glance.at_a_glance(judged, all_metrics[notebook], title=title)
        path = folder / f"{notebook}.png"
        shown.figure.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
    return written


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
                differences.append(f"{notebook}/{name}: {fmt(a)} vs {fmt(b)}")
    return differences


def committed_header(text: str) -> dict[str, str]:
    """The run facts of a written RESULTS.md (its ``- key: value`` lines), so the verdicts can be
    re-judged from the committed metrics without the run's timings at hand."""
    return dict(re.findall(r"^- ([^:]+): (.*)$", text, flags=re.M))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.results")
    parser.add_argument("--profile", default="standard")
    parser.add_argument("--compare", type=Path, metavar="REPORTS_DIR",
                        help="compare reports/metrics with another run's (its reports/ folder) "
                             "instead of writing RESULTS.md, and record the outcome for "
                             "RESULTS.md's reproducibility line; exit 1 on a difference")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    parser.add_argument("--rerender", action="store_true",
                        help="re-judge the committed metrics into RESULTS.md, keeping its header "
                             "(the run's facts), after a change to claims, cards or the engine")
    args = parser.parse_args(argv)
    if args.rerender:
        path = config.reports_dir() / "RESULTS.md"
        path.write_text(render(load_all(config.reports_dir() / "metrics"),
                               committed_header(path.read_text())))
        print(f"re-rendered {path} from the committed metrics")
        return 0
    if args.compare:
        sub = "" if args.profile == "standard" else args.profile
        ours = load_all(config.reports_dir() / "metrics" / sub)
        theirs = load_all(args.compare / "metrics" / sub)
        differences = compare_runs(ours, theirs, args.tolerance)
        for line in differences:
            print(line)
        n_metrics = sum(len(m.get("metrics", {})) for m in ours.values())
        identical, compared = count_identical(ours, theirs)
        print(f"{len(differences)} differences beyond {args.tolerance} in {n_metrics} metrics; "
              f"{identical} of {compared} (timings left out) identical to the bit")
        record_comparison(config.reports_dir(), args.profile, ours, args.compare,
                          differences, n_metrics, args.tolerance, theirs)
        return 1 if differences else 0
    print(f"wrote {write(profile=args.profile)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
