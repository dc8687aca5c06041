"""Recording results: headline numbers with their provenance, paper-vs-here tables, figures.

A notebook calls :func:`start` once, :func:`record` for each headline number (with the data
set, weights, profile, Keras backend, seed, git commit and time it came from) and, in its last
cell, :func:`finish`, which writes the metrics file atomically. Nothing is written before
that: a run that fails half-way (a bad ``DATASET``, a crash) leaves the committed file as it
was. Each profile has its own file, so a smoke run never replaces a standard one::

    reports/metrics/<notebook>.json             the standard profile (make reproduce, RESULTS.md)
    reports/metrics/<profile>/<notebook>.json   smoke, paper

    report.start("01_ingwersen_autoencoders", settings, seed=SEED)
    report.provenance(data=images.source, weights={"resnet50": weights})
    print(report.headline())   # "Profile standard | data places6 (LOOKALIKE_DATA) | weights ..."
    report.record("baseline_top1", scores["top1"], paper=0.644)
    report.paper_vs_here(["baseline_top1", "baseline_top5"])   # markdown, shown in Jupyter
    report.finish()            # the last cell: the run completed, save its numbers

Figures go to ``reports/figures/<notebook>/<name>.png``, tables to
``reports/tables/<notebook>/<name>.md``, other JSON (the challenge submission of 04) to
``reports/submissions/<notebook>/<name>.json``; a profile other than standard writes under
``<kind>/<profile>/`` instead (``figures/smoke/01_.../``), never over the standard run's files.
``$LOOKALIKE_REPORTS`` moves all of it.

Only the runner (``python -m helpers.notebooks run``, what ``make reproduce`` calls) writes the
committed ``reports/``: it marks its kernels with ``LOOKALIKE_RUNNER=1``. A notebook run
anywhere else (JupyterLab, a script) writes its metrics, figures and tables to a folder of
its user's own, :func:`interactive_dir`, and :func:`finish` says where, so a student's
edited run never becomes the course's result. An explicit ``$LOOKALIKE_REPORTS`` is obeyed
by both.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import config, verdicts
from .uncertainty.intervals import UNIT_BOUNDS, seeds_and_items_interval

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_current: Recorder | None = None


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _check_name(name: str, what: str) -> str:
    """Names become file names: no separators, no leading dot, nothing a shell would mangle."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{what} {name!r} must be letters, digits, '_', '-' or '.', no slashes")
    return name


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: NumPy scalars/arrays, tuples, paths, dataclass-likes.

    Non-finite floats become None (JSON has no NaN) so the file stays readable everywhere.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays, without importing NumPy here
        return jsonable(value.tolist())
    if hasattr(value, "as_dict"):
        return jsonable(value.as_dict())
    return str(value)


def git_commit() -> str:
    """``git rev-parse --short HEAD`` of the repository (+"+dirty"), or "unknown".

    Changes under ``reports/`` do not count as dirty: a run rewrites the committed metrics and
    RESULTS.md itself, which would otherwise mark every notebook after the first.
    """
    root = config.repo_root()
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0 or not head.stdout.strip():
            return "unknown"
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                 ".", ":(exclude)reports"],
                                cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    dirty = status.returncode == 0 and bool(status.stdout.strip())
    return head.stdout.strip() + ("+dirty" if dirty else "")


def backend_name() -> str:
    """The Keras backend in use (imports keras on first call), or "none" without keras."""
    try:
        import keras
    except ImportError:
        return "none"
    return str(keras.backend.backend())


def describe_data(data: Any) -> dict[str, Any]:
    """A data source as a dict: a ``DataSource``, an ``ImageSet`` (its ``.source``) or a str."""
    if data is None:
        return {}
    if isinstance(data, str):
        return {"name": data}
    if isinstance(data, Mapping):
        return jsonable(dict(data))
    if not hasattr(data, "origin") and hasattr(getattr(data, "source", None), "origin"):
        data = data.source  # an ImageSet or pair set: describe where it came from
    fields = ("name", "origin", "root", "notice", "synthetic")
    out = {f: jsonable(getattr(data, f)) for f in fields if hasattr(data, f)}
    if "name" not in out:
        raise TypeError(f"cannot describe a data source of type {type(data).__name__}")
    return out


def _is_weights(obj: Any) -> bool:
    return hasattr(obj, "describe") and hasattr(obj, "source")


