"""Paths, environment variables, run profiles and seeding: the settings every notebook shares.

A notebook's ``parameters`` cell holds literals only (``PROFILE = "standard"``, ``EPOCHS = None``,
...). Its study's ``profile.py`` declares those parameters once, as the fields of a frozen
dataclass (a subclass of :class:`ProfileSettings`) with one instance per profile; the cell after
the parameters cell calls ``profile.from_notebook(globals())`` (:func:`from_notebook`): the
profile supplies every value the notebook left as ``None``, and what the notebook (or
papermill's injected cell) set explicitly wins.

Environment variables:

``LOOKALIKE_DATA``
    A folder holding local copies of the data sets by name (``places6/``, ``flowers/``, ...).
``LOOKALIKE_WEIGHTS``
    A folder holding ``.weights.h5`` files for the backbones (see ``helpers.backbones``).
``LOOKALIKE_PROFILE``
    The profile used when a notebook or call does not name one.
``LOOKALIKE_CACHE``
    Where cached features and split files go (default ``data/cache``).
"""

from __future__ import annotations

import importlib.abc
import os
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import UnionType
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

PROFILE_NAMES = ("smoke", "standard", "paper")
DEFAULT_PROFILE = "standard"


def repo_root() -> Path:
    """The repository root: the folder holding ``pyproject.toml`` above this package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "notebooks").is_dir():
            return parent
    # Installed outside a checkout (a wheel): fall back to the working directory.
    return Path.cwd()


def data_dir() -> Path:
    """``data/`` in the repository: downloads and extracted sets land here."""
    return repo_root() / "data"


def cache_dir() -> Path:
    """Cached features and split files (``$LOOKALIKE_CACHE`` or ``data/cache``)."""
    env = os.environ.get("LOOKALIKE_CACHE")
    return Path(env).expanduser().resolve() if env else data_dir() / "cache"


class CacheNotWritableError(PermissionError):
    """The cache location cannot be written; the message says how to move it."""


def writable_cache_dir(sub: str) -> Path:
    """``cache_dir()/sub``, created; a clear error naming ``LOOKALIKE_CACHE`` if it cannot be."""
    folder = cache_dir() / sub
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(13, "not writable")
    except OSError as err:
        where = os.environ.get("LOOKALIKE_CACHE") or "unset, so data/cache"
        raise CacheNotWritableError(
            f"cannot write the cache at {folder} ({err.strerror or err}); point LOOKALIKE_CACHE "
            f"at a writable folder (LOOKALIKE_CACHE is {where})") from err
    return folder


def reports_dir() -> Path:
    """``reports/``: executed notebooks, metrics, figures and the results table."""
    env = os.environ.get("LOOKALIKE_REPORTS")
    return Path(env).expanduser().resolve() if env else repo_root() / "reports"


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        # Relative values (``../shared/datasets``) are relative to the repository root, so the
        # same setting works from notebooks/ (papermill's cwd) and from the root (make, pytest).
        path = repo_root() / path
    return path.resolve()


def user_data_root() -> Path | None:
    """``$LOOKALIKE_DATA`` as an absolute path, or None when unset."""
    return _env_path("LOOKALIKE_DATA")


def user_weights_root() -> Path | None:
    """``$LOOKALIKE_WEIGHTS`` as an absolute path, or None when unset."""
    return _env_path("LOOKALIKE_WEIGHTS")


def current_profile() -> str:
    """``$LOOKALIKE_PROFILE`` if set and valid, else the default (standard)."""
    name = os.environ.get("LOOKALIKE_PROFILE", DEFAULT_PROFILE).strip() or DEFAULT_PROFILE
    if name not in PROFILE_NAMES:
        raise ValueError(f"LOOKALIKE_PROFILE={name!r} is not one of {PROFILE_NAMES}")
    return name


@dataclass(frozen=True)
class ProfileSettings:
    """Base of each study's ``profile.Settings``: a frozen dataclass, one instance per profile.

    A study's fields are its notebook's parameters, lower-cased (``EPOCHS`` -> ``epochs``), each
    declared once with its type and meaning; fields made with :func:`profile_only` are set by
    the profile alone (no parameter names them). ``READ_AS_IS`` names the parameters the
    notebook reads itself (``DATASET``, ``SEED``): they are not settings.
    """

    READ_AS_IS: ClassVar[tuple[str, ...]] = ("DATASET", "SEED")
    profile: str  # smoke | standard | paper (PROFILE)

    @property
    def synthetic(self) -> bool:
        """Smoke runs on built-in synthetic images, so any install can check every cell."""
        return self.profile == "smoke"

    @classmethod
    def parameters(cls) -> tuple[str, ...]:
        """The parameters-cell names this class resolves, in field order (``EPOCHS``, ...)."""
        return tuple(f.name.upper() for f in fields(cls)  # type: ignore[arg-type]
                     if f.name != "profile" and not f.metadata.get(_PROFILE_ONLY))

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name, ``profile`` and ``synthetic`` first: what a run records."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
        return {"profile": values.pop("profile"), "synthetic": self.synthetic, **values}

    def __getitem__(self, name: str) -> Any:
        """``settings["epochs"]`` for code that reads settings by name (recorded tables)."""
        if name not in self.as_dict():
            raise KeyError(f"no setting {name!r} in {type(self).__module__}")
        return getattr(self, name)


_PROFILE_ONLY = "profile_only"


def profile_only() -> Any:
    """A settings field that no parameter overrides: each profile's value is the value."""
    return field(metadata={_PROFILE_ONLY: True})


