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
    paper_accuracy,
)

TASK_NAMES = ("balcony", "fireplace", "rooms")
MODES = ("frozen", "finetune_all")
MODE_TITLES = {"frozen": "feature extraction (frozen backbone, new head)",
               "finetune_all": "fine-tuning (all layers)"}
ROOMS = ("kitchen", "bathroom", "bedroom")


@dataclass(frozen=True)
class Architecture:
    """One of the report's PyTorch architectures and the Keras backbone nearest to it.

    ``same``: the Keras model is that architecture (its numbers are comparable with the report's
    row); otherwise it is only a relative and its numbers stand in rows of their own.
    ``backbone`` None: Keras has nothing near it.
    """

    backbone: str | None
    paper: str | None  # None: not in the report (an extra row)
    why: str
    same: bool = False


# The report's five torchvision models and their closest keras.applications counterparts.
ARCHITECTURES = (
    Architecture("resnet50", "ResNet18", "Keras has no ResNet18; ResNet50 is the same family, "
                 "not the same model"),
    Architecture(None, "AlexNet", "Keras has no AlexNet and nothing like it"),
    Architecture("vgg16", "VGG-11-BN", "Keras has no VGG11; VGG16 is the same design, "
                 "deeper and without batch normalisation: not the same model"),
    Architecture("densenet121", "DenseNet-121", "the same architecture", same=True),
    Architecture("inceptionv3", "Inception v3", "the same architecture (no auxiliary head)",
                 same=True),
)
# Not in the report: the backbones with genuine ImageNet weights on this machine.
EXTRA = (
    Architecture("mobilenetv2", None, "beyond the report: small and fast like AlexNet, with real "
                 "ImageNet weights here; its numbers are its own, not AlexNet's"),
    Architecture("mobilenet", None, "beyond the report: MobileNet v1, real ImageNet weights here"),
    Architecture("mobilenetv3small", None, "beyond the report: MobileNetV3Small, real ImageNet "
                 "weights here (own rescaling, BatchNorm kept in inference mode)"),
)


def architecture(backbone: str) -> Architecture:
    """The :class:`Architecture` row of a backbone (the report's or an extra one)."""
    for arch in ARCHITECTURES + EXTRA:
        if arch.backbone == backbone:
            return arch
    return Architecture(backbone, None, "not in the report")


def paper_result(task: str, mode: str, backbone: str) -> tuple[float | None, float | None]:
    """(seconds, accuracy) of the report's row for ``backbone``: only where it is the same
    architecture (DenseNet-121, Inception v3); (None, None) for a relative or an extra."""
    arch = architecture(backbone)
    if arch.paper is None or not arch.same:
        return None, None
    return PAPER_RESULTS[task][mode].get(arch.paper, (None, None))


def paper_best(task: str, mode: str) -> float:
    """The report's best validation accuracy of a task and mode over its five architectures
    (with the text's correction of table 4.3, :data:`paper.CORRECTED`)."""
    return max(paper_accuracy(task, mode, arch) for arch in PAPER_RESULTS[task][mode])


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
    """A task's train/val/test split, or the reason it cannot run (``train is None``).

    ``val`` is the report's validation split (its "best validation accuracy over the epochs"
    chooses on it); ``test`` is held out, used once on the model chosen on validation.
    """

    spec: TaskSpec
    train: Any = None  # ImageSet
    val: Any = None
    test: Any = None
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
        parts = [p for p in (self.train, self.val, self.test) if p is not None]
        counts = ", ".join(f"{c} " + "+".join(str(int((p.labels == i).sum())) for p in parts)
                           for i, c in enumerate(self.class_names))
        return (f"{self.name}: {counts} (train+val+test) from {self.source.notice}"
                + "".join(f"; {note}" for note in self.notes))


#: Train / validation / test. The report split 80/20 into train and validation and measured on
#: validation; the test part is ours, so that the model chosen on validation is measured once on
#: photos that chose nothing. 70/15/15 keeps the report's validation share near its 20 %.
SPLIT = {"train": 0.70, "val": 0.15, "test": 0.15}
_VAL_NAMES = ("val", "validation", "valid", "eval")


