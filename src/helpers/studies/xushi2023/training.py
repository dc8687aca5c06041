"""Training and scoring one ranker of report 05 on cached backbone features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np

from helpers import training
from helpers.retrieval import candidates_topk_from_scores
from helpers.studies.xushi2023.candidates import CandidateBatches, CandidateSet
from helpers.studies.xushi2023.losses import LOSSES, make_loss
from helpers.studies.xushi2023.model import FUSIONS, build_ranker
from helpers.training import Recipe


def predict_scores(model: keras.Model, left: Sequence[np.ndarray], right: Sequence[np.ndarray],
                   candidates: CandidateSet, batch_size: int = 256) -> np.ndarray:
    """(N, C) scores of a trained ranker for fixed candidate sets."""
    batches = CandidateBatches(left, right, batch_size, candidates=candidates,
                               n=candidates.cands.shape[1])
    return np.asarray(model.predict(batches, verbose=0), dtype="float32")


@dataclass(frozen=True)
class RankerSpec:
    """One model of the report: which backbones, how they are fused, which loss."""

    backbones: tuple[str, ...]
    fusion: str = "concat"
    loss: str = "hinge"

    def __post_init__(self) -> None:
        if not 1 <= len(self.backbones) <= 4:
            raise ValueError("a ranker fuses one to four backbones")
        if self.fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {self.fusion!r}; choose one of {FUSIONS}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {LOSSES}")

    @property
    def label(self) -> str:
        """``mobilenetv2`` or ``mobilenetv2+mobilenet (concat)``, plus ``, infonce`` if so."""
        text = "+".join(self.backbones)
        if len(self.backbones) > 1:
            text += f" ({self.fusion})"
        return text + ("" if self.loss == "hinge" else f", {self.loss}")


@dataclass
class RankerResult:
    """Test scores and training record of one trained ranker."""

    spec: RankerSpec
    top1: float
    top2: float
    best_val_top2: float
    best_epoch: int
    history: dict[str, list[float]]
    head_params: int
    seconds: float
    test_scores: np.ndarray = field(repr=False)
    model: keras.Model = field(repr=False)
    #: (N_val, C) scores of the kept (best validation) weights on the validation candidates.
    val_scores: np.ndarray | None = field(default=None, repr=False)
    seed: int = 0

    def row(self) -> dict[str, object]:
        """One flat row for a results table."""
        return {"model": self.spec.label, "backbones": len(self.spec.backbones),
                "fusion": self.spec.fusion if len(self.spec.backbones) > 1 else "-",
                "loss": self.spec.loss, "test_top1": self.top1, "test_top2": self.top2,
                "val_top2": self.best_val_top2, "best_epoch": self.best_epoch,
                "final_loss": self.history["loss"][-1], "head_params": self.head_params,
                "seconds": round(self.seconds, 1)}


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


@dataclass(frozen=True)
class RankerOptions:
    """The head and the loss of a ranker (shared by every spec of an experiment).

    ``train_candidates`` per anchor while training (default: as many as the test sets have);
    ``margin`` is the hinge's, ``temperature`` InfoNCE's.
    """

    hidden: tuple[int, ...] = (512,)
    embed_dim: int = 256
    dropout: float = 0.1
    input_dropout: float = 0.0
    train_candidates: int | None = None
    margin: float = 1.0
    temperature: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))


def ranker_recipe(epochs: int, batch_size: int = 32, learning_rate: float = 1e-3,
                  weight_decay: float = 0.0, seed: int = 0) -> Recipe:
    """The report's training: Adam (AdamW when ``weight_decay`` > 0), every epoch run, the
    weights of the best validation top-2 epoch kept, as the report's ModelCheckpoint did."""
    return Recipe(optimizer="adamw" if weight_decay else "adam", learning_rate=learning_rate,
                  epochs=epochs, batch_size=batch_size, weight_decay=weight_decay,
                  monitor="val_top2", mode="max", patience=0, keep_best=True, seed=seed)


def train_ranker(spec: RankerSpec, data: RankerData, recipe: Recipe,
                 options: RankerOptions = RankerOptions(), verbose: int = 0) -> RankerResult:
    """Train one ranker on cached features and score it on the fixed test candidates.

    ``recipe`` as :func:`ranker_recipe` makes it (its monitor must be a logged metric,
    ``val_top1`` or ``val_top2``); the weights of its best epoch are the ones scored.
    """
    missing = [b for b in spec.backbones if b not in data.left or b not in data.right]
    if missing:
        raise KeyError(f"no features for {missing}")
    # A fresh graph per model: no retracing warnings, no memory growth over a dozen models,
    # and the seed fit sets then fixes this model's initial weights whatever ran before.
    keras.backend.clear_session()
    lv = [np.asarray(data.left[b], dtype="float32") for b in spec.backbones]
    rv = [np.asarray(data.right[b], dtype="float32") for b in spec.backbones]
    test = data.test
    n = int(options.train_candidates or test.cands.shape[1])
    train = CandidateBatches(lv, rv, recipe.batch_size, pool=data.train_pool, n=n,
                             seed=recipe.seed)
    val_batches = CandidateBatches(lv, rv, 256, candidates=data.val, n=data.val.cands.shape[1])
    run = training.fit(
        lambda: build_ranker([x.shape[1] for x in lv], fusion=spec.fusion,
                             hidden=options.hidden, embed_dim=options.embed_dim,
                             dropout=options.dropout, input_dropout=options.input_dropout),
        train, val_batches, recipe,
        loss=make_loss(spec.loss, margin=options.margin, temperature=options.temperature),
        metrics=[keras.metrics.TopKCategoricalAccuracy(k=1, name="top1"),
                 keras.metrics.TopKCategoricalAccuracy(k=2, name="top2")], verbose=verbose)
    model = run.model
    scores = predict_scores(model, lv, rv, test)
    val_scores = predict_scores(model, lv, rv, data.val)
    top = candidates_topk_from_scores(scores, test.true_pos)
    return RankerResult(spec=spec, top1=top["top1"], top2=top["top2"],
                        best_val_top2=-np.inf if run.best is None else run.best,
                        best_epoch=run.best_epoch, history=run.history,
                        head_params=int(model.count_params()), seconds=run.seconds,
                        test_scores=scores, model=model, val_scores=val_scores,
                        seed=int(recipe.seed))
