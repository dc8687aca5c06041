"""helpers.classifiers: what trains, BatchNorm left alone, cached trunks equal to images."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import classifiers as C  # noqa: E402


def tiny_base(size: int = 16, seed: int = 0) -> tuple[keras.Model, dict[str, list[str]]]:
    """Conv-BN blocks with a residual add, named like a real backbone's groups."""
    keras.utils.set_random_seed(seed)
    x = inp = keras.Input((size, size, 3), name="pixels_in")
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(x)
    x = keras.layers.BatchNormalization(name="stem_bn")(x)
    x = keras.layers.ReLU(name="stem_relu")(x)
    h = keras.layers.Conv2D(8, 3, padding="same", use_bias=False, name="block_a_conv")(x)
    h = keras.layers.BatchNormalization(name="block_a_bn")(h)
    x = keras.layers.Add(name="block_a_add")([x, h])
    x = keras.layers.Conv2D(12, 1, use_bias=False, name="top_conv")(x)
    x = keras.layers.BatchNormalization(name="top_bn")(x)
    x = keras.layers.ReLU(name="top_relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    base = keras.Model(inp, x, name="tiny")
    # Non-trivial BN statistics, as pretrained weights would have.
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(np.linspace(-0.5, 0.5, n).astype(np.float32))
            layer.moving_variance.assign(np.linspace(0.5, 2.0, n).astype(np.float32))
    groups = {"stem": ["stem_conv", "stem_bn", "stem_relu"],
              "block_a": ["block_a_conv", "block_a_bn", "block_a_add"],
              "top": ["top_conv", "top_bn", "top_relu"]}
    return base, groups


def toy_data(n: int = 48, size: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes told apart by their dominant colour channel (learnable in a few steps)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = rng.integers(0, 90, (n, size, size, 3))
    x[np.arange(n), :, :, y] += 150
    return x.astype(np.uint8), y


def scaled(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, np.float32) / 127.5 - 1.0


def make(trainable: object = "frozen", dropout: float = 0.0) -> C.Classifier:
    base, groups = tiny_base()
    return C.from_base(base, 3, trainable, groups=groups, preprocess=scaled, dropout=dropout)


def weights_by_layer(model: keras.Model) -> dict[str, list[np.ndarray]]:
    return {layer.name: [w.numpy().copy() for w in layer.weights] for layer in model.layers
            if layer.weights}


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before
            if any(not np.array_equal(a, b) for a, b in zip(before[name], after[name], strict=True))}


FAST = C.Recipe(epochs=2, batch_size=16, learning_rate=0.05, patience=0, augment=False)


@pytest.mark.parametrize(
    ("trainable", "expected"),
    [("frozen", set()), (["top"], {"top_conv"}), (("block_a", "top"), {"block_a_conv", "top_conv"}),
     ("finetune_all", {"stem_conv", "block_a_conv", "top_conv"})],
)
def test_only_trainable_groups_change_and_batchnorm_is_untouched(trainable, expected) -> None:
    clf = make(trainable)
    assert set(clf.trainable_layers) == expected
    before = weights_by_layer(clf.base)
    head_before = clf.head[-1].kernel.numpy().copy()
    x, y = toy_data()
    C.fit(clf, (x, y), recipe=FAST)
    after = weights_by_layer(clf.base)
    assert changed(before, after) == expected
    # BatchNorm: moving statistics and gamma/beta exactly as they were (inference mode).
    assert not {n for n in changed(before, after) if n.endswith("_bn")}
    assert not np.array_equal(head_before, clf.head[-1].kernel.numpy())


def test_batchnorm_runs_in_inference_mode_during_fit() -> None:
    """Training-mode BN would normalise by batch statistics: the loss Keras reports in fit
    would then differ from the loss of the same weights evaluated in inference mode."""
    clf = make("finetune_all")
    x, y = toy_data()
    recipe = C.Recipe(epochs=1, batch_size=48, learning_rate=0.0, patience=0, augment=False)
    result = C.fit(clf, (x, y), recipe=recipe)
    probs = C.predict(clf, x)
    loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
    assert result.history["loss"][0] == pytest.approx(loss, rel=1e-4)


def test_learns_a_separable_task() -> None:
    clf = make(("block_a", "top"))
    x, y = toy_data(96)
    xv, yv = toy_data(30, seed=1)
    before = C.accuracy(clf, (xv, yv))
    recipe = C.Recipe(epochs=8, batch_size=16, learning_rate=0.05, patience=8)
    result = C.fit(clf, (x, y), (xv, yv), recipe)
    assert C.accuracy(clf, (xv, yv)) >= max(0.8, before)
    assert result.epochs_run == len(result.epoch_seconds) == len(result.history["loss"])
    assert 1 <= result.best_epoch <= result.epochs_run
    assert result.best("val_accuracy") == pytest.approx(C.accuracy(clf, (xv, yv)), abs=1e-6)
    assert result.trainable_params == sum(int(np.prod(w.shape)) for w in
                                          clf.model.trainable_weights)


def test_early_stopping_restores_the_best_epoch() -> None:
    clf = make("top")
    x, y = toy_data()
    # A learning rate far too high: validation loss gets worse after the first epochs.
    recipe = C.Recipe(epochs=12, batch_size=8, learning_rate=5.0, momentum=0.9, patience=2)
    result = C.fit(clf, (x, y), (x, y), recipe)
    losses = result.history["val_loss"]
    best = int(np.nanargmin(losses)) + 1
    assert result.best_epoch == best
    if result.stopped_early:
        assert result.epochs_run <= best + 2


def test_trainable_cut_and_bad_cut() -> None:
    clf = make("top")
    assert C.trainable_cut(clf) == "block_a_add"
    clf2 = make(("block_a", "top"))
    assert C.trainable_cut(clf2) == "stem_relu"
    assert C.trainable_cut(make("finetune_all")) == "pixels_in"
    x, y = toy_data(12)
    acts = C.activations(clf, x, y)  # cut at block_a_add
    C.set_trainable(clf, ("block_a", "top"))
    with pytest.raises(ValueError, match="below the cut"):
        C.fit(clf, acts, recipe=FAST)


def test_activations_path_equals_image_path() -> None:
    """Training on cached trunk outputs is the same computation as training on images."""
    x, y = toy_data()
    a, b = make(("block_a", "top")), make(("block_a", "top"))
    acts = C.activations(a, x, y)
    assert acts.cut == "stem_relu" and acts.values.shape == (1, 48, 8, 8, 8)
    np.testing.assert_allclose(C.embed(a, acts), C.embed(a, x), rtol=1e-5, atol=1e-6)
    ra = C.fit(a, acts, recipe=FAST)
    rb = C.fit(b, (x, y), recipe=FAST)
    np.testing.assert_allclose(ra.history["loss"], rb.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(C.embed(a, x), C.embed(b, x), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(C.predict(a, acts), C.predict(b, x), rtol=1e-4, atol=1e-5)


def test_frozen_mode_trains_the_head_on_pooled_activations() -> None:
    """Frozen: the cut is the base's output, so training runs on cached feature vectors."""
    x, y = toy_data()
    a, b = make("frozen"), make("frozen")
    assert C.trainable_cut(a) == "avg_pool"
    pooled = C.activations(a, x, y)
    assert pooled.values.shape == (1, 48, 12)
    np.testing.assert_allclose(C.embed(a, pooled), C.embed(a, x), rtol=1e-5, atol=1e-6)
    ra, rb = C.fit(a, pooled, recipe=FAST), C.fit(b, (x, y), recipe=FAST)
    np.testing.assert_allclose(ra.history["loss"], rb.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(C.predict(a, x), C.predict(b, x), rtol=1e-4, atol=1e-5)


def test_activations_copies_and_derived_cut() -> None:
    clf = make(("block_a", "top"))
    x, y = toy_data(10)
    acts = C.activations(clf, x, y, copies=3, seed=1)
    assert acts.copies == 3 and len(acts) == 10
    assert not np.allclose(acts.values[0], acts.values[1])
    again = C.activations(clf, x, y, copies=3, seed=1)
    np.testing.assert_array_equal(acts.values, again.values)  # seeded augmentation
    higher = C.activations(clf, acts, cut="block_a_add")
    direct = C.activations(clf, x, y, cut="block_a_add", copies=3, seed=1)
    np.testing.assert_allclose(higher.values, direct.values, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(higher.labels, y)
    # Augmented copies are used in training when the recipe augments.
    result = C.fit(clf, acts, recipe=C.Recipe(epochs=1, batch_size=5, patience=0))
    assert np.isfinite(result.history["loss"][0])


def test_reset_restores_base_and_reinitialises_head() -> None:
    clf = make("finetune_all")
    x, y = toy_data()
    start = C.embed(clf, x)
    C.fit(clf, (x, y), recipe=FAST)
    assert not np.allclose(C.embed(clf, x), start)
    C.reset(clf, seed=3)
    np.testing.assert_allclose(C.embed(clf, x), start, rtol=1e-6)
    assert np.allclose(clf.head[-1].bias.numpy(), 0)


def test_bad_input_is_reported() -> None:
    base, groups = tiny_base()
    with pytest.raises(ValueError, match="unknown layer groups"):
        C.from_base(base, 3, ["stage9"], groups=groups)
    with pytest.raises(ValueError, match="n_classes"):
        C.from_base(base, 1, groups=groups)
    clf = make("top")
    x, y = toy_data(6)
    with pytest.raises(ValueError, match="labels must lie"):
        C.fit(clf, (x, y + 3), recipe=FAST)
    with pytest.raises(ValueError, match="optimizer"):
        C.fit(clf, (x, y), recipe=C.Recipe(optimizer="rmsprop"))
    with pytest.raises(ValueError, match="need labels"):
        C.fit(clf, C.activations(clf, x), recipe=FAST)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_optimizers(optimizer: str) -> None:
    clf = make("top")
    x, y = toy_data()
    recipe = C.Recipe(optimizer=optimizer, learning_rate=1e-2, epochs=1, batch_size=16, patience=0)
    assert np.isfinite(C.fit(clf, (x, y), recipe=recipe).history["loss"][0])


@pytest.mark.slow
def test_mobilenetv2_groups_cut_and_batchnorm() -> None:
    """The real architecture (random weights, 32 px): report 02's 'stage 7' analogue."""
    clf = C.build("mobilenetv2", 4, ("block_16", "top"), weights=None, image_size=32)
    assert set(clf.trainable_layers) == {"block_16_expand", "block_16_depthwise",
                                         "block_16_project", "Conv_1"}
    assert C.trainable_cut(clf) == "block_15_add"
    bn = clf.base.get_layer("block_16_expand_BN")
    stats = [v.numpy().copy() for v in bn.weights]
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 255, (16, 32, 32, 3), dtype=np.uint8), np.arange(16) % 4
    acts = C.activations(clf, x, y)
    C.fit(clf, acts, recipe=C.Recipe(epochs=1, batch_size=8, learning_rate=0.01, patience=0))
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(stats, bn.weights, strict=True))
    assert C.embed(clf, x).shape == (16, 1280)
