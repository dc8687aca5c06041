"""The one verdict engine: a report's claim, declared as data, judged on a run's recorded metrics.

Each study declares its claims in ``helpers.studies.<study>.claims`` (:class:`Claim` rows: the
claim as the report states it and where, the metric keys that notebook records with
``report.record``, the rule, and what differs in our method) and its paper numbers in
``helpers.studies.<study>.paper``. :func:`judge` applies a claim's rule to one notebook's
metrics (the dict ``report.finish`` saves) and returns a :class:`Verdict`; a notebook's closing
section shows :func:`table` and RESULTS.md (:mod:`helpers.results`) shows the same rows, so the
two can never disagree.

Rules (``Claim.kind``):

- ``"at_least"``: the value reaches the paper's number within ``tolerance`` (absolute);
- ``"beats"`` / ``"below"``: each ``metric`` is higher / lower than each ``baseline`` by more
  than ``tolerance`` (one metric against several baselines, several against one, or pairwise);
- ``"finite"``: a finite number was recorded; ``"true"`` / ``"false"``: a yes/no finding.

A number may carry a 95 % interval in its record: ``"interval": [low, high]`` of the value
(for ``at_least``) or ``"intervals": {baseline: [low, high]}`` of the difference to that
baseline (for ``beats`` / ``below``). When the interval straddles the rule's threshold the
verdict is inconclusive. A claim's ``chance`` level is what a random ranking or the majority
class already scores: an ``at_least`` rule that chance alone passes cannot be reproduced.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REPRODUCED, NOT_REPRODUCED = "reproduced", "not reproduced"
INCONCLUSIVE, NOT_TESTABLE = "inconclusive", "not testable here"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_TESTABLE)
KINDS = ("at_least", "beats", "below", "finite", "true", "false")
COMPARED = ("beats", "below")

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
    any of them at random init makes the claim untestable. ``chance`` is the score chance alone
    reaches on the same items, where known.
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
    chance: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown claim kind {self.kind!r}; one of {KINDS}")
        if (self.baseline is None) == (self.kind in COMPARED):
            raise ValueError(f"a {self.kind!r} claim {'needs' if self.kind in COMPARED else 'takes no'}"
                             " baseline")

    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.metric,) if isinstance(self.metric, str) else tuple(self.metric)

    @property
    def baselines(self) -> tuple[str, ...]:
        if self.baseline is None:
            return ()
        return (self.baseline,) if isinstance(self.baseline, str) else tuple(self.baseline)

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
    interval: tuple[float, float] | None = None  # of the value (paper) or of the difference

    @property
    def difference(self) -> float | None:
        if self.value is None or self.reference is None:
            return None
        return self.value - self.reference


@dataclass(frozen=True)
class Verdict:
    """A claim judged on one run: the verdict word, why, and the numbers used."""

    claim: Claim
    paper: Any
    here: Any
    baseline_here: Any
    verdict: str
    why: str
    comparisons: tuple[Comparison, ...] = field(default=())

    @property
    def holds(self) -> bool | None:
        """True / False for a verdict either way, None when inconclusive or not testable."""
        return {REPRODUCED: True, NOT_REPRODUCED: False}.get(self.verdict)


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
    return f"{default}: {note}" if note else default


def _interval(raw: Any) -> tuple[float, float] | None:
    if isinstance(raw, Sequence) and len(raw) == 2 and all(number(x) is not None for x in raw):
        low, high = sorted(float(x) for x in raw)
        return low, high
    return None


def judge(claim: Claim, metrics: Mapping[str, Any]) -> Verdict:
    """Apply a claim's rule to one notebook's recorded metrics (``report.finish``'s dict)."""
    first = claim.metrics[0]
    entry = _entry(metrics, first)
    base_name = claim.baselines[0] if claim.baselines else None
    base = _entry(metrics, base_name) if base_name else None
    paper = entry.get("paper") if entry else None
    here = entry.get("value") if entry else None
    base_here = base.get("value") if base else None

    def verdict(word: str, why: str, comparisons: Sequence[Comparison] = ()) -> Verdict:
        return Verdict(claim, paper, here, base_here, word, why, tuple(comparisons))

    names = list(dict.fromkeys(claim.metrics + claim.baselines))
    entries = {name: _entry(metrics, name) for name in names}
    missing = [name for name, e in entries.items() if e is None]
    if missing:
        return verdict(NOT_TESTABLE, f"{', '.join(missing)} not recorded")
    for e in entries.values():
        ok, why = trusted(metrics, e, claim.uses, check_weights=claim.needs_pretrained)
        if not ok:
            return verdict(NOT_TESTABLE, why)
    if claim.kind in COMPARED:
        return _judge_compared(claim, entries, verdict)
    words, comparisons = [], []
    for name in claim.metrics:
        e = entries[name]
        word, why, comparison = _judge_one(claim, name, e)
        if comparison is not None:
            comparisons.append(comparison)
        if word != REPRODUCED:
            return verdict(word, why, comparisons)
        words.append(why)
    return verdict(REPRODUCED, "; ".join(words), comparisons)


def _judge_one(claim: Claim, name: str, entry: Mapping[str, Any]
               ) -> tuple[str, str, Comparison | None]:
    """A one-number rule (at_least, finite, true, false) on one recorded metric."""
    here = entry.get("value")
    value = number(here)
    if claim.kind == "finite":
        return (REPRODUCED, "finite", None) if value is not None else (
            NOT_REPRODUCED, "not finite", None)
    if claim.kind in ("true", "false"):
        if not isinstance(here, bool):
            return NOT_TESTABLE, _unrecorded_why(entry, "not a yes/no finding"), None
        ok = here is (claim.kind == "true")
        return (REPRODUCED if ok else NOT_REPRODUCED), f"found {'yes' if here else 'no'}", None
    if value is None:
        return NOT_TESTABLE, _unrecorded_why(entry, "value is not a number"), None
    target = number(entry.get("paper"))
    if target is None:
        return NOT_TESTABLE, "no paper number", None
    threshold = target - claim.tolerance
    interval = _interval(entry.get("interval"))
    comparison = Comparison(name, value, "paper", target, interval)
    why = f"{value:.3f} vs paper {target:.3f} (tolerance {claim.tolerance:.3f})"
    if claim.chance is not None and claim.chance >= threshold:
        return NOT_TESTABLE, f"chance alone ({claim.chance:.3f}) already passes; {why}", comparison
    if interval is not None and interval[0] < threshold <= interval[1]:
        return INCONCLUSIVE, f"{why}; interval {interval[0]:.3f}..{interval[1]:.3f}", comparison
    return (REPRODUCED if value >= threshold else NOT_REPRODUCED), why, comparison


def _judge_compared(claim: Claim, entries: Mapping[str, Mapping[str, Any]], verdict: Any
                    ) -> Verdict:
    """beats / below: every (metric, baseline) pair must clear the tolerance."""
    comparisons, failed, unsure = [], [], []
    sign = 1.0 if claim.kind == "beats" else -1.0
    for name, base in claim.pairs():
        value, reference = number(entries[name].get("value")), number(entries[base].get("value"))
        if value is None:
            return verdict(NOT_TESTABLE, _unrecorded_why(entries[name], "value is not a number"),
                           comparisons)
        if reference is None:
            return verdict(NOT_TESTABLE, "no baseline number", comparisons)
        interval = _interval((entries[name].get("intervals") or {}).get(base))
        comparison = Comparison(name, value, base, reference, interval)
        comparisons.append(comparison)
        if interval is not None and min(sign * interval[0], sign * interval[1]) <= claim.tolerance \
                < max(sign * interval[0], sign * interval[1]):
            unsure.append(comparison)
        elif not sign * (value - reference) > claim.tolerance:
            failed.append(comparison)
    why = "; ".join(f"{c.value:.3f} vs {c.reference:.3f} ({c.difference:+.3f})"
                    if len(comparisons) == 1 else
                    f"{c.metric} {c.value:.3f} vs {c.against} {c.reference:.3f} ({c.difference:+.3f})"
                    for c in comparisons)
    if len(comparisons) > 1:
        why = f"{len(comparisons) - len(failed) - len(unsure)} of {len(comparisons)}: {why}"
    word = NOT_REPRODUCED if failed else INCONCLUSIVE if unsure else REPRODUCED
    return verdict(word, why, comparisons)


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


def row(judged: Verdict, metrics: Mapping[str, Any]) -> dict[str, str]:
    """One claim's cells, the same in a notebook's closing table and in RESULTS.md."""
    claim = judged.claim
    compared = "paper"
    if claim.baselines:
        compared = ", ".join(f"{b} = {fmt((_entry(metrics, b) or {}).get('value'))}"
                             for b in claim.baselines)
        base_paper = (_entry(metrics, claim.baselines[0]) or {}).get("paper")
        if len(claim.baselines) == 1 and number(base_paper) is not None:
            compared += f" (paper {fmt(base_paper)})"
    metric = ", ".join(f"`{m}`" for m in claim.metrics)
    why = judged.why + (f"; {claim.caveat}" if claim.caveat else "")
    # A claim on several metrics shows each one's paper number and ours, in the claim's order.
    entries = [_entry(metrics, m) or {} for m in claim.metrics]
    paper = ", ".join(fmt(e.get("paper")) for e in entries) if len(entries) > 1 else fmt(judged.paper)
    here = ", ".join(fmt(e.get("value")) for e in entries) if len(entries) > 1 else fmt(judged.here)
    return {"claim": claim.statement, "metric": metric, "paper": paper,
            "here": here, "compared with": compared,
            "verdict": f"**{judged.verdict}**", "why": why}


COLUMNS = ("claim", "metric", "paper", "here", "compared with", "verdict", "why")


def markdown(rows: Sequence[Mapping[str, str]]) -> list[str]:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    return lines + ["| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |"
                    for r in rows]


def judge_notebook(notebook: str, metrics: Mapping[str, Any]) -> list[Verdict]:
    return [judge(claim, metrics) for claim in study(notebook).CLAIMS]


class Table(str):
    """A markdown table that Jupyter renders as one (a notebook's closing verdicts)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def table(notebook: str, metrics: Mapping[str, Any]) -> Table:
    """A notebook's closing table: its study's claims judged on ``metrics`` (the running
    notebook's ``report.current().data``), row for row what RESULTS.md shows for that run."""
    return Table("\n".join(markdown([row(v, metrics) for v in judge_notebook(notebook, metrics)])))
