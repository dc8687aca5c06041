"""Attack archives and download faults (issue 16): built in the test, served from loopback.

After every fault the user's data folder is byte-for-byte what it was, nothing appears outside
the extraction target, and ``downloads/`` keeps no bad archive.
"""

from __future__ import annotations

import http.server
import io
import os
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from datasets_fixtures import jpeg_bytes, make_class_folder, snapshot

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import config, datasets  # noqa: E402
from helpers.datasets import sources  # noqa: E402
from helpers.datasets.archives import (  # noqa: E402
    ArchiveTooLargeError,
    CorruptArchiveError,
    UnsafeArchiveError,
    safe_extract,
)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """An isolated data/ and a user data folder holding one set, to prove nothing changes."""
    user = tmp_path / "lookalike_data"
    make_class_folder(user / "places6", {"train": 2, "eval": 1})
    monkeypatch.setenv("LOOKALIKE_DATA", str(user))
    monkeypatch.setattr(config, "data_dir", lambda: tmp_path / "data")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "README.md").write_text("kept\n")
    return tmp_path


def _everything(tmp_path: Path) -> dict:
    """Every file under tmp_path except our own lock files (empty, left by flock)."""
    return {k: v for k, v in snapshot(tmp_path).items() if not k.endswith(".lock")}


def _tar(add) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        add(tar)
    return buf.getvalue()


def _file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _link(tar: tarfile.TarFile, name: str, target: str, hard: bool = False) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = (tarfile.LNKTYPE if hard else tarfile.SYMTYPE), target
    tar.addfile(info)


def _symlink_chain(tar: tarfile.TarFile) -> None:
    """The CVE-2025-4517 shape: a long chain of in-tree links whose last hop leaves the tree."""
    _file(tar, "flower_photos/daisy/1.jpg", jpeg_bytes())  # a good entry first
    step = "d" * 200
    path = ""
    for i in range(16):
        _link(tar, f"{path}{chr(97 + i)}", step)
        tar.addfile(_dir(f"{path}{step}"))
        path += f"{step}/"
    _link(tar, "escape", f"{path}../../../../../../../../../../../../../../../../../..")
    _file(tar, "escape/pwned.txt", b"evil")


def _dir(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


def test_symlink_chain_is_refused_before_anything_is_written(tmp_path):
    archive = tmp_path / "chain.tgz"
    archive.write_bytes(_tar(_symlink_chain))
    before = _everything(tmp_path)
    target = tmp_path / "target"
    with pytest.raises(UnsafeArchiveError, match="link in archive"):
        safe_extract(archive, target)
    assert list(target.iterdir()) == []  # not even the good entry that came first
    assert _everything(tmp_path) == before


@pytest.mark.parametrize("kind", ["hardlink", "inner symlink", "fifo", "device"])
def test_every_link_and_special_member_is_refused(tmp_path, kind):
    def add(tar):
        _file(tar, "data/ok.txt", b"fine")
        if kind == "hardlink":
            _link(tar, "data/hard", "../../outside.txt", hard=True)
        elif kind == "inner symlink":
            _link(tar, "data/alias.txt", "ok.txt")  # harmless-looking, still refused
        else:
            info = tarfile.TarInfo("data/special")
            info.type = tarfile.FIFOTYPE if kind == "fifo" else tarfile.CHRTYPE
            tar.addfile(info)

    archive = tmp_path / "a.tgz"
    archive.write_bytes(_tar(add))
    with pytest.raises(UnsafeArchiveError, match="link|special"):
        safe_extract(archive, tmp_path / "target")
    assert list((tmp_path / "target").iterdir()) == []


def test_a_link_already_in_the_target_cannot_redirect_a_write(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    (target / "sub").symlink_to(outside)
    archive = tmp_path / "a.tgz"
    archive.write_bytes(_tar(lambda tar: _file(tar, "sub/x.txt", b"evil")))
    with pytest.raises(UnsafeArchiveError, match="escapes"):
        safe_extract(archive, target)
    assert list(outside.iterdir()) == []


def test_zip_bomb_and_size_cap_are_refused_with_a_clear_error(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * 20_000_000)  # about 20 KB packed: ratio about 1000
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    with pytest.raises(ArchiveTooLargeError, match="decompression bomb"):
        safe_extract(tmp_path / "bomb.zip", tmp_path / "t1")
    assert list((tmp_path / "t1").iterdir()) == []
    archive = tmp_path / "photos.tgz"
    archive.write_bytes(_tar(lambda tar: _file(tar, "a.jpg", jpeg_bytes())))
    with pytest.raises(ArchiveTooLargeError, match="over the cap"):
        safe_extract(archive, tmp_path / "t2", max_bytes=100)
    assert list((tmp_path / "t2").iterdir()) == []
    assert safe_extract(archive, tmp_path / "t3") == tmp_path / "t3"  # the caps allow photos
    assert (tmp_path / "t3" / "a.jpg").read_bytes() == jpeg_bytes()


def _origin(url: str) -> sources.Origin:
    return sources.Origin("flowers", url, "flower_photos.tgz", locate="flower_photos",
                          manifest={"daisy": 2})


def _good_archive() -> bytes:
    return _tar(lambda tar: [_file(tar, f"flower_photos/daisy/{i}.jpg", jpeg_bytes())
                             for i in range(2)])


class _FaultServer:
    """Serves one body at /f, misbehaving as ``mode`` says; logs (path, Range) requests."""

    def __init__(self, body: bytes, mode: str = "ok", delay: float = 0.0):
        self.body, self.mode, self.delay, self.requests = body, mode, delay, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - the http.server API
                rng = self.headers.get("Range")
                outer.requests.append((self.path, rng))
                time.sleep(outer.delay)
                if outer.mode == "cut_chunk":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b"%x\r\n" % 100_000 + outer.body[:500])  # then hang up
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if rng and outer.mode == "416":
                    self.send_response(416)  # no Content-Range: the part cannot be checked
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/f"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _no_bad_archive(tmp_path: Path) -> None:
    downloads = tmp_path / "data" / "downloads"
    left = [p.name for p in downloads.iterdir() if not p.name.endswith(".lock")] if (
        downloads.is_dir()) else []
    assert left == []


def _falls_back(tmp_path: Path, before: dict) -> None:
    fallback = datasets.load("flowers")
    assert fallback.source.origin == "synthetic" and "download failed" in fallback.source.notice
    assert _everything(tmp_path) == before
    _no_bad_archive(tmp_path)


def test_cut_chunked_transfer_ends_in_download_error_then_fallback(places, monkeypatch):
    with _FaultServer(_good_archive(), "cut_chunk") as server:
        monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(server.url))
        before = _everything(places)
        with pytest.raises(sources.DownloadError, match="interrupted.*IncompleteRead"):
            datasets.fetch("flowers", progress=False)
        _falls_back(places, before)


