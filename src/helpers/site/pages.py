"""One HTML page of the site from a notebook or a markdown file, with nbconvert.

The exporter is nbconvert's ``HTMLExporter`` with the course template
(``templates/lookalike``: JupyterLab's template without its CDN scripts) and one change to its
markdown rendering: TeX math becomes MathML at build time (``latex2mathml``), which Chromium
and Firefox draw natively, so no MathJax is fetched when a page is viewed. Output figures are
embedded as data URIs by nbconvert itself; so is any image a markdown cell refers to.

Untrusted text is made harmless, not trusted by flag. Notebook *outputs* print whatever the
run met (a data set folder named ``<img src=x onerror=...>``, a file name, a student's
``display(HTML(...))``), so they are sanitised: nbconvert's ``SanitizeHTML`` (bleach) keeps
an allowlist of tags and attributes (tables, lists, links to http/https/mailto) and drops
scripts, JavaScript outputs and event handlers. Sanitising was chosen over publishing only
"trusted" notebooks because every executed copy comes from a headless run, which Jupyter
never marks trusted, so a trust rule would either refuse every page or be a flag anyone sets.
The markdown files (README, RESULTS.md, whose provenance lines quote data set names) are
rendered with raw HTML escaped; provenance and navigation text is escaped by the template.
The notebooks' own markdown cells are the course's source, reviewed in git: rendered as is.
"""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nbformat
from bs4 import BeautifulSoup
from jinja2 import pass_context
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors.sanitize import SanitizeHTML

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_NAME = "lookalike"
CSS = (TEMPLATES / TEMPLATE_NAME / "site.css").read_text()


