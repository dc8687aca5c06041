"""The tour of notebook 00: where data and weights come from, a look at each data set,
MobileNetV2 naming a photo, and the preprocessing schemes side by side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from helpers import backbones, config, datasets, plots, preprocessing
from helpers.studies.fetz2021 import profile as nb04
from helpers.studies.ingwersen2020 import profile as nb01
from helpers.studies.jacobsen2021 import profile as nb02
from helpers.studies.rahlen2019 import profile as nb03
from helpers.studies.xushi2023 import profile as nb05

# Data sets the course's notebooks ask for ("attributes" is only ever a synthetic stand-in).
COURSE_DATASETS = ("places6", "flowers", "houses", "tll", "ukbench")


def data_sources() -> list[dict[str, str]]:
    """Where each data set would come from on this machine, without loading it."""
    rows = []
    for name in COURSE_DATASETS:
        found = datasets.sources.local_root(name)
        origin = datasets.REGISTRY.get(name)
        if found is not None:
            path, where = found
            rows.append({"data set": name, "from": where, "path": str(path)})
        elif origin is not None:
            rows.append({"data set": name, "from": "download (then synthetic if offline)",
                         "path": origin.url})
        else:
            rows.append({"data set": name, "from": "synthetic stand-in", "path": "-"})
    return rows


def weights_sources() -> list[dict[str, str]]:
    """For every registered backbone: is there a pretrained file here, and which?"""
    rows = []
    for name in backbones.names():
        spec = backbones.get(name)
        try:
            info = backbones.locate(spec, False, "imagenet")
        except (OSError, ValueError) as error:
            info, note = None, str(error)
        else:
            note = ""
        rows.append({
            "backbone": name,
            "input": f"{spec.input_size} px",
            "weights here": info.source if info is not None else
            "none: Keras download, else random init",
            "note": note,
        })
    return rows


def one_per_class(name: str, synthetic: bool, size: int, seed: int) -> tuple[list, list[str]]:
    """One image per class (data sets of classes) or the first few items (pairs, groups)."""
    loaded = datasets.load(name, synthetic=synthetic, seed=seed, max_per_class=8)
    if isinstance(loaded, datasets.PairSet):
        pairs = loaded.take(np.arange(min(3, len(loaded.left))))
        left, right = pairs.left_images(size), pairs.right_images(size)
        images = [img for pair in zip(left, right, strict=True) for img in pair]
        titles = [t for i in range(len(left)) for t in (f"left {i}", f"right {i}")]
        return images, titles
    first = [int(np.flatnonzero(loaded.labels == c)[0]) for c in range(len(loaded.class_names))
             if np.any(loaded.labels == c)]
    picked = loaded.subset(np.asarray(first[:8]))
    return list(picked.images(size, progress=False)), [loaded.class_names[c] for c in
                                                        picked.labels]


def dataset_grid(synthetic: bool, size: int = 96, seed: int = 0):
    """A figure with a row per data set: what each notebook will look at."""
    plt = plots._pyplot()
    rows = [(name, *one_per_class(name, synthetic, size, seed)) for name in COURSE_DATASETS]
    ncols = max(len(images) for _, images, _ in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(1.6 * ncols, 1.9 * len(rows)))
    for r, (name, images, titles) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r, c]
            ax.axis("off")
            if c < len(images):
                ax.imshow(images[c])
                ax.set_title(titles[c], fontsize=7)
        axes[r, 0].text(-0.1, 0.5, name, transform=axes[r, 0].transAxes, ha="right",
                        va="center", fontsize=9, weight="bold")
    fig.tight_layout()
    return fig


def sample_photo() -> np.ndarray:
    """A real photo that ships with scikit-image (a cat), RGB uint8."""
    from skimage import data

    return data.chelsea()


def name_photo(photo: np.ndarray, weights: Any = "imagenet") -> tuple[list, Any]:
    """MobileNetV2's top-5 ImageNet classes for a photo, and where its weights came from."""
    import cv2

    model, info = backbones.build("mobilenetv2", tap="predictions", weights=weights,
                                  image_size=224)
    x = cv2.resize(photo, (224, 224), interpolation=cv2.INTER_AREA)[None]
    probs = model.predict(preprocessing.apply("imagenet", x, "mobilenetv2"), verbose=0)
    try:
        labels = backbones.imagenet_labels()
    except FileNotFoundError:
        labels = [f"class {i}" for i in range(probs.shape[-1])]
    return backbones.decode_top5(probs, labels)[0], info


def schemes_side_by_side(photo: np.ndarray, backbone: str = "resnet50"):
    """Each preprocessing scheme on one photo: the image as the network sees it, and its range.

    Shown for a caffe-mode backbone (ResNet50) so the BGR flip and mean subtraction are
    visible; the report-01 bug is the last panel: an almost black image.
    """
    plt = plots._pyplot()
    schemes = preprocessing.SCHEMES
    fig, axes = plt.subplots(1, len(schemes) + 1, figsize=(3 * (len(schemes) + 1), 3.2))
    axes[0].imshow(photo)
    axes[0].set_title("original (RGB uint8)", fontsize=8)
    rows = []
    for ax, scheme in zip(axes[1:], schemes, strict=True):
        x = preprocessing.apply(scheme, photo[None].astype(np.float32), backbone)[0]
        # As matplotlib (and report 01's figure 9) shows the array: clipped to [0, 1], in the
        # channel order the network receives (BGR for caffe-mode backbones).
        ax.imshow(np.clip(x, 0.0, 1.0))
        ax.set_title(f"{scheme}\n[{x.min():.2f}, {x.max():.2f}]", fontsize=8)
        rows.append({"scheme": scheme, "what it does": preprocessing.describe(scheme, backbone),
                     "min": float(x.min()), "max": float(x.max()), "mean": float(x.mean())})
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig, rows


@dataclass(frozen=True)
class Settings(config.ProfileSettings):
    """Notebook 00's settings: its parameters cell sets only the profile and what it reads."""

    READ_AS_IS: ClassVar[tuple[str, ...]] = ("SEED", "TOUR_IMAGE_SIZE")

    weights: str | None = config.profile_only()  # the photo's classifier: "imagenet" or random


PROFILES = {"smoke": Settings("smoke", weights=None),
            "standard": Settings("standard", weights="imagenet"),
            "paper": Settings("paper", weights="imagenet")}


def from_notebook(namespace: Mapping[str, Any]) -> Settings:
    """Notebook 00's settings from its ``globals()`` (see :func:`helpers.config.from_notebook`)."""
    return config.from_notebook(namespace, PROFILES)


def profile_table() -> dict[str, dict[str, str]]:
    """What each profile sets in every report's notebook (one column per profile)."""
    studies = {"01": nb01.PROFILES, "02": nb02.PROFILES, "03": nb03.PROFILES,
               "04": nb04.PROFILES, "05": nb05.PROFILES}
    table: dict[str, dict[str, str]] = {}
    for name in config.PROFILE_NAMES:
        column = {"synthetic data": str(PROFILES[name].synthetic),
                  "weights": str(PROFILES[name].weights)}
        for number, profiles in studies.items():
            settings = profiles[name]
            for key in ("image_size", "epochs", "backbones"):
                column[f"{number} {key.replace('_', ' ')}"] = str(getattr(settings, key))
        table[name] = column
    return table
