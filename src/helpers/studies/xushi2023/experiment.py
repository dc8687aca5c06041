"""Notebook 05's glue: features of both sides of the pairs, splits, model lists, tables, galleries.

Kept here so each notebook cell is a few calls: the notebook narrates, this module does.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers import backbones, features, retrieval
from helpers.backbones.grid import global_average
from helpers.datasets import ImageSet, PairSet
from helpers.studies.xushi2023.candidates import CandidateSet, zero_shot_scores
from helpers.studies.xushi2023.paper import (  # noqa: F401  (re-exported)
    HINGE_LOSS_NEAR,
    PAPER,
    PAPER_MODELS,
    ROSENFELD,
    ROSENFELD_PAIRS,
)
from helpers.studies.xushi2023.recording import metric_name  # noqa: F401  (re-exported)
from helpers.studies.xushi2023.runs import GRID_SUFFIX
from helpers.studies.xushi2023.saved import RankerSpec
from helpers.studies.xushi2023.tables import (  # noqa: F401  (re-exported)
    loss_rows,
    parameter_rows,
    parameter_scatter,
    recall_rows,
    top2_rows,
)

SIDES = ("left", "right")


def side(pairs: PairSet, which: str) -> ImageSet:
    """One side of the pairs as an unlabelled ImageSet (``tll-left``), row i = pair i.

    ``helpers.features`` extracts and caches ImageSets; this view lets it do so for a PairSet.
    """
    if which not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {which!r}")
    items = pairs.left if which == "left" else pairs.right
    return ImageSet(name=f"{pairs.name}-{which}", items=list(items),
                    labels=np.full(len(items), -1), class_names=(), source=pairs.source,
                    skipped=pairs.skipped, default_size=pairs.default_size)


def planned_weights(names: Sequence[str], weights: Any) -> dict[str, Any]:
    """What each backbone will get, known before any model is built (for the first line).

    A ``WeightsInfo`` where a pretrained file is at hand; otherwise a plain sentence: random
    initialisation, unless Keras can still download the weights on this machine.
    """
    out: dict[str, Any] = {}
    for name in names:
        info = backbones.locate(backbones.get(name), False, weights)
        if info is not None:
            out[name] = info
        elif weights is None:
            out[name] = "random init (asked for)"
        else:
            out[name] = (f"no {weights!r} file here: Keras download, else RANDOM init "
                         "(the line after feature extraction says which)")
    return out


@dataclass
class PairFeatures:
    """Per backbone, the (P, d) features of every left and every right image."""

    left: dict[str, np.ndarray] = field(default_factory=dict)
    right: dict[str, np.ndarray] = field(default_factory=dict)
    weights: dict[str, backbones.WeightsInfo] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cached: dict[str, bool] = field(default_factory=dict)

    #: Per backbone, its 2 x 2 grid features (``tap="avg+grid2"``; empty otherwise).
    grid_left: dict[str, np.ndarray] = field(default_factory=dict)
    grid_right: dict[str, np.ndarray] = field(default_factory=dict)

    def tables(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Left and right feature tables for training: the pooled ones by backbone name, the
        grid ones as ``<name>:grid2``."""
        left = {**self.left, **{n + GRID_SUFFIX: v for n, v in self.grid_left.items()}}
        right = {**self.right, **{n + GRID_SUFFIX: v for n, v in self.grid_right.items()}}
        return left, right

    def widths(self) -> dict[str, int]:
        return {name: int(v.shape[1]) for name, v in self.left.items()}

    def describe(self) -> list[str]:
        """One line per backbone: width, weights, time, whether it came from the cache."""
        return [f"{name}: {self.left[name].shape[1]}-d, {self.weights[name].describe()}; "
                f"{self.seconds[name]:.1f} s ({'cache' if self.cached[name] else 'computed'})"
                for name in self.left]


