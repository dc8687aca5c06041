"""Every notebook end to end in the smoke profile: synthetic data, random weights, 64 px.

The runs come from the session fixture ``smoke_runs`` (conftest.py), which executes each
notebook once; the site test builds its pages from the same executed copies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, SmokeRuns


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_smoke_profile(notebook: Path, smoke_runs: SmokeRuns) -> None:
    result = smoke_runs.result(notebook)
    assert result.ok, f"{notebook.name} failed at cell {result.failed_cell}: {result.error}"
    executed = json.loads(result.output.read_text())
    first_output = next(
        (o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
         if o.get("output_type") == "stream" and o.get("name") == "stdout"), None)
    assert first_output is not None and "smoke" in "".join(first_output["text"]).lower(), \
        "the first printed line states the profile"
