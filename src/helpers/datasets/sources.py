"""Where each data set comes from: the registry of public origins, resolution and downloads.

Resolution order for a name: ``$LOOKALIKE_DATA/<name>``, then ``data/<name>``, then a download
from the public origin into ``data/<name>``; if all fail the caller falls back to the synthetic
stand-in, loudly (see :func:`helpers.datasets.load`).

A download is streamed to ``<file>.part`` with a progress bar, resumed from where it stopped
(HTTP ``Range``), checked against a SHA-256 where one is known, renamed atomically, extracted
safely into a staging folder (see :mod:`.archives`), checked against the expected manifest
(image files per folder) and only then moved into place, so ``data/<name>`` is either
complete or absent. Every fault (a cut or chunked transfer, a refused resume, a damaged or
hostile archive) ends in :class:`DownloadError`; a bad archive is deleted so the next run
fetches afresh; concurrent fetches of one set are serialised by a lock file.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import logging
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent fetches are not serialised there
    fcntl = None  # type: ignore[assignment]

from .. import config
from .archives import ArchiveError, safe_extract
from .core import DataSource
from .images import is_image_name

log = logging.getLogger("helpers.datasets")


class DownloadError(RuntimeError):
    """A download failed or its content did not verify."""


@dataclass(frozen=True)
class Origin:
    """A data set's public origin and what a correct download must contain.

    ``manifest`` maps folders (relative to the located root) to their number of image files;
    with ``at_least`` the numbers are minimums (GitHub branch archives can grow).
    ``sha256`` is None where no stable checksum is published: the manifest verifies instead.
    """

    name: str
    url: str
    archive: str
    locate: str  # name of the data root inside the archive, or of a file/folder within it
    manifest: dict[str, int]
    sha256: str | None = None
    at_least: bool = False
    renames: dict[str, str] = field(default_factory=dict)
    note: str = ""
    parent: bool = False  # True: ``locate`` names something *in* the root, not the root


PLACES6_CLASSES = ("bathroom", "bedroom", "dining_room", "entrance_hall", "kitchen", "living_room")

REGISTRY: dict[str, Origin] = {
    "places6": Origin(
        "places6",
        "https://github.com/SilviuBR24/room-classification/archive/refs/heads/main.zip",
        "room-classification-main.zip",
        locate="DS",
        manifest={f"{s}/{c}": n for s, n in (("train", 300), ("eval", 100)) for c in PLACES6_CLASSES},
        at_least=True,
        note="Places365 subset (non-commercial research/education); branch archive, no checksum",
    ),
    "flowers": Origin(
        "flowers",
        "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz",
        "flower_photos.tgz",
        locate="flower_photos",
        manifest={"daisy": 633, "dandelion": 898, "rose": 641, "sunflower": 699, "tulip": 799},
        renames={"roses": "rose", "sunflowers": "sunflower", "tulips": "tulip"},
        note="TF flowers (CC-BY), 3670 photos without splits: use datasets.split()",
    ),
    "houses": Origin(
        "houses",
        "https://github.com/emanhamed/Houses-dataset/archive/refs/heads/master.zip",
        "Houses-dataset-master.zip",
        locate="HousesInfo.txt", parent=True,
        manifest={".": 2140},
        at_least=True,
        note="Ahmed & Moustafa 2016, 535 houses x 4 photos; branch archive, no checksum",
    ),
    "tll": Origin(
        "tll",
        "https://github.com/yukwang11/Imagine-Recognition-Totally-Looks-Like/archive/refs/heads/main.zip",
        "Imagine-Recognition-Totally-Looks-Like-main.zip",
        locate="left", parent=True,
        manifest={"left": 1500, "right": 1500},
        at_least=True,
        note="TLL train split as redistributed for a 2023 class challenge; no checksum",
    ),
    "ukbench": Origin(
        "ukbench",
        "https://archive.org/download/ukbench/ukbench.zip",
        "ukbench.zip",
        locate="ukbench00000.jpg", parent=True,
        manifest={".": 10200},
        note="Nister & Stewenius 2006; the original host (vis.uky.edu) is gone, mirror URL "
        "unverified; no checksum",
    ),
}


def local_root(name: str) -> tuple[Path, str] | None:
    """``($LOOKALIKE_DATA/<name>, "LOOKALIKE_DATA")`` or ``(data/<name>, "data/")`` if present."""
    candidates = []
    user = config.user_data_root()
    if user is not None:
        candidates.append((user / name, "LOOKALIKE_DATA"))
    candidates.append((config.data_dir() / name, "data/"))
    for path, origin in candidates:
        if path.is_dir() and any(not p.name.startswith(".") for p in path.iterdir()):
            return path, origin
    return None


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _open(url: str, offset: int, timeout: float):
    """(stream, total size or None, resumed?) starting at ``offset`` where the server can."""
    if urllib.parse.urlparse(url).scheme == "file":
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        stream = open(path, "rb")  # noqa: SIM115 - closed by the caller
        size = path.stat().st_size
        stream.seek(min(offset, size))
        return stream, size, offset > 0
    request = urllib.request.Request(url, headers={"User-Agent": "lookalike-course"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    response = urllib.request.urlopen(request, timeout=timeout)
    try:
        start = _range_start(url, response) if response.status == 206 else 0
        if start not in (0, offset):
            raise DownloadError(f"cannot resume {url}: the server sent bytes from {start}, not "
                                f"from {offset}; delete the .part file and run again")
        # A 206 that starts at 0 is the file from its start: written afresh, never appended.
        resumed = offset > 0 and response.status == 206 and start == offset
        length = response.headers.get("Content-Length")
        if length is not None and not length.strip().isdigit():
            raise DownloadError(f"cannot download {url}: the server sent an invalid "
                                f"Content-Length {length!r}; try again later or another mirror")
    except BaseException:
        response.close()
        raise
    total = int(length) + (offset if resumed else 0) if length else None
    return response, total, resumed


def _range_start(url: str, response) -> int:
    """Where a 206 answer's bytes start (its Content-Range); a server that restarts from 0
    (or sends a range it did not say) is taken as starting over, never appended blindly."""
    content_range = response.headers.get("Content-Range", "")
    unit, _, span = content_range.partition(" ")
    start = span.partition("-")[0]
    if unit.strip().lower() != "bytes" or not start.strip().isdigit():
        raise DownloadError(f"cannot resume {url}: the server answered 206 with an unreadable "
                            f"Content-Range {content_range!r}; delete the .part file and retry")
    return int(start)


# A transfer slower than this over a whole ``timeout`` window is stalled (a server trickling a
# byte a second would otherwise keep every read inside its per-read timeout forever).
MIN_BYTES_PER_SECOND = 1024


class _Pace:
    """Raise :class:`DownloadError` when fewer than ``MIN_BYTES_PER_SECOND`` arrive, on
    average, over a window of ``timeout`` seconds (the part file is kept for a resume)."""

    def __init__(self, url: str, window: float) -> None:
        self.url, self.window = url, max(float(window), 0.001)
        self.started, self.received = time.monotonic(), 0

    def add(self, count: int) -> None:
        self.received += count
        elapsed = time.monotonic() - self.started
        if elapsed < self.window:
            return
        if self.received < MIN_BYTES_PER_SECOND * elapsed:
            raise DownloadError(
                f"download of {self.url} stalled: {self.received} bytes in {elapsed:.0f} s "
                f"(under {MIN_BYTES_PER_SECOND} bytes/s); run again to resume, or download "
                "the archive yourself and set LOOKALIKE_DATA")
        self.started, self.received = time.monotonic(), 0


class _WholePart(Exception):
    """A 416 answer to a resume: the server has nothing past the part file's length."""

    def __init__(self, total: int | None) -> None:
        super().__init__(total)
        self.total = total


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed): one process at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        yield


