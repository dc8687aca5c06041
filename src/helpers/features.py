"""Batched, cached feature extraction: (data set, split, backbone, tap, scheme, size, weights).

:func:`extract` turns an ImageSet into one vector per image and caches the result as an
``.npz`` (no pickle) under ``config.cache_dir()/features/``. The cache key hashes everything
that changes the numbers: the data set's name, splits, item names and labels, each image
file's bytes (a BLAKE2b digest), the backbone, tap, preprocessing scheme, image size and fit,
the Keras version, and the weights: the SHA-256 of the weights file, or a fingerprint of the
initial values for random weights (so random features are reused only when the same seed
produced the same model). A second call with the same arguments loads the file instead of
running the model.

:func:`extract_arrays` runs the same pipeline on a uint8 array, uncached.

Speed: preprocessing is one fused NumPy multiply-add per chunk, and the model runs through
``model.predict`` on chunks of several batches, so the helpers stay within a few per cent of a
bare ``model.predict`` on preprocessed tensors (``python -m helpers.bench`` measures it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers import backbones, config, preprocessing
from helpers.backbones import WeightsInfo

CACHE_VERSION = 3  # 3: the key covers each file's bytes (2: size and mtime)
# Images preprocessed and sent to model.predict at once: large enough that per-call overhead
# vanishes, small enough that the float32 copy stays ~150 MB at 224 px.
CHUNK_IMAGES = 256


@dataclass(frozen=True)
class Execution:
    """How an extraction runs, never what it computes (none of these enter the cache key).

    ``batch_size``: images per forward pass; ``cache``: read and write the ``.npz`` cache;
    ``progress``: show loading and extraction bars.
    """

    batch_size: int = 32
    cache: bool = True
    progress: bool = True


#: The default: batches of 32, cached, with progress bars.
DEFAULT_EXECUTION = Execution()
#: An extraction that prints nothing (what the study packages use inside their own tables).
QUIET = Execution(progress=False)


@dataclass
class Features:
    """Feature vectors of an image set, aligned with its items and labels."""

    vectors: np.ndarray  # float32 (N, D)
    labels: np.ndarray
    items: list[str]
    weights: WeightsInfo
    key: str
    from_cache: bool
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.vectors)

    def describe(self) -> str:
        n, d = self.vectors.shape
        where = "cache" if self.from_cache else "computed"
        return (f"{n} x {d} features ({self.meta.get('backbone')}/{self.meta.get('tap')}, "
                f"{self.meta.get('scheme')}, {self.meta.get('image_size')} px; {where}); "
                f"weights: {self.weights.describe()}")


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="img", disable=not enabled or total == 0,
                leave=False)


#: A preprocessing scheme: a :mod:`helpers.preprocessing` name, or a notebook's own function
#: ``scheme(pixels_uint8, backbone) -> float32`` (report 01 writes its four on the page).
Scheme = str | Callable[[np.ndarray, str], np.ndarray]


def preprocess(scheme: Scheme, images: np.ndarray, backbone: str) -> np.ndarray:
    """``images`` through ``scheme``: a named library scheme or a notebook's own function."""
    if callable(scheme):
        return np.asarray(scheme(images, backbone), dtype=np.float32)
    return preprocessing.apply(scheme, images, backbone=backbone)


def scheme_key(scheme: Scheme, backbone: str) -> str:
    """What a scheme is called in the cache key: a name as it is; a function by what it
    computes on a probe holding every pixel value in each channel, so the library scheme it
    equals exactly shares that scheme's cache entries (a notebook's copy of a library scheme
    reads what the library wrote), and any other function, edited or new, gets its own."""
    if not callable(scheme):
        return scheme
    values = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    probe = np.concatenate([values, values[:, ::-1], values.transpose(0, 2, 1, 3)], axis=-1)
    out = preprocess(scheme, probe, backbone)
    for name in preprocessing.SCHEMES:
        if np.array_equal(out, preprocessing.apply(name, probe, backbone=backbone)):
            return name
    digest = hashlib.sha256(out.tobytes()).hexdigest()[:12]
    return f"{getattr(scheme, '__name__', 'scheme')}-{digest}"


