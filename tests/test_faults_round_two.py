"""Bad input and faults, round two (issue 32): each case built here, none from a committed file.

One test per case of the issue, in its order; the README's "Bad input and faults" names them.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import config, features, notebooks, report
from helpers.datasets import archives, images, loaders, sources, splits
from helpers.datasets.core import DataSource, SkipReport
from helpers.site import builder, pages, provenance

REPO = Path(__file__).resolve().parents[1]


def _png(width: int, height: int, rows: int | None = None, colour: int = 6) -> bytes:
    """A PNG whose header says ``width`` x ``height`` (RGBA by default) holding ``rows`` rows
    of zeros (all of them by default), compressed in pieces so no big buffer is built here."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    channels = {2: 3, 6: 4}[colour]
    row = b"\0" * (1 + width * channels)
    packer, data = zlib.compressobj(9), []
    for _ in range(height if rows is None else rows):
        data.append(packer.compress(row))
    data.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(data))
            + chunk(b"IEND", b""))


def _jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=95)
    return out.getvalue()


# 1 ------------------------------------------------------------------------------------------
def test_site_build_removes_only_the_pages_it_wrote(tmp_path, monkeypatch):
    out = tmp_path / "site"
    out.mkdir()
    (out / "my_notes.html").write_text("<p>mine</p>")
    wanted = [REPO / "notebooks" / name for name in ("a_one.ipynb", "b_two.ipynb")]

    def fake_write(names):
        monkeypatch.setattr(builder, "_page_content", lambda item, *a: (
            pages.markdown_notebook("text"), ["line"], item.label))
        monkeypatch.setattr(provenance, "notebook_run", lambda path, _: provenance.NotebookRun(
            Path(path).stem, "standard", "not recorded", None, None, False))
        return builder._write(out, tmp_path, [w for w in wanted if w.stem in names], "test")

    fake_write({"a_one", "b_two"})
    assert (out / "b_two.html").is_file()
    fake_write({"a_one"})  # b_two's notebook was removed: its page goes, the user's file stays
    assert not (out / "b_two.html").exists()
    assert (out / "my_notes.html").read_text() == "<p>mine</p>"


