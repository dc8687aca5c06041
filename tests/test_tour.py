"""Notebook 00's tour helpers, on synthetic data and without weights files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import backbones, environment, tour


def test_data_sources_report_local_copies_then_downloads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "places6" / "train").mkdir(parents=True)
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path))
    rows = {r["data set"]: r for r in tour.data_sources()}
    assert set(rows) == set(tour.COURSE_DATASETS)
    assert rows["places6"]["from"] == "LOOKALIKE_DATA"
    assert rows["places6"]["path"] == str(tmp_path / "places6")


def test_weights_sources_cover_the_registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    rows = tour.weights_sources()
    assert [r["backbone"] for r in rows] == backbones.names()
    assert all("random init" in r["weights here"] for r in rows)


def test_one_per_class_on_synthetic_sets() -> None:
    images, titles = tour.one_per_class("places6", synthetic=True, size=32, seed=0)
    assert len(images) == len(titles) == 6 and len(set(titles)) == 6
    assert images[0].shape == (32, 32, 3) and images[0].dtype == np.uint8
    pairs, pair_titles = tour.one_per_class("tll", synthetic=True, size=32, seed=0)
    assert pair_titles[:2] == ["left 0", "right 0"] and len(pairs) == len(pair_titles)


def test_schemes_side_by_side_shows_the_bug_squashed() -> None:
    fig, rows = tour.schemes_side_by_side(tour.sample_photo())
    by_scheme = {r["scheme"]: r for r in rows}
    assert by_scheme["simple"]["max"] <= 1.0
    assert by_scheme["imagenet"]["max"] > 100  # caffe mode: mean-subtracted pixel values
    bug = by_scheme["imagenet_then_255_bug"]
    assert bug["max"] - bug["min"] < 1.01  # the whole image squashed into a unit-wide range
    assert len(fig.axes) == len(rows) + 1


def test_environment_summary_names_backend_and_packages() -> None:
    summary = environment.summary()
    assert summary["keras_backend"] in {"tensorflow", "jax", "torch"}
    assert any(d.startswith("CPU") or d == "cpu" for d in summary["devices"])
    packages = {row["package"]: row["version"] for row in summary["versions"]}
    assert packages["keras"].startswith("3.")
    assert "missing" not in packages.values()
