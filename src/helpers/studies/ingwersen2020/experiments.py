"""Notebook 01's experiment steps: the report's data table, the scheme sweep, the claims.

Kept here so notebook cells stay short. :func:`baseline_sweep` builds each backbone once and
runs every preprocessing scheme through it (a random-init VGG16 takes ~10-25 s to build on a
laptop CPU, so building it once per scheme would dominate the run). Random-init backbones can
be capped to a few images per class: their numbers say nothing about the paper's and are shown
only so the code path runs; the notebook says so next to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.studies.ingwersen2020.profile import Settings
from helpers.studies.ingwersen2020.tables import (  # re-exported: the notebook reads them as ex.<name>
    BEST_AE,
    BEST_AE_4X,
    DRE19_PRINTED_TOTALS,
    DRE19_TABLE1,
    FLAWED_PIPELINE,
    METRIC_LABELS,
    PAPER_BASELINES,
    PAPER_TSNE_KL,
    baseline_rows,
    baseline_table,
    best_per_kind,
    grid_rows,
    places_best,
    shallow_best,
)

__all__ = [
    "BEST_AE",
    "BEST_AE_4X",
    "DRE19_PRINTED_TOTALS",
    "DRE19_TABLE1",
    "FLAWED_PIPELINE",
    "METRIC_LABELS",
    "PAPER_BASELINES",
    "PAPER_TSNE_KL",
    "Sweep",
    "baseline_rows",
    "baseline_table",
    "baseline_sweep",
    "best_per_kind",
    "cap_per_class",
    "grid_rows",
    "places_best",
    "planned_weights",
    "scheme_panels",
    "shallow_best",
    "split_table",
    "vgg16_choice",
]


def split_table(imageset: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Paper table 1 beside ours: a per-class DataFrame and paper-vs-here rows of split totals.

    ``imageset`` must carry ``train``/``test``/``val`` splits (``datasets.split``).
    """
    import pandas as pd

    counts = imageset.counts()
    ours = {name: room for room, (name, *_) in DRE19_TABLE1.items()}
    rows = []
    for cls in imageset.class_names:
        room = ours.get(cls, "–")
        paper = DRE19_TABLE1.get(room, (cls, None, None, None))[1:]
        here = [
            int(counts.loc[cls, s]) if s in counts.columns else 0 for s in ("train", "test", "val")
        ]
        rows.append(
            {
                "ours": cls,
                "DRE19": room,
                "paper train": paper[0],
                "paper test": paper[1],
                "paper val": paper[2],
                "here train": here[0],
                "here test": here[1],
                "here val": here[2],
            }
        )
    frame = pd.DataFrame(rows)
    totals = []
    for i, split in enumerate(("train", "test", "val")):
        summed = sum(v[i + 1] for v in DRE19_TABLE1.values())
        totals.append(
            {
                "split": split,
                "paper rows summed": summed,
                "paper": DRE19_PRINTED_TOTALS[split],
                "here": int(frame[f"here {split}"].sum()),
            }
        )
    totals.append(
        {
            "split": "total",
            "paper rows summed": sum(t["paper rows summed"] for t in totals),
            "paper": DRE19_PRINTED_TOTALS["total"],
            "here": sum(t["here"] for t in totals),
        }
    )
    return frame, totals


def cap_per_class(labels: np.ndarray, per_class: int | None, seed: int) -> np.ndarray:
    """Sorted indices keeping at most ``per_class`` items of each label (seeded choice)."""
    labels = np.asarray(labels)
    if per_class is None:
        return np.arange(len(labels))
    if per_class < 2:
        raise ValueError(f"per_class must be >= 2 for leave-one-out retrieval, got {per_class}")
    rng = np.random.default_rng(seed)
    keep = [rng.permutation(np.flatnonzero(labels == v))[:per_class] for v in np.unique(labels)]
    return np.sort(np.concatenate(keep))


def vgg16_choice(weights: Any = "imagenet") -> tuple[str, Any, str]:
    """``(backbone, weights, note)``: VGG16-Places365 where its file is here, else VGG16.

    The report's best baseline is VGG16 trained on Places365. Keras publishes no such weights;
    a user who has the file gets them, everyone else ImageNet VGG16, and the note says which.
    """
    from helpers import backbones

    spec = backbones.get("vgg16_places365")
    try:
        found = backbones.locate(spec, True, "places365") if weights is not None else None
    except (OSError, ValueError):
        found = None
    if found is not None:
        return "vgg16_places365", "places365", "VGG16 with Places365 weights (as the report)"
    return "vgg16", weights, "no Places365 VGG16 weights here: ImageNet VGG16 stands in"


