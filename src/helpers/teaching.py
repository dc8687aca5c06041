"""The numbers of TEACHING.md, README.md and the notebooks' markdown that come from a run, rendered.

    python -m helpers.teaching render   # fill every marked number from the committed record
    python -m helpers.teaching check    # exit 1 where a marked number differs from it

A number a run produced is never typed: it stands between two HTML comments (invisible on a
rendered page, in a table cell too), the first of which says where it comes from::

    LOO top-1 <!--= metric 01 baseline_test_top1 -->0.629<!--/--> on the test split

:func:`render` rewrites what stands between them; ``tests/test_teaching.py`` fails when the
text differs from what the record gives (a number edited by hand, or a new run committed
without ``render``). The record is ``reports/metrics/<notebook>.json`` (the standard run behind
``reports/RESULTS.md``) and ``reports/timings.json`` (:mod:`helpers.timings`, the one record of
times). The expressions:

``metric NB KEY [FORMAT]``
    the recorded value of ``KEY`` in notebook ``NB``'s metrics (``01`` or the full stem),
    formatted with a Python format spec (default ``.3f``; ``,d`` for a count)
``interval NB KEY [FORMAT]``
    its recorded 95 % interval, ``[low, high]``
``context NB KEY FIELD``
    a field the run recorded with the metric (``model``: which autoencoder was chosen)
``finished NB``
    the day the run behind notebook ``NB``'s metrics finished
``time PROFILE NB``, ``date PROFILE NB`` and ``total PROFILE``
    the notebook's last recorded run time in that profile (``9.9 min``, as the notebooks'
    Time lines write it), the day it finished, and the sum over every notebook timed in it
``claims NB``, ``count NB VERDICT``, ``verdicts NB`` and ``verdict NB KEY [BASELINE]``
    how many claims the report has, how many got ``VERDICT`` (``reproduced``,
    ``contradicted``, ``inconclusive``, ``not-testable``), all four counts in words, and the
    verdict of the claim judged on metric ``KEY`` (against ``BASELINE``, ``-`` for a claim
    without one, where several claims share ``KEY``): judged by :mod:`helpers.verdicts` through
    :func:`helpers.results.verdict_counts`, as RESULTS.md's summary table is
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import config, timings

#: ``<!--= EXPRESSION -->VALUE<!--/-->``; VALUE never spans a line.
MARKER = re.compile(r"<!--= (?P<expression>[^>]*?) -->(?P<value>[^\n]*?)<!--/-->")
GUIDE = "TEACHING.md"
README = "README.md"
VERDICT_WORDS = {"reproduced": "reproduced", "contradicted": "contradicted",
                 "inconclusive": "inconclusive", "not-testable": "not testable here"}


class RecordError(LookupError):
    """A marker names something the record does not hold (its text says which)."""


@dataclass(frozen=True)
class Record:
    """The committed record a marker reads: every notebook's metrics and the timings."""

    metrics: Mapping[str, Mapping[str, Any]]
    times: Mapping[str, Mapping[str, Mapping[str, Any]]]
    # Each notebook's claims judged once: a guide has dozens of markers over the same verdicts.
    _judged: dict[str, list[Any]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, reports: Path | None = None) -> Record:
        reports = reports or config.repo_root() / "reports"
        metrics = {path.stem: json.loads(path.read_text())
                   for path in sorted((reports / "metrics").glob("*.json"))}
        return cls(metrics, timings.load(reports / timings.RECORD))

    def stem(self, notebook: str) -> str:
        known = sorted(set(self.metrics) | {s for runs in self.times.values() for s in runs})
        found = [s for s in known if s == notebook or s.startswith(f"{notebook}_")]
        if len(found) != 1:
            raise RecordError(f"notebook {notebook!r}: no single match among {known}")
        return found[0]

    def judged(self, notebook: str) -> list[Any]:
        """Notebook ``notebook``'s claims judged on its metrics (:mod:`helpers.verdicts`)."""
        from helpers import results

        stem = self.stem(notebook)
        if stem not in self.metrics:
            raise RecordError(f"no reports/metrics/{stem}.json to judge")
        if stem not in self._judged:
            self._judged[stem] = [results.judge(c, self.metrics[stem])
                                  for c in results.CLAIMS.get(stem, [])]
        return self._judged[stem]

    def entry(self, notebook: str, key: str) -> Mapping[str, Any]:
        stem = self.stem(notebook)
        entry = self.metrics.get(stem, {}).get("metrics", {}).get(key)
        if not isinstance(entry, Mapping):
            raise RecordError(f"reports/metrics/{stem}.json records no metric {key!r}")
        return entry


def _number(entry: Mapping[str, Any], what: str) -> float:
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{what} is {value!r}, not a number")
    return float(value)


def _format(value: float, spec: str) -> str:
    return format(round(value) if spec.endswith("d") else value, spec)


def _metric(record: Record, notebook: str, key: str, spec: str = ".3f") -> str:
    return _format(_number(record.entry(notebook, key), f"{notebook} {key}"), spec)


def _interval(record: Record, notebook: str, key: str, spec: str = ".3f") -> str:
    from helpers.uncertainty import recorded_interval
    from helpers.verdicts import recorded

    entry = record.entry(notebook, key)
    interval = recorded_interval(recorded(entry, "interval"), _number(entry, key))
    if interval is None:
        raise RecordError(f"{notebook} {key}: no interval recorded")
    return f"[{_format(interval.low, spec)}, {_format(interval.high, spec)}]"


def _context(record: Record, notebook: str, key: str, field: str) -> str:
    from helpers.verdicts import recorded

    value = recorded(record.entry(notebook, key), field)
    if value is None:
        raise RecordError(f"{notebook} {key}: no {field!r} recorded")
    return str(value)


