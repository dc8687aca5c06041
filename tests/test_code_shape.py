"""The shape rules of CONTRIBUTING.md, checked: ruff over src, tests and notebooks; notebook cells
within ~15 lines of code; no import cycle among the helpers; no public helper with more than 8
parameters."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from helpers import config, notebooks

ROOT = config.repo_root()
HELPERS = ROOT / "src" / "helpers"

# Long cells allowed for now, by notebook stem and first line (none today); an entry that is
# no longer long fails the test, so the list cannot go stale.
LONG_CELLS_OWNED_ELSEWHERE: set[tuple[str, str]] = set()

# Imports inside functions that close a cycle on purpose: the importing module serves the other
# module's names, or dispatches to it, only when asked. Each must stay inside a function.
DELIBERATE_LAZY_IMPORTS = {
    # `python -m helpers.bench all` dispatches to the suite, which runs the benches defined here.
    ("helpers.bench", "helpers.bench.suite"),
}

MAX_PARAMETERS = 8
# Public helpers allowed over the limit for now, by file and name (none today).
NOT_YET_GROUPED: set[tuple[str, str]] = set()  # every public helper is within the limit


def test_ruff_passes_on_src_tests_and_notebooks():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "notebooks"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_code_lines_count_code_not_narration_and_an_import_once():
    cell = "\n".join(["# a comment", "", "from helpers import (", "    config,", "    report,",
                      ")", "x = {", "    'a': 1,", "}"])
    assert notebooks.code_lines(cell) == 4  # the import once, the dict's three lines
    assert notebooks.code_lines("%timeit f()\nx = 1") == 2  # magics: every line counts


def test_a_cell_over_fifteen_lines_is_found(tmp_path):
    cells = [{"cell_type": "code", "metadata": {"tags": ["parameters"]},
              "source": "\n".join(f"P{i} = {i}" for i in range(30))},
             {"cell_type": "code", "metadata": {}, "source": "\n".join(f"a{i} = {i}" for i in range(15))},
             {"cell_type": "code", "metadata": {}, "source": "\n".join(f"b{i} = {i}" for i in range(16))},
             {"cell_type": "markdown", "metadata": {}, "source": "text\n" * 40}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert notebooks.long_cells(path) == [(2, 16)]


def test_notebook_cells_stay_within_fifteen_lines_of_code():
    long, listed = [], set()
    for notebook in notebooks.discover():
        cells = json.loads(notebook.read_text())["cells"]
        for index, lines in notebooks.long_cells(notebook):
            first = notebooks._source(cells[index]).lstrip().splitlines()[0]
            owned = [key for key in LONG_CELLS_OWNED_ELSEWHERE
                     if key[0] == notebook.stem and first.startswith(key[1])]
            listed.update(owned)
            if not owned:
                long.append(f"{notebook.stem} cell {index}: {lines} lines ({first[:50]})")
    assert not long, "split these cells or move their logic into a helper:\n" + "\n".join(long)
    assert listed == LONG_CELLS_OWNED_ELSEWHERE, (
        f"no longer long, remove from the list: {LONG_CELLS_OWNED_ELSEWHERE - listed}")


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(HELPERS.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _imports(path: Path, modules: set[str]) -> dict[str, bool]:
    """Helpers modules ``path`` imports -> whether every import of it sits inside a function.

    Module-level imports count wherever they sit (``if TYPE_CHECKING:``, ``try:``): a type
    checker follows those too. ``from helpers import backbones`` is an edge to the module.
    """
    name, is_package = _module_name(path)
    tree = ast.parse(path.read_text())
    inside_function = {id(node) for fn in ast.walk(tree)
                       if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                       for node in ast.walk(fn) if isinstance(node, ast.Import | ast.ImportFrom)}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            if target in modules and target != name:
                found[target] = found.get(target, True) and id(node) in inside_function
    return found


def _import_graph() -> dict[str, dict[str, bool]]:
    paths = sorted(HELPERS.rglob("*.py"))
    modules = {_module_name(p)[0] for p in paths}
    return {_module_name(p)[0]: _imports(p, modules) for p in paths}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_helpers():
    graph = _import_graph()
    for importer, imported in sorted(DELIBERATE_LAZY_IMPORTS):
        assert graph[importer].get(imported) is True, (
            f"{importer} -> {imported} is listed as a deliberate lazy import: it must exist and "
            f"only inside functions")
    edges = {module: {target for target in targets
                      if (module, target) not in DELIBERATE_LAZY_IMPORTS}
             for module, targets in graph.items()}
    assert _cycles(edges) == []


def _public_functions(path: Path):
    """(qualified name, number of parameters) of public functions and methods, ``self``/``cls``
    aside; ``*args`` and ``**kwargs`` count one each."""
    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                yield from visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    not node.name.startswith("_") or node.name == "__init__"):
                args = node.args
                names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                if prefix and names and names[0] in ("self", "cls"):
                    names = names[1:]
                yield (f"{prefix}{node.name}",
                       len(names) + (args.vararg is not None) + (args.kwarg is not None))
    if not path.name.startswith("_") or path.name == "__init__.py":
        yield from visit(ast.parse(path.read_text()).body, "")


def test_counting_parameters(tmp_path):
    source = "def f(a, b=1, *rest, c, **kw): ...\nclass C:\n    def m(self, x): ...\ndef _p(a): ..."
    (tmp_path / "_private.py").write_text(source)
    (tmp_path / "public.py").write_text(source)
    assert dict(_public_functions(tmp_path / "_private.py")) == {}
    assert dict(_public_functions(tmp_path / "public.py")) == {"f": 5, "C.m": 1}


def test_no_public_helper_takes_more_than_eight_parameters():
    over = []
    for path in sorted(HELPERS.rglob("*.py")):
        where = path.relative_to(HELPERS).as_posix()
        over += [f"{where}: {name} ({count})" for name, count in _public_functions(path)
                 if count > MAX_PARAMETERS
                 and (where, name) not in NOT_YET_GROUPED]
    assert not over, ("group parameters in the settings object or a small dataclass:\n"
                      + "\n".join(over))
