"""How ``make test`` spreads the suite over two pytest-xdist workers (see conftest)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, work_unit_of, xdist_group_of

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


def test_work_units_keep_groups_together_and_spread_the_rest() -> None:
    nb05 = ["tests/test_xushi2023_realdata.py::test_run_used_real_pairs_and_pretrained_weights",
            "tests/test_xushi2023_realdata.py::test_infonce_pair_also_beats_zero_shot"]
    assert {work_unit_of(n) for n in nb05} == {"test_xushi2023_realdata"}
    assert work_unit_of("tests/test_site.py::test_x") == work_unit_of(
        "tests/test_notebooks_smoke.py::test_y") == "smoke_runs"
    spread = "tests/test_notebooks_backends.py::test_notebook_runs_in_smoke_profile_on_backend[a]"
    assert work_unit_of(spread) == spread
