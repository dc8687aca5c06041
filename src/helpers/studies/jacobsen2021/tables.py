"""Report 02 (Jacobsen 2021) in numbers: its configurations, its results, and its tables here.

The notebook ``02_jacobsen_finetuning_supcon`` narrates; this module holds what it needs beyond
the general fine-tuning machinery of :mod:`helpers.studies.jacobsen2021.finetune`: the report's layer
configurations and numbers, the per-profile knobs, and one function per table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.classifiers.model import scheme_preprocess
from helpers.studies.jacobsen2021 import profile
from helpers.studies.jacobsen2021.finetune import FineTunable, Run, TrunkCache, score, top1_hits
from helpers.studies.jacobsen2021.paper import (  # noqa: F401  (re-exported)
    GAP,
    GOLD_STANDARD,
    PAPER,
    PREPROCESSING_GAIN,
    SPLIT_SIZES,
)
from helpers.sweep import Runs

# Layer configurations of report 02 (table 5, appendix C) per backbone: label -> (groups,
# the paper's row it mirrors, the paper's LOO top-1 for that row). MobileNetV2 has no row in
# the report; its configurations mirror EfficientNetB0's by position (its blocks 13-15 play
# stage 6, block 16 + the 1x1 top convolution stage 7), and carry those rows' numbers.
LAYER_CONFIGS: dict[str, dict[str, tuple[tuple[str, ...], str, float | None]]] = {
    "efficientnetb0": {
        "stage 7": (("stage7", "top"), "EfficientNetB0 stage 7", 0.760),
        "stage 7 + blocks 6c, 6d": (("stage7", "block6c", "block6d", "top"),
                                    "EfficientNetB0 stage 7 + 6c, 6d", 0.776),
        "stage 7 + all of stage 6": (("stage7", "stage6", "top"),
                                     "EfficientNetB0 stage 7 + stage 6", 0.710),
    },
    "resnet50": {
        "stage 5": (("stage5",), "ResNet50 stage 5", 0.773),
        "stage 5 blocks B, C": (("stage5_block2", "stage5_block3"),
                                "ResNet50 stage 5 B, C (buggy prep.)", 0.351),
        "stage 5 + last block of stage 4": (("stage5", "stage4_block6"),
                                            "ResNet50 stage 5 + 4C (buggy prep.)", 0.320),
    },
    "mobilenetv2": {
        "block 16 + top (~ stage 7)": (("block_16", "top"), "EfficientNetB0 stage 7", 0.760),
        "blocks 14-16 + top (~ stage 7 + 6c, 6d)": (
            ("block_14", "block_15", "block_16", "top"), "EfficientNetB0 stage 7 + 6c, 6d", 0.776),
        "blocks 13-16 + top (~ stage 7 + all of 6)": (
            ("block_13", "block_14", "block_15", "block_16", "top"),
            "EfficientNetB0 stage 7 + stage 6", 0.710),
    },
}

# Report 02's numbers: helpers.studies.jacobsen2021.paper (re-exported for the notebook).

# Preprocessing schemes of tables 4 and 6, as (helpers.preprocessing scheme, whose mode).
SCHEMES: dict[str, tuple[str, str | None]] = {
    "places": ("places", None),          # Places365 Caffe means, BGR
    "caffe": ("imagenet", "resnet50"),   # ResNet50's preprocess_input: ImageNet means, BGR
    "raw": ("imagenet", "efficientnetb0"),  # EfficientNet's: the identity (0..255 pixels)
    "own": ("imagenet", None),           # the backbone's own preprocess_input
}

# The notebook's knobs per profile (shown as a table in its data section).
PROFILE_DEFAULTS = {name: settings.as_dict() for name, settings in profile.PROFILES.items()}

# DRE19's training split per room (report 02, table 1): 3842 images, batch 64 -> a last batch of 2.
DRE19_TRAIN_COUNTS = {"kitchen": 745, "living_room": 702, "bed_room": 622, "bath_room": 639,
                      "dining_room": 583, "entre": 541}


def reduce_dimension(train: np.ndarray, test: np.ndarray, test_labels: Sequence,
                     dims: Sequence[int], autoencoder_dims: Sequence[int] = (),
                     autoencoder_epochs: int = 60, seed: int = 0) -> list[dict[str, Any]]:
    """LOO top-1 on ``test`` after PCA (fit on ``train``) and report 01's shallow AE per dim.

    Rows ``{"method", "dim", "top1"}``, the unreduced vectors first. A dimension larger than
    the PCA can give (``min(n_train, D)``) is reported as skipped, not silently clipped.
    """
    from sklearn.decomposition import PCA

    from helpers.studies.ingwersen2020.saved import AE_RECIPE, AESpec, train_autoencoder

    rows = [{"method": "none", "dim": int(train.shape[1]),
             "top1": score(test, test_labels)["top1"]}]
    for dim in dims:
        if dim > min(train.shape):
            rows.append({"method": "PCA", "dim": int(dim), "top1": np.nan,
                         "note": f"skipped: at most {min(train.shape)} components"})
            continue
        pca = PCA(n_components=int(dim), random_state=seed).fit(train)
        rows.append({"method": "PCA", "dim": int(dim),
                     "top1": score(pca.transform(test), test_labels)["top1"]})
    for dim in autoencoder_dims:
        ae = train_autoencoder(train, AESpec(hidden=(int(dim),)),
                               AE_RECIPE.replace(epochs=autoencoder_epochs, seed=seed))
        rows.append({"method": "AE (report 01)", "dim": int(dim),
                     "top1": score(ae.encode(test), test_labels)["top1"],
                     "note": f"{ae.epochs_run} epochs"})
    return rows


def pca_chosen_on_validation(train: np.ndarray, vectors: Mapping[str, np.ndarray],
                             labels: Mapping[str, Sequence], dims: Sequence[int],
                             seed: int = 0) -> dict[str, Any]:
    """The abstract's "reducing the dimensionality gives higher top-1", tested without looking
    at test: PCA fit on ``train``, its length chosen by validation LOO top-1 among ``dims``
    (ties: the shorter), then the test split scored once.

    ``vectors`` and ``labels`` map ``"val"`` and ``"test"`` to the encoder's vectors and their
    labels. Returns ``dim``, ``val_top1`` (per length tried), and the per-item test hits of the
    chosen reduction (``test_hits``) and of the full vectors (``full_hits``), for a paired
    interval of their difference.
    """
    from sklearn.decomposition import PCA

    usable = sorted(int(d) for d in dims if 0 < int(d) <= min(train.shape))
    if not usable:
        raise ValueError(f"no PCA length in {list(dims)} fits {train.shape[0]} training vectors "
                         f"of dimension {train.shape[1]}")
    fitted = {d: PCA(n_components=d, random_state=seed).fit(train) for d in usable}
    val_top1 = {d: score(fitted[d].transform(vectors["val"]), labels["val"])["top1"]
                for d in usable}
    dim = max(usable, key=lambda d: (val_top1[d], -d))
    return {"dim": dim, "val_top1": val_top1,
            "test_hits": top1_hits(fitted[dim].transform(vectors["test"]), labels["test"]),
            "full_hits": top1_hits(vectors["test"], labels["test"])}


# Table 2's pipelines: helpers.preprocessing scheme -> recorded-name prefix, shown label. The
# Places row is appendix A's (report 01's Places preprocessing on the ImageNet network): with
# it, report 01's "30 points from preprocessing" is the Places row minus the flawed one.
BASELINE_PIPELINES = {"imagenet": ("baseline", "correct (own scheme)"),
                      "imagenet_then_255_bug": ("baseline_buggy", "flawed (then /255)"),
                      "places": ("baseline_places", "Places365 means")}


def baselines(test_set: Any, backbones: Sequence[str], image_size: int, weights: Any,
              pipelines: Sequence[str] = tuple(BASELINE_PIPELINES)
              ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, np.ndarray]]:
    """Table 2: LOO top-1 of each backbone's pooled features under each pipeline.

    Returns the rows, each backbone's :class:`~helpers.backbones.WeightsInfo`, and each row's
    per-item top-1 hits under its metric name (``baseline_top1_<backbone>``, ...).
    """
    from helpers import features

    rows, infos, hits = [], {}, {}
    for name in backbones:
        for scheme in pipelines:
            key, shown = BASELINE_PIPELINES[scheme]
            feats = features.extract(test_set, name, tap="avg", scheme=scheme,
                                     image_size=image_size, weights=weights,
                                     execution=features.QUIET)
            scores = score(feats.vectors, test_set.labels)
            infos[name] = feats.weights
            hits[f"{key}_top1_{name}"] = top1_hits(feats.vectors, test_set.labels)
            rows.append({"backbone": name, "pipeline": shown,
                         "weights": "ImageNet (real)" if feats.weights.pretrained
                         else "RANDOM init",
                         "paper": PAPER[key].get(name), "here": scores["top1"],
                         "top5": scores["top5"]})
    return rows, infos, hits


def imagenet_means_hits(images: np.ndarray, labels: Sequence, backbone: str, image_size: int,
                        weights: Any) -> tuple[np.ndarray, Any]:
    """Per-item LOO top-1 hits of ``backbone``'s pooled features with ImageNet's Caffe
    preprocessing (BGR minus the ImageNet means, about +-128: ResNet50's own scheme), whatever
    the backbone's own mode, and its weights record. Beside the Places row (BGR minus the Places
    means, the same range) it isolates report 01's claim: the means alone, range-matched."""
    from helpers import backbones, features

    model, info = backbones.build(backbone, "avg", weights=weights, image_size=image_size)
    vectors = features.run_model(model, np.asarray(images), "imagenet", "resnet50")
    return top1_hits(vectors, labels), info


