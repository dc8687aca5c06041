"""Report 05's model: a Siamese ranker over 20 candidates on fused, frozen backbone features.

Xu & Shi (2023) show each left image of Totally Looks Like with 20 right images (its true
pair and 19 random others) and ask a network to rank the true one first. Their network runs
one or two ImageNet backbones over all 21 images, flattens their feature maps, fuses the two
feature vectors by concatenation or averaging, passes the result through dense layers and
scores each candidate by cosine similarity with the left image. The report does not say
whether the backbones were fine-tuned; here they are frozen (our choice), so everything
trainable sees only feature vectors and this package trains on cached features
(``helpers.features``: globally pooled, and a 2 x 2 grid of the map that keeps its spatial
layout) instead of images: minutes instead of hours on a CPU.

Modules, in the order a notebook meets them:

* :mod:`~helpers.studies.xushi2023.candidates`: :class:`CandidateSet` (fixed, seeded evaluation sets),
  :func:`draw_candidates`, :func:`zero_shot_scores` (the untrained cosine baseline) and
  :class:`CandidateBatches` (training batches with fresh random negatives every epoch);
* :mod:`~helpers.studies.xushi2023.losses`: :class:`RankingHinge`, the report's
  ``mean(max(0, max(S_neg) - S_pos + m))`` (the report calls it "contrastive"), and
  :class:`InfoNCE`, softmax cross-entropy over the candidates;
* :mod:`~helpers.studies.xushi2023.model`: :class:`FusionTower` and :func:`build_ranker`;
* :mod:`~helpers.studies.xushi2023.training`: :class:`RankerSpec`, :class:`RankerData`, :class:`RankerOptions`,
  :func:`ranker_recipe`, :func:`train_ranker` (``training.fit``, keep the best validation top-2 weights as the report's checkpoint did, score the test set);
* :mod:`~helpers.studies.xushi2023.runs`: :class:`~helpers.studies.xushi2023.runs.RankerRuns`
  (a model over several seeds, its per-item hits), ``ranker_sweep`` (a :class:`~helpers.sweep.Sweep`
  of rankers), ``choose_head`` (on validation);
* :mod:`~helpers.studies.xushi2023.recording`: what the claims need, recorded with per-item hits
  and chance, and the rows not testable here with their reason;
* :mod:`~helpers.studies.xushi2023.tables`: figures 3-6 as tables, each ending in chance;
* :mod:`~helpers.studies.xushi2023.experiment`: the notebook's glue: features of both sides of a
  :class:`~helpers.datasets.pairs.PairSet`, splits as global indices, model lists, galleries.

Everything trainable uses ``keras.ops`` only, so it runs on the TensorFlow, JAX or torch
backend.
"""

from __future__ import annotations

from helpers.studies import lazy_exports

# What the package re-exports, and from which step (imported on first use: lazy_exports).
_EXPORTS = {
    "N_CANDIDATES": "candidates",
    "CandidateBatches": "candidates",
    "CandidateSet": "candidates",
    "draw_candidates": "candidates",
    "zero_shot_scores": "candidates",
    "LOSSES": "losses",
    "InfoNCE": "losses",
    "RankingHinge": "losses",
    "info_nce": "losses",
    "make_loss": "losses",
    "ranking_hinge": "losses",
    "FUSIONS": "model",
    "CandidateCosine": "model",
    "FusionTower": "model",
    "build_ranker": "model",
    "RankerData": "training",
    "RankerOptions": "training",
    "RankerResult": "training",
    "RankerSpec": "training",
    "predict_scores": "training",
    "ranker_recipe": "training",
    "train_ranker": "training",
}
__all__ = list(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
