"""Unit tests of notebook 04's page (helpers.studies.fetz2021.saved, generated from its `#@save`
cells): the dense+softmax descriptor, the Siamese network and its contrastive loss, the
convolutional autoencoder with Gaussian noise, the VAE, the small CNN, and keypoint matching
with Lowe's ratio test."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers import local_features as lf  # noqa: E402
from helpers.studies.fetz2021 import pairs  # noqa: E402
from helpers.studies.fetz2021 import saved as page  # noqa: E402


def blobs(n: int = 48, size: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images in [0, 1] of two kinds: a bright square top-left or bottom-right, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 0.2, size=(n, size, size, 3)).astype("float32")
    labels = np.arange(n) % 2
    half = size // 2
    x[labels == 0, :half, :half] += 0.7
    x[labels == 1, half:, half:] += 0.7
    return np.clip(x, 0, 1), labels


# ------------------------------------------------------------------- dense + softmax head
def test_feature_classifier_learns_and_cuts_at_its_hidden_layer():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    x = (rng.normal(size=(60, 8)) + 3 * np.eye(3, 8)[y]).astype("float32")
    model = page.feature_classifier(8, 3, hidden=(16,), dropout=0.0)
    run = page.train_classifier(model, x, y, (x, y), page.CLASSIFIER_RECIPE.replace(
        epochs=12, learning_rate=1e-2, patience=12))
    assert max(run.history["val_accuracy"]) > 0.9
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)  # the 3-class posterior
    assert page.cut_at_features(model).predict(x, verbose=0).shape == (60, 16)


# ---------------------------------------------------------------------- Siamese network
def hadsell_numpy(y: np.ndarray, d: np.ndarray, margin: float) -> np.ndarray:
    """Reference: Hadsell, Chopra, LeCun 2006, eq. 4 with Y=0 similar, Y=1 dissimilar."""
    return (1 - y) * 0.5 * d**2 + y * 0.5 * np.maximum(0.0, margin - d) ** 2


def loss_values(y, d, margin=1.0) -> np.ndarray:
    return keras.ops.convert_to_numpy(
        page.contrastive_loss(np.asarray(y, "float32"), np.asarray(d, "float32"), margin))


def test_contrastive_loss_follows_hadsell():
    assert loss_values([pairs.SIMILAR], [0.0]) == pytest.approx([0.0])
    np.testing.assert_allclose(loss_values([pairs.DISSIMILAR] * 3, [1.0, 1.5, 7.0]), 0.0)
    assert loss_values([pairs.SIMILAR], [0.8]) == pytest.approx([0.5 * 0.8**2])
    assert loss_values([pairs.DISSIMILAR], [0.0], margin=2.0) == pytest.approx([2.0])
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=(200, 1)).astype("float32")  # (B, 1), as the model outputs
    d = rng.uniform(0, 3, size=(200, 1)).astype("float32")
    for margin in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(loss_values(y, d, margin), hadsell_numpy(y, d, margin).ravel(),
                                   rtol=1e-5)


def test_siamese_distance_is_euclidean_with_a_finite_gradient_at_zero():
    import tensorflow as tf

    head = page.embedding_head(4, hidden=(8,), embedding_dim=3, sigmoid=False)
    model = page.siamese_network(head)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    e = head.predict(x, verbose=0)
    d = model.predict([x, x[::-1]], verbose=0)[:, 0]
    np.testing.assert_allclose(d, np.linalg.norm(e - e[::-1], axis=1), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, rtol=1e-5)  # ours: unit vectors
    same = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(same)
        out = tf.reduce_sum(model([same, same]))
    assert np.all(np.isfinite(tape.gradient(out, same).numpy()))
    sigmoid = page.embedding_head(4, hidden=(8,), embedding_dim=3, sigmoid=True)
    out = sigmoid.predict(x, verbose=0)
    assert np.all((out > 0) & (out < 1))  # the report's sigmoid last layer


def test_siamese_training_pulls_similar_pairs_together():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 30)
    centres = rng.normal(size=(4, 16)) * 1.5
    feats = (centres[labels] + rng.normal(size=(120, 16))).astype("float32")
    flipped = (feats + 0.05 * rng.normal(size=feats.shape)).astype("float32")
    cached = page_cached(feats, flipped, labels)
    embeds, (head, run) = page.siamese_fit(cached, False, 8, 32)(0)
    embed = next(iter(embeds.values()))
    assert {"loss", "val_loss", "learning_rate"} <= set(run.history)
    assert min(run.history["val_loss"]) < run.history["val_loss"][0]
    e = head.predict(feats, verbose=0)
    same = labels[:, None] == labels[None, :]
    d = np.linalg.norm(e[:, None] - e[None], axis=-1)
    assert d[~same].mean() - d[same & ~np.eye(len(e), dtype=bool)].mean() > 0.5
    assert embed(feats).shape == (120, 128)


def page_cached(feats: np.ndarray, flipped: np.ndarray, labels: np.ndarray):
    from helpers.studies.fetz2021.trainers import Cached

    return Cached(feats, flipped, feats, labels, labels)


# ----------------------------------------------------------------------- autoencoders
def test_conv_autoencoder_shapes_and_noise_only_in_training():
    autoencoder, encoder = page.conv_autoencoder(32, filters=(8, 16), noise_stddev=0.5,
                                                 latent_dim=12, seed=0)
    assert sum(isinstance(layer, keras.layers.GaussianNoise) for layer in encoder.layers) == 2
    x, _ = blobs(4, 32)
    code = encoder.predict(x, verbose=0)
    assert code.shape == (4, 12) and autoencoder.predict(x, verbose=0).shape == (4, 32, 32, 3)
    np.testing.assert_allclose(encoder.predict(x, verbose=0), code)
    noisy = keras.ops.convert_to_numpy(encoder(x, training=True))
    assert not np.allclose(noisy, code)


def test_conv_autoencoder_learns_to_reconstruct():
    x, _ = blobs(64, 16)
    settings = _CaeSettings(16, filters=(8,), noise_stddev=0.05, learning_rate=3e-3,
                            latent_dim=16, epochs=25, batch_size=16)
    embeds, (autoencoder, encoder, run) = page.cae_fit(x, x, settings)(0)
    loss = run.history["loss"]
    assert loss[-1] < 0.5 * loss[0]
    baseline = float(np.mean((x - x.mean(axis=0)) ** 2))  # predicting the mean image
    assert float(np.mean((autoencoder.predict(x, verbose=0) - x) ** 2)) < baseline
    assert next(iter(embeds.values()))(x).shape == (64, 16)


def _CaeSettings(*args, **kwargs):  # noqa: N802 (a dataclass, named as the study names it)
    from helpers.studies.fetz2021.trainers import CaeSettings

    return CaeSettings(*args, **kwargs)


def test_sampling_is_reparameterised_and_seeded():
    mean = np.full((2000, 2), 3.0, "float32")
    log_var = np.full((2000, 2), np.log(4.0), "float32")
    z = keras.ops.convert_to_numpy(page.Sampling(seed=1)((mean, log_var)))
    assert abs(z.mean() - 3.0) < 0.15 and abs(z.std() - 2.0) < 0.15
    again = keras.ops.convert_to_numpy(page.Sampling(seed=1)((mean, log_var)))
    np.testing.assert_allclose(z, again)


def test_vae_loss_is_summed_cross_entropy_plus_the_closed_form_kl():
    vae = page.VAE(16, latent_dim=2, seed=0)
    x = np.array(blobs(2, 16)[0])
    recon = np.clip(x * 0.8 + 0.1, 1e-7, 1 - 1e-7).astype("float32")
    mean = np.array([[1.0, -2.0], [0.0, 0.0]], "float32")
    log_var = np.array([[0.5, -1.0], [0.0, 0.0]], "float32")
    got = float(keras.ops.convert_to_numpy(vae.compute_loss(
        x=x, y_pred={"reconstruction": recon, "z_mean": mean, "z_log_var": log_var})))
    bce = -(x * np.log(recon) + (1 - x) * np.log(1 - recon)).sum(axis=(1, 2, 3))
    kl = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, axis=-1)
    assert kl[1] == 0  # the prior itself costs nothing
    assert got == pytest.approx(float(np.mean(bce + kl)), rel=1e-5)


def test_vae_trains_deterministic_in_inference_and_its_means_separate_the_kinds():
    keras.utils.set_random_seed(0)
    x, labels = blobs(64, 16)
    vae = page.VAE(16, latent_dim=4, seed=0)
    run = page.train_vae(vae, x, x[:16], page.VAE_RECIPE.replace(
        epochs=15, batch_size=16, learning_rate=3e-3, patience=15))
    assert not vae.losses  # the loss lives in compute_loss, nothing was added symbolically
    assert run.history["loss"][-1] < run.history["loss"][0]
    out = vae.predict(x, verbose=0)
    assert out["reconstruction"].shape == x.shape
    np.testing.assert_allclose(vae.predict(x, verbose=0)["z_mean"], out["z_mean"])
    z = out["z_mean"]
    centre = [z[labels == k].mean(axis=0) for k in (0, 1)]
    nearer = np.linalg.norm(z - centre[0], axis=1) < np.linalg.norm(z - centre[1], axis=1)
    assert (nearer == (labels == 0)).mean() > 0.9


# --------------------------------------------------------------------------- small CNN
def test_small_cnn_parameter_count_matches_the_reports_summary():
    # Figure 3 of the report: 224 px, 22 classes, 51,427,382 parameters.
    model = page.small_cnn(224, 22)
    assert model.count_params() == 51_427_382
    assert page.cut_at_features(model).output.shape[-1] == 1024


# ------------------------------------------------------------------ keypoint matching
def _reference_counts(query: lf.Features, gallery: list[lf.Features], norm: int) -> np.ndarray:
    """OpenCV's brute-force 2-NN and the ratio test, one gallery image at a time."""
    return np.array([len(lf.match(query.descriptors, item.descriptors, "bf", 0.75, norm,
                                  query.laplacian, item.laplacian)) for item in gallery])