S = TypeVar("S", bound=ProfileSettings)


def from_notebook(namespace: Mapping[str, Any], profiles: Mapping[str, S]) -> S:
    """A notebook's settings: its profile's instance, with what the parameters cell set.

    ``namespace`` is the notebook's ``globals()``, read in the cell after the parameters cell,
    so it already holds papermill's injected overrides. ``profiles`` maps each profile name to
    the study's instance. A parameter left ``None`` keeps the profile's value; lists become
    tuples. A parameter the cell lacks, a value of the wrong type or out of range fails here,
    with the parameter's name, before any work.
    """
    if "PROFILE" not in namespace:
        raise NameError("the parameters cell sets no PROFILE (smoke | standard | paper)")
    name = str(namespace["PROFILE"]).strip().lower()
    if name not in profiles:
        raise ValueError(f"PROFILE={namespace['PROFILE']!r} is not one of {tuple(profiles)}")
    base = profiles[name]
    cls = type(base)
    missing = [p for p in cls.parameters() if p not in namespace]
    if missing:
        raise NameError(f"the parameters cell does not set {', '.join(missing)}, which "
                        f"{cls.__module__}.{cls.__name__} expects")
    changes = {p.lower(): _frozen(namespace[p]) for p in cls.parameters()
               if namespace[p] is not None}
    hints = get_type_hints(cls)
    for key, value in changes.items():
        if not _matches(value, hints[key]):
            raise TypeError(f"{key.upper()}={value!r}: expected {_shown(hints[key])} (set it in "
                            f"the parameters cell, or with -p {key.upper()} VALUE)")
    settings = replace(base, **changes)
    validate(settings.as_dict())
    return settings


def profile_table(profiles: Mapping[str, ProfileSettings]) -> dict[str, dict[str, str]]:
    """Each profile's settings as text, one column per profile (for a notebook's table)."""
    return {name: {k: str(v) for k, v in settings.as_dict().items() if k != "profile"}
            for name, settings in profiles.items()}


