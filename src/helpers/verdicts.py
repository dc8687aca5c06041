"""The one verdict engine: a report's claim, declared as data, judged on a run's recorded metrics.

Each study declares its claims in ``helpers.studies.<study>.claims`` (:class:`Claim` rows: the
claim as the report states it and where, the metric keys that notebook records with
``report.record``, the rule, its chance level, and what differs in our method) and its paper
numbers in ``helpers.studies.<study>.paper``. :func:`judge` applies a claim's rule to one
notebook's metrics (the dict ``report.finish`` saves) and returns a :class:`Verdict`; a
notebook's closing section (:func:`helpers.results.notebook_table`) and RESULTS.md show
the same rows, so the two can never disagree.

Rules (``Claim.kind``), each read as a direction against a threshold:

- ``"at_least"``: value >= paper - ``tolerance``;
- ``"about"``: value within ``tolerance`` of paper, either side ("hovers around 1.0");
- ``"beats"`` / ``"below"``: value - baseline > ``tolerance`` / < -``tolerance`` for each
  (metric, baseline) pair (one against several, several against one, or pairwise; "4 of 4"
  needs all four);
- ``"finite"``: a finite number was recorded; ``"true"`` / ``"false"``: a yes/no finding.

The words are :func:`helpers.uncertainty.judge`'s, the one place that decides them:
reproduced / contradicted / inconclusive / not testable here. A number's 95 % interval is
read from its record: ``"interval"`` (of the value, for ``at_least``) or ``"intervals":
{baseline: ...}`` (of the difference to that baseline, for ``beats`` / ``below``). A number
without one is **inconclusive (no interval recorded)** (:func:`helpers.uncertainty.
judge_recorded`): every number a verdict rests on must carry an interval, a difference
inside the noise is inconclusive, and a point estimate alone cannot say whether it is. The
row still shows the point comparison (:attr:`Verdict.point_holds`).

Yes/no findings (``true`` / ``false`` / ``finite``) with ``exact=True`` are events of the run
(an unguarded loss went NaN, a loss is finite), observed, not estimated from a sample of
items: they are judged as observed, and the row says so ("one run"). A yes/no that summarises
a comparison of noisy numbers ("Places preprocessing is best") is declared ``exact=False``
and is inconclusive until the comparison behind it carries intervals.

A claim's ``chance`` is what a random ranking or the majority class scores on the same items
(computed from the data's shape with :mod:`helpers.uncertainty`). It is read with the same
rule as the claimed-better number: for ``at_least`` and ``beats`` the metric, for ``below``
the baseline. A rule that chance alone passes is "not testable here", whatever the interval.

Controls decide whether a rule can be tested on this data at all (issue 29, item 7):

- the **negative control** is what chance or a trivial baseline scores under the same rule:
  ``chance``, and/or ``negative_control`` (a recorded metric, such as random scores on the same
  rows, read in the claimed-better place exactly as chance is), and/or ``not_testable_if`` (a
  recorded yes/no check of the stand-in). A rule its negative control meets is "not testable
  here". A judged number with no chance level or trivial baseline says why in ``no_control``;
- a rule that holds **by construction** (``by_construction``: the declared reason) is "not
  testable here": meeting it shows nothing about the data;
- a **positive control** (``positive_controls``: recorded metrics, each read against its
  chance) is the evidence that each method compared on a stand-in can work on it at all: its
  95 % interval must lie wholly above chance (a yes/no control must be yes). When one fails,
  the comparison is "not testable here" with that reason.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers import uncertainty
from helpers.uncertainty import (
    CONTRADICTED,
    INCONCLUSIVE,
    NO_INTERVAL,
    NOT_TESTABLE,
    REPRODUCED,
    Interval,
)
from helpers.uncertainty.intervals import recorded_interval

VERDICTS = uncertainty.OUTCOMES
KINDS = ("at_least", "about", "beats", "below", "finite", "true", "false")
COMPARED = ("beats", "below")
YES_NO = ("finite", "true", "false")

#: Notebook -> study package under ``helpers.studies`` (its ``claims`` and ``paper`` modules).
STUDIES = {
    "01_ingwersen_autoencoders": "ingwersen2020",
    "02_jacobsen_finetuning_supcon": "jacobsen2021",
    "03_swedish_attribute_classifiers": "rahlen2019",
    "04_query_gallery_challenge": "fetz2021",
    "05_totally_looks_like": "xushi2023",
}


@dataclass(frozen=True)
class Claim:
    """One headline claim of a report and the rule, fixed from the report's text, that judges it.

    ``statement`` is the claim as the report states it; ``source`` where (section, table,
    page). ``metric`` and ``baseline`` are recorded metric names (a name or a tuple of names).
    ``caveat`` says what differs in our method (backbone, data, split). ``uses`` names the
    backbones a number depends on when its own record does not say which weights it came from:
    any of them at random init makes the claim untestable. ``chance``: the score chance alone
    reaches on the same items, one number or ``{metric name: chance}``. ``beyond_report``: a
    finding of the course, not the report's (rendered apart, never counted). ``exact``: see the
    module docstring (yes/no findings only). ``not_testable_if``: a recorded yes/no metric (a
    check of the stand-in data, e.g. "a trivial baseline already meets the rule"); when it was
    recorded True the claim is "not testable here", with that record's note as the reason.
    ``incomparable``: why an absolute number cannot be set against the report's (other data,
    other models): the row shows both numbers and is "not testable here" for that reason; the
    report's relative claims are judged in their own rows.

    Controls (module docstring): ``negative_control``, ``no_control``, ``positive_controls``
    and ``by_construction``. ``card``: the keys of the study's method card
    (``helpers.studies.<study>.method.CARD``) whose settings this claim's numbers depend on;
    the rows print those that differ from the report (a test checks every key exists).
    """

    statement: str
    metric: str | tuple[str, ...]
    kind: str = "at_least"
    baseline: str | tuple[str, ...] | None = None
    tolerance: float = 0.0
    needs_pretrained: bool = True
    uses: tuple[str, ...] = ()
    caveat: str = ""
    source: str = ""
    chance: float | Mapping[str, float] | None = None
    beyond_report: bool = False
    exact: bool = True
    not_testable_if: str | None = None
    incomparable: str = ""
    card: tuple[str, ...] = ()
    negative_control: str | None = None
    no_control: str = ""
    positive_controls: tuple[str, ...] = ()
    by_construction: str = ""

    def __post_init__(self) -> None:
        if self.kind == "about" and self.tolerance <= 0:
            raise ValueError("an 'about' claim needs a tolerance > 0 (how far 'about' reaches)")
        if self.incomparable and self.kind not in ("at_least", "about"):
            raise ValueError("incomparable is for absolute numbers (at_least, about)")
        if self.kind not in KINDS:
            raise ValueError(f"unknown claim kind {self.kind!r}; one of {KINDS}")
        if (self.baseline is None) == (self.kind in COMPARED):
            raise ValueError(f"a {self.kind!r} claim {'needs' if self.kind in COMPARED else 'takes no'}"
                             " baseline")
        if not self.exact and self.kind not in YES_NO:
            raise ValueError("exact=False is for yes/no findings; a number carries its interval")
        if isinstance(self.card, str) or isinstance(self.positive_controls, str):
            raise TypeError("card and positive_controls are tuples of names, not one string")
        if self.negative_control is not None and self.kind in YES_NO:
            raise ValueError("a negative control is read by a number's rule, not a yes/no")

    @property
    def negative_controls(self) -> tuple[str, ...]:
        """What the claim names as its negative control, in words (empty when none)."""
        named = [f"chance {fmt(c)}" for c in dict.fromkeys(
            self.chance_for(n) for n in self.metrics + self.baselines) if c is not None]
        named += [f"recorded {self.negative_control}"] if self.negative_control else []
        named += [f"check {self.not_testable_if}"] if self.not_testable_if else []
        return tuple(named)

    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.metric,) if isinstance(self.metric, str) else tuple(self.metric)

    @property
    def baselines(self) -> tuple[str, ...]:
        if self.baseline is None:
            return ()
        return (self.baseline,) if isinstance(self.baseline, str) else tuple(self.baseline)

    def chance_for(self, name: str) -> float | None:
        """The chance level of one of the claim's metrics or baselines, where declared."""
        if isinstance(self.chance, Mapping):
            return self.chance.get(name)
        return None if self.chance is None else float(self.chance)

    def pairs(self) -> list[tuple[str, str]]:
        """(metric, baseline) pairs the rule compares: one against many, many against one, or
        pairwise."""
        ms, bs = self.metrics, self.baselines
        if len(ms) == 1 or len(bs) == 1:
            return [(m, b) for m in ms for b in bs]
        if len(ms) != len(bs):
            raise ValueError(f"{self.statement!r}: {len(ms)} metrics against {len(bs)} baselines")
        return list(zip(ms, bs, strict=True))


