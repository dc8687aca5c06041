"""pyproject.toml and environment.yml pin the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO

REQUIRED = {
    "keras", "numpy", "matplotlib", "seaborn", "scikit-learn", "papermill", "jupyterlab",
    "ipykernel", "pytest", "nbstripout", "ruff", "opencv-contrib-python-headless",
}


def _pyproject_pins() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]


def _environment_pins() -> list[str]:
    text = (REPO / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1]
    return [m for m in re.findall(r'^\s+- "([^"]+)"', pip_section, flags=re.M) if m != "-e ."]


def test_environment_yml_mirrors_pyproject_pins() -> None:
    assert _environment_pins() == _pyproject_pins()


def test_every_dependency_is_pinned_exactly() -> None:
    for requirement in _pyproject_pins():
        spec = requirement.split(";")[0].strip()
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.\-]*", spec), requirement


def test_stack_packages_are_all_present() -> None:
    names = {r.split("==")[0].strip().lower() for r in _pyproject_pins()}
    assert names >= REQUIRED
    assert {"tensorflow", "tensorflow-cpu"} & names


def test_environment_yml_uses_python_311() -> None:
    assert re.search(r"^\s+- python=3\.11$", (REPO / "environment.yml").read_text(), flags=re.M)
