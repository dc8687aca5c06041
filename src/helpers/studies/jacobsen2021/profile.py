"""Notebook 02's settings: its parameters, each declared once, and their values per profile.

The notebook's cell after the parameters cell reads them with ``profile.from_notebook(globals())``:
a parameter left ``None`` there takes the profile's value below. Standard is sized for about ten
minutes on a 2-core laptop CPU; paper is the report's own scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from helpers import config

TABLE3_LEARNING_RATES = (5e-3, 1e-3, 5e-4, 1e-4, 5e-5)  # table 3's rates


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 02's parameters (the parameters cell's names, lower-cased) and fixed knobs."""

    # GOLD_STANDARD: your in-domain model's test top-1 (section 7), read by the notebook.
    READ_AS_IS: ClassVar[tuple[str, ...]] = ("DATASET", "SEED", "GOLD_STANDARD")

    backbones: tuple[str, ...]  # baselines (table 2)
    finetune_backbones: tuple[str, ...]  # fine-tuned (tables 3-10)
    weights: str | None  # "imagenet", or None for random initialisation
    epochs: int  # layer-configuration runs (table 5)
    grid_epochs: int  # each head of the optimizer x learning-rate grid (table 3)
    supcon_epochs: int  # supervised-contrastive fine-tuning
    image_size: int  # pixels of the backbones' input
    batch_size: int  # images per batch
    max_per_class: int | None  # cap on images per class before splitting, None for all
    optimizers: tuple[str, ...]  # table 3's grid, e.g. ("sgd", "adam")
    learning_rates: tuple[float, ...]  # table 3's grid
    layer_configs: int | None  # how many of the backbone's LAYER_CONFIGS to run (None: all)
    schemes: tuple[str, ...]  # tables 4 and 6's preprocessing schemes
    scheme_per_class: int | None  # training images per room in the scheme runs (None: all)
    contrastive_losses: tuple[str, ...]  # "supcon", "margin"
    nan_epochs: int  # at most this many epochs per NaN run (section 9)
    # Set by the profile alone:
    grid_seeds: tuple[int, ...] = config.profile_only()  # table 3's seeds (offsets from SEED)
    # Table 3's heads stop when the validation loss has not improved for this many epochs (the
    # best epoch kept; 0: all grid_epochs run).
    grid_patience: int = config.profile_only()
    patience: int = config.profile_only()  # early-stopping patience in epochs
    layer_seeds: int = config.profile_only()  # training seeds per layer configuration (table 5)
    copies: int = config.profile_only()  # frozen features per training image (augmented copies)
    supcon_batch_size: int = config.profile_only()
    supcon_learning_rate: float = config.profile_only()
    # Which layer configuration SupCon trains (an index; None: the best cross-entropy one by
    # validation).
    supcon_config: int | None = config.profile_only()
    pca_dims: tuple[int, ...] = config.profile_only()  # PCA sizes compared (table 8)
    autoencoder_dims: tuple[int, ...] = config.profile_only()  # autoencoder codes compared
    autoencoder_epochs: int = config.profile_only()
    # Training items of the NaN runs: 578 = 9 x 64 + 2, a last batch of 2 as DRE19's 3842 gives.
    nan_check_items: int = config.profile_only()
    probe_epochs: int = config.profile_only()  # the linear probes' epochs
    gallery_queries: int = config.profile_only()  # queries shown in the galleries
    cache_dtype: str = config.profile_only()  # dtype of cached features


SMOKE = Settings(
    profile="smoke", backbones=("mobilenetv2",), finetune_backbones=("mobilenetv2",),
    weights=None, epochs=1, grid_epochs=2, supcon_epochs=1, image_size=64, batch_size=16,
    max_per_class=24, optimizers=("sgd",), learning_rates=(1e-3,), layer_configs=2,
    schemes=("places", "own"), scheme_per_class=6, contrastive_losses=("supcon",), nan_epochs=1,
    grid_seeds=(0,), grid_patience=1, patience=1, layer_seeds=2, copies=2, supcon_batch_size=16, supcon_learning_rate=0.01,
    supcon_config=0, pca_dims=(64, 32), autoencoder_dims=(32,),
    autoencoder_epochs=2, nan_check_items=34, probe_epochs=5, gallery_queries=2,
    cache_dtype="float32")
STANDARD = Settings(
    profile="standard", backbones=("mobilenetv2", "mobilenet", "mobilenetv3small"),
    finetune_backbones=("mobilenetv2",), weights="imagenet", epochs=6, grid_epochs=400,
    supcon_epochs=6, image_size=224, batch_size=32, max_per_class=None,
    optimizers=("sgd", "adam"), learning_rates=TABLE3_LEARNING_RATES[:4], layer_configs=None,
    schemes=("places", "caffe", "own"), scheme_per_class=60,
    # The margin loss's run (guarded) tests "contrastive learning would have succeeded had the
    # training completed" with the report's own loss; SupCon is the course's comparison.
    contrastive_losses=("supcon", "margin"), nan_epochs=6, grid_seeds=(0, 1, 2), grid_patience=8, patience=2, layer_seeds=3, copies=2,
    supcon_batch_size=64, supcon_learning_rate=0.01, supcon_config=0,
    pca_dims=(512, 256, 128, 64), autoencoder_dims=(512,), autoencoder_epochs=60,
    nan_check_items=578, probe_epochs=30, gallery_queries=4, cache_dtype="float32")
PAPER = Settings(
    profile="paper", backbones=("resnet50", "efficientnetb0", "mobilenetv2"),
    finetune_backbones=("resnet50", "efficientnetb0"), weights="imagenet", epochs=100,
    grid_epochs=400, supcon_epochs=100, image_size=224, batch_size=32, max_per_class=None,
    optimizers=("sgd", "adam"), learning_rates=TABLE3_LEARNING_RATES, layer_configs=None,
    schemes=("places", "caffe", "raw", "own"), scheme_per_class=None,
    contrastive_losses=("supcon", "margin"), nan_epochs=40, grid_seeds=(0, 1, 2), grid_patience=10, patience=5, layer_seeds=3,
    copies=5, supcon_batch_size=64, supcon_learning_rate=0.01,
    supcon_config=None, pca_dims=(512, 256, 128, 64), autoencoder_dims=(512, 256, 128, 64),
    autoencoder_epochs=300, nan_check_items=3842, probe_epochs=100, gallery_queries=6,
    cache_dtype="float16")
PROFILES = {settings.profile: settings for settings in (SMOKE, STANDARD, PAPER)}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """The settings of the notebook whose ``globals()`` is ``namespace`` (see the module)."""
    return config.from_notebook(namespace, PROFILES)
