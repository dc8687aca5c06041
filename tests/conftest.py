"""Shared fixtures: notebook runs write into tmp, never into the committed reports/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def real_data_available() -> bool:
    return bool(os.environ.get("LOOKALIKE_DATA")) and bool(os.environ.get("LOOKALIKE_WEIGHTS"))


requires_real_data = pytest.mark.skipif(
    not real_data_available(),
    reason="needs LOOKALIKE_DATA and LOOKALIKE_WEIGHTS (e.g. ../shared/datasets, ../shared/weights)",
)


@pytest.fixture(autouse=True, scope="session")
def _reports_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory):
    """No test writes into the committed reports/ (RESULTS.md and metrics from a real run)."""
    saved = {k: os.environ.get(k) for k in ("LOOKALIKE_REPORTS", "LOOKALIKE_CACHE")}
    os.environ["LOOKALIKE_REPORTS"] = str(tmp_path_factory.mktemp("reports"))
    os.environ["LOOKALIKE_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def isolated_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point reports and caches at tmp so a test run leaves the checkout as it was."""
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    return tmp_path


class SmokeRuns:
    """Each notebook executed at most once per test session in the smoke profile, on first
    request, into one folder laid out like ``reports/`` (``executed/``, ``metrics/``, ...)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.results: dict[str, object] = {}

    def result(self, notebook: Path):
        """The ``RunResult`` of ``notebook``'s smoke run (running it now if needed)."""
        from helpers import notebooks
        from helpers.site.builder import smoke_environment

        if notebook.stem not in self.results:
            env = {**smoke_environment(self.folder), "LOOKALIKE_CACHE": str(self.folder / "cache")}
            self.results[notebook.stem] = notebooks.execute(
                notebook, self.folder / "executed" / notebook.name, {"PROFILE": "smoke"}, env=env)
        return self.results[notebook.stem]

    def all(self) -> Path:
        """Run whatever has not run yet; the folder with every notebook's executed copy."""
        for notebook in NOTEBOOKS:
            self.result(notebook)
        return self.folder


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory: pytest.TempPathFactory) -> SmokeRuns:
    """The smoke-profile runs shared by the smoke tests and the site test."""
    return SmokeRuns(tmp_path_factory.mktemp("smoke"))


def run_notebook_on_real_data(notebook: Path, parameters: dict, folder: Path) -> None:
    """Execute ``notebook`` with the shared data and weights, writing reports and caches
    under ``folder`` (``folder/reports``, ``folder/cache``) so the checkout stays untouched."""
    from helpers import notebooks

    env = {"LOOKALIKE_REPORTS": str(folder / "reports"), "LOOKALIKE_CACHE": str(folder / "cache"),
           "LOOKALIKE_DATA": os.environ["LOOKALIKE_DATA"],
           "LOOKALIKE_WEIGHTS": os.environ["LOOKALIKE_WEIGHTS"]}
    result = notebooks.execute(notebook, folder / notebook.name, parameters, env=env)
    assert result.ok, result.line()
