"""Synthetic stand-in *sets*, shaped like the real ones (classes, splits, houses, pairs, views).

Pixels come from :mod:`helpers.datasets.synthetic`; this module only lays out ids, labels,
splits and groups so a notebook cannot tell the shape apart from the real data set.
"""

from __future__ import annotations

import logging

import numpy as np

from .core import DataSource, HousesSet, ImageSet
from .pairs import PairSet
from .synthetic import ATTRIBUTES, FLOWERS, PLACES6, ROOMS, _rng, item_id

log = logging.getLogger("helpers.datasets")

# name -> items per class (or houses, pairs, objects) when max_per_class is not given
DEFAULT_COUNTS = {"places6": 40, "flowers": 38, "houses": 60, "tll": 200, "ukbench": 25, "holidays": 25,
                  "attributes": 60}
STANDIN_NAMES = tuple(DEFAULT_COUNTS)
# Split layouts copied from the real folders: places6 is 300 train + 100 eval per class,
# flowers 120 train + 30 val + 40 test.
SPLIT_PATTERNS = {
    "places6": ["train"] * 3 + ["eval"],
    "flowers": ["train"] * 12 + ["val"] * 3 + ["test"] * 4,
}


def synthetic_source(name: str, reason: str) -> DataSource:
    """The loud provenance every synthetic set carries; it is also logged as a warning."""
    notice = (
        f"WARNING: data set {name!r} is a SYNTHETIC stand-in ({reason}); "
        "numbers from it say nothing about the real data"
    )
    log.warning(notice)
    return DataSource(name=name, origin="synthetic", root=None, notice=notice)


def _count(name: str, max_per_class: int | None) -> int:
    n = DEFAULT_COUNTS[name] if max_per_class is None else int(max_per_class)
    if n < 1:
        raise ValueError("max_per_class must be at least 1")
    return n


def classes(name: str, seed: int, source: DataSource, max_per_class: int | None = None) -> ImageSet:
    """places6, flowers or attributes: ``n`` items per class, interleaved by class."""
    names = {"places6": PLACES6, "flowers": FLOWERS, "attributes": ATTRIBUTES}[name]
    k, n = len(names), _count(name, max_per_class)
    index = np.arange(n * k)
    pattern = SPLIT_PATTERNS.get(name)
    splits = None
    if pattern is not None:
        splits = np.array([pattern[(i // k) % len(pattern)] for i in index], dtype=object)
    return ImageSet(
        name=name,
        items=[item_id(name, seed, i) for i in index],
        labels=index % k,
        class_names=names,
        source=source,
        splits=splits,
        default_size=64,
    )


def houses(seed: int, source: DataSource, max_per_class: int | None = None) -> HousesSet:
    """``n`` houses x 4 rooms, with a metadata table drawn from the seed (price ~ area)."""
    import pandas as pd

    n = _count("houses", max_per_class)
    index = np.arange(4 * n)
    rows = []
    for house in range(1, n + 1):
        rng = _rng(seed, "houses-meta", house)
        area = int(rng.integers(700, 4500))
        rows.append({
            "house_id": house,
            "bedrooms": int(rng.integers(1, 6)),
            "bathrooms": float(rng.integers(2, 9) / 2),
            "area": area,
            "zipcode": int(rng.choice([85255, 92880, 93510, 94501, 96019])),
            "price": int(area * rng.uniform(150, 400) + rng.normal(0, 20000)),
        })
    return HousesSet(
        name="houses",
        items=[item_id("houses", seed, i) for i in index],
        labels=index % len(ROOMS),
        class_names=ROOMS,
        source=source,
        groups=index // len(ROOMS) + 1,
        metadata=pd.DataFrame(rows),
        default_size=64,
    )


def pairs(seed: int, source: DataSource, max_per_class: int | None = None) -> PairSet:
    """``n`` pairs; the right image is a flipped, shifted, recoloured copy of the left scene."""
    n = _count("tll", max_per_class)
    return PairSet(
        name="tll",
        left=[item_id("tll-left", seed, i) for i in range(n)],
        right=[item_id("tll-right", seed, i) for i in range(n)],
        ids=[f"pair{i:05d}" for i in range(n)],
        source=source,
        default_size=64,
    )


def views(seed: int, source: DataSource, max_per_class: int | None = None,
          name: str = "ukbench") -> ImageSet:
    """``n`` objects x 4 views (rotated, scaled, shifted, relit), UKBench's groups of four
    (also the stand-in for Holidays' scenes)."""
    n = _count(name, max_per_class)
    index = np.arange(4 * n)
    return ImageSet(
        name=name,
        items=[item_id("ukbench", seed, i) for i in index],
        labels=index // 4,
        class_names=tuple(f"object_{o:05d}" for o in range(n)),
        source=source,
        groups=index // 4,
        default_size=64,
    )


def build(
    name: str, seed: int = 0, max_per_class: int | None = None, reason: str = "requested"
) -> ImageSet | HousesSet | PairSet:
    """The stand-in for ``name`` (one of :data:`STANDIN_NAMES`)."""
    if name not in DEFAULT_COUNTS:
        raise KeyError(f"no synthetic stand-in named {name!r}; choose from {STANDIN_NAMES}")
    source = synthetic_source(name, reason)
    if name == "houses":
        return houses(seed, source, max_per_class)
    if name == "tll":
        return pairs(seed, source, max_per_class)
    if name in ("ukbench", "holidays"):
        return views(seed, source, max_per_class, name)
    return classes(name, seed, source, max_per_class)
