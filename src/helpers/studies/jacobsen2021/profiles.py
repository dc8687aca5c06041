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
# grid_epochs: epochs of each head of the optimizer x learning-rate grid (table 3), trained
# once per seed of grid_seeds (offsets from the notebook's SEED). nan_check_items: training
# items of the NaN runs (578 = 9 x 64 + 2, a last batch of 2 as DRE19's 3842 gives), each run
# for at most nan_epochs epochs.
DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {
        "backbones": ("mobilenetv2",), "finetune_backbones": ("mobilenetv2",),
        "layer_configs": 2, "grid_epochs": 2, "grid_seeds": (0,), "epochs": 1, "patience": 1, "copies": 2,
        "supcon_epochs": 1,
        "supcon_batch_size": 16, "supcon_learning_rate": 0.01, "temperature": 0.1,
        "contrastive_losses": ("supcon",), "supcon_config": 0, "schemes": ("places", "own"),
        "scheme_per_class": 6,
        "pca_dims": (64, 32), "autoencoder_dims": (32,), "autoencoder_epochs": 2,
        "nan_check_items": 34, "nan_epochs": 1, "probe_epochs": 5, "gallery_queries": 2, "cache_dtype": "float32",
    },
    "standard": {
        "backbones": ("mobilenetv2", "mobilenet", "mobilenetv3small"),
        "finetune_backbones": ("mobilenetv2",),
        "learning_rates": (5e-3, 1e-3, 5e-4, 1e-4, 5e-5),  # table 3's rates
        "layer_configs": None, "grid_epochs": 10, "grid_seeds": (0, 1, 2), "epochs": 6, "patience": 2, "copies": 2,
        "supcon_epochs": 6,
        "supcon_batch_size": 64, "supcon_learning_rate": 0.01, "temperature": 0.1,
        # The margin loss's own fine-tuning run feeds no claim (the NaN runs of section 9 show
        # its fix): the paper profile runs it, the standard one saves its minute.
        "contrastive_losses": ("supcon",), "supcon_config": 0,
        "schemes": ("places", "caffe", "own"), "scheme_per_class": 60,
        "pca_dims": (512, 256, 128, 64), "autoencoder_dims": (512,), "autoencoder_epochs": 60,
        "nan_check_items": 578, "nan_epochs": 6, "probe_epochs": 30,
        "gallery_queries": 4, "cache_dtype": "float32",
    },
    "paper": {
        "backbones": ("resnet50", "efficientnetb0", "mobilenetv2"),
        "finetune_backbones": ("resnet50", "efficientnetb0"),
        "layer_configs": None, "grid_epochs": 30, "grid_seeds": (0, 1, 2), "epochs": 100, "patience": 5, "copies": 5,
        "supcon_epochs": 100,
        "supcon_batch_size": 64, "supcon_learning_rate": 0.01, "temperature": 0.1,
        "contrastive_losses": ("supcon", "margin"), "supcon_config": None,
        "schemes": ("places", "caffe", "raw", "own"),
        "scheme_per_class": None, "pca_dims": (512, 256, 128, 64),
        "autoencoder_dims": (512, 256, 128, 64), "autoencoder_epochs": 300,
        "nan_check_items": 3842, "nan_epochs": 40, "probe_epochs": 100, "gallery_queries": 6,
        "cache_dtype": "float16",
    },
}

# The parameters cell's names that become settings; DATASET and SEED are read as they are.
PARAMETERS = ("BACKBONES", "FINETUNE_BACKBONES", "WEIGHTS", "EPOCHS", "GRID_EPOCHS",
              "SUPCON_EPOCHS", "IMAGE_SIZE", "BATCH_SIZE", "MAX_PER_CLASS", "OPTIMIZERS",
              "LEARNING_RATES", "LAYER_CONFIGS", "SCHEMES", "SCHEME_PER_CLASS",
              "CONTRASTIVE_LOSSES", "NAN_EPOCHS")