# 2 ------------------------------------------------------------------------------------------
def test_a_huge_declared_png_decodes_without_float_copies_at_full_size(tmp_path):
    path = tmp_path / "wide.png"
    path.write_bytes(_png(4000, 4000))  # 64 MB of RGBA once decoded, a few hundred bytes here
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        rgb = images.read_image(path, 64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rgb.shape == (64, 64, 3)
    # NumPy's arrays are traced: before, a float32 RGBA copy of all 16 Mpx (256 MB) was made.
    assert peak < 32 * 1024**2


def test_decodes_running_together_share_one_memory_budget(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    path.write_bytes(_png(1200, 1000))
    need = images.decode_bytes("RGBA", 1200, 1000)
    monkeypatch.setattr(images, "DECODE_BUDGET", images.DecodeBudget(need))  # one at a time
    active, most = [0], [0]
    lock = threading.Lock()
    convert = images._to_rgb

    def counted(*args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.02)  # gives other threads a chance to overlap, if they could
        with lock:
            active[0] -= 1
        return convert(*args, **kwargs)

    monkeypatch.setattr(images, "_to_rgb", counted)
    batch = images.load_batch([str(path)] * 8, 32, workers=4)
    assert batch.shape == (8, 32, 32, 3)
    assert most[0] == 1


# 3 ------------------------------------------------------------------------------------------
def test_feature_cache_key_changes_with_the_pixels_whatever_the_mtime(tmp_path):
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.write_bytes(_jpeg((200, 10, 10)))
    b.write_bytes(_jpeg((10, 10, 200)))
    before = features._content_identity([str(a), str(b)])
    stamp = a.stat()
    # other pixels of the same size, the old modification time put back (as tar or touch do)
    other = bytearray(a.read_bytes())
    other[-10] ^= 0xFF
    a.write_bytes(bytes(other))
    os.utime(a, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert a.stat().st_size == stamp.st_size and a.stat().st_mtime_ns == stamp.st_mtime_ns
    assert features._content_identity([str(a), str(b)]) != before


# 4 ------------------------------------------------------------------------------------------
ATTACK = "<img src=x onerror=alert(1)>"


def test_no_markup_from_data_or_outputs_reaches_a_page(tmp_path, monkeypatch):
    import nbformat
    from bs4 import BeautifulSoup

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={
            "text/html": f"<b>ok</b><script>alert(2)</script>{ATTACK}"
                         '<a href="javascript:alert(3)">link</a><table><tr><td>1</td></tr></table>',
            "text/plain": "ok"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(4)"}),
    ])])
    nb.metadata["language_info"] = {"name": "python"}
    context = pages.PageContext(title="t", nav=[], provenance=[f"data {ATTACK}"],
                                smoke_notice=None, previous=None, next=None, built="now")
    html = pages.render(nb, context, tmp_path)
    # RESULTS.md quotes the data set's name in its provenance lines; built as make site does
    repo = tmp_path / "repo"
    (repo / "reports").mkdir(parents=True)
    (repo / "README.md").write_text("# Course\n")
    (repo / "reports" / "RESULTS.md").write_text(f"# Results\n\n- profile: standard\n"
                                                 f"- data: places6 from /x/{ATTACK}\n")
    monkeypatch.setattr(config, "repo_root", lambda: repo)
    site = builder._write(tmp_path / "site", tmp_path, [], "test")
    html += "".join(page.read_text() for page in site.pages)

    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script")
    assert not [(tag.name, attr) for tag in soup.find_all(True) for attr in tag.attrs
                if attr.lower().startswith("on")]
    assert not [a for a in soup.find_all(href=True) if "javascript" in a["href"].lower()]
    assert "alert(4)" not in html  # a JavaScript output is left out altogether
    assert ATTACK in soup.get_text()  # the names are shown as text
    assert soup.find("td", string="1") is not None  # tables in outputs are kept


# 5 ------------------------------------------------------------------------------------------
def test_an_executed_copy_of_an_interrupted_run_is_not_finished(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"),
                                         nbformat.v4.new_code_cell("2")])
    nb.cells[0].metadata["papermill"] = {"status": "completed"}
    nb.cells[1].metadata["papermill"] = {"status": "running"}
    nb.metadata["papermill"] = {"parameters": {"PROFILE": "standard"}, "exception": None,
                                "start_time": "2026-01-01T00:00:00", "end_time": None}
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    run = provenance.notebook_run(path, tmp_path)
    assert run.failed and run.interrupted
    assert "DID NOT FINISH" in " ".join(provenance.notebook_lines(run, [run], "test"))


@pytest.mark.slow
def test_sigterm_stops_the_runner_nonzero_and_publishes_no_copy(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('PROFILE = "smoke"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"open({str(tmp_path / 'started')!r}, 'w').close()\n"
                                  "import time\ntime.sleep(120)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    source = tmp_path / "99_sleeper.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "executed"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "helpers.notebooks", "run", str(source),
                             "--profile", "smoke", "--output-dir", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(1200):  # the kernel starts, then the cell writes its marker
            if (tmp_path / "started").exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert (tmp_path / "started").exists(), proc.communicate()[0]
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=120)[0].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, output
    assert not (out / source.name).exists()


def test_smoke_runs_write_their_own_executed_figures_and_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    recorder = report.start("05_demo", {"profile": "smoke"})
    table = recorder.save_table("| a |\n|---|\n| 1 |", "t")
    assert table == tmp_path / "tables" / "smoke" / "05_demo" / "t.md"
    assert notebooks.executed_dir("smoke") == tmp_path / "executed" / "smoke"
    assert notebooks.executed_dir("standard") == tmp_path / "executed"


# 6 ------------------------------------------------------------------------------------------
def test_archive_with_a_file_and_a_folder_of_one_name_is_an_archive_error(tmp_path):
    archive = tmp_path / "clash.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/a", b"file")
        zf.writestr("data/a/b.jpg", b"inside")
    with pytest.raises(archives.ArchiveError, match="both as a file and as a folder"):
        archives.safe_extract(archive, tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())


