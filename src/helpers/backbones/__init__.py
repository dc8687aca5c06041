"""Backbones by name: Keras applications with resolved weights, feature taps and layer groups.

``build(name, tap)`` gives a feature extractor (preprocessed float images -> one vector per
image); ``base(name)`` the convolutional base (or the full classifier) for fine-tuning,
classifiers and siamese branches. Both return the model and a :class:`WeightsInfo` saying where
its weights came from; the report records it. Weights resolution, with the file names looked
for, is described in :mod:`helpers.backbones.weights`; layer groups in
:mod:`helpers.backbones.groups`.

Taps: ``"avg"`` / ``"max"`` (global pooling of the last convolutional block; every backbone),
``"flatten"`` / ``"fc1"`` / ``"fc2"`` (VGG16, VGG19, VGG16-Places365: read from the
classification topology, whose input is fixed at 224 px; other sizes are resized inside the
model) and ``"predictions"`` (the class probabilities of the head). ``"grid2"`` (every backbone): the
last map pooled to 2 x 2 cells, spatial layout kept (:mod:`helpers.backbones.grid`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from helpers import config
from helpers.backbones.grid import GRID_TAPS, grid_pooling
from helpers.backbones.groups import layer_groups, set_trainable
from helpers.backbones.registry import REGISTRY, BackboneSpec, get, names
from helpers.backbones.weights import (
    WeightsInfo,
    WeightsWarning,
    construct,
    file_sha256,
    fingerprint,
    locate,
)

__all__ = [
    "REGISTRY", "BackboneSpec", "WeightsInfo", "WeightsWarning", "base", "build",
    "decode_top5", "file_sha256", "fingerprint", "get", "imagenet_labels", "layer_groups",
    "locate", "names", "resolve_tap", "set_trainable", "with_real_weights",
]


def resolve_tap(name: str, tap: str | None) -> str:
    """``tap`` checked against the backbone's taps; None gives its default tap."""
    spec = get(name)
    tap = spec.default_tap if tap is None else tap
    if tap not in spec.taps and tap not in GRID_TAPS:
        raise ValueError(f"{spec.name} has no tap {tap!r}; choose one of {spec.taps}")
    return tap


def _check_size(spec: BackboneSpec, image_size: int | None) -> int:
    size = spec.input_size if image_size is None else int(image_size)
    if size < spec.min_size:
        raise ValueError(f"{spec.name} needs images of at least {spec.min_size} px; got {size}")
    return size


def base(
    name: str,
    weights: Any = "imagenet",
    image_size: int | None = None,
    include_top: bool = False,
    pooling: str | None = None,
) -> tuple[Any, WeightsInfo]:
    """The backbone itself: convolutional base (``include_top=False``) or full classifier.

    Input: preprocessed float images ``(image_size, image_size, 3)`` (see
    :mod:`helpers.preprocessing`); with ``include_top=True`` the size is the architecture's
    own (224, InceptionV3 299, EfficientNetV2S 384). ``pooling`` is None, "avg" or "max".
    Returns ``(model, WeightsInfo)``; a missing pretrained file warns and falls back to random.
    """
    spec = get(name)
    if include_top:
        size = spec.input_size
        if image_size not in (None, size):
            raise ValueError(f"{spec.name} with its head takes {size} px inputs; got {image_size}")
        kwargs: dict[str, Any] = {"input_shape": (size, size, 3)}
    else:
        size = _check_size(spec, image_size)
        kwargs = {"input_shape": (size, size, 3), "pooling": pooling}
    return construct(spec, include_top, weights, **kwargs)


def build(
    name: str,
    tap: str | None = None,
    weights: Any = "imagenet",
    image_size: int | None = None,
) -> tuple[Any, WeightsInfo]:
    """A feature extractor: preprocessed ``(N, S, S, 3)`` float32 -> ``(N, D)`` vectors.

    ``S`` is ``image_size`` (default: the backbone's own size). Taps that read the
    classification topology (VGG fc layers, predictions) resize to its fixed size inside the
    model: bilinear resizing of already preprocessed pixels equals resizing then
    preprocessing, since every scheme is a per-channel affine map.
    """
    import keras

    spec = get(name)
    tap = resolve_tap(spec.name, tap)
    if tap in GRID_TAPS:
        trunk, info = base(spec.name, weights, image_size, include_top=False, pooling=None)
        pooled = grid_pooling(GRID_TAPS[tap])(trunk.output)
        return keras.Model(trunk.inputs, pooled, name=f"{spec.name}_{tap}"), info
    if not spec.needs_top(tap):
        model, info = base(spec.name, weights, image_size, include_top=False, pooling=tap)
        return model, info
    full, info = base(spec.name, weights, include_top=True)
    size = _check_size(spec, image_size)
    inputs = keras.Input((size, size, 3), name="pixels")
    x = inputs
    if size != spec.input_size:
        x = keras.layers.Resizing(spec.input_size, spec.input_size, name="to_fixed_size")(x)
    layer = full.layers[-1] if tap == "predictions" else full.get_layer(tap)
    trunk = keras.Model(full.inputs, layer.output, name=f"{spec.name}_{tap}_trunk")
    model = keras.Model(inputs, trunk(x), name=f"{spec.name}_{tap}")
    return model, info


def with_real_weights(include_top: bool = False) -> list[str]:
    """Backbones whose pretrained weights resolve to a real file here (no download tried)."""
    found = []
    for spec in REGISTRY.values():
        try:
            info = locate(spec, include_top, "imagenet")
        except (OSError, ValueError):
            info = None
        if info is not None:
            found.append(spec.name)
    return found


def _labels_file() -> Path | None:
    root = config.user_weights_root()
    if root is not None and (root / "imagenet_labels_1000.txt").is_file():
        return root / "imagenet_labels_1000.txt"
    return None


def imagenet_labels() -> list[str]:
    """The 1000 ImageNet class names in Keras's class-index order.

    Read from ``$LOOKALIKE_WEIGHTS/imagenet_labels_1000.txt`` (one name per line); else from
    Keras's ``imagenet_class_index.json`` (cache or download).
    """
    path = _labels_file()
    if path is not None:
        labels = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        labels = [line for line in labels if line]
    else:
        import json

        import keras

        try:
            index_path = keras.utils.get_file(
                "imagenet_class_index.json",
                "https://storage.googleapis.com/download.tensorflow.org/data/"
                "imagenet_class_index.json",
                cache_subdir="models",
            )
        except Exception as error:
            raise FileNotFoundError(
                "ImageNet class names not found: put imagenet_labels_1000.txt in "
                f"$LOOKALIKE_WEIGHTS, or allow Keras to download its index ({error})"
            ) from error
        index = json.loads(Path(index_path).read_text())
        labels = [index[str(i)][1].replace("_", " ") for i in range(len(index))]
    if len(labels) != 1000:
        raise ValueError(f"expected 1000 ImageNet class names, got {len(labels)}")
    return labels


def decode_top5(probs: Any, labels: list[str] | None = None) -> list[list[tuple[int, str, float]]]:
    """Per image, the five most probable classes as ``(index, name, probability)``."""
    array = np.asarray(probs, dtype=np.float64)
    if array.ndim == 1:
        array = array[None]
    labels = labels if labels is not None else imagenet_labels()
    if array.shape[1] != len(labels):
        raise ValueError(f"probabilities have {array.shape[1]} classes, labels {len(labels)}")
    top = np.argsort(-array, axis=1)[:, :5]
    return [[(int(i), labels[i], float(row[i])) for i in idx] for row, idx in zip(array, top, strict=True)]
