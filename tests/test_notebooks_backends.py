"""The smoke profile of every notebook on the other Keras 3 backends (JAX; torch when installed).

The README says the notebooks run on any Keras 3 backend; these runs are what says so. Each
notebook runs in a papermill kernel with ``KERAS_BACKEND`` set, so Keras picks the backend
before its first import there. JAX's CPU wheel is pinned in pyproject.toml, so JAX always
runs; PyPI's torch wheel for Linux pulls the CUDA libraries (GBs), so torch is not pinned and
its runs are skipped, with the reason, unless torch is installed.

The unit tests that compare Keras losses and metrics with NumPy references run again under
JAX in a child pytest (they are written against ``keras.ops``, so they must hold there too).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, REPO
from helpers import notebooks

OTHER_BACKENDS = ("jax", "torch")
# The unit tests whose numbers come from keras.ops losses and are checked against NumPy
# references (SupCon, margin, Hadsell contrastive, ranking hinge, InfoNCE, fused cosines).
NUMPY_REFERENCE_TESTS = ("tests/test_jacobsen2021_contrastive.py", "tests/test_fetz2021_saved.py",
                         "tests/test_xushi2023_model.py")
NUMPY_REFERENCE_SELECTION = ("numpy or zero_loss or penalises or batch_mean or "
                             "scores_are_cosines or stable_at_tiny or hadsell")


def _backend_param(backend: str):
    missing = importlib.util.find_spec(backend) is None
    reason = (f"{backend} is not installed (PyPI's torch wheel pulls the CUDA libraries, so it "
              "is not pinned; pip install torch to run these)" if backend == "torch"
              else f"{backend} is not installed: run the set-up (it is pinned in pyproject.toml)")
    return pytest.param(backend, id=backend,
                        marks=pytest.mark.skipif(missing, reason=reason))


BACKEND_PARAMS = [_backend_param(b) for b in OTHER_BACKENDS]

# On the smoke profile's few images, XLA's compilation is most of a JAX run (measured on
# notebook 03, loaded 2-core box: 158 s of CPU by default, 118 s with the backend optimisation
# level at 0, 100 s with the compilation cache as well, since a notebook rebuilds the same model
# for each seed and architecture; a second run from a warm cache 65 s). The level changes how
# fast XLA's code runs, not what it computes, and these runs check that each notebook completes.
# The cache folder is shared by the JAX runs of each worker.
JAX_SPEED_FLAGS = "--xla_backend_optimization_level=0"


@pytest.fixture
def jax_compilation_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per worker's session (the base temp), so the runs stay spread over the
    workers (a session-scoped fixture would group them, conftest) and still share a cache."""
    folder = tmp_path_factory.getbasetemp() / "jax_compilation_cache"
    folder.mkdir(exist_ok=True)
    return folder


def backend_env(backend: str, jax_cache: Path) -> dict[str, str]:
    """The kernel's environment for ``backend``: JAX gets the fast-compile settings above."""
    env = {"KERAS_BACKEND": backend}
    if backend == "jax":
        env.update({
            "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} {JAX_SPEED_FLAGS}".strip(),
            "JAX_COMPILATION_CACHE_DIR": str(jax_cache),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
        })
    return env


def _stdout(executed: Path) -> str:
    cells = json.loads(executed.read_text())["cells"]
    return "".join("".join(o["text"]) for c in cells if c["cell_type"] == "code"
                   for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_smoke_profile_on_backend(notebook: Path, backend: str,
                                                   isolated_outputs: Path,
                                                   jax_compilation_cache: Path) -> None:
    output = isolated_outputs / "executed" / backend / notebook.name
    result = notebooks.execute(notebook, output, {"PROFILE": "smoke"},
                               env=backend_env(backend, jax_compilation_cache))
    assert result.ok, (f"{notebook.name} on {backend} failed at cell {result.failed_cell}: "
                       f"{result.error}")
    if notebook.name.startswith("00_"):
        # The kernel really ran the backend: notebook 00 prints the one Keras picked.
        assert f"Keras backend {backend}" in _stdout(output)
    elif backend == "jax":  # the kernel saw the cache setting: what it compiled is there
        assert any(jax_compilation_cache.iterdir()), "JAX wrote nothing to its compilation cache"


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_numpy_reference_unit_tests_hold_on_backend(backend: str, tmp_path: Path) -> None:
    env = {**os.environ, "KERAS_BACKEND": backend}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--rootdir", str(REPO), "-o", "addopts=", "-k", NUMPY_REFERENCE_SELECTION,
               *NUMPY_REFERENCE_TESTS]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " deselected" in done.stdout, done.stdout[-2000:]
