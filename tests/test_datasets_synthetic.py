"""Synthetic stand-ins: right shapes, deterministic, fast, loud, and learnable (not noise)."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import datasets  # noqa: E402
from helpers.datasets import synthetic  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    from helpers import config

    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "nothing_here"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "data_dir", lambda: tmp_path / "data")


def _features(x: np.ndarray) -> np.ndarray:
    """Colour statistics + phase-free texture spectrum: what any image model can pick up."""
    x = x.astype(np.float32) / 255.0
    spectrum = np.abs(np.fft.fft2(x.mean(-1)))[:, :12, :12].reshape(len(x), -1)
    return np.concatenate([x.mean((1, 2)), x.std((1, 2)), np.log1p(spectrum)], axis=1)


@pytest.mark.parametrize("name", ["places6", "flowers", "houses", "attributes"])
def test_classes_are_learnable_across_seeds(name):
    from sklearn.linear_model import LogisticRegression

    train = datasets.load(name, synthetic=True, seed=0, max_per_class=20)
    test = datasets.load(name, synthetic=True, seed=1, max_per_class=20)
    clf = LogisticRegression(max_iter=3000).fit(_features(train.images(48, progress=False)),
                                               train.labels)
    accuracy = (clf.predict(_features(test.images(48, progress=False))) == test.labels).mean()
    chance = 1 / len(train.class_names)
    assert accuracy > chance + 0.4, (name, accuracy)


def test_shapes_match_the_real_sets():
    places = datasets.load("places6", synthetic=True, max_per_class=8)
    assert places.class_names == synthetic.PLACES6 and places.split_names == ("eval", "train")
    assert places.counts().loc["kitchen", "train"] == 6
    flowers = datasets.load("flowers", synthetic=True)
    assert flowers.split_names == ("test", "train", "val")
    houses = datasets.load("houses", synthetic=True, max_per_class=5)
    assert isinstance(houses, datasets.HousesSet) and len(houses) == 20
    assert houses.metadata["house_id"].tolist() == [1, 2, 3, 4, 5]
    assert set(houses.house_ids.tolist()) == {1, 2, 3, 4, 5}
    assert len(houses.indoor_vs_exterior().class_names) == 2
    ukb = datasets.load("ukbench", synthetic=True, max_per_class=3)
    assert ukb.labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert isinstance(datasets.load("tll", synthetic=True), datasets.PairSet)


def test_deterministic_per_seed_and_any_size():
    a = datasets.read_image("synthetic:places6/5/17", 40)
    assert (a == datasets.read_image("synthetic:places6/5/17", 40)).all()
    assert not (a == datasets.read_image("synthetic:places6/6/17", 40)).all()
    assert datasets.read_image("synthetic:tll-right/0/3", (30, 50)).shape == (30, 50, 3)
    with pytest.raises(ValueError, match="unknown synthetic kind"):
        datasets.read_image("synthetic:cats/0/1", 8)


def test_pairs_and_views_are_recognisable():
    """The true right image / other views are nearer than others by plain pixels."""
    pairs = datasets.load("tll", synthetic=True, max_per_class=40)
    left = pairs.left_images(32, progress=False).reshape(40, -1).astype(np.float32)
    right = pairs.right_images(32, progress=False).astype(np.float32)
    right = np.maximum(right, right[:, :, ::-1]).reshape(40, -1)  # undo the random flip
    left = np.maximum(left.reshape(40, 32, 32, 3), left.reshape(40, 32, 32, 3)[:, :, ::-1])
    left = left.reshape(40, -1)
    dist = ((left[:, None] - right[None]) ** 2).sum(-1)
    assert (dist.argmin(1) == np.arange(40)).mean() > 0.5  # chance is 1/40


def test_smoke_load_is_loud(caplog):
    # Its speed is measured by benchmarks/notebook_times.py, not asserted here.
    with caplog.at_level(logging.WARNING, logger="helpers.datasets"):
        images = datasets.load("places6", synthetic=True, max_per_class=25)
        x = images.images(64, progress=False)
    assert x.shape == (150, 64, 64, 3)
    assert images.source.origin == "synthetic" and images.source.notice.startswith("WARNING:")
    assert any("SYNTHETIC" in r.getMessage() for r in caplog.records)


def test_unresolvable_name_falls_back_loudly():
    images = datasets.load("places6", download=False)
    assert images.source.origin == "synthetic"
    assert "downloads disabled" in images.source.notice
    attrs = datasets.load("attributes")
    assert attrs.source.notice.startswith("WARNING:") and attrs.class_names == ("absent", "present")


def test_pydataset_batches_labels_shuffle_and_augment():
    images = datasets.load("places6", synthetic=True, max_per_class=5)
    ds = images.pydataset(size=32, batch_size=8, shuffle=True, seed=1, augment="crop_flip",
                          preprocess=lambda x: x / 127.5 - 1.0)
    assert len(ds) == 4
    x, y = ds[0]
    assert x.shape == (8, 32, 32, 3) and x.dtype == np.float32 and -1 <= x.min() <= x.max() <= 1
    assert y.dtype == np.int64 and set(y.tolist()) <= set(range(6))
    ds2 = images.pydataset(size=32, batch_size=8, shuffle=True, seed=1, augment="crop_flip",
                           preprocess=lambda x: x / 127.5 - 1.0)
    assert np.array_equal(ds2[0][0], x)  # same seed, same batch, same augmentation
    ds.on_epoch_end()
    assert not np.array_equal(ds[0][1], y) or not np.array_equal(ds[0][0], x)
    last = images.pydataset(size=16, batch_size=8, with_labels=False)[3]
    assert len(last) == 1 and last[0].shape == (6, 16, 16, 3)  # 30 images: 8+8+8+6
