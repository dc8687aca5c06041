"""Notebook 04's settings: its parameters, each declared once, and their values per profile.

The notebook's cell after the imports reads them with ``profile.from_notebook(globals())``: a
parameter left ``None`` there takes the profile's value below. ``MAX_PER_CLASS`` caps the images
per class before the split, so a large gallery runs as a reduced standard profile:
``python -m helpers.notebooks run --profile standard -p MAX_PER_CLASS 60 04``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from helpers import config

LOCAL_FEATURES = ("surf", "sift", "orb")  # SURF is the report's; SIFT and ORB for comparison


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 04's parameters (the parameters cell's names, lower-cased)."""

    # TRAIN_DATASET (training data for a query/gallery folder) and INSTANCE_DATASET are read by
    # the notebook.
    READ_AS_IS: ClassVar[tuple[str, ...]] = ("DATASET", "SEED", "TRAIN_DATASET",
                                             "INSTANCE_DATASET")

    backbones: tuple[str, ...]  # pretrained backbones; the first is the workhorse
    weights: str | None  # "imagenet", or None for random initialisation
    epochs: int  # dense head and Siamese epochs (early stopping may end them sooner)
    autoencoder_epochs: int  # the autoencoders' epochs
    cnn_epochs: int  # the small CNN's epochs
    image_size: int  # pretrained backbones and keypoints
    ae_image_size: int  # autoencoders (from scratch, so smaller)
    cnn_image_size: int  # the small CNN (the report: 224)
    batch_size: int  # images per batch
    max_per_class: int | None  # cap on images per class before splitting, None for all
    queries_per_class: int  # queries per class for the challenge; 0: every test image a query
    local_features: tuple[str, ...]  # keypoint methods compared
    max_keypoints: int | None  # keypoints kept per image (None: all)
    # Keypoints kept per image on the instance set (Holidays: every photo against all 807
    # others, 652,056 pairs; the cap keeps the matching within minutes on a CPU).
    instance_keypoints: int | None
    # Training seeds (SEED, SEED+1, ...) of each cheap trainer: the dense and Siamese heads on
    # cached features, the convolutional autoencoder, the small CNN; the VAE runs once.
    seeds: int
    cae_noise: float  # the convolutional autoencoder's Gaussian noise (the report: 0.3)
    cae_learning_rate: float  # its learning rate (discussed in the notebook)


SMOKE = Settings(
    profile="smoke", backbones=("mobilenetv2",), weights=None, epochs=1, autoencoder_epochs=1,
    cnn_epochs=1, image_size=64, ae_image_size=32, cnn_image_size=32, batch_size=16,
    max_per_class=24, queries_per_class=0, local_features=LOCAL_FEATURES, max_keypoints=100,
    instance_keypoints=32,
    seeds=1, cae_noise=0.3, cae_learning_rate=1e-3)
STANDARD = Settings(
    profile="standard", backbones=("mobilenetv2", "mobilenet", "mobilenetv3small"),
    weights="imagenet", epochs=30, autoencoder_epochs=12, cnn_epochs=8, image_size=224,
    ae_image_size=64, cnn_image_size=96, batch_size=32, max_per_class=None, queries_per_class=0,
    local_features=LOCAL_FEATURES, max_keypoints=250, instance_keypoints=64, seeds=3, cae_noise=0.3,
    cae_learning_rate=1e-3)
PAPER = Settings(
    profile="paper", backbones=("resnet50", "mobilenetv2", "mobilenet", "mobilenetv3small"),
    weights="imagenet", epochs=100, autoencoder_epochs=50, cnn_epochs=20, image_size=224,
    ae_image_size=224, cnn_image_size=224, batch_size=16, max_per_class=None,
    queries_per_class=0, local_features=LOCAL_FEATURES, max_keypoints=None, instance_keypoints=250,
    seeds=3,
    cae_noise=0.3, cae_learning_rate=1e-3)
PROFILES = {settings.profile: settings for settings in (SMOKE, STANDARD, PAPER)}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """The settings of the notebook whose ``globals()`` is ``namespace`` (see the module)."""
    return config.from_notebook(namespace, PROFILES)
