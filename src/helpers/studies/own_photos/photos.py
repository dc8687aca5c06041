"""Which photos notebook 06 looks at, and the plan it prints before computing their features.

``FOLDER`` given: your folder (:func:`helpers.datasets.photos.load_photos`: flat or one
sub-folder per class, bad files skipped and counted). ``FOLDER = None``: the profile's photos,
synthetic in the smoke profile, otherwise a stand-in camera roll mixed from the shared data
sets (:func:`camera_roll`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import backbones as helpers_backbones
from helpers import datasets, features, preprocessing
from helpers.datasets import DataSource, ImageSet
from helpers.datasets.photos import labelled, load_photos

#: The stand-in camera roll: (data set, split it is drawn from, class-name prefix).
CAMERA_ROLL = (("places6", "eval", "room"), ("flowers", "test", "flower"),
               ("ukbench", None, "object"))


def load(folder: str | Path | None, settings: object, seed: int) -> ImageSet:
    """Your folder, or the profile's photos when ``folder`` is None."""
    max_photos = getattr(settings, "max_photos", None)
    if folder is not None:
        return load_photos(folder, max_photos=max_photos, seed=seed)
    if getattr(settings, "synthetic", False):
        photos = datasets.load("places6", synthetic=True, seed=seed,
                               max_per_class=getattr(settings, "per_class", 12))
    else:
        photos = camera_roll(getattr(settings, "per_class", 40), seed)
    if max_photos is not None and len(photos) > max_photos:
        keep = np.sort(np.random.default_rng(seed).choice(len(photos), max_photos, replace=False))
        photos = photos.subset(keep)
    return photos


def camera_roll(per_class: int, seed: int = 0) -> ImageSet:
    """A stand-in for a student's photos, as if a camera roll: ``per_class`` photos of each
    room (places6's eval split), flower (flowers' test split) and UKBench object (four views
    of each: near-duplicates), classes named "room: kitchen", "object: 00004", ...

    A set without a local copy falls back to its synthetic stand-in, and the notice says so.
    """
    items: list[str] = []
    labels: list[int] = []
    names: list[str] = []
    notices = []
    for name, split, prefix in CAMERA_ROLL:
        part = datasets.load(name, seed=seed)
        if split is not None and split in part.split_names:
            part = part.subset(split)
        notices.append(f"{name} ({part.source.origin})")
        for label, class_name in enumerate(part.class_names):
            members = np.flatnonzero(part.labels == label)
            chosen = np.sort(np.random.default_rng([seed, label]).permutation(members)[:per_class])
            if chosen.size == 0:
                continue
            items += [part.items[i] for i in chosen]
            labels += [len(names)] * len(chosen)
            names.append(f"{prefix}: {class_name.removeprefix('object_')}")
    synthetic = any("synthetic" in n for n in notices)
    origin = "synthetic" if synthetic else "LOOKALIKE_DATA"
    source = DataSource("camera_roll", origin, None,
                        f"data: a stand-in camera roll of {len(items)} photos from "
                        f"{', '.join(notices)}" + (" WARNING: partly synthetic" if synthetic
                                                   else ""))
    return ImageSet("camera_roll", items, np.array(labels), tuple(names), source)


def describe(photos: ImageSet) -> str:
    """One line: how many photos, labelled or not, how many skipped."""
    if labelled(photos):
        sizes = np.bincount(photos.labels, minlength=len(photos.class_names))
        what = (f"labelled: {len(photos.class_names)} classes of {sizes.min()} to {sizes.max()} "
                "photos")
    else:
        what = "no labels (a flat folder): neighbours, duplicates and the map, no scores"
    return f"{len(photos)} photos, {what}; {photos.skipped.n_skipped} files skipped"


@dataclass(frozen=True)
class Plan:
    """What computing the features will take, measured on a few photos before starting."""

    photos: int
    backbones: tuple[str, ...]
    seconds_per_photo: float  # decoding and one backbone, measured on ``probe`` photos
    chunk: int
    image_size: int

    @property
    def minutes(self) -> float:
        return self.photos * len(self.backbones) * self.seconds_per_photo / 60

    @property
    def megabytes(self) -> float:
        """One chunk's decoded pixels (uint8), plus the float32 copy ``features.run_model``
        preprocesses at a time (:data:`helpers.features.CHUNK_IMAGES` images)."""
        pixels = self.image_size ** 2 * 3
        in_chunk = min(self.chunk, self.photos)
        return (in_chunk * pixels + min(in_chunk, features.CHUNK_IMAGES) * pixels * 4) / 1e6

    def __str__(self) -> str:
        return (f"{self.photos} photos x {len(self.backbones)} backbone(s) "
                f"({', '.join(self.backbones)}): about {self.minutes:.1f} min on this machine "
                f"(measured {self.seconds_per_photo * 1000:.0f} ms a photo; cached features "
                f"take seconds), {self.megabytes:.0f} MB of pixels at a time ({self.chunk} "
                "photos per chunk)")


def plan(photos: ImageSet, backbones: tuple[str, ...], image_size: int, weights: object,
         chunk: int, probe: int = 16) -> Plan:
    """Time decoding and the first backbone on ``probe`` photos, after one warm-up pass over
    the same photos (building the model and tracing its graph are not counted), before the
    real run."""
    model, _ = helpers_backbones.build(backbones[0], "avg", weights=weights,
                                       image_size=image_size)
    name = helpers_backbones.get(backbones[0]).name
    sample = photos.subset(np.arange(min(probe, len(photos))))
    # Called directly, not through predict(): no graph is traced for a model used once.
    model(preprocessing.apply("imagenet", sample.images(image_size, progress=False), name))
    start = time.perf_counter()
    model(preprocessing.apply("imagenet", sample.images(image_size, progress=False), name))
    per_photo = (time.perf_counter() - start) / len(sample)
    return Plan(len(photos), tuple(backbones), per_photo, chunk, image_size)
