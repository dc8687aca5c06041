"""Downloads and extraction, against a loopback HTTP server and file:// archives (no internet)."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest

from datasets_fixtures import jpeg_bytes

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import config, datasets  # noqa: E402
from helpers.datasets import sources  # noqa: E402
from helpers.datasets.archives import (  # noqa: E402
    CorruptArchiveError,
    UnsafeArchiveError,
    safe_extract,
)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "lookalike_data"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(config, "data_dir", lambda: tmp_path / "data")


class _Server:
    """Serves ``files`` on 127.0.0.1; honours Range unless ``ranges`` is False; logs requests."""

    def __init__(self, files: dict[str, bytes], ranges: bool = True):
        self.files, self.ranges, self.requests = files, ranges, []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                body = outer.files.get(self.path.lstrip("/"))
                rng = self.headers.get("Range")
                outer.requests.append((self.path, rng))
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                if rng and outer.ranges:
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _tgz(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _flower_archive() -> bytes:
    entries = {f"flower_photos/{c}/{i}.jpg": jpeg_bytes() for c in ("daisy", "roses") for i in range(3)}
    entries["flower_photos/LICENSE.txt"] = b"CC-BY"
    return _tgz(entries)


def test_http_download_resumes_and_verifies(tmp_path):
    body = os.urandom(300_000)
    server = _Server({"big.bin": body})
    try:
        dest = tmp_path / "dl" / "big.bin"
        dest.parent.mkdir()
        (tmp_path / "dl" / "big.bin.part").write_bytes(body[:100_000])  # an interrupted run
        sha = hashlib.sha256(body).hexdigest()
        sources.download(server.url + "big.bin", dest, sha, progress=False)
        assert dest.read_bytes() == body and not (tmp_path / "dl" / "big.bin.part").exists()
        assert server.requests == [("/big.bin", "bytes=100000-")]
        sources.download(server.url + "big.bin", dest, sha, progress=False)  # verified, reused
        assert len(server.requests) == 1
    finally:
        server.close()


def test_complete_part_file_is_verified_and_renamed(tmp_path):
    body = os.urandom(20_000)
    server = _Server({"f.bin": body})
    try:
        (tmp_path / "f.bin.part").write_bytes(body)  # stopped just before the rename
        sources.download(server.url + "f.bin", tmp_path / "f.bin",
                         hashlib.sha256(body).hexdigest(), progress=False)
        assert (tmp_path / "f.bin").read_bytes() == body
        assert server.requests == [("/f.bin", "bytes=20000-")]
    finally:
        server.close()


def test_server_without_range_restarts_from_zero(tmp_path):
    body = os.urandom(50_000)
    server = _Server({"f.bin": body}, ranges=False)
    try:
        dest = tmp_path / "f.bin"
        (tmp_path / "f.bin.part").write_bytes(b"garbage that is not the start")
        sources.download(server.url + "f.bin", dest, progress=False)
        assert dest.read_bytes() == body
    finally:
        server.close()


def test_checksum_mismatch_and_missing_url_raise(tmp_path):
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * 1000)
    with pytest.raises(sources.DownloadError, match="SHA-256"):
        sources.download(src.as_uri(), tmp_path / "out.bin", "0" * 64, progress=False)
    assert not (tmp_path / "out.bin").exists() and not (tmp_path / "out.bin.part").exists()
    server = _Server({})
    try:
        with pytest.raises(sources.DownloadError, match="cannot download"):
            sources.download(server.url + "nope.tgz", tmp_path / "n.tgz", progress=False)
    finally:
        server.close()


def test_safe_extract_refuses_traversal_absolute_and_links(tmp_path):
    target = tmp_path / "target"
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(_tgz({"ok.txt": b"fine", "../escaped.txt": b"evil"}))
    with pytest.raises(UnsafeArchiveError, match="traversal"):
        safe_extract(bad, target)
    assert not (tmp_path / "escaped.txt").exists() and not (target / "ok.txt").exists()

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("/etc/evil.txt", b"evil")
    (tmp_path / "abs.zip").write_bytes(buf.getvalue())
    with pytest.raises(UnsafeArchiveError, match="absolute"):
        safe_extract(tmp_path / "abs.zip", target)

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        link = tarfile.TarInfo("data/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../outside"
        tar.addfile(link)
    (tmp_path / "link.tar").write_bytes(buf.getvalue())
    with pytest.raises(UnsafeArchiveError, match="link"):
        safe_extract(tmp_path / "link.tar", target)


def test_corrupt_archives_raise(tmp_path):
    good = _flower_archive()
    (tmp_path / "cut.tgz").write_bytes(good[: len(good) // 2])
    with pytest.raises(CorruptArchiveError):
        safe_extract(tmp_path / "cut.tgz", tmp_path / "t1")
    (tmp_path / "noise.zip").write_bytes(os.urandom(2000))
    with pytest.raises(CorruptArchiveError, match="neither a zip nor a tar"):
        safe_extract(tmp_path / "noise.zip", tmp_path / "t2")


def _origin(url: str, manifest: dict[str, int]) -> sources.Origin:
    return sources.Origin(
        "flowers", url, "flower_photos.tgz", locate="flower_photos", manifest=manifest,
        renames={"roses": "rose"},
    )


def test_fetch_installs_verified_data_then_load_finds_it(tmp_path, monkeypatch):
    archive = tmp_path / "served" / "flower_photos.tgz"
    archive.parent.mkdir()
    archive.write_bytes(_flower_archive())
    monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(archive.as_uri(), {"daisy": 3, "rose": 3}))
    source = datasets.fetch("flowers", progress=False)
    assert source.origin == "download" and source.root == tmp_path / "data" / "flowers"
    assert sorted(p.name for p in source.root.iterdir()) == ["LICENSE.txt", "daisy", "rose"]
    assert not list((tmp_path / "data").glob(".*extracting*"))  # staging cleaned up
    flowers = datasets.load("flowers")
    assert flowers.source.origin == "data/" and flowers.class_names == ("daisy", "rose")
    assert len(flowers) == 6


def test_manifest_mismatch_leaves_nothing_and_load_falls_back(tmp_path, monkeypatch):
    archive = tmp_path / "flower_photos.tgz"
    archive.write_bytes(_flower_archive())
    monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(archive.as_uri(), {"daisy": 633}))
    with pytest.raises(sources.DownloadError, match="manifest"):
        datasets.fetch("flowers", progress=False)
    assert not (tmp_path / "data" / "flowers").exists()
    fallback = datasets.load("flowers")
    assert fallback.source.origin == "synthetic"
    assert fallback.source.notice.startswith("WARNING:") and "download failed" in fallback.source.notice


def test_traversal_archive_from_the_registry_is_refused(tmp_path, monkeypatch):
    archive = tmp_path / "evil.tgz"
    archive.write_bytes(_tgz({"flower_photos/daisy/1.jpg": jpeg_bytes(), "../../pwned": b"x"}))
    monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(archive.as_uri(), {"daisy": 1}))
    with pytest.raises(sources.DownloadError, match="traversal"):
        datasets.fetch("flowers", progress=False)
    assert not (tmp_path / "pwned").exists() and not Path(tmp_path.parent / "pwned").exists()
    assert not (tmp_path / "data" / "flowers").exists()


def test_registry_names_public_origins():
    assert set(sources.REGISTRY) == {"places6", "flowers", "houses", "tll", "ukbench"}
    flowers = sources.REGISTRY["flowers"]
    assert flowers.url.endswith("example_images/flower_photos.tgz")
    assert sum(flowers.manifest.values()) == 3670
    for origin in sources.REGISTRY.values():
        assert origin.url.startswith("https://") and origin.manifest


def test_cli_fetch_list_and_info(tmp_path, monkeypatch, capsys):
    from helpers.datasets.__main__ import main

    archive = tmp_path / "flower_photos.tgz"
    archive.write_bytes(_flower_archive())
    monkeypatch.setitem(sources.REGISTRY, "flowers", _origin(archive.as_uri(), {"daisy": 3, "rose": 3}))
    assert main(["fetch", "flowers"]) == 0
    assert "downloaded from file://" in capsys.readouterr().out
    assert main(["fetch", "flowers"]) == 0  # already there: found, not downloaded again
    assert "(data/)" in capsys.readouterr().out
    assert main(["fetch", "no_such_set"]) == 1
    assert main(["list"]) == 0
    assert "flowers     data/:" in capsys.readouterr().out
    assert main(["info", "flowers"]) == 0
    assert "daisy" in capsys.readouterr().out
