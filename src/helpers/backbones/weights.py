"""Where a backbone's weights come from, and a record of it for the reports.

Resolution for ``weights="imagenet"`` (``"places365"`` for ``vgg16_places365``), first hit wins:

1. ``$LOOKALIKE_WEIGHTS/<file>`` with the names in the spec's ``weight_files``
   (``mobilenet_v2_1.00_224_notop.weights.h5``, ``<arch>_notop.weights.h5``, ...);
2. the Keras cache (``$KERAS_HOME/models`` or ``~/.keras/models``) under Keras's own file name;
3. a Keras download (``weights="imagenet"`` in the constructor);
4. random initialisation, with a loud :class:`WeightsWarning` whose text the report records.

``weights=None`` (or ``"random"``) asks for random initialisation on purpose (no warning);
``weights="<path>"`` loads that file and fails loudly if it is missing or does not fit.
"""

from __future__ import annotations

import hashlib
import os
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers import config
from helpers.backbones.registry import BackboneSpec

RANDOM_REQUESTS = (None, "random", "none", "random_init")
PRETRAINED_REQUESTS = ("imagenet", "places365", "pretrained")


class WeightsWarning(UserWarning):
    """Pretrained weights were asked for but could not be had: the model is random."""


@dataclass
class WeightsInfo:
    """Which weights a model actually got, for provenance lines and cache keys.

    ``source`` is one of ``"file $LOOKALIKE_WEIGHTS/<f>"``, ``"file <path>"`` (an explicit
    path), ``"keras cache"``, ``"keras download"`` or ``"random init"``. ``sha256`` is the
    weights file's hash; for random init it is a fingerprint of the initialised values
    (see :func:`fingerprint`) when one was computed, else None.
    """

    requested: str | None
    source: str
    path: Path | None = None
    sha256: str | None = None
    pretrained: bool = False
    warning: str | None = None

    def describe(self) -> str:
        """One line for a notebook's first output and the report's provenance."""
        what = self.source
        if self.path is not None and not self.source.startswith("file"):
            what += f" ({self.path.name})"
        if self.sha256:
            what += f", sha256 {self.sha256[:12]}"
        if not self.pretrained:
            what += " - RANDOM weights, not pretrained"
            if self.warning:
                what += " (requested " + repr(self.requested) + " but none could be had)"
        return what

    def as_dict(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "source": self.source,
            "path": str(self.path) if self.path else None,
            "sha256": self.sha256,
            "pretrained": self.pretrained,
            "warning": self.warning,
        }


@lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, memoised per (path, size, mtime) so each file is hashed once."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return _sha256_cached(str(resolved), stat.st_size, stat.st_mtime_ns)


def fingerprint(model: Any) -> str:
    """SHA-256 over a model's weight values: identifies randomly initialised weights."""
    import numpy as np

    digest = hashlib.sha256()
    for variable in model.weights:
        digest.update(variable.path.encode())
        # Variable.numpy() works on every backend; convert_to_numpy warns under NumPy 2 + TF.
        values = variable.numpy()
        digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def keras_cache_dir() -> Path:
    """The folder Keras's ``get_file`` keeps downloaded weights in (``<keras home>/models``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    if not os.access(home, os.W_OK) and not os.environ.get("KERAS_HOME"):
        # Keras itself falls back to /tmp/.keras when the home folder is read-only.
        home = os.path.join("/tmp", ".keras")
    return Path(home) / "models"


def topology(include_top: bool) -> str:
    return "top" if include_top else "notop"


def _user_file(spec: BackboneSpec, include_top: bool) -> Path | None:
    root = config.user_weights_root()
    if root is None or not root.is_dir():
        return None
    for name in spec.weight_files[topology(include_top)]:
        candidate = root / name
        if candidate.is_file():
            return candidate
    return None


def _cached_file(spec: BackboneSpec, include_top: bool) -> Path | None:
    if spec.keras_files is None:
        return None
    candidate = keras_cache_dir() / spec.keras_files[topology(include_top)]
    return candidate if candidate.is_file() else None


def normalise_request(spec: BackboneSpec, weights: str | os.PathLike[str] | None) -> str | None:
    """Validate ``weights`` for ``spec``: None (random), ``"pretrained"`` or a file path."""
    if isinstance(weights, str) and weights.lower() in RANDOM_REQUESTS[1:]:
        return None
    if weights is None:
        return None
    text = str(weights)
    if text.lower() in PRETRAINED_REQUESTS:
        if text.lower() == "places365" and spec.pretrained_on != "places365":
            raise ValueError(f"{spec.name} has no Places365 weights; use vgg16_places365")
        return "pretrained"
    return text  # a path; checked when loading


def locate(spec: BackboneSpec, include_top: bool, weights: Any) -> WeightsInfo | None:
    """Weights found without building a model (files only); None when a download is needed.

    Used by :mod:`helpers.features` to form a cache key before paying for a model build.
    """
    request = normalise_request(spec, weights)
    if request is None:
        return None  # random init: identified by fingerprint after the build
    if request != "pretrained":
        path = Path(request).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"weights file {path} for {spec.name} does not exist")
        return WeightsInfo(str(weights), f"file {path}", path.resolve(), file_sha256(path), True)
    found = _user_file(spec, include_top)
    if found is not None:
        return WeightsInfo(str(weights), f"file $LOOKALIKE_WEIGHTS/{found.name}", found,
                           file_sha256(found), True)
    found = _cached_file(spec, include_top)
    if found is not None:
        return WeightsInfo(str(weights), "keras cache", found, file_sha256(found), True)
    return None


# Keras warns, rather than fails, when parts of a .weights.h5 file do not match the model and
# leaves those layers at their random values; a half-loaded backbone must not pass as pretrained.
_PARTIAL_LOAD_SIGNS = ("freshly-initialized", "Skipping", "mismatch", "did not load")


def _load_strictly(model: Any, path: Path | None, what: str) -> None:
    """``model.load_weights(path)``, turning any error or partial-load warning into ValueError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(str(path))
        except Exception as error:  # keras raises ValueError/KeyError on a mismatch
            raise ValueError(
                f"{path} does not fit {what}: {error}. Check the architecture (alpha, head) "
                "it was saved from."
            ) from error
    partial = [str(w.message) for w in caught if any(s in str(w.message) for s in _PARTIAL_LOAD_SIGNS)]
    if partial:
        raise ValueError(f"{path} does not fit {what}: {partial[0][:300]}")
    for w in caught:  # pass other warnings on unchanged
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


