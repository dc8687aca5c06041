"""The course site: pages, links, provenance and offline assets; then the real thing in Chromium.

The fast tests build the site from small hand-made executed notebooks. The browser test
builds it from the session's smoke runs (the same executed copies the smoke tests check) and
opens every page in Debian's headless Chromium, installed by the set-up when it is missing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import NOTEBOOKS, SmokeRuns
from helpers import report, site
from helpers.site import browser, builder, pages, provenance

PAGE_NAMES = {"index.html", "results.html", *(f"{nb.stem}.html" for nb in NOTEBOOKS)}


def _png() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (200, 30, 30)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _executed_copy(stem: str, profile: str, start: dt.datetime) -> nbformat.NotebookNode:
    """A small notebook as papermill leaves it: a title, math, a figure, a paper/here table."""
    figure = nbformat.v4.new_output("display_data", data={"image/png": _png(),
                                                          "text/plain": "<Figure>"})
    table = nbformat.v4.new_output("display_data", data={
        "text/markdown": "| metric | paper | here | difference |\n|---|---:|---:|---:|\n"
                         "| top1 | 0.5 | 0.6 | +0.1 |", "text/plain": "table"})
    progress = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "0%|"})
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# Notebook {stem}\n\nA distance $\\lVert a-b\\rVert^2$."),
        nbformat.v4.new_code_cell("show()", outputs=[figure, table, progress])])
    end = start + dt.timedelta(minutes=2)
    nb.metadata["papermill"] = {"parameters": {"PROFILE": profile}, "exception": None,
                                "start_time": start.isoformat(), "end_time": end.isoformat(),
                                "duration": 120.0}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    return nb


def _fake_reports(folder: Path, profile: str = "standard", commit: str = "abc1234") -> Path:
    """A reports folder like `make reproduce` leaves: executed copies and metrics."""
    start = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    for nb_path in NOTEBOOKS:
        executed = folder / "executed" / nb_path.name
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(_executed_copy(nb_path.stem, profile, start), executed)
        if not nb_path.stem.startswith("00"):  # notebook 00 records no metrics
            metrics = report.metrics_path(nb_path.stem, profile, base=folder / "metrics")
            metrics.parent.mkdir(parents=True, exist_ok=True)
            metrics.write_text(json.dumps({"profile": profile, "git_commit": commit,
                                           "started_at": (start + dt.timedelta(seconds=5))
                                           .isoformat()}))
    return folder


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory: pytest.TempPathFactory) -> builder.SiteBuild:
    folder = tmp_path_factory.mktemp("fake")
    return site.build(folder / "site", _fake_reports(folder / "reports"))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(), features="html.parser")


def test_one_page_each_for_readme_notebooks_and_results(fake_site: builder.SiteBuild) -> None:
    assert {p.name for p in fake_site.pages} == PAGE_NAMES
    assert {p.name for p in fake_site.out.iterdir()} == PAGE_NAMES | {builder.MANIFEST}
    assert not fake_site.smoke and not fake_site.failed


def test_every_page_links_to_every_other_and_readme_links_become_pages(
        fake_site: builder.SiteBuild) -> None:
    for path in fake_site.pages:
        nav = {a["href"] for a in _soup(path).select(".site-nav a")}
        assert nav == PAGE_NAMES, path.name
    readme_links = {a["href"] for a in _soup(fake_site.out / "index.html").select("main a")}
    assert "results.html" in readme_links  # README's reports/RESULTS.md
    assert not any(h.endswith(".md") and "://" not in h for h in readme_links)


def test_headers_carry_each_runs_commit_profile_and_date(fake_site: builder.SiteBuild) -> None:
    header = _soup(fake_site.out / f"{NOTEBOOKS[1].stem}.html").select_one(".site-provenance")
    text = header.get_text(" ")
    assert "profile standard" in text and "commit abc1234" in text
    assert "2026-11-23 02:02 UTC" in text
    tour = _soup(fake_site.out / f"{NOTEBOOKS[0].stem}.html").select_one(".site-provenance")
    assert "commit abc1234 (from the run's other notebooks" in tour.get_text(" ")
    results = _soup(fake_site.out / "results.html").select_one(".site-provenance").get_text(" ")
    committed = (builder.config.repo_root() / "reports" / "RESULTS.md").read_text()
    commit = re.search(r"^- commit: (.+)$", committed, flags=re.M).group(1)
    assert f"commit {commit}" in results
    assert not _soup(fake_site.out / "index.html").select(".site-smoke")


def test_pages_fetch_nothing_and_render_math_and_figures_inline(
        fake_site: builder.SiteBuild) -> None:
    for path in fake_site.pages:
        soup = _soup(path)
        assert not soup.select("script[src], link[href], iframe, img[src^=http]"), path.name
        assert not soup.select('script[type="application/vnd.jupyter.widget-view+json"]')
        assert all(img["src"].startswith("data:image/") for img in soup.select("img[src]"))
    notebook = _soup(fake_site.out / f"{NOTEBOOKS[1].stem}.html")
    assert notebook.select("math")  # \lVert a-b\rVert^2 as MathML
    assert len(notebook.select(".jp-OutputArea-output img")) == 1
    headers = [th.get_text() for th in notebook.select(".jp-OutputArea-output table th")]
    assert {"paper", "here"} <= set(headers)


def test_missing_executed_copies_fall_back_to_a_smoke_run_said_on_every_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_smoke(folder: Path) -> Path:
        calls.append(folder)
        return _fake_reports(folder, profile="smoke", commit="def5678")

    monkeypatch.setattr(builder, "run_smoke", fake_smoke)
    (tmp_path / "reports" / "executed").mkdir(parents=True)  # a reproduce that never ran
    built = site.build(tmp_path / "site", tmp_path / "reports")
    assert calls and built.smoke
    for path in built.pages:
        notice = _soup(path).select_one(".site-smoke")
        assert notice is not None and "smoke-profile run" in notice.get_text(), path.name
    assert "profile smoke" in _soup(built.pages[1]).select_one(".site-provenance").get_text()


@pytest.mark.parametrize("math", [True, False])
def test_dollar_signs_are_math_in_notebooks_and_text_in_markdown_files(math: bool) -> None:
    text = "weights in $LOOKALIKE_WEIGHTS/a.h5; data in $LOOKALIKE_DATA"
    context = pages.PageContext("t", [], [], None, None, None, "now", math=math)
    soup = BeautifulSoup(pages.render(pages.markdown_notebook(text), context, Path(".")),
                         features="html.parser")
    assert bool(soup.select("main math")) == math
    assert ("$LOOKALIKE_WEIGHTS/a.h5; data in $" in soup.select_one("main").get_text()) != math


def test_links_to_repository_files_without_a_page_lose_their_target() -> None:
    html = ('<a href="CONTRIBUTING.md">guide</a> <a href="reports/RESULTS.md#01">r</a> '
            '<a href="https://example.org/x">out</a> <a href="#here">h</a>')
    out = pages.rewrite_links(html, "README.md", {"reports/RESULTS.md": "results.html"})
    soup = BeautifulSoup(out, features="html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["results.html#01",
                                                        "https://example.org/x", "#here"]
    assert soup.find("span", title=re.compile("CONTRIBUTING.md")).get_text() == "guide"


def test_metrics_of_another_run_give_no_commit(tmp_path: Path) -> None:
    start = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    executed = tmp_path / "01_x.ipynb"
    nbformat.write(_executed_copy("01_x", "standard", start), executed)
    metrics = {"profile": "standard", "git_commit": "old0000",
               "started_at": (start - dt.timedelta(days=1)).isoformat()}
    (tmp_path / "01_x.json").write_text(json.dumps(metrics))
    assert provenance.notebook_run(executed, tmp_path).commit is None
    metrics["started_at"] = start.isoformat()
    (tmp_path / "01_x.json").write_text(json.dumps(metrics))
    assert provenance.notebook_run(executed, tmp_path).commit == "old0000"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; apt-get installs it here when it is missing (CI starts fresh)."""
    return browser.ensure_chromium()


