"""Seconds per notebook in one profile, as a Markdown table (the smoke times of issue 16).

The test suite asserts no wall-clock time (a loaded CI machine would turn it red); the figures
in the README come from here instead. Each notebook runs headless through the course runner,
with reports and caches in a temporary folder, so the committed ``reports/`` stay untouched
and every notebook starts with a cold feature cache. The load average before and after is
printed with the table: on a shared machine the seconds are upper bounds.

Run:  ``python benchmarks/notebook_times.py [--profile smoke] [--json out.json] [NAMES...]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

from helpers import notebooks


def measure(names: list[str], profile: str, folder: Path) -> list[dict]:
    """Run each chosen notebook once in ``profile``; one row per notebook."""
    env = {"LOOKALIKE_REPORTS": str(folder / "reports"), "LOOKALIKE_CACHE": str(folder / "cache")}
    rows = []
    for notebook in notebooks.discover(names):
        load_before = os.getloadavg()[0]
        result = notebooks.execute(notebook, folder / "executed" / notebook.name,
                                   {"PROFILE": profile}, env=env)
        rows.append({"notebook": notebook.stem, "seconds": round(result.seconds, 1),
                     "ok": result.ok, "load_before": round(load_before, 1),
                     "load_after": round(os.getloadavg()[0], 1), "error": result.error})
    return rows


def markdown(rows: list[dict], profile: str) -> str:
    lines = [f"| notebook | {profile} seconds | ok | load average (1 min) before, after |",
             "|---|---:|---|---|"]
    for r in rows:
        lines.append(f"| {r['notebook']} | {r['seconds']:.1f} | {'yes' if r['ok'] else 'FAILED'} "
                     f"| {r['load_before']}, {r['load_after']} |")
    total = sum(r["seconds"] for r in rows)
    lines.append(f"| total | {total:.1f} | | |")
    lines.append("")
    lines.append(f"{os.cpu_count()} CPU cores, {platform.platform()}, Python "
                 f"{platform.python_version()}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebook stems or prefixes (default: all)")
    parser.add_argument("--profile", default="smoke", choices=("smoke", "standard", "paper"))
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notebook_times_") as tmp:
        rows = measure(args.names, args.profile, Path(tmp))
    print(markdown(rows, args.profile))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
