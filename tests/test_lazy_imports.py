"""A run that only reads cached features imports neither Keras nor TensorFlow (~9 s saved)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import requires_real_data

WARM_RUN = """
import sys
from helpers import config, datasets, features
config.seed_everything(0)
images = datasets.load("ukbench", download=False)
found = features.extract(images, "mobilenetv2", tap="avg", image_size=64, progress=False)
print(found.from_cache, sorted({"keras", "tensorflow", "jax", "torch"} & set(sys.modules)))
"""


def _run(cache: Path) -> str:
    env = {**os.environ, "LOOKALIKE_CACHE": str(cache), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", WARM_RUN], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@requires_real_data
@pytest.mark.slow
def test_warm_cache_run_imports_no_framework(tmp_path: Path) -> None:
    # The first run computes (and so imports Keras); the second finds every feature cached.
    first = _run(tmp_path)
    assert first.startswith("False") and "'keras'" in first
    assert _run(tmp_path) == "True []"
