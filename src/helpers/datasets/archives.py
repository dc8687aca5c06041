"""Safe extraction of downloaded .zip / .tar(.gz) archives.

Every entry is checked before anything is written: no absolute paths, no ``..`` components,
no links pointing outside the target, no device files. One bad entry refuses the whole archive
(a half-extracted data set is worse than none). Damaged archives raise ``CorruptArchiveError``.
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath


class ArchiveError(RuntimeError):
    """The archive cannot be extracted safely."""


class CorruptArchiveError(ArchiveError):
    """The archive is damaged or not an archive."""


class UnsafeArchiveError(ArchiveError):
    """An entry would land outside the target folder (path traversal, absolute path, link)."""


def _check_name(name: str, target: Path) -> Path:
    """The destination of entry ``name``, or UnsafeArchiveError if it escapes ``target``."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (posix.parts and ":" in posix.parts[0]):
        raise UnsafeArchiveError(f"absolute path in archive: {name!r}")
    if ".." in posix.parts:
        raise UnsafeArchiveError(f"path traversal ('..') in archive: {name!r}")
    dest = (target / Path(*posix.parts)).resolve() if posix.parts else target.resolve()
    if not dest.is_relative_to(target.resolve()):
        raise UnsafeArchiveError(f"entry escapes the target folder: {name!r}")
    return dest


def _extract_tar(archive: Path, target: Path) -> None:
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for m in members:
                dest = _check_name(m.name, target)
                if m.isdev() or m.isfifo():
                    raise UnsafeArchiveError(f"device or FIFO entry in archive: {m.name!r}")
                if m.islnk():  # hard link: its target is another entry's name
                    _check_name(m.linkname, target)
                elif m.issym():  # symbolic link: relative to the folder it sits in
                    if PurePosixPath(m.linkname).is_absolute():
                        raise UnsafeArchiveError(f"absolute link in archive: {m.name!r}")
                    if not (dest.parent / m.linkname).resolve().is_relative_to(target.resolve()):
                        raise UnsafeArchiveError(f"link pointing outside the target: {m.name!r}")
            # Python's own "data" filter repeats these checks and drops odd permission bits.
            tar.extractall(target, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        if isinstance(err, tarfile.FilterError):
            raise UnsafeArchiveError(f"{archive.name}: {err}") from err
        raise CorruptArchiveError(f"{archive.name} is damaged or not a tar archive: {err}") from err


def _extract_zip(archive: Path, target: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_name(info.filename, target)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    # zipfile would write a link as a plain file holding its target; refuse it
                    # rather than guess, data sets have no reason to contain links.
                    raise UnsafeArchiveError(f"symbolic link in zip archive: {info.filename!r}")
            bad = zf.testzip()  # CRC of every member, before writing anything
            if bad is not None:
                raise CorruptArchiveError(f"{archive.name}: member {bad!r} fails its CRC check")
            zf.extractall(target, members=infos)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as err:
        raise CorruptArchiveError(f"{archive.name} is damaged or not a zip archive: {err}") from err


def safe_extract(archive: str | Path, target: str | Path) -> Path:
    """Extract ``archive`` (zip or tar, any compression) into the existing folder ``target``."""
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        _extract_zip(archive, target)
    else:
        try:
            is_tar = tarfile.is_tarfile(archive)
        except OSError as err:
            raise CorruptArchiveError(f"cannot read {archive}: {err}") from err
        if not is_tar:
            raise CorruptArchiveError(f"{archive.name} is neither a zip nor a tar archive")
        _extract_tar(archive, target)
    return target
