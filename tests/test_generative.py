"""Unit tests of helpers.autoencoders.generative: the noisy convolutional autoencoder and the Keras 3 VAE."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers.autoencoders import generative  # noqa: E402


def blobs(n: int = 48, size: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images in [0, 1] of two kinds: a bright square top-left or bottom-right, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 0.2, size=(n, size, size, 3)).astype("float32")
    labels = np.arange(n) % 2
    half = size // 2
    x[labels == 0, :half, :half] += 0.7
    x[labels == 1, half:, half:] += 0.7
    return np.clip(x, 0, 1), labels


def test_to_unit_scales_and_validates():
    x = generative.to_unit(np.full((2, 4, 4, 3), 255, np.uint8))
    assert x.dtype == np.float32 and np.all(x == 1.0)
    with pytest.raises(ValueError, match="N, H, W, 3"):
        generative.to_unit(np.zeros((4, 4, 3)))


# ---------------------------------------------------------------------------------- CAE
def test_conv_autoencoder_shapes_and_report_layers():
    cae = generative.build_conv_autoencoder(32, filters=(8, 16), latent_dim=12, seed=0)
    names = [layer.name for layer in cae.encoder.layers]
    assert sum(n.startswith("noise") for n in names) == 2
    assert sum(n.startswith("pool") for n in names) == 2
    x, _ = blobs(4, 32)
    assert cae.features(x).shape == (4, 12)
    assert cae.reconstruct(x).shape == (4, 32, 32, 3)


def test_conv_autoencoder_noise_is_off_at_inference():
    cae = generative.build_conv_autoencoder(16, filters=(4,), latent_dim=6, noise_stddev=0.5)
    x, _ = blobs(3, 16)
    np.testing.assert_allclose(cae.features(x), cae.features(x))
    noisy = keras.ops.convert_to_numpy(cae.encoder(x, training=True))
    assert not np.allclose(noisy, cae.features(x))


def test_softmax_output_reproduces_the_reports_constraint():
    cae = generative.build_conv_autoencoder(16, filters=(4,), latent_dim=6,
                                            output_activation="softmax")
    out = cae.reconstruct(blobs(2, 16)[0])
    # Softmax over the colour channels: every pixel's R + G + B is exactly 1.
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)


def test_conv_autoencoder_rejects_sizes_it_cannot_reconstruct():
    with pytest.raises(ValueError, match="divisible by 16"):
        generative.build_conv_autoencoder(40, filters=(8, 16))


def test_conv_autoencoder_learns_to_reconstruct():
    keras.utils.set_random_seed(0)
    x, _ = blobs(64, 16)
    cae = generative.build_conv_autoencoder(16, filters=(8,), latent_dim=16, noise_stddev=0.05)
    history = generative.train_autoencoder(cae, x, recipe=generative.CAE_RECIPE.replace(
        epochs=25, batch_size=16, learning_rate=3e-3, patience=25))
    loss = history.history["loss"]
    assert loss[-1] < 0.5 * loss[0]
    baseline = float(np.mean((x - x.mean(axis=0)) ** 2))  # predicting the mean image
    assert float(np.mean((cae.reconstruct(x) - x) ** 2)) < baseline


# ---------------------------------------------------------------------------------- VAE
def test_kl_is_zero_for_the_prior_and_matches_closed_form():
    zeros = np.zeros((2, 3), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(generative.kl_divergence(zeros, zeros)), 0)
    mean = np.array([[1.0, -2.0]], "float32")
    log_var = np.array([[0.5, -1.0]], "float32")
    expected = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1 - log_var, axis=-1)
    got = keras.ops.convert_to_numpy(generative.kl_divergence(mean, log_var))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_reconstruction_loss_is_summed_binary_cross_entropy():
    target = np.array([[[[1.0, 0.0, 0.5]]]], "float32")
    recon = np.array([[[[0.9, 0.2, 0.5]]]], "float32")
    expected = -(np.log(0.9) + np.log(0.8) + 2 * 0.5 * np.log(0.5))
    got = keras.ops.convert_to_numpy(generative.reconstruction_loss(target, recon))
    np.testing.assert_allclose(got, [expected], rtol=1e-5)


def test_sampling_is_reparameterised_and_seeded():
    mean = np.full((2000, 2), 3.0, "float32")
    log_var = np.full((2000, 2), np.log(4.0), "float32")
    z = keras.ops.convert_to_numpy(generative.Sampling(seed=1)((mean, log_var)))
    assert abs(z.mean() - 3.0) < 0.15 and abs(z.std() - 2.0) < 0.15
    again = keras.ops.convert_to_numpy(generative.Sampling(seed=1)((mean, log_var)))
    np.testing.assert_allclose(z, again)


def test_vae_outputs_and_deterministic_inference():
    vae = generative.VAE(16, latent_dim=4, filters=(4, 8), strides=(2, 2), dense_units=8, seed=0)
    x, _ = blobs(5, 16)
    out = vae(x)
    assert set(out) == {"reconstruction", "z_mean", "z_log_var"}
    assert tuple(out["reconstruction"].shape) == (5, 16, 16, 3)
    np.testing.assert_allclose(vae.encode(x), vae.encode(x))
    assert vae.encode(x).shape == (5, 4)
    clone = generative.VAE.from_config(vae.get_config())
    assert clone.latent_dim == 4 and clone.strides == (2, 2)
    with pytest.raises(ValueError, match="divisible"):
        generative.VAE(20, strides=(2, 2, 2, 1))


def test_vae_predicts_before_any_call_or_fit():
    vae = generative.VAE(16, latent_dim=3, filters=(4, 8), strides=(2, 2), dense_units=8)
    x, _ = blobs(2, 16)
    assert vae.encode(x).shape == (2, 3)  # built from the input shape, not by a first call
    assert vae.count_params() > 0


def test_vae_trains_without_add_loss_and_its_means_separate_the_kinds():
    keras.utils.set_random_seed(0)
    x, labels = blobs(64, 16)
    vae = generative.VAE(16, latent_dim=4, filters=(8, 8), strides=(2, 2), dense_units=16, seed=0)
    history = generative.train_vae(vae, x, validation=x[:16], recipe=generative.VAE_RECIPE.replace(
        epochs=15, batch_size=16, learning_rate=3e-3, patience=15))
    assert not vae.losses  # the loss lives in compute_loss, nothing was added symbolically
    h = history.history
    assert {"loss", "reconstruction", "kl", "val_loss"} <= set(h)
    assert h["loss"][-1] < h["loss"][0]
    z = vae.encode(x)
    centre = [z[labels == k].mean(axis=0) for k in (0, 1)]
    # Each image's latent mean lies nearer its own kind's centre than the other's.
    nearer = np.linalg.norm(z - centre[0], axis=1) < np.linalg.norm(z - centre[1], axis=1)
    assert np.mean(nearer == (labels == 0)) > 0.9
