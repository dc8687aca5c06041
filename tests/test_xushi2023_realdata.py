"""Real-data regression of notebook 05 (Totally Looks Like) in a reduced standard profile.

Runs the notebook on 600 of the real TLL pairs with MobileNetV2 + MobileNet ImageNet weights,
training only the fused pair (the report's hinge, then InfoNCE), one seed, pooled features, the
linear head, then checks: the trained fused model beats the zero-shot cosine of its own
backbones on the test pairs' top-2, and its top-2 is far above the 0.10 of chance.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import REPO, requires_real_data

NOTEBOOK = REPO / "notebooks" / "05_totally_looks_like.ipynb"
STEM = "05_totally_looks_like"

# Reduced standard profile: the standard split, candidates and pretrained features of a seeded
# subset of 600 pairs (420/60/120 train/val/test; features cached under LOOKALIKE_CACHE, default
# data/cache); only the fused pair is trained (the report's hinge, then InfoNCE), one seed, the
# linear head, pooled features only (TAP "avg": the grid model is the standard run's). Feature
# extraction of 2 x 1500 images per backbone was most of this test's 525 s; 600 pairs cut it.
REDUCED = {
    "PROFILE": "standard",
    "BACKBONES": ["mobilenetv2", "mobilenet"],
    "FUSIONS": ["concat"],
    "LOSSES": ["hinge", "infonce"],
    "TRAIN_SINGLES": False,
    "EPOCHS": 8,
    "SEEDS": 1,
    "TAP": "avg",
    "HEAD_CHOICES": [[]],
    "MAX_PAIRS": 600,
    "SEED": 42,
}

# Measured once on 2026-12-02 with this reduced profile: tll from /work/shared/datasets (600 of
# the 1500 pairs, 420/60/120 train/val/test, 20 candidates, seed 42), MobileNetV2 + MobileNet
# weights from /work/shared/weights, TensorFlow backend, CPU.
# Setup (the notebook run, features computed into an empty cache) took 479 s wall and 112 s CPU
# (user + sys) on a 2-core machine at load average 12; before (1500 pairs, the old
# notebook) it took about 525 s on an idle 2-core machine.
MEASURED = {"fused_top2": 0.592, "infonce_top2": 0.592, "fused_zero_shot_top2": 0.575}
# Floors a safe margin below the measurements; chance is 0.10, so these are "a wide margin".
FLOORS = {"fused_top2": 0.50, "infonce_top2": 0.50}
INFONCE = "top2_mobilenetv2_mobilenet_concat_infonce"


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Execute the notebook once; returns its recorded metrics JSON."""
    from helpers import notebooks

    tmp = tmp_path_factory.mktemp("nb05")
    env = {"LOOKALIKE_REPORTS": str(tmp / "reports"),
           "LOOKALIKE_DATA": os.environ["LOOKALIKE_DATA"],
           "LOOKALIKE_WEIGHTS": os.environ["LOOKALIKE_WEIGHTS"]}
    if os.environ.get("LOOKALIKE_CACHE"):
        env["LOOKALIKE_CACHE"] = os.environ["LOOKALIKE_CACHE"]
    result = notebooks.execute(NOTEBOOK, tmp / f"{STEM}.ipynb", REDUCED, env=env)
    assert result.ok, result.line()
    return json.loads(Path(tmp / "reports" / "metrics" / f"{STEM}.json").read_text())


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_run_used_real_pairs_and_pretrained_weights(metrics: dict):
    assert metrics["profile"] == "standard"
    assert metrics["data"]["origin"] == "LOOKALIKE_DATA"
    by_backbone = metrics["weights"]["by_backbone"]
    assert set(by_backbone) == {"mobilenetv2", "mobilenet"}
    assert all(w["pretrained"] for w in by_backbone.values()), by_backbone


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_fused_model_beats_its_zero_shot_baseline_and_chance(metrics: dict):
    values = metrics["metrics"]
    fused = values["fused_top2"]["value"]
    zero = values["fused_zero_shot_top2"]["value"]
    assert values["fused_top2"]["context"]["model"] == "mobilenetv2+mobilenet (concat)"
    assert values["random_top2"]["context"]["exact"] == pytest.approx(0.10)
    assert len(values["fused_top2"]["scores"][0]) == 120  # each test row's hit, recorded
    # 0.592 > 0.575 measured: 2 of 120 rows, a point check of this seeded run; the standard
    # run's claims table judges the same comparison with its paired interval.
    assert fused > zero, f"trained fused top-2 {fused:.3f} <= its zero-shot cosine {zero:.3f}"
    assert fused >= FLOORS["fused_top2"], f"fused top-2 {fused:.3f} < floor {FLOORS['fused_top2']}"


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_infonce_pair_also_beats_zero_shot(metrics: dict):
    values = metrics["metrics"]
    infonce, zero = values[INFONCE]["value"], values["fused_zero_shot_top2"]["value"]
    assert infonce > zero, f"InfoNCE top-2 {infonce:.3f} <= zero-shot {zero:.3f}"
    assert infonce >= FLOORS["infonce_top2"], f"InfoNCE top-2 {infonce:.3f} below its floor"