def test_truncated_tgz_is_removed_and_every_rerun_falls_back(places, monkeypatch):
    with _FaultServer(_good_archive()[:60]) as server:
        monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(server.url))
        before = _everything(places)
        with pytest.raises(sources.DownloadError, match="downloaded archive removed"):
            datasets.fetch("flowers", progress=False)
        _falls_back(places, before)
        _falls_back(places, before)  # no crash loop: the next run downloads afresh
        assert len(server.requests) == 3


def test_symlink_chain_served_as_flowers_writes_nothing(places, monkeypatch):
    with _FaultServer(_tar(_symlink_chain)) as server:
        monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(server.url))
        before = _everything(places)
        with pytest.raises(sources.DownloadError, match="link in archive"):
            datasets.fetch("flowers", progress=False)
        _falls_back(places, before)
        assert not (places / "data" / "flowers").exists()


def test_416_on_resume_refetches_when_the_part_cannot_be_checked(tmp_path):
    body = os.urandom(30_000)
    with _FaultServer(body, "416") as server:
        part = tmp_path / "f.bin.part"
        part.write_bytes(b"x" * len(body))  # same length, wrong bytes
        got = sources.download(server.url, tmp_path / "f.bin", progress=False)
        assert got.read_bytes() == body and not part.exists()
        assert server.requests == [("/f", f"bytes={len(body)}-"), ("/f", None)]


def test_concurrent_fetches_of_one_set_are_serialised(places, monkeypatch):
    with _FaultServer(_good_archive(), delay=0.3) as server:
        monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(server.url))
        results, errors = [], []

        def fetch():
            try:
                results.append(datasets.fetch("flowers", progress=False))
            except Exception as err:  # noqa: BLE001 - the test reports whatever escaped
                errors.append(err)

        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == [] and len(results) == 2
        assert {r.root for r in results} == {places / "data" / "flowers"}
        assert len(server.requests) == 1  # the second found the first one's copy
        assert sorted(p.name for p in (places / "data" / "flowers" / "daisy").iterdir()) == [
            "0.jpg", "1.jpg"]


def test_corrupt_archive_error_names_the_file(tmp_path):
    (tmp_path / "cut.tgz").write_bytes(_good_archive()[:60])
    with pytest.raises(CorruptArchiveError, match="cut.tgz"):
        safe_extract(tmp_path / "cut.tgz", tmp_path / "t")


def test_zip_symlink_member_is_refused_before_writing(tmp_path):
    import stat

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data/ok.txt", b"fine")
        link = zipfile.ZipInfo("data/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "../../outside")
    (tmp_path / "link.zip").write_bytes(buf.getvalue())
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        safe_extract(tmp_path / "link.zip", tmp_path / "target")
    assert list((tmp_path / "target").iterdir()) == []
