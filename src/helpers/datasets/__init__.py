"""Data sets by name: every notebook asks for data by name and gets the same thing everywhere.

>>> images = datasets.load("places6", synthetic=settings.synthetic, seed=SEED)
>>> print(images.source.notice)            # where it came from; "WARNING: ..." when synthetic
>>> x = images.subset("eval").images(224)  # uint8 (N, 224, 224, 3), RGB

Names: ``places6``, ``flowers`` (class folders with splits), ``houses`` (:class:`HousesSet`),
``tll`` (:class:`PairSet`), ``ukbench`` (groups of four views), ``attributes`` (binary
attributes; synthetic unless you supply a folder), or a path to your own folder (class folders,
optionally inside ``train/val/test``; or any of the layouts above).

Modules: ``core`` (containers), ``images`` (decoding), ``loaders`` (layouts), ``splits``,
``pairs``, ``synthetic``/``standins`` (generated stand-ins), ``sources``/``archives``
(resolution, downloads, safe extraction), ``pydata`` (Keras PyDataset).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from . import loaders, sources, standins
from .archives import ArchiveError
from .core import DataSource, HousesSet, ImageSet, SkipReport
from .images import read_image
from .loaders import load_query_gallery_folder
from .pairs import PairSet
from .sources import REGISTRY, DownloadError, fetch
from .splits import DRE19, EIGHTY_TWENTY, query_gallery, split

log = logging.getLogger("helpers.datasets")

NAMES = ("places6", "flowers", "houses", "tll", "ukbench", "holidays", "attributes")

__all__ = [
    "DRE19", "EIGHTY_TWENTY", "NAMES", "REGISTRY", "DataSource", "DownloadError", "HousesSet",
    "ImageSet", "PairSet", "SkipReport", "fetch", "load", "load_folder", "load_query_gallery_folder",
    "query_gallery", "read_image", "split",
]

Loaded = ImageSet | HousesSet | PairSet


def load_folder(
    root: str | Path, source: DataSource, name: str | None = None,
    max_per_class: int | None = None, seed: int = 0, follow_links: bool = False,
) -> Loaded:
    """Load a folder with the loader its layout calls for (see ``loaders.detect_layout``).

    ``follow_links``: take class folders and images that are symbolic links to places outside
    ``root`` (by default they are skipped and counted in the skip report)."""
    root = Path(root)
    layout = loaders.detect_layout(root)
    if layout == "houses":
        return loaders.load_houses(root, source, max_per_class, seed)
    if layout == "tll":
        return loaders.load_tll(root, source, max_per_class, seed)
    if layout == "ukbench":
        return loaders.load_ukbench(root, source, max_per_class, seed)
    if layout == "holidays":
        return loaders.load_holidays(root, source, max_per_class)
    if layout == "query_gallery":
        raise ValueError(f"{root} is a query/gallery folder: use load_query_gallery_folder()")
    return loaders.load_class_folder(root, source, name, max_per_class, seed,
                                     follow_links=follow_links)


def _looks_like_path(name: str) -> bool:
    return name not in NAMES and (os.sep in name or "/" in name or Path(name).expanduser().is_dir())


def load(
    name_or_path: str | Path,
    *,
    synthetic: bool = False,
    seed: int = 0,
    max_per_class: int | None = None,
    download: bool = True,
    size_hint: int | None = None,
    follow_links: bool = False,
) -> Loaded:
    """The data set ``name_or_path``, resolved as the module docstring says.

    ``synthetic=True`` returns the generated stand-in of that shape (the smoke profile).
    ``seed`` draws the stand-in's images and which items ``max_per_class`` keeps (per class;
    for houses, tll and ukbench: houses, pairs and objects). ``size_hint`` is the size
    ``images()``/``pydataset()`` use when called without one. ``follow_links`` takes links
    to outside a user's folder (see :func:`load_folder`). A known name with no local copy
    and no successful download falls back to the stand-in with a ``WARNING:`` notice.
    """
    name = str(name_or_path)
    if synthetic:
        shape = name if name in standins.STANDIN_NAMES else "places6"
        result = standins.build(shape, seed, max_per_class, reason="synthetic=True, smoke profile")
    elif _looks_like_path(name):
        root = Path(name).expanduser().resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"no data folder {root}")
        source = DataSource(root.name, "user folder", root, f"data: {root} (user folder)")
        result = load_folder(root, source, root.name, max_per_class, seed, follow_links)
    else:
        result = _load_named(name, seed, max_per_class, download)
    if size_hint is not None:
        result.default_size = int(size_hint)
    return result


def _load_named(name: str, seed: int, max_per_class: int | None, download: bool) -> Loaded:
    found = sources.local_root(name)
    if found is not None:
        root, where = found
        label = "$LOOKALIKE_DATA" if where == "LOOKALIKE_DATA" else "data/"
        source = DataSource(name, where, root, f"data: {name} from {root} ({label})")
        return load_folder(root, source, name, max_per_class, seed)
    if name not in NAMES:
        raise KeyError(
            f"unknown data set {name!r}: not one of {NAMES}, not a folder, and not found in "
            "$LOOKALIKE_DATA or data/"
        )
    reason = "no local copy in $LOOKALIKE_DATA or data/"
    if name in REGISTRY and download:
        try:
            source = fetch(name)
            return load_folder(source.root, source, name, max_per_class, seed)
        except (DownloadError, ArchiveError, OSError) as err:
            reason += f"; download failed: {err}"
    elif name not in REGISTRY:
        reason += "; no public data set carries these labels"
    else:
        reason += "; downloads disabled"
    return standins.build(name, seed, max_per_class, reason=reason)
