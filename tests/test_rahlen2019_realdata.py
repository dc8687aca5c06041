"""Real-data regression of notebook 03 (attribute classifiers) in a reduced standard profile.

Runs the notebook on the Houses room task only (kitchen, bathroom, bedroom; 70/15/15 split), with
MobileNetV2's ImageNet weights as a frozen feature extractor and a softmax head trained with
the report's recipe (SGD 1e-3, momentum 0.9, batch 32), fewer epochs and fewer augmented
copies than the standard profile, then checks the recorded accuracy against a floor measured
once, and that classify() answers with the saved model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, requires_real_data, run_notebook_on_real_data

NOTEBOOK = REPO / "notebooks" / "03_swedish_attribute_classifiers.ipynb"
STEM = "03_swedish_attribute_classifiers"
METRIC = "rooms_mobilenetv2_frozen_val_acc"

REDUCED = {
    "PROFILE": "standard",
    "TASKS": ["rooms"],
    "MODES": ["frozen"],
    "BACKBONES": ["mobilenetv2"],
    "EPOCHS": 15,
    "COPIES": 2,
    "HEAD_SEEDS": 1,  # the standard profile's 3 seeds would triple the head's training
    "TIMING_STEPS": 0,  # the report's architectures are timed by the standard run, not here
    "SEED": 42,
}

# Measured once on 2026-12-02 with this reduced profile (houses and MobileNetV2 weights from the
# shared folders, seed 42, one head seed, 70/15/15 split: 840 training / 180 validation / 180
# test photos): validation 0.9611 (173 of 180, 95 % interval 0.922-0.983), held-out test of the
# same weights 0.9556 (172 of 180). Both tests together: 285 s under a load average of 7-10
# (75 s user + 6 s system CPU). The floors sit about four points (seven photos) below.
MEASURED = 0.9611
FLOOR = 0.92
TEST_MEASURED = 0.9556
TEST_FLOOR = 0.915


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Execute the notebook once for all checks; returns the folder it wrote into."""
    tmp = tmp_path_factory.mktemp("nb03")
    run_notebook_on_real_data(NOTEBOOK, REDUCED, tmp)
    return tmp


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_mobilenetv2_feature_extraction_beats_the_floor_on_rooms(run: Path):
    metrics = json.loads((run / "reports" / "metrics" / f"{STEM}.json").read_text())
    assert metrics["profile"] == "standard"
    entry = metrics["metrics"][METRIC]
    assert entry["data"]["origin"] == "LOOKALIKE_DATA"
    assert entry["weights"]["pretrained"] is True  # real ImageNet weights, not a control
    assert entry["paper"] is None  # MobileNetV2 is not one of the report's models
    assert entry["value"] >= FLOOR, f"{METRIC} = {entry['value']} < floor {FLOOR}"
    # Each validation photo's correctness is kept, and the model chosen on validation is
    # measured once on held-out test photos.
    assert entry["n_items"] == 180 and len(entry["scores"][0]) == 180
    assert entry["interval"]["low"] <= entry["value"] <= entry["interval"]["high"]
    test = metrics["metrics"]["rooms_best_frozen_test_acc"]
    assert test["n_items"] == 180 and test["value"] >= TEST_FLOOR
    # Tasks and modes left out are recorded as such, never silently dropped.
    assert metrics["metrics"]["rooms_mobilenetv2_finetune_val_acc"]["value"] is None
    assert metrics["metrics"]["rooms_resnet50_frozen_val_acc"]["note"] == "not run in this profile"


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_classify_uses_the_saved_room_model(run: Path, monkeypatch: pytest.MonkeyPatch):
    from helpers import datasets
    from helpers.studies.rahlen2019 import predict

    monkeypatch.setenv("LOOKALIKE_CACHE", str(run / "cache"))
    houses = datasets.load("houses")
    kitchens = [item for item, label in zip(houses.items, houses.labels, strict=True)
                if houses.class_names[label] == "kitchen"][:20]
    answers = [predict.classify(path)["rooms"] for path in kitchens]
    assert all(0.0 < prob <= 1.0 for _, prob in answers)
    # Most of 20 kitchens (training and validation alike) must come out as kitchens.
    assert sum(label == "kitchen" for label, _ in answers) >= 16
