"""The query/gallery challenge of report 04: data, timed evaluation of every approach, results.

Fetz et al. 2021 met a course challenge: train on a labelled set, then rank a gallery for each
query and hand in ``{query_file: [gallery files, best first]}``. Six approaches were compared
(pretrained ResNet50, Siamese network, convolutional autoencoder, VAE, small CNN, SURF) by
query/gallery top-1/3/10. This module keeps notebook 04 short and every approach on exactly the
same footing:

* :func:`load`: train / val / query / gallery from a data set with splits (``flowers``: query
  and gallery built from its test split, seeded), a plain class folder (split here), or a
  folder holding ``query/`` and ``gallery/`` (the challenge's own layout);
* :class:`Sets`: the queries and the gallery every approach is scored on, with their labels;
* :func:`evaluate_embedder`: an approach that maps images to vectors, timed: *index* = embed
  the whole gallery, *per query* = embed one query and rank the gallery; each query's hit kept;
* :func:`over_seeds`: one row from a trainer run once per seed;
* :func:`evaluate_local`: keypoint approaches (SURF, SIFT, ORB), timed the same way.

The results board (tables, chance rows, records, the submission) is
:mod:`helpers.studies.fetz2021.tables`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helpers import datasets, retrieval

KS = (1, 3, 10)


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

    @property
    def every_test_image(self) -> bool:
        """Every test image is a query against all the others (the query set is the gallery)."""
        return self.query is self.gallery

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

    ``queries_per_class=0``: every test image is a query against all the others (the gallery
    is the test split itself, each query's own image left out; :attr:`Sets.loo`).

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
    found = datasets.load(dataset, synthetic=synthetic, seed=seed, max_per_class=max_per_class)
    _check_layout(dataset, found)
    images = _with_splits(found, seed)
    test = images.subset("test")
    if queries_per_class == 0:
        return Challenge(images.subset("train"), images.subset("val"), test, test, images.source)
    query, gallery = datasets.query_gallery(test, queries_per_class, seed=seed)
    return Challenge(images.subset("train"), images.subset("val"), query, gallery, images.source)


#: What notebook 04 can use as DATASET, for the message when a folder cannot serve.
LAYOUTS = ("a folder with query/ and gallery/ sub-folders (each holding class folders, or loose "
           "images for a submission without scores), or a class folder: one sub-folder per class "
           "(at least 2 classes), optionally inside train/ val/ test/")


def _check_layout(dataset: str, found: Any) -> None:
    """Refuse, with what would serve, a data set notebook 04 cannot rank as a challenge."""
    if not isinstance(found, datasets.ImageSet):
        kind = type(found).__name__.replace("Set", "").lower() or "other"
        raise ValueError(f"DATASET={dataset!r} loads as a {kind} set (pairs or houses), which has "
                         f"no classes to query by; notebook 04 needs {LAYOUTS}")
    if (found.labels < 0).any() or len(found.class_names) < 2:
        raise ValueError(f"DATASET={dataset!r} has {len(found.class_names)} class(es) and "
                         f"{int((found.labels < 0).sum())} unlabelled images: a query cannot be "
                         f"scored without another image of its class; notebook 04 needs {LAYOUTS}")
    test = found.subset("test") if "test" in set(found.split_names) else found
    counts = np.bincount(test.labels[test.labels >= 0], minlength=len(found.class_names))
    if "test" in set(found.split_names) and (counts < 2).any():
        few = [found.class_names[i] for i in np.flatnonzero(counts < 2)][:3]
        raise ValueError(f"DATASET={dataset!r}: the test split holds fewer than 2 images of "
                         f"{', '.join(few)}: such a query has nothing of its class to find; "
                         "add images or leave out the class")


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
                     gallery_names: Sequence[str], leave_one_out: bool = False) -> None:
    """Raise ValueError unless every query maps to a full ranking of distinct gallery files
    (with ``leave_one_out``, every gallery file but the query's own)."""
    missing = set(query_names) - set(sub)
    if missing or len(sub) != len(set(query_names)):
        raise ValueError(f"submission has {len(sub)} queries; missing {sorted(missing)[:3]}")
    for query, ranking in sub.items():
        expected = set(gallery_names) - ({query} if leave_one_out else set())
        if len(ranking) != len(expected) or set(ranking) != expected:
            raise ValueError(f"{query}: the ranking is not every gallery file exactly once")


# ------------------------------------------------------------------------------ evaluation
@dataclass
class Sets:
    """What every approach is scored on: query and gallery items (images or vectors) and labels.

    :meth:`swap` keeps the labels and replaces the items (the same queries at another image
    size, or their cached features), so two scores of one ``Sets`` are paired query by query.
    ``loo``: the queries are the gallery itself, and each query's own image is left out of
    its ranking (every image a query against all the others).
    """

    query: np.ndarray
    gallery: np.ndarray
    query_labels: np.ndarray
    gallery_labels: np.ndarray
    loo: bool = False

    def swap(self, query: np.ndarray, gallery: np.ndarray) -> Sets:
        return Sets(query, gallery, self.query_labels, self.gallery_labels, self.loo)

    @classmethod
    def every_image(cls, items: np.ndarray, labels: np.ndarray) -> Sets:
        """Every item a query against all the others."""
        return cls(items, items, labels, labels, loo=True)

    @property
    def labelled(self) -> bool:
        return bool((np.asarray(self.query_labels) >= 0).all()
                    and (np.asarray(self.gallery_labels) >= 0).all())


@dataclass
class Result:
    """One approach/variant scored on the challenge.

    ``hits``: each query's 0/1 hit per k, ``(queries,)`` for one run or ``(seeds, queries)``
    for a trainer run with several seeds (``report.record_scores`` takes either); ``scores``
    are their means. ``ranked`` is the first seed's ranking (the submission's).
    """

    approach: str
    variant: str
    metric: str
    scores: dict[str, float]
    ranked: np.ndarray = field(repr=False)
    index_s: float
    query_ms: float
    note: str = ""
    hits: dict[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.approach} ({self.variant}, {self.metric})"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", f"{self.approach}_{self.variant}_{self.metric}".lower()).strip("_")

    @property
    def seeds(self) -> int:
        first = next(iter(self.hits.values())) if self.hits else None
        return 1 if first is None or np.ndim(first) == 1 else int(np.shape(first)[0])


