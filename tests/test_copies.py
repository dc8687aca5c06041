"""The student and the teacher copy (``make student DIR``, ``make teacher DIR``), checked in the
copies themselves: the student copy holds no line of any reference solution and cannot import
them, yet every exercise there still checks; the teacher copy's filled-in exercise cells, run
with the copy's own package, each print "correct"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config
from helpers.exercises import copies

ROOT = config.repo_root()
SOLUTIONS = ROOT / "src" / "helpers" / "exercises" / "solutions"


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def file_lines(path: Path) -> set[str]:
    """The stripped lines of a file; of a notebook, the lines of its cells' sources."""
    text = path.read_text(errors="replace")
    if path.suffix == ".ipynb":
        text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    return _lines(text)


def distinctive_solution_lines() -> set[str]:
    """Code lines of the reference solutions that no other tracked file holds."""
    candidates = set()
    for path in SOLUTIONS.glob("nb*.py"):
        candidates |= {line for line in _lines(path.read_text())
                       if len(line) >= 20 and not line.startswith(("#", "import ", "from ", '"'))}
    for path in copies.tracked_files(ROOT):
        if not path.startswith("src/helpers/exercises/solutions/"):
            candidates -= file_lines(ROOT / path)
    return candidates


def files_holding(folder: Path, lines: set[str]) -> dict[str, list[str]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            hits = sorted(file_lines(path) & lines)
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def run_in(copy: Path, script: str) -> subprocess.CompletedProcess:
    """``script`` run by Python in ``copy`` with the copy's own package (its path is argv[1])."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run([sys.executable, "-c", script, str(copy)], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def student_copy(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("student") / "course"
    assert copies.main(["student", str(target)]) == 0
    return target


def test_the_student_copy_holds_no_solution_code(student_copy):
    lines = distinctive_solution_lines()
    assert len(lines) >= 20  # the search has something to find
    assert files_holding(SOLUTIONS, lines)  # and finds it where it is
    assert files_holding(student_copy, lines) == {}
    assert not (student_copy / "TEACHING.md").exists()
    assert sorted(p.name for p in (student_copy / "notebooks").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


STUDENT_SCRIPT = r'''
import sys
import helpers
from helpers import exercises
from helpers.exercises import teacher
assert helpers.__file__.startswith(sys.argv[1]), helpers.__file__
print(sorted({exercises.check(e.id, None).status for e in exercises.listing()}))
try:
    teacher.reference("01.loo_topk")
except teacher.NoSolutionsError:
    print("no solutions")
import helpers.exercises.solutions
'''


def test_the_student_copy_cannot_import_the_solutions_but_checks_every_exercise(student_copy):
    done = run_in(student_copy, STUDENT_SCRIPT)
    assert "['not attempted']" in done.stdout and "no solutions" in done.stdout, done.stderr
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, done.stderr


def test_the_teacher_command_in_a_student_copy_says_what_it_is(student_copy, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(student_copy / "src")}
    done = subprocess.run([sys.executable, "-m", "helpers.notebooks", "teacher", "01",
                           "--output-dir", str(tmp_path)], cwd=student_copy, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "student copy" in done.stderr, done.stderr[-2000:]
    assert not list(tmp_path.iterdir())


def test_a_copy_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "something").write_text("mine")
    assert copies.main(["student", str(tmp_path)]) == 2
    assert "not an empty folder" in capsys.readouterr().err


CHECK_EVERY_CELL = r'''
import json, re, sys
from pathlib import Path
import helpers
from helpers import exercises
assert helpers.__file__.startswith(sys.argv[1]), helpers.__file__
check = re.compile(r"""exercises\.check\(["']([^"']+)["']""")
for notebook in sorted(Path("notebooks").glob("*.ipynb")):
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and check.search(source):
            namespace = {"exercises": exercises}
            exec(compile(source, notebook.stem, "exec"), namespace)
            exercise_id = check.search(source).group(1)
            print(exercise_id, exercises.check(exercise_id, namespace["answer"]).status)
'''


@pytest.mark.slow
def test_every_exercise_cell_of_the_teacher_copy_is_correct(tmp_path):
    target = tmp_path / "course"
    assert copies.main(["teacher", str(target)]) == 0
    assert files_holding(target / "notebooks", distinctive_solution_lines())  # filled in
    done = run_in(target, CHECK_EVERY_CELL)
    assert done.returncode == 0, done.stderr[-3000:]
    results = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.strip())
    from helpers import exercises

    assert sorted(results) == sorted(e.id for e in exercises.listing())
    assert set(results.values()) == {"correct"}, results
    for notebook in (target / "notebooks").glob("*.ipynb"):
        code = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                if c["cell_type"] == "code"]
        assert not [source for source in code if "# your code here" in source], notebook.name
