"""Ingwersen 2020, notebook 01."""

from __future__ import annotations

from helpers.studies import lazy_exports

# What the package re-exports, and from which step (imported on first use: lazy_exports).
_EXPORTS = {
    "PAPER_INPUT_DIM": "grid",
    "PAPER_METRIC_KEYS": "grid",
    "GridEntry": "grid",
    "autoencoder_sweep": "grid",
    "SeededGrid": "grid",
    "compare_optimizers": "grid",
    "paper_grid": "grid",
    "run_grid": "grid",
    "scale_width": "grid",
    "score_splits": "grid",
    "select_best": "grid",
}
__all__ = list(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
