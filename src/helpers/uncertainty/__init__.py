"""The statistics the verdicts rest on: intervals, chance levels and the verdict vocabulary.

>>> from helpers import uncertainty
>>> hits = uncertainty.random_ranking_hits(labels, ks=(5,), seed=0)["top5"]   # measured chance
>>> uncertainty.labels_topk_chance(labels, ks=(5,))                          # exact chance
>>> diff = uncertainty.paired_difference(hits_a, hits_b, seed=0)             # A - B, same items
>>> uncertainty.judge("A > B", diff).outcome                                 # 'reproduced', ...

NumPy and SciPy only (no TensorFlow), pure functions over plain arrays, so the verdict engine
and the tests can call them without a model. :mod:`.intervals` (bootstrap over items, paired,
over seeds), :mod:`.chance` (analytic and measured chance), :mod:`.vocabulary` (:func:`judge`, the verdict words).
"""

from helpers.uncertainty.chance import (
    ChanceLevel,
    candidates_chance,
    classification_chance,
    classification_chance_levels,
    labels_topk_chance,
    majority_class_hits,
    random_candidates_hits,
    random_guess_hits,
    random_ranking_hits,
    retrieval_chance_levels,
    topk_chance,
)
from helpers.uncertainty.intervals import (
    CONFIDENCE,
    Interval,
    constant_interval,
    item_interval,
    paired_difference,
    recorded_interval,
    seed_interval,
    seeds_and_items_interval,
    unpaired_difference,
)
from helpers.uncertainty.vocabulary import (
    CONTRADICTED,
    INCONCLUSIVE,
    NO_INTERVAL,
    NOT_TESTABLE,
    OUTCOMES,
    REPRODUCED,
    Finding,
    judge,
    judge_recorded,
    meets_rule,
    parse_direction,
)

__all__ = [
    "CONFIDENCE", "CONTRADICTED", "INCONCLUSIVE", "NO_INTERVAL", "NOT_TESTABLE", "OUTCOMES",
    "REPRODUCED", "judge_recorded", "recorded_interval",
    "candidates_chance", "ChanceLevel", "classification_chance",
    "classification_chance_levels", "constant_interval", "Finding", "Interval",
    "item_interval", "judge", "labels_topk_chance", "majority_class_hits", "meets_rule",
    "paired_difference", "parse_direction", "random_candidates_hits", "random_guess_hits",
    "random_ranking_hits", "retrieval_chance_levels", "seed_interval",
    "seeds_and_items_interval", "topk_chance", "unpaired_difference",
]
