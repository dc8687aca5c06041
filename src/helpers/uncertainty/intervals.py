"""95 % intervals for the numbers a verdict rests on: over items, paired, over seeds.

Every metric the course judges is a mean of per-item scores (a query's top-k hit, an image's
correctness), so the noise of a test set of 40 to 480 items is the noise of that mean.

* :func:`item_interval`: bootstrap over the evaluated items (``scipy.stats.bootstrap``).
* :func:`paired_difference`: two models scored on the *same* items; the bootstrap resamples
  items, keeping each item's pair of scores together, so what both models find easy or hard
  cancels out (narrower than :func:`unpaired_difference`, which is for different item sets).
* :func:`seed_interval`: a t-interval over per-seed results.
* :func:`seeds_and_items_interval`: seeds and items together, for training that runs on cached
  features and is repeated over several seeds.

Why BCa and not the percentile interval: the course's metrics sit near the floor or the
ceiling (top-10 0.90, accuracy 0.98), where the bootstrap distribution of a mean is skewed
and bounded. BCa corrects the percentile interval for bias and skew (second-order accurate,
Efron 1987); the percentile interval is first-order and covers less than its nominal rate on
small skewed samples. It costs one jackknife pass (n more means). Where BCa is undefined the
percentile interval is used and the method says so. Measured (seeded runs of 400 to 1000
repetitions): 40 items at p = 0.9, BCa covers 0.98, percentile 0.915; paired, 200
items 0.95, 80 items 0.92: on the smallest test sets every bootstrap runs a little short.
BCa's jackknife costs O(n^2): above ~10^4 items pass ``method="percentile"``.

When every item has the same score (balcony accuracy 1.000 on 40 images, two models tied on
every item) the bootstrap interval has zero width, which would claim certainty from 40
items. Instead the share of items that could score differently is bounded by the exact
binomial (Clopper-Pearson) bound for 0 of n, ``u = 1 - (alpha / 2) ** (1 / n)``, and those
items are put at the far end of the score's range: ``[c - u (c - lo), c + u (hi - c)]``. For
0/1 scores this *is* the Clopper-Pearson interval of n of n (or 0 of n).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
N_RESAMPLES = 9999
METHODS = ("BCa", "percentile")
# Per-item scores are hits or correctness unless told otherwise.
UNIT_BOUNDS = (0.0, 1.0)
# Resampled means held at once: bounds the bootstrap's (and the jackknife's) memory.
_BATCH_CELLS = 2**22


@dataclass(frozen=True)
class Interval:
    """An estimate and its two-sided interval: what a verdict reads, and what a table prints.

    ``n`` counts what was resampled (items, or seeds); ``method`` says how the interval was
    made, in words a results table can show.
    """

    estimate: float
    low: float
    high: float
    n: int
    method: str
    confidence: float = CONFIDENCE

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval (ends included)."""
        return self.low <= value <= self.high

    @property
    def width(self) -> float:
        return self.high - self.low

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def as_dict(self) -> dict[str, float | int | str]:
        """Plain JSON fields, so ``report.record(..., interval=item_interval(hits))`` saves it."""
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "n": self.n,
                "method": self.method, "confidence": self.confidence}

    def describe(self) -> str:
        """``0.906 [0.879, 0.931] (95 % BCa bootstrap over 480 items)``."""
        return f"{self} ({self.confidence * 100:g} % {self.method})"


def check_confidence(confidence: float) -> float:
    """``confidence`` as a float strictly between 0 and 1, else a ValueError that says so."""
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return c


