"""Reference answers to notebook 03's exercises (teachers and tests only)."""

from __future__ import annotations

import keras

from helpers.classifiers.model import flat_layers


def accuracy_fits(percent, n):
    k = round(percent * n / 100)
    return abs(100 * k / n - percent) < 0.01


def accuracy_fits_exactly(percent, n):  # typical mistake: forgets the printed rounding
    return (percent * n / 100) % 1 == 0


def my_alexnet(image_size=224):
    x = pixels = keras.Input((image_size, image_size, 3))
    for filters, size, stride, pool in ((64, 11, 4, True), (192, 5, 1, True), (384, 3, 1, False),
                                        (256, 3, 1, False), (256, 3, 1, True)):
        x = keras.layers.Conv2D(filters, size, strides=stride, padding="same",
                                activation="relu")(x)
        if pool:
            x = keras.layers.MaxPooling2D(3, strides=2)(x)
    x = keras.layers.Flatten()(x)
    for units in (4096, 4096):
        x = keras.layers.Dense(units, activation="relu")(keras.layers.Dropout(0.5)(x))
    return keras.Model(pixels, x)


def alexnet_global_pooling(image_size=224):  # typical mistake: a global average, not the grid
    x = pixels = keras.Input((image_size, image_size, 3))
    for filters, size, stride in ((64, 11, 4), (192, 5, 1), (384, 3, 1), (256, 3, 1), (256, 3, 1)):
        x = keras.layers.Conv2D(filters, size, strides=stride, padding="same",
                                activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    for _ in range(2):
        x = keras.layers.Dense(4096, activation="relu")(x)
    return keras.Model(pixels, x)


def set_mode_top(clf, n):
    batchnorm = keras.layers.BatchNormalization
    weighted = [layer for layer in flat_layers(clf.base)
                if layer.weights and not isinstance(layer, batchnorm)]
    top = {layer.name for layer in weighted[max(0, len(weighted) - n):]} if n else set()
    clf.base.trainable = True
    for layer in flat_layers(clf.base):
        layer.trainable = layer.name in top
    for layer in clf.head:
        layer.trainable = True


def set_mode_bottom(clf, n):  # typical mistake: the first n layers, not the last
    batchnorm = keras.layers.BatchNormalization
    weighted = [layer for layer in flat_layers(clf.base)
                if layer.weights and not isinstance(layer, batchnorm)]
    first = {layer.name for layer in weighted[:n]}
    clf.base.trainable = True
    for layer in flat_layers(clf.base):
        layer.trainable = layer.name in first
    for layer in clf.head:
        layer.trainable = True


SOLUTIONS = {
    "03.more_epochs": "a",
    "03.accuracy_fits": accuracy_fits,
    "03.alexnet": my_alexnet,
    "03.unfreeze_top": set_mode_top,
}

WRONG = {
    "03.more_epochs": "c",
    "03.accuracy_fits": accuracy_fits_exactly,
    "03.alexnet": alexnet_global_pooling,
    "03.unfreeze_top": set_mode_bottom,
}
