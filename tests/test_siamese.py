"""Unit tests of helpers.metric_learning.siamese: pairs, the Hadsell contrastive loss, models, training."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers.metric_learning import siamese  # noqa: E402


def hadsell_numpy(y: np.ndarray, d: np.ndarray, margin: float) -> np.ndarray:
    """Reference: Hadsell, Chopra, LeCun 2006, eq. 4 with Y=0 similar, Y=1 dissimilar."""
    return (1 - y) * 0.5 * d**2 + y * 0.5 * np.maximum(0.0, margin - d) ** 2


def loss_values(y, d, margin=1.0) -> np.ndarray:
    return keras.ops.convert_to_numpy(
        siamese.contrastive_loss(np.asarray(y, "float32"), np.asarray(d, "float32"), margin)
    )


# ------------------------------------------------------------------------------- loss
def test_label_constants_follow_hadsell():
    assert siamese.SIMILAR == 0 and siamese.DISSIMILAR == 1


def test_similar_pair_at_distance_zero_has_zero_loss():
    assert loss_values([siamese.SIMILAR], [0.0]) == pytest.approx([0.0])


def test_dissimilar_pair_beyond_margin_has_zero_loss():
    values = loss_values([siamese.DISSIMILAR] * 3, [1.0, 1.5, 7.0], margin=1.0)
    np.testing.assert_allclose(values, 0.0)


def test_loss_penalises_the_wrong_cases():
    # A similar pair far apart and a dissimilar pair close together must both cost something.
    assert loss_values([siamese.SIMILAR], [0.8]) == pytest.approx([0.5 * 0.8**2])
    assert loss_values([siamese.DISSIMILAR], [0.0], margin=2.0) == pytest.approx([2.0])


def test_loss_matches_numpy_reference():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=200).astype("float32")
    d = rng.uniform(0, 3, size=200).astype("float32")
    for margin in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(loss_values(y, d, margin), hadsell_numpy(y, d, margin), rtol=1e-5)


def test_keras_loss_is_batch_mean_and_accepts_column_shapes():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=(16, 1)).astype("float32")
    d = rng.uniform(0, 2, size=(16, 1)).astype("float32")
    loss = siamese.ContrastiveLoss(margin=1.5)
    got = float(keras.ops.convert_to_numpy(loss(y, d)))
    assert got == pytest.approx(hadsell_numpy(y, d, 1.5).mean(), rel=1e-5)
    clone = siamese.ContrastiveLoss.from_config(loss.get_config())
    assert clone.margin == 1.5


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


# ----------------------------------------------------------------------------- models
def test_pair_distance_is_euclidean_with_a_finite_gradient_at_zero():
    a = np.array([[0.0, 0.0], [3.0, 4.0]], "float32")
    b = np.array([[0.0, 0.0], [0.0, 0.0]], "float32")
    d = keras.ops.convert_to_numpy(siamese.PairDistance()(a, b))
    np.testing.assert_allclose(d[:, 0], [np.sqrt(1e-9), 5.0], rtol=1e-5)
    import tensorflow as tf

    x = tf.Variable(a)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(siamese.PairDistance()(x, b))
    assert np.all(np.isfinite(tape.gradient(out, x).numpy()))


def test_embedding_head_shapes_and_normalisation():
    head = siamese.build_embedding_head(10, hidden=(8,), embedding_dim=4)
    out = head.predict(np.random.default_rng(0).normal(size=(6, 10)).astype("float32"), verbose=0)
    assert out.shape == (6, 4)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    sig = siamese.build_embedding_head(10, embedding_dim=3, final_activation="sigmoid",
                                       l2_normalize=False, batch_norm=False)
    out = sig.predict(np.ones((2, 10), "float32"), verbose=0)
    assert out.shape == (2, 3) and np.all((out > 0) & (out < 1))


def test_training_pulls_similar_pairs_together():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 30)
    centres = rng.normal(size=(4, 16)) * 1.5
    feats = (centres[labels] + rng.normal(size=(120, 16))).astype("float32")
    head = siamese.build_embedding_head(16, hidden=(32,), embedding_dim=8)
    model = siamese.build_siamese(head)
    assert model.output_shape == (None, 1)
    train = siamese.PairDataset(feats, labels, n_pairs=480, batch_size=32, seed=0)
    val = siamese.PairDataset(feats, labels, n_pairs=160, batch_size=32, seed=99, resample=False)
    pairs = val.pairs
    before = model.predict([feats[pairs.first], feats[pairs.second]], verbose=0)[:, 0]
    history = siamese.train(model, train, val, siamese.SIAMESE_RECIPE.replace(
        epochs=8, learning_rate=3e-3, patience=3))
    after = model.predict([feats[pairs.first], feats[pairs.second]], verbose=0)[:, 0]
    assert {"loss", "val_loss", "learning_rate"} <= set(history.history)
    sim, dis = pairs.y == siamese.SIMILAR, pairs.y == siamese.DISSIMILAR
    gap_before = before[dis].mean() - before[sim].mean()
    after_gap = after[dis].mean() - after[sim].mean()
    assert after_gap > gap_before and after_gap > 0.5
    assert min(history.history["val_loss"]) < history.history["val_loss"][0]
    emb = siamese.embed(head, feats)
    assert emb.shape == (120, 8)


def test_image_embedder_wraps_a_backbone_with_preprocessing():
    embedder, weights = siamese.build_image_embedder(
        "mobilenetv2", image_size=32, weights=None, head=None
    )
    assert "random" in str(weights.source).lower()
    out = siamese.embed(embedder, np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3)))
    assert out.shape == (2, 128)
    model = siamese.build_siamese(embedder)
    assert model.output_shape == (None, 1)
    # The backbone is frozen by default: only the head's weights train.
    head_weights = sum(int(np.prod(w.shape)) for w in embedder.layers[-1].trainable_weights)
    assert sum(int(np.prod(w.shape)) for w in embedder.trainable_weights) == head_weights