def _stream_to(url: str, part: Path, offset: int, timeout: float, progress: bool) -> int | None:
    """Append (or write, when the server cannot resume) ``url`` to ``part``; the total size."""
    try:
        stream, total, resumed = _open(url, offset, timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:
            content_range = err.headers.get("Content-Range", "") if err.headers else ""
            size = content_range.rpartition("/")[2]
            raise _WholePart(int(size) if size.isdigit() else None) from err
        raise DownloadError(f"cannot download {url}: {err}") from err
    except (OSError, http.client.HTTPException) as err:
        raise DownloadError(f"cannot download {url}: {err}") from err
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=offset if resumed else 0, unit="B", unit_scale=True,
                   desc=f"downloading {part.name[:-5]}", leave=False)
    try:
        with stream, open(part, "ab" if resumed else "wb") as out:
            pace = _Pace(url, timeout)
            # read1: whatever has arrived (up to 1 MiB), so a trickle is seen as one, while
            # read(n) would wait for all n bytes, each wait only bounded by ``timeout``.
            read = getattr(stream, "read1", stream.read)
            while block := read(1 << 20):
                out.write(block)
                pace.add(len(block))
                if bar is not None:
                    bar.update(len(block))
    except (OSError, http.client.HTTPException) as err:
        # IncompleteRead (a chunked answer cut mid-chunk) is an HTTPException, not an OSError.
        if total is None:  # without a length a resume could not be checked: start over next time
            part.unlink(missing_ok=True)
        raise DownloadError(f"download of {url} interrupted ({type(err).__name__}: {err}); "
                            "run again to resume") from err
    finally:
        if bar is not None:
            bar.close()
    return total


