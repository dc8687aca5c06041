"""``python -m helpers.datasets list | fetch NAME... | info NAME``: the data sets from a shell.

``make data`` calls ``fetch`` for every name with a public origin.
"""

from __future__ import annotations

import argparse
import sys

from . import NAMES, REGISTRY, fetch, load, sources


def _list() -> int:
    for name in NAMES:
        found = sources.local_root(name)
        where = f"{found[1]}: {found[0]}" if found else "not local"
        origin = REGISTRY[name].url if name in REGISTRY else "(no public origin: synthetic only)"
        print(f"{name:<11} {where}\n{'':<11} origin {origin}")
    return 0


def _fetch(names: list[str], force: bool) -> int:
    failed = 0
    for name in names or list(REGISTRY):
        try:
            print(fetch(name, force_download=force).notice)
        except (KeyError, sources.DownloadError, OSError) as err:
            failed += 1
            print(f"{name}: FAILED: {err}", file=sys.stderr)
    return 1 if failed else 0


def _info(name: str, synthetic: bool) -> int:
    data = load(name, synthetic=synthetic)
    print(data.source.notice)
    print(repr(data))
    if hasattr(data, "counts"):
        print(data.counts().to_string())
    report = data.skipped.summary()
    print(report or "no image problems found at load time")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.datasets", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="names, where each is found, public origins")
    p_fetch = sub.add_parser("fetch", help="download into data/<name> (all when no name given)")
    p_fetch.add_argument("names", nargs="*", metavar="NAME", help=", ".join(REGISTRY))
    p_fetch.add_argument("--force", action="store_true", help="download even if a copy exists")
    p_info = sub.add_parser("info", help="load a set (or a folder) and print its counts")
    p_info.add_argument("name")
    p_info.add_argument("--synthetic", action="store_true", help="the generated stand-in")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "fetch":
        return _fetch(args.names, args.force)
    return _info(args.name, args.synthetic)


if __name__ == "__main__":
    sys.exit(main())
