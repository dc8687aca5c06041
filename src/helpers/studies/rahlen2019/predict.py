"""Trained attribute classifiers on disk, and ``classify(image_path)`` for a new photo.

Notebook 03 saves each task's best model as ``<cache>/models/03_<task>.keras`` (the whole
Keras model: backbone and softmax head) with ``03_<task>.json`` beside it (class names,
backbone, preprocessing, image size, validation accuracy, data and weights it came from).
:func:`classify` loads whatever tasks it finds there::

    >>> attributes.classify("my_flat/kitchen.jpg")
    {'balcony': ('indoor', 0.99), 'rooms': ('kitchen', 0.97)}

Run the notebook first (any profile; the smoke profile's models are random and synthetic, so
only good for checking that the plumbing works).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from helpers import config

PREFIX = "03_"
_loaded: dict[tuple[str, float], Any] = {}  # (path, mtime) -> keras model


def models_dir(folder: Path | str | None = None) -> Path:
    """Where the models live: ``folder`` or ``config.cache_dir()/models``."""
    return Path(folder) if folder is not None else config.cache_dir() / "models"


def paths(task: str, folder: Path | str | None = None) -> tuple[Path, Path]:
    """(model file, metadata file) of a task."""
    root = models_dir(folder)
    return root / f"{PREFIX}{task}.keras", root / f"{PREFIX}{task}.json"


@dataclass(frozen=True)
class ModelInputs:
    """How :func:`classify` feeds an image to a saved model: the backbone whose preprocessing
    ``scheme`` it gets, at ``image_size`` pixels, fitted by ``fit``."""

    backbone: str
    image_size: int
    scheme: str = "imagenet"
    fit: str = "resize"


def save(model: Any, task: str, class_names: Sequence[str], inputs: ModelInputs,
         folder: Path | str | None = None, **meta: Any) -> Path:
    """Write ``model`` and its metadata for :func:`classify`; returns the model path.

    Both files are written to temporary names and renamed, so a reader never sees a model
    without its metadata or half a file.
    """
    from helpers.report import jsonable

    model_path, meta_path = paths(task, folder)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=model_path.parent, suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp)
        info = {"task": task, "class_names": list(class_names), "backbone": inputs.backbone,
                "scheme": inputs.scheme, "image_size": int(inputs.image_size), "fit": inputs.fit,
                **meta}
        meta_tmp = f"{tmp}.json"
        Path(meta_tmp).write_text(json.dumps(jsonable(info), indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, model_path)
        os.replace(meta_tmp, meta_path)
    finally:
        for leftover in (tmp, f"{tmp}.json"):
            Path(leftover).unlink(missing_ok=True)
    return model_path


def available(folder: Path | str | None = None) -> list[str]:
    """Tasks with a saved model and metadata, sorted."""
    root = models_dir(folder)
    if not root.is_dir():
        return []
    return sorted(p.stem[len(PREFIX):] for p in root.glob(f"{PREFIX}*.keras")
                  if p.with_suffix(".json").is_file())


def load(task: str, folder: Path | str | None = None) -> tuple[Any, dict[str, Any]]:
    """(Keras model, metadata) of a task; models are kept in memory once loaded."""
    import keras

    model_path, meta_path = paths(task, folder)
    if not model_path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"no saved model for task {task!r} in {model_path.parent}: "
                                "run notebook 03 first (it saves each task's best model)")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    key = (str(model_path), model_path.stat().st_mtime)
    if key not in _loaded:
        _loaded[key] = keras.saving.load_model(model_path, compile=False)
    return _loaded[key], meta


def classify(image_path: str | Path, folder: Path | str | None = None,
             tasks: Sequence[str] | None = None) -> dict[str, tuple[str, float]]:
    """``{task: (label, probability)}`` for one photo, from every saved task model.

    ``image_path`` is a file (any format the data loaders read) or a ``synthetic:`` id.
    ``tasks`` limits the tasks (default: all saved ones).
    """
    import keras

    from helpers import preprocessing
    from helpers.datasets import read_image

    names = list(tasks) if tasks is not None else available(folder)
    if not names:
        raise FileNotFoundError(f"no saved attribute models in {models_dir(folder)}: run "
                                "notebook 03 first")
    out: dict[str, tuple[str, float]] = {}
    for task in names:
        model, meta = load(task, folder)
        image = read_image(image_path, size=meta["image_size"], fit=meta.get("fit", "resize"))
        x = preprocessing.apply(meta["scheme"], image[None], backbone=meta["backbone"])
        # One image: an eager call, not predict(), which would trace a graph per model first.
        probs = keras.ops.convert_to_numpy(model(x, training=False))[0]
        best = int(np.argmax(probs))
        out[task] = (meta["class_names"][best], float(probs[best]))
    return out
