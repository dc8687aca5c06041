"""Notebook 02's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the parameters cell;
the profile-wide values (image size, batch size, ...) are ``config.PROFILES``.
"""

from __future__ import annotations

from typing import Any

# This notebook's own knobs per profile (config.resolve_notebook merges them over
# the shared profile).
# standard is sized for ~10 minutes on a 2-core laptop CPU; paper is the report's own scale.
# layer_configs: how many of the backbone's LAYER_CONFIGS to run (None = all); supcon_config:
# which of them SupCon trains (an index; None = the best cross-entropy one by validation).
DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {
        "backbones": ("mobilenetv2",), "finetune_backbones": ("mobilenetv2",),
        "layer_configs": 2, "grid_epochs": 1, "epochs": 1, "patience": 1, "copies": 2,
        "supcon_epochs": 1,
        "supcon_batch_size": 16, "supcon_learning_rate": 0.01, "temperature": 0.1,
        "contrastive_losses": ("supcon",), "supcon_config": 0, "schemes": ("places", "own"),
        "scheme_per_class": 6,
        "pca_dims": (64, 32), "autoencoder_dims": (32,), "autoencoder_epochs": 2,
        "nan_check_items": 34, "probe_epochs": 5, "gallery_queries": 2, "cache_dtype": "float32",
    },
    "standard": {
        "backbones": ("mobilenetv2", "mobilenet"), "finetune_backbones": ("mobilenetv2",),
        "layer_configs": None, "grid_epochs": 3, "epochs": 6, "patience": 2, "copies": 2,
        "supcon_epochs": 6,
        "supcon_batch_size": 64, "supcon_learning_rate": 0.01, "temperature": 0.1,
        "contrastive_losses": ("supcon", "margin"), "supcon_config": 0,
        "schemes": ("places", "caffe", "own"), "scheme_per_class": 60,
        "pca_dims": (512, 256, 128, 64), "autoencoder_dims": (512,), "autoencoder_epochs": 60,
        "nan_check_items": 578, "probe_epochs": 30,
        "gallery_queries": 4, "cache_dtype": "float32",
    },
    "paper": {
        "backbones": ("resnet50", "efficientnetb0", "mobilenetv2"),
        "finetune_backbones": ("resnet50", "efficientnetb0"),
        "layer_configs": None, "grid_epochs": 30, "epochs": 100, "patience": 5, "copies": 5,
        "supcon_epochs": 100,
        "supcon_batch_size": 64, "supcon_learning_rate": 0.01, "temperature": 0.1,
        "contrastive_losses": ("supcon", "margin"), "supcon_config": None,
        "schemes": ("places", "caffe", "raw", "own"),
        "scheme_per_class": None, "pca_dims": (512, 256, 128, 64),
        "autoencoder_dims": (512, 256, 128, 64), "autoencoder_epochs": 300,
        "nan_check_items": 3842, "probe_epochs": 100, "gallery_queries": 6,
        "cache_dtype": "float16",
    },
}

# The parameters cell's names that become settings; DATASET and SEED are read as they are.
PARAMETERS = ("BACKBONES", "FINETUNE_BACKBONES", "WEIGHTS", "EPOCHS", "GRID_EPOCHS",
              "SUPCON_EPOCHS", "IMAGE_SIZE", "BATCH_SIZE", "MAX_PER_CLASS", "OPTIMIZERS",
              "LEARNING_RATES", "LAYER_CONFIGS", "SCHEMES", "SCHEME_PER_CLASS",
              "CONTRASTIVE_LOSSES")