def chance_row(labels: Sequence, seed: int, **columns: Any) -> dict[str, Any]:
    """The chance row beside a LOO top-1 table: exact, and a seeded random ranking's score on
    the same items (``columns`` fill the table's other columns, e.g. ``backbone="chance"``)."""
    from helpers import uncertainty

    y = np.asarray(labels)
    exact = uncertainty.labels_topk_chance(y, ks=(1,))["top1"]
    measured = float(uncertainty.random_ranking_hits(y, ks=(1,), seed=seed)["top1"].mean())
    return {**columns, "paper": None, "here": measured,
            "note": f"random ranking (exact chance {exact:.3f})"}


def accuracy_chance_row(test_labels: Sequence, train_labels: Sequence,
                        **columns: Any) -> dict[str, Any]:
    """The chance row beside a classification accuracy: the training majority class's."""
    from helpers import uncertainty

    hits = uncertainty.majority_class_hits(test_labels, train_labels)
    return {**columns, "paper": None, "here": float(np.mean(hits)), "note": "majority class of train"}


def layer_sweep(finetune: Callable[..., Run], clf: FineTunable, cache: TrunkCache,
                configs: Mapping[str, tuple[Sequence[str], str, float | None]], recipe: Any,
                seeds: Sequence[int]) -> dict[str, Runs]:
    """Table 5: the page's ``finetune`` of every layer configuration (``label -> (groups,
    ...)``) once per seed, by a :class:`~helpers.sweep.Sweep`: ``{label: Runs}``, each
    holding the runs (first: ``seeds[0]``) and their per-item test hits (``"test"``: LOO
    top-1, ``"test_accuracy"``: the head) as ``(seeds, items)`` arrays."""
    from helpers.sweep import Sweep

    def train(label: str, seed: int) -> Run:
        return finetune(clf, cache, configs[label][0], recipe.replace(seed=int(seed)),
                        label=label)

    sweep = Sweep(train, seeds, hits=lambda run: {"test": run.hits["test_top1"],
                                                  "test_accuracy": run.hits["test_accuracy"]})
    return sweep.run(configs)


