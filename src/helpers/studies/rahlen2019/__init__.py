"""Report 03 (Råhlén & Sjöqvist 2019): balcony, fireplace and room-type classifiers.

- :mod:`~helpers.studies.rahlen2019.tasks`: the three tasks, their stand-in data (70/15/15
  train/val/test splits; the Houses layout or a class folder), the report's tables 3.1 and 4.1-4.6, and which Keras architecture replaces which.
- :mod:`~helpers.studies.rahlen2019.experiment`: the grid of tasks x architectures x modes
  (frozen backbone or all layers fine-tuned) with the report's recipe; result rows, records.
- :mod:`~helpers.studies.rahlen2019.tables`: the report's five models beside ours (like with
  like only), chance rows, and the records with each photo's correctness.
- :mod:`~helpers.studies.rahlen2019.findings`: the cross-run comparisons the claims need, and
  the thumbnail check of the balcony stand-in; :mod:`~helpers.studies.rahlen2019.timing`:
  training steps of both modes timed on equal data.
- :mod:`~helpers.studies.rahlen2019.figures`: curves per task (figures 1-12), the accuracy vs
  training time trade-off, misclassified validation images.
- :mod:`~helpers.studies.rahlen2019.predict`: saved models and ``classify(image_path)``.
- :mod:`~helpers.studies.rahlen2019.sentences`: what agrees with the report, as sentences.
- ``profile``, ``paper``, ``claims``: the settings per profile, the report's numbers, its claims.

The backbone + softmax head itself is :mod:`helpers.classifiers`.
"""

from __future__ import annotations

from helpers.studies import lazy_exports

# What the package re-exports, and from which step (imported on first use: lazy_exports).
_EXPORTS = {
    "MODE_KEYS": "experiment",
    "NO_DATA": "experiment",
    "NOT_RUN": "experiment",
    "RAN": "experiment",
    "Experiment": "experiment",
    "GridOptions": "experiment",
    "Run": "experiment",
    "curves": "figures",
    "misclassified": "figures",
    "tradeoff": "figures",
    "tradeoff_rows": "figures",
    "classify": "predict",
    "ARCHITECTURES": "tasks",
    "EXTRA": "tasks",
    "MODE_TITLES": "tasks",
    "MODES": "tasks",
    "PAPER_FIGURES": "tasks",
    "PAPER_RESULTS": "tasks",
    "PAPER_TABLES": "tasks",
    "TASK_NAMES": "tasks",
    "TASKS": "tasks",
    "Architecture": "tasks",
    "TaskData": "tasks",
    "TaskSpec": "tasks",
    "architecture": "tasks",
    "consistency_rows": "tasks",
    "counts_rows": "tasks",
    "implied_val_size": "tasks",
    "load_tasks": "tasks",
    "paper_best": "tasks",
    "paper_result": "tasks",
}
__all__ = list(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
