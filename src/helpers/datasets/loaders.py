"""Loaders for the native layouts: class folders, Houses, TLL pairs, UKBench, query/gallery.

Each loader lists files (sorted, so the order is the same everywhere), checks every image's
header (:func:`~helpers.datasets.images.check_file`) and drops what cannot be used, counting it
in the set's skip report. Files are only read, never moved, rewritten or deleted.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .core import DataSource, HousesSet, ImageSet, SkipReport
from .images import check_file, default_workers, is_image_name
from .pairs import PairSet

if TYPE_CHECKING:
    import pandas as pd

SPLIT_NAMES = frozenset(
    {"train", "training", "test", "testing", "val", "valid", "validation", "eval", "evaluation"}
)
HOUSE_ROOMS = ("bathroom", "bedroom", "frontal", "kitchen")
HOUSE_FILE = re.compile(r"^(\d+)_(bathroom|bedroom|frontal|kitchen)\.jpe?g$", re.IGNORECASE)
UKBENCH_FILE = re.compile(r"^ukbench(\d{5})\.jpe?g$", re.IGNORECASE)
#: INRIA Holidays: ``<scene:4 digits><photo:2 digits>.jpg`` (100000-100002 are one place).
HOLIDAYS_FILE = re.compile(r"^(\d{4})(\d{2})\.jpe?g$", re.IGNORECASE)
PAIR_FILES = ("pairs.csv", "train.csv")

log = logging.getLogger("helpers.datasets")


@dataclass(frozen=True)
class LinkGuard:
    """Symbolic links leading out of the data folder: skipped and counted, or followed."""

    root: Path  # resolved
    report: SkipReport
    follow: bool = False

    def admit(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        if real.is_relative_to(self.root):
            return True
        if self.follow:
            self.report.add("link to outside the folder (followed: follow_links=True)", str(path),
                            "fixed")
            return True
        self.report.add("link to outside the folder (skipped; follow_links=True takes it)",
                        str(path))
        return False


UNREADABLE_FOLDER = "folder cannot be read (permission denied; skipped)"


def _entries(folder: Path, guard: LinkGuard | None = None,
             report: SkipReport | None = None) -> tuple[list[Path], list[Path]]:
    """(sub-folders, files) of ``folder``, hidden entries (.DS_Store, .git) left out, sorted;
    with a ``guard``, links leading outside its root are left out unless it follows them.

    A folder that cannot be listed is counted in ``report`` and taken as empty; without a
    report (the data set's own root) it is an error that says which folder and what to do.
    """
    dirs, files = [], []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if guard is not None and entry.is_symlink() and not guard.admit(Path(entry.path)):
                    continue
                (dirs if entry.is_dir() else files).append(Path(entry.path))
    except PermissionError as err:
        if report is None:
            raise PermissionError(err.errno, f"cannot list {folder} (permission denied): give "
                                  "your user read access to it (chmod -R u+rX)") from err
        report.add(UNREADABLE_FOLDER, str(folder))
        return [], []
    return sorted(dirs), sorted(files)


def _usable(paths: list[Path], report: SkipReport) -> list[bool]:
    """Header-check ``paths`` in parallel; count the bad ones in ``report``."""
    with ThreadPoolExecutor(max_workers=default_workers()) as pool:
        reasons = list(pool.map(check_file, paths, chunksize=64))
    for path, reason in zip(paths, reasons, strict=True):
        if reason is not None:
            report.add(reason, str(path))
    return [reason is None for reason in reasons]


def _image_files(folder: Path, report: SkipReport, guard: LinkGuard | None = None,
                 nested: str | None = None) -> list[Path]:
    """Image files directly in ``folder``; other files (and, with ``nested``, sub-folders:
    the reason to count them under) are counted as ignored."""
    dirs, files = _entries(folder, guard, report)
    for d in dirs if nested else ():
        report.add(nested, str(d))
    for f in files:
        if not is_image_name(f):
            report.add("not an image file name (ignored)", str(f))
    return [f for f in files if is_image_name(f)]


def cap_per_class(
    labels: np.ndarray, splits: np.ndarray, keys: list[str], max_per_class: int | None, seed: int
) -> np.ndarray:
    """Indices keeping at most ``max_per_class`` items of each label, seeded, and spread over
    the splits in proportion (each item's rank within its split, divided by the split's size,
    orders the class), so a capped places6 still has both train and eval images."""
    n = len(labels)
    if max_per_class is None:
        return np.arange(n)
    if max_per_class < 1:
        raise ValueError("max_per_class must be at least 1")
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        position = np.empty(len(members))
        for s in sorted(set(splits[members].tolist())):
            in_split = members[splits[members] == s]
            in_split = np.array(sorted(in_split, key=lambda i: keys[i]))
            ranks = rng.permutation(len(in_split))
            position[np.searchsorted(members, in_split)] = (ranks + 0.5) / len(in_split)
        order = np.lexsort((np.array([keys[i] for i in members]), position))
        keep.extend(members[order[:max_per_class]].tolist())
    return np.array(sorted(keep), dtype=np.int64)


def _finish(imageset: ImageSet, max_per_class: int | None, seed: int) -> ImageSet:
    keys = [Path(i).name for i in imageset.items]
    index = cap_per_class(imageset.labels, imageset.splits, keys, max_per_class, seed)
    out = imageset if len(index) == len(imageset) else imageset.subset(index)
    out.skipped.announce(out.name)
    return out


def is_query_gallery_folder(root: Path) -> bool:
    return (root / "query").is_dir() and (root / "gallery").is_dir()


NESTED = "sub-folder inside a class folder (ignored: images must sit directly in <class>/)"
EMPTY_CLASS = "class folder with no usable image (class left out)"


def load_class_folder(
    root: Path, source: DataSource, name: str | None = None, max_per_class: int | None = None,
    seed: int = 0, class_names: tuple[str, ...] | None = None, follow_links: bool = False,
) -> ImageSet:
    """``root/<class>/*`` or, split-aware, ``root/<split>/<class>/*`` (train/val/test/eval).

    Whatever is not taken is counted in the skip report: links leading outside ``root``
    (unless ``follow_links``), nested sub-folders, class folders without a usable image. A
    folder with no readable image is an error; a single class is a warning (fine for
    retrieval, not for a classifier).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"no folder {root}")
    report = SkipReport()
    guard = LinkGuard(Path(os.path.realpath(root)), report, follow_links)
    subdirs, loose = _entries(root, guard)
    for f in loose:
        if is_image_name(f):
            report.add("image outside any class folder (ignored)", str(f))
    split_aware = bool(subdirs) and all(d.name.lower() in SPLIT_NAMES for d in subdirs)
    groups = [(d.name, d) for d in subdirs] if split_aware else [("", root)]
    rows: list[tuple[Path, str, str]] = []  # (file, class, split)
    class_folders: list[Path] = []
    for split_name, folder in groups:
        class_dirs, stray = _entries(folder, guard, report) if split_aware else (subdirs, [])
        for f in stray:
            if is_image_name(f):
                report.add("image outside any class folder (ignored)", str(f))
        for class_dir in class_dirs:
            class_folders.append(class_dir)
            rows += [(f, class_dir.name, split_name)
                     for f in _image_files(class_dir, report, guard, NESTED)]
    if not rows:
        report.announce(name or root.name)
        raise ValueError(f"{root} holds no images in class sub-folders (<class>/<image>)")
    ok = _usable([r[0] for r in rows], report)
    if not any(ok):
        raise ValueError(f"{root}: no usable image (of the {len(rows)} files left after the "
                         f"skips below, none can be read):\n{report.summary()}")
    used = {r[0].parent for r, good in zip(rows, ok, strict=True) if good}
    for class_dir in class_folders:
        if class_dir not in used:
            report.add(EMPTY_CLASS, str(class_dir))
    rows = [r for r, good in zip(rows, ok, strict=True) if good]
    names = class_names or tuple(sorted({r[1] for r in rows}))
    if len(names) == 1:
        log.warning("data set %r has a single class (%r): fine for retrieval, but a classifier "
                    "has nothing to tell apart", name or root.name, names[0])
    lookup = {c: i for i, c in enumerate(names)}
    imageset = ImageSet(
        name=name or root.name,
        items=[str(r[0]) for r in rows],
        labels=np.array([lookup[r[1]] for r in rows], dtype=np.int64),
        class_names=names,
        source=source,
        splits=np.array([r[2] for r in rows], dtype=object),
        skipped=report,
    )
    return _finish(imageset, max_per_class, seed)


def load_query_gallery_folder(
    root: Path, source: DataSource | None = None
) -> tuple[ImageSet, ImageSet]:
    """A folder with ``query/`` and ``gallery/``; each either class folders or loose images
    (unlabelled, label -1). Both sets share one class list."""
    root = Path(root)
    if not is_query_gallery_folder(root):
        raise FileNotFoundError(f"{root} has no query/ and gallery/ sub-folders")
    source = source or DataSource(root.name, "user folder", root, f"data: {root} (user folder)")
    report = SkipReport()
    parts: dict[str, list[tuple[Path, str | None]]] = {}
    for part in ("query", "gallery"):
        class_dirs, _ = _entries(root / part, report=report)
        rows = [(f, None) for f in _image_files(root / part, report)]
        for class_dir in class_dirs:
            rows += [(f, class_dir.name) for f in _image_files(class_dir, report)]
        ok = _usable([r[0] for r in rows], report)
        parts[part] = [r for r, good in zip(rows, ok, strict=True) if good]
    names = tuple(sorted({c for rows in parts.values() for _, c in rows if c is not None}))
    lookup = {c: i for i, c in enumerate(names)}
    sets = []
    for part, rows in parts.items():
        sets.append(ImageSet(
            name=f"{root.name}/{part}",
            items=[str(f) for f, _ in rows],
            labels=np.array([-1 if c is None else lookup[c] for _, c in rows], dtype=np.int64),
            class_names=names,
            source=source,
            splits=np.full(len(rows), part, dtype=object),
            skipped=report,
        ))
    report.announce(root.name)
    return sets[0], sets[1]


def read_houses_info(path: Path) -> pd.DataFrame:
    """``HousesInfo.txt`` as a DataFrame; line i (1-based) describes house i."""
    import pandas as pd

    table = pd.read_csv(
        path, sep=r"\s+", header=None, names=["bedrooms", "bathrooms", "area", "zipcode", "price"]
    )
    table.insert(0, "house_id", np.arange(1, len(table) + 1))
    return table


def load_houses(
    root: Path, source: DataSource, max_per_class: int | None = None, seed: int = 0
) -> HousesSet:
    """``<house>_<room>.jpg`` + ``HousesInfo.txt``; ``max_per_class`` caps the number of houses."""
    root = Path(root)
    info = root / "HousesInfo.txt"
    if not info.is_file():
        raise FileNotFoundError(f"{root} has no HousesInfo.txt: not the Houses layout")
    report = SkipReport()
    rows = []
    _, files = _entries(root)
    for f in files:
        if f.name == info.name:
            continue
        if not is_image_name(f):
            report.add("not an image file name (ignored)", str(f))
            continue
        match = HOUSE_FILE.match(f.name)
        if match is None:
            report.add("name is not <house>_<room>.jpg (ignored)", str(f))
            continue
        rows.append((f, int(match.group(1)), HOUSE_ROOMS.index(match.group(2).lower())))
    ok = _usable([r[0] for r in rows], report)
    rows = [r for r, good in zip(rows, ok, strict=True) if good]
    rows.sort(key=lambda r: (r[1], r[2]))
    metadata = read_houses_info(info)
    houses = sorted({r[1] for r in rows})
    unknown = set(houses) - set(metadata["house_id"])
    for f, house, _ in rows:
        if house in unknown:
            report.add("house id has no line in HousesInfo.txt (kept, no metadata)", str(f))
    if max_per_class is not None:
        chosen = np.random.default_rng(seed).permutation(houses)[:max_per_class]
        rows = [r for r in rows if r[1] in set(chosen.tolist())]
        houses = sorted({r[1] for r in rows})
    metadata = metadata[metadata["house_id"].isin(houses)].reset_index(drop=True)
    out = HousesSet(
        name="houses",
        items=[str(r[0]) for r in rows],
        labels=np.array([r[2] for r in rows], dtype=np.int64),
        class_names=HOUSE_ROOMS,
        source=source,
        groups=np.array([r[1] for r in rows], dtype=np.int64),
        skipped=report,
        metadata=metadata,
    )
    report.announce("houses")
    return out


def _pair_table(root: Path) -> list[tuple[str, str]] | None:
    import pandas as pd

    for name in PAIR_FILES:
        path = root / name
        if path.is_file():
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            cols = {c.strip().lower(): c for c in table.columns}
            if "left" not in cols or "right" not in cols:
                raise ValueError(f"{path} needs 'left' and 'right' columns, has {list(table)}")
            return list(zip(table[cols["left"]].str.strip(), table[cols["right"]].str.strip(), strict=True))
    return None


def load_tll(
    root: Path, source: DataSource, max_per_class: int | None = None, seed: int = 0
) -> PairSet:
    """``left/`` and ``right/``, paired by ``pairs.csv`` (ids with or without extension) or,
    as in the official release, by equal file names. ``max_per_class`` caps the pairs."""
    root = Path(root)
    if not ((root / "left").is_dir() and (root / "right").is_dir()):
        raise FileNotFoundError(f"{root} has no left/ and right/ folders: not the TLL layout")
    report = SkipReport()
    files = {side: _image_files(root / side, report) for side in ("left", "right")}
    by_stem = {side: {f.stem: f for f in fs} | {f.name: f for f in fs} for side, fs in files.items()}
    table = _pair_table(root)
    if table is None:
        common = sorted(set(f.name for f in files["left"]) & set(f.name for f in files["right"]))
        for side, other in (("left", "right"), ("right", "left")):
            for f in files[side]:
                if f.name not in by_stem[other]:
                    report.add(f"no {other} image of the same name", str(f))
        table = [(n, n) for n in common]
    pairs = []
    for left_id, right_id in table:
        left, right = by_stem["left"].get(left_id), by_stem["right"].get(right_id)
        if left is None or right is None:
            missing = f"left/{left_id}" if left is None else f"right/{right_id}"
            report.add("pair names a missing file", str(root / missing))
            continue
        pairs.append((left, right, Path(left_id).stem))
    flat = [p for pair in pairs for p in pair[:2]]
    ok = _usable(flat, report)
    pairs = [p for k, p in enumerate(pairs) if ok[2 * k] and ok[2 * k + 1]]
    if max_per_class is not None:
        keep = np.sort(np.random.default_rng(seed).permutation(len(pairs))[:max_per_class])
        pairs = [pairs[k] for k in keep]
    report.announce("tll")
    return PairSet(
        "tll", [str(p[0]) for p in pairs], [str(p[1]) for p in pairs], [p[2] for p in pairs],
        source, report,
    )


def load_ukbench(
    root: Path, source: DataSource, max_per_class: int | None = None, seed: int = 0
) -> ImageSet:
    """``ukbench%05d.jpg`` (also inside ``full/``): label = object = index // 4.

    ``max_per_class`` caps the number of objects (the first ones, as the shared copy does).
    """
    root = Path(root)
    folder = root / "full" if (root / "full").is_dir() else root
    report = SkipReport()
    rows = []
    for f in _image_files(folder, report):
        match = UKBENCH_FILE.match(f.name)
        if match is None:
            report.add("name is not ukbenchNNNNN.jpg (ignored)", str(f))
            continue
        rows.append((f, int(match.group(1))))
    if not rows:
        raise ValueError(f"{folder} holds no ukbenchNNNNN.jpg files")
    ok = _usable([r[0] for r in rows], report)
    rows = [r for r, good in zip(rows, ok, strict=True) if good]
    objects = sorted({n // 4 for _, n in rows})
    if max_per_class is not None:
        objects = objects[:max_per_class]
    keep = set(objects)
    rows = [r for r in rows if r[1] // 4 in keep]
    lookup = {o: i for i, o in enumerate(objects)}
    report.announce("ukbench")
    return ImageSet(
        name="ukbench",
        items=[str(f) for f, _ in rows],
        labels=np.array([lookup[n // 4] for _, n in rows], dtype=np.int64),
        class_names=tuple(f"object_{o:05d}" for o in objects),
        source=source,
        groups=np.array([n // 4 for _, n in rows], dtype=np.int64),
        skipped=report,
    )


def load_holidays(root: Path, source: DataSource, max_per_class: int | None = None) -> ImageSet:
    """INRIA Holidays as ``<scene><nn>.jpg``: label = scene = the first four digits.

    ``max_per_class`` caps the number of scenes (the first ones, by name).
    """
    report = SkipReport()
    rows = []
    for f in _image_files(Path(root), report):
        match = HOLIDAYS_FILE.match(f.name)
        if match is None:
            report.add("name is not <scene:4 digits><nn>.jpg (ignored)", str(f))
            continue
        rows.append((f, int(match.group(1))))
    if not rows:
        raise ValueError(f"{root} holds no <scene><nn>.jpg files")
    ok = _usable([r[0] for r in rows], report)
    rows = sorted((r for r, good in zip(rows, ok, strict=True) if good), key=lambda r: r[0].name)
    scenes = sorted({scene for _, scene in rows})[:max_per_class]
    lookup = {scene: i for i, scene in enumerate(scenes)}
    rows = [r for r in rows if r[1] in lookup]
    report.announce("holidays")
    return ImageSet(
        name="holidays", items=[str(f) for f, _ in rows],
        labels=np.array([lookup[scene] for _, scene in rows], dtype=np.int64),
        class_names=tuple(f"scene_{scene:04d}" for scene in scenes), source=source,
        groups=np.array([scene for _, scene in rows], dtype=np.int64), skipped=report,
    )


def detect_layout(root: Path) -> str:
    """Which loader fits a folder: houses, tll, ukbench, holidays, query_gallery or class_folder."""
    root = Path(root)
    if (root / "HousesInfo.txt").is_file():
        return "houses"
    if (root / "left").is_dir() and (root / "right").is_dir():
        return "tll"
    if is_query_gallery_folder(root):
        return "query_gallery"
    folder = root / "full" if (root / "full").is_dir() else root
    if any(UKBENCH_FILE.match(f.name) for f in _entries(folder)[1][:50]):
        return "ukbench"
    names = [f.name for f in _entries(root)[1][:50]]
    if names and not _entries(root)[0] and all(HOLIDAYS_FILE.match(n) for n in names):
        return "holidays"
    return "class_folder"
