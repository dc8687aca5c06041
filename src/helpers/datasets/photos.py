"""A folder of your own photos (notebook 06): flat, or one sub-folder per class when labelled.

>>> photos = load_photos("~/Pictures/trip")   # an ImageSet; labels -1 when the folder is flat
>>> print(photos.source.notice, photos.skipped.summary())

The layout is read from the folder itself:

- **labelled**: two or more sub-folders hold photos. Each top-level sub-folder is a class, and
  photos in its own sub-folders belong to it too; photos lying loose beside the class folders are
  counted in the skip report and left out (they have no label).
- **flat**: otherwise. Every photo in the folder and in its sub-folders (a camera roll sorted
  by date, say) is taken, unlabelled.

Bad input ends in a clear error or a counted skip, as everywhere in the course: a folder that
does not exist, holds no photo, or holds only one usable photo (nearest neighbours need two) is
an error that says what to do; files that are not images, cannot be decoded or are too large,
links leading out of the folder and sub-folders that cannot be read are skipped and counted.
Nothing in the folder is moved, written or deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .core import DataSource, ImageSet, SkipReport
from .images import is_image_name
from .loaders import LinkGuard, _entries, _usable

#: Nearest neighbours need a photo and at least one other.
MIN_PHOTOS = 2
LOOSE = "photo beside the class folders (left out: it has no class)"
NOT_IMAGE = "not an image file name (ignored)"


def _walk(folder: Path, guard: LinkGuard, report: SkipReport) -> list[Path]:
    """Image files in ``folder`` and below it, sorted; other files counted as ignored."""
    found: list[Path] = []
    dirs, files = _entries(folder, guard, report)
    for f in files:
        if is_image_name(f):
            found.append(f)
        else:
            report.add(NOT_IMAGE, str(f))
    for d in dirs:
        found += _walk(d, guard, report)
    return found


def _rows(root: Path, report: SkipReport, follow_links: bool) -> tuple[list[Path], list[str]]:
    """(image files, their class: the top-level sub-folder, "" when the folder is flat)."""
    guard = LinkGuard(Path(os.path.realpath(root)), report, follow_links)
    subdirs, files = _entries(root, guard)  # the folder itself unreadable: an error
    per_class = {d.name: _walk(d, guard, report) for d in subdirs}
    loose = [f for f in files if is_image_name(f)]
    for f in files:
        if not is_image_name(f):
            report.add(NOT_IMAGE, str(f))
    if sum(bool(v) for v in per_class.values()) >= 2:
        for f in loose:
            report.add(LOOSE, str(f))
        pairs = [(f, name) for name, paths in per_class.items() for f in paths]
    else:
        pairs = [(f, "") for f in loose] + [(f, "") for paths in per_class.values() for f in paths]
    return [p for p, _ in pairs], [c for _, c in pairs]


def load_photos(folder: str | Path, *, max_photos: int | None = None, seed: int = 0,
                follow_links: bool = False) -> ImageSet:
    """The photos in ``folder`` (see the module docstring); ``max_photos`` keeps a seeded
    random sample of that many, in folder order."""
    root = Path(folder).expanduser()
    if not root.exists():
        where = "" if root.is_absolute() else f" (a relative path is read from {Path.cwd()})"
        raise FileNotFoundError(f"FOLDER {root} does not exist{where}: give the full path of a "
                                "folder of photos (-p FOLDER /path/to/photos)")
    if not root.is_dir():
        raise NotADirectoryError(f"FOLDER {root} is a file, not a folder of photos")
    root = root.resolve()
    report = SkipReport()
    paths, classes = _rows(root, report, follow_links)
    if not paths:
        raise ValueError(f"{root} holds no photos (.jpg, .png, .webp, ... files): put your "
                         "photos in it, loose or one sub-folder per class"
                         + (f"\n{report.summary()}" if len(report) else ""))
    ok = _usable(paths, report)
    kept = [i for i, good in enumerate(ok) if good]
    if len(kept) < MIN_PHOTOS:
        raise ValueError(f"{root}: {len(kept)} usable photo(s) of {len(paths)} image files; "
                         f"nearest neighbours need at least {MIN_PHOTOS}. Add photos, or see "
                         f"why files were skipped:\n{report.summary() or '(none skipped)'}")
    if max_photos is not None and len(kept) > max_photos:
        rng = np.random.default_rng(seed)
        kept = sorted(rng.choice(kept, size=max_photos, replace=False).tolist())
    names = tuple(sorted({classes[i] for i in kept} - {""}))
    lookup = {name: i for i, name in enumerate(names)}
    source = DataSource(root.name, "user folder", root, f"data: {root} (your folder)")
    photos = ImageSet(name=root.name, items=[str(paths[i]) for i in kept],
                      labels=np.array([lookup.get(classes[i], -1) for i in kept], np.int64),
                      class_names=names, source=source, skipped=report)
    report.announce(photos.name)
    return photos


def labelled(photos: ImageSet) -> bool:
    """True when every photo has a class and there are at least two classes."""
    return bool(len(photos.class_names) >= 2 and (np.asarray(photos.labels) >= 0).all())
