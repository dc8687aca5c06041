"""Build the course site: README, one page per executed notebook, RESULTS.md.

The notebook pages come from the executed copies of the last ``make reproduce``
(``reports/executed/``, with ``reports/metrics/`` for the commit). When any notebook has no
executed copy there, every notebook is run in the smoke profile into a temporary folder
first, and every page says that it shows smoke outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers import config, notebooks, report
from helpers.site import pages, provenance

SMOKE_NOTICE = (
    "The notebook pages of this site come from a smoke-profile run: synthetic images, random "
    "weights, 64 px, one epoch. They show that every notebook runs and what it displays, not "
    "what it finds; no number on them is a result. Run make reproduce, then make site, "
    "for pages from the real data.")
RESULTS_SOURCE = "reports/RESULTS.md"
# Figures must be drawn into the notebook (what Jupyter does), whatever MPLBACKEND says here.
INLINE_FIGURES = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}


@dataclass(frozen=True)
class SiteBuild:
    """What ``build`` wrote."""

    out: Path
    pages: list[Path]
    runs: list[provenance.NotebookRun]
    smoke: bool
    origin: str

    @property
    def failed(self) -> list[str]:
        return [run.stem for run in self.runs if run.failed]


@dataclass(frozen=True)
class _Source:
    repo_path: str  # the page's file relative to the repository, for links between pages
    page: str  # file name in the site
    label: str  # navigation label


def _label(stem: str) -> str:
    number, _, rest = stem.partition("_")
    return f"{number} · {rest.replace('_', ' ')}"


def _missing_executed(executed_dir: Path, wanted: Sequence[Path]) -> list[str]:
    return [nb.stem for nb in wanted if not (executed_dir / nb.name).is_file()]


def smoke_environment(folder: Path) -> dict[str, str]:
    """What a smoke run for the site sets: its reports (metrics, figures) in ``folder``, never
    in the checkout's reports/, and figures drawn into the notebook."""
    return {"LOOKALIKE_REPORTS": str(folder), **INLINE_FIGURES}


def run_smoke(folder: Path) -> Path:
    """Every notebook in the smoke profile into ``folder`` laid out like ``reports/``."""
    results = notebooks.run(profile="smoke", output_dir=folder / "executed",
                            env=smoke_environment(folder), stop_on_failure=False)
    for result in results:
        if not result.ok:
            print(f"  smoke run of {result.notebook.stem} failed; its page shows the error")
    return folder


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def build(out: Path | None = None, source: Path | None = None) -> SiteBuild:
    """Write the site into ``out`` (default ``reports/site``) from the reports folder ``source``
    (default ``reports/``; its ``executed/`` and ``metrics/``), running smoke when needed."""
    source = Path(source or config.reports_dir())
    out = Path(out or config.reports_dir() / "site")
    wanted = notebooks.discover()
    missing = _missing_executed(source / "executed", wanted)
    with tempfile.TemporaryDirectory(prefix="lookalike-site-") as scratch:
        if missing:
            print(f"no executed copy of {', '.join(missing)} in {source / 'executed'}: "
                  "running every notebook in the smoke profile first")
            source = run_smoke(Path(scratch))
            origin = "smoke run made by make site (no make reproduce outputs found)"
        else:
            origin = f"executed copies in {_shown(source / 'executed')}"
        return _write(out, source, wanted, origin)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.repo_root()))
    except ValueError:
        return str(path)


def _page_content(item: _Source, executed: dict[str, Path],
                  runs: Sequence[provenance.NotebookRun], origin: str
                  ) -> tuple[nbformat.NotebookNode, list[str], str]:
    """A page's notebook, provenance line pieces and title."""
    root = config.repo_root()
    if item.repo_path == "README.md":
        nb = pages.markdown_notebook((root / "README.md").read_text())
        return nb, provenance.summary_lines(runs, origin), "lookalike: the course"
    if item.repo_path == RESULTS_SOURCE:
        text = (root / RESULTS_SOURCE).read_text()
        shown = pages.unfold_details(pages.inline_local_images(text, (root / RESULTS_SOURCE).parent))
        return (pages.markdown_notebook(shown), provenance.results_lines(text),
                "Results: the five reports, reproduced")
    stem = Path(item.repo_path).stem
    nb = nbformat.read(executed[stem], as_version=4)
    run = next(r for r in runs if r.stem == stem)
    return nb, provenance.notebook_lines(run, runs, origin), _title(nb, item.label)


def _write(out: Path, source: Path, wanted: Sequence[Path], origin: str) -> SiteBuild:
    executed = {nb.stem: source / "executed" / nb.name for nb in wanted}
    runs = [provenance.notebook_run(path, source / "metrics") for path in executed.values()]
    smoke = any(run.smoke for run in runs)
    order = [_Source("README.md", "index.html", "Home")]
    order += [_Source(f"notebooks/{nb.name}", f"{nb.stem}.html", _label(nb.stem)) for nb in wanted]
    order += [_Source(RESULTS_SOURCE, "results.html", "Results")]
    links = {s.repo_path: s.page for s in order}
    built = f"commit {report.git_commit()}, {provenance.format_utc(dt.datetime.now(dt.UTC))}"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index, item in enumerate(order):
        nb, lines, title = _page_content(item, executed, runs, origin)
        context = pages.PageContext(
            title=title,
            nav=[{"href": s.page, "label": s.label, "current": s is item} for s in order],
            provenance=lines, smoke_notice=SMOKE_NOTICE if smoke else None,
            previous=_neighbour(order, index - 1), next=_neighbour(order, index + 1),
            built=built, math=item.repo_path.endswith(".ipynb"),
            raw_html=item.repo_path.endswith(".ipynb"))
        html = pages.render(nb, context, config.repo_root() / Path(item.repo_path).parent)
        path = out / item.page
        path.write_text(pages.rewrite_links(html, item.repo_path, links), encoding="utf-8")
        written.append(path)
    _forget_stale(out, {p.name for p in written})
    return SiteBuild(out, written, runs, smoke, origin)


# The pages the last build wrote, so the next one removes those it no longer writes (pages of
# notebooks since removed) and never a file it did not write: ``--out`` may name a folder
# that holds the user's own pages.
MANIFEST = ".lookalike-site-pages.json"


def _forget_stale(out: Path, pages_now: set[str]) -> None:
    manifest = out / MANIFEST
    try:
        before = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = []
    if not isinstance(before, list):
        before = []
    for name in before:
        # Only plain page names of this folder: a manifest edited to name ../x is ignored.
        if (isinstance(name, str) and name not in pages_now and name.endswith(".html")
                and Path(name).name == name):
            (out / name).unlink(missing_ok=True)
    manifest.write_text(json.dumps(sorted(pages_now), indent=1) + "\n", encoding="utf-8")


def _neighbour(order: Sequence[_Source], index: int) -> dict[str, str] | None:
    if 0 <= index < len(order):
        return {"href": order[index].page, "label": order[index].label}
    return None