def _finished(record: Record, notebook: str) -> str:
    stem = record.stem(notebook)
    day = str(record.metrics.get(stem, {}).get("finished_at", ""))[:10]
    if not day:
        raise RecordError(f"reports/metrics/{stem}.json has no finished_at")
    return day


def _run(record: Record, profile: str, notebook: str) -> Mapping[str, Any]:
    run = record.times.get(profile, {}).get(record.stem(notebook))
    if run is None:
        raise RecordError(f"reports/timings.json has no {profile} run of {notebook}")
    return run


def _time(record: Record, profile: str, notebook: str) -> str:
    return timings.duration(float(_run(record, profile, notebook)["seconds"]))


def _date(record: Record, profile: str, notebook: str) -> str:
    day = str(_run(record, profile, notebook).get("finished", ""))[:10]
    if not day:
        raise RecordError(f"reports/timings.json: the {profile} run of {notebook} has no date")
    return day


def _total(record: Record, profile: str) -> str:
    runs = record.times.get(profile, {})
    if not runs:
        raise RecordError(f"reports/timings.json has no {profile} runs")
    return timings.duration(sum(float(run["seconds"]) for run in runs.values()))


def _counts(record: Record, notebook: str) -> dict[str, int]:
    from helpers import results

    stem = record.stem(notebook)
    return results.verdict_counts(stem, record.metrics.get(stem, {}), record.judged(stem))


def _claims(record: Record, notebook: str) -> str:
    return str(sum(_counts(record, notebook).values()))


def _count(record: Record, notebook: str, word: str) -> str:
    if word not in VERDICT_WORDS:
        raise RecordError(f"verdict {word!r} is not one of {sorted(VERDICT_WORDS)}")
    return str(_counts(record, notebook)[VERDICT_WORDS[word]])


def _verdicts(record: Record, notebook: str) -> str:
    return ", ".join(f"{n} {word}" for word, n in _counts(record, notebook).items())


def _first(names: str | tuple[str, ...] | None) -> str | None:
    return names if names is None or isinstance(names, str) else names[0]


def _verdict(record: Record, notebook: str, key: str, baseline: str | None = None) -> str:
    judged = [j for j in record.judged(notebook) if _first(j.claim.metric) == key and (
        baseline is None or _first(j.claim.baseline) == (None if baseline == "-" else baseline))]
    if len(judged) != 1:
        raise RecordError(f"{record.stem(notebook)}: {len(judged)} claims judged on {key!r} "
                          f"against {baseline or 'any baseline'}, not one (name the baseline, "
                          "'-' for none)")
    return judged[0].verdict


EXPRESSIONS: dict[str, Callable[..., str]] = {
    "metric": _metric, "interval": _interval, "context": _context, "finished": _finished,
    "time": _time, "date": _date, "total": _total,
    "claims": _claims, "count": _count, "verdicts": _verdicts, "verdict": _verdict,
}


def evaluate(expression: str, record: Record) -> str:
    """The text ``expression`` (a marker's) stands for in ``record``."""
    name, *args = expression.split()
    if name not in EXPRESSIONS:
        raise RecordError(f"unknown expression {expression!r}: one of {sorted(EXPRESSIONS)}")
    try:
        return EXPRESSIONS[name](record, *args)
    except TypeError as error:
        raise RecordError(f"{expression!r}: wrong arguments ({error})") from None


def render_text(text: str, record: Record) -> str:
    """``text`` with every marker's value rewritten from ``record``."""
    return MARKER.sub(lambda m: f"<!--= {m['expression']} -->{evaluate(m['expression'], record)}"
                                "<!--/-->", text)


def drift(text: str, record: Record) -> list[str]:
    """One line per marker whose value differs from ``record``: expression, typed, recorded."""
    found = []
    for match in MARKER.finditer(text):
        want = evaluate(match["expression"], record)
        if match["value"] != want:
            found.append(f"{match['expression']}: {match['value']!r}, the record gives {want!r}")
    return found


def documents(root: Path | None = None) -> list[Path]:
    """TEACHING.md, README.md (its notebook table's times) and every notebook: the documents
    whose markers are rendered."""
    root = root or config.repo_root()
    return [root / GUIDE, root / README, *sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


def _markdown_cells(notebook: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for c in notebook["cells"] if c["cell_type"] == "markdown"]


def check_document(path: Path, record: Record) -> list[str]:
    """The drifted markers of one document (a notebook: its markdown cells only)."""
    if path.suffix != ".ipynb":
        return drift(path.read_text(encoding="utf-8"), record)
    cells = _markdown_cells(json.loads(path.read_text(encoding="utf-8")))
    return [line for cell in cells for line in drift("".join(cell["source"]), record)]


def render_document(path: Path, record: Record) -> bool:
    """Rewrite ``path``'s markers from ``record`` (a notebook's markdown cells, ids kept);
    whether it changed."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        new = render_text(text, record)
    else:
        notebook = json.loads(text)
        for cell in _markdown_cells(notebook):
            source = "".join(cell["source"])
            rendered = render_text(source, record)
            if rendered != source:
                cell["source"] = rendered.splitlines(keepends=True)
        new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.teaching", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("render", "check"))
    args = parser.parse_args(argv)
    record = Record.load()
    try:
        if args.command == "render":
            for path in documents():
                if render_document(path, record):
                    print(f"rendered {path}")
            return 0
        drifted = {path: check_document(path, record) for path in documents()}
    except RecordError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path, lines in drifted.items():
        for line in lines:
            print(f"{path.name}: {line} (python -m helpers.teaching render)")
    return 1 if any(drifted.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
