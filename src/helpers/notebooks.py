"""Run, list and strip the course notebooks.

    python -m helpers.notebooks run [--profile P] [-p NAME VALUE ...] [NAMES...]
    python -m helpers.notebooks list
    python -m helpers.notebooks strip [--check] [PATHS...]
    python -m helpers.notebooks teacher [--output-dir DIR] [NAMES...]

``run`` executes ``notebooks/*.ipynb`` (or the ones named: ``01``, ``01_ingwersen``, a stem or
a path) with papermill, in the kernel of the Python running this command (the venv's), with
``notebooks/`` as working directory, into ``reports/executed/`` (``reports/executed/<profile>/``
for smoke and paper); a copy takes its name only when papermill is done with it, and SIGTERM
stops the run with exit code 143. It prints one line per
notebook with its time, appends the times to ``reports/executed/timings.json``, and exits
non-zero naming the notebook and cell that failed. ``-p`` names the notebooks' parameters
cells do not have, and out-of-range values (``config.validate``), are refused with exit code 2
before any kernel starts, as is a ``LOOKALIKE_PROFILE`` that names no profile. ``teacher``
writes a teacher's copy of each notebook, its exercises filled in with the reference solutions
(``helpers.exercises.teacher``), into ``reports/teacher/``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import config

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent runs there may lose a timing line
    fcntl = None  # type: ignore[assignment]

# jupyter_client replaces a kernel command of "python" with sys.executable, so the stock
# "python3" kernel runs in the same interpreter (the venv) as this runner.
KERNEL_NAME = "python3"


@dataclass(frozen=True)
class RunResult:
    notebook: Path
    output: Path
    seconds: float
    ok: bool
    failed_cell: int | None = None  # index of the failing cell in the notebook, 0-based
    error: str | None = None

    def line(self) -> str:
        if self.ok:
            return f"ok      {self.notebook.stem:<40} {self.seconds:7.1f} s"
        where = f"cell {self.failed_cell}" if self.failed_cell is not None else "before any cell"
        return f"FAILED  {self.notebook.stem:<40} {self.seconds:7.1f} s  at {where}: {self.error}"


def discover(names: Sequence[str] = (), folder: Path | None = None) -> list[Path]:
    """Notebooks in ``folder`` (default ``notebooks/``) in order, or those matching ``names``.

    A name matches a notebook whose stem equals it or starts with it (``01`` picks
    ``01_ingwersen_autoencoders``); an existing path is taken as it is.
    """
    folder = folder or config.notebooks_dir()
    available = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not names:
        return available
    chosen: list[Path] = []
    for name in names:
        as_path = Path(name)
        if as_path.suffix == ".ipynb" and as_path.is_file():
            chosen.append(as_path.resolve())
            continue
        stem = as_path.stem if as_path.suffix == ".ipynb" else name
        matches = [p for p in available if p.stem == stem or p.stem.startswith(stem)]
        if not matches:
            known = ", ".join(p.stem for p in available) or "none"
            raise SystemExit(f"no notebook matches {name!r} (known: {known})")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """Set variables for the kernel (it inherits this process's environment), then restore."""
    saved = {key: os.environ.get(key) for key in env or {}}
    os.environ.update(env or {})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: int | None = None,
) -> RunResult:
    """Execute one notebook with papermill; never raises on a failing cell, reports it."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook, output = Path(notebook).resolve(), Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Papermill writes the copy as cells run: it goes under a hidden name and takes the real
    # one only once papermill returns, so a run killed half-way never looks finished.
    running = output.with_name(f".{output.stem}.running{output.suffix}")  # papermill wants .ipynb
    start = time.perf_counter()
    failed_cell, error = None, None
    kernel_env = {"PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "PAPERMILL": "1",
                  "LOOKALIKE_RUNNER": "1"}  # report.output_root: this run may write reports/
    with _environment({**kernel_env, **(env or {})}):
        try:
            papermill.execute_notebook(
                str(notebook),
                str(running),
                parameters=dict(parameters or {}),
                kernel_name=KERNEL_NAME,
                cwd=str(cwd or notebook.parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
            )
        except PapermillExecutionError as exc:
            failed_cell = _source_cell_index(running)
            error = f"{exc.ename}: {exc.evalue}".strip()[:500]
        except Exception as exc:  # kernel died, bad notebook JSON, missing kernel, ...
            error = f"{type(exc).__name__}: {exc}"[:500]
    if running.is_file():  # finished, or failed at a cell (the page shows where): publish it
        os.replace(running, output)
    seconds = time.perf_counter() - start
    return RunResult(notebook, output, seconds, error is None, failed_cell, error)


def _source_cell_index(executed: Path) -> int | None:
    """Index (0-based) in the *source* notebook of the cell that raised.

    Papermill adds cells of its own (the injected parameters, an error banner): they are
    skipped so the number matches what a student sees when opening the notebook.
    """
    try:
        cells = json.loads(executed.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return None
    added_by_papermill = {"injected-parameters", "papermill-error-cell-tag"}
    source_index = -1
    for cell in cells:
        if added_by_papermill & set(cell.get("metadata", {}).get("tags", [])):
            continue
        source_index += 1
        if cell.get("metadata", {}).get("papermill", {}).get("exception") or any(
            output.get("output_type") == "error" for output in cell.get("outputs", [])
        ):
            return source_index
    return None


def run(
    names: Sequence[str] = (),
    profile: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    output_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    stop_on_failure: bool = True,
) -> list[RunResult]:
    """Execute notebooks in order with ``PROFILE`` set; print a line per notebook."""
    profile = profile or config.current_profile()
    timings_dir = output_dir or config.reports_dir() / "executed"
    # Each profile has its own executed copies (as its own metrics, figures and tables):
    # a smoke run never replaces the standard run's.
    output_dir = output_dir or executed_dir(profile)
    results: list[RunResult] = []
    notebooks = discover(names)
    check_parameters(notebooks, parameters or {})
    for number, notebook in enumerate(notebooks, 1):
        print(f"[{number}/{len(notebooks)}] {notebook.stem} ({profile}) ...", flush=True)
        params = {"PROFILE": profile, **(parameters or {})}
        result = execute(notebook, output_dir / notebook.name, params, env=env)
        print(f"        {result.line()}", flush=True)
        results.append(result)
        if not result.ok and stop_on_failure:
            break
    _append_timings(timings_dir, profile, results)
    return results


def executed_dir(profile: str) -> Path:
    """``reports/executed/`` for the standard profile, ``reports/executed/<profile>/``."""
    base = config.reports_dir() / "executed"
    return base if profile == "standard" else base / profile


def check_parameters(notebooks: Sequence[Path], parameters: Mapping[str, Any]) -> None:
    """Refuse, before any kernel starts, ``-p`` names no chosen notebook's parameters cell
    has (papermill would only log them) and values out of range (``EPOCHS 0``)."""
    if "PROFILE" in parameters:  # it would reach the kernel while the run is filed elsewhere
        raise ValueError(f"set the profile with --profile ({', '.join(config.PROFILE_NAMES)}), "
                         "not with -p PROFILE")
    known: set[str] = set()
    for notebook in notebooks:
        known.update(parameters_of(notebook))
    unknown = sorted(set(parameters) - known - {"PROFILE"})
    if unknown:
        which = notebooks[0].stem if len(notebooks) == 1 else f"{len(notebooks)} notebooks"
        raise ValueError(f"unknown parameter {', '.join(unknown)} for {which}; valid: "
                         f"{', '.join(sorted(known)) or '(none)'}")
    config.validate({name.lower(): value for name, value in parameters.items()})


def _append_timings(output_dir: Path, profile: str, results: Sequence[RunResult]) -> None:
    """Add the runs' times to ``timings.json``: read, update and replace under a lock, so
    runs finishing together all keep their lines."""
    path = output_dir / "timings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(".timings.json.lock"), "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        try:
            timings = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            timings = {}
        for result in results:
            timings.setdefault(profile, {})[result.notebook.stem] = {
                "seconds": round(result.seconds, 1),
                "ok": result.ok,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        tmp = path.with_name(f".timings.json.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)


def parameters_of(notebook: Path) -> dict[str, str]:
    """The parameters cell of a notebook as ``{name: source text of its value}``."""
    cell = parameters_cell(json.loads(Path(notebook).read_text()))
    if cell is None:
        return {}
    tree = ast.parse(_source(cell))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found[target.id] = ast.unparse(node.value)
    return found


def parameters_cell(nb: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def non_literal_parameters(notebook: Path) -> list[str]:
    """Statements of the parameters cell that are not ``NAME = <literal>`` (must be empty)."""
    cell = parameters_cell(json.loads(Path(notebook).read_text()))
    if cell is None:
        return ["<no cell tagged 'parameters'>"]
    problems = []
    for node in ast.parse(_source(cell)).body:
        is_literal_assign = isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) for t in node.targets
        )
        if is_literal_assign:
            try:
                ast.literal_eval(node.value)
            except ValueError:
                is_literal_assign = False
        if not is_literal_assign:
            problems.append(ast.unparse(node))
    return problems


# The course's cell-size convention (CONTRIBUTING.md): a longer cell holds logic for a helper.
MAX_CELL_LINES = 15
# A `#@save` cell holds one piece of the report's own code (a model builder, a loss, the training
# call), which reads best whole: up to 30 lines (DESIGN.md: "a model builder on the page is 10-30
# lines").
MAX_SAVED_CELL_LINES = 30


def code_lines(source: str) -> int:
    """Lines of code in a cell, as the ~15-line convention counts them.

    Blank lines and lines holding only a comment do not count (narration belongs in them); a
    statement over several lines counts each line, except an import, which counts once however
    the formatter wraps its names.
    """
    lines = [line.strip() for line in source.splitlines()]
    count = sum(1 for line in lines if line and not line.startswith("#"))
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics (``%timeit``): every line counts
        return count
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            count -= node.end_lineno - node.lineno
    return count


def long_cells(notebook: Path, limit: int = MAX_CELL_LINES) -> list[tuple[int, int]]:
    """``(cell index, lines of code)`` of the code cells over ``limit`` (a ``#@save`` cell: over
    :data:`MAX_SAVED_CELL_LINES`), the parameters cell (a table of literals for papermill) aside."""
    cells = json.loads(Path(notebook).read_text())["cells"]

    def allowed(source: str) -> int:
        saved = source.lstrip().startswith("#@save")
        return max(limit, MAX_SAVED_CELL_LINES) if saved else limit

    return [(index, lines) for index, cell in enumerate(cells)
            if cell.get("cell_type") == "code"
            and "parameters" not in cell.get("metadata", {}).get("tags", [])
            and (lines := code_lines(_source(cell))) > allowed(_source(cell))]


def strip(paths: Sequence[Path], check: bool = False) -> list[Path]:
    """Remove outputs, execution counts and non-tag cell metadata; keep tags. Returns changed files."""
    changed = []
    for path in paths:
        text = Path(path).read_text()
        nb = json.loads(text)
        for cell in nb.get("cells", []):
            tags = cell.get("metadata", {}).get("tags")
            cell["metadata"] = {"tags": tags} if tags else {}
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
        meta = nb.get("metadata", {})
        nb["metadata"] = {k: meta[k] for k in ("kernelspec", "language_info") if k in meta}
        if "language_info" in nb["metadata"]:
            nb["metadata"]["language_info"] = {"name": "python"}
        new_text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new_text != text:
            changed.append(Path(path))
            if not check:
                Path(path).write_text(new_text)
    return changed


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


class _Stopped(BaseException):
    """SIGTERM arrived: unwind (papermill shuts its kernel down) and exit non-zero."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="execute notebooks with papermill")
    run_cmd.add_argument("names", nargs="*", help="notebook stems or prefixes (default: all)")
    run_cmd.add_argument("--profile", choices=config.PROFILE_NAMES, default=None,
                         help="default: $LOOKALIKE_PROFILE or standard")
    run_cmd.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                         metavar=("NAME", "VALUE"), help="extra parameter (Python literal)")
    run_cmd.add_argument("--output-dir", type=Path, default=None)
    run_cmd.add_argument("--keep-going", action="store_true", help="run the rest after a failure")
    commands.add_parser("list", help="notebooks and their parameters")
    strip_cmd = commands.add_parser("strip", help="remove outputs, keep tags")
    strip_cmd.add_argument("paths", nargs="*", type=Path)
    strip_cmd.add_argument("--check", action="store_true", help="exit 1 if anything would change")
    teacher_cmd = commands.add_parser("teacher", help="copies with the exercises' solutions filled in")
    teacher_cmd.add_argument("names", nargs="*", help="notebook stems or prefixes (default: all)")
    teacher_cmd.add_argument("--output-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.command == "list":
        for notebook in discover():
            params = ", ".join(f"{k}={v}" for k, v in parameters_of(notebook).items())
            print(f"{notebook.stem}\n    {params or '(no parameters cell)'}")
        return 0
    if args.command == "strip":
        changed = strip(args.paths or discover(), check=args.check)
        for path in changed:
            print(f"{'would strip' if args.check else 'stripped'} {path}")
        return 1 if (args.check and changed) else 0

    if args.command == "teacher":
        from helpers.exercises.teacher import NoSolutionsError, teacher_copy

        output_dir = args.output_dir or config.reports_dir() / "teacher"
        for notebook in discover(args.names):
            try:
                filled = teacher_copy(notebook, output_dir / notebook.name)
            except NoSolutionsError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            print(f"{output_dir / notebook.name}: {len(filled)} exercises filled in")
        return 0
    params = {name: _parse_value(value) for name, value in args.parameter}
    total_start = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        results = run(args.names, args.profile, params, args.output_dir,
                      stop_on_failure=not args.keep_going)
    except ValueError as err:  # a bad -p name or value, or LOOKALIKE_PROFILE: one clear line
        print(f"error: {err}", file=sys.stderr)
        return 2
    except _Stopped:
        print("stopped (SIGTERM): the notebook being run was not finished; its partial copy "
              "stays under a hidden .<name>.running.ipynb name, the last finished copy is unchanged",
              file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)
    failed = [r for r in results if not r.ok]
    total = time.perf_counter() - total_start
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran in {total:.0f} s")
    for result in failed:
        print(f"notebook {result.notebook.name} failed at cell {result.failed_cell}: "
              f"{result.error}\n  executed copy: {result.output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