def pair_features(pairs: PairSet, names: Sequence[str], *, image_size: int, weights: Any,
                  tap: str = "avg", scheme: str = "imagenet", batch_size: int = 32,
                  progress: bool = True) -> PairFeatures:
    """Extract (or load from the cache) each backbone's features of both sides of ``pairs``.

    ``scheme="imagenet"`` means each backbone's own ``preprocess_input``. Backbones without
    pretrained weights here run with random initialisation; ``weights[name]`` says which.
    ``tap="avg+grid2"``: one pass gives the 2 x 2 grid features (``grid_left``/``grid_right``)
    and the global average read back from them (``left``/``right``).
    """
    out = PairFeatures()
    grid = tap == "avg+grid2"
    for name in names:
        start, cached = time.perf_counter(), True
        for which in SIDES:
            with warnings.catch_warnings():
                # The WeightsInfo records a random fallback; the notebook prints it plainly.
                warnings.simplefilter("ignore", backbones.WeightsWarning)
                feats = features.extract(side(pairs, which), name,
                                         tap="grid2" if grid else tap, scheme=scheme,
                                         image_size=image_size, weights=weights,
                                         execution=features.Execution(batch_size=batch_size,
                                                                      progress=progress))
            if grid:
                getattr(out, f"grid_{which}")[name] = feats.vectors
                getattr(out, which)[name] = global_average(feats.vectors, 2)
            else:
                getattr(out, which)[name] = feats.vectors
            out.weights[name], cached = feats.weights, cached and feats.from_cache
        out.seconds[name], out.cached[name] = time.perf_counter() - start, cached
    return out


def split_indices(pairs: PairSet, fractions: Mapping[str, float], seed: int
                  ) -> dict[str, np.ndarray]:
    """``PairSet.split`` as global pair indices (rows of the feature arrays), by pair id."""
    where = {pid: i for i, pid in enumerate(pairs.ids)}
    if len(where) != len(pairs):
        raise ValueError(f"{pairs.name}: pair ids are not unique, cannot map splits to rows")
    return {name: np.array([where[pid] for pid in part.ids], dtype="int64")
            for name, part in pairs.split(dict(fractions), seed=seed).items()}


def eval_candidates(pairs: PairSet, index: np.ndarray, n: int, seed: int) -> CandidateSet:
    """The split's fixed candidate sets (``PairSet.candidates`` within it), global indices."""
    if len(index) < n:
        raise ValueError(f"a split of {len(index)} pairs cannot give {n} distinct candidates; "
                         "use more pairs or fewer candidates")
    cands, true_col = pairs.take(index).candidates(n=n, seed=seed)
    return CandidateSet.within(index, cands, true_col)


PAIRINGS = ("first", "all")


def groups_for(names: Sequence[str], singles: bool = True, pairs: str = "first"
               ) -> list[tuple[str, ...]]:
    """Each backbone alone, then the pairs: ``"first"`` pairs the first backbone with each
    other (the report's design: ResNet50, its best single model, with every other backbone);
    ``"all"`` every pair of two different backbones."""
    if pairs not in PAIRINGS:
        raise ValueError(f"pairs must be one of {PAIRINGS}, got {pairs!r}")
    if pairs == "all":
        paired = list(itertools.combinations(names, 2))
    else:
        paired = [(names[0], other) for other in names[1:]]
    return [(name,) for name in names] * bool(singles) + paired


def specs_for(names: Sequence[str], fusions: Sequence[str], losses: Sequence[str],
              singles: bool = True, pairs: str = "first", grid: bool = False
              ) -> list[RankerSpec]:
    """The models to train: singles and pairs with the first loss and first fusion, every
    further fusion on the pairs (``pairs="all"``: on the first pair only, which keeps the
    run short); then the first pair again with each further loss (first fusion) for the loss
    comparison, and with ``grid`` on its 2 x 2 grid features beside the pooled ones."""
    if not names or (len(names) == 1 and not singles):
        raise ValueError("nothing to train: give two or more backbones, or train singles")
    specs = []
    headline = tuple(names[:2]) if len(names) > 1 else tuple(names[:1])
    for group in groups_for(names, singles, pairs):
        every = len(group) > 1 and (pairs == "first" or group == headline)
        for fusion in (fusions if every else fusions[:1]):
            specs.append(RankerSpec(group, fusion=fusion, loss=losses[0]))
    specs += [RankerSpec(headline, fusion=fusions[0], loss=loss) for loss in losses[1:]
              if len(headline) > 1]
    if grid:
        specs.append(RankerSpec(tuple(b + GRID_SUFFIX for b in headline), fusion=fusions[0],
                                loss=losses[0]))
    return specs