def run_model(
    model: Any,
    images_uint8: np.ndarray,
    scheme: Scheme,
    backbone: str,
    batch_size: int = 32,
    progress: bool = False,
    desc: str = "features",
) -> np.ndarray:
    """Preprocess ``images_uint8`` chunk by chunk and run ``model`` on it: (N, D) float32."""
    n = len(images_uint8)
    out: np.ndarray | None = None
    with _progress(n, desc, progress) as bar:
        for sl in _chunks(n, max(batch_size, CHUNK_IMAGES // batch_size * batch_size)):
            x = preprocess(scheme, images_uint8[sl], backbone)
            y = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)
            y = y.reshape(len(y), -1)
            if out is None:
                out = np.empty((n, y.shape[1]), dtype=np.float32)
            out[sl] = y
            bar.update(len(y))
    if out is None:  # no images: keep the feature width
        width = int(np.prod(model.output_shape[1:]))
        out = np.empty((0, width), dtype=np.float32)
    return out


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(f"expected square RGB images (N, S, S, 3); got shape {images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels in [0, 255]; got dtype {images.dtype}")
    return images


def extract_arrays(
    images_uint8: np.ndarray,
    backbone: str,
    tap: str | None = None,
    scheme: Scheme = "imagenet",
    weights: Any = "imagenet",
    batch_size: int = 32,
    model: Any = None,
    progress: bool = False,
) -> np.ndarray:
    """Features of a uint8 batch (N, S, S, 3), uncached; builds the model unless given."""
    images = _check_images(images_uint8)
    if model is None:
        model, _ = backbones.build(backbone, tap, weights=weights, image_size=images.shape[1])
    return run_model(model, images, scheme, backbones.get(backbone).name, batch_size, progress)


def _digest(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _describe_set(imageset: Any) -> dict[str, Any]:
    """What identifies an image set's content for the cache key."""
    items = [str(i) for i in imageset.items]
    labels = np.asarray(imageset.labels)
    splits = getattr(imageset, "splits", None)
    split_names = sorted({str(s) for s in np.asarray(splits).tolist()} - {""}) if (
        splits is not None and not isinstance(splits, str | dict)) else splits
    source = getattr(imageset, "source", None)
    return {
        "dataset": str(imageset.name),
        "splits": split_names,
        "origin": getattr(source, "origin", None),
        # surrogateescape: a file name that is not UTF-8 (``caf\udce9.jpg``) still has a key
        "items": hashlib.sha256("\n".join(items).encode("utf-8", "surrogateescape")).hexdigest(),
        "content": _content_identity(items),
        "labels": hashlib.sha256(np.ascontiguousarray(labels).tobytes()
                                 + str(labels.dtype).encode()).hexdigest(),
        "n": len(items),
    }


def _content_identity(items: list[str]) -> str:
    """A digest of every file's bytes (BLAKE2b): other pixels, other key, whatever the
    files' sizes and modification times say (tar and unzip restore those, and an edit can).

    Items that are not files (``synthetic:`` ids) contribute their name only; a missing or
    unreadable file contributes a marker, so it cannot share a key with the file it replaced.
    Reading the files costs about what decoding them once does not: see the README
    ("Bad input and faults") for the time on places6.
    """
    digest = hashlib.blake2b(digest_size=32)
    for item in items:
        try:
            with open(item, "rb") as handle:
                file_digest = hashlib.file_digest(handle, "blake2b").digest()
            digest.update(b"f" + file_digest)
        except (OSError, ValueError):
            digest.update(b"-")
    return digest.hexdigest()


def cache_key(set_info: dict[str, Any], backbone: str, tap: str, scheme: str, image_size: int,
              fit: str, weights_sha: str) -> str:
    """SHA-256 over everything that changes the features (see the module docstring)."""
    # The installed version, read without importing keras (and TensorFlow with it).
    keras_version = importlib.metadata.version("keras")
    return _digest({"v": CACHE_VERSION, "set": set_info, "backbone": backbone, "tap": tap,
                    "scheme": scheme, "image_size": int(image_size), "fit": fit,
                    "weights": weights_sha, "keras": keras_version})


def _cache_path(set_info: dict[str, Any], backbone: str, tap: str, scheme: str, size: int,
                key: str) -> Path:
    split = "-".join(set_info["splits"]) if isinstance(set_info["splits"], list) else "all"
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in set_info["dataset"])
    readable = f"{safe}_{split or 'all'}_{backbone}_{tap}_{scheme}_{size}px"
    return config.cache_dir() / "features" / f"{_within(readable, NAME_BYTES)}_{key[:16]}.npz"


# File names may hold 255 bytes on common file systems; the readable part of a cache file's
# name is cut to this many (UTF-8) bytes, the key after it identifies the entry anyway.
NAME_BYTES = 160


def _within(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    return text.encode("utf-8", "surrogateescape")[:limit].decode("utf-8", "ignore")


def _save(path: Path, features: Features) -> None:
    """Atomic write: a crash mid-write never leaves a truncated cache file behind."""
    config.writable_cache_dir(path.parent.name)
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, vectors=features.vectors, labels=features.labels,
                     items=np.asarray(features.items, dtype=np.str_),
                     meta=np.asarray(json.dumps(features.meta)))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path, key: str, weights: WeightsInfo) -> Features | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("key") != key:
                return None
            return Features(data["vectors"], data["labels"], data["items"].tolist(), weights,
                            key, True, path, meta)
    except Exception as error:  # noqa: BLE001 - BadZipFile, EOFError, zlib.error, OSError, ...
        # A truncated, zero-byte or bit-flipped entry: say so once, delete it (it is our own
        # file) and let the caller recompute, so the next run does not trip on it again.
        try:
            path.unlink(missing_ok=True)
        except OSError as unlink_error:
            raise config.CacheNotWritableError(
                f"the feature cache entry {path} is damaged ({type(error).__name__}) and cannot "
                f"be deleted ({unlink_error.strerror or unlink_error}): point LOOKALIKE_CACHE at "
                "a writable folder, or extract with Execution(cache=False)") from error
        warnings.warn(f"unreadable feature cache {path} ({type(error).__name__}: {error}): "
                      "deleted, recomputing", stacklevel=3)
        return None


