"""The shared data sets: counts pinned from their README, and loading speed (needs the data)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import config, datasets  # noqa: E402
from helpers.datasets.__main__ import main  # noqa: E402

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not os.environ.get("LOOKALIKE_DATA"),
        reason="LOOKALIKE_DATA is not set: the shared data sets are not available",
    ),
]

PLACES6 = ("bathroom", "bedroom", "dining_room", "entrance_hall", "kitchen", "living_room")
FLOWERS = ("daisy", "dandelion", "rose", "sunflower", "tulip")


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))


def _local(name: str) -> None:
    root = config.user_data_root()
    if root is None or not (root / name).is_dir():
        pytest.skip(f"$LOOKALIKE_DATA has no {name}/")


def test_places6_counts_as_in_the_readme():
    _local("places6")
    places = datasets.load("places6")
    assert places.source.origin == "LOOKALIKE_DATA"
    assert places.class_names == PLACES6 and places.skipped.n_skipped == 0
    table = places.counts()
    for cls in PLACES6:  # "300 train + 100 eval each"
        assert (table.loc[cls, "train"], table.loc[cls, "eval"]) == (300, 100)
    assert len(places) == 2400


def test_flowers_houses_tll_ukbench_counts_as_in_the_readme():
    _local("flowers")
    flowers = datasets.load("flowers")
    assert flowers.class_names == FLOWERS
    table = flowers.counts()
    for cls in FLOWERS:
        assert (table.loc[cls, "train"], table.loc[cls, "val"], table.loc[cls, "test"]) == (120, 30, 40)
    houses = datasets.load("houses")  # "400 houses x 4 photos"
    assert len(houses) == 1600 and len(set(houses.house_ids.tolist())) == 400
    assert np.bincount(houses.labels).tolist() == [400] * 4 and len(houses.metadata) == 400
    assert houses.skipped.n_skipped == 0  # HousesInfo.txt is not counted as a stray file
    tll = datasets.load("tll")  # "1500 pairs", paired by pairs.csv
    assert isinstance(tll, datasets.PairSet) and len(tll) == 1500 and tll.skipped.n_skipped == 0
    ukbench = datasets.load("ukbench")  # "14 objects x 4 views"
    assert len(ukbench) == 56 and np.bincount(ukbench.labels).tolist() == [4] * 14


def test_tll_pixels_and_candidates():
    _local("tll")
    tll = datasets.load("tll", max_per_class=30)
    left = tll.left_images(64, progress=False)
    assert left.shape == (30, 64, 64, 3) and left.std() > 10
    cands, true_col = tll.candidates(20, seed=0)
    assert (cands[np.arange(30), true_col] == np.arange(30)).all()


def test_places6_split_is_stable_between_runs():
    _local("places6")
    first = datasets.split(datasets.load("places6"), seed=0)
    second = datasets.split(datasets.load("places6"), seed=0)
    assert first.splits.tolist() == second.splits.tolist()
    assert first.counts().loc["kitchen", "train"] == 240  # 60 % of 400


def test_cli_info_runs(capsys):
    _local("ukbench")
    assert main(["info", "ukbench"]) == 0
    out = capsys.readouterr().out
    assert "data: ukbench from" in out and "object_00013" in out


@pytest.mark.slow
def test_all_of_places6_at_224():
    # Speed is a benchmark's business (benchmarks/notebook_times.py), not an assertion's.
    _local("places6")
    places = datasets.load("places6")
    x = places.images(224, progress=False)
    assert x.shape == (2400, 224, 224, 3) and x.dtype == np.uint8
    assert x[::40].std() > 20  # real photographs, not grey replacements (a sample: std of all
    # 361 M values would take longer than the load)
