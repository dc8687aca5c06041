"""Safe extraction of downloaded .zip / .tar(.gz) archives.

Every entry is checked before anything is written: no absolute paths, no ``..`` components, no
links of any kind (symbolic or hard: a data set has no use for them), no device files or FIFOs,
no more than ``max_bytes`` in all and no more than ``max_ratio`` times the archive's own size.
One bad entry refuses the whole archive (a half-extracted data set is worse than none), and
nothing is written until every entry has passed. Damaged archives raise ``CorruptArchiveError``.

Why we do not lean on ``tarfile``'s ``filter="data"``: CPython before 3.11.13 (3.12.11,
3.13.4) does not enforce it against long symlink chains (CVE-2025-4517 and its siblings
CVE-2024-12718, CVE-2025-4138/4330/4435), and the course machines run 3.11.7. The extraction
below never calls ``extractall``: it refuses every link up front, writes regular files itself
with ``O_EXCL | O_NOFOLLOW`` and checks that each final path, resolved on disk, lies inside the
real target. That holds on any patch level, so the project can keep ``requires-python >=3.11``.
"""

from __future__ import annotations

import gzip
import lzma
import os
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import IO

# The largest registry archive (ukbench) unpacks to about 1.5 GB; 16 GiB leaves room for user
# mirrors without letting a bomb fill the disk.
MAX_TOTAL_BYTES = 16 * 1024**3
# Photos barely compress (ratio about 1); text compresses about 5-10x. 100x only bombs reach.
MAX_RATIO = 100.0
MAX_ENTRIES = 1_000_000
_CHUNK = 1 << 20


class ArchiveError(RuntimeError):
    """The archive cannot be extracted safely."""


class CorruptArchiveError(ArchiveError):
    """The archive is damaged or not an archive."""


class UnsafeArchiveError(ArchiveError):
    """An entry would land outside the target folder (path traversal, absolute path, link)."""


class ArchiveTooLargeError(UnsafeArchiveError):
    """The archive unpacks to more than the size or compression-ratio cap allows."""