@dataclass(frozen=True)
class Comparison:
    """One number the verdict rests on, against what it was compared with."""

    metric: str
    value: float | None
    against: str  # a baseline metric's name, or "paper"
    reference: float | None
    interval: Interval | None = None  # of the value (paper) or of the difference

    @property
    def difference(self) -> float | None:
        if self.value is None or self.reference is None:
            return None
        return self.value - self.reference


@dataclass(frozen=True)
class Verdict:
    """A claim judged on one run: the verdict word, why, and the numbers used.

    ``point_holds``: whether the point estimates lie on the claimed side (None where no
    number was compared), shown beside an inconclusive word rather than instead of it.
    ``reason``: why a claim is not testable here, in plain words (no metric names), for the
    one-line summaries; empty for the other words, whose reason is their interval.
    """

    claim: Claim
    paper: Any
    here: Any
    baseline_here: Any
    verdict: str
    why: str
    comparisons: tuple[Comparison, ...] = field(default=())
    point_holds: bool | None = None
    reason: str = ""

    @property
    def holds(self) -> bool | None:
        """True / False for a verdict either way, None when inconclusive or not testable."""
        return {REPRODUCED: True, CONTRADICTED: False}.get(self.verdict)


def number(value: Any) -> float | None:
    """A finite float, or None (None, bools, text, NaN and inf are not numbers here)."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _entry(metrics: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return metrics.get("metrics", {}).get(name)


def trusted(metrics: Mapping[str, Any], entry: Mapping[str, Any],
            uses: Sequence[str] = (), check_weights: bool = True) -> tuple[bool, str]:
    """Whether a number may judge a claim: real data, not the smoke profile, and (where needed)
    pretrained weights. The number's own weights record decides; without one, the run's
    weights for the backbones in ``uses`` do."""
    data = entry.get("data") or metrics.get("data") or {}
    if isinstance(data, Mapping) and (str(data.get("origin", "")).lower() == "synthetic"
                                      or data.get("synthetic") is True):
        return False, "synthetic stand-in data"
    if metrics.get("profile") == "smoke":
        return False, "smoke profile"
    if not check_weights:
        return True, ""
    weights = entry.get("weights") or {}
    described = weights.get("by_backbone", {"": weights}) if isinstance(weights, Mapping) else {}
    if not weights and uses:
        run_weights = metrics.get("weights") or {}
        by_backbone = run_weights.get("by_backbone", {}) if isinstance(run_weights, Mapping) else {}
        missing = [name for name in uses if name not in by_backbone]
        if missing:
            return False, f"no weights recorded for {', '.join(missing)}"
        described = {name: by_backbone[name] for name in uses}
    random_init = [name for name, w in described.items()
                   if isinstance(w, Mapping) and w.get("pretrained") is False]
    if random_init:
        return False, f"random-init weights {', '.join(filter(None, random_init))}".strip()
    return True, ""


def _unrecorded_why(entry: Mapping[str, Any], default: str) -> str:
    """Why a metric has no value, in the notebook's own words where it left a note."""
    note = str(entry.get("note") or "").split(". ")[0].rstrip(".")
    # The verdict column already says "not testable here": the note is the reason itself.
    for said in ("not testable here: ", "not testable here; "):
        note = note[len(said):] if note.lower().startswith(said) else note
    return note or default


