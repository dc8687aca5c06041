"""The course as a static website, built with nbconvert and checked in a real browser.

    python -m helpers.site build [--out DIR] [--source REPORTS_DIR]   # make site
    python -m helpers.site check [SITE] [--screenshots DIR]

``build`` writes ``reports/site/`` (open ``reports/site/index.html``): the README as landing
page, one page per notebook with its outputs, figures and tables from the last
``make reproduce`` (``reports/executed/``), ``reports/RESULTS.md``, navigation between them
and each page's provenance (commit, profile, date) in its header. Without executed copies it
runs every notebook in the smoke profile first, and every page says so. Every asset is inlined
(figures as data URIs, CSS in the page, math as MathML): nothing is fetched when a page is
viewed, so the folder opens from ``file://`` on a machine with no internet and can be copied
as it is to any static host.

``check`` opens every page in headless Chromium (the system's, see :mod:`helpers.site.browser`) and lists
console errors, requests off the machine, images without a size and links that lead nowhere.
"""

from helpers.site.builder import SMOKE_NOTICE, SiteBuild, build, run_smoke

__all__ = ["SMOKE_NOTICE", "SiteBuild", "build", "run_smoke"]
