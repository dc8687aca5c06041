"""Shared fixtures: notebook runs write into tmp, never into the committed reports/."""

from __future__ import annotations

import functools
import os
import re
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


# Under pytest-xdist (``make test`` runs two workers) tests are handed out one by one, except
# groups that must stay on one worker: the smoke runs are shared by the smoke and the site
# tests, and a module whose tests share a module-scoped fixture (one notebook run, one trained
# model) would otherwise compute it once per worker. xdist's own ``--dist loadgroup`` cannot do
# this here: it renames node ids through ``item._nodeid``, which pytest 9 no longer reads (the
# groups were silently ignored), so the scheduler below groups by module name instead.
SHARED_RUN_GROUPS = {"test_notebooks_smoke": "smoke_runs", "test_site": "smoke_runs"}
_MODULE_FIXTURE = re.compile(r"""@pytest\.fixture\(\s*scope=["'](module|session)["']""")


@functools.cache
def xdist_group_of(module: Path) -> str | None:
    """The worker group of a test module's tests, or None when they may be spread."""
    if module.stem in SHARED_RUN_GROUPS:
        return SHARED_RUN_GROUPS[module.stem]
    return module.stem if _MODULE_FIXTURE.search(module.read_text()) else None


def _cost_rank(item: pytest.Item) -> int:
    """Real-data runs first, then other notebook runs, slow tests, the rest: the longest
    work starts first, so two workers finish at about the same time."""
    names = {m.name for m in item.iter_markers()}
    return 0 if "realdata" in names else 1 if "notebook" in names else 2 if "slow" in names else 3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    module_rank: dict[Path, int] = {}
    for item in items:
        module = Path(item.path)
        module_rank[module] = min(module_rank.get(module, 3), _cost_rank(item))
    # Whole modules move, never single tests: a module-scoped fixture is set up once.
    first_seen = {m: i for i, m in enumerate(dict.fromkeys(Path(it.path) for it in items))}
    items.sort(key=lambda it: (module_rank[Path(it.path)], first_seen[Path(it.path)]))


def work_unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its group (see :func:`xdist_group_of`) or itself."""
    return xdist_group_of(REPO / nodeid.split("::", 1)[0]) or nodeid


@pytest.hookimpl(optionalhook=True)  # xdist's hook: `-p no:xdist` runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Units of :func:`work_unit_of`, handed out in collection order (longest work first), the
    next unit to whichever worker is free."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit_of(nodeid)

    config.option.loadscopereorder = False  # keep the longest-first order of the collection
    return SharedRunScheduling(config, log)