def best_configuration(runs: Mapping[str, Runs]) -> str:
    """The configuration with the highest validation top-1, averaged over its seeds (the test
    split never picks)."""
    return max(runs, key=lambda label: np.mean([r.scores["val_top1"] for r in runs[label].results]))


def best(runs: Sequence[Run], key: str = "val_top1") -> Run:
    """The run with the highest ``key`` (validation, so the test split never picks)."""
    return max(runs, key=lambda run: run.scores[key])


def grid_rows(backbone: str, cells: Sequence[Any]) -> list[dict[str, Any]]:
    """Table 3 beside ours: one row per (optimizer, learning rate) cell of the head grid."""
    return [{"backbone": backbone, "optimizer": c.optimizer,
             "learning rate": f"{c.learning_rate:g}",
             "paper": PAPER["optimizer_lr"].get((c.optimizer, c.learning_rate)),
             "here": c.test_top1, "val top-1": c.val_top1, "seeds": len(c.test_hits)}
            for c in cells]


def layer_rows(backbone: str, runs: Mapping[str, Runs]) -> list[dict[str, Any]]:
    """Table 5 (and appendix C): one row per layer configuration, beside the report's row;
    test and validation top-1 are means over the seeds, epochs the best epoch of each seed."""
    rows = []
    for label, per_seed in runs.items():
        _, paper_row, paper = LAYER_CONFIGS[backbone][label]
        results = per_seed.results
        rows.append({"backbone": backbone, "trainable": label, "report's row": paper_row,
                     "paper": paper, "here": float(per_seed.hits("test").mean()),
                     "val top-1": float(np.mean([r.scores["val_top1"] for r in results])),
                     "seeds": len(results),
                     "params trained": results[0].result.trainable_params,
                     "best epochs": [r.result.best_epoch for r in results],
                     "s": round(sum(r.result.seconds for r in results), 1)})
    return rows


