"""The numbers TEACHING.md and the notebooks' markdown take from a run are the committed
record's (``reports/metrics/*.json``, ``reports/timings.json``), rendered by
``helpers.teaching``: the committed text matches the record, a number edited by hand fails the
check, a new record changes the text, and the verdict counts are RESULTS.md's."""

from __future__ import annotations

import copy
import json
import re
import shutil

import pytest

from helpers import config, results, teaching

ROOT = config.repo_root()
GUIDE = ROOT / teaching.GUIDE
RECORD = teaching.Record.load(ROOT / "reports")


def test_every_marked_number_matches_the_committed_record():
    drifted = {path.name: teaching.check_document(path, RECORD) for path in teaching.documents()}
    assert not any(drifted.values()), drifted
    assert teaching.main(["check"]) == 0


def _first_marker(text: str, kind: str) -> re.Match:
    return next(m for m in teaching.MARKER.finditer(text) if m["expression"].split()[0] == kind)


@pytest.mark.parametrize("kind", ["metric", "interval", "time", "verdicts", "verdict", "total"])
def test_a_number_edited_by_hand_fails_the_check(kind):
    text = GUIDE.read_text(encoding="utf-8")
    marker = _first_marker(text, kind)
    edited = text[:marker.start("value")] + "0.999" + text[marker.end("value"):]
    drifted = teaching.drift(edited, RECORD)
    assert len(drifted) == 1 and marker["expression"] in drifted[0], drifted
    assert teaching.render_text(edited, RECORD) == text


def test_a_new_record_changes_the_rendered_text():
    metrics = copy.deepcopy(dict(RECORD.metrics))
    stem = RECORD.stem("01")
    metrics[stem]["metrics"]["baseline_test_top1"]["value"] = 0.5
    newer = teaching.Record(metrics, RECORD.times)
    text = GUIDE.read_text(encoding="utf-8")
    drifted = teaching.drift(text, newer)
    assert drifted and all("baseline_test_top1" in line for line in drifted)
    assert "<!--= metric 01 baseline_test_top1 -->0.500<!--/-->" in teaching.render_text(text, newer)


def _summary_counts(notebook: str) -> list[int]:
    """A notebook's row of RESULTS.md's committed summary table: the four verdict counts."""
    title = results.TITLES[notebook]
    row = next(line for line in (ROOT / "reports" / "RESULTS.md").read_text().splitlines()
               if line.startswith(f"| {title} |"))
    return [int(cell) for cell in row.strip("|").split("|")[2:6]]


@pytest.mark.parametrize("notebook", sorted(results.TITLES))
def test_the_verdict_counts_are_those_of_results_md(notebook):
    if notebook not in RECORD.metrics:
        pytest.skip(f"no committed metrics for {notebook}")
    words = teaching.evaluate(f"verdicts {notebook}", RECORD)
    assert [int(part.split()[0]) for part in words.split(", ")] == _summary_counts(notebook)
    assert teaching.evaluate(f"claims {notebook}", RECORD) == str(sum(_summary_counts(notebook)))


def test_a_marker_naming_nothing_recorded_is_an_error():
    with pytest.raises(teaching.RecordError, match="no_such_metric"):
        teaching.evaluate("metric 01 no_such_metric", RECORD)
    with pytest.raises(teaching.RecordError, match="unknown expression"):
        teaching.evaluate("median 01 baseline_test_top1", RECORD)


def test_a_notebook_markdown_marker_is_rendered_in_place_with_its_cell_id(tmp_path):
    source = ROOT / "notebooks" / "01_ingwersen_autoencoders.ipynb"
    notebook = tmp_path / source.name
    shutil.copy(source, notebook)
    nb = json.loads(notebook.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = ["Test top-1 <!--= metric 01 baseline_test_top1 -->0.1<!--/-->.\n"]
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    assert teaching.check_document(notebook, RECORD)
    assert teaching.render_document(notebook, RECORD)
    after = json.loads(notebook.read_text())
    assert [c["id"] for c in after["cells"]] == [c["id"] for c in nb["cells"]]
    want = teaching.evaluate("metric 01 baseline_test_top1", RECORD)
    rendered = next(c for c in after["cells"] if c["id"] == cell["id"])
    assert "".join(rendered["source"]) == f"Test top-1 <!--= metric 01 baseline_test_top1 -->{want}<!--/-->.\n"
    assert [c["source"] for c in after["cells"] if c["cell_type"] == "code"] == [
        c["source"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert teaching.check_document(notebook, RECORD) == []


def test_no_run_time_is_typed_by_hand_in_the_guide():
    unmarked = teaching.MARKER.sub("", GUIDE.read_text(encoding="utf-8"))
    typed = re.findall(r"[^\n]*\b\d+(?:\.\d+)? (?:min|s)\b[^\n]*", unmarked)
    assert typed == [], typed


def test_the_readmes_notebook_table_takes_its_times_from_the_record():
    rows = [line for line in (ROOT / teaching.README).read_text(encoding="utf-8").splitlines()
            if re.match(r"^\| `0\d_\w+` \|", line)]
    assert len(rows) == len(teaching.documents()) - 2  # one row per notebook
    for row in rows:
        smoke, standard = row.split(" | ")[4:6]
        assert teaching.MARKER.fullmatch(smoke) and teaching.MARKER.fullmatch(standard), row