def _mathml(tex: str, display: str) -> str:
    """TeX as MathML; TeX latex2mathml cannot parse stays visible as code, never dropped."""
    try:
        return latex_to_mathml(tex, display=display)
    except Exception:  # latex2mathml raises its own zoo of errors on unsupported commands
        return f'<code class="tex">{escape(tex)}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math turned into MathML instead of left for MathJax.

    With ``math=False`` (README, RESULTS.md: GitHub markdown, where "$LOOKALIKE_DATA ... $"
    is not math) what the parser took for math is put back as the text it was.
    """

    def __init__(self, *args: Any, math: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.math = math

    def _math(self, tex: str, display: str, written: str) -> str:
        return _mathml(tex, display) if self.math else self.escape_html(written)

    def inline_math(self, body: str) -> str:
        return self._math(body, "inline", f"${body}$")

    def block_math(self, body: str) -> str:
        return self._math(body, "block", f"$${body}$$")

    def latex_environment(self, name: str, body: str) -> str:
        tex = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return self._math(tex, "block", tex)


class SiteExporter(HTMLExporter):
    """HTMLExporter with the course template and MathML math."""

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        cell, resources = context.get("cell", {}), context.get("resources", {})
        path = resources.get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(
            math=resources.get("site", {}).get("math", True),
            escape=not resources.get("site", {}).get("raw_html", True), attachments=cell.get("attachments", {}),
            embed_images=self.embed_images, path=path, anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


def exporter() -> SiteExporter:
    return SiteExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)],
                        embed_images=True, theme="light")


@dataclass(frozen=True)
class PageContext:
    """What the template needs besides the notebook: navigation and provenance."""

    title: str
    nav: list[dict[str, Any]]
    provenance: list[str]
    smoke_notice: str | None
    previous: dict[str, str] | None
    next: dict[str, str] | None
    built: str
    math: bool = True  # TeX between $ signs is math (notebooks), or text (GitHub markdown)
    raw_html: bool = True  # HTML in markdown is kept (the notebooks' cells) or shown as text

    def resources(self, source_dir: Path) -> dict[str, Any]:
        site = {"nav": self.nav, "provenance": self.provenance, "smoke_notice": self.smoke_notice,
                "previous": self.previous, "next": self.next, "built": self.built, "css": CSS, "math": self.math,
                "raw_html": self.raw_html}
        return {"site": site, "metadata": {"name": self.title, "path": str(source_dir)}}


_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def inline_local_images(text: str, folder: Path) -> str:
    """Markdown images that point at files under ``folder`` (RESULTS.md's figures) become data
    URIs, so the page fetches nothing; one whose file is missing (``make reproduce`` draws them)
    becomes its alt text, so the page shows no broken image."""

    def inline(match: re.Match[str]) -> str:
        alt, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+:", target):  # data:, http: ...: not a local file
            return match.group(0)
        path = (folder / target).resolve()
        if path.suffix.lower() != ".png" or not path.is_file() or folder.resolve() not in path.parents:
            return f"*({alt}: not drawn in this build)*"
        return f"![{alt}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"

    return _MARKDOWN_IMAGE.sub(inline, text)


_DETAILS = re.compile(r"^<details><summary>([^<>]*)</summary>$", re.MULTILINE)


def unfold_details(text: str) -> str:
    """RESULTS.md's ``<details>`` blocks (written by ``helpers.results``, one tag a line) as
    plain headings: a markdown file is rendered with its HTML escaped, which would print the
    tags; on a page of its own the reasoning is shown unfolded."""
    text = _DETAILS.sub(lambda m: f"#### {m.group(1)}", text)
    return re.sub(r"^</details>$", "", text, flags=re.MULTILINE)


def markdown_notebook(text: str) -> nbformat.NotebookNode:
    """A markdown file as a one-cell notebook, so it renders with the same exporter."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    nb.metadata["language_info"] = {"name": "python"}
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Leave out widget outputs (tqdm's progress bars in a headless run): they need a live
    kernel or the widget manager from a CDN, and their text fallback is their first state."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    return nb


# What an output's HTML may keep: bleach's defaults (the first line), plus what tables, pandas
# and our markdown tables need. No script, no event handler, no style attribute, no iframe.
OUTPUT_TAGS = sorted({
    "a", "abbr", "acronym", "b", "blockquote", "code", "em", "i", "li", "ol", "strong", "ul",
    "p", "div", "span", "br", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "style", "details", "summary", "dl", "dt", "dd", "del", "ins", "small", "kbd"})
OUTPUT_ATTRIBUTES = {"*": ["class", "title", "id", "align"], "a": ["href", "title", "rel"],
                     "th": ["colspan", "rowspan", "scope"], "td": ["colspan", "rowspan"],
                     "table": ["border"], "abbr": ["title"], "acronym": ["title"]}


class OutputSanitiser(SanitizeHTML):
    """nbconvert's ``SanitizeHTML`` on code cell outputs only, with :data:`OUTPUT_TAGS`."""

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if cell.cell_type == "code":
            cell.outputs = self.sanitize_code_outputs(cell.outputs)
        return cell, resources


def sanitise_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs made harmless: HTML and markdown outputs through the allowlist, other
    non-image, non-text outputs (JavaScript, SVG, widgets' state) left out."""
    sanitiser = OutputSanitiser(tags=OUTPUT_TAGS, attributes=OUTPUT_ATTRIBUTES, strip=True)
    nb, _ = sanitiser.preprocess(nb, {})
    return nb


def render(nb: nbformat.NotebookNode, context: PageContext, source_dir: Path) -> str:
    nb = sanitise_outputs(drop_widgets(nb))
    nb.metadata["title"] = context.title
    html, _ = exporter().from_notebook_node(nb, resources=context.resources(source_dir))
    return html


def rewrite_links(html: str, source: str, pages: Mapping[str, str]) -> str:
    """Point links between the course's files at their pages.

    ``source`` is the page's file relative to the repository ("README.md", "notebooks/x.ipynb"),
    ``pages`` maps such paths to page file names. A relative link to a repository file that
    has no page (CONTRIBUTING.md, say) keeps its text and loses its target, with the path in
    its title: the site never carries a link that leads nowhere.
    """
    soup = BeautifulSoup(html, features="html.parser")
    base = posixpath.dirname(source)
    site_pages = set(pages.values())
    for link in soup.find_all("a", href=True):
        href = str(link["href"])
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or parts.path in site_pages:
            continue  # outside links, anchors on the page, and the template's own navigation
        target = posixpath.normpath(posixpath.join(base, parts.path))
        if target in pages:
            link["href"] = pages[target] + (f"#{parts.fragment}" if parts.fragment else "")
        else:
            link.name = "span"
            link.attrs = {"title": f"{target} in the repository (not part of the site)"}
    return str(soup)
