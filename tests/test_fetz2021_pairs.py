"""Unit tests of helpers.studies.fetz2021.pairs: seeded Siamese pairs and their batches."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from helpers.studies.fetz2021 import pairs as siamese  # noqa: E402


def test_label_constants_follow_hadsell():
    assert siamese.SIMILAR == 0 and siamese.DISSIMILAR == 1


# ------------------------------------------------------------------------------ pairs
def test_pairs_follow_the_label_convention_and_never_pair_an_item_with_itself():
    labels = np.repeat(np.array(["a", "b", "c", "d"]), 5)
    pairs = siamese.make_pairs(labels, 400, seed=1)
    same = labels[pairs.first] == labels[pairs.second]
    assert np.all(same[pairs.y == siamese.SIMILAR])
    assert not np.any(same[pairs.y == siamese.DISSIMILAR])
    assert not np.any(pairs.first == pairs.second)
    assert pairs.positive_fraction == pytest.approx(0.5)
    # Anchors cycle through the items: each is the anchor of exactly 400 / 20 pairs.
    assert np.all(np.bincount(pairs.first, minlength=20) == 20)


def test_pairs_are_deterministic_per_seed():
    labels = np.arange(30) % 3
    a, b = siamese.make_pairs(labels, seed=5), siamese.make_pairs(labels, seed=5)
    c = siamese.make_pairs(labels, seed=6)
    assert len(a) == 60
    np.testing.assert_array_equal(a.second, b.second)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.second, c.second)


def test_singleton_classes_are_counted_not_paired_with_themselves():
    labels = np.array([0, 1, 1, 2, 2, 2])
    pairs = siamese.make_pairs(labels, 600, positive_fraction=1.0, seed=0)
    anchored_on_singleton = pairs.first == 0
    assert pairs.skipped_positives == anchored_on_singleton.sum() > 0
    assert np.all(pairs.y[anchored_on_singleton] == siamese.DISSIMILAR)
    assert np.all(pairs.y[~anchored_on_singleton] == siamese.SIMILAR)


@pytest.mark.parametrize(
    ("labels", "kwargs", "message"),
    [
        ([1, 1, 1], {}, "no negative"),
        ([1], {}, "at least 2"),
        ([0, 1], {"positive_fraction": 1.5}, "positive_fraction"),
        ([0, 1], {"n_pairs": 0}, "n_pairs"),
    ],
)
def test_bad_pair_requests_fail_clearly(labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        siamese.make_pairs(labels, **kwargs)


def test_pair_dataset_batches_views_and_resamples():
    labels = np.repeat([0, 1, 2], 4)
    original = np.arange(12, dtype="float32")[:, None] * np.ones((1, 3), "float32")
    flipped = -original
    data = siamese.PairDataset([original, flipped], labels, n_pairs=50, batch_size=16, seed=2)
    assert len(data) == 4
    (first, second), y = data[3]
    assert first.shape == (2, 3) and second.shape == (2, 3) and y.shape == (2,)
    firsts = np.concatenate([data[i][0][0] for i in range(len(data))])
    # Both views appear, and every row is some item's original or flipped copy.
    assert (firsts[:, 0] < 0).any() and (firsts[:, 0] > 0).any()
    np.testing.assert_array_equal(np.abs(firsts[:, 0]), data.pairs.first)
    before = data.pairs.second.copy()
    data.on_epoch_end()
    assert not np.array_equal(before, data.pairs.second)
    fixed = siamese.PairDataset(original, labels, n_pairs=50, resample=False, seed=2)
    kept = fixed.pairs.second.copy()
    fixed.on_epoch_end()
    np.testing.assert_array_equal(kept, fixed.pairs.second)


def test_pair_dataset_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="labels"):
        siamese.PairDataset(np.zeros((5, 2)), [0, 1, 0])
    with pytest.raises(ValueError, match="same shape"):
        siamese.PairDataset([np.zeros((5, 2)), np.zeros((5, 3))], [0, 1, 0, 1, 0])