def recorded(entry: Mapping[str, Any], key: str) -> Any:
    """A record's ``interval`` / ``intervals``: its own field, or its context's
    (``report.record(name, value, interval=...)`` keeps extra keywords there)."""
    return entry.get(key) if entry.get(key) is not None else (entry.get("context") or {}).get(key)


def scores_difference(entry: Mapping[str, Any], base: Mapping[str, Any]) -> Interval | None:
    """The interval of ``entry - base`` from their per-item scores (``report.record(...,
    scores=...)``), paired item by item, seeds and items together; None unless both hold
    scores of the same items (the same count, and the same ``items`` label where given)."""
    a, b = entry.get("scores"), base.get("scores")
    if a is None or b is None:
        return None
    a2, b2 = np.atleast_2d(np.asarray(a, dtype=float)), np.atleast_2d(np.asarray(b, dtype=float))
    same_label = recorded(entry, "items") == recorded(base, "items")
    if a2.shape[1] != b2.shape[1] or not same_label:
        return None
    # Both scores' range (0/1 hits: [0, 1]) bounds what items could differ by, so two models
    # tied on every one of 14 items get the exact binomial bound, not a zero-width interval.
    ranges = {_score_bounds(entry, a2), _score_bounds(base, b2)}
    bounds = ranges.pop() if len(ranges) == 1 else None
    return uncertainty.seeds_and_items_interval(a2, b2, bounds=bounds)


