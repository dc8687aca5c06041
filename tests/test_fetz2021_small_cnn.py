"""Unit tests of helpers.studies.fetz2021.small_cnn: the report's Conv16-32-64 + dense 1024 classifier."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers.studies.fetz2021 import small_cnn  # noqa: E402


def test_parameter_count_matches_the_reports_summary():
    # Figure 3 of the report: 224 px, 22 classes, 51,427,382 parameters.
    model = small_cnn.build_small_cnn(224, 22)
    assert model.count_params() == 51_427_382
    assert model.get_layer("flatten").output.shape[-1] == 50_176


def test_feature_model_cuts_the_penultimate_layer():
    model = small_cnn.build_small_cnn(32, 3, dense_units=20)
    feats = small_cnn.feature_model(model)
    x = np.random.default_rng(0).integers(0, 255, (4, 32, 32, 3)).astype("float32")
    assert feats.predict(x, verbose=0).shape == (4, 20)
    with pytest.raises(ValueError, match="at least 2 classes"):
        small_cnn.build_small_cnn(32, 1)


def test_classifier_learns_a_separable_problem():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    x = (rng.normal(size=(60, 8)) + 3 * np.eye(3, 8)[y]).astype("float32")
    model = small_cnn.build_feature_classifier(8, 3, hidden=(16,), dropout=0.0)
    history = small_cnn.train_classifier(model, x, y, validation=(x, y),
                                         recipe=small_cnn.CLASSIFIER_RECIPE.replace(
                                             epochs=12, learning_rate=1e-2, patience=12))
    assert max(history.history["val_accuracy"]) > 0.9
    assert small_cnn.feature_model(model).predict(x, verbose=0).shape == (60, 16)
    with pytest.raises(ValueError, match="hidden"):
        small_cnn.build_feature_classifier(8, 3, hidden=())


def test_dense_head_fit_follows_its_seed():
    """Every trainer takes the notebook's seed: the same seed gives the same head, another
    seed another (initial weights and batch order both follow it)."""
    from helpers.studies.fetz2021 import trainers

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 6)).astype("float32"), np.arange(20) % 2
    cached = trainers.Cached(x, x[:, ::-1].copy(), x[:6], y, y[:6])
    fit = trainers.dense_head_fit(cached, augment=True, epochs=1, batch_size=8)
    outputs = [next(iter(fit(seed)[0].values()))(x[:4]) for seed in (3, 3, 4)]
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5)
    assert not np.allclose(outputs[0], outputs[2])
