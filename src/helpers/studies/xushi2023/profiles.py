"""Notebook 05's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the imports; the
profile-wide values (image size, batch size, ...) are ``config.PROFILES``. The head (linear or
one hidden layer) is chosen on validation in the notebook among ``head_choices``.
"""

from __future__ import annotations

from typing import Any

# The trainable head and its training, shared by the profiles unless they say otherwise.
# tap "avg+grid2": one pass over the images gives a 2 x 2 grid of each backbone's last map
# (spatial layout kept, as the report's flattened maps keep it) and the global average.
HEAD: dict[str, Any] = {
    "hidden": (), "embed_dim": 256, "dropout": 0.0, "input_dropout": 0.2, "learning_rate": 1e-3,
    "weight_decay": 0.0, "train_candidates": 20, "margin": 1.0, "temperature": 0.1,
    "tap": "avg+grid2", "fusions": ("concat", "average"), "losses": ("hinge", "infonce"),
    "split": {"train": 0.7, "val": 0.1, "test": 0.2}, "pairs": "all", "seeds": 3,
    "head_choices": ((), (512,)),
}

DEFAULTS: dict[str, dict[str, Any]] = {
    # One seed and no head choice: the smoke run checks that every cell works, fast.
    "smoke": {**HEAD, "backbones": ("mobilenetv2", "mobilenet"), "max_pairs": 100,
              "split": {"train": 0.5, "val": 0.25, "test": 0.25}, "embed_dim": 32,
              "batch_size": 32, "epochs": 1, "seeds": 1, "head_choices": ((),)},
    # The three backbones with ImageNet weights here, every pair of them; 8 epochs: the
    # real-data regression run (8 epochs) and the 15-epoch standard run of 2026-11-22 gave
    # the fused pair the same test top-2 (0.530), so the kept epoch comes early.
    "standard": {**HEAD, "backbones": ("mobilenetv2", "mobilenet", "mobilenetv3small"),
                 "max_pairs": None, "batch_size": 64, "epochs": 8},
    # The report's six backbones and 6,016 pairs, ResNet50 paired with each other (its design).
    "paper": {**HEAD, "backbones": ("resnet50", "vgg19", "mobilenetv3large", "efficientnetv2s",
                                    "inceptionv3", "mobilenetv3small"),
              "max_pairs": None, "pairs": "first", "dropout": 0.1, "batch_size": 32,
              "epochs": 30, "head_choices": ((512,), ())},
}

# The parameters cell's names that become settings; DATASET, TRAIN_SINGLES, N_CANDIDATES and SEED
# are read as they are.
PARAMETERS = ("BACKBONES", "WEIGHTS", "EPOCHS", "IMAGE_SIZE", "BATCH_SIZE", "MAX_PAIRS", "FUSIONS",
              "LOSSES", "SEEDS", "TAP", "HEAD_CHOICES")
