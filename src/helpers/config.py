"""Paths, environment variables, run profiles and seeding: the settings every notebook shares.

A notebook's ``parameters`` cell holds literals only (``PROFILE = "standard"``, ``EPOCHS = None``,
...). The next cell calls :func:`resolve_notebook` with ``globals()`` and its study's profiles
module, which names the parameters once: the profile supplies every value the notebook left as
``None``, and what the notebook (or papermill's injected cell) set explicitly wins.

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

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


# Values shared by every notebook. Notebook-specific keys can be passed to resolve() as
# overrides; they need no entry here.
PROFILES: dict[str, dict[str, Any]] = {
    # Built-in synthetic images, tiny models, one epoch: every notebook in well under 2 min.
    "smoke": {
        "synthetic": True,
        "weights": None,
        "image_size": 64,
        "epochs": 1,
        "batch_size": 16,
        "max_per_class": 24,
        "backbones": ("mobilenetv2",),
        "autoencoder_epochs": 2,
        "tsne_perplexities": (5,),
        "learning_rates": (1e-3,),
        "optimizers": ("sgd",),
        "n_pairs": 60,
        "gallery_k": 5,
    },
    # The real data sets at hand, ImageNet weights where they can be had, 224 px, epochs sized
    # so the whole course takes about an hour on a laptop CPU.
    "standard": {
        "synthetic": False,
        "weights": "imagenet",
        "image_size": 224,
        "epochs": 5,
        "batch_size": 32,
        "max_per_class": None,
        "backbones": ("mobilenetv2", "mobilenet"),
        "autoencoder_epochs": 60,
        "tsne_perplexities": (5, 20, 50),
        "learning_rates": (5e-3, 5e-4),
        "optimizers": ("sgd", "adam"),
        "n_pairs": None,
        "gallery_k": 5,
    },
    # The reports' own settings: all backbones, their epochs and batch sizes. Meant for a GPU.
    "paper": {
        "synthetic": False,
        "weights": "imagenet",
        "image_size": 224,
        "epochs": 30,
        "batch_size": 32,
        "max_per_class": None,
        "backbones": ("resnet50", "vgg16", "efficientnetb0", "mobilenetv2", "mobilenet"),
        "autoencoder_epochs": 300,
        "tsne_perplexities": (5, 20, 50),
        "learning_rates": (5e-3, 1e-3, 5e-4, 1e-4, 5e-5),
        "optimizers": ("sgd", "adam"),
        "n_pairs": None,
        "gallery_k": 5,
    },
}


@dataclass(frozen=True)
class Settings(Mapping[str, Any]):
    """Resolved parameters of one run: read as ``settings.epochs`` or ``settings["epochs"]``."""

    profile: str
    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "values")
        if name in values:
            return values[name]
        raise AttributeError(f"no setting {name!r} in profile {self.profile!r}")

    def __getitem__(self, key: str) -> Any:
        if key == "profile":
            return self.profile
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        yield "profile"
        yield from self.values

    def __len__(self) -> int:
        return len(self.values) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, **self.values}


def resolve(
    profile: str | None = None,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    **overrides: Any,
) -> Settings:
    """The profile's values, then the notebook's own ``defaults[profile]``, then ``overrides``.

    ``defaults`` lets a notebook keep its own knobs per profile in one visible table
    (``{"smoke": {"epochs": 1}, "standard": {"epochs": 8}}``). An override of ``None`` keeps the
    value from below it. Keys are case-insensitive (``EPOCHS=3`` and ``epochs=3`` are the same),
    so a notebook can pass its parameters as named in its parameters cell. Lists become tuples.
    """
    name = (profile or current_profile()).lower()
    if name not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {PROFILE_NAMES}")
    values = dict(PROFILES[name])
    if defaults:
        unknown = set(defaults) - set(PROFILE_NAMES)
        if unknown:
            raise ValueError(f"defaults name unknown profiles {sorted(unknown)}")
        values.update({k.lower(): v for k, v in defaults.get(name, {}).items()})
    for key, value in overrides.items():
        key = key.lower()
        if value is None:
            values.setdefault(key, None)
            continue
        values[key] = tuple(value) if isinstance(value, list) else value
    values.pop("profile", None)
    validate(values)
    return Settings(profile=name, values=values)


def resolve_notebook(namespace: Mapping[str, Any], profiles: ModuleType) -> Settings:
    """A notebook's settings from its parameters cell, each parameter named once.

    ``namespace`` is the notebook's ``globals()``, read in the cell after the parameters cell,
    so it already holds papermill's injected overrides. ``profiles`` is the study's profiles
    module (``helpers.studies.<study>.profiles``): ``DEFAULTS`` (its knobs per profile),
    ``PARAMETERS`` (the parameters-cell names that become settings, in the order they are
    resolved) and, optionally, ``RENAMED`` (a parameter whose setting has another name, such
    as notebook 01's ``EPOCHS`` -> ``autoencoder_epochs``). The other names of the parameters
    cell (``DATASET``, ``SEED``) are read by the notebook as they are.
    """
    renamed: Mapping[str, str] = getattr(profiles, "RENAMED", {})
    missing = [name for name in ("PROFILE", *profiles.PARAMETERS) if name not in namespace]
    if missing:
        raise NameError(f"{profiles.__name__}.PARAMETERS names {', '.join(missing)}, which the "
                        f"notebook's parameters cell does not set")
    overrides = {renamed.get(name, name.lower()): namespace[name] for name in profiles.PARAMETERS}
    return resolve(namespace["PROFILE"], defaults=profiles.DEFAULTS, **overrides)


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
