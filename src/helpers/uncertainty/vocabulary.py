"""The verdict vocabulary: a claimed direction read against a 95 % interval.

A pure function over plain numbers and :class:`~helpers.uncertainty.Interval`, for the verdict
engine (:mod:`helpers.verdicts`) to call: the engine and the study claims modules decide *which* interval (of a value, or of a paired difference A - B) and which
threshold a claim is read against; :func:`judge` only says what that interval shows.

* **reproduced**: the interval lies wholly on the claimed side of the threshold;
* **contradicted**: it lies wholly on the opposite side (the opposite holds with the same
  confidence);
* **inconclusive**: it reaches both sides (it spans no difference);
* **not testable here**: chance alone already meets the rule, so meeting it shows nothing.

At the threshold itself: for ``>=`` / ``<=`` the threshold counts as the claimed side, for
``>`` / ``<`` as the opposite one (the opposite of "A > B" is "A <= B"). ``~`` ("about x")
claims the value lies within ``tolerance`` of the threshold.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from helpers.uncertainty.intervals import Interval

REPRODUCED = "reproduced"
CONTRADICTED = "contradicted"
INCONCLUSIVE = "inconclusive"
NOT_TESTABLE = "not testable here"
OUTCOMES = (REPRODUCED, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)
NO_INTERVAL = "no interval recorded"
DIRECTIONS = (">", ">=", "<", "<=", "~")
# "A >= x", ">=", "A ≥ B", "about": the operator is what counts.
_ALIASES = {"≥": ">=", "≤": "<=", "≈": "~", "~=": "~", "about": "~"}
_OPERATOR = re.compile(r"(>=|<=|~=|≥|≤|≈|>|<|~|\babout\b)")


@dataclass(frozen=True)
class Finding:
    """One of :data:`OUTCOMES` and the sentence that says why (shown beside it in a table).

    Not :class:`helpers.verdicts.Verdict` (a claim judged on a run, with its numbers): this is
    only what one interval shows against one rule.
    """

    outcome: str
    reason: str


def parse_direction(direction: str) -> str:
    """The operator of a claim's direction: ``"A > B"`` -> ``">"``, ``"A ≥ x"`` -> ``">="``."""
    found = _OPERATOR.findall(str(direction))
    if len(found) != 1:
        raise ValueError(f"direction {direction!r} must hold exactly one of {DIRECTIONS}")
    return _ALIASES.get(found[0], found[0])


def _side(direction: str, value: float, threshold: float, tolerance: float) -> int:
    """+1 if ``value`` meets the rule, -1 if it meets the opposite (the threshold's own side
    as the module docstring says)."""
    if direction == "~":
        return 1 if abs(value - threshold) <= tolerance else -1
    above = value > threshold if direction in (">", "<=") else value >= threshold
    meets = above if direction in (">", ">=") else not above
    return 1 if meets else -1


def meets_rule(direction: str, value: float, threshold: float = 0.0,
               tolerance: float = 0.0) -> bool:
    """Whether the plain number ``value`` satisfies the rule (used for chance levels)."""
    return _side(parse_direction(direction), float(value), float(threshold),
                 float(tolerance)) > 0


def _rule_text(direction: str, threshold: float, tolerance: float) -> str:
    if direction == "~":
        return f"within {tolerance:.3f} of {threshold:.3f}"
    return f"{direction} {threshold:.3f}"


def judge(direction: str, interval: Interval, threshold: float = 0.0, *,
          chance: float | None = None, tolerance: float = 0.0) -> Finding:
    """The verdict on a claim ``<value> <direction> <threshold>`` given the value's interval.

    ``interval``: of the value (``"A >= 0.817"``: threshold 0.817) or of a difference
    (``"A > B"``: the interval of A - B, threshold 0). ``chance``: what a random ranking or a
    trivial classifier scores on the same rule's value; if chance meets the rule the verdict
    is "not testable here", whatever the interval says. ``tolerance`` only for ``~``.
    """
    op = parse_direction(direction)
    threshold, tolerance = float(threshold), float(tolerance)
    if not all(math.isfinite(v) for v in (interval.low, interval.high, threshold, tolerance)):
        raise ValueError("the interval, threshold and tolerance must be finite numbers")
    if interval.low > interval.high:
        raise ValueError(f"interval low {interval.low} above high {interval.high}")
    if tolerance < 0 or (op == "~") != (tolerance > 0):
        raise ValueError("a tolerance > 0 goes with '~' (about) and only with it")
    rule = _rule_text(op, threshold, tolerance)
    shown = interval.describe()
    if chance is not None and meets_rule(op, chance, threshold, tolerance):
        return Finding(NOT_TESTABLE, f"chance ({float(chance):.3f}) already meets the rule "
                                     f"{rule}: meeting it here shows nothing")
    if op == "~":
        lo, hi = threshold - tolerance, threshold + tolerance
        if lo <= interval.low and interval.high <= hi:
            return Finding(REPRODUCED, f"{shown} lies {rule}")
        if interval.high < lo or interval.low > hi:
            return Finding(CONTRADICTED, f"{shown} lies outside {lo:.3f} .. {hi:.3f}")
        return Finding(INCONCLUSIVE, f"{shown} reaches outside {lo:.3f} .. {hi:.3f}")
    low_side = _side(op, interval.low, threshold, tolerance)
    high_side = _side(op, interval.high, threshold, tolerance)
    if low_side == high_side == 1:
        return Finding(REPRODUCED, f"{shown} lies wholly {rule}: the claimed direction holds")
    if low_side == high_side == -1:
        return Finding(CONTRADICTED, f"{shown} lies wholly on the other side of {rule}: "
                                     "the opposite holds")
    return Finding(INCONCLUSIVE, f"{shown} spans {threshold:.3f}: no difference shown "
                                 f"either way for {rule}")


def judge_recorded(direction: str, estimate: float, interval: Interval | None,
                   threshold: float = 0.0, *, chance: float | None = None,
                   tolerance: float = 0.0) -> tuple[Finding, bool]:
    """:func:`judge` on a recorded number that may lack its interval, and whether the point
    estimate meets the rule.

    Without an interval the finding is inconclusive (:data:`NO_INTERVAL`, saying which side
    the point estimate lies on), unless chance alone meets the rule: then not testable here,
    with or without an interval.
    """
    point = meets_rule(direction, estimate, threshold, tolerance)
    if interval is not None:
        return judge(direction, interval, threshold, chance=chance, tolerance=tolerance), point
    at_point = Interval(float(estimate), float(estimate), float(estimate), 1, "point estimate")
    found = judge(direction, at_point, threshold, chance=chance, tolerance=tolerance)
    if found.outcome == NOT_TESTABLE:
        return found, point
    side = "on the claimed side" if point else "on the other side"
    return Finding(INCONCLUSIVE, f"{NO_INTERVAL}: the point estimate lies {side}"), point
