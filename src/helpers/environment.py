"""What this machine runs the course with: package versions, Keras backend and devices.

Notebook 00 shows these tables first, so a student whose install is off sees it before any
experiment starts.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from importlib import metadata

# (import name, distribution name) of what the course needs; the distribution names are the
# ones pinned in pyproject.toml.
PACKAGES: tuple[tuple[str, str], ...] = (
    ("keras", "keras"),
    ("tensorflow", "tensorflow-cpu"),
    ("numpy", "numpy"),
    ("scipy", "scipy"),
    ("sklearn", "scikit-learn"),
    ("skimage", "scikit-image"),
    ("cv2", "opencv-contrib-python-headless"),
    ("matplotlib", "matplotlib"),
    ("seaborn", "seaborn"),
    ("papermill", "papermill"),
    ("faiss", "faiss-cpu"),
)


def versions() -> list[dict[str, str]]:
    """One row per package: installed version, or why it is missing."""
    rows = [{"package": "python", "version": platform.python_version(), "note": sys.executable}]
    for module, distribution in PACKAGES:
        try:
            version = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            try:
                version = getattr(importlib.import_module(module), "__version__", "?")
            except ImportError as exc:
                rows.append({"package": module, "version": "missing", "note": str(exc)})
                continue
        rows.append({"package": module, "version": version, "note": ""})
    return rows


def backend() -> str:
    import keras

    return keras.backend.backend()


def devices() -> list[str]:
    """Compute devices the Keras backend sees (CPU always; GPUs when present)."""
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        return [f"{d.device_type}: {d.name}" for d in tf.config.list_physical_devices()]
    if name == "jax":
        import jax

        return [f"{d.platform}: {d}" for d in jax.devices()]
    if name == "torch":
        import torch

        found = ["cpu"]
        if torch.cuda.is_available():
            found += [f"cuda:{i} {torch.cuda.get_device_name(i)}" for i in range(torch.cuda.device_count())]
        return found
    return [name]


def summary() -> dict[str, object]:
    """Everything notebook 00 prints about the machine, as one dict."""
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "keras_backend": backend(),
        "devices": devices(),
        "versions": versions(),
    }