def _frozen(value: Any) -> Any:
    """Lists (papermill passes JSON) as tuples, nested ones too, so settings stay hashable."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits a settings annotation (the few forms the profiles use)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if origin in (Union, UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is Literal:
        return value in args
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_matches(v, args[0]) for v in value)
        return len(args) == len(value) and all(map(_matches, value, args))
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _shown(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "").replace("NoneType", "None")


# Range rules by key (also for suffixed keys: ``autoencoder_epochs``, ``ae_batch_size``).
IMAGE_SIZE_RANGE = (16, 2048)  # under 16 px images are skipped as icons; over 2048 is a typo
NATIVE_IMAGE_SIZE = "native"  # each backbone at its own input size (notebook 03's paper profile)


def _rule(key: str) -> tuple[str, int, int | None] | None:
    for suffix, low, high in (("epochs", 1, None), ("batch_size", 1, None),
                              ("image_size", *IMAGE_SIZE_RANGE), ("max_per_class", 1, None)):
        if key == suffix or key.endswith("_" + suffix):
            return suffix, low, high
    return None


def validate(values: Mapping[str, Any]) -> None:
    """Refuse out-of-range settings before any work (``EPOCHS 0``, ``BATCH_SIZE -1``)."""
    for key, value in values.items():
        rule = _rule(key)
        if rule is None or value is None:
            continue
        what, low, high = rule
        for v in value if isinstance(value, tuple) else (value,):
            if what == "image_size" and v == NATIVE_IMAGE_SIZE:
                continue
            ok = isinstance(v, int) and not isinstance(v, bool) and v >= low and (
                high is None or v <= high)
            if not ok:
                span = f"between {low} and {high}" if high else f">= {low}"
                raise ValueError(f"{key.upper()}={value!r}: {what.replace('_', ' ')} must be a "
                                 f"whole number {span} (set it in the parameters cell, or "
                                 f"with -p {key.upper()} N)")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend (TensorFlow, JAX or torch) from one number.

    Python and NumPy are seeded at once. Keras and TensorFlow are seeded (and TensorFlow's op
    determinism switched on) at once if they are already imported, otherwise the moment they
    are first imported, before any of their ops can run: a notebook that only reads cached
    features never pays the ~9 s TensorFlow import. The frameworks end up seeded exactly as if
    they had been imported first; Python's and NumPy's generators are left where the notebook
    has drawn them to.
    """
    global _PENDING_SEED
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    _PENDING_SEED = seed
    if "keras" in sys.modules:
        _seed_keras(seed)
    elif "tensorflow" in sys.modules:
        _seed_tensorflow(seed)
    if "keras" not in sys.modules and not any(
            isinstance(f, _SeedOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _SeedOnImport())


_PENDING_SEED: int | None = None


def _seed_keras(seed: int, generators: Any = None) -> None:
    """``keras.utils.set_random_seed`` and determinism; then put Python's and NumPy's
    generators back to ``generators`` when given (set_random_seed reseeds them too)."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    if generators is not None:
        random.setstate(generators[0])
        np.random.set_state(generators[1])
    _make_backend_deterministic(keras.backend.backend())


def _seed_tensorflow(seed: int) -> None:
    import tensorflow as tf

    tf.random.set_seed(seed)
    _make_backend_deterministic("tensorflow")


class _SeedOnImport(importlib.abc.MetaPathFinder):
    """Seeds Keras (and switches TensorFlow's op determinism on) when either is first imported.

    It finds the real module spec through the other finders and wraps that loader's
    ``exec_module``, so the seeding runs right after the package's own ``__init__``. Python's
    and NumPy's generator states are saved when the import starts and restored after it:
    importing TensorFlow draws from them, which an eager import would have done before the
    notebook seeded them.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in ("keras", "tensorflow") or _PENDING_SEED is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run_init = spec.loader.exec_module
        import numpy as np

        generators = (random.getstate(), np.random.get_state())

        def exec_then_seed(module: Any) -> None:
            run_init(module)
            if fullname == "tensorflow":
                _seed_tensorflow(_PENDING_SEED)  # before keras (or anyone) runs an op
            if fullname == "keras" or "keras" not in sys.modules:
                random.setstate(generators[0])
                np.random.set_state(generators[1])
            if fullname == "keras" and _PENDING_SEED is not None:
                _seed_keras(_PENDING_SEED, generators)
                sys.meta_path[:] = [f for f in sys.meta_path if f is not self]

        spec.loader.exec_module = exec_then_seed
        return spec


def _make_backend_deterministic(backend: str) -> None:
    """Same seed, same numbers: TensorFlow's parallel kernels and tf.data otherwise drift.

    Without this, two same-seed runs of notebook 04 differed by about 0.025 in a fine-tuned
    head's accuracy, which is more than the tolerance RESULTS.md is regenerated within.
    """
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif backend == "torch":
        import torch

        torch.use_deterministic_algorithms(True, warn_only=True)
