"""How ``make test`` spreads the suite over two pytest-xdist workers (see conftest)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, xdist_group_of

TESTS = sorted((REPO / "tests").glob("test_*.py"))


def test_smoke_and_site_tests_share_one_worker() -> None:
    smoke, site = REPO / "tests" / "test_notebooks_smoke.py", REPO / "tests" / "test_site.py"
    assert xdist_group_of(smoke) == xdist_group_of(site) == "smoke_runs"


def test_every_module_with_a_module_scoped_fixture_stays_on_one_worker() -> None:
    shared = [p for p in TESTS if 'scope="module"' in p.read_text()
              and p.name != Path(__file__).name]
    assert shared, "expected some modules with module-scoped fixtures (notebook runs)"
    assert all(xdist_group_of(p) for p in shared), [p.name for p in shared
                                                    if not xdist_group_of(p)]


def test_modules_without_shared_fixtures_are_spread_test_by_test() -> None:
    spread = REPO / "tests" / "test_notebooks_backends.py"  # five long runs: one per worker slot
    assert xdist_group_of(spread) is None
