"""The papermill runner on tiny throwaway notebooks, and the notebook conventions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import NOTEBOOKS, REPO
from helpers import notebooks


def _write_notebook(path: Path, body: str) -> Path:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# throwaway"),
            new_code_cell('PROFILE = "standard"\nVALUE = 1', metadata={"tags": ["parameters"]}),
            new_code_cell("result = VALUE * 2\nprint('profile', PROFILE)"),
            new_code_cell(body),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_runner_executes_with_parameters_and_reports_time(tmp_path: Path) -> None:
    source = _write_notebook(tmp_path / "ok.ipynb",
                             "import os\nopen('seen.txt', 'w').write(f'{PROFILE} {result} {os.getcwd()}')")
    result = notebooks.execute(source, tmp_path / "out" / "ok.ipynb", {"PROFILE": "smoke", "VALUE": 5})
    assert result.ok, result.error
    assert result.seconds > 0
    profile, doubled, cwd = (tmp_path / "seen.txt").read_text().split(" ", 2)
    assert (profile, doubled) == ("smoke", "10")
    assert Path(cwd) == tmp_path  # cwd is the notebook's folder
    executed = json.loads((tmp_path / "out" / "ok.ipynb").read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in executed["cells"])


@pytest.mark.slow
def test_runner_names_the_failing_cell_and_exits_nonzero(tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    _write_notebook(folder / "bad.ipynb", "raise ValueError('deliberate failure')")
    result = notebooks.execute(folder / "bad.ipynb", tmp_path / "bad_out.ipynb")
    assert not result.ok
    assert result.failed_cell == 3  # 0-based index in the source notebook
    assert "ValueError: deliberate failure" in result.error
    assert "cell 3" in result.line()

    cli = subprocess.run(
        [sys.executable, "-m", "helpers.notebooks", "run", "--profile", "smoke",
         "--output-dir", str(tmp_path / "cli"), str(folder / "bad.ipynb")],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )
    assert cli.returncode == 1
    assert "bad.ipynb failed at cell 3" in cli.stderr
    assert "FAILED" in cli.stdout
    timings = json.loads((tmp_path / "cli" / "timings.json").read_text())
    assert timings["smoke"]["bad"]["ok"] is False


def test_discover_by_prefix_and_unknown_name() -> None:
    assert notebooks.discover(["00"])[0].name == "00_setup_and_tour.ipynb"
    with pytest.raises(SystemExit):
        notebooks.discover(["99_nothing"])


def test_strip_removes_outputs_and_keeps_tags(tmp_path: Path) -> None:
    path = _write_notebook(tmp_path / "s.ipynb", "print(1)")
    nb = json.loads(path.read_text())
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
    nb["cells"][2]["execution_count"] = 3
    nb["cells"][2]["metadata"]["scrolled"] = True
    path.write_text(json.dumps(nb))
    assert notebooks.strip([path], check=True) == [path]
    notebooks.strip([path])
    stripped = json.loads(path.read_text())
    assert stripped["cells"][2]["outputs"] == [] and stripped["cells"][2]["execution_count"] is None
    assert stripped["cells"][1]["metadata"]["tags"] == ["parameters"]
    assert notebooks.strip([path], check=True) == []


def test_parameters_of_and_literal_check(tmp_path: Path) -> None:
    path = _write_notebook(tmp_path / "p.ipynb", "")
    assert notebooks.parameters_of(path) == {"PROFILE": "'standard'", "VALUE": "1"}
    assert notebooks.non_literal_parameters(path) == []
    nb = json.loads(path.read_text())
    nb["cells"][1]["source"] = "import os\nSIZE = os.cpu_count()"
    path.write_text(json.dumps(nb))
    assert len(notebooks.non_literal_parameters(path)) == 2


def test_course_notebooks_exist_in_order() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0] == "00_setup_and_tour.ipynb"
    assert names == sorted(names)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_conventions(notebook: Path) -> None:
    nb = json.loads(notebook.read_text())
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown", "cell 1 says which report and what it checks"
    assert "parameters" in cells[1]["metadata"].get("tags", []), "cell 2 is the parameters cell"
    assert notebooks.non_literal_parameters(notebook) == []
    assert "PROFILE" in notebooks.parameters_of(notebook)
    assert "SEED" in notebooks.parameters_of(notebook)
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, "strip outputs"
    assert notebooks.strip([notebook], check=True) == [], "run `python -m helpers.notebooks strip`"


def test_notebooks_in_git_have_no_outputs() -> None:
    tracked = subprocess.run(["git", "ls-files", "notebooks/*.ipynb"], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    for name in tracked:
        shown = subprocess.run(["git", "show", f"HEAD:{name}"], cwd=REPO,
                               capture_output=True, text=True)
        if shown.returncode != 0:  # added but not yet committed
            continue
        for cell in json.loads(shown.stdout)["cells"]:
            assert not cell.get("outputs"), f"{name} has outputs committed"


def test_unknown_or_out_of_range_parameters_are_refused_before_any_kernel(tmp_path, capsys,
                                                                          monkeypatch) -> None:
    source = _write_notebook(tmp_path / "p.ipynb", "print(VALUE)")

    def no_kernel(*args, **kwargs):
        raise AssertionError("no notebook may start")

    monkeypatch.setattr(notebooks, "execute", no_kernel)
    out = ["--output-dir", str(tmp_path / "out"), str(source)]
    assert notebooks.main(["run", "-p", "DATASET", "'/nonexistent'", *out]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter DATASET for p; valid: PROFILE, VALUE" in err
    assert len(err.strip().splitlines()) == 1
    for name, value, message in (("EPOCHS", "0", "EPOCHS=0: epochs must be a whole number >= 1"),
                                 ("BATCH_SIZE", "-1", "BATCH_SIZE=-1: batch size")):
        with pytest.raises(ValueError, match=message):
            notebooks.check_parameters([REPO / "notebooks" / "01_ingwersen_autoencoders.ipynb"],
                                       {name: int(value)})
    monkeypatch.setenv("LOOKALIKE_PROFILE", "nonsense")
    assert notebooks.main(["run", *out]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("error: LOOKALIKE_PROFILE='nonsense' is not one of "
                           "('smoke', 'standard', 'paper')")


@pytest.mark.slow
def test_a_failing_notebook_leaves_the_committed_metrics_as_they_were(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    committed = reports / "metrics" / "demo.json"
    committed.parent.mkdir(parents=True)
    committed.write_text('{"profile": "standard", "metrics": {"kept": {"value": 1}}}\n')
    before = committed.read_bytes()
    body = ("from helpers import report\nreport.start('demo', {'profile': PROFILE})\n"
            "report.record('x', 0.5)\n")
    failing = _write_notebook(tmp_path / "fail.ipynb", body + "raise RuntimeError('bad DATASET')")
    env = {"LOOKALIKE_REPORTS": str(reports)}
    assert not notebooks.execute(failing, tmp_path / "out" / "fail.ipynb", env=env).ok
    assert committed.read_bytes() == before
    finishing = _write_notebook(tmp_path / "ok.ipynb", body + "report.finish()")
    assert notebooks.execute(finishing, tmp_path / "out" / "ok.ipynb", {"PROFILE": "smoke"},
                             env=env).ok
    assert committed.read_bytes() == before  # a smoke run has its own file
    assert json.loads((reports / "metrics" / "smoke" / "demo.json").read_text())["metrics"]["x"][
        "value"] == 0.5
