"""The containers every loader returns: provenance, the skip report and the labelled image list.

An :class:`ImageSet` holds *names* of images (absolute file paths, or ids such as
``synthetic:places6/0/17`` for generated ones), never pixels: pixels are decoded on demand at the
size a notebook asks for, by :meth:`ImageSet.images` or :meth:`ImageSet.pydataset`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .skips import SkipReport

log = logging.getLogger("helpers.datasets")

ORIGINS = ("LOOKALIKE_DATA", "data/", "download", "synthetic", "user folder")


@dataclass(frozen=True)
class DataSource:
    """Where a data set came from; ``notice`` is the line a notebook prints first."""

    name: str
    origin: str
    root: Path | None
    notice: str

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {ORIGINS}")

    @property
    def synthetic(self) -> bool:
        return self.origin == "synthetic"


def _as_index(selector: Any, n: int, splits: np.ndarray) -> np.ndarray:
    """Turn a split name, list of split names, boolean mask or index list into indices."""
    if isinstance(selector, str):
        selector = [selector]
    if isinstance(selector, Sequence | np.ndarray) and len(selector) and all(
        isinstance(s, str) for s in selector
    ):
        wanted = set(selector)
        unknown = wanted - set(splits.tolist())
        if unknown:
            have = sorted(set(splits.tolist()) - {""})
            raise KeyError(f"no split {sorted(unknown)} in this data set (splits: {have})")
        return np.flatnonzero(np.isin(splits, list(wanted)))
    arr = np.asarray(selector)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ValueError(f"mask has shape {arr.shape}, expected ({n},)")
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"cannot select with {type(selector).__name__} of dtype {arr.dtype}")
    if arr.min() < -n or arr.max() >= n:
        raise IndexError(f"index out of range for {n} items")
    return arr.astype(np.int64)


@dataclass(repr=False)
class ImageSet:
    """A labelled (or unlabelled) list of images, split-aware, decoded on demand.

    ``labels`` are int64 indices into ``class_names`` (-1 = unlabelled); ``splits`` holds one
    split name per item ("" when the set has none); ``groups`` an optional group id per item
    (house id for ``houses``, object id for ``ukbench``).
    """

    name: str
    items: list[str]
    labels: np.ndarray
    class_names: tuple[str, ...]
    source: DataSource
    splits: np.ndarray = None  # type: ignore[assignment]
    groups: np.ndarray | None = None
    skipped: SkipReport = field(default_factory=SkipReport)
    default_size: int = 224

    def __post_init__(self) -> None:
        n = len(self.items)
        self.items = [str(i) for i in self.items]
        self.labels = np.asarray(self.labels, dtype=np.int64).reshape(n)
        self.splits = (
            np.full(n, "", dtype=object)
            if self.splits is None
            else np.asarray(self.splits, dtype=object).reshape(n)
        )
        if self.groups is not None:
            self.groups = np.asarray(self.groups).reshape(n)
        self.class_names = tuple(self.class_names)
        if n and self.labels.max(initial=-1) >= len(self.class_names):
            raise ValueError("a label is out of range of class_names")

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        splits = sorted(set(self.splits.tolist()) - {""})
        return (
            f"{type(self).__name__}({self.name!r}, n={len(self)}, classes={len(self.class_names)}, "
            f"splits={splits}, origin={self.source.origin!r}, skipped={self.skipped.n_skipped})"
        )

    @property
    def split_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.splits.tolist()) - {""}))

    def _take(self, index: np.ndarray, **changes: Any) -> ImageSet:
        """A copy holding only ``index``; subclasses with per-item fields extend this."""
        return dataclasses.replace(
            self,
            items=[self.items[i] for i in index],
            labels=self.labels[index],
            splits=self.splits[index],
            groups=None if self.groups is None else self.groups[index],
            **changes,
        )

    def subset(self, split: Any) -> ImageSet:
        """Items of one split (``"test"``), several (``["train", "val"]``), a mask or indices."""
        return self._take(_as_index(split, len(self), self.splits))

    def relabel(self, labels: np.ndarray, class_names: Sequence[str]) -> ImageSet:
        """The same images under another labelling (for example indoor vs exterior)."""
        return dataclasses.replace(self, labels=np.asarray(labels), class_names=tuple(class_names))

    def counts(self) -> Any:
        """A pandas table of images per class (rows) and split (columns), with totals."""
        import pandas as pd

        names = [self.class_names[i] if i >= 0 else "(unlabelled)" for i in self.labels]
        splits = [s or "all" for s in self.splits]
        table = pd.crosstab(
            pd.Series(names, name="class"), pd.Series(splits, name="split"), margins=True,
            margins_name="total",
        )
        return table

    def images(
        self,
        size: int | tuple[int, int] | None = None,
        fit: str = "resize",
        progress: bool = True,
        workers: int | None = None,
    ) -> np.ndarray:
        """All images as one uint8 RGB array (N, H, W, 3); problems are counted and announced."""
        from .images import load_batch

        out = load_batch(
            self.items, size or self.default_size, fit=fit, report=self.skipped,
            progress=progress, workers=workers, desc=self.name,
        )
        self.skipped.announce(self.name)
        return out

    def pydataset(
        self,
        size: int | tuple[int, int] | None = None,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 0,
        augment: str | Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
        preprocess: Callable[[np.ndarray], np.ndarray] | None = None,
        with_labels: bool = True,
        fit: str = "resize",
    ) -> Any:
        """A ``keras.utils.PyDataset`` of (x float32, y int64) batches; see ``pydata``.

        For Keras' loader options (``workers``, ...) build ``pydata.ImagePyDataset`` itself.
        """
        from .pydata import Batching, ImagePyDataset

        return ImagePyDataset(self, Batching(
            size=size or self.default_size, batch_size=batch_size, shuffle=shuffle, seed=seed,
            augment=augment, preprocess=preprocess, with_labels=with_labels, fit=fit))


@dataclass(repr=False)
class HousesSet(ImageSet):
    """The Houses data set: labels are rooms, ``groups`` are house ids, plus the metadata table."""

    metadata: Any = None  # pandas.DataFrame(house_id, bedrooms, bathrooms, area, zipcode, price)

    def _take(self, index: np.ndarray, **changes: Any) -> ImageSet:
        part = super()._take(index, **changes)
        if self.metadata is not None and part.groups is not None:
            # Keep the table in step with the photos: a subset of houses has their rows only.
            keep = self.metadata["house_id"].isin(set(part.groups.tolist()))
            part.metadata = self.metadata[keep].reset_index(drop=True)
        return part

    @property
    def house_ids(self) -> np.ndarray:
        assert self.groups is not None
        return self.groups

    def rooms(self, names: Sequence[str] = ("kitchen", "bathroom", "bedroom")) -> ImageSet:
        """Only the photos of these rooms, relabelled 0..len(names)-1 in the order given."""
        unknown = set(names) - set(self.class_names)
        if unknown:
            raise KeyError(f"no room {sorted(unknown)}; rooms are {self.class_names}")
        wanted = [self.class_names.index(n) for n in names]
        index = np.flatnonzero(np.isin(self.labels, wanted))
        part = self._take(index)
        remap = {old: new for new, old in enumerate(wanted)}
        labels = np.array([remap[int(v)] for v in part.labels], dtype=np.int64)
        return dataclasses.replace(part, labels=labels, class_names=tuple(names))

    def indoor_vs_exterior(self) -> ImageSet:
        """Every photo labelled ``exterior`` (frontal) or ``indoor`` (the three rooms)."""
        frontal = self.class_names.index("frontal")
        labels = np.where(self.labels == frontal, 0, 1)
        return self.relabel(labels, ("exterior", "indoor"))
