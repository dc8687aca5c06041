"""The reference solutions, and a teacher's copy of a notebook with every exercise filled in.

:func:`reference` is the one way to a reference solution (``helpers.exercises`` itself never
imports them); :func:`answer_source` writes it as notebook code that defines ``answer``, which
the teacher's copy and the tests run, so a solution is checked the way a filled-in cell is.

``python -m helpers.notebooks teacher [NAMES...] [--output-dir DIR]`` writes, for each notebook,
a copy (default ``reports/teacher/``) in which each exercise cell holds its reference solution
from ``helpers.exercises.solutions``: a function exercise's stub (``def name(...)`` whose body
is ``return None  # your code here`` or ``...  # your code here``) is replaced by the solution's
source and ``answer = None`` by ``answer = name``; a number exercise's ``answer = None`` by the number. Run the copy and every
check says "correct". The student notebooks in ``notebooks/`` are never touched.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import exercises

CHECK_CALL = re.compile(r"""exercises\.check\(["']([^"']+)["'],\s*answer""")
BLANK_ANSWER = re.compile(r"^answer = None\b.*$", re.MULTILINE)
FILLED = "  # teacher's copy: the reference solution"

# A student's stub: "def name(...):", maybe a docstring, then a body of one line
# "return None  # your code here" or "...  # your code here".
STUB = re.compile(r"^def (\w+)\(.*?\n    (?:return None|\.\.\.)  # your code here\n",
                  re.MULTILINE | re.DOTALL)
# A class stub (a Keras layer the student writes): "class Name(...):", then, in one of its
# methods, a body of one line "...  # your code here".
CLASS_STUB = re.compile(r"^class (\w+)\(.*?\n        (?:return None|\.\.\.)  # your code here\n",
                        re.MULTILINE | re.DOTALL)


class NoSolutionsError(LookupError):
    """This copy of the course holds no reference solutions (a student copy)."""


def reference(exercise_id: str) -> Any:
    """The reference solution of ``exercise_id`` (for teachers and tests, never a notebook)."""
    exercises.get(exercise_id)
    module = f"{exercises.REFERENCE_PACKAGE}.nb{exercise_id.split('.', 1)[0]}"
    try:
        return importlib.import_module(module).SOLUTIONS[exercise_id]
    except ModuleNotFoundError as error:
        if error.name is None or not module.startswith(error.name):
            raise
        raise NoSolutionsError(f"no reference solutions here ({module} is absent): this is a "
                               "student copy of the course; make a teacher copy from the "
                               "repository with `make teacher DIR=...`") from None


def _globals(solution: Callable[..., Any]) -> dict[str, Any]:
    """The module-level names a solution function, or each method of a solution class, uses."""
    if not inspect.isclass(solution):
        return dict(inspect.getclosurevars(solution).globals)
    found: dict[str, Any] = {}
    for member in vars(solution).values():
        if inspect.isfunction(member):
            found.update(inspect.getclosurevars(member).globals)
    for base in solution.__bases__:  # the base class's module, e.g. keras for keras.layers.Layer
        top = base.__module__.split(".")[0]
        module = inspect.getmodule(solution)
        if module is not None and hasattr(module, top):
            found.setdefault(top, getattr(module, top))
    return found


def _imports(solution: Callable[..., Any]) -> list[str]:
    """Lines that give a notebook cell the module-level names ``solution`` uses."""
    lines = []
    for name, value in _globals(solution).items():
        if inspect.ismodule(value):
            package, _, leaf = value.__name__.rpartition(".")
            lines.append(f"from {package} import {leaf}" if package and leaf == name else
                         f"import {value.__name__}" + ("" if value.__name__ == name else f" as {name}"))
        elif getattr(value, "__name__", None) == name and getattr(value, "__module__", None):
            lines.append(f"from {value.__module__} import {name}")
        elif isinstance(value, int | float | str | tuple):
            lines.append(f"{name} = {value!r}")
        else:
            raise ValueError(f"{solution.__name__} uses {name!r}, which a cell cannot import")
    return lines


def _solution_source(solution: Callable[..., Any], stub_name: str) -> str:
    imports = "".join(f"{line}\n" for line in _imports(solution))
    source = (imports + "\n\n" if imports else "") + inspect.getsource(solution)
    if solution.__name__ != stub_name:  # later cells may call the student's name
        source += f"\n\n{stub_name} = {solution.__name__}\n"
    return source


def answer_value(solution: Any) -> str:
    """A number or text solution as the literal a cell assigns (floats to 6 decimals)."""
    return repr(round(solution, 6) if isinstance(solution, float) else solution)


def answer_source(exercise_id: str) -> str:
    """Notebook code that defines ``answer`` as ``exercise_id``'s reference solution: a function
    or class written out in full with the imports it needs, else the value itself."""
    solution = reference(exercise_id)
    if callable(solution):
        return _solution_source(solution, solution.__name__) + f"\n\nanswer = {solution.__name__}\n"
    return f"answer = {answer_value(solution)}\n"


def fill_cell(source: str) -> tuple[str, str] | None:
    """``(exercise id, source with the solution filled in)`` for an exercise cell, else None.

    Raises ``ValueError`` if the cell checks an exercise but has no blank to fill.
    """
    match = CHECK_CALL.search(source)
    if match is None:
        return None
    exercise_id = match.group(1)
    solution = reference(exercise_id)
    if callable(solution):
        stub = (CLASS_STUB if inspect.isclass(solution) else STUB).search(source)
        if stub is None:
            raise ValueError(f"{exercise_id}: no function stub ending in '# your code here'")
        source = (source[:stub.start()] + _solution_source(solution, stub.group(1))
                  + source[stub.end():])
        value = stub.group(1)
    else:
        value = answer_value(solution)
    source, found = BLANK_ANSWER.subn(lambda _: f"answer = {value}{FILLED}", source, count=1)
    if not found:
        raise ValueError(f"{exercise_id}: no 'answer = None' line to fill")
    return exercise_id, source


def teacher_copy(notebook: Path, output: Path) -> list[str]:
    """Write ``notebook`` with every exercise filled in to ``output``; the ids filled, in order."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    filled = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        result = fill_cell(source)
        if result is not None:
            filled.append(result[0])
            cell["source"] = result[1].splitlines(keepends=True)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return filled