# 7 ------------------------------------------------------------------------------------------
class _Server:
    """A local HTTP server answering every GET with ``handler(request)``."""

    def __init__(self, respond):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                respond(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/file.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_bad_content_length_is_a_download_error(tmp_path):
    def respond(request):
        request.send_response(200)
        request.send_header("Content-Length", "12x")
        request.end_headers()
        request.wfile.write(b"0123456789ab")

    server = _Server(respond)
    try:
        with pytest.raises(sources.DownloadError, match="invalid Content-Length"):
            sources.download(server.url, tmp_path / "f.zip", progress=False, timeout=5)
    finally:
        server.close()


def test_a_trickling_server_is_given_up_on(tmp_path):
    stop = threading.Event()

    def respond(request):
        request.send_response(200)
        request.send_header("Content-Length", "100000")
        request.end_headers()
        for _ in range(1000):  # one byte every 50 ms, each well inside the read timeout
            if stop.is_set():
                return
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(0.05)

    server = _Server(respond)
    try:
        with pytest.raises(sources.DownloadError, match="stalled"):
            sources.download(server.url, tmp_path / "f.zip", progress=False, timeout=1)
    finally:
        stop.set()
        server.close()


def test_a_206_from_byte_zero_replaces_the_part_file(tmp_path):
    whole = b"0123456789" * 100

    def respond(request):
        request.send_response(206)
        request.send_header("Content-Range", f"bytes 0-{len(whole) - 1}/{len(whole)}")
        request.send_header("Content-Length", str(len(whole)))
        request.end_headers()
        request.wfile.write(whole)

    dest = tmp_path / "f.zip"
    dest.with_name("f.zip.part").write_bytes(whole[:300])
    server = _Server(respond)
    try:
        sources.download(server.url, dest, progress=False, timeout=5)
    finally:
        server.close()
    assert dest.read_bytes() == whole


# 8 ------------------------------------------------------------------------------------------
def test_unreadable_class_folders_and_files_are_counted_not_fatal(tmp_path, monkeypatch):
    for cls in ("cats", "dogs", "locked"):
        (tmp_path / cls).mkdir()
        for i in range(2):
            (tmp_path / cls / f"{i}.jpg").write_bytes(_jpeg((i * 90, 40, 40)))
    scandir = os.scandir

    def refusing(path="."):  # what a chmod 000 folder does (the tests may run as root)
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(loaders.os, "scandir", refusing)
    source = DataSource("perm", "user folder", tmp_path, "test")
    loaded = loaders.load_class_folder(tmp_path, source)
    assert loaded.class_names == ("cats", "dogs")
    assert loaded.skipped.counts().get(loaders.UNREADABLE_FOLDER) == 1

    unreadable = Path(loaded.items[0])
    opener = Image.open

    def refuse_one(path, *args, **kwargs):
        if Path(str(path)) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return opener(path, *args, **kwargs)

    monkeypatch.setattr(images.Image, "open", refuse_one)
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", str(self))))
    skips = SkipReport()
    batch = images.load_batch(loaded.items, 32, report=skips, workers=1)
    assert batch.shape[0] == len(loaded.items)
    assert any(images.UNREADABLE_REASON in reason for reason in skips.counts())


# 9 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["", "garbage\x00\x01 ,,\n\"unclosed", "item,label\nx,0\n"])
def test_a_damaged_split_file_is_rebuilt(tmp_path, monkeypatch, damage):
    from helpers.datasets.core import ImageSet

    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    items = [f"synthetic:s/{i}" for i in range(20)]
    imageset = ImageSet(name="s", items=items, labels=np.arange(20) % 2, class_names=("a", "b"),
                        source=DataSource("s", "user folder", None, "test"))
    first = splits.split(imageset)
    path = splits.split_file(imageset, splits.DRE19, 0)
    path.write_text(damage)
    again = splits.split(imageset)
    assert list(again.splits) == list(first.splits)


def test_a_damaged_cache_entry_in_a_read_only_cache_names_the_way_out(tmp_path, monkeypatch):
    entry = tmp_path / "entry.npz"
    entry.write_bytes(b"not a zip")

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)  # a read-only folder (the tests may run as root)
    with pytest.raises(config.CacheNotWritableError, match="LOOKALIKE_CACHE"):
        features._load(entry, "key", None)