def _split(imageset: Any, seed: int) -> tuple[Any, Any, Any]:
    """Stratified, seeded train/val/test; a folder's own train/val(idation)/test folders are
    kept, and a test part is drawn from its training folder when it has none."""
    names = set(imageset.split_names)
    val_name = next((v for v in _VAL_NAMES if v in names), None)
    if "train" in names and val_name is not None:
        train, val = imageset.subset("train"), imageset.subset(val_name)
        if "test" in names:
            return train, val, imageset.subset("test")
        share = SPLIT["test"] / (SPLIT["train"] + SPLIT["test"])
        parts = datasets.split(train, {"train": 1 - share, "test": share}, seed=seed)
        return parts.subset("train"), val, parts.subset("test")
    parts = datasets.split(imageset, SPLIT, seed=seed)
    return parts.subset("train"), parts.subset("val"), parts.subset("test")


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


#: Which class folders serve a task in a class-folder layout (names compared in lower case):
#: the task's classes in order, each spelled any of the ways given.
FOLDER_CLASSES = {"balcony": (("balcony", "balkong"), ("indoor", "no_balcony", "inomhus")),
                  "fireplace": (("fireplace", "eldstad"), ("no_fireplace", "ingen_eldstad")),
                  "rooms": (("kitchen", "kok", "kök"), ("bathroom", "badrum"),
                            ("bedroom", "sovrum"))}


def select_classes(imageset: Any, task: str) -> Any:
    """A class folder's images of ``task``'s classes, relabelled in the task's order; None where
    the folder lacks them. Rooms needs at least two of kitchen, bathroom and bedroom."""
    have = {name.lower(): i for i, name in enumerate(imageset.class_names)}
    found = [(spellings[0], next((have[s] for s in spellings if s in have), None))
             for spellings in FOLDER_CLASSES[task]]
    found = [(name, i) for name, i in found if i is not None]
    if len(found) < (2 if task == "rooms" else len(FOLDER_CLASSES[task])):
        return None
    index = np.flatnonzero(np.isin(imageset.labels, [i for _, i in found]))
    part = imageset.subset(index)
    remap = {old: new for new, (_, old) in enumerate(found)}
    labels = np.array([remap[int(v)] for v in part.labels], dtype=np.int64)
    return part.relabel(labels, tuple(name for name, _ in found))


def unused_class_folders(source: Any) -> list[str]:
    """A class folder's classes that no task reads (:data:`FOLDER_CLASSES`: the report's
    classes), so a student sees that, say, dining_room and living_room were left out; [] for
    the Houses layout."""
    if hasattr(source, "indoor_vs_exterior"):
        return []
    known = {s for task in FOLDER_CLASSES.values() for spellings in task for s in spellings}
    return [c for c in source.class_names if c.lower() not in known]


def _layout_part(source: Any, name: str, seed: int) -> tuple[Any, str]:
    """(images of task ``name`` or None, why not) from the Houses layout or a class folder."""
    if hasattr(source, "indoor_vs_exterior"):  # the Houses layout
        return (balanced_exterior_indoor(source, seed) if name == "balcony"
                else source.rooms(ROOMS)), ""
    part = select_classes(source, name)
    wanted = " and ".join("/".join(s[:1]) for s in FOLDER_CLASSES[name])
    why = (f"the class folder {source.name!r} cannot serve this task: it needs class folders "
           f"{wanted}{' (two of them at least)' if name == 'rooms' else ''}; it has "
           f"{', '.join(source.class_names)}")
    return part, ("" if part is not None else why)


