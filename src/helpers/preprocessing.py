"""Pixel preprocessing schemes the reports compare, by name.

Every scheme takes RGB images with values in [0, 255] (uint8 or float) and returns float32:

``simple``
    ``x / 255``: pixels in [0, 1], whatever the backbone (report 01's "simple" baseline).
``imagenet``
    The backbone's own ``keras.applications.<module>.preprocess_input``, which is one of four
    *modes*: ``caffe`` (RGB->BGR, minus the ImageNet channel means 103.939, 116.779, 123.68;
    ResNet50, VGG16/19), ``tf`` (scale to [-1, 1]; MobileNet, MobileNetV2, InceptionV3),
    ``torch`` (/255, minus mean, over std per channel; DenseNet121) and ``none`` (EfficientNet,
    EfficientNetV2 and MobileNetV3 rescale inside the model, so their ``preprocess_input`` is
    the identity).
``places``
    The Places365 Caffe convention: RGB->BGR, minus the Places365 means 104.006, 116.669,
    122.679 (given in BGR order), no scaling.
``imagenet_then_255_bug``
    **Our reconstruction of a bug, not a scheme to use.** ``imagenet`` preprocessing, then a
    second division by 255, which squeezes the inputs into a tiny range around zero (within
    +-0.5 for Caffe-mode ResNet50/VGG16, +-0.004 for the tf-mode MobileNets). Neither report
    says what the flaw was: report 01 calls the pipeline "ImageNet", report 02 says only that
    the scheme "was used incorrectly". The evidence for this reading is report 01's table 5:
    its "ImageNet" row (0.341 test top-1) is as low as its "Simple" (x / 255) row (0.337), far
    below Places (0.650), which fits inputs divided by 255 once too often. Kept so the
    notebooks can show the flawed and the correct pipeline side by side.

:func:`apply` works on NumPy batches (fast, never modifies its input) and on Keras tensors
(through ``keras.ops``, any backend); :func:`layer` wraps a scheme as a Keras layer so a
trainable model can take uint8-range images directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCHEMES: tuple[str, ...] = ("simple", "imagenet", "places", "imagenet_then_255_bug")
MODES: tuple[str, ...] = ("caffe", "tf", "torch", "none")

# Channel means in BGR order, as the Caffe models were trained with.
IMAGENET_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
PLACES365_MEAN_BGR = (104.006, 116.669, 122.679)
# torch mode (DenseNet): per-channel RGB statistics of ImageNet at [0, 1] scale.
TORCH_MEAN_RGB = (0.485, 0.456, 0.406)
TORCH_STD_RGB = (0.229, 0.224, 0.225)


def backbone_mode(backbone: str) -> str:
    """The ``preprocess_input`` mode of a registered backbone (``caffe``/``tf``/``torch``/``none``)."""
    # Imported here: backbones is the single source of truth for each backbone's mode, and it
    # pulls in keras, which plain NumPy users of this module should not pay for at import.
    from helpers import backbones

    return backbones.get(backbone).preprocess_mode


def _check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown preprocessing scheme {scheme!r}; choose one of {SCHEMES}")
    return scheme


def _affine(scheme: str, backbone: str | None) -> tuple[bool, np.ndarray, np.ndarray]:
    """A scheme as ``(flip_rgb_to_bgr, scale, offset)``: output = flip(x) * scale + offset.

    Every scheme is a per-channel affine map (after an optional channel flip), so NumPy and
    keras.ops share one definition and the NumPy path is a single fused multiply-add.
    """
    _check_scheme(scheme)
    if scheme == "simple":
        return False, np.full(3, 1 / 255, np.float32), np.zeros(3, np.float32)
    if scheme == "places":
        return True, np.ones(3, np.float32), -np.asarray(PLACES365_MEAN_BGR, np.float32)
    if backbone is None:
        raise ValueError(f"scheme {scheme!r} depends on the backbone: pass backbone=<name>")
    mode = backbone_mode(backbone)
    if mode == "caffe":
        flip, scale = True, np.ones(3, np.float64)
        offset = -np.asarray(IMAGENET_CAFFE_MEAN_BGR, np.float64)
    elif mode == "tf":
        flip, scale, offset = False, np.full(3, 1 / 127.5), np.full(3, -1.0)
    elif mode == "torch":
        std = np.asarray(TORCH_STD_RGB)
        flip, scale = False, 1 / (255.0 * std)
        offset = -np.asarray(TORCH_MEAN_RGB) / std
    elif mode == "none":
        flip, scale, offset = False, np.ones(3), np.zeros(3)
    else:  # a registry entry with a mode this module does not know
        raise ValueError(f"backbone {backbone!r} has unknown preprocess mode {mode!r}")
    if scheme == "imagenet_then_255_bug":
        # The bug: the already-preprocessed tensor divided by 255 a second time.
        scale, offset = scale / 255.0, offset / 255.0
    return flip, scale.astype(np.float32), offset.astype(np.float32)


def apply(scheme: str, images: Any, backbone: str | None = "mobilenetv2") -> Any:
    """Preprocess RGB images in [0, 255] with a named scheme; returns float32.

    ``images`` is a NumPy array (N, H, W, 3) or (H, W, 3), uint8 or float (the input is never
    modified), or a Keras/backend tensor, for which the same arithmetic runs through
    ``keras.ops`` (usable inside a model). ``backbone`` picks the ``imagenet`` mode; ``simple``
    and ``places`` ignore it.
    """
    flip, scale, offset = _affine(scheme, backbone)
    if isinstance(images, np.ndarray):
        if images.ndim < 3 or images.shape[-1] != 3:
            raise ValueError(f"expected RGB images (..., H, W, 3); got shape {images.shape}")
        # astype always copies, so the caller's array is never modified.
        out = (images[..., ::-1] if flip else images).astype(np.float32)
        # Broadcasting a length-3 vector over the last axis runs NumPy's inner loop 3 elements
        # at a time (~10x slower); tiled over whole image rows the loops are long and fast.
        width = out.shape[-2]
        rows = out.reshape(-1, width * 3)
        if not np.all(scale == 1):
            rows *= np.tile(scale, width)
        if np.any(offset != 0):
            rows += np.tile(offset, width)
        return out
    import keras

    x = keras.ops.cast(images, "float32")
    if flip:
        x = keras.ops.flip(x, axis=-1)
    return x * keras.ops.convert_to_tensor(scale) + keras.ops.convert_to_tensor(offset)


def _register(cls: type) -> type:
    import keras

    return keras.saving.register_keras_serializable(package="lookalike")(cls)


def layer(scheme: str, backbone: str | None = "mobilenetv2", name: str | None = None) -> Any:
    """A Keras layer applying ``scheme`` (for ``backbone``) to [0, 255] RGB inputs.

    Put it first in a trainable model (classifier, siamese branch) so the model's input is
    plain pixels and preprocessing runs on the accelerator with the rest of the graph.
    """
    _affine(scheme, backbone)  # validate now, not at the first call
    return _layer_class()(scheme=scheme, backbone=backbone, name=name or f"preprocess_{scheme}")


_LAYER_CLASS: type | None = None


def _layer_class() -> type:
    """Define the layer class on first use so importing this module does not import keras."""
    global _LAYER_CLASS
    if _LAYER_CLASS is None:
        import keras

        class Preprocess(keras.layers.Layer):
            """Applies a :mod:`helpers.preprocessing` scheme; no weights, serialisable."""

            def __init__(self, scheme: str, backbone: str | None = None, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self.scheme, self.backbone = scheme, backbone

            def call(self, inputs: Any) -> Any:
                return apply(self.scheme, inputs, backbone=self.backbone)

            def compute_output_shape(self, input_shape: Any) -> Any:
                return input_shape

            def get_config(self) -> dict[str, Any]:
                return {**super().get_config(), "scheme": self.scheme, "backbone": self.backbone}

        _LAYER_CLASS = _register(Preprocess)
    return _LAYER_CLASS


def describe(scheme: str, backbone: str | None = "mobilenetv2") -> str:
    """One line saying what a scheme does for a backbone, for notebook tables."""
    _check_scheme(scheme)
    if scheme == "simple":
        return "x / 255"
    if scheme == "places":
        return "RGB->BGR, minus Places365 means (104.006, 116.669, 122.679)"
    mode = backbone_mode(backbone) if backbone else "?"
    text = {
        "caffe": "RGB->BGR, minus ImageNet means (103.939, 116.779, 123.68)",
        "tf": "x / 127.5 - 1",
        "torch": "(x / 255 - mean) / std, ImageNet RGB statistics",
        "none": "identity (the model rescales inside)",
    }[mode]
    if scheme == "imagenet_then_255_bug":
        return f"BUG (report 01): [{text}] then / 255 again"
    return text