def as_scores(values: Sequence[float] | np.ndarray, name: str = "scores",
              minimum: int = 1) -> np.ndarray:
    """A 1-D float array of at least ``minimum`` finite values, else a ValueError naming it."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one score per item (1-D), got shape {arr.shape}")
    if arr.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} value(s), got {arr.size}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds NaN or inf: no interval can be read from it")
    return arr


def _check_bounds(x: np.ndarray, bounds: tuple[float, float] | None, name: str) -> None:
    if bounds is None:
        return
    lo, hi = bounds
    if not lo < hi:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds}")
    if x.min() < lo or x.max() > hi:
        raise ValueError(f"{name} lie outside bounds {bounds}; pass the score's own range "
                         "(bounds=None for an unbounded score)")


def constant_interval(value: float, n: int, bounds: tuple[float, float] | None,
                      confidence: float = CONFIDENCE) -> Interval:
    """The interval of n items that all scored ``value`` (see the module docstring: exact bound)."""
    confidence = check_confidence(confidence)
    if bounds is None:
        return Interval(value, value, value, n, f"no spread: all {n} items equal, score "
                        "unbounded", confidence)
    lo, hi = bounds
    u = 1.0 - ((1.0 - confidence) / 2.0) ** (1.0 / n)
    return Interval(value, value - u * (value - lo), value + u * (hi - value), n,
                    f"exact binomial bound: all {n} items equal", confidence)


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def _mean_difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def _bootstrap(data: tuple[np.ndarray, ...], statistic, estimate: float, what: str,
               paired: bool, confidence: float, seed: int, n_resamples: int,
               method: str) -> Interval:
    """``scipy.stats.bootstrap`` with a seeded generator; BCa falls back to percentile if undefined."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if int(n_resamples) < 100:
        raise ValueError(f"n_resamples={n_resamples} is too few for a {confidence:.0%} interval")
    n = max(len(d) for d in data)
    for attempt in (method, "percentile"):
        with warnings.catch_warnings():
            # BCa on a near-degenerate sample warns and answers NaN; the fallback handles it.
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.bootstrap(data, statistic, n_resamples=int(n_resamples),
                                     batch=max(1, _BATCH_CELLS // n), vectorized=True,
                                     paired=paired, confidence_level=confidence,
                                     method=attempt, rng=np.random.default_rng(seed))
        low, high = result.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            label = f"{attempt} bootstrap over {what}"
            if attempt != method:
                label += f" ({method} undefined here)"
            return Interval(estimate, float(low), float(high), n, label, confidence)
    raise ValueError(f"no bootstrap interval could be computed over {what}")


def item_interval(scores: Sequence[float] | np.ndarray, *, confidence: float = CONFIDENCE,
                  seed: int = 0, n_resamples: int = N_RESAMPLES, method: str = "BCa",
                  bounds: tuple[float, float] | None = UNIT_BOUNDS) -> Interval:
    """The mean of per-item scores with its bootstrap interval over the items.

    ``scores``: one number per evaluated item (1/0 hits, correctness, or any score within
    ``bounds``; ``bounds=None`` for an unbounded one such as a loss). ``seed`` makes the
    resampling, hence the interval, reproducible.
    """
    x = as_scores(scores, "scores", minimum=2)
    confidence = check_confidence(confidence)
    _check_bounds(x, bounds, "scores")
    estimate = float(x.mean())
    if np.ptp(x) == 0:
        return constant_interval(estimate, len(x), bounds, confidence)
    return _bootstrap((x,), _mean, estimate, f"{len(x)} items", False, confidence, seed,
                      n_resamples, method)


def _pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_scores(a, "a", minimum=2), as_scores(b, "b", minimum=2)
    if x.shape != y.shape:
        raise ValueError(f"a and b must score the same items: {len(x)} vs {len(y)} scores")
    return x, y


def _difference_bounds(bounds: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if bounds is None else (bounds[0] - bounds[1], bounds[1] - bounds[0])


def paired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, *,
                      confidence: float = CONFIDENCE, seed: int = 0,
                      n_resamples: int = N_RESAMPLES, method: str = "BCa",
                      bounds: tuple[float, float] | None = UNIT_BOUNDS) -> Interval:
    """mean(a) - mean(b) for two models scored on the same items, item i in both at index i.

    The paired bootstrap (``paired=True``) draws items, not scores: an item both models get
    right adds nothing to the spread, so only the items on which they differ count.
    """
    x, y = _pair(a, b)
    confidence = check_confidence(confidence)
    _check_bounds(x, bounds, "a")
    _check_bounds(y, bounds, "b")
    d = x - y
    estimate = float(d.mean())
    if np.ptp(d) == 0:
        return constant_interval(estimate, len(d), _difference_bounds(bounds), confidence)
    return _bootstrap((x, y), _mean_difference, estimate, f"{len(d)} paired items", True,
                      confidence, seed, n_resamples, method)


def unpaired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, *,
                        confidence: float = CONFIDENCE, seed: int = 0,
                        n_resamples: int = N_RESAMPLES, method: str = "BCa",
                        bounds: tuple[float, float] | None = UNIT_BOUNDS) -> Interval:
    """mean(a) - mean(b) when a and b scored *different* items (each resampled on its own).

    On the same items use :func:`paired_difference`: this one ignores the pairing and is wider.
    """
    x, y = as_scores(a, "a", minimum=2), as_scores(b, "b", minimum=2)
    confidence = check_confidence(confidence)
    _check_bounds(x, bounds, "a")
    _check_bounds(y, bounds, "b")
    estimate = float(x.mean() - y.mean())
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        ia = constant_interval(float(x.mean()), len(x), bounds, confidence)
        ib = constant_interval(float(y.mean()), len(y), bounds, confidence)
        return Interval(estimate, ia.low - ib.high, ia.high - ib.low, len(x) + len(y),
                        "exact binomial bounds: all items equal in each set", confidence)
    return _bootstrap((x, y), _mean_difference, estimate, f"{len(x)} + {len(y)} items", False,
                      confidence, seed, n_resamples, method)


def seed_interval(values: Sequence[float] | np.ndarray, *,
                  confidence: float = CONFIDENCE) -> Interval:
    """Mean of per-seed results with a Student-t interval (``scipy.stats.t``).

    Why t and not the bootstrap: 3 seeds give only 10 distinct resamples, and a bootstrap
    interval cannot reach beyond the smallest and largest seed, so it covers far less than
    95 %. The t-interval assumes seed-to-seed variation is roughly normal (reasonable for a
    mean over many items) and widens honestly with few seeds (t = 4.30 for 3 seeds).
    """
    x = as_scores(values, "values", minimum=2)
    confidence = check_confidence(confidence)
    n = len(x)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, df=n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n, f"t-interval over {n} seeds", confidence)