def describe_weights(weights: Any) -> dict[str, Any]:
    """Weights as a dict: a ``WeightsInfo``, a str, ``{backbone: WeightsInfo | str}`` or a dict."""
    if weights is None:
        return {}
    if isinstance(weights, str):
        return {"source": weights, "description": weights}
    if _is_weights(weights):
        base = jsonable(weights.as_dict()) if hasattr(weights, "as_dict") else {
            "source": str(weights.source)}
        return {**base, "description": str(weights.describe())}
    if isinstance(weights, Mapping):
        if weights and all(_is_weights(v) or isinstance(v, str) for v in weights.values()):
            return {"by_backbone": {str(k): describe_weights(v) for k, v in weights.items()}}
        return jsonable(dict(weights))
    raise TypeError(f"cannot describe weights of type {type(weights).__name__}")


def _weights_line(desc: Mapping[str, Any]) -> str:
    if "by_backbone" in desc:
        return ", ".join(f"{k}: {_weights_line(v)}" for k, v in desc["by_backbone"].items())
    return str(desc.get("description") or desc.get("source") or "unknown")


class Recorder:
    """The results of one notebook run, mirrored to ``reports/metrics/<notebook>.json``."""

    def __init__(self, notebook: str, settings: Mapping[str, Any] | None = None,
                 seed: int | None = None) -> None:
        self.notebook = _check_name(notebook, "notebook")
        self.started = time.monotonic()
        if settings is None:
            profile, values = config.current_profile(), {}
        elif hasattr(settings, "as_dict"):
            values = dict(settings.as_dict())
            profile = values.pop("profile", None) or getattr(settings, "profile", None)
        else:
            values = dict(settings)
            profile = values.pop("profile", config.current_profile())
        self.data: dict[str, Any] = {
            "notebook": self.notebook,
            "profile": profile,
            "seed": None if seed is None else int(seed),
            "backend": backend_name(),
            "git_commit": git_commit(),
            "started_at": _now(),
            "updated_at": _now(),
            "data": {},
            "weights": {},
            "settings": jsonable(values),
            "metrics": {},
        }
        self.finished = False

    @property
    def path(self) -> Path:
        return metrics_path(self.notebook, self.data["profile"], base=output_root() / "metrics")

    def _output(self, kind: str) -> Path:
        """``<kind>/<notebook>/`` (standard) or ``<kind>/<profile>/<notebook>/`` of this run."""
        return profile_dir(output_root() / kind, self.data["profile"]) / self.notebook

    def save(self) -> Path:
        """Write the JSON atomically (temp file + rename): readers never see half a file."""
        self.data["updated_at"] = _now()
        return _atomic_write(self.path, json.dumps(self.data, indent=2, allow_nan=False) + "\n")

    def finish(self) -> Path:
        """The run completed: write its metrics file (the only time this recorder writes it)."""
        self.data["finished_at"] = _now()
        self.finished = True
        return self.save()

    def provenance(self, data: Any = None, weights: Any = None) -> dict[str, Any]:
        """Set the run's data set and/or weights (either may be left out); returns both."""
        if data is not None:
            self.data["data"] = describe_data(data)
        if weights is not None:
            self.data["weights"] = describe_weights(weights)
        return {"data": self.data["data"], "weights": self.data["weights"]}

    def headline(self) -> str:
        """One line: profile, data set and origin, weights, seed and backend of this run."""
        d, w = self.data["data"], self.data["weights"]
        data = f"{d.get('name', 'not set')} ({d['origin']})" if "origin" in d else d.get(
            "name", "not set")
        weights = _weights_line(w) if w else "not set"
        line = f"Profile {self.data['profile']} | data {data} | weights {weights}"
        return line + f" | seed {self.data['seed']} | backend {self.data['backend']}"

    def record(self, name: str, value: Any, *, paper: Any = None, note: str | None = None,
               scores: Any = None, score_bounds: tuple[float, float] | None = UNIT_BOUNDS,
               **context: Any) -> Any:
        """Store ``value`` under ``name`` (with paper value, note, context); return ``value``.

        ``data=`` and ``weights=`` in ``context`` describe this number's own provenance; the
        first ones seen also become the run's if :meth:`provenance` was not called. Without
        ``paper``, the report's number comes from the notebook's study
        (:func:`helpers.verdicts.paper_number`), so notebook cells never type one.

        ``scores``: the per-item scores ``value`` is the mean of (a query's top-k hit, an
        image's correctness), one row per training seed when there are several
        (``(seeds, items)``). They are saved with the number, its 95 % interval is computed
        from them (:func:`helpers.uncertainty.seeds_and_items_interval`: the item bootstrap
        for one seed), and the verdict engine compares two metrics scored on the same items
        with the paired interval of their difference. ``value`` must be their mean (None:
        take it). ``score_bounds``: the range one score can take (None for a loss).
        """
        _check_name(name, "metric name")
        if paper is None:  # the study's paper module holds the report's numbers
            paper = verdicts.paper_number(self.notebook, name)
        entry: dict[str, Any] = {"value": jsonable(value), "paper": jsonable(paper)}
        if note:
            entry["note"] = str(note)
        if context.get("data") is not None:
            entry["data"] = describe_data(context.pop("data"))
            self.data["data"] = self.data["data"] or entry["data"]
        if context.get("weights") is not None:
            entry["weights"] = describe_weights(context.pop("weights"))
            self.data["weights"] = self.data["weights"] or entry["weights"]
        context = {k: v for k, v in context.items() if v is not None}
        if context:
            entry["context"] = jsonable(context)
        if scores is not None:
            entry.update(_scores_record(scores, value, score_bounds))
        entry["recorded_at"] = _now()
        entry["elapsed_s"] = round(time.monotonic() - self.started, 3)
        self.data["metrics"][name] = entry
        return value

    def save_figure(self, fig: Any, name: str, dpi: int = 120) -> Path:
        """Save a matplotlib figure as ``figures/<notebook>/<name>.png`` (tight bounding box)."""
        path = self._output("figures") / f"{_check_name(name, 'figure')}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        return path

    def save_json(self, obj: Any, name: str, folder: str = "submissions") -> Path:
        """Save ``obj`` as ``<folder>/<notebook>/<name>.json`` (atomic)."""
        path = self._output(_check_name(folder, "folder")) / f"{_check_name(name, 'file name')}.json"
        return _atomic_write(path, json.dumps(jsonable(obj), indent=2, allow_nan=False) + "\n")

    def save_table(self, markdown: str, name: str) -> Path:
        """Save a markdown table as ``tables/<notebook>/<name>.md``."""
        path = self._output("tables") / f"{_check_name(name, 'table')}.md"
        return _atomic_write(path, markdown.rstrip("\n") + "\n")


