"""Notebook 04's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the imports; the
profile-wide values (image size, batch size, ``max_per_class``, ...) are ``config.PROFILES``.
``MAX_PER_CLASS`` caps the images per class before the split, so a large gallery runs as a
reduced standard profile: ``python -m helpers.notebooks run --profile standard -p
MAX_PER_CLASS 60 04``.

``seeds``: how many training seeds (SEED, SEED+1, ...) each cheap trainer runs (the dense and
Siamese heads on cached features, the convolutional autoencoder, the small CNN); the VAE runs
once. The CAE's noise (0.3) is the report's; its learning rate and filters are discussed in the
notebook.
"""

from __future__ import annotations

from typing import Any

LOCAL_FEATURES = ("surf", "sift", "orb")  # SURF is the report's; SIFT and ORB for comparison

DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": dict(queries_per_class=2, epochs=1, autoencoder_epochs=1, cnn_epochs=1,
                  ae_image_size=32, cnn_image_size=32, max_keypoints=100,
                  local_features=LOCAL_FEATURES, seeds=1, cae_noise=0.3,
                  cae_learning_rate=1e-3),
    "standard": dict(backbones=("mobilenetv2", "mobilenet", "mobilenetv3small"),
                     queries_per_class=8, epochs=30, autoencoder_epochs=12, cnn_epochs=8,
                     ae_image_size=64, cnn_image_size=96, max_keypoints=250,
                     local_features=LOCAL_FEATURES, seeds=3, cae_noise=0.3,
                     cae_learning_rate=1e-3),
    "paper": dict(backbones=("resnet50", "mobilenetv2", "mobilenet", "mobilenetv3small"),
                  queries_per_class=14, epochs=100, autoencoder_epochs=50, cnn_epochs=20,
                  ae_image_size=224, cnn_image_size=224, batch_size=16, max_keypoints=None,
                  local_features=LOCAL_FEATURES, seeds=3, cae_noise=0.3,
                  cae_learning_rate=1e-3),
}

# The parameters cell's names that become settings; DATASET, TRAIN_DATASET, INSTANCE_DATASET and
# SEED are read as they are.
PARAMETERS = ("BACKBONES", "WEIGHTS", "EPOCHS", "AUTOENCODER_EPOCHS", "CNN_EPOCHS", "IMAGE_SIZE",
              "AE_IMAGE_SIZE", "CNN_IMAGE_SIZE", "BATCH_SIZE", "MAX_PER_CLASS",
              "QUERIES_PER_CLASS", "MAX_KEYPOINTS", "LOCAL_FEATURES", "SEEDS", "CAE_NOISE",
              "CAE_LEARNING_RATE")
