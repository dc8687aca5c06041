from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from helpers import config


def test_repo_root_holds_pyproject_and_notebooks() -> None:
    root = config.repo_root()
    assert (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir()
    assert config.data_dir() == root / "data"


def test_env_paths_relative_to_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKALIKE_DATA", "../shared/datasets")
    assert config.user_data_root() == (config.repo_root() / "../shared/datasets").resolve()
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", "/abs/weights")
    assert config.user_weights_root() == Path("/abs/weights")
    monkeypatch.delenv("LOOKALIKE_DATA")
    assert config.user_data_root() is None


def test_cache_and_reports_follow_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path / "r"))
    assert config.cache_dir() == tmp_path / "c"
    assert config.reports_dir() == tmp_path / "r"


def test_current_profile_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKALIKE_PROFILE", "smoke")
    assert config.current_profile() == "smoke"
    monkeypatch.setenv("LOOKALIKE_PROFILE", "huge")
    with pytest.raises(ValueError):
        config.current_profile()


def test_seed_everything_repeats_python_numpy_and_keras() -> None:
    import keras

    def draw() -> tuple:
        return (random.random(), float(np.random.rand()),
                float(keras.ops.convert_to_numpy(keras.random.uniform((1,)))[0]))

    config.seed_everything(7)
    first = draw()
    config.seed_everything(7)
    assert draw() == first
    config.seed_everything(8)
    assert draw() != first


@pytest.mark.parametrize(("values", "message"), [
    ({"epochs": 0}, "EPOCHS=0: epochs must be a whole number >= 1"),
    ({"autoencoder_epochs": 0}, "AUTOENCODER_EPOCHS=0"),
    ({"batch_size": -1}, "BATCH_SIZE=-1: batch size must be"),
    ({"image_size": 4}, "IMAGE_SIZE=4: image size must be a whole number between 16 and 2048"),
    ({"image_size": 2.5}, "IMAGE_SIZE=2.5"),
    ({"max_per_class": 0}, "MAX_PER_CLASS=0"),
])
def test_validate_refuses_out_of_range_settings(values, message) -> None:
    with pytest.raises(ValueError, match=message):
        config.validate(values)


def test_unwritable_cache_names_lookalike_cache(monkeypatch, tmp_path) -> None:
    # A file where the cache folder should be fails for root too (a chmod would not).
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    monkeypatch.setenv("LOOKALIKE_CACHE", str(blocker))
    with pytest.raises(config.CacheNotWritableError, match="point LOOKALIKE_CACHE at a writable"):
        config.writable_cache_dir("features")
    from helpers.datasets import split, standins

    with pytest.raises(OSError, match=f"LOOKALIKE_CACHE is {blocker}"):
        split(standins.build("places6", 0, 4, reason="test"))


def _python(code: str, **env: str) -> str:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


# Draws from every generator seed_everything seeds, plus a Keras initializer.
_DRAWS = """
import random, numpy as np
def draws():
    import keras
    layer = keras.layers.Dense(3)
    layer.build((None, 2))
    return [random.random(), float(np.random.rand()),
            float(keras.ops.convert_to_numpy(keras.random.uniform((1,)))[0]),
            keras.ops.convert_to_numpy(layer.kernel).round(6).tolist()]
"""


def test_seed_everything_does_not_import_keras_or_tensorflow() -> None:
    out = _python("import sys; from helpers import config; config.seed_everything(3); "
                  "print(sorted({'keras', 'tensorflow', 'jax', 'torch'} & set(sys.modules)))")
    assert out == "[]"


@pytest.mark.slow
def test_lazy_seeding_gives_the_numbers_of_eager_seeding() -> None:
    eager = _python(_DRAWS + "import keras\nfrom helpers import config\n"
                    "config.seed_everything(11)\nprint(draws())")
    # Seeded before Keras is imported (twice: the last seed counts), Keras imported by draws().
    lazy = _python(_DRAWS + "from helpers import config\nconfig.seed_everything(5)\n"
                   "config.seed_everything(11)\nprint(draws())")
    assert lazy == eager


@pytest.mark.slow
def test_op_determinism_is_on_as_soon_as_tensorflow_is_imported() -> None:
    code = ("from helpers import config\nconfig.seed_everything(1)\nimport tensorflow\n"
            "from tensorflow.python.framework import config as tf_config\n"
            "print(tf_config.is_op_determinism_enabled())")
    assert _python(code, KERAS_BACKEND="tensorflow") == "True"