def _atomic_write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp creates 0600; reports are ordinary files, readable as the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- module-level API: the current notebook's recorder ------------------------------------------


RUNNER_ENV = "LOOKALIKE_RUNNER"  # set to "1" by helpers.notebooks for the kernels it starts


def interactive_dir() -> Path:
    """Where a run outside the runner saves: ``$XDG_DATA_HOME/lookalike/reports`` (by default
    ``~/.local/share/lookalike/reports``), one per user, outside the repository."""
    base = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "lookalike" / "reports"


def is_runner() -> bool:
    """Whether this process was started by ``python -m helpers.notebooks run``."""
    return os.environ.get(RUNNER_ENV) == "1"


def output_root() -> Path:
    """The reports folder this run writes: ``$LOOKALIKE_REPORTS`` when set, the committed
    ``reports/`` under the runner, else :func:`interactive_dir` (see the module docstring)."""
    if os.environ.get("LOOKALIKE_REPORTS") or is_runner():
        return config.reports_dir()
    return interactive_dir()


def profile_dir(folder: Path, profile: str | None) -> Path:
    """``folder`` for the standard profile, ``folder/<profile>`` for any other."""
    return folder if profile in (None, "standard") else folder / _check_name(profile, "profile")


def metrics_dir(profile: str | None = None, base: Path | None = None) -> Path:
    """Where a profile's metrics files go: ``metrics/`` for standard, ``metrics/<profile>/``
    (``base`` is the metrics folder, default ``config.reports_dir() / "metrics"``)."""
    return profile_dir(config.reports_dir() / "metrics" if base is None else Path(base), profile)


def metrics_path(notebook: str, profile: str | None = None, base: Path | None = None) -> Path:
    return metrics_dir(profile, base) / f"{_check_name(notebook, 'notebook')}.json"


def start(notebook: str, settings: Mapping[str, Any] | None = None,
          seed: int | None = None) -> Recorder:
    """Begin recording a notebook run in memory; :func:`finish` saves it (nothing before)."""
    global _current
    _current = Recorder(notebook, settings, seed)
    return _current


def current() -> Recorder:
    """The recorder :func:`start` set; a clear error if there is none."""
    if _current is None:
        raise RuntimeError("no report started: call report.start('<notebook name>', settings, "
                           "seed=SEED) first")
    return _current