def _per_seed(scores, name: str) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 2:
        raise ValueError(f"{name} must be (seeds, items) with at least 2 items, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds NaN or inf: no interval can be read from it")
    return arr


def seeds_and_items_interval(a: np.ndarray, b: np.ndarray | None = None, *,
                             confidence: float = CONFIDENCE, seed: int = 0,
                             n_resamples: int = N_RESAMPLES,
                             bounds: tuple[float, float] | None = UNIT_BOUNDS) -> Interval:
    """Mean of ``a`` (or mean(a) - mean(b), same items) over seeds *and* items, with interval.

    ``a``, ``b``: (seeds, items) per-item scores, one row per training seed; the items are the
    same test items in every row (and in ``b``); ``a`` and ``b`` may have different numbers of
    seeds (a fine-tuned model run once beside a head trained over 3 seeds).

    Two sources of noise, estimated separately and added: training (the spread of the per-seed
    means: the items are fixed, so it is seed noise only) and the test items (the spread of the
    seed-averaged per-item scores, or of their paired differences). The standard errors add in
    quadrature; the degrees of freedom are Welch-Satterthwaite's, so 3 seeds keep a wide t.
    The t over per-seed means alone would call a 0.008 gap on 240 images significant whenever
    the seeds agree; the item bootstrap alone ignores training. (The item term also holds the
    seed-item interaction divided by the seed count: slightly conservative.) With one seed per
    model this is the item bootstrap (:func:`item_interval` / :func:`paired_difference`), and
    the method says the seed noise was not measured.
    """
    confidence = check_confidence(confidence)
    runs = [_per_seed(a, "a")] + ([] if b is None else [_per_seed(b, "b")])
    if len({r.shape[1] for r in runs}) != 1:
        raise ValueError(f"a and b must score the same items: {runs[0].shape[1]} vs "
                         f"{runs[-1].shape[1]}")
    for name, r in zip("ab", runs, strict=False):
        _check_bounds(r.ravel(), bounds, name)
    item_means = [r.mean(axis=0) for r in runs]
    per_item = item_means[0] if b is None else item_means[0] - item_means[1]
    seeds = [len(r) for r in runs]
    if max(seeds) == 1:
        kw = dict(confidence=confidence, seed=seed, n_resamples=n_resamples, bounds=bounds)
        single = (item_interval(per_item, **kw) if b is None
                  else paired_difference(runs[0][0], runs[1][0], **kw))
        return Interval(single.estimate, single.low, single.high, single.n,
                        f"{single.method}; one seed: training noise not measured", confidence)
    n = len(per_item)
    # (variance of the mean, degrees of freedom) per source; a model run once adds nothing.
    parts = [(r.mean(axis=1).var(ddof=1) / len(r), len(r) - 1) for r in runs if len(r) > 1]
    parts.append((per_item.var(ddof=1) / n, n - 1))
    variance = sum(v for v, _ in parts)
    estimate = float(per_item.mean())
    seed_text = " and ".join(str(s) for s in seeds)
    if variance == 0:
        spread_bounds = bounds if b is None else _difference_bounds(bounds)
        flat = constant_interval(estimate, n, spread_bounds, confidence)
        return Interval(estimate, flat.low, flat.high, n,
                        f"{flat.method}, identical over {seed_text} seeds", confidence)
    df = variance**2 / sum(v**2 / d for v, d in parts if v > 0)
    half = float(stats.t.ppf(0.5 + confidence / 2, df=df) * np.sqrt(variance))
    once = [name for name, s in zip("ab", seeds, strict=False) if s == 1]
    # "Run once" covers both a model trained with one seed and one that is not trained at all
    # (a zero-shot baseline): either way no seed-to-seed spread of it is in the interval.
    unmeasured = (f"; {once[0]} has one run (one seed, or untrained): no seed spread of it"
                  if once else "")
    return Interval(estimate, estimate - half, estimate + half, n,
                    f"t-interval over {seed_text} seeds and {n} items "
                    f"(Welch-Satterthwaite df {df:.1f}){unmeasured}", confidence)


def recorded_interval(raw: object, estimate: float) -> Interval | None:
    """A metrics record's 95 % interval (``[low, high]``, or :meth:`Interval.as_dict`'s
    fields) as an :class:`Interval` around ``estimate``; None when it holds none."""
    if isinstance(raw, dict):
        ends, n, method = (raw.get("low"), raw.get("high")), raw.get("n"), raw.get("method")
    else:
        ends, n, method = raw, None, None
    if not isinstance(ends, list | tuple) or len(ends) != 2:
        return None
    try:
        low, high = sorted(float(x) for x in ends)
    except (TypeError, ValueError):
        return None
    if not (np.isfinite(low) and np.isfinite(high)) or isinstance(ends[0], bool):
        return None
    return Interval(float(estimate), low, high, int(n or 0), str(method or "recorded interval"))