def _relative_parts(name: str) -> tuple[str, ...]:
    """The entry's path components, or UnsafeArchiveError for absolute paths and ``..``."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (posix.parts and ":" in posix.parts[0]):
        raise UnsafeArchiveError(f"absolute path in archive: {name!r}")
    if ".." in posix.parts:
        raise UnsafeArchiveError(f"path traversal ('..') in archive: {name!r}")
    return tuple(p for p in posix.parts if p != ".")


def _check_sizes(archive: Path, total: int, count: int, max_bytes: int, max_ratio: float) -> None:
    if count > MAX_ENTRIES:
        raise ArchiveTooLargeError(f"{archive.name}: {count} entries (the cap is {MAX_ENTRIES})")
    if total > max_bytes:
        raise ArchiveTooLargeError(
            f"{archive.name} would unpack to {total / 1e6:.0f} MB, over the cap of "
            f"{max_bytes / 1e6:.0f} MB: refused before writing anything")
    packed = max(archive.stat().st_size, 1)
    if total / packed > max_ratio:
        raise ArchiveTooLargeError(
            f"{archive.name} would unpack to {total / packed:.0f}x its own size "
            f"({packed / 1e3:.0f} KB -> {total / 1e6:.0f} MB), over the cap of {max_ratio:.0f}x: "
            "a decompression bomb, refused before writing anything")


def _inside(target: Path, parts: tuple[str, ...]) -> Path:
    """``target/parts`` after resolving what exists on disk; refused if it leaves ``target``."""
    dest = target.joinpath(*parts)
    if not Path(os.path.realpath(dest)).is_relative_to(target):
        raise UnsafeArchiveError(f"entry escapes the target folder: {'/'.join(parts)!r}")
    return dest


def _check_layout(archive: Path, plan: Iterable[tuple[tuple[str, ...], bool, Callable[[], IO[bytes]]]]
                  ) -> None:
    """Refuse an archive in which one path is both a file and a folder (``a`` and ``a/b``):
    no extraction of it can be right, so it is a damaged archive, found before writing."""
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    for parts, is_dir, _ in plan:
        if not parts:
            continue
        folders.update(parts[:depth] for depth in range(1, len(parts)))
        (folders if is_dir else files).add(parts)
    clash = sorted(files & folders)
    if clash:
        raise CorruptArchiveError(
            f"{archive.name} holds {'/'.join(clash[0])!r} both as a file and as a folder: "
            "damaged or not a data set archive")


def _write(target: Path, plan: Iterable[tuple[tuple[str, ...], bool, Callable[[], IO[bytes]]]],
           max_bytes: int) -> None:
    """Create the checked entries: folders, then files opened with O_EXCL | O_NOFOLLOW."""
    written = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for parts, is_dir, opener in plan:
        if not parts:
            continue
        dest = _inside(target, parts)
        if is_dir:
            dest.mkdir(parents=True, exist_ok=True)
            continue
        _inside(target, parts[:-1]).mkdir(parents=True, exist_ok=True)
        _inside(target, parts)  # the parent chain, now on disk, still resolves inside
        try:
            fd = os.open(dest, flags, 0o666)
        except FileExistsError as err:
            raise UnsafeArchiveError(f"entry appears twice in the archive: {'/'.join(parts)!r}") from err
        except (IsADirectoryError, NotADirectoryError) as err:
            raise CorruptArchiveError(f"entry {'/'.join(parts)!r} clashes with a folder") from err
        with os.fdopen(fd, "wb") as out, opener() as src:
            while block := src.read(_CHUNK):
                written += len(block)
                if written > max_bytes:  # headers can lie about sizes; the bytes cannot
                    raise ArchiveTooLargeError(f"archive unpacks to more than {max_bytes} bytes")
                out.write(block)


def _extract_tar(archive: Path, target: Path, max_bytes: int, max_ratio: float) -> None:
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()  # reads the whole archive: a cut one fails here
            plan, total = [], 0
            for m in members:
                parts = _relative_parts(m.name)
                if m.issym() or m.islnk():
                    raise UnsafeArchiveError(
                        f"link in archive: {m.name!r} -> {m.linkname!r} (data set archives need "
                        "no links, so none is extracted)")
                if not (m.isfile() or m.isdir()):
                    raise UnsafeArchiveError(f"device, FIFO or other special entry: {m.name!r}")
                total += m.size if m.isfile() else 0
                plan.append((parts, m.isdir(), lambda m=m: tar.extractfile(m)))
            _check_sizes(archive, total, len(members), max_bytes, max_ratio)
            _check_layout(archive, plan)
            _write(target, plan, max_bytes)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError) as err:
        raise CorruptArchiveError(f"{archive.name} is damaged or not a tar archive: {err}") from err


def _extract_zip(archive: Path, target: Path, max_bytes: int, max_ratio: float) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            plan, total = [], 0
            for info in infos:
                parts = _relative_parts(info.filename)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    # zipfile would write a link as a plain file holding its target; refuse it
                    # rather than guess, data sets have no reason to contain links.
                    raise UnsafeArchiveError(f"symbolic link in zip archive: {info.filename!r}")
                if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise UnsafeArchiveError(f"special entry in zip archive: {info.filename!r}")
                total += info.file_size
                plan.append((parts, info.is_dir(), lambda info=info: zf.open(info)))
            _check_sizes(archive, total, len(infos), max_bytes, max_ratio)
            bad = zf.testzip()  # CRC of every member, before writing anything
            if bad is not None:
                raise CorruptArchiveError(f"{archive.name}: member {bad!r} fails its CRC check")
            _check_layout(archive, plan)
            _write(target, plan, max_bytes)
    except (zipfile.BadZipFile, EOFError, zlib.error) as err:
        raise CorruptArchiveError(f"{archive.name} is damaged or not a zip archive: {err}") from err


def safe_extract(archive: str | Path, target: str | Path, *, max_bytes: int = MAX_TOTAL_BYTES,
                 max_ratio: float = MAX_RATIO) -> Path:
    """Extract ``archive`` (zip or tar, any compression) into the folder ``target``.

    On any refusal or damage, what this call created under ``target`` is removed again.
    """
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    real_target = Path(os.path.realpath(target))
    before = set(os.listdir(real_target))
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, real_target, max_bytes, max_ratio)
            return target
        try:
            is_tar = tarfile.is_tarfile(archive)
        except (OSError, EOFError, zlib.error) as err:  # a gzip stream cut in its first block
            raise CorruptArchiveError(f"cannot read {archive.name}: {err}") from err
        if not is_tar:
            raise CorruptArchiveError(f"{archive.name} is neither a zip nor a tar archive")
        _extract_tar(archive, real_target, max_bytes, max_ratio)
        return target
    except BaseException:
        for name in set(os.listdir(real_target)) - before:
            path = real_target / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
