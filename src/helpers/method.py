"""Method cards: every setting that can change a report's numbers, the report's beside ours.

Each study package exports ``CARD`` from its ``method.py``: one :class:`Setting` per line, with a
short key, the report's value as the report words it and where (section, table), our value, why
ours is what it is, and whether the two differ. Where the report says nothing, its value is
:data:`NOT_STATED`, the line has no source, and the why says it is "our reconstruction".

Claims name the lines their numbers depend on (``Claim.card``); RESULTS.md and a notebook's
closing table print those that differ beside the verdict, and a notebook shows the whole card
beside its experiment::

    from helpers import method
    method.card("05")                 # renders as a markdown table in Jupyter
    method.card("05").frame()         # the same as a pandas DataFrame
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.verdicts import STUDIES, notebook_name

#: What every card covers: each kind of setting that can change a number.
REQUIRED_TOPICS = ("data", "backbone", "preprocessing", "pooling", "model", "loss", "optimizer",
                   "learning rate", "epochs", "batch size", "augmentation", "split",
                   "selection", "seeds")
#: The topics a line may have: the required ones, and how the numbers are measured.
TOPICS = (*REQUIRED_TOPICS, "evaluation")
#: The report's value where the report says nothing about a setting.
NOT_STATED = "not stated"
RECONSTRUCTION = "our reconstruction"


@dataclass(frozen=True)
class Setting:
    """One line of a method card.

    ``paper``: the report's value, quoted or closely paraphrased, and ``source`` where it says
    so; :data:`NOT_STATED` with no source where the report is silent (then ``why`` must say it
    is "our reconstruction"). ``differs``: True / False whether ours differs from the report's
    in a way that can move a number; None where that cannot be told (the report is silent or
    too vague).
    ``ours`` is a few words (the claims' rows print it); ``why`` gives the detail.
    """

    key: str
    topic: str
    paper: str
    ours: str
    why: str
    differs: bool | None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.key or self.key != self.key.strip() or "|" in self.key:
            raise ValueError(f"a card key is a short name without '|': {self.key!r}")
        if self.topic not in TOPICS:
            raise ValueError(f"{self.key}: unknown topic {self.topic!r}; one of {TOPICS}")
        if not (self.ours and self.why):
            raise ValueError(f"{self.key}: a card line says what we do and why")
        if (self.paper == NOT_STATED) != (not self.source):
            raise ValueError(f"{self.key}: a quoted value names its section; a silent report "
                             f"has {NOT_STATED!r} and no source")
        if self.paper == NOT_STATED and RECONSTRUCTION not in self.why:
            raise ValueError(f"{self.key}: the report is silent, so the why says "
                             f"{RECONSTRUCTION!r}")

    @property
    def differs_text(self) -> str:
        return {True: "yes", False: "no", None: "unknown"}[self.differs]

    @property
    def report(self) -> str:
        """The report's value with its section: ``"flattened maps" (section 3.4)``."""
        return NOT_STATED if self.paper == NOT_STATED else f"\u201c{self.paper}\u201d ({self.source})"


@dataclass(frozen=True)
class MethodCard:
    """A report's settings beside ours, one :class:`Setting` per line (keys unique)."""

    title: str
    settings: tuple[Setting, ...]

    def __post_init__(self) -> None:
        keys = [s.key for s in self.settings]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"{self.title}: card keys appear twice: {repeated}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings)

    def __getitem__(self, key: str) -> Setting:
        for setting in self.settings:
            if setting.key == key:
                return setting
        raise KeyError(f"{self.title}: no card line {key!r}; lines are {', '.join(self.keys)}")

    def __len__(self) -> int:
        return len(self.settings)

    def missing(self, keys: Iterable[str]) -> list[str]:
        """The keys among ``keys`` that are not lines of this card."""
        return [k for k in keys if k not in self.keys]

    def uncovered(self) -> list[str]:
        """The topics of :data:`REQUIRED_TOPICS` no line covers."""
        return [t for t in REQUIRED_TOPICS if t not in {s.topic for s in self.settings}]

    def differing(self, keys: Sequence[str] | None = None, unknown: bool = False
                  ) -> list[Setting]:
        """The lines that differ from the report (among ``keys``, in their order, if given);
        with ``unknown`` also those where the report is silent and ours is a reconstruction."""
        chosen = self.settings if keys is None else [self[k] for k in keys]
        return [s for s in chosen if s.differs or (unknown and s.differs is None)]

    def rows(self, keys: Sequence[str] | None = None) -> list[dict[str, str]]:
        chosen = self.settings if keys is None else [self[k] for k in keys]
        return [{"setting": s.key, "report": s.report, "here": s.ours, "why": s.why,
                 "differs": s.differs_text} for s in chosen]

    def frame(self, keys: Sequence[str] | None = None) -> Any:
        """The card (or the lines ``keys``) as a pandas DataFrame indexed by setting."""
        import pandas as pd

        return pd.DataFrame(self.rows(keys)).set_index("setting")

    def markdown(self, keys: Sequence[str] | None = None) -> str:
        """The card as a markdown table: setting | report | here | why | differs."""
        rows = self.rows(keys)
        columns = ("setting", "report", "here", "why", "differs")
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        return "\n".join(lines + ["| " + " | ".join(r[c].replace("|", "\\|") for c in columns)
                                  + " |" for r in rows])

    def _repr_markdown_(self) -> str:
        return f"**Method card: {self.title}**\n\n" + self.markdown()


def short(card: MethodCard, keys: Sequence[str], with_values: bool = True) -> str:
    """The lines among ``keys`` that differ from the report, for a claim's row: ``"pooling:
    global average"`` (``with_values``) or ``"pooling"``; lines where the report is silent end
    in "?" (ours is a reconstruction)."""
    shown = []
    for s in card.differing(keys, unknown=True):
        mark = "" if s.differs else "?"
        shown.append(f"{s.key}{mark}: {s.ours}" if with_values else f"{s.key}{mark}")
    return "; ".join(shown) if with_values else ", ".join(shown)


def card(notebook: str) -> MethodCard:
    """A notebook's method card (``"05"`` or its full name), from its study's ``method.py``."""
    package = STUDIES[notebook_name(notebook)]
    return importlib.import_module(f"helpers.studies.{package}.method").CARD
