"""The backbone registry: each name's Keras constructor, preprocessing, input size, taps, files.

A :class:`BackboneSpec` knows everything about a backbone that does not need keras to be
imported: the constructor and ``preprocess_input`` are looked up in ``keras.applications``
only when called, so importing the registry is cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Taps every backbone has: global average / max pooling of the last convolutional block.
POOL_TAPS = ("avg", "max")
# Taps that need the classification topology (include_top=True) and its fixed input size.
VGG_TOP_TAPS = ("flatten", "fc1", "fc2")
HEAD_TAP = "predictions"


class _KerasApp:
    """``keras.applications.<attr>`` resolved on call (keeps keras out of import time)."""

    def __init__(self, attr: str) -> None:
        self.attr = attr

    def __call__(self, **kwargs: Any) -> Any:
        import keras

        return getattr(keras.applications, self.attr)(**kwargs)

    def __repr__(self) -> str:
        return f"keras.applications.{self.attr}"


class _KerasPreprocess:
    """``keras.applications.<module>.preprocess_input`` resolved on call."""

    def __init__(self, module: str) -> None:
        self.module = module

    def __call__(self, x: Any, **kwargs: Any) -> Any:
        mod = importlib.import_module(f"keras.applications.{self.module}")
        return mod.preprocess_input(x, **kwargs)

    def __repr__(self) -> str:
        return f"keras.applications.{self.module}.preprocess_input"


@dataclass(frozen=True)
class BackboneSpec:
    """What the helpers know about one backbone.

    ``weight_files`` lists file names looked for in ``$LOOKALIKE_WEIGHTS``, per topology
    (``"top"``: with the classification head; ``"notop"``: convolutional base only), best
    first. ``keras_files`` are the names Keras's own download uses in its cache
    (``~/.keras/models``); None where Keras publishes no weights (Places365).
    """

    name: str
    constructor: Callable[..., Any]
    preprocess_input: Callable[..., Any]
    input_size: int
    taps: tuple[str, ...]
    weight_files: dict[str, tuple[str, ...]]
    default_tap: str
    preprocess_mode: str  # caffe | tf | torch | none: see helpers.preprocessing
    keras_files: dict[str, str] | None = None
    constructor_kwargs: dict[str, Any] = field(default_factory=dict)
    pretrained_on: str = "imagenet"  # the data set its published weights were trained on
    classes: int = 1000
    min_size: int = 32  # smallest input side keras.applications accepts for the base

    def needs_top(self, tap: str) -> bool:
        """True when ``tap`` is read from the classification topology (fixed input size)."""
        return tap in VGG_TOP_TAPS or tap == HEAD_TAP


def _spec(
    name: str,
    attr: str,
    module: str,
    mode: str,
    files: tuple[str, str] | None,
    *,
    size: int = 224,
    taps: tuple[str, ...] = POOL_TAPS + (HEAD_TAP,),
    default_tap: str = "avg",
    extra_top: tuple[str, ...] = (),
    extra_notop: tuple[str, ...] = (),
    **kwargs: Any,
) -> BackboneSpec:
    # Every architecture also accepts <name>.weights.h5 / <name>_notop.weights.h5 (DESIGN.md);
    # names given for the shared files (mobilenet_v2_1.00_224...) come first.
    top = tuple(dict.fromkeys((*extra_top, f"{name}.weights.h5", f"{name}.h5")))
    notop = tuple(dict.fromkeys((*extra_notop, f"{name}_notop.weights.h5", f"{name}_notop.h5")))
    return BackboneSpec(
        name=name,
        constructor=_KerasApp(attr),
        preprocess_input=_KerasPreprocess(module),
        input_size=size,
        taps=taps,
        weight_files={"top": top, "notop": notop},
        default_tap=default_tap,
        preprocess_mode=mode,
        keras_files={"top": files[0], "notop": files[1]} if files else None,
        **kwargs,
    )


def _tf_kernels(stem: str) -> tuple[str, str]:
    return (
        f"{stem}_weights_tf_dim_ordering_tf_kernels.h5",
        f"{stem}_weights_tf_dim_ordering_tf_kernels_notop.h5",
    )


_VGG_TAPS = POOL_TAPS + VGG_TOP_TAPS + (HEAD_TAP,)

REGISTRY: dict[str, BackboneSpec] = {
    s.name: s
    for s in (
        # Report 01 used ResNet50's global *max* pool; reports 02/04/05 the average pool.
        _spec("resnet50", "ResNet50", "resnet50", "caffe", _tf_kernels("resnet50"),
              default_tap="max"),
        _spec("vgg16", "VGG16", "vgg16", "caffe", _tf_kernels("vgg16"), taps=_VGG_TAPS,
              default_tap="fc1"),
        _spec("vgg19", "VGG19", "vgg19", "caffe", _tf_kernels("vgg19"), taps=_VGG_TAPS,
              default_tap="fc1"),
        _spec("efficientnetb0", "EfficientNetB0", "efficientnet", "none",
              ("efficientnetb0.h5", "efficientnetb0_notop.h5")),
        _spec("densenet121", "DenseNet121", "densenet", "torch", _tf_kernels("densenet121")),
        _spec("inceptionv3", "InceptionV3", "inception_v3", "tf", _tf_kernels("inception_v3"),
              size=299, min_size=75),
        _spec("mobilenet", "MobileNet", "mobilenet", "tf",
              ("mobilenet_1_0_224_tf.h5", "mobilenet_1_0_224_tf_no_top.h5"),
              extra_top=("mobilenet_1.00_224.weights.h5",),
              extra_notop=("mobilenet_1.00_224_notop.weights.h5",),
              constructor_kwargs={"alpha": 1.0}),
        _spec("mobilenetv2", "MobileNetV2", "mobilenet_v2", "tf",
              ("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
               "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"),
              extra_top=("mobilenet_v2_1.00_224.weights.h5",),
              extra_notop=("mobilenet_v2_1.00_224_notop.weights.h5",),
              constructor_kwargs={"alpha": 1.0}),
        _spec("mobilenetv3large", "MobileNetV3Large", "mobilenet_v3", "none",
              ("weights_mobilenet_v3_large_224_1.0_float.h5",
               "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5")),
        _spec("mobilenetv3small", "MobileNetV3Small", "mobilenet_v3", "none",
              ("weights_mobilenet_v3_small_224_1.0_float.h5",
               "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5")),
        _spec("efficientnetv2s", "EfficientNetV2S", "efficientnet_v2", "none",
              ("efficientnetv2-s.h5", "efficientnetv2-s_notop.h5"), size=384),
        # VGG16 topology with a 365-way head. Keras publishes no Places365 weights: they come
        # only from a file the user has (for example converted from the CSAILVision Caffe
        # model, or the community Keras port "vgg16-places365_weights_tf_dim_ordering_tf_
        # kernels.h5"). Its own convention is the Places (BGR, Places365 means) scheme.
        _spec("vgg16_places365", "VGG16", "vgg16", "caffe", None, taps=_VGG_TAPS,
              default_tap="fc1", pretrained_on="places365", classes=365,
              extra_top=("vgg16_places365.weights.h5",
                         "vgg16-places365_weights_tf_dim_ordering_tf_kernels.h5"),
              extra_notop=("vgg16_places365_notop.weights.h5",
                           "vgg16-places365_weights_tf_dim_ordering_tf_kernels_notop.h5"),
              constructor_kwargs={"name": "vgg16_places365"}),
    )
}


def names() -> list[str]:
    """All registered backbone names, in registry order."""
    return list(REGISTRY)


def get(name: str) -> BackboneSpec:
    """The spec of ``name`` (case-insensitive); a clear error listing the names otherwise."""
    key = str(name).lower()
    if key not in REGISTRY:
        raise ValueError(f"unknown backbone {name!r}; choose one of {names()}")
    return REGISTRY[key]
