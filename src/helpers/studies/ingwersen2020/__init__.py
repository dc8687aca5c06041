"""Ingwersen 2020, notebook 01."""

from __future__ import annotations

import importlib
from typing import Any

# What the package re-exports, and from which step: imported on first use (PEP 562), so
# reading a study's claims or paper numbers (the verdict engine, RESULTS.md) imports no
# Keras or TensorFlow.
_EXPORTS = {
    "PAPER_INPUT_DIM": "grid",
    "PAPER_METRIC_KEYS": "grid",
    "GridEntry": "grid",
    "SeededGrid": "grid",
    "add_seeds": "grid",
    "compare_optimizers": "grid",
    "paper_grid": "grid",
    "run_grid": "grid",
    "run_seeded_grid": "grid",
    "scale_width": "grid",
    "score_splits": "grid",
    "select_best": "grid",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
