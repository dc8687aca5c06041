"""Verdicts at a glance: one plain sentence per claim, a short table, and a forest plot.

The detailed table (:func:`helpers.results.claims_table`) gives every number and the
interval's method; this module says the same verdicts in words a reader takes in at once:
no metric names, no bootstrap or degrees-of-freedom jargon. A notebook closes with::

    from helpers.results import notebook_table as claims_table
    glance.notebook("05", report.current().data)   # the forest plot and the sentences
    claims_table("05", report.current().data)      # then the detailed table

and RESULTS.md shows, per report, the figure, :func:`short_table` and the detailed table in a
``<details>`` block. The figure's rows come from :func:`forest_rows`; ``helpers.plots.forest``
draws them.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers import method, plots
from helpers.verdicts import (
    CONTRADICTED,
    INCONCLUSIVE,
    NO_INTERVAL,
    NOT_TESTABLE,
    REPRODUCED,
    Comparison,
    Verdict,
    fmt,
    judge_notebook,
    number,
    recorded,
    recorded_interval,
    scores_difference,
)

#: Verdict colours of the forest plot and its legend.
COLOURS = {REPRODUCED: "#2ca02c", CONTRADICTED: "#d62728", INCONCLUSIVE: "#ff7f0e",
           NOT_TESTABLE: "#8c8c8c"}
VALUE, DIFFERENCE = "value", "difference"
_REASON_WIDTH = 140


@dataclass(frozen=True)
class ForestRow:
    """One claim's line of the forest plot.

    ``panel``: :data:`VALUE` (our number against the report's threshold) or
    :data:`DIFFERENCE` (A - B against the rule's threshold); ``band`` the accepted range of an
    "about" rule; ``note`` what stands in the row when no number was judged.
    """

    label: str
    verdict: str
    panel: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    threshold: float | None = None
    band: tuple[float, float] | None = None
    chance: float | None = None
    note: str = ""


def _deciding(judged: Verdict) -> Comparison | None:
    """The comparison a one-line summary shows: the weakest for the claim (nearest to, or
    furthest past, failing its rule)."""
    shown = [c for c in judged.comparisons if c.difference is not None]
    if not shown:
        return None
    if judged.claim.kind == "below":
        return max(shown, key=lambda c: c.difference)
    if judged.claim.kind == "beats":
        return min(shown, key=lambda c: c.difference)
    return shown[0]


def _chance_at(judged: Verdict, comparison: Comparison) -> float | None:
    """Chance where the forest plot draws it: on the value's axis or as a difference."""
    claim = judged.claim
    if comparison.against == "paper":
        return claim.chance_for(comparison.metric)
    if claim.kind == "beats":
        chance = claim.chance_for(comparison.metric)
        return None if chance is None else chance - comparison.reference
    chance = claim.chance_for(comparison.against)
    return None if chance is None or comparison.value is None else comparison.value - chance


def _label(text: str, width: int) -> str:
    """A claim shortened for a plot's axis: its start and its end (where rows differ)."""
    if len(text) <= width:
        return text
    tail = width // 3
    return text[:width - tail - 1].rstrip() + "…" + text[-tail:].lstrip()


def _unjudged(judged: Verdict, metrics: Mapping[str, Any]) -> Comparison | None:
    """The number a claim that was not judged still recorded (an absolute number on other
    data, a comparison whose control failed), to draw in grey beside its reason."""
    claim = judged.claim
    entries = metrics.get("metrics", {})
    entry = entries.get(claim.metrics[0]) or {}
    value = number(entry.get("value"))
    if value is None:
        return None
    if not claim.baselines:
        paper = number(entry.get("paper"))
        return None if paper is None else Comparison(
            claim.metrics[0], value, "paper", paper,
            recorded_interval(recorded(entry, "interval"), value))
    base_name = claim.baselines[0]
    base = entries.get(base_name) or {}
    reference = number(base.get("value"))
    if reference is None:
        return None
    interval = (recorded_interval((recorded(entry, "intervals") or {}).get(base_name),
                                  value - reference) or scores_difference(entry, base))
    return Comparison(claim.metrics[0], value, base_name, reference, interval)


def forest_row(judged: Verdict, metrics: Mapping[str, Any] | None = None,
               width: int = 64) -> ForestRow:
    """The forest plot's line for one judged claim (with the run's ``metrics``, a claim that
    was not judged still shows the number it recorded, in the not-testable colour)."""
    claim = judged.claim
    label = _label(claim.statement, width)
    label = f"(course) {label}" if claim.beyond_report else label
    comparison = _deciding(judged)
    if comparison is None and metrics is not None and judged.verdict == NOT_TESTABLE:
        comparison = _unjudged(judged, metrics)
    if comparison is None:
        note = judged.reason if judged.verdict == NOT_TESTABLE else judged.why.split(";")[0]
        return ForestRow(label, judged.verdict, VALUE, note=_clip(note, 60))
    interval = comparison.interval
    low, high = (None, None) if interval is None else (interval.low, interval.high)
    if comparison.against == "paper":
        about = claim.kind == "about"
        band = (comparison.reference - claim.tolerance, comparison.reference + claim.tolerance)
        return ForestRow(label, judged.verdict, VALUE, comparison.value, low, high,
                         comparison.reference if about else comparison.reference - claim.tolerance,
                         band if about else None, _chance_at(judged, comparison))
    threshold = claim.tolerance if claim.kind == "beats" else 0.0 - claim.tolerance
    if len(judged.comparisons) > 1:
        label = f"{label} ({sum(c.difference is not None for c in judged.comparisons)} pairs)"
    return ForestRow(label, judged.verdict, DIFFERENCE, comparison.difference, low, high,
                     threshold, None, _chance_at(judged, comparison))


def forest_rows(judged: Sequence[Verdict], metrics: Mapping[str, Any] | None = None
                ) -> list[ForestRow]:
    return [forest_row(v, metrics) for v in judged]


def figure(judged: Sequence[Verdict], metrics: Mapping[str, Any] | None = None,
           title: str = "") -> Any:
    """The forest plot of judged claims (a matplotlib Figure)."""
    return plots.forest(forest_rows(judged, metrics), COLOURS, title=title)


# -- words ---------------------------------------------------------------------------------------


def _clip(text: str, width: int = _REASON_WIDTH) -> str:
    text = " ".join(str(text).split()).rstrip(".")
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def here(judged: Verdict, metrics: Mapping[str, Any] | None = None) -> str:
    """Our number (or difference) with its 95 % interval, in a few characters."""
    comparison = _deciding(judged)
    if comparison is None:
        entry = (metrics or {}).get("metrics", {}).get(judged.claim.metrics[0]) or {}
        value = number(entry.get("value"))
        interval = None if value is None else recorded_interval(recorded(entry, "interval"),
                                                                value)
        if interval is not None:
            return f"{value:.3f} [{interval.low:.3f}, {interval.high:.3f}]"
        return fmt(judged.here) if judged.here is not None else "—"
    interval = comparison.interval
    if comparison.against == "paper":
        shown = f"{comparison.value:.3f}"
        return shown if interval is None else f"{shown} [{interval.low:.3f}, {interval.high:.3f}]"
    shown = f"{comparison.value:.3f} vs {comparison.reference:.3f}: {_signed(comparison.difference)}"
    if interval is not None:
        shown += f" [{_signed(interval.low)}, {_signed(interval.high)}]"
    pairs = len(judged.comparisons)
    return shown + (f" (the weakest of {pairs} pairs)" if pairs > 1 else "")


def reason(judged: Verdict) -> str:
    """Why the verdict is what it is, in one plain line."""
    claim, word = judged.claim, judged.verdict
    if word == NOT_TESTABLE:
        return _clip(judged.reason or judged.why)
    if not judged.comparisons:
        found = judged.why.split(";")[0].split(" (")[0]
        if word == INCONCLUSIVE:
            return f"{found}, but the comparison behind it carries no interval"
        return f"{found} in one run (an observed event, not an estimate)"
    if NO_INTERVAL in judged.why:
        side = "on the claimed side" if judged.point_holds else "on the other side"
        return f"no interval recorded: the point estimate lies {side}, which is not a verdict"
    compared = judged.comparisons[0].against != "paper"
    what = "difference" if compared else "value"
    if claim.kind == "about":
        sides = ("lies wholly within", "lies wholly outside", "reaches outside")
        rule = f"{claim.tolerance:g} of the report's number"
    elif compared:
        threshold = claim.tolerance if claim.kind == "beats" else 0.0 - claim.tolerance
        sides = (("lies wholly above", "lies wholly at or below", "spans") if claim.kind == "beats"
                 else ("lies wholly below", "lies wholly at or above", "spans"))
        rule = f"{threshold:+.2f}"
    else:
        sides = ("lies wholly at or above", "lies wholly below", "spans")
        rule = ("the report's number" if not claim.tolerance
                else f"the report's number less {claim.tolerance:g}")
    several = len(judged.comparisons) > 1
    held = sum(bool(_holds(judged, c)) for c in judged.comparisons)
    side = dict(zip((REPRODUCED, CONTRADICTED, INCONCLUSIVE), sides, strict=True))[word]
    interval = ("at least one pair's 95 % interval" if several and word != REPRODUCED
                else f"the 95 % interval of the {what}")
    prefix = f"{held} of {len(judged.comparisons)} pairs on the claimed side; " if several else ""
    return f"{prefix}{interval} {side} {rule}"


def _holds(judged: Verdict, comparison: Comparison) -> bool | None:
    """Whether a comparison's point estimate lies on the claimed side."""
    claim, d = judged.claim, comparison.difference
    if d is None:
        return None
    if claim.kind == "beats":
        return d > claim.tolerance
    if claim.kind == "below":
        return d < -claim.tolerance
    if claim.kind == "about":
        return abs(d) <= claim.tolerance
    return d >= -claim.tolerance


def sentence(judged: Verdict) -> str:
    """One plain sentence: the claim, the verdict, the number behind it and why."""
    claim, word = judged.claim, judged.verdict
    start = f"{claim.statement.rstrip('.')}: **{word}**"
    comparison = _deciding(judged)
    if word == NOT_TESTABLE or comparison is None:
        why = " ".join((judged.reason or judged.why).split()).rstrip(".") \
            if word == NOT_TESTABLE else reason(judged)
        return f"{start}, because {why}."
    interval = comparison.interval
    chance = claim.chance_for(comparison.metric)
    if comparison.against == "paper":
        text = f"here {comparison.value:.3f}"
        if interval is not None:
            text += f" (95 % interval {interval.low:.3f} to {interval.high:.3f})"
        text += f" against the report's {comparison.reference:.3f}"
    else:
        text = (f"here {comparison.value:.3f} against {comparison.reference:.3f}, a difference "
                f"of {_signed(comparison.difference)}")
        if interval is not None:
            text += f" (95 % interval {_signed(interval.low)} to {_signed(interval.high)})"
        if len(judged.comparisons) > 1:
            text += f", the weakest of {len(judged.comparisons)} pairs"
    text += "" if chance is None else f" (chance {chance:.3f})"
    return f"{start}: {text}; {reason(judged)}."


def sentences(judged: Sequence[Verdict]) -> str:
    """A markdown list, one sentence per claim; the course's own findings apart."""
    # "* " bullets: RESULTS.md's header lines are the "- key: value" ones.
    ours = [f"* {sentence(v)}" for v in judged if not v.claim.beyond_report]
    beyond = [f"* {sentence(v)}" for v in judged if v.claim.beyond_report]
    return "\n".join(ours + (["", "Beyond the report (not counted):", *beyond] if beyond else []))


# -- the short table -----------------------------------------------------------------------------

SHORT_COLUMNS = ("claim", "paper", "here [95 %]", "chance", "verdict", "why", "method differs")


def _paper(judged: Verdict, metrics: Mapping[str, Any]) -> str:
    entries = metrics.get("metrics", {})
    claim = judged.claim
    mine = [fmt((entries.get(m) or {}).get("paper")) for m in claim.metrics[:1]]
    theirs = [fmt((entries.get(b) or {}).get("paper")) for b in claim.baselines[:1]]
    if theirs and theirs[0] != "—":
        return f"{mine[0]} vs {theirs[0]}"
    return mine[0] if mine else "—"


def short_row(judged: Verdict, metrics: Mapping[str, Any],
              card: method.MethodCard | None = None) -> dict[str, str]:
    claim = judged.claim
    chance = [claim.chance_for(n) for n in claim.metrics + claim.baselines]
    return {"claim": claim.statement, "paper": _paper(judged, metrics), "here [95 %]": here(judged, metrics),
            "chance": ", ".join(fmt(c) for c in dict.fromkeys(chance) if c is not None) or "—",
            "verdict": f"**{judged.verdict}**", "why": reason(judged),
            "method differs": (method.short(card, claim.card, with_values=False)
                               if card is not None else "") or "—"}


def short_table(judged: Sequence[Verdict], metrics: Mapping[str, Any],
                card: method.MethodCard | None = None) -> str:
    """claim | paper | here [95 %] | chance | verdict | why | method differs, the report's
    claims only (the course's own findings stay in the detailed table). "method differs"
    names the card lines the claim depends on that differ from the report ("?": the report is
    silent and ours is a reconstruction)."""
    rows = [short_row(v, metrics, card) for v in judged if not v.claim.beyond_report]
    lines = ["| " + " | ".join(SHORT_COLUMNS) + " |", "|" + "---|" * len(SHORT_COLUMNS)]
    return "\n".join(lines + ["| " + " | ".join(r[c].replace("|", "\\|") for c in SHORT_COLUMNS)
                              + " |" for r in rows])


# -- a notebook's closing view ------------------------------------------------------------------


@dataclass(frozen=True)
class Glance:
    """The forest plot above one sentence per claim; Jupyter shows both as one output."""

    figure: Any
    text: str

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        image = base64.b64encode(self.png()).decode("ascii")
        items = "".join(f"<li>{_html_text(line[2:])}</li>" for line in self.text.splitlines()
                        if line.startswith("* "))
        return (f'<img alt="verdicts" style="max-width:100%" src="data:image/png;base64,'
                f'{image}"/><ul>{items}</ul>')

    def __str__(self) -> str:
        return self.text.replace("**", "")

    def __repr__(self) -> str:
        return str(self)


def _html_text(text: str) -> str:
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def at_a_glance(judged: Sequence[Verdict], metrics: Mapping[str, Any] | None = None,
                title: str = "") -> Glance:
    """The figure and the sentences of judged claims, closed for pyplot so it shows once."""
    fig = figure(judged, metrics, title=title)
    plots.close(fig)
    return Glance(fig, sentences(judged))


def notebook(notebook_name: str, metrics: Mapping[str, Any]) -> Glance:
    """A notebook's closing view: its claims judged on ``metrics`` (the running notebook's
    ``report.current().data``), as a forest plot and one sentence per claim."""
    return at_a_glance(judge_notebook(notebook_name, metrics), metrics)


def differs_line(card: method.MethodCard, keys: Sequence[str]) -> str:
    """The claim's differing card lines with our values, for the detailed table's row."""
    return method.short(card, keys) if keys else ""


__all__ = ["COLOURS", "ForestRow", "Glance", "at_a_glance", "figure", "forest_row", "forest_rows",
           "here", "notebook", "reason", "sentence", "sentences", "short_row", "short_table"]
