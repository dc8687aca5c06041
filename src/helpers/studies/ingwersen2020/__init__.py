"""Ingwersen 2020, notebook 01."""

from helpers.studies.ingwersen2020.grid import (
    PAPER_INPUT_DIM,
    PAPER_METRIC_KEYS,
    GridEntry,
    SeededGrid,
    add_seeds,
    compare_optimizers,
    paper_grid,
    run_grid,
    run_seeded_grid,
    scale_width,
    score_splits,
    select_best,
)

__all__ = [
    "PAPER_INPUT_DIM",
    "PAPER_METRIC_KEYS",
    "GridEntry",
    "SeededGrid",
    "add_seeds",
    "compare_optimizers",
    "paper_grid",
    "run_grid",
    "run_seeded_grid",
    "scale_width",
    "score_splits",
    "select_best",
]
