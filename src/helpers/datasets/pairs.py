"""Left/right image pairs (Totally Looks Like) and their 20-candidate evaluation sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .core import DataSource, SkipReport
from .splits import allocate


@dataclass
class PairSet:
    """Pairs ``left[i]`` <-> ``right[i]``; ``ids`` name the pairs (file stems for TLL)."""

    name: str
    left: list[str]
    right: list[str]
    ids: list[str]
    source: DataSource
    skipped: SkipReport = field(default_factory=SkipReport)
    default_size: int = 224

    def __post_init__(self) -> None:
        if not (len(self.left) == len(self.right) == len(self.ids)):
            raise ValueError(
                f"left ({len(self.left)}), right ({len(self.right)}) and ids ({len(self.ids)}) "
                "must have the same length"
            )
        self.left, self.right, self.ids = list(self.left), list(self.right), list(self.ids)

    def __len__(self) -> int:
        return len(self.left)

    def __repr__(self) -> str:
        return f"PairSet({self.name!r}, pairs={len(self)}, origin={self.source.origin!r})"

    def take(self, index: np.ndarray | list[int]) -> PairSet:
        index = [int(i) for i in index]
        return PairSet(
            self.name,
            [self.left[i] for i in index],
            [self.right[i] for i in index],
            [self.ids[i] for i in index],
            self.source,
            self.skipped,
            self.default_size,
        )

    def _images(self, items: list[str], size, fit: str, progress: bool) -> np.ndarray:
        from .images import load_batch

        out = load_batch(
            items, size or self.default_size, fit=fit, report=self.skipped, progress=progress,
            desc=self.name,
        )
        self.skipped.announce(self.name)
        return out

    def left_images(
        self, size: int | tuple[int, int] | None = None, fit: str = "resize", progress: bool = True
    ) -> np.ndarray:
        """All left images, uint8 RGB (N, H, W, 3)."""
        return self._images(self.left, size, fit, progress)

    def right_images(
        self, size: int | tuple[int, int] | None = None, fit: str = "resize", progress: bool = True
    ) -> np.ndarray:
        """All right images, uint8 RGB (N, H, W, 3), row i pairing with left row i."""
        return self._images(self.right, size, fit, progress)

    def candidates(self, n: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """For each left image, ``n`` right indices: its own right image and ``n-1`` others.

        Returns ``(candidates, true_column)``: ``candidates[i, true_column[i]] == i``. The
        distractors are drawn without replacement and the true one's column is random, both
        from ``seed``, so every run and machine scores the same sets.
        """
        p = len(self)
        if not 2 <= n <= p:
            raise ValueError(f"need 2 <= n <= number of pairs ({p}), got n={n}")
        rng = np.random.default_rng(seed)
        cands = np.empty((p, n), dtype=np.int64)
        true_col = rng.integers(0, n, size=p)
        for i in range(p):
            # Draw from the p-1 other pairs: shift indices at or above i past i.
            others = rng.choice(p - 1, size=n - 1, replace=False)
            others = others + (others >= i)
            row = np.insert(others, true_col[i], i)
            cands[i] = row
        return cands, true_col

    def split(
        self, fractions: Mapping[str, float] | None = None, seed: int = 0
    ) -> dict[str, PairSet]:
        """Disjoint pair sets by a seeded permutation (default 70/10/20 train/val/test)."""
        fractions = dict(fractions or {"train": 0.7, "val": 0.1, "test": 0.2})
        order = np.random.default_rng(seed).permutation(len(self))
        sizes = allocate(len(self), fractions)
        parts, start = {}, 0
        for name, size in sizes.items():
            parts[name] = self.take(np.sort(order[start : start + size]))
            start += size
        return parts
