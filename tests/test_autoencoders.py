"""Unit tests of helpers.autoencoders.dense (kept while notebook 02's tables import it; notebook
01's own autoencoders are its `#@save` cells, tested in test_ingwersen2020_model.py)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from helpers import autoencoders as ae


def low_rank_data(n: int = 240, dim: int = 24, rank: int = 3, seed: int = 0):
    """Non-negative features driven by ``rank`` latent factors, labelled by the dominant one."""
    rng = np.random.default_rng(seed)
    z = rng.gamma(1.0, 1.0, size=(n, rank)).astype(np.float32)
    basis = rng.uniform(0, 1, size=(rank, dim)).astype(np.float32)
    x = z @ basis + 0.01 * rng.standard_normal((n, dim)).astype(np.float32)
    return np.maximum(x, 0), z.argmax(axis=1)


# --------------------------------------------------------------------------- AESpec


def test_spec_kinds_names_and_code_dim() -> None:
    assert ae.AESpec(hidden=(512,)).kind == "shallow"
    assert ae.AESpec(hidden=(512,), noise=0.3).kind == "denoising"
    assert ae.AESpec(hidden=(2048, 1028)).kind == "deep"
    deep_noisy = ae.AESpec(hidden=(2048, 1028), noise=0.5)
    assert deep_noisy.kind == "deep denoising"
    assert deep_noisy.code_dim == 1028
    assert deep_noisy.name == "DDAE 2048-1028 noise 0.5"
    assert ae.AESpec(hidden=(640,)).layers(1280) == "1280, 640"
    assert ae.AESpec(hidden=[64], name="mine").name == "mine"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden": ()},
        {"hidden": (0,)},
        {"hidden": (8,), "noise": -0.1},
        {"hidden": (8,), "noise": float("nan")},
        {"hidden": (8,), "noise": 1.0, "noise_type": "mask"},
        {"hidden": (8,), "noise_type": "salt"},
    ],
)
def test_spec_rejects_bad_input(kwargs) -> None:
    with pytest.raises(ValueError):
        ae.AESpec(**kwargs)


# --------------------------------------------------------------------------- model


def test_build_mirrors_encoder_and_shares_weights() -> None:
    model, encoder = ae.build(32, ae.AESpec(hidden=(16, 4)))
    widths = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [16, 4, 16, 32]
    assert encoder.output_shape == (None, 4)
    # The encoder is a view of the autoencoder: the same variables, not a copy.
    assert encoder.get_layer("code") is model.get_layer("code")


def test_noise_only_while_training() -> None:
    x = np.random.default_rng(0).uniform(size=(64, 32)).astype(np.float32)
    for noise_type in ae.NOISE_TYPES:
        model, _ = ae.build(32, ae.AESpec(hidden=(8,), noise=0.5, noise_type=noise_type), seed=1)
        clean = model(x, training=False)
        np.testing.assert_allclose(clean, model(x, training=False))
        assert not np.allclose(clean, model(x, training=True))


def test_masking_noise_zeroes_a_fraction_and_keeps_the_rest() -> None:
    layer = ae.MaskingNoise(0.3, seed=3)
    x = np.ones((200, 50), np.float32)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(out)) <= {0.0, 1.0}  # no 1/(1-rate) rescaling, unlike Dropout
    assert abs((out == 0).mean() - 0.3) < 0.03
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)


def test_optimizers_and_the_keras_default_gap() -> None:
    lr = float(keras.ops.convert_to_numpy(ae.make_optimizer("adadelta").learning_rate))
    assert lr == pytest.approx(1.0)  # the report's (Keras 2) Adadelta
    keras_default = float(keras.ops.convert_to_numpy(keras.optimizers.Adadelta().learning_rate))
    assert keras_default == pytest.approx(1e-3)  # why DEFAULT_LEARNING_RATES exists
    adam = ae.make_optimizer("Adam", 5e-4)
    assert isinstance(adam, keras.optimizers.Adam)
    assert float(keras.ops.convert_to_numpy(adam.learning_rate)) == pytest.approx(5e-4)
    with pytest.raises(ValueError, match="optimizer"):
        ae.make_optimizer("rmsprop")


# --------------------------------------------------------------------------- scaling


def test_scaler_modes() -> None:
    x = np.array([[0.0, 2.0, 5.0], [4.0, 2.0, 1.0], [2.0, 2.0, 3.0]], np.float32)
    mm = ae.Scaler.fit(x, "minmax").transform(x)
    np.testing.assert_allclose(mm[:, 0], [0, 1, 0.5])
    np.testing.assert_allclose(mm[:, 1], 0)  # a constant dimension stays finite (0)
    np.testing.assert_allclose(ae.Scaler.fit(x, "max").transform(x), x / 5.0)
    np.testing.assert_allclose(ae.Scaler.fit(x, "none").transform(x), x)


def test_scaler_rejects_bad_input() -> None:
    scaler = ae.Scaler.fit(np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="expected 4 features"):
        scaler.transform(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        ae.Scaler.fit(np.array([[1.0, np.nan]], np.float32))
    with pytest.raises(ValueError, match="non-empty"):
        ae.Scaler.fit(np.ones((0, 4), np.float32))
    with pytest.raises(ValueError, match="scaling"):
        ae.Scaler.fit(np.ones((3, 4), np.float32), "zscore")


# --------------------------------------------------------------------------- training


def test_training_learns_a_low_rank_code_and_is_deterministic() -> None:
    x, _ = low_rank_data()
    kwargs = {"optimizer": "adam", "learning_rate": 2e-2, "epochs": 15, "batch_size": 64,
              "patience": 15, "seed": 7}
    model = ae.train(x, ae.AESpec(hidden=(3,), output_activation="linear"), ae.AE_RECIPE.replace(**kwargs))
    scaled = model.scaler.transform(x)
    variance = float(np.mean((scaled - scaled.mean(axis=0)) ** 2))
    # A rank-3 signal through a 3-wide bottleneck: far better than predicting the mean.
    assert model.reconstruction_mse(x) < 0.2 * variance
    assert model.encode(x).shape == (len(x), 3)
    again = ae.train(x, ae.AESpec(hidden=(3,), output_activation="linear"), ae.AE_RECIPE.replace(**kwargs))
    np.testing.assert_array_equal(model.encode(x), again.encode(x))


def test_early_stopping_and_history() -> None:
    x, _ = low_rank_data(n=120)
    model = ae.train(x, ae.AESpec(hidden=(4,)), ae.AE_RECIPE.replace(
        optimizer="sgd", learning_rate=1e-9, epochs=30, patience=2, seed=0))
    # A learning rate of 1e-9 cannot improve the loss by min_delta: it stops early.
    assert model.epochs_run < 30
    assert 1 <= model.best_epoch <= model.epochs_run
    assert len(model.history["val_loss"]) == model.epochs_run
    assert model.learning_rate == pytest.approx(1e-9)


def test_training_rejects_bad_arguments() -> None:
    x, _ = low_rank_data(n=10)
    with pytest.raises(ValueError, match="too few"):
        ae.train(x[:1], ae.AESpec(hidden=(2,)), ae.AE_RECIPE.replace(epochs=1))
    with pytest.raises(ValueError, match="epochs"):
        ae.train(x, ae.AESpec(hidden=(2,)), ae.AE_RECIPE.replace(epochs=0))


def test_notebook_01s_page_trains_exactly_what_dense_trains() -> None:
    """While report 02's tables still call dense.train, the page's train_autoencoder (its
    replacement) gives the very same codes, so re-pointing them moves no number."""
    from helpers.studies.ingwersen2020 import saved

    x, _ = low_rank_data(n=120)
    recipe = ae.AE_RECIPE.replace(optimizer="adam", epochs=3, batch_size=32, seed=5)
    for kwargs in ({"hidden": (6,)}, {"hidden": (8, 4), "noise": 0.3}):
        old = ae.train(x, ae.AESpec(**kwargs), recipe)
        new = saved.train_autoencoder(x, saved.AESpec(**kwargs), recipe)
        assert new.spec.name == old.spec.name
        np.testing.assert_array_equal(new.encode(x), old.encode(x))