def topk_hits(ranked: np.ndarray, query_labels: Any, gallery_labels: Any,
              ks: Sequence[int] = KS) -> dict[str, np.ndarray] | None:
    """Each query's top-k hit (1: a gallery item with its label in the first k); None unlabelled."""
    ranked = np.asarray(ranked)
    yq, yg = np.asarray(query_labels), np.asarray(gallery_labels)
    if (yq < 0).any() or (yg < 0).any():
        return None  # unlabelled: only the submission counts
    same = yg[ranked[:, : max(ks)]] == yq[:, None]
    return {f"top{k}": same[:, :k].any(axis=1).astype(int) for k in ks}


def topk_from_ranked(ranked: np.ndarray, query_labels: Any, gallery_labels: Any,
                     ks: Sequence[int] = KS) -> dict[str, float]:
    """Top-k hit rates of a ranking (the means of :func:`topk_hits`; NaN when unlabelled)."""
    hits = topk_hits(ranked, query_labels, gallery_labels, ks)
    if hits is None:
        return {f"top{k}": float("nan") for k in ks}
    return {name: float(h.mean()) for name, h in hits.items()}


def without_self(ranked: np.ndarray) -> np.ndarray:
    """A full ranking of the gallery per query with the query's own index (row i: i) removed."""
    ranked = np.asarray(ranked)
    keep = ranked != np.arange(len(ranked))[:, None]
    return ranked[keep].reshape(len(ranked), ranked.shape[1] - 1)


def _result(approach: str, variant: str, metric: str, ranked: np.ndarray, sets: Sets,
            times: tuple[float, float], note: str = "") -> Result:
    if sets.loo:
        ranked = without_self(ranked)
    hits = topk_hits(ranked, sets.query_labels, sets.gallery_labels)
    scores = topk_from_ranked(ranked, sets.query_labels, sets.gallery_labels)
    return Result(approach, variant, metric, scores, ranked, times[0], times[1], note, hits)


def evaluate_embedder(
    approach: str,
    variant: str,
    embed: Callable[[np.ndarray], np.ndarray],
    sets: Sets,
    metrics: Sequence[str] = ("euclidean", "cosine"),
    note: str = "",
) -> list[Result]:
    """Embed gallery and queries (timed), rank by each metric, score top-1/3/10 per query.

    Two tiny untimed calls come first: Keras traces its predict function on the first call of
    each input shape, and that one-off cost belongs to no approach's index or query time.
    """
    for n in (1, 2):
        embed(sets.gallery[:n])
    start = time.perf_counter()
    g = np.asarray(embed(sets.gallery), dtype=np.float32)
    index_s = time.perf_counter() - start
    start = time.perf_counter()
    q = np.asarray(embed(sets.query), dtype=np.float32)
    embed_s = time.perf_counter() - start
    results = []
    for metric in metrics:
        start = time.perf_counter()
        ranked = retrieval.rank_gallery(q, g, metric)
        rank_s = time.perf_counter() - start
        per_query_ms = 1000 * (embed_s + rank_s) / len(q)
        results.append(_result(approach, variant, metric, ranked, sets, (index_s, per_query_ms), note))
    return results


