"""Notebook 02 on the real places6 with the real MobileNetV2 weights, in a reduced standard run.

Checks the issue's floors: fine-tuning MobileNetV2 beats its frozen baseline's LOO top-1 on the
test split, and SupCon (the fixed one) finishes with a finite loss and a top-1 above the
baseline's floor. Skipped, with the reason, when LOOKALIKE_DATA / LOOKALIKE_WEIGHTS are unset.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, requires_real_data

NOTEBOOK = REPO / "notebooks" / "02_jacobsen_finetuning_supcon.ipynb"

# A reduced standard profile: 150 images per room (540 train / 180 val / 180 test), one
# optimizer and learning rate, the two cheapest layer configurations, two schemes, SupCon only.
PARAMETERS = {
    "PROFILE": "standard",
    "BACKBONES": ["mobilenetv2"],
    "MAX_PER_CLASS": 150,
    "OPTIMIZERS": ["sgd"],
    "LEARNING_RATES": [5e-3],
    "GRID_EPOCHS": 1,
    "LAYER_CONFIGS": 2,
    "EPOCHS": 4,
    "SCHEMES": ["places", "own"],
    "SCHEME_PER_CLASS": 30,
    "CONTRASTIVE_LOSSES": ["supcon"],
    "SUPCON_EPOCHS": 2,
    "NAN_EPOCHS": 1,
}

# Floors, measured once (2026-11-23, places6 from $LOOKALIKE_DATA, the MobileNetV2 file from
# $LOOKALIKE_WEIGHTS, seed 42, the parameters above; 7.6 min wall on the loaded 2-core dev box,
# 161 s of CPU): baseline 0.567, fine-tuned 0.672 (+0.106), SupCon 0.689 with a finite loss.
# 2026-12-02 (issues 17/18: per-item hits, a 3-seed head grid, the NaN runs on the top block,
# the Places baseline; GRID_EPOCHS 1, SUPCON_EPOCHS 2, NAN_EPOCHS 1 here): passed, 317 s wall
# under load, 197 s CPU (the previous version, same day: 478 s wall, 170 s CPU). Floors unchanged.
# 2026-12-06 (issue 30: three seeds per layer configuration, table-3 heads to a validation stop,
# the margin run, one more block, the range-matched baseline): passed, 774 s wall on the loaded
# 2-core box (load 5-8), 356 s CPU.
# Set with a safe margin below; the issue asks that fine-tuning beat the frozen baseline and that
# SupCon end above the baseline's floor.
BASELINE_FLOOR = 0.50
FINETUNED_FLOOR = 0.60
GAIN_FLOOR = 0.03  # fine-tuned minus frozen baseline, LOO top-1 on test
SUPCON_FLOOR = BASELINE_FLOOR


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.notebook
@requires_real_data
def test_nb02_reduced_standard_on_real_data(tmp_path: Path) -> None:
    from helpers import notebooks

    reports = tmp_path / "reports"
    result = notebooks.execute(
        NOTEBOOK, tmp_path / "02_executed.ipynb", PARAMETERS,
        env={"LOOKALIKE_REPORTS": str(reports), "LOOKALIKE_CACHE": str(tmp_path / "cache")},
    )
    assert result.ok, f"notebook failed at cell {result.failed_cell}: {result.error}"
    recorded = json.loads((reports / "metrics" / "02_jacobsen_finetuning_supcon.json").read_text())
    metrics = {k: v["value"] for k, v in recorded["metrics"].items()}
    assert recorded["profile"] == "standard" and recorded["data"].get("origin") == "LOOKALIKE_DATA"
    baseline = metrics["baseline_top1_mobilenetv2"]
    tuned = metrics["finetuned_top1_mobilenetv2"]
    assert baseline > BASELINE_FLOOR and tuned > FINETUNED_FLOOR
    assert tuned - baseline > GAIN_FLOOR, f"fine-tuned {tuned:.3f} vs frozen baseline {baseline:.3f}"
    assert metrics["supcon_loss_finite_mobilenetv2"] is True
    assert metrics["supcon_top1_mobilenetv2"] > SUPCON_FLOOR
    # The report's margin loss breaks, the fixes do not (SupCon's unguarded NaN needs a class
    # held once in a batch, which 540 training items in batches of 64 may not give).
    assert metrics["nan_unguarded_margin"] is True and metrics["nan_with_fixes"] is False
    assert metrics["margin_nan_needs_singleton"] is False
    # Every number a claim compares carries its per-item hits (the interval comes with them).
    assert all(recorded["metrics"][k].get("n_items") == 180 for k in (
        "baseline_top1_mobilenetv2", "finetuned_top1_mobilenetv2", "supcon_top1_mobilenetv2",
        "ce_same_layers_top1_mobilenetv2", "scheme_top1_mobilenetv2_own"))
