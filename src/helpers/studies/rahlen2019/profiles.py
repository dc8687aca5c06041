"""Notebook 03's own knobs per profile, and which parameters-cell names become settings.

Read by ``config.resolve_notebook(globals(), profiles)`` in the cell after the imports; the
profile-wide values (image size, batch size, ...) are ``config.PROFILES``.
"""

from __future__ import annotations

from typing import Any

from helpers.studies.rahlen2019.tasks import MODES, TASK_NAMES

DEFAULTS: dict[str, dict[str, Any]] = {
    # One head seed, fine-tuning on one task, no timed steps: the smoke test stays cheap.
    "smoke": dict(epochs=3, finetune_epochs=1, copies=2, finetune_backbones=("mobilenetv2",),
                  finetune_from="frozen", finetune_learning_rate=1e-4, tasks=TASK_NAMES,
                  modes=MODES, head_seeds=1, seed_tasks=None, finetune_tasks=("rooms",),
                  timing_steps=0),
    # The three backbones with real ImageNet weights; 3 head seeds (cheap: cached features).
    # Seeds and fine-tuning where a claim can be judged (rooms, and a fireplace folder if
    # given): on the balcony stand-in a thumbnail classifier already meets the rule
    # (findings.py), so its one-seed heads feed no verdict.
    "standard": dict(backbones=("mobilenetv2", "mobilenet", "mobilenetv3small"), epochs=30,
                     finetune_epochs=2, copies=3, finetune_backbones=("mobilenetv2",),
                     finetune_from="frozen", finetune_learning_rate=1e-4, tasks=TASK_NAMES,
                     modes=MODES, head_seeds=3, seed_tasks=("rooms", "fireplace"),
                     finetune_tasks=("rooms", "fireplace"),
                     timing_steps=6),
    # The report's recipe: its six architectures at their native sizes, 30 + 30 epochs, every
    # backbone fine-tuned from a fresh head at SGD 0.001.
    "paper": dict(backbones=("resnet50", "mobilenetv2", "vgg16", "densenet121", "inceptionv3",
                             "mobilenet", "mobilenetv3small"), epochs=30, finetune_epochs=30,
                  copies=None, image_size="native", finetune_backbones=None,
                  finetune_from="fresh", finetune_learning_rate=1e-3, tasks=TASK_NAMES,
                  modes=MODES, head_seeds=1, seed_tasks=None, finetune_tasks=None,
                  timing_steps=6),
}

# The parameters cell's names that become settings; DATASET, FIREPLACE_FOLDER and SEED are read
# as they are.
PARAMETERS = ("BACKBONES", "FINETUNE_BACKBONES", "WEIGHTS", "EPOCHS", "FINETUNE_EPOCHS",
              "FINETUNE_FROM", "COPIES", "FINETUNE_LEARNING_RATE", "IMAGE_SIZE", "BATCH_SIZE",
              "MAX_PER_CLASS", "TASKS", "MODES", "HEAD_SEEDS", "TIMING_STEPS")
