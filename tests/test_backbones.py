"""Backbone registry, weights resolution (file, Keras cache, download, random), taps, groups."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from helpers import backbones, config, preprocessing
from helpers.backbones import weights as weights_mod

SHARED_WEIGHTS = os.environ.get("LOOKALIKE_WEIGHTS")
EXPECTED_NAMES = [
    "resnet50", "vgg16", "vgg19", "efficientnetb0", "densenet121", "inceptionv3", "mobilenet",
    "mobilenetv2", "mobilenetv3large", "mobilenetv3small", "efficientnetv2s", "vgg16_places365",
]


@pytest.fixture
def no_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty $LOOKALIKE_WEIGHTS and Keras home; download failures forgotten between tests."""
    (tmp_path / "weights").mkdir()
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(weights_mod, "_FAILED_DOWNLOADS", {})
    return tmp_path


def _offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make Keras downloads fail at once (as they do without internet); count the attempts."""
    from keras.src.utils import file_utils

    calls: list[str] = []

    def refuse(fname, *args, **kwargs):
        calls.append(fname)
        raise Exception(f"URL fetch failure for {fname}: offline in this test")

    monkeypatch.setattr(file_utils, "get_file", refuse)
    return calls


def test_registry_lists_every_backbone_with_taps() -> None:
    assert backbones.names() == EXPECTED_NAMES
    for name in EXPECTED_NAMES:
        spec = backbones.get(name)
        assert {"avg", "max"} <= set(spec.taps) and spec.default_tap in spec.taps
        assert spec.preprocess_mode in preprocessing.MODES
        assert {f"{name}_notop.weights.h5", f"{name}_notop.h5"} <= set(spec.weight_files["notop"])
        assert {f"{name}.weights.h5", f"{name}.h5"} <= set(spec.weight_files["top"])
    for name in ("vgg16", "vgg19", "vgg16_places365"):
        assert {"flatten", "fc1", "fc2"} <= set(backbones.get(name).taps)
    assert backbones.get("resnet50").default_tap == "max"
    assert backbones.get("vgg16_places365").classes == 365
    assert backbones.get("MobileNetV2").name == "mobilenetv2"  # case-insensitive
    assert backbones.resolve_tap("vgg16", None) == "fc1"
    with pytest.raises(ValueError, match="no tap 'fc1'"):
        backbones.resolve_tap("resnet50", "fc1")
    with pytest.raises(ValueError, match="unknown backbone"):
        backbones.get("alexnet")


def test_random_request_is_deterministic_and_silent(no_weights: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", backbones.WeightsWarning)
        config.seed_everything(3)
        model, info = backbones.build("mobilenetv2", "avg", weights=None, image_size=32)
        config.seed_everything(3)
        _, again = backbones.build("mobilenetv2", "max", weights="random", image_size=32)
    assert model.output_shape == (None, 1280) and model.input_shape == (None, 32, 32, 3)
    assert (info.source, info.pretrained, info.warning, info.path) == ("random init", False, None, None)
    assert info.sha256 == again.sha256 == backbones.fingerprint(model)
    assert "RANDOM" in info.describe()


def test_file_in_lookalike_weights_wins_and_is_hashed(no_weights: Path) -> None:
    config.seed_everything(0)
    original, _ = backbones.base("mobilenetv2", weights=None, image_size=32)
    generic = no_weights / "weights" / "mobilenetv2_notop.weights.h5"
    original.save_weights(generic)
    assert backbones.with_real_weights() == ["mobilenetv2"]
    config.seed_everything(1)  # a different random init, overwritten by the file
    model, info = backbones.base("mobilenetv2", weights="imagenet", image_size=32)
    assert info.source == "file $LOOKALIKE_WEIGHTS/mobilenetv2_notop.weights.h5"
    assert info.sha256 == hashlib.sha256(generic.read_bytes()).hexdigest() and info.pretrained
    x = np.random.default_rng(0).normal(size=(2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), original.predict(x, verbose=0),
                               atol=1e-5)
    # The shared file's own name comes before the generic <arch>_notop name.
    shared = no_weights / "weights" / "mobilenet_v2_1.00_224_notop.weights.h5"
    shared.write_bytes(generic.read_bytes())
    assert backbones.locate(backbones.get("mobilenetv2"), False, "imagenet").path == shared


def test_keras_cache_file_is_used(no_weights: Path) -> None:
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    config.seed_everything(0)
    original, _ = backbones.base("mobilenetv2", weights=None, image_size=32)
    cached = no_weights / "keras_home" / "models" / backbones.get("mobilenetv2").keras_files["notop"]
    cached.parent.mkdir(parents=True)
    with h5py.File(cached, "w") as handle:  # Keras's own legacy .h5 format
        legacy_h5_format.save_weights_to_hdf5_group(handle, original)
    model, info = backbones.base("mobilenetv2", weights="imagenet", image_size=32)
    assert (info.source, info.path, info.pretrained) == ("keras cache", cached, True)
    np.testing.assert_allclose(model.weights[0].numpy(), original.weights[0].numpy())


def test_failed_download_falls_back_to_random_with_warning(
    no_weights: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _offline(monkeypatch)
    with pytest.warns(backbones.WeightsWarning, match="RANDOM initialisation") as record:
        model, info = backbones.base("mobilenetv2", weights="imagenet", image_size=32)
    assert (info.source, info.pretrained, info.requested) == ("random init", False, "imagenet")
    ours = [w for w in record if issubclass(w.category, backbones.WeightsWarning)]
    assert len(ours) == 1 and info.warning == str(ours[0].message)
    assert "mobilenetv2_notop.weights.h5" in info.warning and "offline" in info.warning
    assert "requested 'imagenet'" in info.describe()
    with pytest.warns(backbones.WeightsWarning):
        backbones.base("mobilenetv2", weights="imagenet", image_size=32)
    assert len(calls) == 1  # the failed download is not retried within the session


def test_places365_only_from_a_user_file(no_weights: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _offline(monkeypatch)
    with pytest.warns(backbones.WeightsWarning, match="backbone 'vgg16' with weights='imagenet'"):
        _, info = backbones.base("vgg16_places365", weights="places365", image_size=32)
    assert info.source == "random init" and calls == []  # Keras has no Places365 to download
    with pytest.raises(ValueError, match="no Places365 weights"):
        backbones.base("resnet50", weights="places365")


def test_explicit_paths_fail_loudly(no_weights: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        backbones.base("mobilenetv2", weights=str(no_weights / "missing.weights.h5"))
    config.seed_everything(0)
    small, _ = backbones.base("mobilenetv3small", weights=None, image_size=32)
    wrong = no_weights / "v3small.weights.h5"
    small.save_weights(wrong)
    with pytest.raises(ValueError, match="does not fit mobilenetv2"):
        backbones.base("mobilenetv2", weights=str(wrong), image_size=32)
    _, info = backbones.base("mobilenetv3small", weights=str(wrong), image_size=32)
    assert info.source == f"file {wrong}" and info.pretrained


def test_size_checks_and_predictions_tap(no_weights: Path) -> None:
    with pytest.raises(ValueError, match="at least 75 px"):
        backbones.base("inceptionv3", weights=None, image_size=64)
    with pytest.raises(ValueError, match="takes 224 px"):
        backbones.base("mobilenetv2", weights=None, image_size=96, include_top=True)
    model, _ = backbones.build("mobilenetv2", "predictions", weights=None, image_size=64)
    assert model.input_shape == (None, 64, 64, 3) and model.output_shape == (None, 1000)
    probs = model.predict(np.zeros((1, 64, 64, 3), "float32"), verbose=0)
    np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-4)


def test_resnet50_stages_and_set_trainable() -> None:
    model, _ = backbones.base("resnet50", weights=None, image_size=32)
    groups = backbones.layer_groups("resnet50", model)
    assert [g for g in groups if g.startswith("stage") and "_" not in g] == [
        f"stage{i}" for i in range(1, 6)]
    assert all(n.startswith("conv5_") for n in groups["stage5"])
    assert groups["stage1"][:2] == ["conv1_pad", "conv1_conv"]
    trainable = backbones.set_trainable(model, "stage5", "resnet50")
    assert trainable and all(n.startswith("conv5_") and not n.endswith("_bn") for n in trainable)
    assert all(not layer.trainable for layer in model.layers if "_bn" in layer.name)
    n_weights = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert n_weights == sum(int(np.prod(w.shape)) for layer in model.layers
                            if layer.name in trainable for w in layer.weights)
    assert backbones.set_trainable(model, [], "resnet50") == [] and not model.trainable_weights
    with pytest.raises(ValueError, match="unknown layer groups"):
        backbones.set_trainable(model, "stage9", "resnet50")


def test_efficientnetb0_stages_blocks_inside_a_classifier() -> None:
    import keras

    base, _ = backbones.base("efficientnetb0", weights=None, image_size=32)
    inputs = keras.Input((32, 32, 3))
    head = keras.layers.Dense(6)(keras.layers.GlobalAveragePooling2D()(base(inputs, training=False)))
    classifier = keras.Model(inputs, head)  # the base nested in a model, as classifiers do
    groups = backbones.layer_groups("efficientnetb0", classifier)
    assert {f"stage{i}" for i in range(1, 8)} | {"block6c", "block6d", "stem", "top"} <= set(groups)
    assert set(groups["stage6"]) == {n for b in "abcd" for n in groups[f"block6{b}"]}
    trainable = backbones.set_trainable(base, ["stage7", "block6c", "block6d"], "efficientnetb0")
    assert {n[:7] for n in trainable} == {"block7a", "block6c", "block6d"}
    assert not any(n.endswith("_bn") for n in trainable)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in EXPECTED_NAMES if n != "vgg16_places365"])
def test_every_backbone_builds_with_groups(name: str) -> None:
    spec = backbones.get(name)
    size = max(spec.min_size, 32)
    model, _ = backbones.build(name, "avg", weights=None, image_size=size)
    assert model.output_shape[0] is None and len(model.output_shape) == 2
    groups = backbones.layer_groups(name, model)
    assert all(groups.values()) and set(groups["all"]) == {
        layer.name for layer in model.layers if layer.weights}
    stages = [g for g in groups if g.startswith(("stage", "mixed")) and "_" not in g]
    assert len(stages) >= 5, stages
    # every layer with weights falls in some group other than "all"
    named = {n for g, members in groups.items() if g != "all" for n in members}
    assert set(groups["all"]) <= named


@pytest.mark.slow
def test_vgg16_fully_connected_taps() -> None:
    config.seed_everything(0)
    for tap, width in (("fc1", 4096), ("flatten", 25088)):
        model, _ = backbones.build("vgg16", tap, weights=None, image_size=64)
        assert model.input_shape == (None, 64, 64, 3) and model.output_shape == (None, width)


def test_labels_and_decode_top5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"class {i}" for i in range(1000)]
    (tmp_path / "imagenet_labels_1000.txt").write_text("\n".join(names) + "\n")
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", str(tmp_path))
    assert backbones.imagenet_labels() == names
    probs = np.zeros((2, 1000))
    probs[0, [7, 3, 999, 1, 2]] = [0.5, 0.2, 0.1, 0.05, 0.01]
    probs[1, 42] = 1.0
    top = backbones.decode_top5(probs)
    assert [i for i, _, _ in top[0]] == [7, 3, 999, 1, 2]
    assert top[0][0] == (7, "class 7", 0.5) and top[1][0][:2] == (42, "class 42")
    with pytest.raises(ValueError, match="classes"):
        backbones.decode_top5(np.zeros(10))
    (tmp_path / "imagenet_labels_1000.txt").write_text("a\nb\n")
    with pytest.raises(ValueError, match="expected 1000"):
        backbones.imagenet_labels()


@pytest.mark.realdata
@pytest.mark.skipif(
    not SHARED_WEIGHTS or not Path(config.repo_root(), SHARED_WEIGHTS, "mobilenet_v2_1.00_224.weights.h5").is_file(),
    reason="needs LOOKALIKE_WEIGHTS with mobilenet_v2_1.00_224.weights.h5 (e.g. ../shared/weights)",
)
def test_mobilenetv2_classifies_cat_and_espresso() -> None:
    import keras
    import skimage.data

    model, info = backbones.base("mobilenetv2", weights="imagenet", include_top=True)
    assert info.pretrained and info.source.startswith("file $LOOKALIKE_WEIGHTS/")
    photos = [skimage.data.chelsea(), skimage.data.coffee()]
    batch = np.stack([keras.ops.convert_to_numpy(keras.ops.image.resize(p, (224, 224)))
                      for p in photos]).round().clip(0, 255).astype(np.uint8)
    probs = model.predict(preprocessing.apply("imagenet", batch, "mobilenetv2"), verbose=0)
    cat, coffee = backbones.decode_top5(probs)
    assert cat[0][1] in ("Egyptian cat", "tabby, tabby cat", "tiger cat"), cat
    assert 281 <= cat[0][0] <= 285  # ImageNet's domestic cat classes
    assert coffee[0][1] == "espresso", coffee
