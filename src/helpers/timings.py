"""How long each notebook takes: the one committed record, and the notebooks' "Time" lines.

    python -m helpers.timings record [--profile P]   # the last `helpers.notebooks run` -> record
    python -m helpers.timings render                 # every notebook's Time line from the record
    python -m helpers.timings check                  # exit 1 when a Time line drifted

``reports/timings.json`` (:data:`RECORD`) is the one place that holds the measured times:
``{profile: {notebook stem: {"seconds", "finished", "machine"}}}``, each the wall-clock time
of the notebook's last recorded run in that profile (``helpers.notebooks run``, which writes
``reports/executed/timings.json``; ``record`` copies that run's entries here, where git keeps
them). Every notebook's first markdown cell has a paragraph starting ``**Time.**`` whose first
line is rendered from the record by :func:`time_line` (``render``); the lines after it (how
long the lab takes) are the notebook's own. ``tests/test_timings.py`` fails when a notebook's
line and the record disagree.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers import config

RECORD = "timings.json"
PROFILES = ("smoke", "standard", "paper")
MACHINE = "the 2-core CPU machine CI uses"
NOT_MEASURED = {"paper": "not measured (needs a GPU)"}
_TIME_LINE = re.compile(r"^\*\*Time\.\*\* .*$", re.M)


def record_path() -> Path:
    """``reports/timings.json`` of the checkout (committed, unlike ``reports/executed/``)."""
    return config.repo_root() / "reports" / RECORD


def load(path: Path | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """The record: ``{profile: {notebook stem: {"seconds", "finished", "machine"}}}``."""
    path = path or record_path()
    return json.loads(path.read_text()) if path.exists() else {}


def duration(seconds: float) -> str:
    """``42 s`` under two minutes, else ``9.9 min``."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def time_line(stem: str, record: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """The first line of ``stem``'s Time paragraph, from ``record``."""
    parts, machines, dates = [], set(), set()
    for profile in PROFILES:
        run = record.get(profile, {}).get(stem)
        if run is None:
            parts.append(f"`{profile}` {NOT_MEASURED.get(profile, 'not measured')}")
            continue
        parts.append(f"`{profile}` {duration(float(run['seconds']))}")
        machines.add(str(run.get("machine") or MACHINE))
        dates.add(str(run.get("finished", ""))[:10])
    where = " and ".join(sorted(machines)) or MACHINE
    when = ", ".join(sorted(d for d in dates if d))
    return (f"**Time.** Last recorded runs (`reports/{RECORD}`{', ' + when if when else ''}, "
            f"{where}): {', '.join(parts)}.")


def _first_markdown(nb: Mapping[str, Any]) -> Mapping[str, Any]:
    return next(c for c in nb["cells"] if c["cell_type"] == "markdown")


def current_line(notebook: Path) -> str | None:
    """The ``**Time.**`` line of ``notebook``'s first markdown cell, or None."""
    source = "".join(_first_markdown(json.loads(Path(notebook).read_text()))["source"])
    found = _TIME_LINE.search(source)
    return found.group(0) if found else None


def render(notebooks: Sequence[Path], record: Mapping[str, Any] | None = None) -> list[Path]:
    """Rewrite each notebook's Time line from the record; the notebooks that changed."""
    record = load() if record is None else record
    changed = []
    for notebook in notebooks:
        nb = json.loads(Path(notebook).read_text())
        cell = _first_markdown(nb)
        source = "".join(cell["source"])
        if not _TIME_LINE.search(source):
            raise ValueError(f"{Path(notebook).name}: its first markdown cell has no line "
                             f"starting '**Time.** '")
        line = time_line(Path(notebook).stem, record)
        new = _TIME_LINE.sub(lambda _, line=line: line, source, count=1)
        if new != source:
            cell["source"] = new.splitlines(keepends=True)
            Path(notebook).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            changed.append(Path(notebook))
    return changed


def record_run(profile: str, executed: Path | None = None, machine: str = MACHINE,
               path: Path | None = None) -> list[str]:
    """Copy the runner's times of ``profile`` (``reports/executed/timings.json``, successful
    runs only) into the record; the notebook stems copied."""
    executed = executed or config.reports_dir() / "executed" / RECORD
    runs = json.loads(Path(executed).read_text()).get(profile, {})
    path = path or record_path()
    record = load(path)
    copied = []
    for stem, run in sorted(runs.items()):
        if run.get("ok", True):
            record.setdefault(profile, {})[stem] = {"seconds": float(run["seconds"]),
                                                    "finished": str(run.get("finished", "")),
                                                    "machine": machine}
            copied.append(stem)
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return copied


def main(argv: Sequence[str] | None = None) -> int:
    from helpers import notebooks

    parser = argparse.ArgumentParser(prog="python -m helpers.timings", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    record_cmd = commands.add_parser("record", help="copy the last run's times into the record")
    record_cmd.add_argument("--profile", choices=config.PROFILE_NAMES, default="standard")
    record_cmd.add_argument("--machine", default=MACHINE)
    commands.add_parser("render", help="rewrite the notebooks' Time lines from the record")
    commands.add_parser("check", help="exit 1 when a notebook's Time line drifted")
    args = parser.parse_args(argv)
    if args.command == "record":
        copied = record_run(args.profile, machine=args.machine)
        print(f"{record_path()}: {args.profile} times of {', '.join(copied) or 'no notebook'}")
        return 0
    record = load()
    if args.command == "render":
        for path in render(notebooks.discover(), record):
            print(f"rendered {path}")
        return 0
    drifted = [nb.stem for nb in notebooks.discover()
               if current_line(nb) != time_line(nb.stem, record)]
    for stem in drifted:
        print(f"{stem}: Time line differs from {record_path()} (python -m helpers.timings render)")
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