# Keras's get_file uses urllib without a timeout: behind a firewall that drops packets, a
# download attempt would hang forever instead of falling back to random weights.
DOWNLOAD_TIMEOUT_S = 60.0


@contextmanager
def _network_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    if previous is None:
        socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


# (backbone, topology) pairs whose Keras download already failed in this process: each try
# costs a model build and a network timeout, and the answer will not change within a run.
_FAILED_DOWNLOADS: dict[tuple[str, str], str] = {}


def construct(
    spec: BackboneSpec, include_top: bool, weights: Any, **kwargs: Any
) -> tuple[Any, WeightsInfo]:
    """Build ``spec``'s Keras model with its weights resolved as the module docstring says."""
    kwargs = {**spec.constructor_kwargs, **kwargs}
    if include_top:
        kwargs["classes"] = spec.classes
    info = locate(spec, include_top, weights)
    if info is not None:
        model = spec.constructor(include_top=include_top, weights=None, **kwargs)
        _load_strictly(model, info.path, f"{spec.name} (include_top={include_top}, {kwargs})")
        return model, info

    request = normalise_request(spec, weights)
    if request is None:
        model = spec.constructor(include_top=include_top, weights=None, **kwargs)
        return model, WeightsInfo(None, "random init", None, fingerprint(model), False)

    key = (spec.name, topology(include_top))
    reason = _FAILED_DOWNLOADS.get(key)
    if spec.keras_files is not None and reason is None:
        try:
            with _network_timeout(DOWNLOAD_TIMEOUT_S):
                model = spec.constructor(include_top=include_top, weights="imagenet", **kwargs)
            path = _cached_file(spec, include_top)
            return model, WeightsInfo(str(weights), "keras download", path,
                                      file_sha256(path) if path else fingerprint(model), True)
        except Exception as error:  # no network, refused size, corrupt download, ...
            reason = f"Keras download failed: {type(error).__name__}: {str(error)[:160]}"
            _FAILED_DOWNLOADS[key] = reason
    elif reason is None:
        reason = "Keras publishes no such weights"

    root = config.user_weights_root()
    files = ", ".join(spec.weight_files[topology(include_top)])
    message = (
        f"No {spec.pretrained_on} weights for {spec.name} "
        f"({'with' if include_top else 'without'} head): looked in $LOOKALIKE_WEIGHTS "
        f"({root or 'unset'}) for {files}"
        + (f"; in the Keras cache ({keras_cache_dir()}) for "
           f"{spec.keras_files[topology(include_top)]}" if spec.keras_files else "")
        + f"; {reason}. Using RANDOM initialisation: its numbers are not comparable with "
        "the paper's."
    )
    if spec.pretrained_on == "places365":
        message += (" Fallback the notebooks should use: backbone 'vgg16' with "
                    "weights='imagenet' and scheme 'imagenet' (ImageNet VGG16, same taps).")
    warnings.warn(message, WeightsWarning, stacklevel=3)
    model = spec.constructor(include_top=include_top, weights=None, **kwargs)
    return model, WeightsInfo(str(weights), "random init", None, fingerprint(model), False,
                              message)
