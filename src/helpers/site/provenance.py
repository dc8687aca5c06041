"""Where each page of the site comes from: the run behind it (commit, profile, date).

A notebook page's run is read from its executed copy (papermill writes the parameters, start
and end time and duration into the notebook's metadata, so they cannot disagree with the
outputs) and its commit from that profile's metrics file in the same reports folder
(``metrics/<notebook>.json`` for standard, ``metrics/<profile>/<notebook>.json`` otherwise, as
``helpers.report`` saves them), taken only when that file was written during the same run.
RESULTS.md states its own commit, date and profile in its opening lines.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import report

# A metrics file counts as written by a run when it started within this many seconds of the
# run's window (clocks of one machine; papermill and helpers.report both stamp UTC).
SAME_RUN_SLACK_SECONDS = 120


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook as the site shows it."""

    stem: str
    profile: str
    finished: str  # "YYYY-MM-DD HH:MM UTC", or "not recorded"
    seconds: float | None
    commit: str | None  # None: no metrics file of this run names one
    failed: bool  # a cell raised, or the run never finished
    interrupted: bool = False  # the run stopped before its end (killed, out of time)

    @property
    def smoke(self) -> bool:
        return self.profile == "smoke"


def _utc(stamp: Any) -> dt.datetime | None:
    """An ISO time (papermill's are naive UTC, helpers.report's carry +00:00) as aware UTC."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def format_utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "not recorded"


def _metrics_commit(metrics_file: Path, profile: str, start: dt.datetime | None,
                    end: dt.datetime | None) -> str | None:
    """The commit in ``metrics_file`` when the same run (profile, time window) wrote it."""
    try:
        metrics = json.loads(metrics_file.read_text())
    except (OSError, ValueError):
        return None
    started = _utc(metrics.get("started_at"))
    if metrics.get("profile") != profile or not (started and start and end):
        return None
    slack = dt.timedelta(seconds=SAME_RUN_SLACK_SECONDS)
    if not start - slack <= started <= end + slack:
        return None
    return str(metrics.get("git_commit") or "") or None


def _metrics_file(metrics_dir: Path, stem: str, profile: str) -> Path | None:
    """The run's metrics file: each profile has its own (``report.metrics_path``); None for a
    profile no run can have saved under (such as "not recorded")."""
    try:
        return report.metrics_path(stem, profile, base=metrics_dir)
    except ValueError:
        return None


def notebook_run(executed: Path, metrics_dir: Path) -> NotebookRun:
    """Read the run behind an executed notebook (and its commit from ``metrics_dir``)."""
    nb = json.loads(Path(executed).read_text())
    papermill = nb.get("metadata", {}).get("papermill", {})
    profile = str(papermill.get("parameters", {}).get("PROFILE", "not recorded"))
    start, end = _utc(papermill.get("start_time")), _utc(papermill.get("end_time"))
    stem = Path(executed).stem
    metrics_file = _metrics_file(metrics_dir, stem, profile)
    duration = papermill.get("duration")
    complete = _completed(nb)
    return NotebookRun(
        stem=stem,
        profile=profile,
        finished=format_utc(end),
        seconds=float(duration) if isinstance(duration, int | float) else None,
        commit=_metrics_commit(metrics_file, profile, start, end) if metrics_file else None,
        failed=bool(papermill.get("exception")) or not complete,
        interrupted=not complete and not papermill.get("exception"),
    )


def _completed(nb: Mapping[str, Any]) -> bool:
    """Whether papermill saw the run to its end: an end time, and no cell left pending or
    running (what a run killed half-way leaves behind in its executed copy)."""
    papermill = nb.get("metadata", {}).get("papermill", {})
    if not papermill.get("end_time"):
        return False
    states = (cell.get("metadata", {}).get("papermill", {}).get("status")
              for cell in nb.get("cells", []))
    return not any(state in ("pending", "running") for state in states)


def run_commits(runs: Iterable[NotebookRun]) -> list[str]:
    """The distinct commits the runs recorded, in order of appearance."""
    seen: list[str] = []
    for run in runs:
        if run.commit and run.commit not in seen:
            seen.append(run.commit)
    return seen


def notebook_lines(run: NotebookRun, all_runs: Iterable[NotebookRun], origin: str) -> list[str]:
    """The provenance line pieces of a notebook page's header."""
    if run.commit:
        commit = f"commit {run.commit}"
    else:
        others = run_commits(all_runs)
        commit = (f"commit {', '.join(others)} (from the run's other notebooks: this one "
                  "records no metrics)" if others else "commit not recorded")
    took = f"ran {run.seconds / 60:.1f} min" if run.seconds is not None else "time not recorded"
    status = ("DID NOT FINISH (the run was stopped; the page shows what ran)" if run.interrupted
              else "FAILED (the error is shown where it happened)" if run.failed else took)
    return [f"run: profile {run.profile}", commit, f"finished {run.finished}", status, origin]


def summary_lines(runs: Iterable[NotebookRun], origin: str) -> list[str]:
    """Provenance of the notebook pages as a whole (for the landing page)."""
    runs = list(runs)
    profiles = sorted({r.profile for r in runs})
    finished = sorted(r.finished for r in runs if r.finished != "not recorded")
    commits = run_commits(runs) or ["not recorded"]
    when = f"{finished[0]} to {finished[-1]}" if finished else "not recorded"
    return [f"notebook pages: profile {', '.join(profiles) or 'none'}",
            f"commit {', '.join(commits)}", f"run {when}", origin]


_RESULTS_FIELD = re.compile(r"^- (commit|date|profile): (.+)$", flags=re.M)


def results_lines(results_markdown: str) -> list[str]:
    """RESULTS.md's own provenance (its opening list) as header pieces."""
    fields: Mapping[str, str] = dict(_RESULTS_FIELD.findall(results_markdown))
    return ["RESULTS.md: profile " + fields.get("profile", "not recorded"),
            "commit " + fields.get("commit", "not recorded"),
            "written " + fields.get("date", "not recorded")]
