"""A large gallery of real features for the retrieval benchmarks: every stand-in image's
MobileNetV2 vector, tiled with small jitter to the size asked for.

Random Gaussian galleries have no structure for an approximate index to exploit (and none to
mislead it), so recall@10 on them says little about photos. The stand-in images
(``$LOOKALIKE_DATA``: places6, flowers, houses, TLL left and right, UKBench; 8006 images) give
real features; :func:`tiled_gallery` repeats them with Gaussian jitter so a 1M gallery has
the neighbourhood structure of photos, many near-duplicates included (as a housing market's
listing photos have). Extraction goes through :func:`helpers.features.extract`, so a second
run loads the cached vectors.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

STANDIN_SETS = ("places6", "flowers", "houses", "tll", "ukbench")


@dataclass
class _PairSide:
    """One side of a PairSet (TLL) in the shape ``features.extract`` caches."""

    pairs: Any
    side: str
    name: str = field(init=False)
    items: list[str] = field(init=False)
    labels: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.name = f"{self.pairs.name}-{self.side}"
        self.items = list(getattr(self.pairs, self.side))
        self.labels = np.arange(len(self.items))
        self.source = self.pairs.source

    def images(self, size: int, fit: str = "resize", progress: bool = True) -> np.ndarray:
        return getattr(self.pairs, f"{self.side}_images")(size, fit=fit, progress=progress)


def standin_features(backbone: str = "mobilenetv2", image_size: int = 224,
                     names: tuple[str, ...] = STANDIN_SETS) -> np.ndarray:
    """(N, D) float32 features of every real stand-in image (``$LOOKALIKE_DATA`` must be set).

    Raises ``RuntimeError`` when a set resolves to its synthetic stand-in: the point is real
    photos.
    """
    from helpers import backbones, datasets, features

    blocks = []
    for name in names:
        loaded = datasets.load(name, download=False)
        if loaded.source.synthetic:
            raise RuntimeError(f"{name}: no real copy ({loaded.source.notice}); set LOOKALIKE_DATA")
        sets = [_PairSide(loaded, s) for s in ("left", "right")] if hasattr(loaded, "left") \
            else [loaded]
        for imageset in sets:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", backbones.WeightsWarning)
                found = features.extract(imageset, backbone, tap="avg", scheme="imagenet",
                                         image_size=image_size, weights="imagenet",
                                         execution=features.QUIET)
            blocks.append(found.vectors)
    return np.concatenate(blocks).astype(np.float32)


def project(vectors: np.ndarray, dims: int) -> np.ndarray:
    """PCA to ``dims`` (fitted on ``vectors``): the benchmark's 512-d shape from 1280-d ones."""
    if dims >= vectors.shape[1]:
        return np.ascontiguousarray(vectors, dtype=np.float32)
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    return np.ascontiguousarray(centred @ vt[:dims].T, dtype=np.float32)


def tiled_gallery(vectors: np.ndarray, n: int, jitter: float = 0.05,
                  seed: int = 0) -> np.ndarray:
    """``n`` rows: ``vectors`` repeated in order, each copy plus Gaussian noise of
    ``jitter`` x the features' mean per-dimension standard deviation (no exact ties)."""
    rng = np.random.default_rng(seed)
    scale = float(jitter * vectors.std(axis=0).mean())
    reps = -(-n // len(vectors))
    out = np.empty((n, vectors.shape[1]), dtype=np.float32)
    for r in range(reps):  # block by block: no (reps, N, D) temporary
        sl = slice(r * len(vectors), min(n, (r + 1) * len(vectors)))
        out[sl] = vectors[: sl.stop - sl.start]
        out[sl] += rng.standard_normal((sl.stop - sl.start, vectors.shape[1]),
                                       dtype=np.float32) * scale
    return out