def _random_features(rng, n: int, binary: bool, signs: bool) -> lf.Features:
    if binary:
        descriptors = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    else:
        descriptors = rng.normal(size=(n, 64)).astype("float32")
    keypoints = [cv2.KeyPoint(float(i), float(i), 3.0) for i in range(n)]
    laplacian = rng.choice(np.array([-1, 1], np.int8), n) if signs else None
    return lf.Features(keypoints, descriptors if n else None, laplacian)


@pytest.mark.parametrize(("binary", "signs", "norm"), [(False, False, cv2.NORM_L2),
                                                       (False, True, cv2.NORM_L2),
                                                       (True, False, cv2.NORM_HAMMING)])
def test_ratio_test_counts_what_opencvs_brute_force_matcher_counts(binary, signs, norm):
    rng = np.random.default_rng(1)
    gallery = [_random_features(rng, n, binary, signs) for n in (30, 0, 1, 2, 45, 12)]
    # A query sharing part of gallery image 4 (near-copies), the rest random.
    query = _random_features(rng, 20, binary, signs)
    query.descriptors[:10] = gallery[4].descriptors[:10]
    if signs:
        query.laplacian[:10] = gallery[4].laplacian[:10]
    stacked = lf.stack(gallery, norm)
    good, nearest = page.ratio_test(lf.as_query(query, stacked), stacked)
    assert good.shape == nearest.shape == (20, len(gallery))
    np.testing.assert_array_equal(good.sum(axis=0), _reference_counts(query, gallery, norm))
    assert good.sum(axis=0).argmax() == 4 and good.sum(axis=0)[4] >= 10
    assert not good[:, 1].any() and not good[:, 2].any()  # no keypoint or no second nearest
    np.testing.assert_array_equal(nearest[:10, 4][good[:10, 4]], np.arange(10)[good[:10, 4]])


def test_ratio_test_of_a_query_without_keypoints_finds_nothing():
    rng = np.random.default_rng(2)
    for width, norm, binary in ((64, cv2.NORM_L2, False), (256, cv2.NORM_HAMMING, True)):
        stacked = lf.stack([_random_features(rng, 5, binary, False)], norm)
        good, _ = page.ratio_test(lf.as_query(lf.Features([], None), stacked), stacked)
        assert good.shape == (0, 1) and stacked.vectors.shape[-1] == width
