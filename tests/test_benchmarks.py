"""benchmarks/notebook_times.py: its table, on rows made by hand (running it takes minutes)."""

from __future__ import annotations

import importlib.util

from conftest import REPO


def _module():
    spec = importlib.util.spec_from_file_location("notebook_times",
                                                  REPO / "benchmarks" / "notebook_times.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_markdown_table_has_a_row_per_notebook_and_a_total():
    rows = [{"notebook": "00_setup", "seconds": 8.04, "ok": True, "load_before": 1.0,
             "load_after": 2.5},
            {"notebook": "01_ae", "seconds": 30.0, "ok": False, "load_before": 2.5,
             "load_after": 3.0}]
    lines = _module().markdown(rows, "smoke").splitlines()
    assert lines[0].startswith("| notebook | smoke seconds |")
    assert lines[2] == "| 00_setup | 8.0 | yes | 1.0, 2.5 |"
    assert lines[3] == "| 01_ae | 30.0 | FAILED | 2.5, 3.0 |"
    assert lines[4] == "| total | 38.0 | | |"
