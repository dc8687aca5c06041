"""Command line of :mod:`helpers.site` (``make site`` calls ``build``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from helpers import config
from helpers.site import builder


def main(argv: Sequence[str] | None = None) -> int:
    from helpers import site

    parser = argparse.ArgumentParser(prog="python -m helpers.site", description=site.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the static site")
    build_cmd.add_argument("--out", type=Path, default=None, help="default: reports/site")
    build_cmd.add_argument("--source", type=Path, default=None,
                           help="reports folder with executed/ and metrics/ (default: reports)")
    check_cmd = commands.add_parser("check", help="open every page in headless Chromium")
    check_cmd.add_argument("site", nargs="?", type=Path, default=None,
                           help="default: reports/site")
    check_cmd.add_argument("--screenshots", type=Path, default=None,
                           help="folder for screenshots of the landing page and notebook 01")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    if args.command == "build":
        built = builder.build(args.out, args.source)
        print(f"wrote {len(built.pages)} pages to {built.out} in {time.perf_counter() - start:.0f} s"
              f" ({'SMOKE outputs' if built.smoke else 'from ' + built.origin}); "
              f"open {built.out / 'index.html'}")
        if built.failed:
            print(f"notebooks that failed in their run: {', '.join(built.failed)}", file=sys.stderr)
        return 1 if built.failed else 0

    from helpers.site import browser

    folder = args.site or config.reports_dir() / "site"
    shot_pages = ["index.html", *(p.name for p in sorted(folder.glob("01_*.html")))]
    result = browser.check(folder, args.screenshots, shot_pages)
    for name, page in result.pages.items():
        print(f"{name}: {len(page.images)} images, {page.tables} tables, {len(page.links)} links,"
              f" {len(page.problems)} problems")
    for path in result.screenshots:
        print(f"screenshot: {path}")
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