def download(
    url: str, dest: Path, sha256: str | None = None, progress: bool = True, timeout: float = 60.0
) -> Path:
    """Fetch ``url`` to ``dest``: streamed, resumable, verified, renamed atomically.

    An existing ``dest`` is reused when it verifies. A partial ``dest.part`` is continued with
    an HTTP Range request (from the start if the server ignores it). A 416 answer to that
    request is accepted only when it can be checked (the SHA-256, or the total in its
    Content-Range); otherwise the part file is dropped and the file fetched again from the
    start. On a checksum mismatch the part file is removed (it is our own temporary file) and
    ``DownloadError`` is raised. Concurrent calls for one ``dest`` take turns (a lock file).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest.with_name(dest.name + ".lock")):
        if dest.is_file() and (sha256 is None or sha256_of(dest) == sha256):
            return dest
        part = dest.with_name(dest.name + ".part")
        offset = part.stat().st_size if part.is_file() else 0
        try:
            total = _stream_to(url, part, offset, timeout, progress)
        except _WholePart as whole:
            if sha256 is None and whole.total != offset:
                log.warning("%s: the server refused to resume and the part file cannot be "
                            "checked; downloading it again from the start", url)
                part.unlink()
                offset = 0
                total = _stream_to(url, part, 0, timeout, progress)
            else:
                total = whole.total
        if total is not None and part.stat().st_size != total:
            raise DownloadError(f"{url}: got {part.stat().st_size} of {total} bytes; "
                                "run again to resume")
        if sha256 is not None:
            got = sha256_of(part)
            if got != sha256:
                part.unlink()
                raise DownloadError(f"{url}: SHA-256 {got} does not match the expected {sha256}")
        os.replace(part, dest)
    return dest


def count_images(root: Path, manifest: dict[str, int]) -> dict[str, int]:
    """Image files directly in each manifest folder."""
    counts = {}
    for rel in manifest:
        folder = root / rel
        counts[rel] = (
            sum(1 for p in folder.iterdir() if p.is_file() and is_image_name(p))
            if folder.is_dir() else 0
        )
    return counts


def check_manifest(root: Path, origin: Origin) -> None:
    counts = count_images(root, origin.manifest)
    bad = {
        rel: (counts[rel], want)
        for rel, want in origin.manifest.items()
        if (counts[rel] < want if origin.at_least else counts[rel] != want)
    }
    if bad:
        detail = ", ".join(f"{rel}: {got} (expected {'>=' if origin.at_least else ''}{want})"
                           for rel, (got, want) in sorted(bad.items()))
        raise DownloadError(f"{origin.name}: download does not match its manifest: {detail}")


def _locate(staging: Path, origin: Origin) -> Path:
    """The data root inside the extracted tree: the shallowest match of ``origin.locate``."""
    for path in sorted(staging.rglob(origin.locate), key=lambda p: (len(p.parts), str(p))):
        return path.parent if origin.parent else path
    raise DownloadError(f"archive holds no {origin.locate!r}: not the expected layout")


def install(origin: Origin, archive: Path, target: Path) -> Path:
    """Extract ``archive`` safely, locate the data root, verify it and move it to ``target``."""
    staging = target.parent / f".{target.name}.extracting"
    if staging.exists():
        shutil.rmtree(staging)  # our own leftover from an interrupted install
    staging.mkdir(parents=True)
    try:
        safe_extract(archive, staging)
        root = _locate(staging, origin)
        for old, new in origin.renames.items():
            if (root / old).is_dir():
                os.replace(root / old, root / new)
        check_manifest(root, origin)
        if target.exists():
            raise DownloadError(f"{target} appeared while installing; leaving it alone")
        os.replace(root, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def fetch(name: str, progress: bool = True, force_download: bool = False) -> DataSource:
    """Make ``name`` available locally (downloading if needed) and say where it is."""
    if not force_download:
        found = local_root(name)
        if found is not None:
            root, where = found
            return DataSource(name, where, root, f"data: {name} from {root} ({where})")
    if name not in REGISTRY:
        raise KeyError(f"no public origin known for {name!r}; known: {sorted(REGISTRY)}")
    origin = REGISTRY[name]
    target = config.data_dir() / name
    downloads = config.data_dir() / "downloads"
    # A second process fetching the same set waits here, then finds the first one's copy.
    with _locked(downloads / f".{name}.fetch.lock"):
        if not force_download and (found := local_root(name)) is not None:
            return DataSource(name, found[1], found[0], f"data: {name} from {found[0]} ({found[1]})")
        archive = download(origin.url, downloads / origin.archive, origin.sha256, progress=progress)
        try:
            install(origin, archive, target)
        except (ArchiveError, DownloadError) as err:
            # The archive is our own download, not user data: drop it so the next run fetches
            # a fresh copy instead of failing on the same bad file forever.
            archive.unlink(missing_ok=True)
            raise DownloadError(f"{name}: {err} (downloaded archive removed)") from err
    return DataSource(name, "download", target, f"data: {name} downloaded from {origin.url}")
