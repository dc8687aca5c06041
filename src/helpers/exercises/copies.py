"""A student copy and a teacher copy of the course, each from one command.

    python -m helpers.exercises.copies student DIR   # make student DIR=...
    python -m helpers.exercises.copies teacher DIR   # make teacher DIR=...

Both copy the repository's tracked files (``git ls-files``: what a fresh clone holds, with the
working tree's edits; nothing untracked, no virtual environment, cache or executed run) into
``DIR``, which must be new or empty, with every notebook's outputs stripped.

The **student copy** leaves out everything that holds an exercise's answer: the reference
solutions' package (so ``import helpers.exercises.solutions`` fails there and
``helpers.exercises.teacher.reference`` says it is a student copy), the teacher's guide
(``TEACHING.md`` gives expected answers and the common mistakes) and the test suite (its
exercise tests carry the reference solutions' typical mistakes and need the solutions). Every
exercise still checks: the checkers never import the solutions.

The **teacher copy** is the whole repository with each notebook's exercises filled in by
:func:`helpers.exercises.teacher.teacher_copy`: run it, and every check prints "correct".
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from helpers import config

#: What a student copy leaves out (paths relative to the repository root; a folder by prefix).
STUDENT_OMITS = ("src/helpers/exercises/solutions/", "TEACHING.md", "tests/")


def tracked_files(root: Path | None = None) -> list[str]:
    """The repository's tracked files, relative to ``root`` (that still exist on disk)."""
    root = root or config.repo_root()
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True,
                                check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError) as error:
        raise RuntimeError(f"{root} is not a git checkout (git ls-files failed): make the "
                           "copies from a clone of the course") from error
    return sorted(path for path in listed if path and (root / path).is_file())


def omitted_from_student_copy(path: str) -> bool:
    return any(path == omit or (omit.endswith("/") and path.startswith(omit))
               for omit in STUDENT_OMITS)


def _empty_target(target: Path) -> Path:
    target = Path(target).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} exists and is not an empty folder: name a new one")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _copy(files: Sequence[str], root: Path, target: Path) -> None:
    for path in files:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / path, target / path)


def student(target: Path, root: Path | None = None) -> list[str]:
    """Write the student copy into ``target``; the files copied."""
    from helpers import notebooks

    root, target = root or config.repo_root(), _empty_target(target)
    files = [path for path in tracked_files(root) if not omitted_from_student_copy(path)]
    _copy(files, root, target)
    notebooks.strip(sorted((target / "notebooks").glob("*.ipynb")))
    return files


def teacher(target: Path, root: Path | None = None) -> dict[str, list[str]]:
    """Write the teacher copy into ``target``; the exercises filled in, by notebook."""
    from helpers import notebooks
    from helpers.exercises.teacher import teacher_copy

    root, target = root or config.repo_root(), _empty_target(target)
    _copy(tracked_files(root), root, target)
    copies = sorted((target / "notebooks").glob("*.ipynb"))
    notebooks.strip(copies)
    return {copy.stem: teacher_copy(copy, copy) for copy in copies}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.exercises.copies",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("student", "teacher"))
    parser.add_argument("target", type=Path, help="a new or empty folder")
    args = parser.parse_args(argv)
    try:
        if args.kind == "student":
            files = student(args.target)
            print(f"student copy in {args.target}: {len(files)} files, without "
                  f"{', '.join(STUDENT_OMITS)}")
        else:
            filled = teacher(args.target)
            count = sum(len(ids) for ids in filled.values())
            print(f"teacher copy in {args.target}: {count} exercises filled in, in "
                  f"{sum(1 for ids in filled.values() if ids)} notebooks")
    except (FileExistsError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
