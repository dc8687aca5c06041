"""The benchmark script runs end to end on tiny sizes (its figures go in the README)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from helpers import bench


def test_retrieval_one_measures_time_and_memory() -> None:
    row = bench.retrieval_one(2_000, "numpy", n_queries=5, dim=16, seed=0)
    assert row["n"] == 2_000 and row["method"] == "numpy"
    assert row["seconds"] > 0 and row["extra_peak_mib"] >= 0 and row["base_mib"] > 0


def test_main_prints_retrieval_table_from_subprocesses(capsys: pytest.CaptureFixture) -> None:
    assert bench.main(["--only", "retrieval", "--sizes", "300", "--queries", "3", "--dim", "8"]) == 0
    out = capsys.readouterr().out
    assert "Measured on:" in out and "| 300 | numpy |" in out
    if bench.retrieval_rows_methods() == ["numpy", "faiss"]:
        assert "| 300 | faiss |" in out


def test_format_tables_reports_failures() -> None:
    table = bench.format_tables(
        [{"backbone": "mobilenetv2", "helpers_ips": 20.0, "bare_ips": 21.0, "ratio": 0.952}],
        [{"n": 10, "method": "faiss", "error": "boom"}], dim=4, n_queries=2)
    assert "| mobilenetv2 | 20.0 | 21.0 | 0.95 |" in table and "failed: boom" in table


@pytest.mark.slow
def test_extraction_bench_agrees_with_bare_predict() -> None:
    rows = bench.bench_extraction(("mobilenetv2",), n_images=4, batch_size=2, repeats=1, seed=0)
    assert rows[0]["helpers_ips"] > 0 and rows[0]["bare_ips"] > 0 and rows[0]["ratio"] > 0