# The last model built from a weights file, kept so that extracting several schemes or splits
# in a row (notebook 01's sweep, 02's baselines) builds it once: (name, tap, size, sha256).
_LAST_BUILT: tuple[tuple[Any, ...], Any, WeightsInfo] | None = None


def _built_from_file(name: str, tap: str, weights: Any, image_size: int,
                     located: WeightsInfo) -> tuple[Any, WeightsInfo]:
    """``backbones.build`` for weights found as a file, reusing the last such model built.

    Only file weights are reused (their hash identifies them); the model never leaves this
    module, so no caller can have changed it.
    """
    global _LAST_BUILT
    key = (name, tap, image_size, located.sha256)
    if _LAST_BUILT is not None and _LAST_BUILT[0] == key:
        return _LAST_BUILT[1], _LAST_BUILT[2]
    _LAST_BUILT = None  # drop the old model before building the next
    model, info = backbones.build(name, tap, weights=weights, image_size=image_size)
    if info.sha256 == located.sha256 and info.pretrained:
        _LAST_BUILT = (key, model, info)
    return model, info


def extract(
    imageset: Any,
    backbone: str,
    tap: str | None = None,
    scheme: Scheme = "imagenet",
    image_size: int = 224,
    weights: Any = "imagenet",
    fit: str = "resize",
    execution: Execution = DEFAULT_EXECUTION,
) -> Features:
    """Features of every image of ``imageset`` (any object with ``name``, ``items``,
    ``labels``, ``images(size=, fit=)``, optionally ``splits`` and ``source``).

    Loads ``config.cache_dir()/features/<...>_<key>.npz`` when it exists (``from_cache``),
    otherwise computes with a progress bar and writes it. ``execution`` says how it runs
    (batch size, ``Execution(cache=False)`` skips the cache, ``QUIET`` hides the bars).
    """
    batch_size, cache, progress = execution.batch_size, execution.cache, execution.progress
    spec = backbones.get(backbone)
    tap = backbones.resolve_tap(spec.name, tap)
    preprocess(scheme, np.zeros((1, 1, 1, 3), np.uint8), spec.name)  # validate
    run_scheme, scheme = scheme, scheme_key(scheme, spec.name)  # the key names a function too
    set_info = _describe_set(imageset)
    meta = {"backbone": spec.name, "tap": tap, "scheme": scheme, "image_size": int(image_size),
            "fit": fit, **{k: set_info[k] for k in ("dataset", "splits", "origin", "n")}}

    # Weights found as files give the key without building the model, so a cache hit is cheap.
    model = None
    info = backbones.locate(spec, spec.needs_top(tap), weights)
    if info is None:  # random init or a download: the model decides what the weights are
        model, info = backbones.build(spec.name, tap, weights=weights, image_size=image_size)
    key = cache_key(set_info, spec.name, tap, scheme, image_size, fit, str(info.sha256))
    path = _cache_path(set_info, spec.name, tap, scheme, int(image_size), key)
    if cache and path.is_file():
        found = _load(path, key, info)
        if found is not None:
            return found

    load_kwargs: dict[str, Any] = {"size": int(image_size), "fit": fit}
    if "progress" in inspect.signature(imageset.images).parameters:
        load_kwargs["progress"] = progress  # datasets.ImageSet shows its own loading bar
    images = _check_images(imageset.images(**load_kwargs))
    if len(images) != len(imageset.items):
        raise ValueError(f"{imageset.name}: images() gave {len(images)} images for "
                         f"{len(imageset.items)} items")
    if model is None:
        model, info = _built_from_file(spec.name, tap, weights, int(image_size), info)
    vectors = run_model(model, images, run_scheme, spec.name, batch_size, progress,
                        desc=f"{spec.name}/{tap} {set_info['dataset']}")
    meta.update(key=key, weights=info.as_dict())
    result = Features(vectors, np.asarray(imageset.labels), [str(i) for i in imageset.items],
                      info, key, False, path if cache else None, meta)
    if cache:
        _save(path, result)
    return result