def zero_shot_hits(feats: PairFeatures, test: CandidateSet,
                   groups: Sequence[tuple[str, ...]]) -> dict[str, dict[str, np.ndarray]]:
    """Per backbone group, each test row's 0/1 top-1 and top-2 hit of untrained cosine."""
    out = {}
    for group in groups:
        scores = zero_shot_scores([feats.left[b] for b in group], [feats.right[b] for b in group],
                                  test)
        out["+".join(group)] = retrieval.candidates_topk_from_scores(scores, test.true_pos,
                                                                     per_item=True)
    return out


def recall_table(feats: PairFeatures, ks: Sequence[int] = (1, 5, 10, 20),
                 per_item: bool = False) -> dict[str, dict]:
    """Recall@k of each backbone's raw features, each left image against every right image
    (``per_item``: each left image's 0/1 hit)."""
    return {name: retrieval.recall_at_k_pairs(feats.left[name], feats.right[name], ks=ks,
                                              per_item=per_item)
            for name in feats.left}


@dataclass(frozen=True)
class RankerData:
    """What a ranker trains and is scored on.

    ``left[name]`` / ``right[name]`` are backbone ``name``'s (P, d) features of all P pairs;
    ``train_pool`` the training pair indices (negatives are drawn among them, afresh each
    epoch); ``val`` and ``test`` fixed candidate sets inside their own splits.
    """

    left: Mapping[str, np.ndarray]
    right: Mapping[str, np.ndarray]
    train_pool: Sequence[int]
    val: CandidateSet
    test: CandidateSet


def ranker_data(feats: PairFeatures, train_index: np.ndarray, val: CandidateSet,
                test: CandidateSet) -> RankerData:
    """What every ranker trains and is scored on: all feature tables, pooled and grid."""
    left, right = feats.tables()
    return RankerData(left, right, train_index, val, test)


def backbone_parameters(names: Sequence[str], image_size: int) -> dict[str, int]:
    """Parameter count of each backbone's feature extractor (random init: counting only)."""
    import keras

    counts = {}
    for name in names:  # the grid tap adds no parameters: same count for name:grid2
        model, _ = backbones.build(name, "avg", weights=None, image_size=image_size)
        counts[name] = int(model.count_params())
        del model
        keras.backend.clear_session()  # free the graph before the next (possibly large) one
    return counts


def candidate_grid(pairs: PairSet, candidates: CandidateSet, scores: np.ndarray, row: int,
                   size: int = 112) -> dict[str, Any]:
    """Arguments for ``plots.image_grid``: left image ``row`` (blue frame), then its candidates
    ranked best first with their scores, the true right image framed green."""
    from helpers.plots import HIT, QUERY

    order = np.argsort(-np.asarray(scores[row]), kind="stable")
    ranked = candidates.cands[row][order]
    images = [pairs.take([candidates.left[row]]).left_images(size, progress=False)[0],
              *pairs.take(ranked).right_images(size, progress=False)]
    true = ranked == candidates.left[row]
    titles = ["left image"] + [f"#{r + 1}  {scores[row][j]:.2f}" + (" TRUE" if t else "")
                               for r, (j, t) in enumerate(zip(order, true, strict=True))]
    frames = [QUERY] + [HIT if t else None for t in true]
    return {"images": images, "titles": titles, "frames": frames}


def gallery_picks(scores: np.ndarray, candidates: CandidateSet) -> list[int]:
    """Two rows to show: the first the model ranks right at #1 and the first it misses at
    top-2 (fewer when every row is a hit or every row a miss)."""
    rank = (np.asarray(scores) >= np.asarray(scores)[np.arange(len(scores)),
                                                     candidates.true_pos][:, None]).sum(1) - 1
    hits, misses = np.flatnonzero(rank == 0), np.flatnonzero(rank >= 2)
    return [int(r[0]) for r in (hits, misses) if len(r)]


