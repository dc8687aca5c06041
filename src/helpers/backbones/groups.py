"""Named layer groups of each backbone, for fine-tuning "stage 5" or "stage 6 blocks c, d".

Groups are found from Keras's layer names, walking the layers in order: a layer whose name
says where it belongs opens (or continues) that group, and auto-named layers in between
(``re_lu_3``, ``activation_7``, InceptionV3's ``conv2d_12``) stay with the group before them.

Every backbone has ``"all"`` (every layer with weights) and, where its topology has one,
``"head"`` (pooling, fully connected and prediction layers). Per family:

- ResNet50: ``stage1`` (conv1/pool1) .. ``stage5`` (conv5_*), and ``stage3_block2`` style blocks.
- EfficientNetB0/V2S: ``stem``, ``stage1`` .. ``stage7`` (``block<N>*``), blocks ``block6c``,
  and ``top`` (top_conv/top_bn).
- VGG: ``stage1`` .. ``stage5`` (block<N>_*); DenseNet121: ``stage1`` .. ``stage5``.
- MobileNet/MobileNetV2/MobileNetV3: ``block_<i>`` per block and ``stage1`` .. ``stage5`` by
  output resolution (112, 56, 28, 14, 7 px at 224 input).
- InceptionV3: ``mixed0`` .. ``mixed10``, each ending at its concatenation (``mixed0`` starts
  at the input: its stem convolutions are auto-named and cannot be told apart by name).

The shared ImageNet files have BatchNorm folded into the convolutions: BatchNorm layers must
stay in inference mode when fine-tuning, which :func:`set_trainable` guarantees by leaving
them non-trainable (Keras runs a non-trainable BatchNormalization in inference mode).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from helpers.backbones.registry import get

# Anchored: InceptionV3's inner "max_pooling2d_3" or "average_pooling2d" are not the head.
_HEAD = re.compile(
    r"^(avg_pool|max_pool|flatten|fc1|fc2|predictions|top_dropout|dropout|"
    r"global_(average|max)_pooling2d)(_\d+)?$"
)


def _resnet(name: str) -> list[str] | None:
    if re.match(r"^(conv1_|pool1_)", name):
        return ["stage1"]
    m = re.match(r"^conv([2-5])_block(\d+)_", name)
    if m:
        return [f"stage{m[1]}", f"stage{m[1]}_block{m[2]}"]
    return None


def _efficientnet(name: str) -> list[str] | None:
    if re.match(r"^(stem_|rescaling|normalization)", name):
        return ["stem"]
    m = re.match(r"^block(\d+)([a-z]+)_", name)
    if m:
        return [f"stage{m[1]}", f"block{m[1]}{m[2]}"]
    if name.startswith("top_") and name != "top_dropout":
        return ["top"]
    return None


def _vgg(name: str) -> list[str] | None:
    m = re.match(r"^block(\d)_", name)
    return [f"stage{m[1]}"] if m else None


def _densenet(name: str) -> list[str] | None:
    if re.match(r"^(conv1/|conv1_|zero_padding2d$|pool1$)", name):
        return ["stage1"]
    m = re.match(r"^(?:conv|pool)([2-5])_", name)
    if m:
        return [f"stage{m[1]}"]
    return ["stage5"] if name in ("bn", "relu") else None


def _by_block(pattern: str, stages: dict[int, int], stem: re.Pattern[str], top: re.Pattern[str]):
    """Mobile nets: block index from the name, stage from the block's output resolution."""

    def rule(name: str) -> list[str] | None:
        if stem.match(name):
            return ["stage1", "stem"]
        m = re.match(pattern, name)
        if m:
            block = int(m[1] or 0)
            stage = max(s for b, s in stages.items() if b <= block)
            return [f"stage{stage}", f"block_{block}"]
        return ["stage5", "top"] if top.match(name) else None

    return rule