def over_seeds(results: Sequence[Result], plus: Result | None = None) -> Result:
    """One row for a trainer run once per seed: hits ``(seeds, queries)``, the first seed's
    ranking; times the first seed's, plus ``plus``'s (a frozen backbone the head sits on)."""
    first = results[0]
    hits = None if first.hits is None else {
        k: np.stack([r.hits[k] for r in results]) for k in first.hits}
    scores = {k: float(np.mean([r.scores[k] for r in results])) for k in first.scores}
    index_s = first.index_s + (plus.index_s if plus else 0.0)
    query_ms = first.query_ms + (plus.query_ms if plus else 0.0)
    seeds = f"{len(results)} seed{'s' if len(results) > 1 else ''}"
    note = "; ".join(filter(None, (first.note, seeds)))
    return Result(first.approach, first.variant, first.metric, scores, first.ranked, index_s,
                  query_ms, note, hits)


#: Keypoint rankings: the report's (ratio-test matches) and ours (RANSAC-verified inliers).
REPORTS_LOCAL, OURS_LOCAL = "BF + ratio-test matches", "BF + RANSAC inliers (ours)"


#: Query images matched in one block when no RANSAC follows (one matrix product for all).
QUERY_BLOCK = 8
#: The page's ratio test: (query, gallery) ``Stacked`` -> (good, nearest), both (q, G).
RatioTest = Callable[[Any, Any], tuple[np.ndarray, np.ndarray]]


def evaluate_local(approach: str, extractor: Any, sets: Sets, ratio_test: RatioTest,
                   ransac: bool = True) -> list[Result]:
    """Describe the gallery once (index), then match each query against it by brute force
    with the page's ``ratio_test``.

    Two rankings from one pass: by the number of ratio-test matches (the report's: "with a
    brute force feature matching it will find the top3 more accurate images (with more
    similar features)") and by the RANSAC inliers among them (our extension; ``ransac=False``
    skips it). The RANSAC row's per-query time adds the RANSAC fits to the matching.
    """
    from helpers import local_features as lf

    start = time.perf_counter()
    described = [extractor.features(img) for img in sets.gallery]
    gallery = lf.stack(described, extractor.norm)
    index_s = time.perf_counter() - start
    good_rows, inlier_rows, ransac_s = [], [], 0.0
    start = time.perf_counter()
    if not ransac:  # blocks of queries: one matrix product for several (the same counts)
        for first in range(0, len(sets.query), QUERY_BLOCK):
            block = [extractor.features(img) for img in sets.query[first:first + QUERY_BLOCK]]
            query, offsets = lf.as_queries(block, gallery)
            good = ratio_test(query, gallery)[0]
            running = np.vstack([np.zeros((1, good.shape[1]), int), np.cumsum(good, axis=0)])
            good_rows += list(running[offsets[1:]] - running[offsets[:-1]])
    for img in sets.query if ransac else ():
        query = lf.as_query(extractor.features(img), gallery)
        good, nearest = ratio_test(query, gallery)
        good_rows.append(good.sum(axis=0))
        tick = time.perf_counter()
        inlier_rows.append(lf.inliers_of(query, gallery, good, nearest))
        ransac_s += time.perf_counter() - tick
    total_ms = 1000 * (time.perf_counter() - start) / len(sets.query)
    matching_ms = total_ms - 1000 * ransac_s / len(sets.query)
    empty = sum(1 for f in described if len(f) == 0)
    note = f"{empty} gallery images without keypoints" if empty else ""
    results = []
    rankings = [(good_rows, REPORTS_LOCAL, matching_ms)]
    rankings += [(inlier_rows, OURS_LOCAL, total_ms)] if ransac else []
    for rows, variant, ms in rankings:
        # Most matches first; ties (often many zeros) by gallery index, as everywhere else.
        ranked = np.argsort(-np.asarray(rows, dtype=float), axis=1, kind="stable")
        results.append(_result(approach, f"{extractor.name.upper()} {variant}", "matches",
                               ranked, sets, (index_s, ms), note))
    return results


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
                                 execution=features.QUIET)
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
