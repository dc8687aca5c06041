"""Training and scoring one ranker of report 05 on cached backbone features."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np

from helpers.ranking.candidates import CandidateBatches, CandidateSet
from helpers.ranking.losses import LOSSES, make_loss
from helpers.ranking.model import FUSIONS, build_ranker
from helpers.retrieval import candidates_topk_from_scores


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

    def row(self) -> dict[str, object]:
        """One flat row for a results table."""
        return {"model": self.spec.label, "backbones": len(self.spec.backbones),
                "fusion": self.spec.fusion if len(self.spec.backbones) > 1 else "-",
                "loss": self.spec.loss, "test_top1": self.top1, "test_top2": self.top2,
                "val_top2": self.best_val_top2, "best_epoch": self.best_epoch,
                "final_loss": self.history["loss"][-1], "head_params": self.head_params,
                "seconds": round(self.seconds, 1)}


class _KeepBest(keras.callbacks.Callback):
    """Remember the weights of the epoch with the best ``monitor`` (the report's checkpoint)."""

    def __init__(self, monitor: str = "val_top2"):
        super().__init__()
        self.monitor, self.best, self.best_epoch, self.weights = monitor, -np.inf, -1, None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and value > self.best:
            self.best, self.best_epoch = float(value), epoch + 1
            self.weights = self.model.get_weights()


def train_ranker(spec: RankerSpec, left: Mapping[str, np.ndarray],
                 right: Mapping[str, np.ndarray], train_pool: Sequence[int],
                 val: CandidateSet, test: CandidateSet, *, epochs: int, batch_size: int = 32,
                 learning_rate: float = 1e-3, hidden: Sequence[int] = (512,),
                 embed_dim: int = 256, dropout: float = 0.1, input_dropout: float = 0.0,
                 weight_decay: float = 0.0, train_candidates: int | None = None,
                 margin: float = 1.0, temperature: float = 0.1, seed: int = 0,
                 verbose: int = 0) -> RankerResult:
    """Train one ranker on cached features and score it on the fixed test candidates.

    ``left[name]`` / ``right[name]`` are backbone ``name``'s (P, d) features of all P pairs;
    ``train_pool`` the training pair indices (negatives are drawn among them, afresh each
    epoch, ``train_candidates`` per anchor, default as many as the test sets have); ``val`` and
    ``test`` fixed candidate sets inside their own splits. Adam as in the report (AdamW when
    ``weight_decay`` > 0); the weights of the best validation top-2 epoch are kept, as the
    report's ModelCheckpoint did.
    """
    missing = [b for b in spec.backbones if b not in left or b not in right]
    if missing:
        raise KeyError(f"no features for {missing}")
    # A fresh graph per model: no retracing warnings, no memory growth over a dozen models,
    # and the seed below then fixes this model's initial weights whatever ran before.
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    lv = [np.asarray(left[b], dtype="float32") for b in spec.backbones]
    rv = [np.asarray(right[b], dtype="float32") for b in spec.backbones]
    n = int(train_candidates or test.cands.shape[1])
    model = build_ranker([x.shape[1] for x in lv], fusion=spec.fusion, hidden=hidden,
                         embed_dim=embed_dim, dropout=dropout, input_dropout=input_dropout)
    optimizer = (keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay)
                 if weight_decay else keras.optimizers.Adam(learning_rate))
    model.compile(optimizer=optimizer,
                  loss=make_loss(spec.loss, margin=margin, temperature=temperature),
                  metrics=[keras.metrics.TopKCategoricalAccuracy(k=1, name="top1"),
                           keras.metrics.TopKCategoricalAccuracy(k=2, name="top2")])
    train = CandidateBatches(lv, rv, batch_size, pool=train_pool, n=n, seed=seed)
    val_batches = CandidateBatches(lv, rv, 256, candidates=val, n=val.cands.shape[1])
    keep = _KeepBest("val_top2")
    start = time.perf_counter()
    fit = model.fit(train, validation_data=val_batches, epochs=epochs, callbacks=[keep],
                    verbose=verbose)
    seconds = time.perf_counter() - start
    if keep.weights is not None:
        model.set_weights(keep.weights)
    scores = predict_scores(model, lv, rv, test)
    top = candidates_topk_from_scores(scores, test.true_pos)
    history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}
    return RankerResult(spec=spec, top1=top["top1"], top2=top["top2"],
                        best_val_top2=keep.best, best_epoch=keep.best_epoch, history=history,
                        head_params=int(model.count_params()), seconds=seconds,
                        test_scores=scores, model=model)
