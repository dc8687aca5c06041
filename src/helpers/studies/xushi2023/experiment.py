"""Notebook 05's glue: features of both sides of the pairs, splits, model lists, tables, galleries.

Kept here so each notebook cell is a few calls: the notebook narrates, this module does.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers import backbones, features, retrieval
from helpers.datasets import ImageSet, PairSet
from helpers.studies.xushi2023.candidates import CandidateSet, zero_shot_scores
from helpers.studies.xushi2023.paper import (  # noqa: F401  (re-exported)
    HINGE_LOSS_NEAR,
    PAPER,
    PAPER_MODELS,
    ROSENFELD,
    ROSENFELD_PAIRS,
)
from helpers.studies.xushi2023.training import (
    RankerData,
    RankerOptions,
    RankerResult,
    RankerSpec,
    ranker_recipe,
    train_ranker,
)
from helpers.training import Recipe

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
    """
    out = PairFeatures()
    for name in names:
        start, cached = time.perf_counter(), True
        for which in SIDES:
            with warnings.catch_warnings():
                # The WeightsInfo records a random fallback; the notebook prints it plainly.
                warnings.simplefilter("ignore", backbones.WeightsWarning)
                feats = features.extract(side(pairs, which), name, tap=tap, scheme=scheme,
                                         image_size=image_size, weights=weights,
                                         batch_size=batch_size, progress=progress)
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


def groups_for(names: Sequence[str], singles: bool = True) -> list[tuple[str, ...]]:
    """Each backbone alone, then the first one paired with each other (the report's design:
    ResNet50, its best single model, paired with every other backbone)."""
    pairs = [(names[0], other) for other in names[1:]]
    return [(name,) for name in names] * bool(singles) + pairs


def specs_for(names: Sequence[str], fusions: Sequence[str], losses: Sequence[str],
              singles: bool = True) -> list[RankerSpec]:
    """The models to train: singles and pairs with the first loss and every fusion, then the
    pairs again with each further loss (first fusion only) for the loss comparison."""
    if not names or (len(names) == 1 and not singles):
        raise ValueError("nothing to train: give two or more backbones, or train singles")
    specs = []
    for group in groups_for(names, singles):
        for fusion in (fusions[:1] if len(group) == 1 else fusions):
            specs.append(RankerSpec(group, fusion=fusion, loss=losses[0]))
    for loss in losses[1:]:
        specs += [RankerSpec(g, fusion=fusions[0], loss=loss) for g in groups_for(names, False)]
    return specs


def metric_name(text: str) -> str:
    """A label made safe for ``report.record``: ``a+b (concat), infonce`` -> ``a_b_concat_infonce``."""
    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in text)
    return "_".join(part for part in safe.split("_") if part)


