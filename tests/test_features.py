"""Batched, cached feature extraction against a small ImageSet-like object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from helpers import backbones, config, features, preprocessing

SIZE = 32


@dataclass
class FakeSource:
    origin: str = "synthetic"
    notice: str = "synthetic test images"


@dataclass
class FakeImageSet:
    """The parts of ``helpers.datasets.ImageSet`` that ``features.extract`` relies on."""

    name: str = "fake"
    n: int = 10
    seed: int = 0
    calls: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.items = [f"synthetic:fake/{i}" for i in range(self.n)]
        self.labels = np.arange(self.n, dtype=np.int64) % 3
        self.splits = np.full(self.n, "eval", dtype=object)
        self.source = FakeSource()

    def images(self, size: int = 224, fit: str = "resize") -> np.ndarray:
        self.calls.append((size, fit))
        rng = np.random.default_rng(self.seed)
        return rng.integers(0, 256, size=(self.n, size, size, 3), dtype=np.uint8)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", str(tmp_path / "weights"))
    (tmp_path / "weights").mkdir()
    return tmp_path


def test_extract_arrays_equals_a_bare_predict() -> None:
    config.seed_everything(0)
    model, _ = backbones.build("mobilenetv2", "avg", weights=None, image_size=SIZE)
    images = FakeImageSet(n=5).images(SIZE)
    expected = model.predict(preprocessing.apply("imagenet", images, "mobilenetv2"), verbose=0)
    got = features.extract_arrays(images, "mobilenetv2", scheme="imagenet", model=model,
                                  batch_size=2)
    assert got.dtype == np.float32 and got.shape == (5, 1280)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    config.seed_everything(0)  # the same seed builds the same random model
    again = features.extract_arrays(images, "mobilenetv2", weights=None, batch_size=4)
    np.testing.assert_allclose(again, expected, rtol=1e-5, atol=1e-5)
    assert features.run_model(model, images[:0], "simple", "mobilenetv2").shape == (0, 1280)


def test_extract_arrays_rejects_bad_images() -> None:
    with pytest.raises(ValueError, match="uint8"):
        features.extract_arrays(np.zeros((2, 8, 8, 3), np.float32), "mobilenetv2")
    with pytest.raises(ValueError, match="square RGB"):
        features.extract_arrays(np.zeros((2, 8, 9, 3), np.uint8), "mobilenetv2")


def test_second_call_loads_the_cache(cache: Path) -> None:
    imageset = FakeImageSet()
    config.seed_everything(1)
    first = features.extract(imageset, "mobilenetv2", "avg", scheme="imagenet", image_size=SIZE,
                             weights=None,
                             execution=features.Execution(batch_size=4, progress=False))
    assert not first.from_cache and first.vectors.shape == (10, 1280)
    assert first.path is not None and first.path.parent == cache / "cache" / "features"
    assert first.path.name.startswith("fake_eval_mobilenetv2_avg_imagenet_32px_")
    np.testing.assert_array_equal(first.labels, imageset.labels)
    assert first.items == imageset.items and imageset.calls == [(SIZE, "resize")]

    config.seed_everything(1)  # same seed, same random weights, same fingerprint
    second = features.extract(imageset, "mobilenetv2", "avg", scheme="imagenet",
                              image_size=SIZE, weights=None,
                              execution=features.Execution(batch_size=4, progress=False))
    assert second.from_cache and second.key == first.key and len(imageset.calls) == 1
    np.testing.assert_array_equal(second.vectors, first.vectors)
    np.testing.assert_array_equal(second.labels, first.labels)
    assert second.items == first.items and second.meta["weights"]["source"] == "random init"
    assert "cache" in second.describe()

    # Anything that changes the numbers changes the key (checked without running models).
    info = features._describe_set(imageset)
    base = ("mobilenetv2", "avg", "imagenet", SIZE, "resize", first.weights.sha256)
    assert features.cache_key(info, *base) == first.key
    variants = [("mobilenetv3small", *base[1:]), (base[0], "max", *base[2:]),
                (*base[:2], "simple", *base[3:]), (*base[:3], 64, *base[4:]),
                (*base[:4], "crop", base[5]), (*base[:5], "another-weights-hash")]
    keys = {features.cache_key(info, *v) for v in variants}
    assert len(keys) == len(variants) and first.key not in keys
    relabelled = FakeImageSet()
    relabelled.labels = relabelled.labels[::-1].copy()
    assert features.cache_key(features._describe_set(relabelled), *base) != first.key


def test_weights_file_gives_key_without_building(cache: Path, monkeypatch) -> None:
    config.seed_everything(0)
    model, _ = backbones.base("mobilenetv2", weights=None, image_size=SIZE)
    model.save_weights(cache / "weights" / "mobilenetv2_notop.weights.h5")
    imageset = FakeImageSet(n=6)
    first = features.extract(imageset, "mobilenetv2", "max", image_size=SIZE,
                             execution=features.QUIET)
    assert first.weights.source == "file $LOOKALIKE_WEIGHTS/mobilenetv2_notop.weights.h5"
    assert first.meta["weights"]["sha256"] == first.weights.sha256

    def no_build(*args, **kwargs):
        raise AssertionError("a cache hit must not build the model")

    monkeypatch.setattr(backbones, "build", no_build)
    second = features.extract(imageset, "mobilenetv2", "max", image_size=SIZE,
                              execution=features.QUIET)
    assert second.from_cache and second.weights.sha256 == first.weights.sha256
    # A changed image list is a different data set content: recomputed, with the model built
    # for the first call (same file, tap and size), so still no build.
    third = features.extract(FakeImageSet(n=7), "mobilenetv2", "max", image_size=SIZE,
                             execution=features.QUIET)
    assert not third.from_cache and third.weights.sha256 == first.weights.sha256
    np.testing.assert_allclose(third.vectors[:6], first.vectors, rtol=1e-5, atol=1e-6)
    # Another tap is another model: built (and here, failing to build).
    with pytest.raises(AssertionError, match="must not build"):
        features.extract(FakeImageSet(n=7), "mobilenetv2", "avg", image_size=SIZE,
                         execution=features.QUIET)


def test_unreadable_cache_is_recomputed(cache: Path) -> None:
    imageset = FakeImageSet(n=4)
    config.seed_everything(0)
    first = features.extract(imageset, "mobilenetv2", "avg", image_size=SIZE, weights=None,
                             execution=features.QUIET)
    first.path.write_bytes(b"not an npz")
    config.seed_everything(0)
    with pytest.warns(UserWarning, match="unreadable feature cache"):
        again = features.extract(imageset, "mobilenetv2", "avg", image_size=SIZE, weights=None,
                                 execution=features.QUIET)
    assert not again.from_cache
    np.testing.assert_allclose(again.vectors, first.vectors, rtol=1e-5, atol=1e-6)
    with np.load(again.path, allow_pickle=False) as data:  # the broken file was replaced
        np.testing.assert_array_equal(data["vectors"], again.vectors)


def test_cache_false_and_bad_arguments(cache: Path) -> None:
    imageset = FakeImageSet(n=3)
    config.seed_everything(0)
    result = features.extract(imageset, "mobilenetv2", "avg", image_size=SIZE, weights=None,
                              execution=features.Execution(cache=False, progress=False))
    assert result.path is None and not (cache / "cache" / "features").exists()
    with pytest.raises(ValueError, match="unknown preprocessing scheme"):
        features.extract(imageset, "mobilenetv2", scheme="caffe", image_size=SIZE, weights=None)
    with pytest.raises(ValueError, match="no tap"):
        features.extract(imageset, "mobilenetv2", tap="fc1", image_size=SIZE, weights=None)


def _loo_top1(vectors: np.ndarray, labels: np.ndarray) -> float:
    from helpers import retrieval

    return retrieval.loo_topk(vectors, labels, ks=(1,))["top1"]


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.skipif(
    not (os.environ.get("LOOKALIKE_DATA") and os.environ.get("LOOKALIKE_WEIGHTS")),
    reason="needs LOOKALIKE_DATA and LOOKALIKE_WEIGHTS (e.g. ../shared/datasets, ../shared/weights)",
)
def test_places6_eval_mobilenetv2_floor_and_report01_bug(tmp_path, monkeypatch) -> None:
    """Measured once (benchmarks/README.md): LOO top-1 0.638 (top-5 0.938) with the correct preprocessing,
    0.258 (top-5 0.683) with the report-01 bug; the weights README measured 0.635 / 0.257."""
    from helpers import datasets

    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path))
    evalset = datasets.load("places6").subset("eval")
    assert evalset.source.origin == "LOOKALIKE_DATA" and len(evalset) == 600
    good = features.extract(evalset, "mobilenetv2", "avg", scheme="imagenet", image_size=224,
                            execution=features.QUIET)
    assert good.weights.pretrained
    bug = features.extract(evalset, "mobilenetv2", "avg", scheme="imagenet_then_255_bug",
                           image_size=224, execution=features.QUIET)
    good_top1, bug_top1 = _loo_top1(good.vectors, good.labels), _loo_top1(bug.vectors, bug.labels)
    assert good_top1 >= 0.61, good_top1
    assert bug_top1 <= 0.30, bug_top1


@pytest.mark.parametrize("damage", ["truncated", "zero bytes", "byte flipped"])
def test_a_damaged_entry_is_reported_once_deleted_and_recomputed(cache: Path, damage) -> None:
    import warnings

    imageset = FakeImageSet(n=4)
    kwargs = dict(backbone="mobilenetv2", tap="avg", image_size=SIZE, weights=None,
                  execution=features.QUIET)
    config.seed_everything(0)
    first = features.extract(imageset, **kwargs)
    data = first.path.read_bytes()
    if damage == "truncated":
        first.path.write_bytes(data[: len(data) // 2])
    elif damage == "zero bytes":
        first.path.write_bytes(b"")
    else:  # inside the stored vectors: only the zip CRC can tell
        flipped = bytearray(data)
        for k in range(len(data) // 3, len(data) // 3 + 8):
            flipped[k] ^= 0xFF
        first.path.write_bytes(bytes(flipped))
    config.seed_everything(0)
    with pytest.warns(UserWarning, match="unreadable feature cache.*deleted") as caught:
        again = features.extract(imageset, **kwargs)
    assert len([w for w in caught if "feature cache" in str(w.message)]) == 1
    assert not again.from_cache
    np.testing.assert_allclose(again.vectors, first.vectors, rtol=1e-5, atol=1e-6)
    config.seed_everything(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rerun is quiet: the entry healed
        third = features.extract(imageset, **kwargs)
    assert third.from_cache


def test_changed_pixels_in_the_same_files_change_the_key(tmp_path: Path) -> None:
    from PIL import Image

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        Image.new("RGB", (20, 20), (10 * i, 0, 0)).save(paths[-1])
    imageset = FakeImageSet(n=3)
    imageset.items = [str(p) for p in paths]
    base = ("mobilenetv2", "avg", "imagenet", SIZE, "resize", "weights")
    before = features.cache_key(features._describe_set(imageset), *base)
    assert features.cache_key(features._describe_set(imageset), *base) == before  # stable
    Image.new("RGB", (20, 20), (0, 200, 0)).save(paths[1])  # same name, same size, new pixels
    stat = paths[1].stat()
    os.utime(paths[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert features.cache_key(features._describe_set(imageset), *base) != before


def test_non_utf8_file_names_key_and_round_trip_the_cache(cache: Path) -> None:
    name = os.fsdecode(b"caf\xe9.jpg")  # 'caf\udce9.jpg': not UTF-8 on disk
    imageset = FakeImageSet(n=2)
    imageset.items = [str(cache / name), "synthetic:fake/1"]
    info = features._describe_set(imageset)
    assert features.cache_key(info, "mobilenetv2", "avg", "imagenet", SIZE, "resize", "w")
    config.seed_everything(0)
    first = features.extract(imageset, "mobilenetv2", "avg", image_size=SIZE, weights=None,
                             execution=features.QUIET)
    config.seed_everything(0)
    second = features.extract(imageset, "mobilenetv2", "avg", image_size=SIZE, weights=None,
                              execution=features.QUIET)
    assert second.from_cache and second.items == imageset.items == first.items
