"""Deterministic, stratified, seeded splits, written once as CSV and reused; query/gallery sets.

A split is a pure function of the items (named relative to their data-set root, so the same on
every machine), their labels, the fractions and the seed. It is also saved under
``config.cache_dir()/splits/`` the first time and read back afterwards, so a later NumPy whose
random stream differed could not silently move images between splits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .core import ImageSet

log = logging.getLogger("helpers.datasets")

DRE19 = {"train": 0.6, "test": 0.2, "val": 0.2}
EIGHTY_TWENTY = {"train": 0.8, "val": 0.2}


def allocate(n: int, fractions: Mapping[str, float]) -> dict[str, int]:
    """Split ``n`` into integer parts proportional to ``fractions`` (largest remainder).

    Ties go to the split named first, so the result depends only on the inputs.
    """
    if not fractions:
        raise ValueError("fractions is empty")
    values = np.array([float(v) for v in fractions.values()])
    if (values < 0).any() or not np.isclose(values.sum(), 1.0, atol=1e-6):
        raise ValueError(f"fractions must be non-negative and sum to 1, got {dict(fractions)}")
    exact = values * n
    sizes = np.floor(exact).astype(int)
    remainder = exact - sizes
    for k in np.argsort(-remainder, kind="stable")[: n - sizes.sum()]:
        sizes[k] += 1
    return dict(zip(fractions, sizes.tolist(), strict=True))


def item_keys(imageset: ImageSet) -> list[str]:
    """Machine-independent names: paths relative to the data-set root (POSIX), or the id."""
    root = imageset.source.root
    keys = []
    for item in imageset.items:
        path = Path(item)
        if root is not None and path.is_absolute():
            try:
                keys.append(path.relative_to(root).as_posix())
                continue
            except ValueError:
                pass
        keys.append(path.as_posix() if path.is_absolute() else item)
    return keys


def assign(labels: np.ndarray, keys: list[str], fractions: Mapping[str, float], seed: int) -> list[str]:
    """The split of each item: per label, a seeded permutation of the items in key order."""
    rng = np.random.default_rng(seed)
    out = [""] * len(keys)
    for label in np.unique(labels):
        members = sorted(np.flatnonzero(labels == label).tolist(), key=lambda i: keys[i])
        order = [members[j] for j in rng.permutation(len(members))]
        start = 0
        for split_name, size in allocate(len(members), fractions).items():
            for i in order[start : start + size]:
                out[i] = split_name
            start += size
    return out


def split_file(imageset: ImageSet, fractions: Mapping[str, float], seed: int) -> Path:
    from .. import config

    keys = item_keys(imageset)
    digest = hashlib.sha256()
    for key, label in sorted(zip(keys, imageset.labels.tolist(), strict=True)):
        # surrogateescape: names that are not UTF-8 on disk (caf\udce9.jpg) hash as their bytes
        digest.update(f"{key}\t{label}\n".encode("utf-8", "surrogateescape"))
    tag = "-".join(f"{k}{round(float(v) * 100)}" for k, v in fractions.items())
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in imageset.name)
    # A long (say, 80 CJK characters) set name would pass the 255-byte file name limit: cut it,
    # the digest after it identifies the file anyway.
    safe = safe.encode("utf-8", "surrogateescape")[:120].decode("utf-8", "ignore")
    return config.cache_dir() / "splits" / f"{safe}-{digest.hexdigest()[:12]}-{tag}-seed{seed}.csv"


def _read_split_file(path: Path) -> dict[str, str] | None:
    """``{item: split}`` from a split CSV, or None when it is empty, not CSV or lacks a column
    (an interrupted copy, an edit gone wrong): the caller rebuilds it from the seed."""
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False,
                            encoding_errors="surrogateescape")
        return dict(zip(table["item"], table["split"], strict=True))
    except (ValueError, KeyError, OSError, UnicodeError):  # pandas' parse errors are ValueErrors
        return None


def split(
    imageset: ImageSet, fractions: Mapping[str, float] | None = None, seed: int = 0
) -> ImageSet:
    """The same images with ``splits`` assigned (stratified by label, seeded, persisted).

    Any splits the set had (places6's train/eval folders) are replaced: this is for data sets
    that, like DRE19, are split 60/20/20 by the experimenter. The CSV (item, label, split) is
    written once and reused by every notebook with the same items, fractions and seed.
    """
    import pandas as pd

    from .. import config

    fractions = dict(fractions or DRE19)
    keys = item_keys(imageset)
    path = split_file(imageset, fractions, seed)
    splits: list[str] | None = None
    if path.is_file():
        stored = _read_split_file(path)
        if stored is not None and set(stored) == set(keys):
            splits = [stored[k] for k in keys]
        else:
            log.warning("split file %s is damaged or does not match the items; rewriting it",
                        path)
    if splits is None:
        splits = assign(imageset.labels, keys, fractions, seed)
        config.writable_cache_dir("splits")
        table = pd.DataFrame({"item": keys, "label": imageset.labels, "split": splits})
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        table.sort_values("item").to_csv(tmp, index=False, errors="surrogateescape")
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    out = imageset.subset(np.arange(len(imageset)))
    out.splits = np.asarray(splits, dtype=object)
    return out


def query_gallery(
    imageset: ImageSet, queries_per_class: int = 10, seed: int = 0
) -> tuple[ImageSet, ImageSet]:
    """Per class, ``queries_per_class`` seeded queries; everything else is the gallery.

    Every class keeps at least one gallery image, so each query has a true match to find.
    """
    if queries_per_class < 1:
        raise ValueError("queries_per_class must be at least 1")
    rng = np.random.default_rng(seed)
    keys = item_keys(imageset)
    is_query = np.zeros(len(imageset), dtype=bool)
    for label in np.unique(imageset.labels):
        members = sorted(np.flatnonzero(imageset.labels == label).tolist(), key=lambda i: keys[i])
        take = min(queries_per_class, len(members) - 1)
        if take < 1:
            continue
        is_query[[members[j] for j in rng.permutation(len(members))[:take]]] = True
    return imageset.subset(is_query), imageset.subset(~is_query)