@dataclass
class Sweep:
    """Results of :func:`baseline_sweep`: one row per (backbone, scheme), and the vectors."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    vectors: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)
    labels: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    subsets: dict[tuple[str, str], Any] = field(default_factory=dict)
    weights: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    #: backbone -> (model name, weights request) where the weights are a file: its features
    #: come from (and go to) the ``helpers.features`` cache, no model is kept
    file_weights: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: (backbone, scheme) -> {"test_top1": each test image's 0/1 hit, ...}
    hits: dict[tuple[str, str], dict[str, np.ndarray]] = field(default_factory=dict)
    #: scheme name -> the page's function (pixels, backbone) -> network input
    schemes: dict[str, Callable[[np.ndarray, str], np.ndarray]] = field(default_factory=dict)

    def frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows)

    def best_scheme(
        self,
        backbone: str,
        by: str = "val_top1",
        exclude: Sequence[str] = ("imagenet_then_255_bug",),
    ) -> str:
        """The scheme with the highest ``by`` for ``backbone`` (the flawed one excluded)."""
        rows = [r for r in self.rows if r["backbone"] == backbone and r["scheme"] not in exclude]
        if not rows:
            raise KeyError(f"no sweep rows for backbone {backbone!r}")
        return max(rows, key=lambda r: r[by])["scheme"]

    def row(self, backbone: str, scheme: str) -> dict[str, Any]:
        return next(r for r in self.rows if r["backbone"] == backbone and r["scheme"] == scheme)

    def extract(
        self, backbone: str, imageset: Any, scheme: str, image_size: int, batch_size: int = 32
    ) -> np.ndarray:
        """Features of ``imageset`` from the very weights the sweep used: for a weights file
        through ``features.extract`` (cached), else from the kept model (``keep_models``)."""
        from helpers import backbones, features

        function = self.schemes[scheme]
        if backbone in self.file_weights:
            name, weights = self.file_weights[backbone]
            return features.extract(
                imageset, name, backbones.resolve_tap(name, None), function, image_size, weights,
                execution=features.Execution(batch_size=batch_size, progress=False)).vectors
        if backbone not in self.models:
            raise KeyError(f"{backbone!r} was not kept: pass keep_models=[{backbone!r}]")
        name = next(r["model"] for r in self.rows if r["backbone"] == backbone)
        pixels = imageset.images(size=image_size, progress=False)
        return features.run_model(self.models[backbone], pixels, function, name, batch_size)


def baseline_sweep(
    splits: Mapping[str, Any],
    settings: Settings,
    schemes: Mapping[str, Callable[[np.ndarray, str], np.ndarray]],
    hits: Callable[[Any, Mapping[str, tuple[np.ndarray, np.ndarray]]], Mapping[str, np.ndarray]],
    *,
    keep_models: Sequence[str] = (),
    seed: int = 0,
    progress: Callable[[str], None] | None = print,
) -> Sweep:
    """LOO top-1/top-5 of each backbone's default tap under each scheme, on each split.

    ``splits`` maps a split name to an ImageSet; ``schemes`` maps a scheme's name to the page's
    function (pixels, backbone) -> input, and ``hits(None, splits)`` is the page's evaluation
    call (each image's 0/1 hit per split and k). Of notebook 01's ``settings`` it reads
    ``backbones`` (``"vgg16"`` resolves through :func:`vgg16_choice`), ``weights``,
    ``image_size``, ``batch_size`` and ``random_init_per_class``: a
    backbone that ends up with random weights is evaluated on at most that many images per
    class of each split. ``keep_models`` names backbones whose built model is kept (to extract
    more features with the very same weights, which matters for random init). A backbone
    whose weights are a file builds no model here: its vectors go through
    ``helpers.features.extract``, cached, so a second run and notebook 02 (same images, same
    schemes) read them instead of recomputing.
    """
    from helpers import backbones, features

    weights, image_size, batch_size = (settings.weights, settings.image_size,
                                       settings.batch_size)
    random_init_per_class = settings.random_init_per_class
    sweep = Sweep(schemes=dict(schemes))
    for requested in settings.backbones:
        name, w, note = vgg16_choice(weights) if requested == "vgg16" else (requested, weights, "")
        tap = backbones.resolve_tap(name, None)
        spec = backbones.get(name)
        located = backbones.locate(spec, spec.needs_top(tap), w) if w is not None else None
        model = None
        if located is None:  # random init or a download: this very model gives every vector
            model, info = backbones.build(name, tap, weights=w, image_size=image_size)
        else:  # a weights file: through the feature cache, which notebook 02 reads too
            info = located
            sweep.file_weights[requested] = (name, w)
        sweep.weights[requested] = info
        cap = None if info.pretrained else random_init_per_class
        for split, imageset in splits.items():
            index = cap_per_class(imageset.labels, cap, seed)
            subset = imageset.subset(index) if cap is not None else imageset
            sweep.subsets[(requested, split)] = subset
            sweep.labels[(requested, split)] = np.asarray(subset.labels)
            pixels = None if model is None else subset.images(size=image_size, progress=False)
            for scheme in schemes:
                sweep.vectors[(requested, scheme, split)] = (
                    sweep.extract(requested, subset, scheme, image_size, batch_size)
                    if model is None else features.run_model(model, pixels, schemes[scheme], name,
                                                             batch_size))
        for scheme in schemes:
            per_split = {
                s: (sweep.vectors[(requested, scheme, s)], sweep.labels[(requested, s)])
                for s in splits
            }
            # per-item hits, and the means from them (one ranking each)
            sweep.hits[(requested, scheme)] = {m: np.asarray(h) for m, h in hits(None, per_split).items()}
            scores = {m: float(h.mean()) for m, h in sweep.hits[(requested, scheme)].items()}
            sweep.rows.append(
                {
                    "backbone": requested,
                    "model": name,
                    "tap": tap,
                    "scheme": scheme,
                    "weights": "pretrained" if info.pretrained else "RANDOM init",
                    "dim": int(next(iter(per_split.values()))[0].shape[1]),
                    "n_per_split": len(next(iter(per_split.values()))[1]),
                    **scores,
                    "note": note,
                }
            )
        if requested in keep_models and model is not None:
            sweep.models[requested] = model
        if progress is not None:
            progress(
                f"{requested} ({name}/{tap}): {info.describe()}"
                + (f"; capped at {cap}/class" if cap else "")
            )
        del model
    return sweep


def planned_weights(backbone_list: Sequence[str], weights: Any) -> dict[str, Any]:
    """Before any model is built: the weights file each backbone will load, or what happens.

    For the notebook's first line; the sweep records what each model actually got.
    """
    from helpers import backbones

    out: dict[str, Any] = {}
    for requested in backbone_list:
        name, w, _ = vgg16_choice(weights) if requested == "vgg16" else (requested, weights, "")
        spec = backbones.get(name)
        found = None
        if w is not None:
            found = backbones.locate(spec, spec.needs_top(backbones.resolve_tap(name, None)), w)
        out[requested] = found or (
            "random init (WEIGHTS=None)"
            if w is None
            else "no local file: Keras download, else RANDOM init"
        )
    return out


def scheme_panels(images: np.ndarray, schemes: Mapping[str, Callable[[np.ndarray, str], np.ndarray]],
                  backbone: str) -> Any:
    """Paper figure 9: each image as the network receives it under each scheme.

    ``schemes`` maps a name to the page's function. Shown the way matplotlib shows a float image, values clipped to [0, 1] (the report's
    figure was drawn that way), with the true value range in each title. So the flawed
    pipeline, whose inputs are 255 times too small, looks (nearly) black; channels appear in the
    order the network gets them, so BGR schemes look colour-swapped.
    """
    from helpers import plots

    panels, titles = [], []
    for image in images:
        panels.append(image)
        titles.append("original")
        for scheme, function in schemes.items():
            x = np.asarray(function(image[None], backbone))[0]
            panels.append(np.clip(x, 0.0, 1.0))
            titles.append(f"{scheme}\n[{float(x.min()):.3g}, {float(x.max()):.3g}]")
    return plots.image_grid(panels, titles, ncols=len(schemes) + 1)
