"""Open every page of a built site in a real headless browser and say what is wrong with it.

The browser is the system's Chromium (Debian's ``chromium`` package), driven by Playwright
through ``executable_path``: Playwright never downloads a browser of its own here. Every
request that is not for a local file is blocked and recorded, so a page that would need the
internet fails the check the same way it would fail on an offline lab machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CHROMIUM = Path(os.environ.get("LOOKALIKE_CHROMIUM", "/usr/bin/chromium"))
# Headless, and nothing Chromium does on its own (updates, sync, first-run pages) goes out.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
VIEWPORT = {"width": 1280, "height": 1000}

_PAGE_FACTS = """() => ({
  images: Array.from(document.images).map(i => ({src: i.src.slice(0, 80),
                                                 width: i.naturalWidth, height: i.naturalHeight})),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  output_tables: Array.from(document.querySelectorAll('.jp-OutputArea-output table')).map(
    t => Array.from(t.querySelectorAll('thead th, tr:first-child th')).map(h => h.textContent.trim())),
  tables: document.querySelectorAll('table').length,
  header: (document.querySelector('.site-header') || {innerText: ''}).innerText,
})"""


def ensure_chromium(path: Path = CHROMIUM) -> Path:
    """The Chromium binary; installs Debian's ``chromium`` with apt-get when it is missing and
    this process may (root, apt-get present), as on a fresh CI machine."""
    if path.is_file():
        return path
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise RuntimeError(f"no Chromium at {path}: install it (Debian: apt-get install chromium)"
                           " or point LOOKALIKE_CHROMIUM at one")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)
    subprocess.run([apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"],
                   check=True, env=env)
    if not path.is_file():
        raise RuntimeError(f"apt-get installed chromium but {path} is still missing")
    return path


@dataclass
class PageCheck:
    """What the browser saw on one page."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    output_tables: list[list[str]] = field(default_factory=list)  # header cells of each
    tables: int = 0
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    header: str = ""
    broken_links: list[str] = field(default_factory=list)

    @property
    def empty_images(self) -> list[str]:
        return [i["src"] for i in self.images if not (i["width"] > 0 and i["height"] > 0)]

    @property
    def problems(self) -> list[str]:
        found = [f"console: {e}" for e in self.console_errors]
        found += [f"request off the machine: {u}" for u in self.external_requests]
        found += [f"image with no size: {s}" for s in self.empty_images]
        found += [f"link leads nowhere: {u}" for u in self.broken_links]
        return found


@dataclass
class SiteCheck:
    pages: dict[str, PageCheck]
    screenshots: list[Path]

    @property
    def problems(self) -> list[str]:
        return [f"{name}: {p}" for name, check in self.pages.items() for p in check.problems]


def _visit(context, url: str, name: str) -> tuple[PageCheck, Any]:
    check = PageCheck(name)
    page = context.new_page()
    page.on("console", lambda m: check.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: check.console_errors.append(f"uncaught: {e}"))
    page.goto(url, wait_until="load")
    facts = page.evaluate(_PAGE_FACTS)
    check.images, check.links, check.ids = facts["images"], facts["links"], set(facts["ids"])
    check.output_tables, check.tables, check.header = (facts["output_tables"], facts["tables"],
                                                        facts["header"])
    return check, page


def _resolve_links(checks: dict[str, PageCheck], site: Path) -> None:
    """A link inside the site must name one of its pages, and an id on it when it has one."""
    root = site.resolve()
    for check in checks.values():
        for url in check.links:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                continue  # outside links: not followed offline
            target = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            page = checks.get(target.name) if target and root in target.parents else None
            # HTML finds a fragment's element by the fragment as written, then percent-decoded
            # (nbconvert's heading ids are percent-encoded themselves).
            fragment_found = not parts.fragment or bool(
                {parts.fragment, unquote(parts.fragment)} & (page.ids if page else set()))
            if page is None or not fragment_found:
                check.broken_links.append(url)


def check(site: Path, screenshots: Path | None = None,
          screenshot_pages: Sequence[str] = ("index.html",)) -> SiteCheck:
    """Load every ``*.html`` of ``site`` in headless Chromium; screenshot ``screenshot_pages``
    into ``screenshots`` (see :func:`_screenshots`)."""
    from playwright.sync_api import sync_playwright

    site = Path(site).resolve()
    browser_path = ensure_chromium()
    checks: dict[str, PageCheck] = {}
    shots: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(browser_path),
                                             args=list(CHROMIUM_FLAGS), headless=True)
        context = browser.new_context(viewport=VIEWPORT)
        blocked: list[str] = []

        def local_only(route) -> None:
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        for html in sorted(site.glob("*.html")):
            before = len(blocked)
            checks[html.name], page = _visit(context, html.as_uri(), html.name)
            checks[html.name].external_requests = blocked[before:]
            if screenshots is not None and html.name in screenshot_pages:
                shots += _screenshots(page, Path(screenshots), html.stem)
            page.close()
        browser.close()
    _resolve_links(checks, site)
    return SiteCheck(checks, shots)


def _screenshots(page: Any, folder: Path, stem: str) -> list[Path]:
    """The top of the page (navigation, provenance); on a page with output figures, also the
    view at its first figure (``<stem>_figure.png``)."""
    folder.mkdir(parents=True, exist_ok=True)
    top = folder / f"{stem}.png"
    page.screenshot(path=str(top))
    figure = page.locator(".jp-OutputArea-output img")
    if not figure.count():
        return [top]
    figure.first.scroll_into_view_if_needed()
    at_figure = folder / f"{stem}_figure.png"
    page.screenshot(path=str(at_figure))
    return [top, at_figure]
