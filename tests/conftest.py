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


@pytest.fixture
def isolated_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point reports and caches at tmp so a test run leaves the checkout as it was."""
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    return tmp_path
