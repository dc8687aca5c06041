"""The lab notebooks 03-05: objectives, a citation, blank self-checked exercises, the explorer
where it belongs, and a critical-reading section (issue 20). Structure only: nothing runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import exercises

REPO = Path(__file__).resolve().parents[1]
# notebook number -> (stem, words of the report's citation its first cell must contain)
LABS = {
    "03": ("03_swedish_attribute_classifiers", ("Oskar Råhlén", "Sacharias Sjöqvist",
                                                "Image Classification of real estate images",
                                                "School of Electrical Engineering", "2019")),
    "04": ("04_query_gallery_challenge", ("Anna Maria Fetz", "Luisa Lo Presti", "Gioia Tassarolo",
                                          "Daria Mochalkina", "Applied", "June 2021")),
    "05": ("05_totally_looks_like", ("Hao Xu", "Chaoyi Shi", "*Totally Looks Like*",
                                     "October 2023")),
}
CHECK = re.compile(r'exercises\.check\("(\d\d\.\w+)",\s*answer\)')


def _cells(stem: str) -> list[dict]:
    return json.loads((REPO / "notebooks" / f"{stem}.ipynb").read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("number", sorted(LABS))
def test_opens_with_objectives_prerequisites_times_and_the_full_citation(number):
    stem, citation = LABS[number]
    head = _source(_cells(stem)[0])
    # the Time line is rendered from reports/timings.json (tests/test_timings.py)
    for heading in ("Learning objectives", "Prerequisites", "**Time.**", "`smoke`", "`standard`",
                    "`paper` not measured (needs a GPU)"):
        assert heading in head, f"{stem}: first cell lacks {heading!r}"
    objectives = re.search(r"Learning objectives.*?\n\n((?:\d\. .*\n(?: {3}.*\n)*)+)", head)
    assert objectives and 3 <= len(re.findall(r"^\d\. ", objectives.group(1), re.M)) <= 5
    for words in citation:
        assert words in head, f"{stem}: citation lacks {words!r}"
    assert "papers/" not in head, "cite the report, not a file path"


@pytest.mark.parametrize("number", sorted(LABS))
def test_every_exercise_is_registered_blank_and_checked_where_it_is_taught(number):
    cells = _cells(LABS[number][0])
    code = [_source(c) for c in cells if c["cell_type"] == "code"]
    used = [m for src in code for m in CHECK.findall(src)]
    assert len(used) >= 3 and len(set(used)) == len(used), used
    assert set(used) == {ex.id for ex in exercises.listing(number)}, "checkers without a cell?"
    for src in code:
        if CHECK.search(src):
            assert re.search(r"^answer = None  # ", src, re.M), f"not blank:\n{src}"
            assert len([line for line in src.splitlines() if line.strip()]) <= 15
    assert not any("exercises.solutions" in src or "exercises.solution(" in src for src in code)


@pytest.mark.parametrize("number", sorted(LABS))
def test_has_a_critical_reading_section_with_questions(number):
    cells = [_source(c) for c in _cells(LABS[number][0])]
    starts = [i for i, src in enumerate(cells) if src.startswith("## Reading the report critically")]
    assert len(starts) == 1, "one critical-reading section"
    section = "\n".join(cells[starts[0]:])  # the last section: its questions run to the end
    assert len(re.findall(r"^\d\. \*\*", section, re.M)) >= 5


@pytest.mark.parametrize("number", ["04", "05"])
def test_explorer_is_called_with_predict_then_run_prompt(number):
    text = "\n".join(_source(c) for c in _cells(LABS[number][0]))
    assert "plots.explorer(" in text and "Predict, then run" in text


def test_notebook_03_has_the_swedish_glossary():
    glossary = [_source(c) for c in _cells(LABS["03"][0])
                if _source(c).startswith("## Swedish-English glossary")]
    assert len(glossary) == 1
    for swedish in ("eldstad", "noggrannhet", "överanpassning", "Max. noggrannhet", "Slutsats",
                    "HÄR ÄR DET FEL"):
        assert swedish in glossary[0], swedish
    assert glossary[0].count("\n|") >= 20, "a table of the report's terms"


@pytest.mark.parametrize("stem", sorted(p.stem for p in (REPO / "notebooks").glob("0*.ipynb")))
def test_no_cell_ends_in_a_call_whose_value_is_a_stray_repr(stem):
    # report.start / save_figure / finish return a recorder or a path, which Jupyter would print
    # under the cell as `PosixPath('...')`; the call prints what a student needs already.
    bare = re.compile(r"^report\.(start|save_figure|finish)\(.*\)\s*$")
    ending = [_source(c).rstrip().splitlines()[-1] for c in _cells(stem)
              if c["cell_type"] == "code" and _source(c).strip()]
    assert [line for line in ending if bare.match(line)] == []