def _score_bounds(entry: Mapping[str, Any], scores: np.ndarray) -> tuple[float, float] | None:
    """The range a record's scores could take: as recorded, or, in records saved before the
    range was (``report.record_scores`` defaults to [0, 1]), [0, 1] when every score lies in it."""
    if "score_bounds" in entry:
        return tuple(entry["score_bounds"]) if entry["score_bounds"] else None
    return (0.0, 1.0) if scores.min() >= 0 and scores.max() <= 1 else None


# Which word a claim on several numbers gets: any contradiction decides; then any doubt; a
# number chance alone passes leaves the rest unproven (never "reproduced").
_PRECEDENCE = (CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE, REPRODUCED)


def _combined(words: Sequence[str]) -> str:
    return next(w for w in _PRECEDENCE if w in words) if words else REPRODUCED


def judge(claim: Claim, metrics: Mapping[str, Any]) -> Verdict:
    """Apply a claim's rule to one notebook's recorded metrics (``report.finish``'s dict)."""
    first = claim.metrics[0]
    entry = _entry(metrics, first)
    base_name = claim.baselines[0] if claim.baselines else None
    base = _entry(metrics, base_name) if base_name else None
    paper = entry.get("paper") if entry else None
    here = entry.get("value") if entry else None
    base_here = base.get("value") if base else None

    def verdict(word: str, why: str, comparisons: Sequence[Comparison] = (),
                point: bool | None = None, reason: str = "") -> Verdict:
        if word == NOT_TESTABLE and not reason:
            reason = why
        return Verdict(claim, paper, here, base_here, word, why, tuple(comparisons), point,
                       reason)

    if claim.by_construction:
        return verdict(NOT_TESTABLE, f"holds by construction: {claim.by_construction}")
    # A recorded check of the stand-in decides first: where it says the rule cannot be tested
    # here, the numbers are often not measured at all, and the check's note says why.
    check = _entry(metrics, claim.not_testable_if) if claim.not_testable_if else None
    if check is not None and check.get("value") is True:
        return verdict(NOT_TESTABLE, str(check.get("note") or claim.not_testable_if),
                       reason=_unrecorded_why(check, "a trivial baseline already meets the rule"))
    names = list(dict.fromkeys(claim.metrics + claim.baselines))
    entries = {name: _entry(metrics, name) for name in names}
    missing = [name for name, e in entries.items() if e is None]
    if missing:
        return verdict(NOT_TESTABLE, f"{', '.join(missing)} not recorded",
                       reason="this run recorded no number for it")
    for e in entries.values():
        ok, why = trusted(metrics, e, claim.uses, check_weights=claim.needs_pretrained)
        if not ok:
            return verdict(NOT_TESTABLE, why)
    if claim.incomparable:
        return verdict(NOT_TESTABLE, f"absolute number, not comparable: {claim.incomparable}",
                       reason="an absolute number on other data or models than the report's: "
                              "shown, not judged")
    failed = _failed_positive_control(claim, metrics)
    if failed:
        return verdict(NOT_TESTABLE, failed[0], reason=failed[1])
    met = _negative_control_met(claim, metrics, entries)
    if met:
        return verdict(NOT_TESTABLE, met[0], reason=met[1])
    if claim.kind in COMPARED:
        return _judge_compared(claim, entries, verdict)
    words, whys, comparisons, points = [], [], [], []
    for name in claim.metrics:
        word, why, comparison, point = _judge_one(claim, name, entries[name])
        comparisons += [comparison] if comparison is not None else []
        words.append(word)
        whys.append(why)
        points.append(point)
        if word == NOT_TESTABLE and point is None:
            return verdict(word, why, comparisons)
    held = None if None in points else all(points)
    word = _combined(words)
    # A number chance alone meets: the finding's words after the numbers say so.
    reason = "; ".join(dict.fromkeys(w.split("; ", 1)[-1] for w, found in zip(whys, words,
                                                                           strict=True)
                                     if found == NOT_TESTABLE)) if word == NOT_TESTABLE else ""
    return verdict(word, "; ".join(whys), comparisons, held, reason=reason)


