"""The skip report: images dropped at load or fixed at decode, counted once per data set.

Its own module so that :mod:`.images` (which fills it while decoding) and :mod:`.core` (whose
data sets carry one) both import it without importing each other.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from pathlib import Path

log = logging.getLogger("helpers.datasets")


class SkipReport:
    """Counts of images skipped (dropped at load) or fixed (converted at decode), with examples.

    One report is shared by a data set and every subset of it, so a broken file is counted once
    however many subsets read it, and :meth:`announce` prints each problem once.
    """

    MAX_EXAMPLES = 3

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], str] = {}  # (reason, item) -> "skipped" | "fixed"
        self._announced: set[tuple[str, str]] = set()

    def add(self, reason: str, item: str, action: str = "skipped") -> None:
        if action not in ("skipped", "fixed"):
            raise ValueError(f"action must be 'skipped' or 'fixed', not {action!r}")
        with self._lock:
            self._seen.setdefault((reason, str(item)), action)

    def counts(self, action: str | None = None) -> dict[str, int]:
        """``{reason: number of items}``, for one action or both."""
        with self._lock:
            keys = [k for k, a in self._seen.items() if action is None or a == action]
        return dict(Counter(reason for reason, _ in keys))

    def examples(self, reason: str) -> list[str]:
        with self._lock:
            items = sorted(item for r, item in self._seen if r == reason)
        return items[: self.MAX_EXAMPLES]

    @property
    def n_skipped(self) -> int:
        return sum(self.counts("skipped").values())

    @property
    def n_fixed(self) -> int:
        return sum(self.counts("fixed").values())

    def __len__(self) -> int:
        return len(self._seen)

    def summary(self, only_new: bool = False) -> str:
        """One line per reason: action, count, up to three examples (file names only)."""
        with self._lock:
            entries = {
                k: a for k, a in self._seen.items() if not (only_new and k in self._announced)
            }
        by_reason: dict[tuple[str, str], list[str]] = {}
        for (reason, item), action in entries.items():
            by_reason.setdefault((action, reason), []).append(item)
        lines = []
        for (action, reason), items in sorted(by_reason.items()):
            shown = ", ".join(Path(i).name for i in sorted(items)[: self.MAX_EXAMPLES])
            lines.append(f"  {action} {len(items)}: {reason} (e.g. {shown})")
        return "\n".join(lines)

    def announce(self, name: str) -> str:
        """Log the problems not announced before (once each); returns what was logged."""
        text = self.summary(only_new=True)
        if text:
            with self._lock:
                self._announced.update(self._seen)
            log.warning("data set %r: image problems handled:\n%s", name, text)
        return text

    def __repr__(self) -> str:
        return f"SkipReport(skipped={self.counts('skipped')}, fixed={self.counts('fixed')})"