_MARKDOWN_TABLE_RULE = re.compile(r"^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*(:?-{3,}:?)?\s*$", re.M)


def _count_outputs(executed: Path) -> tuple[int, int]:
    """Figures and tables among a notebook's outputs, counted in the form the page shows
    (HTML when an output has it, else its markdown)."""
    nb = json.loads(executed.read_text())
    data = [o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])]
    figures = sum("image/png" in d or "image/jpeg" in d or "image/svg+xml" in d for d in data)
    tables = 0
    for d in data:
        if "text/html" in d:
            tables += "".join(d["text/html"]).count("<table")
        elif "text/markdown" in d:
            tables += len(_MARKDOWN_TABLE_RULE.findall("".join(d["text/markdown"])))
    return figures, tables


@pytest.mark.slow
@pytest.mark.notebook
def test_site_from_smoke_runs_opens_cleanly_in_chromium(
        smoke_runs: SmokeRuns, chromium: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # No `make reproduce` outputs: build takes its smoke fallback, which reuses the session's
    # smoke runs (made with the same environment as builder.run_smoke) instead of a second one.
    reports = smoke_runs.all()
    monkeypatch.setattr(builder, "run_smoke", lambda folder: reports)
    built = site.build(tmp_path / "site", tmp_path / "no-reproduce")
    assert built.smoke and not built.failed and "smoke run" in built.origin
    first = f"{NOTEBOOKS[1].stem}.html"
    # pytest keeps only its last three temporary folders; CI may name a folder that stays.
    shots = Path(os.environ.get("LOOKALIKE_SCREENSHOTS") or tmp_path / "screenshots")
    checked = browser.check(built.out, shots, ["index.html", first])
    for shot in checked.screenshots:
        print(f"screenshot: {shot}")
    assert {s.name for s in checked.screenshots} == {
        "index.png", f"{NOTEBOOKS[1].stem}.png", f"{NOTEBOOKS[1].stem}_figure.png"}
    assert all(s.stat().st_size > 10_000 for s in checked.screenshots)
    assert set(checked.pages) == PAGE_NAMES
    assert checked.problems == []
    for name, page in checked.pages.items():
        assert "Smoke outputs" in page.header, name
        assert {Path(link).name for link in page.links} >= PAGE_NAMES, name
    for notebook in NOTEBOOKS:
        page = checked.pages[f"{notebook.stem}.html"]
        assert "profile smoke" in page.header and "commit" in page.header
        figures, tables = _count_outputs(reports / "executed" / notebook.name)
        assert len(page.images) == figures
        assert len(page.output_tables) == tables
        if not notebook.stem.startswith("00"):
            assert figures > 0, notebook.stem
            assert any({"paper", "here"} <= set(headers) for headers in page.output_tables), \
                f"{notebook.stem}: no paper-vs-here table on its page"


def test_results_figures_are_inlined_or_named_never_broken(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path.parent / "outside.png").write_bytes(b"\x89PNG")
    text = ("![drawn](figures/a.png) ![missing](figures/b.png) ![web](https://example.org/c.png) "
            "![escape](../outside.png)")
    shown = pages.inline_local_images(text, tmp_path)
    assert "![drawn](data:image/png;base64," in shown
    assert "*(missing: not drawn in this build)*" in shown
    assert "![web](https://example.org/c.png)" in shown
    assert "*(escape: not drawn in this build)*" in shown


def test_results_details_blocks_become_headings_not_printed_tags() -> None:
    text = "a\n<details><summary>The reasoning</summary>\n\n| x |\n\n</details>\nb"
    shown = pages.unfold_details(text)
    assert "#### The reasoning" in shown and "<details>" not in shown and "</details>" not in shown
    assert pages.unfold_details("<details><summary><b>x</b></summary>") == (
        "<details><summary><b>x</b></summary>")  # anything but our own line stays (escaped)
