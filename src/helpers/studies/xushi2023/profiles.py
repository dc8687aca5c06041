"""Notebook 05's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the imports; the
profile-wide values (image size, batch size, ...) are ``config.PROFILES``. Why the standard
profile's head is linear is said in the notebook, beside the table of these values.
"""

from __future__ import annotations

from typing import Any

# The trainable head and its training, shared by the profiles unless they say otherwise.
HEAD: dict[str, Any] = {
    "hidden": (), "embed_dim": 256, "dropout": 0.0, "input_dropout": 0.2, "learning_rate": 1e-3,
    "weight_decay": 0.0, "train_candidates": 20, "margin": 1.0, "temperature": 0.1, "tap": "avg",
    "fusions": ("concat", "average"), "losses": ("hinge", "infonce"),
    "split": {"train": 0.7, "val": 0.1, "test": 0.2},
}

DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {**HEAD, "backbones": ("mobilenetv2", "mobilenet"), "max_pairs": 100,
              "split": {"train": 0.5, "val": 0.25, "test": 0.25}, "embed_dim": 32,
              "batch_size": 32, "epochs": 1},
    "standard": {**HEAD, "backbones": ("mobilenetv2", "mobilenet"), "max_pairs": None,
                 "batch_size": 64, "epochs": 15},
    # The report's six backbones and 6,016 pairs: a hidden layer ("a sequence of fully
    # connected layers").
    "paper": {**HEAD, "backbones": ("resnet50", "vgg19", "mobilenetv3large", "efficientnetv2s",
                                    "inceptionv3", "mobilenetv3small"),
              "max_pairs": None, "hidden": (512,), "dropout": 0.1, "batch_size": 32, "epochs": 30},
}

# The parameters cell's names that become settings; DATASET, TRAIN_SINGLES, N_CANDIDATES and SEED
# are read as they are.
PARAMETERS = ("BACKBONES", "WEIGHTS", "EPOCHS", "IMAGE_SIZE", "BATCH_SIZE", "MAX_PAIRS", "FUSIONS",
              "LOSSES")
