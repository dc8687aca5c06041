"""Preprocessing schemes pinned to hand-computed values and to Keras's own preprocess_input."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from helpers import backbones, preprocessing

# One pixel, RGB (10, 20, 30), and one with the extremes.
PIXEL = np.array([[[[10, 20, 30]]]], dtype=np.uint8)
EXTREMES = np.array([[[[255, 0, 128]]]], dtype=np.uint8)


def test_scheme_names_are_the_contract() -> None:
    assert preprocessing.SCHEMES == ("simple", "imagenet", "places", "imagenet_then_255_bug")


@pytest.mark.parametrize(
    ("scheme", "backbone", "pixels", "expected"),
    [
        ("simple", "resnet50", EXTREMES, [1.0, 0.0, 128 / 255]),
        # caffe: RGB->BGR, then minus (103.939, 116.779, 123.68): (30, 20, 10) - means
        ("imagenet", "resnet50", PIXEL, [-73.939, -96.779, -113.68]),
        ("imagenet", "vgg16", PIXEL, [-73.939, -96.779, -113.68]),
        # tf: x / 127.5 - 1
        ("imagenet", "mobilenetv2", EXTREMES, [1.0, -1.0, 128 / 127.5 - 1]),
        ("imagenet", "inceptionv3", PIXEL, [10 / 127.5 - 1, 20 / 127.5 - 1, 30 / 127.5 - 1]),
        # torch: (x/255 - mean) / std with mean (.485, .456, .406), std (.229, .224, .225)
        ("imagenet", "densenet121", EXTREMES, [2.2489083, -2.0357143, 0.4264924]),
        # none: EfficientNet rescales inside the model
        ("imagenet", "efficientnetb0", PIXEL, [10.0, 20.0, 30.0]),
        # Places365: BGR minus (104.006, 116.669, 122.679)
        ("places", "vgg16_places365", PIXEL, [-74.006, -96.669, -112.679]),
        ("places", None, PIXEL, [-74.006, -96.669, -112.679]),
        # The report-01 bug: caffe preprocessing, then / 255 again
        ("imagenet_then_255_bug", "resnet50", PIXEL, [-0.2899569, -0.3795255, -0.4458039]),
        ("imagenet_then_255_bug", "mobilenetv2", EXTREMES, [1 / 255, -1 / 255, 1.53787e-5]),
    ],
)
def test_hand_computed_values(scheme, backbone, pixels, expected) -> None:
    out = preprocessing.apply(scheme, pixels, backbone=backbone)
    assert out.dtype == np.float32 and out.shape == pixels.shape
    np.testing.assert_allclose(out[0, 0, 0], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", backbones.names())
def test_imagenet_scheme_matches_keras_preprocess_input(name: str) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(2, 5, 4, 3), dtype=np.uint8)
    ours = preprocessing.apply("imagenet", images, backbone=name)
    theirs = np.asarray(backbones.get(name).preprocess_input(images.astype(np.float32)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4)
    bug = preprocessing.apply("imagenet_then_255_bug", images, backbone=name)
    np.testing.assert_allclose(bug, theirs / 255.0, rtol=1e-5, atol=1e-6)


def test_input_is_not_modified_and_float_input_works() -> None:
    images = np.full((1, 2, 2, 3), 200.0, dtype=np.float32)
    before = images.copy()
    out = preprocessing.apply("imagenet", images, backbone="mobilenetv2")
    np.testing.assert_array_equal(images, before)
    np.testing.assert_allclose(out, 200 / 127.5 - 1, rtol=1e-6)
    single = preprocessing.apply("places", np.zeros((3, 3, 3), np.uint8))  # one image, no batch
    np.testing.assert_allclose(single[1, 1], [-104.006, -116.669, -122.679], rtol=1e-6)


@pytest.mark.parametrize("scheme", preprocessing.SCHEMES)
def test_keras_ops_path_and_layer_match_numpy(scheme: str) -> None:
    import keras

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(2, 4, 4, 3), dtype=np.uint8)
    expected = preprocessing.apply(scheme, images, backbone="resnet50")
    tensor = preprocessing.apply(scheme, keras.ops.convert_to_tensor(images), backbone="resnet50")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(tensor), expected, rtol=1e-5, atol=1e-4)
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, preprocessing.layer(scheme, backbone="resnet50")(inputs))
    np.testing.assert_allclose(model.predict(images.astype("float32"), verbose=0), expected,
                               rtol=1e-5, atol=1e-4)
    # The layer survives a config round trip (models with it can be saved and loaded).
    config = model.layers[-1].get_config()
    clone = type(model.layers[-1]).from_config(config)
    assert (clone.scheme, clone.backbone) == (scheme, "resnet50")


def test_bad_inputs_give_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown preprocessing scheme"):
        preprocessing.apply("caffe", PIXEL, backbone="resnet50")
    with pytest.raises(ValueError, match="depends on the backbone"):
        preprocessing.apply("imagenet", PIXEL, backbone=None)
    with pytest.raises(ValueError, match="unknown backbone"):
        preprocessing.apply("imagenet", PIXEL, backbone="alexnet")
    with pytest.raises(ValueError, match="RGB"):
        preprocessing.apply("simple", np.zeros((2, 4, 4), np.uint8))


def test_describe_names_the_bug() -> None:
    assert preprocessing.describe("imagenet", "resnet50").startswith("RGB->BGR")
    assert preprocessing.describe("imagenet_then_255_bug", "mobilenetv2").startswith("BUG")
    assert preprocessing.describe("simple") == "x / 255"
