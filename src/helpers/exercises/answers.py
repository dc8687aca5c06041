"""Small tools the checkers share: read a student's answer, call a student's function safely."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def as_number(answer: Any) -> float | str:
    """``answer`` as a finite float, or a hint (a str) saying why it is not one."""
    if isinstance(answer, bool):
        return "expected a number, got True/False"
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"expected a single number, got {type(answer).__name__}"
    return value if math.isfinite(value) else "expected a finite number, got NaN or infinity"


def close(value: float, target: float, rel: float = 0.05, abs_tol: float = 0.0) -> bool:
    """True if ``value`` is within ``rel`` (relative) or ``abs_tol`` (absolute) of ``target``."""
    return abs(value - target) <= max(rel * abs(target), abs_tol)


#: Answers that are fractions are accepted rounded to this many decimals (what a printout shows).
DECIMALS = 3


def rounded_match(value: float, target: float, decimals: int = DECIMALS) -> bool:
    """True if ``value`` is ``target`` or ``target`` rounded to ``decimals`` places."""
    return abs(value - target) <= 0.5 * 10 ** -decimals + 1e-9


def in_percent(value: float, target: float, decimals: int = DECIMALS) -> bool:
    """True if ``value`` is the fraction ``target`` written in percent (rounded or not)."""
    return target != 0 and rounded_match(value, 100 * target, max(decimals - 2, 0))


def too_coarse(value: float, target: float, decimals: int = DECIMALS) -> str | None:
    """A hint when ``value`` is ``target`` rounded to fewer than ``decimals`` places, else None."""
    for fewer in range(decimals - 1, 0, -1):
        if rounded_match(value, target, fewer):
            return (f"close: {value:g} agrees with the right value to {fewer} decimal"
                    f"{'s' if fewer > 1 else ''} only; keep at least {decimals} (or do not round)")
    return None


def as_function(answer: Any) -> Callable[..., Any] | str:
    """``answer`` if it can be called, else a hint."""
    return answer if callable(answer) else (
        f"expected a function (def ...), got {type(answer).__name__}: write the function, "
        "then pass its name without calling it")


def as_array(value: Any, shape: tuple[int, ...] | None = None) -> np.ndarray | str:
    """``value`` as a float array (of ``shape``), or a hint."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return f"your function returned {type(value).__name__}, not an array of numbers"
    if shape is not None and arr.shape != shape:
        return f"your function returned shape {arr.shape}; expected {shape}"
    return arr
