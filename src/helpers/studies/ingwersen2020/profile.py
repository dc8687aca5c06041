"""Notebook 01's settings: its parameters, each declared once, and their values per profile.

The notebook's cell after the parameters cell reads them with ``profile.from_notebook(globals())``:
a parameter left ``None`` there takes the profile's value below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpers import config

# The four preprocessing schemes compared in section 4.4; the last is report 01's flawed pipeline.
ALL_SCHEMES = ("simple", "imagenet", "places", "imagenet_then_255_bug")

#: Backbones with genuine ImageNet weights offline (all tf or own-rescaling mode).
REAL_BACKBONES = ("mobilenetv2", "mobilenet", "mobilenetv3small")
_ALL_BACKBONES = ("resnet50", "vgg16", *REAL_BACKBONES)


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 01's parameters (the parameters cell's names, lower-cased) and fixed knobs."""

    backbones: tuple[str, ...]  # baseline backbones compared (tables 1-3)
    ae_backbone: str  # the backbone whose features the autoencoders learn
    weights: str | None  # "imagenet", or None for random initialisation
    schemes: tuple[str, ...]  # preprocessing schemes compared (section 4.4)
    epochs: int  # most autoencoder epochs (early stopping usually ends sooner)
    patience: int  # early-stopping patience in epochs
    optimizer: str  # the autoencoder grid's optimizer: "adam" or "adadelta" (the report's)
    image_size: int  # pixels of the backbones' input
    batch_size: int  # images per batch when extracting features
    max_per_class: int | None  # cap on images per class before splitting, None for all
    random_init_per_class: int | None  # images per class for backbones without real weights
    tsne_split: str  # "train" (the report's appendix E) or "test"
    tsne_perplexities: tuple[int, ...]  # t-SNE perplexities; () skips t-SNE
    ae_seeds: int  # training seeds (SEED, SEED+1, ...) of the autoencoders the claims rest on
    noise_type: str  # the grid's denoising corruption: "gaussian" (report's code) or "mask"
    family_backbones: tuple[str, ...]  # backbones of the tables 4-5 sweep; () skips it
    optimizer_demo: bool  # False skips the Adadelta-vs-Adam demonstration (it feeds no claim)
    # Set by the profile alone:
    gallery_k: int = config.profile_only()  # neighbours shown per query in the galleries
    ae_batch_size: int = config.profile_only()  # the autoencoders' training batch
    mask_noise: tuple[float, ...] = config.profile_only()  # masked AE rates; () skips it
    family_schemes: tuple[str, ...] = config.profile_only()  # schemes of the tables 4-5 sweep
    family_train_per_class: int | None = config.profile_only()  # its training images per room

    @property
    def autoencoder_epochs(self) -> int:
        """The notebook's EPOCHS: in notebook 01 only the autoencoders train for epochs."""
        return self.epochs


SMOKE = Settings(
    profile="smoke", backbones=("mobilenetv2",), ae_backbone="mobilenetv2", weights=None,
    schemes=ALL_SCHEMES, epochs=2, patience=2, optimizer="adam", image_size=64, batch_size=16,
    max_per_class=24, random_init_per_class=None, tsne_split="test", tsne_perplexities=(5,),
    ae_seeds=1, noise_type="gaussian", optimizer_demo=True, gallery_k=5, ae_batch_size=32,
    # Smoke stays fast: no masked AE, no tables 4-5 (unit-tested).
    family_backbones=(), mask_noise=(), family_schemes=("imagenet", "places"),
    family_train_per_class=None)
# Only the real backbones: random-init ResNet50/VGG16 rows fed no claim (paper runs them).
STANDARD = Settings(
    profile="standard", backbones=REAL_BACKBONES, ae_backbone="mobilenetv2", weights="imagenet",
    schemes=ALL_SCHEMES, epochs=60, patience=8, optimizer="adam", image_size=224, batch_size=32,
    max_per_class=None, random_init_per_class=5, tsne_split="train", tsne_perplexities=(5, 20, 50),
    ae_seeds=3, noise_type="gaussian", family_backbones=REAL_BACKBONES, optimizer_demo=True,
    gallery_k=5, ae_batch_size=32, mask_noise=(0.3,), family_schemes=("imagenet", "places"),
    family_train_per_class=100)
# The report's own: VGG16 features, Adadelta, up to 2000 epochs, t-SNE on the train split.
PAPER = Settings(
    profile="paper", backbones=_ALL_BACKBONES, ae_backbone="vgg16", weights="imagenet",
    schemes=ALL_SCHEMES, epochs=2000, patience=20, optimizer="adadelta", image_size=224,
    batch_size=32, max_per_class=None, random_init_per_class=None, tsne_split="train",
    tsne_perplexities=(5, 20, 50), ae_seeds=3, noise_type="gaussian",
    family_backbones=_ALL_BACKBONES, optimizer_demo=True, gallery_k=5, ae_batch_size=32,
    mask_noise=(0.3,), family_schemes=("simple", "imagenet", "places"),
    family_train_per_class=None)
PROFILES = {settings.profile: settings for settings in (SMOKE, STANDARD, PAPER)}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """The settings of the notebook whose ``globals()`` is ``namespace`` (see the module)."""
    return config.from_notebook(namespace, PROFILES)
