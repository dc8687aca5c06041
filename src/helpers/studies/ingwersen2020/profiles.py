"""Notebook 01's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the parameters cell;
the profile-wide values (image size, batch size, ...) are ``config.PROFILES``.
"""

from __future__ import annotations

from typing import Any

# The four preprocessing schemes compared in section 4.4; the last is report 01's flawed pipeline.
ALL_SCHEMES = ("simple", "imagenet", "places", "imagenet_then_255_bug")

#: Backbones with genuine ImageNet weights offline (all tf or own-rescaling mode).
REAL_BACKBONES = ("mobilenetv2", "mobilenet", "mobilenetv3small")
_ALL_BACKBONES = ("resnet50", "vgg16", *REAL_BACKBONES)

DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"backbones": ("mobilenetv2",), "ae_backbone": "mobilenetv2", "optimizer": "adam",
              "patience": 2, "random_init_per_class": None, "tsne_split": "test",
              "ae_batch_size": 32, "schemes": ALL_SCHEMES, "ae_seeds": 1, "noise_type": "gaussian",
              # Smoke stays as fast as before: no masked AE, no tables 4-5 (unit-tested).
              "mask_noise": (), "family_backbones": (),
              "family_schemes": ("imagenet", "places"), "family_train_per_class": None,
              "optimizer_demo": True},
    # Only the real backbones: random-init ResNet50/VGG16 rows fed no claim (paper runs them).
    "standard": {"backbones": REAL_BACKBONES, "ae_backbone": "mobilenetv2", "optimizer": "adam",
                 "patience": 8, "random_init_per_class": 5, "tsne_split": "train",
                 "ae_batch_size": 32, "schemes": ALL_SCHEMES, "ae_seeds": 3,
                 "noise_type": "gaussian", "mask_noise": (0.3,),
                 "family_backbones": REAL_BACKBONES, "family_schemes": ("imagenet", "places"),
                 "family_train_per_class": 100, "optimizer_demo": True},
    # The report's own: VGG16 features, Adadelta, up to 2000 epochs, t-SNE on the train split.
    "paper": {"backbones": _ALL_BACKBONES, "ae_backbone": "vgg16", "optimizer": "adadelta",
              "autoencoder_epochs": 2000, "patience": 20, "random_init_per_class": None,
              "tsne_split": "train", "ae_batch_size": 32, "schemes": ALL_SCHEMES, "ae_seeds": 3,
              "noise_type": "gaussian", "mask_noise": (0.3,), "family_backbones": _ALL_BACKBONES,
              "family_schemes": ("simple", "imagenet", "places"), "family_train_per_class": None,
              "optimizer_demo": True},
}

# The parameters cell's names that become settings; DATASET and SEED are read as they are.
PARAMETERS = ("BACKBONES", "AE_BACKBONE", "WEIGHTS", "SCHEMES", "EPOCHS", "PATIENCE", "OPTIMIZER",
              "IMAGE_SIZE", "BATCH_SIZE", "MAX_PER_CLASS", "RANDOM_INIT_PER_CLASS", "TSNE_SPLIT",
              "TSNE_PERPLEXITIES", "AE_SEEDS", "NOISE_TYPE", "FAMILY_BACKBONES", "OPTIMIZER_DEMO")
# The notebook's EPOCHS caps the autoencoders' training (the profile's ``epochs`` is unused here).
RENAMED = {"EPOCHS": "autoencoder_epochs"}
