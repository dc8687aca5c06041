"""The notebooks' exercises as a student and a teacher meet them: every notebook with exercises
opens with objectives and a citation, checks each of its registered exercises from a blank
student cell, has a critical-reading section, and its teacher's copy passes every check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import NOTEBOOKS
from helpers import exercises
from helpers.exercises import teacher

CHECK_CALL = re.compile(r"""exercises\.check\(["']([^"']+)["']""")
WITH_EXERCISES = [nb for nb in NOTEBOOKS if exercises.listing(nb.name[:2])]


def cells(notebook: Path, kind: str) -> list[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


def test_notebooks_00_to_02_have_exercises():
    assert {nb.name[:2] for nb in WITH_EXERCISES} >= {"00", "01", "02"}


@pytest.mark.parametrize("notebook", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_a_notebook_checks_each_of_its_exercises_from_a_blank_cell(notebook):
    number = notebook.name[:2]
    registered = [ex.id for ex in exercises.listing(number)]
    checked = [m for source in cells(notebook, "code") for m in CHECK_CALL.findall(source)]
    assert sorted(checked) == sorted(registered), "each exercise checked exactly once"
    assert len(registered) >= (1 if number == "00" else 3)
    for source in cells(notebook, "code"):
        if CHECK_CALL.search(source):
            assert re.search(r"^answer = None\b", source, re.MULTILINE), source
            assert "# your code here" in source, source


@pytest.mark.parametrize("notebook", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_a_notebook_opens_with_objectives_and_has_a_critical_reading_section(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    opening = "\n".join("".join(c["source"]) for c in nb["cells"][:first_code]).lower()
    markdown = cells(notebook, "markdown")
    assert "learning objectives" in opening and "prerequisites" in opening
    assert "papers/" not in opening, "cite the report, not a file path"
    text = "\n".join(markdown).lower()
    if notebook.name[:2] != "00":
        assert "reading the report critically" in text
        assert re.search(r"\b(19|20)\d\d\b", opening), "the citation gives the year"


@pytest.mark.parametrize("notebook", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_the_teachers_copy_passes_every_check(notebook, tmp_path):
    copy, before = tmp_path / notebook.name, notebook.read_text(encoding="utf-8")
    filled = teacher.teacher_copy(notebook, copy)
    assert notebook.read_text(encoding="utf-8") == before  # the student notebook is untouched
    assert sorted(filled) == sorted(ex.id for ex in exercises.listing(notebook.name[:2]))
    for exercise_id, source in zip(filled, [s for s in cells(copy, "code")
                                            if CHECK_CALL.search(s)], strict=True):
        namespace = {"exercises": exercises}  # the cell imports what its solution needs
        exec(compile(source, f"{copy.name}:{exercise_id}", "exec"), namespace)
        feedback = exercises.check(exercise_id, namespace["answer"])
        assert feedback.status == "correct", str(feedback)
    assert "# your code here" not in "".join(cells(copy, "code"))


def test_fill_cell_leaves_other_cells_alone_and_refuses_a_cell_without_a_blank():
    assert teacher.fill_cell("x = 1\nprint(x)") is None
    with pytest.raises(ValueError, match="no 'answer = None'"):
        teacher.fill_cell('answer = 0.5\nexercises.check("01.one_unit_code", answer)')


def test_the_runner_writes_teachers_copies(tmp_path, capsys):
    from helpers import notebooks

    assert notebooks.main(["teacher", "01", "--output-dir", str(tmp_path)]) == 0
    copy = tmp_path / "01_ingwersen_autoencoders.ipynb"
    assert copy.is_file() and "5 exercises filled in" in capsys.readouterr().out
    assert "teacher's copy: the reference solution" in copy.read_text(encoding="utf-8")
