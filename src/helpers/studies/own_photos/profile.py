"""Notebook 06's settings: its parameters, each declared once, and their values per profile.

The notebook's cell after the imports reads them with ``profile.from_notebook(globals())``: a
parameter left ``None`` there takes the profile's value below. ``FOLDER`` (your photos) is read
by the notebook itself: ``None`` takes the profile's photos (smoke: synthetic; standard and
paper: a stand-in camera roll mixed from the shared data sets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from helpers import config

#: Index kinds: ``auto`` is exact up to ``exact_up_to`` photos and IVF above.
INDEX_KINDS = ("auto", "exact", "ivf", "hnsw")


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 06's parameters (the parameters cell's names, lower-cased) and fixed knobs."""

    READ_AS_IS: ClassVar[tuple[str, ...]] = ("FOLDER", "SEED")

    backbone: str | None  # None: the best frozen backbone by the course's standard results
    fuse_with: str | None  # fused with it (notebook 05); None: the runner-up of the same ranking
    weights: str | None  # "imagenet", or None for random initialisation
    image_size: int  # pixels of the backbones' input
    max_photos: int | None  # a seeded sample of at most this many photos (None: all)
    index: str  # "auto", "exact", "ivf" or "hnsw" (see INDEX_KINDS)
    duplicate_threshold: float  # cosine at or above which two photos count as near-duplicates
    # Set by the profile alone.
    neighbours: int = config.profile_only()  # neighbours shown and searched per photo
    exact_up_to: int = config.profile_only()  # "auto" searches exactly up to this many photos
    recall_queries: int = config.profile_only()  # queries the approximate index is checked on
    chunk: int = config.profile_only()  # photos decoded at once (bounds the memory)
    per_class: int = config.profile_only()  # stand-in photos per class (no FOLDER given)
    explorer_photos: int = config.profile_only()  # photos in the explorer and the 2-D map
    map_method: str = config.profile_only()  # "tsne" or "pca" for the 2-D map

    def __post_init__(self) -> None:
        if self.index not in INDEX_KINDS:
            raise ValueError(f"INDEX={self.index!r}: one of {INDEX_KINDS}")
        if not 0.0 < self.duplicate_threshold <= 1.0:
            raise ValueError(f"DUPLICATE_THRESHOLD={self.duplicate_threshold!r}: a cosine in "
                             "(0, 1], e.g. 0.95")
        if self.max_photos is not None and self.max_photos < 2:
            raise ValueError(f"MAX_PHOTOS={self.max_photos!r}: at least 2 (or None for all)")


# The stand-in camera roll: 40 photos of each room class (places6), flower (flowers) and
# all 14 UKBench objects (4 views each, near-duplicates by design): 496 photos, 25 classes.
STANDARD = Settings(
    profile="standard", backbone=None, fuse_with=None, weights="imagenet", image_size=224,
    max_photos=None, index="auto", duplicate_threshold=0.9, neighbours=5, exact_up_to=5000,
    recall_queries=200, chunk=500, per_class=40, explorer_photos=300, map_method="tsne")
# Synthetic photos, random weights, 64 px: every cell runs, fast.
SMOKE = replace(STANDARD, profile="smoke", weights=None, image_size=64, per_class=8,
                recall_queries=50, explorer_photos=48, map_method="pca")
# No GPU work here: the paper profile is the standard one (there is no report to follow).
PAPER = replace(STANDARD, profile="paper")
PROFILES = {settings.profile: settings for settings in (SMOKE, STANDARD, PAPER)}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """The settings of the notebook whose ``globals()`` is ``namespace`` (see the module)."""
    return config.from_notebook(namespace, PROFILES)
