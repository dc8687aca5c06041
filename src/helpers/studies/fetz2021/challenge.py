"""The query/gallery challenge of report 04: data, timed evaluation of every approach, results.

Fetz et al. 2021 met a course challenge: train on a labelled set, then rank a gallery for each
query and hand in ``{query_file: [gallery files, best first]}``. Six approaches were compared
(pretrained ResNet50, Siamese network, convolutional autoencoder, VAE, small CNN, SURF) by
query/gallery top-1/3/10. This module keeps notebook 04 short and every approach on exactly the
same footing:

* :func:`load`: train / val / query / gallery from a data set with splits (``flowers``: query
  and gallery built from its test split, seeded), a plain class folder (split here), or a
  folder holding ``query/`` and ``gallery/`` (the challenge's own layout);
* :func:`evaluate_embedder`: an approach that maps images to vectors, timed: *index* = embed
  the whole gallery, *per query* = embed one query and rank the gallery;
* :func:`evaluate_local`: keypoint approaches (SURF, SIFT, ORB), timed the same way;
* :class:`Board`: every result, the paper's numbers beside them, tables, the submission dict.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers import datasets, retrieval, verdicts
from helpers.studies.fetz2021.claims import TOLERANCE
from helpers.studies.fetz2021.paper import PAPER, PAPER_NOTES

KS = (1, 3, 10)

# The report's numbers: helpers.studies.fetz2021.paper (PAPER re-exported for the notebook).


# ------------------------------------------------------------------------------------ data
@dataclass
class Challenge:
    """The four sets of one run; ``labelled`` is False when the queries carry no labels."""

    train: Any
    val: Any
    query: Any
    gallery: Any
    source: Any
    labelled: bool = True

    def sizes(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("train", "val", "query", "gallery")}

    def describe(self) -> str:
        s = self.sizes()
        return (f"{self.source.notice}\ntrain {s['train']}, val {s['val']} | query {s['query']}, "
                f"gallery {s['gallery']} | classes {len(self.train.class_names)}")


def _with_splits(imageset: Any, seed: int) -> Any:
    """A class folder without train/val/test folders gets a seeded 60/20/20 split."""
    if {"train", "test"} <= set(imageset.split_names):
        return imageset
    return datasets.split(imageset, datasets.DRE19, seed=seed)


def load(
    dataset: str,
    *,
    synthetic: bool = False,
    seed: int = 0,
    queries_per_class: int = 6,
    max_per_class: int | None = None,
    train_dataset: str | None = None,
) -> Challenge:
    """The challenge's sets from ``dataset`` (a name or folder; see the module docstring).

    A ``query/`` + ``gallery/`` folder has no training data of its own: ``train_dataset``
    (default ``flowers``) supplies train and val. Labels of the query folder (class
    sub-folders) make top-k computable; loose images give only the submission.
    """
    root = Path(str(dataset)).expanduser()
    if not synthetic and root.is_dir() and (root / "query").is_dir() and (root / "gallery").is_dir():
        query, gallery = datasets.load_query_gallery_folder(root)
        train_set = _with_splits(datasets.load(train_dataset or "flowers", seed=seed,
                                               max_per_class=max_per_class), seed)
        # Query and gallery share the folder's own class list, so their labels compare.
        labelled = bool((query.labels >= 0).all() and (gallery.labels >= 0).all())
        return Challenge(train_set.subset("train"), train_set.subset("val"), query, gallery,
                         query.source, labelled)
    images = _with_splits(
        datasets.load(dataset, synthetic=synthetic, seed=seed, max_per_class=max_per_class), seed
    )
    query, gallery = datasets.query_gallery(images.subset("test"), queries_per_class, seed=seed)
    return Challenge(images.subset("train"), images.subset("val"), query, gallery, images.source)


@dataclass
class Mirrored:
    """An image set seen through a left-right mirror, cacheable by ``features.extract``.

    The name (and so the cache key) differs from the original's, so the mirrored features are
    computed once and cached beside the plain ones.
    """

    base: Any

    def __post_init__(self) -> None:
        self.name = f"{self.base.name}_hflip"
        self.items, self.labels = self.base.items, self.base.labels
        self.splits, self.source = self.base.splits, self.base.source

    def images(self, size: Any = None, fit: str = "resize", **kwargs: Any) -> np.ndarray:
        return np.ascontiguousarray(self.base.images(size=size, fit=fit, **kwargs)[:, :, ::-1])


def file_names(imageset: Any) -> list[str]:
    """Names for the submission: paths relative to the data-set root (``daisy/123.jpg``)."""
    from helpers.datasets.splits import item_keys

    return item_keys(imageset)


def check_submission(sub: dict[str, list[str]], query_names: Sequence[str],
                     gallery_names: Sequence[str]) -> None:
    """Raise ValueError unless every query maps to a full ranking of distinct gallery files."""
    missing = set(query_names) - set(sub)
    if missing or len(sub) != len(set(query_names)):
        raise ValueError(f"submission has {len(sub)} queries; missing {sorted(missing)[:3]}")
    expected = set(gallery_names)
    for query, ranking in sub.items():
        if len(ranking) != len(expected) or set(ranking) != expected:
            raise ValueError(f"{query}: the ranking is not every gallery file exactly once")


# ------------------------------------------------------------------------------ evaluation
@dataclass
class Result:
    """One approach/variant scored on the challenge."""

    approach: str
    variant: str
    metric: str
    scores: dict[str, float]
    ranked: np.ndarray = field(repr=False)
    index_s: float
    query_ms: float
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.approach} ({self.variant}, {self.metric})"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", f"{self.approach}_{self.variant}_{self.metric}".lower()).strip("_")


def topk_from_ranked(ranked: np.ndarray, query_labels: Any, gallery_labels: Any,
                     ks: Sequence[int] = KS) -> dict[str, float]:
    """Top-k hit rates of a ranking (hit: a gallery item with the query's label in the first k)."""
    ranked = np.asarray(ranked)
    yq, yg = np.asarray(query_labels), np.asarray(gallery_labels)
    if (yq < 0).any() or (yg < 0).any():
        return {f"top{k}": float("nan") for k in ks}  # unlabelled: only the submission counts
    same = yg[ranked[:, : max(ks)]] == yq[:, None]
    return {f"top{k}": float(same[:, :k].any(axis=1).mean()) for k in ks}


def evaluate_embedder(
    approach: str,
    variant: str,
    embed: Callable[[np.ndarray], np.ndarray],
    query_images: np.ndarray,
    gallery_images: np.ndarray,
    query_labels: Any,
    gallery_labels: Any,
    metrics: Sequence[str] = ("euclidean", "cosine"),
    note: str = "",
) -> list[Result]:
    """Embed gallery and queries (timed), rank by each metric, score top-1/3/10.

    Two tiny untimed calls come first: Keras traces its predict function on the first call of
    each input shape, and that one-off cost belongs to no approach's index or query time.
    """
    for n in (1, 2):
        embed(gallery_images[:n])
    start = time.perf_counter()
    g = np.asarray(embed(gallery_images), dtype=np.float32)
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    q = np.asarray(embed(query_images), dtype=np.float32)
    embed_s = time.perf_counter() - start
    results = []
    for metric in metrics:
        start = time.perf_counter()
        ranked = retrieval.rank_gallery(q, g, metric)
        rank_s = time.perf_counter() - start
        scores = topk_from_ranked(ranked, query_labels, gallery_labels)
        per_query_ms = 1000 * (embed_s + rank_s) / len(q)
        results.append(Result(approach, variant, metric, scores, ranked, index_s, per_query_ms, note))
    return results


def evaluate_local(
    approach: str,
    extractor: Any,
    query_images: np.ndarray,
    gallery_images: np.ndarray,
    query_labels: Any,
    gallery_labels: Any,
    score: str = "inliers",
    note: str = "",
) -> Result:
    """Describe the gallery once (index), then match each query against it (brute force)."""
    from helpers import local_features

    start = time.perf_counter()
    gallery = local_features.precompute(extractor, gallery_images)
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    rows = [local_features.gallery_scores(img, gallery, score=score, method="bf")
            for img in query_images]
    query_ms = 1000 * (time.perf_counter() - start) / len(query_images)
    # Most matches first; ties (often many zeros) by gallery index, as everywhere else.
    ranked = np.argsort(-np.asarray(rows), axis=1, kind="stable")
    scores = topk_from_ranked(ranked, query_labels, gallery_labels)
    variant = f"BF + {'RANSAC inliers' if score == 'inliers' else 'ratio-test matches'}"
    note = note or (f"{gallery.empty} gallery images without keypoints" if gallery.empty else "")
    return Result(approach, f"{extractor.name.upper()} {variant}", "matches", scores, ranked,
                  index_s, query_ms, note)


def flip_averaged(embed: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Test-time augmentation: the mean of an image's and its mirror image's embeddings."""

    def averaged(images: np.ndarray) -> np.ndarray:
        return 0.5 * (embed(images) + embed(np.ascontiguousarray(images[:, :, ::-1])))

    return averaged


def backbone_embedder(model: Any, backbone: str, batch_size: int = 32) -> Callable[[np.ndarray], np.ndarray]:
    """uint8 images -> the backbone's own preprocessing -> pooled features (uncached, timed)."""
    from helpers import features

    def embed(images: np.ndarray) -> np.ndarray:
        return features.extract_arrays(images, backbone, "avg", model=model, batch_size=batch_size)

    return embed


def features_of(imageset: Any, backbone: str, model: Any, weights_info: Any, image_size: int,
                weights: Any, mirrored: bool = False) -> np.ndarray:
    """Pooled features of a training set, plain or mirrored.

    Pretrained weights from a file give the same network every time, so the features come from
    (and go to) the cache. Random weights differ per build: then ``model`` itself (the network
    that embeds the queries and gallery too) computes them, uncached.
    """
    from helpers import features

    source = Mirrored(imageset) if mirrored else imageset
    if getattr(weights_info, "pretrained", False):
        found = features.extract(source, backbone, "avg", image_size=image_size, weights=weights,
                                 progress=False)
        if found.weights.sha256 == weights_info.sha256:  # the very file the model loaded
            return found.vectors
    return backbone_embedder(model, backbone)(source.images(image_size, progress=False))


def make_local(name: str, max_keypoints: int | None = None) -> Any:
    """A local-feature extractor with at most ``max_keypoints`` keypoints (None: its default)."""
    from helpers import local_features

    if max_keypoints is None:
        return local_features.make(name)
    key = "max_keypoints" if name.lower().startswith("surf") else "nfeatures"
    return local_features.make(name, **{key: int(max_keypoints)})


def pick_queries(result: Result, query_labels: Any, gallery_labels: Any, n: int = 4) -> list[int]:
    """Up to ``n`` query indices, half whose first answer is right, half wrong (hits, misses)."""
    yq, yg = np.asarray(query_labels), np.asarray(gallery_labels)
    first_right = yg[result.ranked[:, 0]] == yq
    hits, misses = np.flatnonzero(first_right), np.flatnonzero(~first_right)
    take_hits = min(len(hits), max(n - len(misses), n // 2))
    picked = list(hits[:take_hits]) + list(misses[: n - take_hits])
    return [int(i) for i in picked]


# --------------------------------------------------------------------------------- results
class Board:
    """All results of a run, with the paper's numbers and the tables the notebook shows."""

    def __init__(self) -> None:
        self.results: list[Result] = []

    def add(self, results: Result | Sequence[Result]) -> list[Result]:
        new = [results] if isinstance(results, Result) else list(results)
        self.results += new
        return new

    def find(self, approach: str) -> list[Result]:
        return [r for r in self.results if r.approach == approach]

    def best(self, approach: str | None = None, k: str = "top1") -> Result:
        """The highest-scoring result (of one approach); ties go to the earliest added."""
        pool = self.find(approach) if approach else self.results
        if not pool:
            raise KeyError(f"no results for {approach!r}")
        return max(pool, key=lambda r: np.nan_to_num(r.scores[k], nan=-1.0))

    def rows(self, approach: str | None = None, k: str = "top1") -> list[dict[str, Any]]:
        """Rows for ``report.paper_vs_here``: paper and here are top-``k``; other ks beside."""
        rows = []
        for r in self.find(approach) if approach else self.results:
            paper = (PAPER.get(r.approach) or {}).get(k)
            row: dict[str, Any] = {"approach": r.approach, "variant": r.variant, "ranking": r.metric}
            for other in (f"top{x}" for x in KS if f"top{x}" != k):
                paper_other = (PAPER.get(r.approach) or {}).get(other)
                row[f"{other} paper"] = paper_other
                row[f"{other} here"] = r.scores[other]
            row.update({"index s": round(r.index_s, 2), "ms/query": round(r.query_ms, 1),
                        "paper": paper, "here": r.scores[k]})
            rows.append(row)
        return rows

    def record(self, report: Any, name: str, result: Result, **context: Any) -> None:
        """Record top-1/3/10 and timings of ``result`` as ``<name>_top1`` ... (paper beside)."""
        paper = PAPER.get(result.approach) or {}
        for k, value in result.scores.items():
            report.record(f"{name}_{k}", value, paper=paper.get(k), note=result.label, **context)
        report.record(f"{name}_index_s", round(result.index_s, 3), note=result.label)
        report.record(f"{name}_query_ms", round(result.query_ms, 2), note=result.label)

    def submission(self, result: Result, query_names: Sequence[str],
                   gallery_names: Sequence[str]) -> dict[str, list[str]]:
        """The challenge's dict for ``result``, checked complete before it is returned."""
        sub = retrieval.submission(query_names, gallery_names, result.ranked)
        check_submission(sub, query_names, gallery_names)
        return sub

    def versus_paper(self, approach: str, k: str = "top1", tolerance: float = TOLERANCE) -> str:
        """A sentence setting an approach's best top-k beside the paper's, in the words of
        :func:`helpers.verdicts.against_paper` (the study's tolerance)."""
        best = self.best(approach, k)
        here = best.scores[k]
        paper = (PAPER.get(approach) or {}).get(k)
        if paper is None:
            note = PAPER_NOTES.get(approach, "the report gives no number")
            return f"{approach}: best {k} here {here:.3f} ({best.variant}, {best.metric}); {note}."
        if np.isnan(here):
            return f"{approach}: no labels, so no {k} to compare with the paper's {paper:.3f}."
        return (f"{approach}: best {k} here {here:.3f} ({best.variant}, {best.metric}) "
                f"{verdicts.against_paper(here, paper, tolerance)}.")
