"""The small CNN classifier of report 04, and its penultimate layer as an image descriptor.

Fetz et al. 2021 (section 1.2.5, figure 3) trained from scratch::

    Conv2D(16, 3, relu) -> MaxPool -> Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool
    -> Flatten -> Dense(1024, relu) -> Dense(n_classes, softmax)

with Adam and categorical cross-entropy; at 224 px the Flatten has 28 * 28 * 64 = 50,176
values and the first dense layer alone holds 51.4 M of the 51.4 M parameters, which is why the
report found it slow and unstable ("very different accuracy" from run to run). For retrieval
the 1024-wide dense layer (named ``features``) is the descriptor.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402

from helpers import training  # noqa: E402

FEATURE_LAYER = "features"


def build_small_cnn(
    image_size: int,
    n_classes: int,
    *,
    filters: Sequence[int] = (16, 32, 64),
    dense_units: int = 1024,
    dropout: float = 0.0,
) -> keras.Model:
    """The report's classifier; input is [0, 255] RGB (a ``Rescaling`` layer maps it to [0, 1])."""
    if n_classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {n_classes}")
    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = keras.layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    for i, f in enumerate(filters):
        x = keras.layers.Conv2D(f, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name=FEATURE_LAYER)(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="small_cnn")


def feature_model(classifier: keras.Model, layer: str = FEATURE_LAYER) -> keras.Model:
    """The classifier cut at ``layer`` (default its penultimate dense layer); shares weights."""
    return keras.Model(classifier.inputs, classifier.get_layer(layer).output, name=f"{layer}_of_{classifier.name}")


#: The report's classifier training: Adam 1e-3, cross-entropy, the best validation epoch kept.
CLASSIFIER_RECIPE = training.Recipe(optimizer="adam", learning_rate=1e-3, epochs=10,
                                    batch_size=32, patience=3)


def train_classifier(
    classifier: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    recipe: training.Recipe = CLASSIFIER_RECIPE,
    verbose: int = 0,
) -> training.TrainingRun:
    """Adam + sparse categorical cross-entropy (integer labels), best weights by validation.

    Works for any softmax classifier over any input (images or feature vectors), so the
    notebook also uses it for the dense head on frozen pretrained features.
    ``recipe.seed`` seeds the run (batch order, dropout).
    """
    return training.fit(classifier, (np.asarray(x, "float32"), np.asarray(y)), validation,
                        recipe, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                        verbose=verbose)


def build_feature_classifier(
    input_dim: int, n_classes: int, *, hidden: Sequence[int] = (512,), dropout: float = 0.3
) -> keras.Model:
    """The report's "few dense layers and a softmax" on top of frozen pretrained features.

    The last hidden layer is named ``features`` so :func:`feature_model` cuts it the same way.
    """
    if not hidden:
        raise ValueError("hidden must name at least one dense layer (it becomes the descriptor)")
    inputs = keras.Input((int(input_dim),), name="features_in")
    x = keras.layers.Dropout(dropout, name="dropout_in")(inputs) if dropout else inputs
    for i, units in enumerate(hidden):
        last = i == len(hidden) - 1
        x = keras.layers.Dense(units, activation="relu", name=FEATURE_LAYER if last else f"dense{i}")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="feature_classifier")
