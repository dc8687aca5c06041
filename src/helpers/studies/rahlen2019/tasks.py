"""Report 03's three tasks, its published numbers, and the stand-in data for each task.

Råhlén & Sjöqvist (2019) collected listing photos from hemnet.se by search terms and trained
three classifiers: balcony vs indoor, fireplace vs no fireplace, and room type (kitchen,
bathroom, bedroom). None of their photos were published. Stand-ins here:

- **rooms**: the Houses data set's kitchen, bathroom and bedroom photos (the same question).
- **balcony**: Houses' *frontal* (exterior) photos against indoor photos. A balcony photo is an
  outdoor shot among indoor ones, which is what made the report's task easy (section 5.1); the
  stand-in keeps that contrast but it is *not* a balcony detector.
- **fireplace**: no public data set has these labels; the task runs on any labelled folder the
  user points at (two class sub-folders), on the synthetic binary stand-in in the smoke
  profile, and is reported as not testable otherwise.

The paper's tables (3.1, 4.1-4.6) are transcribed below as printed, typos included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers import datasets
from helpers.studies.rahlen2019.paper import (  # noqa: F401  (re-exported)
    PAPER_FIGURES,
    PAPER_RESULTS,
    PAPER_TABLES,
)

TASK_NAMES = ("balcony", "fireplace", "rooms")
MODES = ("frozen", "finetune_all")
MODE_TITLES = {"frozen": "feature extraction (frozen backbone, new head)",
               "finetune_all": "fine-tuning (all layers)"}
ROOMS = ("kitchen", "bathroom", "bedroom")


@dataclass(frozen=True)
class Architecture:
    """A Keras backbone and the report's PyTorch architecture it stands in for."""

    backbone: str
    paper: str | None  # None: not in the report (an extra row)
    why: str


# The report's five torchvision models and their closest keras.applications counterparts.
ARCHITECTURES = (
    Architecture("resnet50", "ResNet18", "Keras has no ResNet18; ResNet50 is the same family"),
    Architecture("mobilenetv2", "AlexNet", "Keras has no AlexNet; MobileNetV2 takes its role as "
                 "the small, fast model of the five (and has real ImageNet weights here)"),
    Architecture("vgg16", "VGG-11-BN", "Keras has no VGG11; VGG16 is the same design, "
                 "deeper and without batch normalisation"),
    Architecture("densenet121", "DenseNet-121", "the same architecture"),
    Architecture("inceptionv3", "Inception v3", "the same architecture (no auxiliary head)"),
)
EXTRA = (Architecture("mobilenet", None, "beyond the report: MobileNet v1, the other backbone "
                      "with real ImageNet weights here"),)


def architecture(backbone: str) -> Architecture:
    """The :class:`Architecture` row of a backbone (the report's or an extra one)."""
    for arch in ARCHITECTURES + EXTRA:
        if arch.backbone == backbone:
            return arch
    return Architecture(backbone, None, "not in the report")


def paper_result(task: str, mode: str, backbone: str) -> tuple[float | None, float | None]:
    """(seconds, accuracy) the report gives for the architecture ``backbone`` stands in for."""
    paper = architecture(backbone).paper
    if paper is None:
        return None, None
    return PAPER_RESULTS[task][mode].get(paper, (None, None))


def paper_best(task: str, mode: str) -> float:
    """The report's best validation accuracy of a task and mode over its five architectures."""
    return max(acc for _, acc in PAPER_RESULTS[task][mode].values())


@dataclass(frozen=True)
class TaskSpec:
    """One of the report's experiments and the classes it used (table 3.1: train, val)."""

    name: str
    title: str
    paper_classes: dict[str, tuple[int, int]]
    stand_in: str


TASKS = {
    "balcony": TaskSpec("balcony", "balcony vs indoor",
                        {"balcony": (558, 139), "indoor": (486, 122)},
                        "Houses: exterior (frontal) photos vs indoor photos, one indoor photo "
                        "per house so the classes are balanced as in the report"),
    "fireplace": TaskSpec("fireplace", "fireplace vs no fireplace",
                          {"fireplace": (382, 96), "no_fireplace": (205, 51)},
                          "a labelled folder you supply (FIREPLACE_FOLDER)"),
    "rooms": TaskSpec("rooms", "room type", {"kitchen": (256, 64), "bathroom": (208, 52),
                                             "bedroom": (291, 73)},
                      "Houses: kitchen, bathroom and bedroom photos"),
}
# Which of our classes plays which of the report's (for the counts table).
PLAYS = {"balcony": {"exterior": "balcony", "indoor": "indoor"},
         "fireplace": {}, "rooms": {r: r for r in ROOMS}}


@dataclass
class TaskData:
    """A task's 80/20 train/val split, or the reason it cannot run (``train is None``)."""

    spec: TaskSpec
    train: Any = None  # ImageSet
    val: Any = None
    source: Any = None  # DataSource
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def available(self) -> bool:
        return self.train is not None

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.train.class_names) if self.available else ()

    def describe(self) -> str:
        if not self.available:
            return f"{self.name}: NOT RUN - {self.reason}"
        counts = ", ".join(f"{c} {int((self.train.labels == i).sum())}+"
                           f"{int((self.val.labels == i).sum())}"
                           for i, c in enumerate(self.class_names))
        return f"{self.name}: {counts} (train+val) from {self.source.notice}"


def _split(imageset: Any, seed: int) -> tuple[Any, Any]:
    """80/20 stratified split; a folder's own train/val(idation) folders are kept if present."""
    names = set(imageset.split_names)
    val_name = next((v for v in ("val", "validation", "valid", "eval") if v in names), None)
    if "train" in names and val_name is not None:
        return imageset.subset("train"), imageset.subset(val_name)
    parts = datasets.split(imageset, datasets.EIGHTY_TWENTY, seed=seed)
    return parts.subset("train"), parts.subset("val")