def per_class_rows(labels: np.ndarray, per_class: int | None, seed: int) -> np.ndarray:
    """Indices of at most ``per_class`` items of every label (seeded), in index order."""
    rng = np.random.default_rng(seed)
    keep = [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in np.unique(labels)]
    return np.sort(np.concatenate(keep))


def scheme_runs(finetune: Callable[..., Run], clf: FineTunable, cache: TrunkCache,
                images: Mapping[str, tuple[Any, Any]], like: Run, schemes: Sequence[str],
                per_class: int | None, seed: int) -> dict[str, Run]:
    """Tables 4 and 6: the page's ``finetune`` of ``like``'s layer groups with ``like``'s
    recipe, under each preprocessing scheme.

    Every scheme trains on the same ``per_class`` training images per room (no augmented
    copies) and is scored on the full validation and test splits. ``own`` reuses ``cache``;
    any other scheme needs its own pass of the trunk, with ``clf.preprocess`` swapped for it.
    """
    groups, recipe = like.groups, like.recipe
    x_train, y_train = images["train"]
    rows = per_class_rows(np.asarray(y_train), per_class, seed)
    own, runs = clf.preprocess, {}
    for name in schemes:
        if name == "own":
            runs[name] = finetune(clf, cache, groups, recipe, label=name, train_rows=rows)
            continue
        scheme, mode_of = SCHEMES[name]
        clf.preprocess = scheme_preprocess(scheme, mode_of or clf.backbone)
        try:
            sub = TrunkCache(clf, {"train": (x_train[rows], np.asarray(y_train)[rows]),
                                   "val": images["val"], "test": images["test"]},
                             cut=cache.cut, seed=seed)
            runs[name] = finetune(clf, sub, groups, recipe, label=name)
        finally:
            clf.preprocess = own
    return runs


def record_scheme_range(backbone: str, schemes: Sequence[str]) -> bool:
    """Record ``scheme_inputs_out_of_range_<backbone>``: True when ``backbone`` expects [-1, 1]
    (tf mode) and the other ``schemes`` feed it Caffe-style inputs (about ±128). Then "its own
    scheme wins" is near-automatic and the claim's row is "not testable here"."""
    from helpers import preprocessing, report

    caffe_style = [s for s in schemes if s in ("places", "caffe", "raw")]
    out = preprocessing.backbone_mode(backbone) == "tf" and bool(caffe_style)
    report.record(f"scheme_inputs_out_of_range_{backbone}", out, note=(
        f"not testable here: {backbone} expects inputs in [-1, 1]; the {', '.join(caffe_style)} "
        "scheme(s) feed it about ±128, so its own scheme winning is near-automatic (a Caffe-mode "
        "ResNet50 runs in the paper profile)") if out else None)
    return out