def _failed_positive_control(claim: Claim, metrics: Mapping[str, Any]) -> tuple[str, str] | None:
    """(why, plain reason) when a positive control is missing or does not beat its chance:
    a method compared on the stand-in shows no sign of working on it at all."""
    for name in claim.positive_controls:
        entry = _entry(metrics, name)
        if entry is None:
            return (f"positive control {name} not recorded",
                    "the evidence that each method works on this data was not recorded")
        ok, why = trusted(metrics, entry, claim.uses, check_weights=claim.needs_pretrained)
        if not ok:
            return why, why
        value = entry.get("value")
        if isinstance(value, bool):
            if not value:
                return (f"positive control {name} is no",
                        "a method compared here did not work on this data (its check says no)")
            continue
        number_ = number(value)
        if number_ is None:
            # Its note says why it has no number (as the rule's own row would).
            why = _unrecorded_why(entry, f"positive control {name} is not a number")
            return why, why
        chance = claim.chance_for(name)
        if chance is None:
            raise ValueError(f"{claim.statement!r}: positive control {name} has no chance level")
        interval = recorded_interval(recorded(entry, "interval"), number_)
        found, _ = uncertainty.judge_recorded(">", number_, interval, chance)
        if found.outcome != REPRODUCED:
            shown = "" if interval is None else f" [{interval.low:.3f}, {interval.high:.3f}]"
            return (f"positive control failed: {name} {number_:.3f}{shown} is not shown above "
                    f"chance {chance:.3f}, so a method compared here may not work on this "
                    "data at all",
                    f"one of the methods compared scores {number_:.3f}{shown}, not shown above "
                    f"chance ({chance:.3f}): it may not work on this data at all")
    return None