def load_tasks(synthetic: bool, seed: int, fireplace_folder: str | Path | None = None,
               max_per_class: int | None = None, houses: str = "houses",
               tasks: Sequence[str] = TASK_NAMES) -> dict[str, TaskData]:
    """The three tasks' data, split train/val/test (:data:`SPLIT`; stratified, seeded, saved).

    ``houses``: the Houses layout (its rooms and its exterior vs indoor photos) or a class folder
    (``train/valid/test/<class>/`` or ``<class>/``) whose classes name the tasks it serves
    (:data:`FOLDER_CLASSES`). ``tasks``: the ones to run; a task the data cannot serve is left
    out with the reason, and a ValueError says so when it serves none of ``tasks``.
    ``max_per_class`` caps houses (Houses) or images per class. ``fireplace_folder``: a folder
    with two class sub-folders; None means the task does not run, except with ``synthetic``
    (the binary stand-in) or when ``houses`` is a class folder with fireplace classes.
    """
    out: dict[str, TaskData] = {}
    source = datasets.load(houses, synthetic=synthetic, seed=seed, max_per_class=max_per_class)
    for name in ("balcony", "rooms"):
        part, why = _layout_part(source, name, seed)
        out[name] = (TaskData(TASKS[name], *_split(part, seed), source.source) if part is not None
                     else TaskData(TASKS[name], source=source.source, reason=why))
    unused = unused_class_folders(source)
    for task in out.values():
        if task.available and unused:
            task.notes.append(f"class folders left out, as no task of the report's has them: "
                              f"{', '.join(unused)}")
    served = [n for n in tasks if n in out and out[n].available]
    wanted = [n for n in tasks if n in out]
    if wanted and not served:
        raise ValueError(f"DATASET={houses!r} serves none of the tasks {wanted}: "
                         + "; ".join(out[n].reason for n in wanted))
    own_fireplace = None if hasattr(source, "indoor_vs_exterior") else select_classes(
        source, "fireplace")
    if fireplace_folder is None and own_fireplace is not None:
        out["fireplace"] = TaskData(TASKS["fireplace"], *_split(own_fireplace, seed),
                                    source.source)
    else:
        out["fireplace"] = _fireplace(synthetic, seed, fireplace_folder, max_per_class)
    return {name: out[name] for name in TASK_NAMES}


def _fireplace(synthetic: bool, seed: int, folder: str | Path | None,
               max_per_class: int | None) -> TaskData:
    spec = TASKS["fireplace"]
    if folder is None and not synthetic:
        return TaskData(spec, reason=(
            "no fireplace folder given. No public data set carries fireplace labels; set "
            "FIREPLACE_FOLDER to a folder with two class sub-folders (e.g. fireplace/ and "
            "no_fireplace/, optionally inside train/, val/ and test/) to run this task"))
    imageset = datasets.load("attributes" if folder is None else str(folder),
                             synthetic=synthetic, seed=seed, max_per_class=max_per_class)
    if len(imageset.class_names) != 2:
        raise ValueError(f"the fireplace task needs exactly two classes; {folder} has "
                         f"{list(imageset.class_names)}")
    if imageset.source.synthetic and not synthetic:
        return TaskData(spec, source=imageset.source, reason=(
            f"{folder!r} resolved to a synthetic stand-in ({imageset.source.notice})"))
    return TaskData(spec, *_split(imageset, seed), imageset.source)


def counts_rows(tasks: Mapping[str, TaskData]) -> list[dict[str, Any]]:
    """Table 3.1 beside ours: per class, the report's train/val and total, and ours."""
    rows = []
    for name, task in tasks.items():
        ours = list(task.class_names)
        # Our class for each of the report's: the same name, else the stand-in's (PLAYS),
        # else in order.
        plays = {**{m: c for m, c in PLAYS[name].items() if m in ours},
                 **{m: m for m in ours if m in task.spec.paper_classes}}
        plays = plays or dict(zip(ours, task.spec.paper_classes, strict=False))
        paper_of = {paper: mine for mine, paper in plays.items()}
        for paper_class, (p_train, p_val) in task.spec.paper_classes.items():
            mine = paper_of.get(paper_class)
            row: dict[str, Any] = {"task": name, "paper class": paper_class,
                                   "paper train/val": f"{p_train}/{p_val}",
                                   "class here": mine or "not run"}
            if mine is not None and task.available:
                i = ours.index(mine)
                n = [int((part.labels == i).sum()) for part in (task.train, task.val, task.test)]
                row.update({"here train/val/test": "/".join(map(str, n)),
                            "paper": p_train + p_val, "here": sum(n)})
            else:
                row.update({"here train/val/test": "–", "paper": p_train + p_val, "here": None})
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