def scheme_rows(backbone: str, runs: Mapping[str, Run]) -> list[dict[str, Any]]:
    own = {"resnet50": "caffe", "efficientnetb0": "raw"}.get(backbone)
    rows = []
    for name, run in runs.items():
        key = own if name == "own" and own else name
        rows.append({"backbone": backbone, "scheme": name,
                     "paper": PAPER["schemes"].get((backbone, key)),
                     "here": run.scores["test_top1"], "val top-1": run.scores["val_top1"]})
    return rows


def gap_rows(backbone: str, baseline: float, finetuned: float, gold: float) -> list[dict]:
    """Tables 7 and 8: baseline and fine-tuned top-1, their gaps to the gold standard."""
    paper_base = PAPER["baseline"].get(backbone)
    paper_tuned = PAPER["best_finetuned"].get(backbone)
    gold_paper = PAPER["gold_standard"]

    def minus(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    return [
        {"backbone": backbone, "quantity": "baseline top-1", "paper": paper_base,
         "here": baseline},
        {"backbone": backbone, "quantity": "gap to gold (baseline)",
         "paper": minus(gold_paper, paper_base), "here": gold - baseline},
        {"backbone": backbone, "quantity": "fine-tuned top-1", "paper": paper_tuned,
         "here": finetuned},
        {"backbone": backbone, "quantity": "gap to gold (fine-tuned)",
         "paper": minus(gold_paper, paper_tuned), "here": gold - finetuned},
        {"backbone": backbone, "quantity": "improvement", "paper": minus(paper_tuned, paper_base),
         "here": finetuned - baseline},
    ]


def record_gold_gap(finetuned_hits: Any, own_gold: float | None, dataset: str,
                    weights: Any = None) -> float | None:
    """Record ``finetuned_minus_gold_standard``: the report's problem definition (section 1).

    ``own_gold``: the user's own in-domain model's LOO top-1 on the *same* test images
    (notebook 02's ``GOLD_STANDARD`` parameter, e.g. VGG16-Places365 + AE-512 run on
    ``dataset``). Then the per-image hits of the fine-tuned model minus that constant are
    recorded, so the claim is judged with the item bootstrap (the gold model's own sampling
    noise is not in the interval: it is a number, not scores). Without it, the report's 0.783 is
    a DRE19 validation score and the row is "not testable here". ``weights``: the fine-tuned
    model's (a random-init model cannot judge the claim). Returns the gap or None.
    """
    from helpers import report

    if own_gold is None:
        report.record("finetuned_minus_gold_standard", None, note=(
            "not testable here: no in-domain (Places365) model can run offline, and the report's "
            f"0.783 is a DRE19 validation score, not one on {dataset}; pass GOLD_STANDARD (your "
            "in-domain model's test top-1 on these images) to test it"))
        return None
    gold = float(own_gold)
    if not 0.0 <= gold <= 1.0:
        raise ValueError(f"GOLD_STANDARD is a LOO top-1 in [0, 1], got {own_gold!r}")
    hits = np.asarray(finetuned_hits, dtype=float)
    return report.record_scores(
        "finetuned_minus_gold_standard", hits - gold, items="test", score_bounds=(-gold, 1 - gold),
        weights=weights,
        note=f"gold standard {gold:.3f} given as a parameter (the user's in-domain model on "
             f"{dataset}'s test split), treated as a constant: only the fine-tuned model's "
             "item noise is in the interval")


def record_reported_baselines() -> float:
    """Record the two reports' own baselines (:data:`~helpers.studies.jacobsen2021.paper.
    REPORTED_BASELINES`): report 02's corrected ResNet50 and report 01's VGG16-Places365, each
    with a normal-approximation 95 % interval from its test-set size, and their difference's
    interval (unpaired: two data sets). No run of this notebook enters. Returns the difference."""
    from helpers import report
    from helpers.studies.jacobsen2021.paper import REPORTED_BASELINES

    (general, (p1, n1)), (domain, (p2, n2)) = REPORTED_BASELINES.items()
    method = "normal approximation from the report's test-set size (its items are not available)"

    def interval(p: float, se: float) -> dict[str, Any]:
        return {"low": float(p - 1.96 * se), "high": float(p + 1.96 * se), "method": method}

    se1, se2 = (float(np.sqrt(p * (1 - p) / n)) for p, n in ((p1, n1), (p2, n2)))
    report.record(domain, p2, interval=interval(p2, se2), n=n2, source="report 01, appendix A")
    report.record(general, p1, interval=interval(p1, se1), n=n1, source="report 02, table 2",
                  intervals={domain: interval(p1 - p2, float(np.hypot(se1, se2)))})
    return p1 - p2


def plot_dimension(rows: Sequence[Mapping[str, Any]], title: str = "") -> Any:
    """Top-1 against vector length, one line per reduction method, log-scaled x."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    full = next(r for r in rows if r["method"] == "none")
    ax.axhline(full["top1"], color="grey", ls="--", label=f"no reduction ({full['dim']}-d)")
    for method in dict.fromkeys(r["method"] for r in rows if r["method"] != "none"):
        pts = sorted((r["dim"], r["top1"]) for r in rows
                     if r["method"] == method and np.isfinite(r["top1"]))
        if pts:
            ax.plot(*zip(*pts, strict=True), marker="o", label=method)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("dimension")
    ax.set_ylabel("LOO top-1 (test)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def singleton_rates(counts: Mapping[str, int], batch_size: int, epochs: int,
                    seed: int) -> list[dict[str, Any]]:
    """Per sampler: batches per epoch, and in how many epochs some batch holds a class once."""
    from helpers.metric_learning import samplers

    labels = np.repeat(np.arange(len(counts)), list(counts.values()))
    rows = []
    for sampler in ("plain", "balanced"):
        hit, batches = 0, 0
        for epoch in range(epochs):
            drawn = (samplers.plain_batches(len(labels), batch_size, seed + epoch)
                     if sampler == "plain"
                     else samplers.balanced_batches(labels, batch_size, seed=seed + epoch))
            hit += samplers.singleton_batches(drawn, labels) > 0
            batches = len(drawn)
        rows.append({"sampler": sampler, "items": len(labels), "batch size": batch_size,
                     "batches per epoch": batches, "last batch": len(drawn[-1]),
                     "epochs with a singleton class": f"{hit} of {epochs}"})
    return rows


def gallery_queries(labels: np.ndarray, n: int, seed: int) -> list[int]:
    """``n`` test items to show, one per class in turn (seeded)."""
    rng = np.random.default_rng(seed)
    pools = [list(rng.permutation(np.flatnonzero(labels == c))) for c in np.unique(labels)]
    return [int(pools[i % len(pools)].pop()) for i in range(n)]


def intra_class_rows(class_names: Sequence[str], vectors: Mapping[str, np.ndarray],
                     labels: np.ndarray) -> list[dict[str, Any]]:
    """Table 10: mean cosine distance within each room, one column per model in ``vectors``.

    This comparison (untrained / fine-tuned / SupCon on one data set) is the course's own;
    the report's revised-set distances stand beside it as :data:`REVISED`, for scale only.
    A last row holds the means.
    """
    from helpers import retrieval

    dists = {name: retrieval.mean_intra_class_distance(v, labels) for name, v in vectors.items()}
    rows = [{"room": room, **{name: d.get(i, np.nan) for name, d in dists.items()},
             REVISED: PAPER["intra_class"].get(room), "paper": None}
            for i, room in enumerate(class_names)]
    paper = [r[REVISED] for r in rows if r[REVISED] is not None]
    rows.append({"room": "mean", **{n: float(np.nanmean([r[n] for r in rows])) for n in dists},
                 REVISED: float(np.mean(paper)) if paper else None, "paper": None})
    return rows


#: Table 10's column shown beside ours: the report compared data sets (revised vs original
#: DRE19, one model), not models, so it is context, not the paper's value for our comparison.
REVISED = "report: revised DRE19 (another comparison)"