def balanced_exterior_indoor(houses: Any, seed: int) -> Any:
    """Exterior (frontal) photos and, per house, one indoor photo drawn with ``seed``."""
    both = houses.indoor_vs_exterior()
    rng = np.random.default_rng(seed)
    keep = list(np.flatnonzero(both.labels == 0))
    for house in np.unique(both.groups):
        indoor = np.flatnonzero((both.groups == house) & (both.labels == 1))
        if len(indoor):
            keep.append(int(rng.choice(indoor)))
    return both.subset(np.sort(np.asarray(keep, dtype=np.int64)))


def load_tasks(synthetic: bool, seed: int, fireplace_folder: str | Path | None = None,
               max_per_class: int | None = None, houses: str = "houses") -> dict[str, TaskData]:
    """The three tasks' data, split 80/20 (stratified, seeded, saved with the splits).

    ``max_per_class`` caps houses (Houses) and images per class (the fireplace folder).
    ``fireplace_folder``: a folder (or data set name) with two class sub-folders; None means
    the task does not run, except with ``synthetic`` where the binary stand-in is used.
    """
    out: dict[str, TaskData] = {}
    source = datasets.load(houses, synthetic=synthetic, seed=seed, max_per_class=max_per_class)
    for name, part in (("balcony", balanced_exterior_indoor(source, seed)),
                       ("rooms", source.rooms(ROOMS))):
        train, val = _split(part, seed)
        out[name] = TaskData(TASKS[name], train, val, source.source)
    out["fireplace"] = _fireplace(synthetic, seed, fireplace_folder, max_per_class)
    return {name: out[name] for name in TASK_NAMES}


def _fireplace(synthetic: bool, seed: int, folder: str | Path | None,
               max_per_class: int | None) -> TaskData:
    spec = TASKS["fireplace"]
    if folder is None and not synthetic:
        return TaskData(spec, reason=(
            "no fireplace folder given. No public data set carries fireplace labels; set "
            "FIREPLACE_FOLDER to a folder with two class sub-folders (e.g. fireplace/ and "
            "no_fireplace/, optionally inside train/ and val/) to run this task"))
    imageset = datasets.load("attributes" if folder is None else str(folder),
                             synthetic=synthetic, seed=seed, max_per_class=max_per_class)
    if len(imageset.class_names) != 2:
        raise ValueError(f"the fireplace task needs exactly two classes; {folder} has "
                         f"{list(imageset.class_names)}")
    if imageset.source.synthetic and not synthetic:
        return TaskData(spec, source=imageset.source, reason=(
            f"{folder!r} resolved to a synthetic stand-in ({imageset.source.notice})"))
    train, val = _split(imageset, seed)
    return TaskData(spec, train, val, imageset.source)


def counts_rows(tasks: Mapping[str, TaskData]) -> list[dict[str, Any]]:
    """Table 3.1 beside ours: per class, the report's train/val and total, and ours."""
    rows = []
    for name, task in tasks.items():
        ours = list(task.class_names)
        plays = PLAYS[name] or dict(zip(ours, task.spec.paper_classes, strict=False))
        paper_of = {paper: mine for mine, paper in plays.items()}
        for paper_class, (p_train, p_val) in task.spec.paper_classes.items():
            mine = paper_of.get(paper_class)
            row: dict[str, Any] = {"task": name, "paper class": paper_class,
                                   "paper train/val": f"{p_train}/{p_val}",
                                   "class here": mine or "not run"}
            if mine is not None and task.available:
                i = ours.index(mine)
                n_train = int((task.train.labels == i).sum())
                n_val = int((task.val.labels == i).sum())
                row.update({"here train/val": f"{n_train}/{n_val}", "paper": p_train + p_val,
                            "here": n_train + n_val})
            else:
                row.update({"here train/val": "–", "paper": p_train + p_val, "here": None})
            rows.append(row)
    return rows


def _fits(accuracy: float, n: int) -> bool:
    """Whether ``accuracy`` (in %, two decimals) is some k/n, rounded *or* truncated.

    The report truncates at least sometimes (94.63 for 247/261 = 94.636 %), so both count.
    """
    k = math.floor((accuracy + 0.01) * n / 100 - 1e-9)  # the largest k below accuracy + 0.01
    return 100 * k / n >= accuracy - 0.005 - 1e-9


def implied_val_size(accuracies: Sequence[float], max_n: int = 400) -> tuple[int, list[float]]:
    """The smallest validation-set size n that the most accuracies (in %) fit as k/n, and the
    accuracies that do not fit it.

    A reported accuracy is a count over the validation images, so it must be some k/n: this
    checks the report's tables 4.x against its own table 3.1.
    """
    counts = [sum(_fits(a, n) for a in accuracies) for n in range(1, max_n + 1)]
    best = 1 + int(np.argmax(counts))  # argmax: the smallest n among the best
    return best, [a for a in accuracies if not _fits(a, best)]


def consistency_rows() -> list[dict[str, Any]]:
    """Per task: the validation size table 3.1 states, the size tables 4.x imply, and the
    printed accuracies that fit no whole count of that size (likely typos)."""
    rows = []
    for name, spec in TASKS.items():
        stated = sum(v for _, v in spec.paper_classes.values())
        accs = [100 * a for mode in MODES for _, a in PAPER_RESULTS[name][mode].values()]
        implied, outliers = implied_val_size(accs)
        rows.append({"task": name, "val images, table 3.1": stated,
                     "val images the accuracies imply": implied,
                     "accuracies fitting no count": ", ".join(f"{a:.2f}" for a in outliers)
                     or "none"})
    return rows