def finish() -> Path:
    """Save the current run's metrics (atomically); call it in a notebook's last cell."""
    path = current().finish()
    print(f"metrics saved to {path}")
    if not (is_runner() or os.environ.get("LOOKALIKE_REPORTS")):
        print(f"(a run outside `make reproduce`: its metrics, figures and tables are in "
              f"{interactive_dir()}; the committed reports/ is written only by the runner, "
              "python -m helpers.notebooks run)")
    return path


def provenance(data: Any = None, weights: Any = None) -> dict[str, Any]:
    """Set the current run's data set and weights (see :meth:`Recorder.provenance`)."""
    return current().provenance(data=data, weights=weights)


def _scores_record(scores: Any, value: Any, bounds: tuple[float, float] | None
                   ) -> dict[str, Any]:
    """The ``scores`` / ``interval`` fields of a record from its per-item scores."""
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[-1] < 2:
        raise ValueError(f"scores must be (items,) or (seeds, items) with at least 2 items, "
                         f"got shape {arr.shape}")
    interval = seeds_and_items_interval(arr, bounds=bounds)
    if value is not None and not math.isclose(float(value), interval.estimate, abs_tol=1e-6):
        raise ValueError(f"the recorded value {value!r} is not the mean of its scores "
                         f"({interval.estimate:.6f}): record the number the scores give")
    whole = bool(np.all(arr == np.round(arr)))
    kept = arr.astype(int).tolist() if whole else np.round(arr, 6).tolist()
    shape = {"n_items": int(arr.shape[-1]), "n_seeds": 1 if arr.ndim == 1 else int(arr.shape[0])}
    return {"value": interval.estimate, "scores": kept, "interval": interval.as_dict(),
            "score_bounds": None if bounds is None else [float(b) for b in bounds], **shape}


def headline() -> str:
    """The notebook's first output line (see :meth:`Recorder.headline`)."""
    return current().headline()


def record(name: str, value: Any, *, paper: Any = None, note: str | None = None,
           scores: Any = None, score_bounds: tuple[float, float] | None = UNIT_BOUNDS,
           **context: Any) -> Any:
    """Record a headline number in the current run (see :meth:`Recorder.record`)."""
    return current().record(name, value, paper=paper, note=note, scores=scores,
                            score_bounds=score_bounds, **context)


def record_scores(name: str, scores: Any, *, paper: Any = None, note: str | None = None,
                  score_bounds: tuple[float, float] | None = UNIT_BOUNDS,
                  **context: Any) -> float:
    """Record the mean of per-item scores (``(items,)`` or ``(seeds, items)``) with its
    interval, and return that mean (see :meth:`Recorder.record`)."""
    current().record(name, None, paper=paper, note=note, scores=scores,
                     score_bounds=score_bounds, **context)
    return float(current().data["metrics"][name]["value"])


def save_figure(fig: Any, name: str, dpi: int = 120) -> Path:
    return current().save_figure(fig, name, dpi=dpi)


def save_json(obj: Any, name: str, folder: str = "submissions") -> Path:
    return current().save_json(obj, name, folder=folder)


def load_metrics(notebook: str, profile: str | None = None) -> dict[str, Any]:
    """The saved JSON of a notebook's last completed run in ``profile`` (default: the profile
    of the run being recorded for that notebook, else the current profile)."""
    if profile is None:
        profile = (_current.data["profile"] if _current is not None
                   and _current.notebook == notebook else config.current_profile())
    path = metrics_path(notebook, profile, base=output_root() / "metrics")
    if not path.is_file():  # this user's runs first, then the committed results
        path = metrics_path(notebook, profile)
    if not path.is_file():
        raise FileNotFoundError(f"no metrics for {notebook!r} at {path}: run the notebook first")
    return json.loads(path.read_text(encoding="utf-8"))


# -- paper vs here ------------------------------------------------------------------------------


class MarkdownTable(str):
    """A markdown string that Jupyter renders as a table, once (see :func:`paper_vs_here`)."""

    shown = False

    def _repr_markdown_(self) -> str:
        return str(self)

    def _ipython_display_(self) -> None:
        # paper_vs_here() already displayed it: the cell's echo of the return value is skipped.
        if not self.shown:
            self.shown = True
            from IPython.display import Markdown, display

            display(Markdown(str(self)))


