"""`make sync`: the report notebooks' `#@save` cells are the source of each study's saved.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import config, sync

ROOT = config.repo_root()
NOTEBOOK = "05_totally_looks_like.ipynb"


def test_every_saved_module_matches_its_notebook():
    assert sync.stale() == [], "a #@save cell was edited without `make sync`"


def _copy_course(tmp_path: Path) -> Path:
    """A minimal checkout: notebook 05 and the study folder its saved.py goes to."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / "notebooks" / NOTEBOOK)
    saved = sync.module_path("xushi2023", tmp_path)
    saved.parent.mkdir(parents=True)
    shutil.copy(sync.module_path("xushi2023", ROOT), saved)
    return tmp_path


def _edit_first_saved_cell(notebook: Path, old: str, new: str) -> None:
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith(sync.MARKER) and old in source:
            cell["source"] = source.replace(old, new)
            break
    else:
        raise AssertionError(f"no #@save cell holds {old!r}")
    notebook.write_text(json.dumps(nb))


def test_an_edited_cell_makes_its_module_stale_until_synced(tmp_path, capsys, monkeypatch):
    root = _copy_course(tmp_path)
    assert sync.stale(root) == []
    _edit_first_saved_cell(root / "notebooks" / NOTEBOOK, "margin=1.0", "margin=0.5")
    saved = sync.module_path("xushi2023", root)
    assert sync.stale(root) == [saved]
    monkeypatch.setattr(config, "repo_root", lambda: root)
    assert sync.main(["--check"]) == 1
    assert "saved.py differs from its notebook" in capsys.readouterr().out
    assert sync.write(root) == [saved]
    assert "margin=0.5" in saved.read_text() and sync.stale(root) == []
    assert sync.main(["--check"]) == 0


def _notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [],
              "execution_count": None} for s in sources]
    cells.insert(1, {"cell_type": "markdown", "metadata": {}, "source": "#@save in prose"})
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_imports_go_to_the_head_once_in_isort_order_and_other_cells_stay_out(tmp_path):
    path = _notebook(
        tmp_path,
        "#@save\nimport numpy as np\nimport os\n\n\ndef f():\n    return np.ones(1), os.sep",
        "x = 1  # an ordinary cell: not exported",
        "  #@save\n# a comment stays with its code\nfrom helpers import config\nimport numpy as np\n"
        "\nROOT = config.repo_root()",
        "print('#@save not on the first line')\n#@save")
    text = sync.module_text(path)
    assert text.startswith('"""Generated from notebooks/nb.ipynb by `make sync`')
    head = text.split("\n\n\n")[0]
    assert head.endswith("from __future__ import annotations\n\nimport os\n\nimport numpy as np\n\n"
                         "from helpers import config")
    assert text.count("import numpy as np") == 1
    assert "# notebooks/nb.ipynb, cell 0\ndef f():" in text
    assert "# notebooks/nb.ipynb, cell 3\n# a comment stays with its code\n\nROOT = config" in text
    assert "x = 1" not in text and "not on the first line" not in text
    compile(text, "saved.py", "exec")


def test_a_notebook_without_saved_cells_has_no_module(tmp_path):
    assert sync.module_text(_notebook(tmp_path, "x = 1")) is None


def test_a_broken_saved_cell_is_named(tmp_path):
    with pytest.raises(SyntaxError, match=r"nb\.ipynb cell 0: a #@save cell must be valid"):
        sync.module_text(_notebook(tmp_path, "#@save\ndef f(:\n    pass"))


def test_a_hand_written_saved_module_is_never_overwritten_or_deleted(tmp_path):
    root = _copy_course(tmp_path)
    (root / "notebooks" / NOTEBOOK).write_text(json.dumps(
        {"cells": [], "nbformat": 4, "nbformat_minor": 5}))
    saved = sync.module_path("xushi2023", root)
    saved.write_text('"""Written by hand."""\n')
    with pytest.raises(RuntimeError, match="was not written by `make sync`"):
        sync.write(root)
    assert saved.read_text() == '"""Written by hand."""\n'


#: Study packages whose report's models and losses have moved onto their notebook's page.
ON_THE_PAGE = ("xushi2023", "rahlen2019", "ingwersen2020", "fetz2021", "jacobsen2021")
_MODEL_CODE = ("keras.layers.", "keras.Model", "keras.Sequential", "keras.losses.", "keras.Input")


@pytest.mark.parametrize("study", ON_THE_PAGE)
def test_a_study_on_the_page_builds_no_model_outside_its_saved_module(study):
    """The report's models and losses are the notebook's `#@save` cells; the package around
    them holds data plumbing (samplers, feature tables), records and tables only."""
    folder = ROOT / "src" / "helpers" / "studies" / study
    assert (folder / "saved.py").is_file()
    found = []
    for path in sorted(folder.glob("*.py")):
        if path.name == "saved.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            if any(name in code for name in _MODEL_CODE):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found, "model or loss code outside saved.py:\n" + "\n".join(found)


@pytest.mark.parametrize("study", ON_THE_PAGE)
def test_the_page_builds_its_model_with_keras_layers(study):
    notebook = next(stem for stem, name in sync.STUDIES.items() if name == study)
    code = "\n".join(c.code for c in sync.saved_cells(ROOT / "notebooks" / f"{notebook}.ipynb"))
    assert "keras.layers." in code and "keras.Model(" in code