def _negative_control_met(claim: Claim, metrics: Mapping[str, Any],
                          entries: Mapping[str, Mapping[str, Any]]) -> tuple[str, str] | None:
    """(why, plain reason) when the recorded negative control (a trivial baseline on the same
    items), put in the claimed-better place as chance is, already meets the rule."""
    name = claim.negative_control
    if name is None:
        return None
    entry = _entry(metrics, name)
    control = None if entry is None else number(entry.get("value"))
    if control is None:
        return (f"negative control {name} not recorded",
                "the trivial baseline this rule is checked against was not recorded")
    met = False
    if claim.kind in ("at_least", "about"):
        about = claim.kind == "about"
        for metric in claim.metrics:
            target = number(entries[metric].get("paper"))
            if target is not None:
                met |= uncertainty.meets_rule("~" if about else ">=", control,
                                              target if about else target - claim.tolerance,
                                              claim.tolerance if about else 0.0)
    else:
        beats = claim.kind == "beats"
        for metric, base in claim.pairs():
            value, reference = number(entries[metric].get("value")), number(entries[base].get("value"))
            if beats and reference is not None:
                met |= uncertainty.meets_rule(">", control - reference, claim.tolerance)
            elif not beats and value is not None:
                met |= uncertainty.meets_rule("<", value - control, -claim.tolerance)
    if not met:
        return None
    return (f"the negative control {name} ({control:.3f}) already meets the rule: meeting it "
            "here shows nothing",
            f"a trivial baseline ({control:.3f}) already meets the rule")


def _judge_one(claim: Claim, name: str, entry: Mapping[str, Any]
               ) -> tuple[str, str, Comparison | None, bool | None]:
    """A one-number rule (at_least, finite, true, false) on one recorded metric."""
    here = entry.get("value")
    value = number(here)
    if claim.kind in YES_NO:
        if claim.kind == "finite":
            found, ok = ("finite" if value is not None else "not finite"), value is not None
        elif not isinstance(here, bool):
            return NOT_TESTABLE, _unrecorded_why(entry, "not a yes/no finding"), None, None
        else:
            found, ok = f"found {'yes' if here else 'no'}", here is (claim.kind == "true")
        if not claim.exact:
            return INCONCLUSIVE, (f"{found}; {NO_INTERVAL} for the comparison behind this "
                                  "yes/no"), None, ok
        return (REPRODUCED if ok else CONTRADICTED), f"{found} (one run, an observed event)", \
            None, ok
    if value is None:
        return NOT_TESTABLE, _unrecorded_why(entry, "value is not a number"), None, None
    target = number(entry.get("paper"))
    if target is None:
        return NOT_TESTABLE, "no paper number", None, None
    about = claim.kind == "about"
    threshold = target if about else target - claim.tolerance
    interval = recorded_interval(recorded(entry, "interval"), value)
    comparison = Comparison(name, value, "paper", target, interval)
    found, point = uncertainty.judge_recorded("~" if about else ">=", value, interval, threshold,
                                              chance=claim.chance_for(name),
                                              tolerance=claim.tolerance if about else 0.0)
    word, reason = found.outcome, found.reason
    why = f"{value:.3f} vs paper {target:.3f} (tolerance {claim.tolerance:.3f}); {reason}"
    return word, why, comparison, point


