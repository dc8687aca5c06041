"""The notebooks as a student meets them: JupyterLab from this environment, Chromium, Run > Run
All Cells in the smoke profile; no red output, no console error, every widget drawn.

Notebook 01 (where TensorFlow's C++ lines used to show as red blocks) and 05 (the explorer
widget) run in every ``make test`` (about 1.5-2 minutes each on two loaded cores); the other
four with ``pytest -m lab_all tests/test_jupyterlab.py``. Screenshots of a failing run stay in the test's temporary folder (or in
``$LOOKALIKE_SCREENSHOTS``). Skipped, with the reason, only where Chromium cannot be had.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.site import browser, lab

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
IN_EVERY_RUN = ("01_", "05_")


@pytest.fixture  # not module-scoped: under xdist, 01 and 05 may run on two workers at once
def chromium() -> Path:
    try:
        return browser.ensure_chromium()
    except (RuntimeError, OSError) as err:  # no apt-get or not root: say so, do not fail
        pytest.skip(f"no Chromium for the JupyterLab test: {err}")


def _params() -> list:
    return [pytest.param(nb, id=nb.stem[:2], marks=[] if nb.name.startswith(IN_EVERY_RUN)
                         else [pytest.mark.lab_all]) for nb in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("notebook", _params())
def test_notebook_runs_clean_in_jupyterlab(notebook: Path, chromium: Path, tmp_path: Path,
                                           request: pytest.FixtureRequest) -> None:
    if "lab_all" in {m.name for m in request.node.iter_markers()} and \
            "lab_all" not in (request.config.getoption("-m") or ""):
        pytest.skip("01 and 05 run in every make test; this one with `pytest -m lab_all "
                    "tests/test_jupyterlab.py`")
    shots = Path(os.environ.get("LOOKALIKE_SCREENSHOTS") or tmp_path / "screenshots")
    env = {"LOOKALIKE_REPORTS": str(tmp_path / "reports")}
    run = lab.run_in_lab(notebook, "smoke", tmp_path / "lab", shots, env=env)
    print(f"{notebook.stem}: Run All Cells took {run.seconds:.0f} s in JupyterLab")
    for shot in run.screenshots:
        print(f"screenshot: {shot}")
    assert run.cells, "the notebook showed no code cells"
    assert run.problems == [], "\n".join(run.problems)
    if notebook.name.startswith("05_"):
        assert run.rendered_widgets, "the explorer widget was not drawn"
