"""Notebook 03's exercises: the report's numbers, best-epoch selection, and two that change the
model on the page (AlexNet's layers; fine-tuning only the top of the backbone)."""

from __future__ import annotations

from typing import Any

from helpers.exercises import exercise
from helpers.exercises.answers import as_function

# AlexNet up to its last layer, as torchvision builds it (the report's model): kernel sizes,
# filters, and 57,003,840 weights (61,100,840 with the 1000-class layer).
_CONV = ((11, 64), (5, 192), (3, 384), (3, 256), (3, 256))
_ALEXNET_WEIGHTS = 57_003_840


@exercise("03.alexnet", "AlexNet's layers written in Keras, up to its last layer")
def check_alexnet(answer: Any) -> str | None:
    import keras

    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    model = fn(224)
    if not isinstance(model, keras.Model):
        return "my_alexnet(224) must return a keras.Model (keras.Model(inputs, outputs))"
    layers = [layer for layer in _flat(model) if layer.weights]
    kinds = [type(layer).__name__ for layer in layers]
    if kinds != ["Conv2D"] * 5 + ["Dense"] * 2:
        return (f"your layers with weights are {kinds}: AlexNet has five Conv2D layers, then two "
                "Dense layers of 4096 (the eighth, the new softmax layer, comes from the page)")
    for layer, (size, filters) in zip(layers, _CONV, strict=False):
        if tuple(layer.kernel_size) != (size, size) or layer.filters != filters:
            return (f"a convolution has {layer.filters} filters of {layer.kernel_size}: AlexNet's "
                    "are 64 of 11x11 (stride 4), 192 of 5x5, then 384, 256 and 256 of 3x3")
    if tuple(model.output_shape[1:]) != (4096,):
        return f"the model should end in 4096 numbers per photo, not {model.output_shape[1:]}"
    count = model.count_params()
    if count == _ALEXNET_WEIGHTS:
        return None
    pooled = [type(layer).__name__ for layer in _flat(model)
              if type(layer).__name__.startswith("Global")]
    if pooled:
        return (f"a {pooled[0]} before the dense layers leaves far too few weights: the first "
                "dense layer should see the whole 6 x 6 x 256 grid after the last pooling "
                "(Flatten), not one number per channel")
    return (f"{count:,} weights, not AlexNet's {_ALEXNET_WEIGHTS:,}: check the strides (4 in the "
            "first convolution), padding='same', and a 3x3 max pooling with stride 2 after the "
            "first, second and fifth convolutions, which leaves a 6 x 6 x 256 grid at 224 px")


def _flat(model: Any) -> list[Any]:
    import keras

    out = []
    for layer in model.layers:
        out.extend(_flat(layer) if isinstance(layer, keras.Model) else [layer])
    return out


def _tiny_classifier() -> Any:
    """Three convolutions, each followed by BatchNorm, pooled, with the page's new head."""
    import keras

    from helpers.studies.rahlen2019 import saved

    x = inputs = keras.Input((16, 16, 3))
    for i in range(3):
        x = keras.layers.Conv2D(4, 3, name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
    base = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x), name="tiny")
    return saved.classifier_on(base, 3, lambda v: v, "tiny")


@exercise("03.unfreeze_top", "fine-tuning only the top layers of the backbone")
def check_unfreeze_top(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    clf = _tiny_classifier()
    for n, want in ((0, set()), (1, {"conv2"}), (2, {"conv1", "conv2"}), (5, {"conv0", "conv1", "conv2"})):
        fn(clf, n)
        learns = {layer.name for layer in _flat(clf.base) if layer.trainable and layer.weights}
        if not all(layer.trainable for layer in clf.head):
            return "the new head must always learn (clf.head's layers trainable)"
        if any(name.startswith("bn") for name in learns):
            return ("a BatchNormalization layer learns: keep every BatchNorm frozen (it holds "
                    "ImageNet's statistics), and do not count it among the n layers")
        if learns == want:
            continue
        if n and learns == {f"conv{i}" for i in range(min(n, 3))}:
            return f"with n={n} you unfreeze the FIRST layers; fine-tune the top (last) ones"
        return (f"with n={n} these layers learn: {sorted(learns) or 'none'}; want the last {n} "
                "layers that hold weights (BatchNorm not counted), every other one frozen")
    return None


@exercise("03.more_epochs", "predict: the best of 3 epochs against the best of 30")
def check_more_epochs(answer: Any) -> str | None:
    choice = str(answer).strip().strip("()").lower()
    if choice not in {"a", "b", "c"}:
        return "answer with one letter: 'a', 'b' or 'c'"
    if choice == "a":
        return None
    if choice == "b":
        return ("the 3-epoch run's epochs are the first 3 of the 30: can the highest of 3 numbers "
                "beat the highest of 30 numbers that include them?")
    return ("both numbers are maxima, and one set of epochs contains the other; it does not "
            "depend on the run")


# Table 4.4 (fine-tuning, fireplace): accuracies that fit a validation set of 159 images.
_FITS = ((85.53, 159, True), (79.24, 159, True), (80.50, 159, True), (80.05, 159, False),
         (76.00, 159, False), (96.87, 192, True), (33.33, 3, True), (33.40, 3, False),
         (50.00, 2, True))


@exercise("03.accuracy_fits", "can a printed accuracy be a whole count of n images?")
def check_accuracy_fits(answer: Any) -> str | None:
    fn = as_function(answer)
    if isinstance(fn, str):
        return fn
    for percent, n, want in _FITS:
        got = fn(percent, n)
        if not isinstance(got, (bool, int)) and type(got).__name__ != "bool_":
            return f"fits({percent}, {n}) returned {type(got).__name__}: return True or False"
        if bool(got) == want:
            continue
        if want:
            return (f"fits({percent}, {n}) should be True: the printed number is rounded (or cut) "
                    "to two decimals, so k / n almost never equals it exactly; allow a difference "
                    "below 0.01 percentage points")
        return (f"fits({percent}, {n}) should be {want}: look at the whole count k nearest to "
                f"{percent} % of {n}, and how far k / n is from {percent} %")
    return None
