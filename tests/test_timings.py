"""The notebooks' Time lines are rendered from reports/timings.json, the one record of measured
times (see issue 35); a line that drifts from the record fails here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import timings

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_time_line_matches_the_record(notebook: Path) -> None:
    record = timings.load(REPO / "reports" / timings.RECORD)
    assert notebook.stem in record["standard"], "no standard time recorded"
    assert timings.current_line(notebook) == timings.time_line(notebook.stem, record), (
        "run `python -m helpers.timings render` (after `python -m helpers.timings record`)")


def test_time_line_words() -> None:
    record = {"smoke": {"01_x": {"seconds": 31.4, "finished": "", "machine": "m"}},
              "standard": {"01_x": {"seconds": 594.0, "finished": "2026-12-02T13:47:01",
                                    "machine": "m"}}}
    assert timings.time_line("01_x", record) == (
        "**Time.** Last recorded runs (`reports/timings.json`, 2026-12-02, m): `smoke` 31 s, "
        "`standard` 9.9 min, `paper` not measured (needs a GPU).")


def test_record_then_render_changes_only_the_time_line(tmp_path: Path) -> None:
    executed = tmp_path / "executed.json"
    executed.write_text(json.dumps({"smoke": {
        "01_ingwersen_autoencoders": {"seconds": 47.0, "ok": True, "finished": "2026-12-06T05:00:00"},
        "02_jacobsen_finetuning_supcon": {"seconds": 9.0, "ok": False, "finished": "x"}}}))
    record = tmp_path / "timings.json"
    shutil.copy(REPO / "reports" / timings.RECORD, record)
    assert timings.record_run("smoke", executed, path=record) == ["01_ingwersen_autoencoders"]
    notebook = tmp_path / NOTEBOOKS[1].name
    shutil.copy(NOTEBOOKS[1], notebook)
    before = json.loads(notebook.read_text())
    assert timings.render([notebook], timings.load(record)) == [notebook]
    after = json.loads(notebook.read_text())
    assert "`smoke` 47 s" in timings.current_line(notebook)
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"], strict=True))
               if a != b]
    assert changed == [0]
    old, new = ("".join(c["source"]).splitlines() for c in (before["cells"][0], after["cells"][0]))
    assert [a for a, b in zip(old, new, strict=True) if a != b] == [timings.current_line(NOTEBOOKS[1])]