# 10 -----------------------------------------------------------------------------------------
def test_a_long_data_set_name_gives_a_cache_file_name_that_fits(tmp_path, monkeypatch):
    from helpers.datasets.core import ImageSet

    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path))
    name = "猫" * 80
    info = {"dataset": name, "splits": ["train"]}
    path = features._cache_path(info, "resnet50", "avg_pool", "imagenet", 224, "k" * 64)
    assert len(path.name.encode()) <= 255
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")  # the file system takes the name
    imageset = ImageSet(name=name, items=["synthetic:x/0"], labels=np.zeros(1, int),
                        class_names=("a",), source=DataSource(name, "user folder", None, "test"))
    split_path = splits.split_file(imageset, splits.DRE19, 0)
    assert len(split_path.name.encode()) <= 255


# 11 -----------------------------------------------------------------------------------------
def test_mpo_files_are_jpegs_and_a_short_png_is_noted(tmp_path):
    first, second = Image.new("RGB", (4000, 3000), (200, 30, 30)), Image.new("RGB", (64, 48))
    mpo = tmp_path / "phone.jpg"
    first.save(mpo, "MPO", save_all=True, append_images=[second])
    with Image.open(mpo) as im:
        assert im.format == "MPO"
    # 12 Mpx at full size, 0.19 Mpx at the 1/8 decode: a pixel cap of 1 Mpx passes it only if
    # the MPO is decoded at reduced size like the same JPEG.
    assert images.check_file(mpo, max_pixels=1_000_000) is None
    rgb, _ = images.decode(mpo, (64, 64))
    assert max(rgb.shape[:2]) <= 4000 // 4

    short = tmp_path / "short.png"
    short.write_bytes(_png(100, 200, rows=100, colour=2))
    skips = SkipReport()
    images.read_image(short, 32, report=skips)
    assert any("truncated PNG" in reason for reason in skips.counts())


# 12 -----------------------------------------------------------------------------------------
def test_timings_of_runs_finishing_together_are_all_kept(tmp_path):
    script = (
        "import sys; from pathlib import Path\n"
        "from helpers import notebooks\n"
        "for i in range(10):\n"
        "    r = notebooks.RunResult(Path(f'{sys.argv[1]}_{i}.ipynb'), Path('x'), 1.0, True)\n"
        "    notebooks._append_timings(Path(sys.argv[2]), 'smoke', [r])\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    procs = [subprocess.Popen([sys.executable, "-c", script, f"w{w}", str(tmp_path)], env=env)
             for w in range(4)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    timings = json.loads((tmp_path / "timings.json").read_text())
    assert len(timings["smoke"]) == 40


def test_profile_given_as_a_parameter_is_refused():
    notebook = notebooks.discover(["05"])
    with pytest.raises(ValueError, match="--profile"):
        notebooks.check_parameters(notebook, {"PROFILE": "bogus"})


# 13 -----------------------------------------------------------------------------------------
def test_an_interactive_finish_never_writes_the_committed_metrics(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LOOKALIKE_REPORTS", raising=False)
    monkeypatch.delenv("LOOKALIKE_RUNNER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(config, "repo_root", lambda: tmp_path / "repo")  # never the real one
    committed = config.reports_dir() / "metrics" / "05_totally_looks_like.json"
    before = committed.read_bytes() if committed.exists() else None
    report.start("05_totally_looks_like", {"profile": "standard"})
    report.record("interactive_check", 0.5, paper=0.5)
    path = report.finish()
    assert path.is_relative_to(tmp_path / "home")
    assert (committed.read_bytes() if committed.exists() else None) == before
    assert str(report.interactive_dir()) in capsys.readouterr().out