def _rows(rows: Any) -> list[dict[str, Any]]:
    """Normalise the accepted row shapes into dicts with at least "paper" and "here"."""
    if hasattr(rows, "to_dict"):  # a pandas DataFrame
        rows = rows.to_dict("records")
    if isinstance(rows, Mapping):  # {label: (paper, here)} or {label: {"paper":.., "here":..}}
        out = []
        for label, v in rows.items():
            if isinstance(v, Mapping):
                out.append({"": label, **v})
            else:
                paper, here = v
                out.append({"": label, "paper": paper, "here": here})
        return out
    out = []
    for row in rows:
        if isinstance(row, str):  # a recorded metric name: take paper and value from the record
            entry = current().data["metrics"].get(row)
            if entry is None:
                raise KeyError(f"metric {row!r} was not recorded in {current().notebook}")
            out.append({"": row, "paper": entry["paper"], "here": entry["value"]})
        elif isinstance(row, Mapping):
            out.append(dict(row))
        else:
            raise TypeError(f"a row must be a metric name or a mapping, got {type(row).__name__}")
    return out


def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or getattr(getattr(value, "dtype", None), "kind", "") in ("i", "u"):
        return str(int(value))
    if isinstance(value, float) or hasattr(value, "dtype"):
        return f"{float(value):.{digits}f}"
    interval = _interval(value)
    if interval is not None:
        return f"[{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _interval(value: Any) -> tuple[float, float] | None:
    """(low, high) of an interval given as ``{"low", "high"}`` or a pair of numbers, else None."""
    if isinstance(value, Mapping) and {"low", "high"} <= set(value):
        value = (value["low"], value["high"])
    if isinstance(value, tuple | list) and len(value) == 2:
        low, high = (_number(v) for v in value)
        if low is not None and high is not None:
            return low, high
    return None


_number = verdicts.number  # the one reading of 'a finite number' (verdicts, tables)


#: Columns whose text goes below the table as numbered notes, the cell keeping the number.
NOTE_COLUMNS = ("note", "notes", "why")
#: Longer text in any other column goes below the table too, so a row stays one line.
NOTE_CHARS = 48


def paper_vs_here(rows: Any, *, columns: Iterable[str] | None = None, digits: int = 3,
                  name: str | None = None) -> MarkdownTable:
    """A markdown table with "paper" and "here" side by side, and "diff" (here - paper).

    ``rows``: recorded metric names, mappings with "paper" and "here" (other keys become label
    columns, ordered by ``columns`` if given), ``{label: (paper, here)}`` or a DataFrame. A
    value the paper did not report shows as "–". Numbers are rounded to ``digits``; an
    interval (``{"low", "high"}`` or a pair of numbers) fills one cell as ``[low, high]``. So
    that the table fits a notebook's width, a ``note`` column's text, and any text longer than
    :data:`NOTE_CHARS`, goes below the table as ``[n] text`` and the cell keeps ``[n]``. In
    IPython the table is displayed; with ``name`` it is also saved under
    ``tables/<notebook>/<name>.md``.
    """
    data = _rows(rows)
    if not data:
        raise ValueError("paper_vs_here needs at least one row")
    missing = [i for i, r in enumerate(data) if "paper" not in r or "here" not in r]
    if missing:
        raise ValueError(f"rows {missing} lack a 'paper' or 'here' value")
    if columns is None:
        labels: list[str] = []
        for r in data:
            labels += [k for k in r if k not in ("paper", "here") and k not in labels]
    else:
        labels = [c for c in columns if c not in ("paper", "here", "difference", "diff")]
    header = [*labels, "paper", "here", "diff"]
    lines = ["| " + " | ".join(h or "metric" for h in header) + " |",
             "|" + "|".join(["---"] * len(labels) + ["---:"] * 3) + "|"]
    notes: dict[str, int] = {}

    def label_cell(column: str, value: Any) -> str:
        text = _cell(value, digits)
        if text != "–" and (column in NOTE_COLUMNS or len(text) > NOTE_CHARS):
            return f"[{notes.setdefault(text, len(notes) + 1)}]"
        return text

    for r in data:
        paper, here = _number(r["paper"]), _number(r["here"])
        diff = None if paper is None or here is None else here - paper
        whole = all(_cell(v, digits).lstrip("-").isdigit() for v in (r["paper"], r["here"]))
        cells = [label_cell(c, r.get(c)) for c in labels]
        cells += [_cell(r["paper"], digits), _cell(r["here"], digits),
                  "–" if diff is None else f"{int(diff):+d}" if whole else f"{diff:+.{digits}f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += [""] + [f"[{n}] {text}  " for text, n in notes.items()]
    table = MarkdownTable("\n".join(lines).rstrip())
    if name is not None:
        current().save_table(table, name)
    if _in_ipython():
        table._ipython_display_()
    return table


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