def zero_shot_table(feats: PairFeatures, test: CandidateSet,
                    groups: Sequence[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Top-1/top-2 on the test candidates of untrained cosine similarity, per backbone group."""
    rows = []
    for group in groups:
        scores = zero_shot_scores([feats.left[b] for b in group], [feats.right[b] for b in group],
                                  test)
        top = retrieval.candidates_topk_from_scores(scores, test.true_pos)
        rows.append({"model": "+".join(group), **top})
    return rows


def recall_table(feats: PairFeatures, ks: Sequence[int] = (1, 5, 10, 20)) -> dict[str, dict]:
    """Recall@k of each backbone's raw features, each left image against every right image."""
    return {name: retrieval.recall_at_k_pairs(feats.left[name], feats.right[name], ks=ks)
            for name in feats.left}


def recipe_and_options(settings: Mapping[str, Any], seed: int) -> tuple[Recipe, RankerOptions]:
    """The training recipe and the head/loss options a notebook's resolved settings name."""
    recipe = ranker_recipe(settings["epochs"], settings["batch_size"], settings["learning_rate"],
                           settings["weight_decay"], seed=seed)
    names = [f.name for f in dataclasses.fields(RankerOptions)]
    return recipe, RankerOptions(**{name: settings[name] for name in names})


def train_all(specs: Sequence[RankerSpec], feats: PairFeatures, train_index: np.ndarray,
              val: CandidateSet, test: CandidateSet, recipe: Recipe,
              options: RankerOptions | None = None) -> list[RankerResult]:
    """Train every spec with the same recipe and options (see :func:`recipe_and_options`)."""
    data = RankerData(feats.left, feats.right, train_index, val, test)
    results = []
    for spec in specs:
        result = train_ranker(spec, data, recipe, options or RankerOptions())
        print(f"{spec.label:45s} test top-1 {result.top1:.3f}  top-2 {result.top2:.3f}  "
              f"(best val top-2 {result.best_val_top2:.3f} at epoch {result.best_epoch}; "
              f"{result.seconds:.0f} s)")
        results.append(result)
    return results


def backbone_parameters(names: Sequence[str], image_size: int) -> dict[str, int]:
    """Parameter count of each backbone's feature extractor (random init: counting only)."""
    import keras

    counts = {}
    for name in names:
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


# The report's numbers and Rosenfeld et al.'s: helpers.studies.xushi2023.paper (re-exported).
def recall_rows(recall: Mapping[str, Mapping[str, float]]) -> list[dict[str, Any]]:
    """Recall@k here (each backbone) beside Rosenfeld et al.'s ResNet50 (paper column) and
    DenseNet121 (its own column)."""
    rows = []
    for name, scores in recall.items():
        for key, value in scores.items():
            k = int(key.split("@")[1])
            rows.append({"k": k, "backbone here": name,
                         "DenseNet121 (Rosenfeld)": ROSENFELD["DenseNet121"].get(k),
                         "paper": ROSENFELD["ResNet50"].get(k), "here": value})
    return rows


def top2_rows(results: Sequence[RankerResult], loss: str) -> list[dict[str, Any]]:
    """Figure 3/4 as a table: each model trained with ``loss``, then the report's summaries
    (mean of singles, mean of pairs, best pair) beside ours."""
    chosen = [r for r in results if r.spec.loss == loss]
    rows = [{"model": r.spec.label, "test top-1": r.top1,
             "paper": PAPER_MODELS.get(r.spec.backbones) if r.spec.fusion == "concat" else None,
             "here": r.top2} for r in chosen]
    singles = [r.top2 for r in chosen if len(r.spec.backbones) == 1]
    pairs = [r.top2 for r in chosen if len(r.spec.backbones) > 1]
    for label, values, paper in (("mean of single models", singles, "single_mean_top2"),
                                 ("mean of pairs", pairs, "pair_mean_top2"),
                                 ("best pair", [max(pairs)] if pairs else [], "pair_best_top2")):
        if values:
            rows.append({"model": label, "paper": PAPER[paper], "here": float(np.mean(values))})
    return rows


def loss_rows(results: Sequence[RankerResult]) -> list[dict[str, Any]]:
    """Figure 5 as a table: final training loss per model (the report: about 1.0 for all)."""
    return [{"model": r.spec.label, "loss": r.spec.loss,
             "val loss (last epoch)": r.history.get("val_loss", [np.nan])[-1],
             "paper": PAPER["hinge_loss"] if r.spec.loss == "hinge" else None,
             "here": r.history["loss"][-1]} for r in results]


def parameter_rows(results: Sequence[RankerResult], backbone_params: Mapping[str, int]
                   ) -> list[dict[str, Any]]:
    """Figure 6 as a table: parameters (frozen backbones + trained head) beside test top-2."""
    rows = []
    for r in results:
        frozen = sum(backbone_params[b] for b in r.spec.backbones)
        rows.append({"model": r.spec.label, "backbone params (M)": frozen / 1e6,
                     "head params (M)": r.head_params / 1e6,
                     "paper": PAPER_MODELS.get(r.spec.backbones) if r.spec.loss == "hinge"
                     and r.spec.fusion == "concat" else None, "here": r.top2})
    return rows


def parameter_scatter(rows: Sequence[Mapping[str, Any]]):
    """Test top-2 against total parameters (millions), one labelled point per model."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for row in rows:
        total = row["backbone params (M)"] + row["head params (M)"]
        ax.scatter(total, row["here"], s=30)
        ax.annotate(str(row["model"]), (total, row["here"]), fontsize=7,
                    xytext=(4, 3), textcoords="offset points")
    ax.set(xlabel="parameters, backbones + head (millions)", ylabel="test top-2",
           title="parameters against accuracy (cf. the report's figure 6)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
