"""Result recording: JSON with provenance, atomic writes, paper-vs-here tables, figure saving."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from helpers import config, report, results
from helpers.studies.fetz2021 import profile as nb04


@dataclass(frozen=True)
class FakeSource:  # the attributes helpers.datasets.DataSource has
    name: str
    origin: str
    root: Path | None
    notice: str


@dataclass
class FakeWeights:  # the interface of helpers.backbones.WeightsInfo
    source: str
    pretrained: bool = True

    def describe(self) -> str:
        return self.source + ("" if self.pretrained else " - RANDOM weights")

    def as_dict(self) -> dict:
        return {"source": self.source, "pretrained": self.pretrained}


@pytest.fixture
def reports(tmp_path, monkeypatch):
    """Reports in tmp, a fixed backend (no keras import), and no recorder left behind."""
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setattr(report, "backend_name", lambda: "tensorflow")
    monkeypatch.setattr(report, "_current", None)
    return tmp_path / "reports"


def test_record_writes_json_with_provenance(reports):
    settings = dataclasses.replace(nb04.SMOKE, epochs=3)
    report.start("01_demo", settings, seed=7)
    src = FakeSource("places6", "LOOKALIKE_DATA", Path("/data/places6"), "local copy")
    weights = FakeWeights("file $LOOKALIKE_WEIGHTS/mobilenetv2_notop.weights.h5")
    returned = report.record("baseline_top1", np.float32(0.625), paper=0.644,
                             data=src, weights=weights, backbone="mobilenetv2", k=(1, 5))
    assert returned == np.float32(0.625)  # passes the value through for inline use
    assert not (reports / "metrics").exists()  # nothing on disk until the run completes
    assert report.finish() == reports / "metrics" / "smoke" / "01_demo.json"
    saved = json.loads((reports / "metrics" / "smoke" / "01_demo.json").read_text())
    assert saved == report.load_metrics("01_demo")
    assert saved["profile"] == "smoke" and saved["seed"] == 7
    assert saved["settings"]["epochs"] == 3 and saved["backend"] == "tensorflow"
    assert saved["git_commit"]  # a short hash or "unknown", never empty
    entry = saved["metrics"]["baseline_top1"]
    assert entry["value"] == pytest.approx(0.625) and entry["paper"] == 0.644
    assert entry["context"] == {"backbone": "mobilenetv2", "k": [1, 5]}
    assert entry["data"]["origin"] == "LOOKALIKE_DATA" and entry["elapsed_s"] >= 0
    # The first data/weights seen become the run's provenance.
    assert saved["data"]["name"] == "places6"
    assert saved["weights"]["description"].startswith("file $LOOKALIKE_WEIGHTS")
    # No temp files left beside the JSON (the atomic write cleans up).
    assert [p.name for p in (reports / "metrics" / "smoke").iterdir()] == ["01_demo.json"]


def test_each_finished_run_saves_its_records_and_nan_becomes_null(reports):
    report.start("02_demo", {"profile": "standard"}, seed=1)
    report.record("a", 1)
    report.finish()
    assert report.load_metrics("02_demo")["metrics"]["a"]["value"] == 1
    report.record("b", float("nan"), note="diverged")
    report.finish()
    saved = report.load_metrics("02_demo")
    assert saved["metrics"]["b"] == {**saved["metrics"]["b"], "value": None, "note": "diverged"}
    assert set(saved["metrics"]) == {"a", "b"}
    report.start("02_demo")  # a new run starts a fresh file
    report.finish()
    assert report.load_metrics("02_demo")["metrics"] == {}


def test_a_failed_or_smoke_run_never_touches_the_standard_file(reports):
    report.start("01_demo", nb04.STANDARD, seed=0)
    for k in range(20):
        report.record(f"m{k}", k / 20)
    committed = report.finish()
    before = committed.read_bytes()
    # A run that dies (bad DATASET): started, recorded some numbers, never finished.
    report.start("01_demo", {"profile": "standard", "dataset": "/nonexistent"}, seed=0)
    report.record("m0", 0.0)
    assert committed.read_bytes() == before
    # A completed smoke run (EPOCHS 0 or not) goes to its own file.
    report.start("01_demo", nb04.SMOKE, seed=0)
    report.record("m0", 0.5)
    smoke = report.finish()
    assert committed.read_bytes() == before and smoke == reports / "metrics" / "smoke" / "01_demo.json"
    assert report.load_metrics("01_demo", "standard")["profile"] == "standard"
    assert report.load_metrics("01_demo", "smoke")["metrics"]["m0"]["value"] == 0.5
    assert results.load_all(reports / "metrics").keys() == {"01_demo"}  # RESULTS sees standard
    assert json.loads(before)["metrics"].keys() == {f"m{k}" for k in range(20)}


def test_headline_names_profile_data_and_weights(reports):
    report.start("03_demo", nb04.STANDARD, seed=42)
    report.provenance(
        data=FakeSource("places6", "LOOKALIKE_DATA", None, ""),
        weights={"mobilenetv2": FakeWeights("file a.h5"), "mobilenet": "random init"},
    )
    assert report.headline() == (
        "Profile standard | data places6 (LOOKALIKE_DATA) | weights mobilenetv2: file a.h5, "
        "mobilenet: random init | seed 42 | backend tensorflow")
    report.provenance(data="flowers")
    assert "| data flowers |" in report.headline()


def test_paper_vs_here_markdown(reports):
    table = report.paper_vs_here(
        [{"model": "ResNet50", "paper": 0.644, "here": 0.6512},
         {"model": "VGG16", "paper": None, "here": np.float64(0.7)},
         {"model": "AE | 512", "paper": 12, "here": np.int64(10)}],
        digits=2,
    )
    assert table == (
        "| model | paper | here | diff |\n"
        "|---|---:|---:|---:|\n"
        "| ResNet50 | 0.64 | 0.65 | +0.01 |\n"
        "| VGG16 | – | 0.70 | – |\n"
        "| AE \\| 512 | 12 | 10 | -2 |")
    assert report.paper_vs_here({"top1": (0.5, 0.25)}).splitlines()[2] == (
        "| top1 | 0.500 | 0.250 | -0.250 |")


def test_paper_vs_here_fits_a_notebook_width(reports):
    long = "measured by one random ranking: 0.138 [0.100, 0.180] over 30 test images"
    table = report.paper_vs_here(
        [{"model": "AE 160", "95% CI": {"low": 0.41234, "high": 0.6}, "note": "3 seeds",
          "paper": 0.771, "here": 0.5},
         {"model": "chance", "95% CI": (0.1, 0.2), "note": long, "paper": None, "here": 0.138},
         {"model": "chance again", "95% CI": None, "note": long, "paper": None, "here": 0.14}])
    assert table == (
        "| model | 95% CI | note | paper | here | diff |\n"
        "|---|---|---|---:|---:|---:|\n"
        "| AE 160 | [0.412, 0.600] | [1] | 0.771 | 0.500 | -0.271 |\n"
        "| chance | [0.100, 0.200] | [2] | – | 0.138 | – |\n"
        "| chance again | – | [2] | – | 0.140 | – |\n"
        "\n"
        "[1] 3 seeds  \n"
        f"[2] {long}")


def test_paper_vs_here_from_recorded_metrics_and_saved(reports):
    report.start("04_demo")
    report.record("top1", 0.5, paper=0.533)
    report.record("top3", 0.75)
    table = report.paper_vs_here(["top1", "top3"], name="baseline")
    assert table.splitlines()[2:] == ["| top1 | 0.533 | 0.500 | -0.033 |",
                                      "| top3 | – | 0.750 | – |"]
    saved = reports / "tables" / "04_demo" / "baseline.md"
    assert saved.read_text() == table + "\n"
    with pytest.raises(KeyError, match="top10"):
        report.paper_vs_here(["top10"])
    with pytest.raises(ValueError, match="'paper' or 'here'"):
        report.paper_vs_here([{"model": "x", "here": 1.0}])


def test_paper_vs_here_displays_once_in_ipython(reports, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    monkeypatch.setattr(report, "_in_ipython", lambda: True)
    table = report.paper_vs_here({"x": (1.0, 1.0)})
    table._ipython_display_()  # what Jupyter does when the table is the cell's last value
    assert shown == [str(table)]
    assert table._repr_markdown_() == str(table)


def test_figures_and_json_land_in_reports(reports):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report.start("05_demo")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = report.save_figure(fig, "curve")
    plt.close(fig)
    assert path == reports / "figures" / "05_demo" / "curve.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sub = {"q1.jpg": ["g3.jpg", "g1.jpg"], "q2.jpg": np.array(["g1.jpg"])}
    path = report.save_json(sub, "submission")
    assert path == reports / "submissions" / "05_demo" / "submission.json"
    assert json.loads(path.read_text()) == {"q1.jpg": ["g3.jpg", "g1.jpg"], "q2.jpg": ["g1.jpg"]}


def test_clear_errors(reports):
    with pytest.raises(RuntimeError, match="report.start"):
        report.record("x", 1)
    with pytest.raises(ValueError, match="no slashes"):
        report.start("../escape")
    report.start("ok")
    with pytest.raises(ValueError, match="metric name"):
        report.record("a/b", 1)
    with pytest.raises(FileNotFoundError, match="run the notebook"):
        report.load_metrics("never_run")
    with pytest.raises(TypeError, match="weights"):
        report.provenance(weights=3.5)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True)


def test_git_commit_short_hash_dirty_and_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "repo_root", lambda: tmp_path)
    assert report.git_commit() == "unknown"  # not a repository
    git(tmp_path, "init", "-q")
    assert report.git_commit() == "unknown"  # no commit yet
    (tmp_path / "f.txt").write_text("a")
    git(tmp_path, "add", "f.txt")
    git(tmp_path, "commit", "-q", "-m", "one")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path,
                          capture_output=True, text=True).stdout.strip()
    assert report.git_commit() == head
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "RESULTS.md").write_text("a run's own output")
    git(tmp_path, "add", "reports")
    git(tmp_path, "commit", "-q", "-m", "results")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path,
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / "reports" / "RESULTS.md").write_text("regenerated")
    assert report.git_commit() == head  # a run rewriting reports/ is not a dirty checkout
    (tmp_path / "f.txt").write_text("b")
    assert report.git_commit() == head + "+dirty"


def test_backend_name_comes_from_keras():
    import keras

    assert report.backend_name() == keras.backend.backend()


def test_metrics_file_is_readable_like_any_other_file(tmp_path, monkeypatch) -> None:
    import os
    import stat

    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    old = os.umask(0o022)
    try:
        recorder = report.start("permissions_check")
        recorder.record("x", 1.0)
        recorder.finish()
    finally:
        os.umask(old)
    assert stat.S_IMODE(recorder.path.stat().st_mode) == 0o644
