"""The trainable part of report 05's Siamese ranker: fusion tower and cosine scorer.

The frozen backbones run once, offline (``helpers.features``); this model sees their vectors:
``left_<b>`` (B, d_b) and ``cands_<b>`` (B, C, d_b) for each backbone b, and returns (B, C)
cosine scores. One :class:`FusionTower` embeds the left image and all candidates (shared
weights: the Siamese part).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import ops

FUSIONS = ("concat", "average")



def _l2(x):
    return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True)), 1e-12)


@keras.saving.register_keras_serializable(package="lookalike")
class FusionTower(keras.layers.Layer):
    """Backbone feature vectors -> one unit-length embedding; shared by left and candidates.

    Each input is L2-normalised first (backbones differ wildly in feature scale, random-init
    ones most of all, and one would otherwise drown the other). When ``fusion="average"`` and
    the widths differ, each input is projected by its own linear layer to ``project_dim``
    (default: the smallest width) so that averaging is defined. Then concatenation or mean,
    ReLU dense layers with dropout, a linear layer to ``embed_dim`` and L2 normalisation.
    ``input_dropout`` drops feature components before fusion, a strong regulariser when only
    a thousand pairs train a head on 2,000-d vectors. Works
    on any leading shape, so (B, d) left vectors and (B, C, d) candidates share the weights.
    """

    def __init__(self, widths: Sequence[int], fusion: str = "concat",
                 hidden: Sequence[int] = (512,), embed_dim: int = 256, dropout: float = 0.1,
                 project_dim: int | None = None, input_dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {fusion!r}; choose one of {FUSIONS}")
        self.widths, self.fusion = [int(w) for w in widths], fusion
        self.hidden, self.embed_dim = [int(h) for h in hidden], int(embed_dim)
        self.dropout, self.project_dim = float(dropout), project_dim
        self.input_dropout = float(input_dropout)
        self.input_drop = keras.layers.Dropout(self.input_dropout)
        needs_projection = fusion == "average" and len(set(self.widths)) > 1
        width = project_dim or (min(self.widths) if needs_projection else None)
        self.projections = (
            [keras.layers.Dense(width, name=f"project_{i}") for i in range(len(self.widths))]
            if width else []
        )
        self.dense = [keras.layers.Dense(h, activation="relu", name=f"dense_{i}")
                      for i, h in enumerate(self.hidden)]
        self.drops = [keras.layers.Dropout(self.dropout) for _ in self.hidden]
        self.head = keras.layers.Dense(self.embed_dim, name="embed")

    def build(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        if [s[-1] for s in shapes] != self.widths:
            raise ValueError(f"inputs have widths {[s[-1] for s in shapes]}, expected {self.widths}")
        if self.projections:
            for layer, shape in zip(self.projections, shapes, strict=True):
                layer.build(shape)
            fused = self.projections[0].units
        else:
            fused = sum(self.widths) if self.fusion == "concat" else self.widths[0]
        if self.fusion == "concat" and self.projections:
            fused *= len(self.widths)
        for layer in self.dense:
            layer.build((None, fused))
            fused = layer.units
        self.head.build((None, fused))

    def call(self, inputs, training=None):
        xs = [self.input_drop(_l2(x), training=training) for x in inputs]
        if self.projections:
            xs = [p(x) for p, x in zip(self.projections, xs, strict=True)]
        if len(xs) == 1:
            h = xs[0]
        elif self.fusion == "concat":
            h = ops.concatenate(xs, axis=-1)
        else:
            h = ops.mean(ops.stack(xs, axis=0), axis=0)
        for dense, drop in zip(self.dense, self.drops, strict=True):
            h = drop(dense(h), training=training)
        return _l2(self.head(h))

    def get_config(self) -> dict:
        return {**super().get_config(), "widths": self.widths, "fusion": self.fusion,
                "hidden": self.hidden, "embed_dim": self.embed_dim, "dropout": self.dropout,
                "project_dim": self.project_dim, "input_dropout": self.input_dropout}


@keras.saving.register_keras_serializable(package="lookalike")
class CandidateCosine(keras.layers.Layer):
    """(B, D) left and (B, C, D) candidate unit embeddings -> (B, C) cosine scores."""

    def call(self, left, cands):
        return ops.einsum("bd,bcd->bc", left, cands)


def build_ranker(widths: Sequence[int], n_candidates: int | None = None, fusion: str = "concat",
                 hidden: Sequence[int] = (512,), embed_dim: int = 256, dropout: float = 0.1,
                 input_dropout: float = 0.0, name: str = "ranker") -> keras.Model:
    """The trainable Siamese ranker; inputs ``left_<b>`` (B, d_b) and ``cands_<b>`` (B, C, d_b).

    One input pair per backbone b (in the order of ``widths``); output (B, C) cosine scores.
    ``n_candidates=None`` accepts any C, so training may use more candidates than the
    report's 20 and evaluation still uses 20.
    """
    left = {f"left_{b}": keras.Input((w,), name=f"left_{b}") for b, w in enumerate(widths)}
    cands = {f"cands_{b}": keras.Input((n_candidates, w), name=f"cands_{b}")
             for b, w in enumerate(widths)}
    tower = FusionTower(widths, fusion=fusion, hidden=hidden, embed_dim=embed_dim,
                        dropout=dropout, input_dropout=input_dropout, name="tower")
    scores = CandidateCosine(name="cosine")(tower(list(left.values())),
                                            tower(list(cands.values())))
    return keras.Model({**left, **cands}, scores, name=name)