def _judge_compared(claim: Claim, entries: Mapping[str, Mapping[str, Any]], verdict: Any
                    ) -> Verdict:
    """beats / below: every (metric, baseline) pair, its difference read against the rule."""
    comparisons, words, reasons, points = [], [], [], []
    beats = claim.kind == "beats"
    direction, threshold = (">", claim.tolerance) if beats else ("<", -claim.tolerance)
    for name, base in claim.pairs():
        value, reference = number(entries[name].get("value")), number(entries[base].get("value"))
        if value is None:
            return verdict(NOT_TESTABLE, _unrecorded_why(entries[name], "value is not a number"),
                           comparisons)
        if reference is None:
            return verdict(NOT_TESTABLE, "no baseline number", comparisons)
        interval = (recorded_interval((recorded(entries[name], "intervals") or {}).get(base),
                                      value - reference)
                    or scores_difference(entries[name], entries[base]))
        comparisons.append(Comparison(name, value, base, reference, interval))
        # Chance in the claimed-better place: the metric for beats, the baseline for below.
        chance = claim.chance_for(name if beats else base)
        chance_difference = None if chance is None else (
            chance - reference if beats else value - chance)
        found, point = uncertainty.judge_recorded(direction, value - reference, interval,
                                                  threshold, chance=chance_difference)
        words.append(found.outcome)
        reasons.append(found.reason)
        points.append(point)
    why = "; ".join(f"{c.value:.3f} vs {c.reference:.3f} ({c.difference:+.3f})"
                    if len(comparisons) == 1 else
                    f"{c.metric} {c.value:.3f} vs {c.against} {c.reference:.3f} ({c.difference:+.3f})"
                    for c in comparisons)
    if len(comparisons) > 1:
        why = f"{sum(points)} of {len(comparisons)}: {why}"
    word = _combined(words)
    shown = [r for w, r in zip(words, reasons, strict=True) if w == word]
    why += "; " + ("; ".join(dict.fromkeys(shown)))
    # Not testable with numbers on both sides: chance meets the rule; the rule's own words say so.
    return verdict(word, why, comparisons, all(points),
                   reason="; ".join(dict.fromkeys(shown)) if word == NOT_TESTABLE else "")


def against_paper(here: float, paper: float, tolerance: float) -> str:
    """'agrees with', 'is above' or 'is below' the paper's number: the one closeness test the
    notebooks' sentences use (each study's ``claims.TOLERANCE``), with the gap."""
    gap = here - paper
    if abs(gap) <= tolerance:
        return f"agrees with the report's {paper:.3f} ({gap:+.3f}, tolerance {tolerance:g})"
    return (f"is {'above' if gap > 0 else 'below'} the report's {paper:.3f} ({gap:+.3f}, "
            f"tolerance {tolerance:g})")


# -- the studies' declarations and the shared table ----------------------------------------------


def notebook_name(notebook: str) -> str:
    """``"01"`` or ``"01_ingwersen_autoencoders"`` -> the full notebook name."""
    found = [name for name in STUDIES if name == notebook or name.startswith(f"{notebook}_")]
    if len(found) != 1:
        raise KeyError(f"no notebook {notebook!r} with claims; one of {sorted(STUDIES)}")
    return found[0]


def study(notebook: str, part: str = "claims") -> Any:
    """The study module ``part`` ("claims" or "paper") of a notebook."""
    return importlib.import_module(f"helpers.studies.{STUDIES[notebook_name(notebook)]}.{part}")


def paper_number(notebook: str, metric: str) -> Any:
    """The paper's number for a metric a notebook records, from its study's ``paper.paper_for``;
    None for a notebook without a study or a metric the report gave no number for."""
    if notebook not in STUDIES:
        return None
    paper_for = getattr(study(notebook, "paper"), "paper_for", None)
    return None if paper_for is None else paper_for(metric)


def all_claims() -> dict[str, list[Claim]]:
    """Every notebook's declared claims, in notebook order."""
    return {name: list(study(name).CLAIMS) for name in STUDIES}


def titles() -> dict[str, str]:
    return {name: study(name).TITLE for name in STUDIES}


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    out = number(value)
    if out is None:
        return "—" if value is None else str(value)
    return f"{out:.3f}"


def judge_notebook(notebook: str, metrics: Mapping[str, Any]) -> list[Verdict]:
    return [judge(claim, metrics) for claim in study(notebook).CLAIMS]
