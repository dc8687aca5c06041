"""One package per report: its settings per profile, its paper numbers, its steps and its claims."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A package's module ``__getattr__`` (PEP 562) that imports ``exports[name]``, a step of
    ``package``, on first use: reading a study's claims or paper numbers (the verdict engine,
    RESULTS.md) then imports no Keras or TensorFlow."""

    def __getattr__(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