_RULES: dict[str, Callable[[str], list[str] | None]] = {
    "resnet50": _resnet,
    "efficientnetb0": _efficientnet,
    "efficientnetv2s": _efficientnet,
    "vgg16": _vgg,
    "vgg19": _vgg,
    "vgg16_places365": _vgg,
    "densenet121": _densenet,
    # MobileNetV2: block_0 is "expanded_conv"; blocks 1-2 at 56 px, 3-5 at 28, 6-12 at 14.
    "mobilenetv2": _by_block(r"^(?:expanded_conv|block_(\d+))_", {0: 1, 1: 2, 3: 3, 6: 4, 13: 5},
                             re.compile(r"^(Conv1|bn_Conv1|Conv1_relu)"),
                             re.compile(r"^(Conv_1|out_relu)")),
    "mobilenet": _by_block(r"^conv_(?:dw|pw|pad)_(\d+)", {1: 1, 2: 2, 4: 3, 6: 4, 12: 5},
                           re.compile(r"^conv1"), re.compile(r"^(conv_preds|reshape)")),
    "mobilenetv3large": _by_block(r"^expanded_conv(?:_(\d+))?_", {0: 1, 1: 2, 3: 3, 6: 4, 12: 5},
                                  re.compile(r"^(rescaling|conv$|conv_bn)"),
                                  re.compile(r"^(conv_1|conv_2|logits)")),
    "mobilenetv3small": _by_block(r"^expanded_conv(?:_(\d+))?_", {0: 2, 1: 3, 3: 4, 8: 5},
                                  re.compile(r"^(rescaling|conv$|conv_bn)"),
                                  re.compile(r"^(conv_1|conv_2|logits)")),
}


def _walk(model: Any) -> Iterator[Any]:
    """Layers in order, descending into nested models (a base inside a classifier)."""
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from _walk(layer)
        else:
            yield layer


def _inception(layers: list[Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    current = "mixed0"
    for layer in layers:
        if _HEAD.match(layer.name):
            groups.setdefault("head", []).append(layer.name)
            continue
        groups.setdefault(current, []).append(layer.name)
        m = re.match(r"^mixed(\d+)$", layer.name)
        if m:  # the concatenation closes mixed<k>; what follows builds mixed<k+1>
            current = f"mixed{int(m[1]) + 1}"
    return groups


def layer_groups(name: str, model: Any) -> dict[str, list[str]]:
    """``{group: [layer names]}`` for a model built from backbone ``name`` (see module doc)."""
    spec = get(name)
    layers = [layer for layer in _walk(model) if not layer.name.startswith("input")]
    if spec.name == "inceptionv3":
        groups = _inception(layers)
    else:
        rule = _RULES[spec.name]
        groups = {}
        current: list[str] = []
        for layer in layers:
            if _HEAD.match(layer.name):
                groups.setdefault("head", []).append(layer.name)
                continue
            found = rule(layer.name)
            current = found if found is not None else current
            for group in current:
                groups.setdefault(group, []).append(layer.name)
    groups["all"] = [layer.name for layer in layers if layer.weights]
    return groups


def set_trainable(model: Any, groups: str | Iterable[str], name: str) -> list[str]:
    """Make exactly the layers of ``groups`` trainable (BatchNorm always frozen).

    ``groups`` is a group name or several (``["stage7", "block6c", "block6d"]``); ``[]``
    freezes everything. BatchNormalization layers stay non-trainable, so they run in inference
    mode even inside ``fit``: the shared weights have BN folded into the convolutions and batch
    statistics would wreck them (call the base with ``training=False`` as well). Returns the
    names of the layers left trainable that hold weights.
    """
    import keras

    wanted = [groups] if isinstance(groups, str) else list(groups)
    available = layer_groups(name, model)
    unknown = [g for g in wanted if g not in available]
    if unknown:
        raise ValueError(f"unknown layer groups {unknown} for {name}; have {sorted(available)}")
    selected = {layer for g in wanted for layer in available[g]}
    model.trainable = True
    trainable: list[str] = []
    for layer in _walk(model):
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = layer.name in selected and not is_bn
        if layer.trainable and layer.weights:
            trainable.append(layer.name)
    return trainable
