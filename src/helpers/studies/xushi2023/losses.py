"""Losses over candidate scores: the report's ranking hinge and the softmax (InfoNCE) loss.

Both take ``y_true`` one-hot (B, C) marking the true candidate and ``y_pred`` cosine scores
(B, C) in [-1, 1]. The report rescales the scores to [0, 1] before its hinge with margin 1.0
(``RankingHinge(scale01=True)``, the default). That hinge reaches zero only when the true
candidate scores exactly 1 and every other exactly 0, so it never switches off and its value
stays near 1.0: the report's figure 5, where every model's loss "hovers around 1.0".
"""

from __future__ import annotations

import keras
from keras import ops

LOSSES = ("hinge", "infonce")



def ranking_hinge(y_true, y_pred, margin: float = 1.0, scale01: bool = True):
    """Per-example ``max(0, max(S_neg) - S_pos + margin)``; y_true marks the true candidate.

    ``y_pred`` holds cosine scores (B, C). With ``scale01`` they are first mapped to [0, 1] as
    in the report ("normalized and converted to fall within the range of [0, 1]").
    """
    y_true = ops.cast(y_true, y_pred.dtype)
    scores = (y_pred + 1.0) / 2.0 if scale01 else y_pred
    positive = ops.sum(y_true * scores, axis=-1)
    # Mask the true candidate with a value below any score before taking the hardest negative.
    negatives = ops.where(y_true > 0.5, ops.full_like(scores, -1e4), scores)
    hardest = ops.max(negatives, axis=-1)
    return ops.maximum(hardest - positive + margin, 0.0)


def info_nce(y_true, y_pred, temperature: float = 0.1):
    """Per-example softmax cross-entropy over the C candidates with logits ``cosine / T``."""
    y_true = ops.cast(y_true, y_pred.dtype)
    return keras.losses.categorical_crossentropy(y_true, y_pred / temperature, from_logits=True)


@keras.saving.register_keras_serializable(package="lookalike")
class RankingHinge(keras.losses.Loss):
    """The report's loss, averaged over the batch (see :func:`ranking_hinge`)."""

    def __init__(self, margin: float = 1.0, scale01: bool = True, name: str = "ranking_hinge",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.margin, self.scale01 = float(margin), bool(scale01)

    def call(self, y_true, y_pred):
        return ranking_hinge(y_true, y_pred, self.margin, self.scale01)

    def get_config(self) -> dict:
        return {**super().get_config(), "margin": self.margin, "scale01": self.scale01}


@keras.saving.register_keras_serializable(package="lookalike")
class InfoNCE(keras.losses.Loss):
    """Softmax (InfoNCE) loss over the candidates, averaged over the batch."""

    def __init__(self, temperature: float = 0.1, name: str = "info_nce", **kwargs):
        super().__init__(name=name, **kwargs)
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        self.temperature = float(temperature)

    def call(self, y_true, y_pred):
        return info_nce(y_true, y_pred, self.temperature)

    def get_config(self) -> dict:
        return {**super().get_config(), "temperature": self.temperature}


def make_loss(name: str, margin: float = 1.0, temperature: float = 0.1) -> keras.losses.Loss:
    """``"hinge"`` (the report's, on [0, 1] scores) or ``"infonce"``."""
    if name == "hinge":
        return RankingHinge(margin=margin)
    if name == "infonce":
        return InfoNCE(temperature=temperature)
    raise ValueError(f"unknown loss {name!r}; choose one of {LOSSES}")
