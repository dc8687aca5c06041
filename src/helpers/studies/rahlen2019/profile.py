"""Notebook 03's settings: its parameters, each declared once, and their values per profile.

The notebook's cell after the imports reads them with ``profile.from_notebook(globals())``: a
parameter left ``None`` there takes the profile's value below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from helpers import config
from helpers.studies.rahlen2019.tasks import MODES, TASK_NAMES

#: The report's own architectures that can be built here (random weights, timing only).
REPORT_ARCHITECTURES = ("alexnet", "densenet121", "inceptionv3")


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 03's parameters (the parameters cell's names, lower-cased) and fixed knobs."""

    # FIREPLACE_FOLDER: a folder with two class sub-folders, read by the notebook.
    READ_AS_IS: ClassVar[tuple[str, ...]] = ("DATASET", "SEED", "FIREPLACE_FOLDER")

    tasks: tuple[str, ...]  # which of the three tasks run
    modes: tuple[str, ...]  # feature extraction ("frozen") and/or fine-tuning ("finetune_all")
    backbones: tuple[str, ...]  # the architectures compared
    finetune_backbones: tuple[str, ...] | None  # which of them are also fine-tuned (None: all)
    weights: str | None  # "imagenet", or None for random initialisation
    epochs: int  # feature-extraction epochs (the report: 30)
    finetune_epochs: int  # fine-tuning epochs (the report: 30)
    finetune_from: str  # "frozen": from the feature-extraction head; "fresh": new head (report)
    finetune_learning_rate: float  # SGD learning rate when fine-tuning (the report: 0.001)
    copies: int | None  # frozen features per training image: 1 plain + augmented copies
    image_size: int | str  # pixels, or "native" (each backbone's own: 299 for InceptionV3)
    batch_size: int  # images per batch
    max_per_class: int | None  # caps the houses (and images per class of the fireplace folder)
    head_seeds: int  # seeds per frozen head (SEED, SEED+1, ...)
    timing_steps: int  # timed calls per mode of each of the report's architectures (0: none)
    # Set by the profile alone:
    seed_tasks: tuple[str, ...] | None = config.profile_only()  # tasks whose heads get seeds
    finetune_tasks: tuple[str, ...] | None = config.profile_only()  # tasks that fine-tune
    # The report's own architectures timed with random weights (the page's report_classifier),
    # photos per timed step, and their size (None: each one's own, Inception v3 299 px).
    # Frozen heads of seed_tasks trained again for this many epochs (0: not), for the report's
    # "the models converge in 3-5 epochs; more training would not have helped".
    short_epochs: int = config.profile_only()
    timing_architectures: tuple[str, ...] = config.profile_only()
    timing_batch: int = config.profile_only()
    timing_image_size: int | None = config.profile_only()


# One head seed, fine-tuning on one task, AlexNet alone timed on small photos: the smoke test
# stays cheap.
SMOKE = Settings(
    profile="smoke", tasks=TASK_NAMES, modes=MODES, backbones=("mobilenetv2",),
    finetune_backbones=("mobilenetv2",), weights=None, epochs=3, finetune_epochs=1,
    finetune_from="frozen", finetune_learning_rate=1e-4, copies=2, image_size=64, batch_size=16,
    max_per_class=24, head_seeds=1, timing_steps=2, seed_tasks=None, finetune_tasks=("rooms",),
    short_epochs=2, timing_architectures=("alexnet",), timing_batch=4, timing_image_size=64)
# The three backbones with real ImageNet weights; 3 head seeds (cheap: cached features). Seeds
# and fine-tuning where a claim can be judged (rooms, and a fireplace folder if given): on the
# balcony stand-in a thumbnail classifier already meets the rule (findings.py), so its one-seed
# heads feed no verdict.
STANDARD = Settings(
    profile="standard", tasks=TASK_NAMES, modes=MODES,
    backbones=("mobilenetv2", "mobilenet", "mobilenetv3small"),
    finetune_backbones=("mobilenetv2",), weights="imagenet", epochs=30, finetune_epochs=2,
    finetune_from="frozen", finetune_learning_rate=1e-4, copies=3, image_size=224, batch_size=32,
    max_per_class=None, head_seeds=3, timing_steps=4, seed_tasks=("rooms", "fireplace"),
    finetune_tasks=("rooms", "fireplace"), short_epochs=5,
    timing_architectures=REPORT_ARCHITECTURES, timing_batch=8, timing_image_size=None)
# The report's recipe: its six architectures at their native sizes, 30 + 30 epochs, every
# backbone fine-tuned from a fresh head at SGD 0.001.
PAPER = Settings(
    profile="paper", tasks=TASK_NAMES, modes=MODES,
    backbones=("resnet50", "mobilenetv2", "vgg16", "densenet121", "inceptionv3", "mobilenet",
               "mobilenetv3small"),
    finetune_backbones=None, weights="imagenet", epochs=30, finetune_epochs=30,
    finetune_from="fresh", finetune_learning_rate=1e-3, copies=None,
    image_size=config.NATIVE_IMAGE_SIZE, batch_size=32, max_per_class=None, head_seeds=1,
    timing_steps=6, seed_tasks=None, finetune_tasks=None, short_epochs=5,
    timing_architectures=REPORT_ARCHITECTURES, timing_batch=32, timing_image_size=None)
PROFILES = {settings.profile: settings for settings in (SMOKE, STANDARD, PAPER)}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """The settings of the notebook whose ``globals()`` is ``namespace`` (see the module)."""
    return config.from_notebook(namespace, PROFILES)
