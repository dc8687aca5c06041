"""Feature extraction speed per Keras backend: the same MobileNetV2, the same images.

Keras picks its backend once per process, so each backend runs in a child process with
``KERAS_BACKEND`` set (``python -m helpers.bench --backend-one NAME``). Each child extracts
the same seeded images through :func:`helpers.features.extract_arrays` (ImageNet weights
from ``$LOOKALIKE_WEIGHTS`` when there, else random weights), after one warm-up call (JAX
compiles on its first batch), best of ``repeats``, and saves its features so the parent can
report the largest difference between backends.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def backend_one(n_images: int, batch_size: int, repeats: int, seed: int, out: Path) -> dict:
    """Images/s of this process's backend; the features go to ``out`` (.npy)."""
    from helpers import backbones, config, features

    config.seed_everything(seed)
    import keras

    images = np.random.default_rng(seed).integers(0, 256, size=(n_images, 224, 224, 3),
                                                  dtype=np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", backbones.WeightsWarning)
        model, info = backbones.build("mobilenetv2", "avg", weights="imagenet", image_size=224)
    features.extract_arrays(images[:batch_size], "mobilenetv2", model=model,
                            batch_size=batch_size)  # warm-up: tracing / compiling
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = features.extract_arrays(images, "mobilenetv2", model=model,
                                          batch_size=batch_size)
        seconds.append(time.perf_counter() - start)
    np.save(out, vectors)
    return {"backend": keras.backend.backend(), "images": n_images, "ips": n_images / min(seconds),
            "weights": info.source, "pretrained": bool(info.pretrained)}


def available_backends() -> list[str]:
    """TensorFlow, plus JAX and torch where importable."""
    return ["tensorflow"] + [b for b in ("jax", "torch") if importlib.util.find_spec(b)]


def bench_backends(n_images: int, batch_size: int, repeats: int, seed: int,
                   backends: list[str] | None = None) -> list[dict]:
    """One row per backend: img/s, ratio to TensorFlow, max |difference| to TensorFlow."""
    rows, first = [], None
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends or available_backends():
            out = Path(tmp) / f"{backend}.npy"
            command = [sys.executable, "-m", "helpers.bench", "--backend-one", str(out),
                       "--images", str(n_images), "--batch-size", str(batch_size),
                       "--repeats", str(repeats), "--seed", str(seed)]
            env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
            done = subprocess.run(command, capture_output=True, text=True, env=env,
                                  check=False)
            if done.returncode != 0:
                rows.append({"backend": backend, "error": done.stderr.strip()[-300:]})
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            vectors = np.load(out)
            if first is None:
                first = (row, vectors)
            row["vs_first"] = row["ips"] / first[0]["ips"]
            row["max_abs_diff"] = float(np.abs(vectors - first[1]).max())
            rows.append(row)
            print(f"  {backend}: {row['ips']:.1f} img/s", file=sys.stderr)
    return rows


def format_backends(rows: list[dict]) -> str:
    if not rows:
        return ""
    base = rows[0]["backend"]
    lines = [f"| Keras backend | MobileNetV2 img/s (224 px) | / {base} | max abs diff to "
             f"{base} | weights |", "|---|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['backend']} | failed: {r['error']} | | | |")
            continue
        lines.append(f"| {r['backend']} | {r['ips']:.1f} | {r['vs_first']:.2f} | "
                     f"{r['max_abs_diff']:.1e} | {r['weights']} |")
    return "\n".join(lines)
