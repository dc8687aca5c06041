"""Real-data regression of notebook 04 (the query/gallery challenge) in a reduced standard profile.

Runs the notebook on flowers with MobileNetV2's ImageNet weights, fewer epochs, smaller
from-scratch models and ORB as the only keypoint method, then checks the recorded numbers
against floors measured once and the submission files against the challenge's rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, requires_real_data, run_notebook_on_real_data

NOTEBOOK = REPO / "notebooks" / "04_query_gallery_challenge.ipynb"
STEM = "04_query_gallery_challenge"
SEED = 42

# Reduced standard profile: same data, same query/gallery split (8 queries per class), same
# MobileNetV2 pretrained features; shorter training and cheaper from-scratch models.
REDUCED = {
    "PROFILE": "standard",
    "BACKBONES": ["mobilenetv2"],
    "EPOCHS": 10,
    "AUTOENCODER_EPOCHS": 2,
    "CNN_EPOCHS": 2,
    "AE_IMAGE_SIZE": 48,
    "CNN_IMAGE_SIZE": 64,
    "LOCAL_FEATURES": ["orb"],
    "MAX_KEYPOINTS": 200,
    "QUERIES_PER_CLASS": 8,
    # Holidays' 808 x 807 pairs take minutes (make reproduce runs them); UKBench's 56 photos
    # exercise the same every-photo-a-query code here.
    "INSTANCE_DATASET": "ukbench",
    "SEEDS": 1,  # the standard profile's 3 seeds per trainer run in make reproduce, not here
    "SEED": SEED,
}

# Floors, measured once with exactly this reduced profile (flowers from /work/shared/datasets,
# MobileNetV2 weights from /work/shared/weights, seed 42, 40 queries, 160 gallery images).
# frozen_*: plain frozen pooling, cosine ranking (measured 2026-11-22; deterministic features).
# pretrained_*: the report's method, the dense + softmax model fitted on those features with
# flips, its normalised outputs ranked (measured 2026-12-02, one seed). One query is 0.025 of
# top-1 and each floor sits four or more queries below its measurement.
MEASURED = {"frozen_top1": 0.700, "frozen_top3": 0.900, "frozen_top10": 1.000,
            "pretrained_top1": 0.775, "pretrained_top3": 0.800}
FLOORS = {"frozen_top1": 0.60, "frozen_top3": 0.80, "frozen_top10": 0.90,
          "pretrained_top1": 0.675, "pretrained_top3": 0.70}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Execute the notebook once for all checks; returns the reports folder it wrote."""
    tmp = tmp_path_factory.mktemp("nb04")
    run_notebook_on_real_data(NOTEBOOK, REDUCED, tmp)
    return tmp / "reports"


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_pretrained_features_beat_the_floors(run: Path):
    metrics = json.loads((run / "metrics" / f"{STEM}.json").read_text())
    assert metrics["profile"] == "standard"
    assert metrics["data"]["origin"] == "LOOKALIKE_DATA"
    values = metrics["metrics"]
    for name, floor in FLOORS.items():
        assert values[name]["value"] >= floor, (
            f"{name} = {values[name]['value']} < floor {floor} (measured {MEASURED[name]})")
    # The reference is the report's method with real weights, never a random-init control.
    assert "RANDOM" not in values["frozen_top1"]["note"]
    assert "softmax output (the report's)" in values["pretrained_top1"]["note"]


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_every_top_k_carries_its_queries_hits_and_the_claims_their_rows(run: Path):
    """Issue 17: each top-k a claim rests on is recorded with each query's hit (so with its
    interval), chance beside it, and every metric a claim names is recorded."""
    from helpers import verdicts

    metrics = json.loads((run / "metrics" / f"{STEM}.json").read_text())
    values = metrics["metrics"]
    for name in ("pretrained", "pretrained_noaug", "siamese", "cae", "small_cnn", "orb", "chance"):
        entry = values[f"{name}_top1"]
        assert entry["n_items"] == 40 and "interval" in entry, name
        assert entry["context"]["items"] == "flowers queries", name
    assert abs(values["chance_top1"]["value"] - 0.2) < 0.2
    for claim in verdicts.study("04").CLAIMS:
        needed = {name for name in set(claim.metrics + claim.baselines)
                  if not name.startswith("holidays_")} - {"surf_top1", "surf_faster_than_sift"}
        assert needed <= set(values), (claim.statement, needed - set(values))


@pytest.mark.slow
@pytest.mark.realdata
@requires_real_data
def test_submissions_rank_every_gallery_file_for_every_query(run: Path, monkeypatch):
    from helpers.studies.fetz2021 import challenge

    monkeypatch.setenv("LOOKALIKE_CACHE", str(run.parent / "cache"))
    ch = challenge.load("flowers", seed=SEED, queries_per_class=8)
    queries, gallery = challenge.file_names(ch.query), challenge.file_names(ch.gallery)
    assert (len(queries), len(gallery)) == (40, 160)
    for name in ("submission", "submission_pretrained"):
        sub = json.loads((run / "submissions" / STEM / f"{name}.json").read_text())
        assert sorted(sub) == sorted(queries)
        for ranking in sub.values():
            assert len(ranking) == len(set(ranking)) == len(gallery)
            assert set(ranking) == set(gallery)
