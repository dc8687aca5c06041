"""Bad input in a user's folder (issue 16): bombs, non-UTF-8 names, links, empty and odd folders.

Every case ends in a counted skip, a warning or a clear error, and the folder is untouched.
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from datasets_fixtures import COLOURS, make_class_folder, snapshot, write_jpeg

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import datasets  # noqa: E402
from helpers.datasets import DataSource, SkipReport, read_image, split  # noqa: E402
from helpers.datasets import images as image_io  # noqa: E402
from helpers.datasets.loaders import EMPTY_CLASS, NESTED, load_class_folder  # noqa: E402


def _source(root: Path) -> DataSource:
    return DataSource(root.name, "user folder", root, "test folder")


def _png_header(path: Path, width: int, height: int) -> Path:
    """A valid PNG signature and IHDR claiming ``width`` x ``height``: a bomb's header only."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096)  # far too short: decoding it would need 1.2 GB
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
                     + chunk(b"IEND", b""))
    return path


def test_pil_limit_is_left_as_pil_ships_it():
    assert int(1024 * 1024 * 1024 // 4 // 3) == Image.MAX_IMAGE_PIXELS


def test_pixel_bomb_is_refused_from_its_header_and_counted(tmp_path):
    root = make_class_folder(tmp_path / "set", None, classes=("a", "b"))
    _png_header(root / "a" / "bomb.png", 20_000, 20_000)  # PIL's own error: over twice its limit
    _png_header(root / "b" / "big.png", 9_000, 9_000)  # 81 Mpx: under PIL's limit, over ours
    before = snapshot(root)
    imageset = load_class_folder(root, _source(root))
    assert image_io.PIXEL_CAP_REASON in imageset.skipped.counts("skipped")
    assert imageset.skipped.counts("skipped")[image_io.PIXEL_CAP_REASON] == 2
    assert len(imageset) == 12 and snapshot(root) == before
    # Read directly, the same cap stops the decoder before any pixel is decoded.
    with pytest.raises(image_io.PixelCapError, match="too many pixels"):
        read_image(root / "b" / "big.png", 32)
    report = SkipReport()
    grey = read_image(root / "b" / "big.png", 32, report=report)
    assert (grey == 128).all() and report.n_fixed == 1


def test_jpeg_over_the_cap_is_decoded_reduced_when_that_fits(tmp_path):
    photo = write_jpeg(tmp_path / "wide.jpg", (200, 30, 30), size=(400, 200))
    png = tmp_path / "wide.png"
    Image.new("RGB", (400, 200), (200, 30, 30)).save(png)
    cap = 400 * 200 // 10  # the full image is over it, its 1/8 decode is not
    assert image_io.check_file(photo, max_pixels=cap) is None
    assert image_io.check_file(png, max_pixels=cap) == image_io.PIXEL_CAP_REASON
    rgb, _ = image_io.decode(photo, (32, 32))
    assert rgb.shape[0] < 200 and min(rgb.shape[:2]) >= 32  # draft() reduced it


def _bytes_name(folder: Path, raw: bytes, colour) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), raw)))
    Image.new("RGB", (24, 24), colour).save(path, "JPEG")
    return path


def test_non_utf8_file_names_load_split_and_persist(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "set"
    for k, cls in enumerate(("a", "b")):
        for i in range(5):
            _bytes_name(root / cls, b"caf\xe9%d.jpg" % i, COLOURS[k])
    imageset = datasets.load(str(root))
    assert len(imageset) == 10 and imageset.class_names == ("a", "b")
    assert any("\udce9" in item for item in imageset.items)
    first = split(imageset, seed=3)
    again = split(imageset, seed=3)  # read back from the CSV written by the first call
    assert list(first.splits) == list(again.splits)
    assert sorted(set(first.splits)) == ["test", "train", "val"]
    assert first.images(24, progress=False).shape == (10, 24, 24, 3)


def test_links_out_of_the_folder_are_skipped_and_counted_unless_followed(tmp_path):
    root = make_class_folder(tmp_path / "set", None, classes=("a", "b"))
    elsewhere = make_class_folder(tmp_path / "elsewhere", None, classes=("c",))
    (root / "c").symlink_to(elsewhere / "c")  # a folder link would become a class
    (root / "a" / "outside.jpg").symlink_to(elsewhere / "c" / "c000.jpg")
    (root / "b" / "inside.jpg").symlink_to(root / "b" / "b000.jpg")  # inside: fine
    before = snapshot(tmp_path)
    plain = load_class_folder(root, _source(root))
    assert plain.class_names == ("a", "b") and len(plain) == 13
    skipped = plain.skipped.counts("skipped")
    assert skipped["link to outside the folder (skipped; follow_links=True takes it)"] == 2
    followed = datasets.load(str(root), follow_links=True)
    assert followed.class_names == ("a", "b", "c") and len(followed) == 20
    assert followed.skipped.counts("fixed")[
        "link to outside the folder (followed: follow_links=True)"] == 2
    assert snapshot(tmp_path) == before


def test_empty_classes_and_nested_folders_are_reported(tmp_path, caplog):
    root = make_class_folder(tmp_path / "set", {"train": 2, "val": 1}, classes=("a", "b"))
    (root / "train" / "empty").mkdir()
    write_jpeg(root / "train" / "a" / "deeper" / "x.jpg")
    (root / "val" / "broken").mkdir()
    (root / "val" / "broken" / "bad.jpg").write_text("not a photo")
    with caplog.at_level(logging.WARNING, logger="helpers.datasets"):
        imageset = load_class_folder(root, _source(root))
    skipped = imageset.skipped.counts("skipped")
    assert skipped[EMPTY_CLASS] == 2  # train/empty and val/broken
    assert skipped[NESTED] == 1
    assert imageset.class_names == ("a", "b") and len(imageset) == 6
    assert "class left out" in caplog.text and "sub-folder inside a class" in caplog.text


def test_a_folder_of_unreadable_images_is_an_error_and_one_class_a_warning(tmp_path, caplog):
    bad = tmp_path / "bad"
    for cls in ("a", "b"):
        (bad / cls).mkdir(parents=True)
        (bad / cls / "x.jpg").write_text("text, not a photo")
        (bad / cls / "y.png").write_bytes(b"")
    with pytest.raises(ValueError, match=r"no usable image \(of the 4 files left after the skips below, none can be read\)"):
        load_class_folder(bad, _source(bad))
    one = make_class_folder(tmp_path / "one", None, classes=("only",))
    with caplog.at_level(logging.WARNING, logger="helpers.datasets"):
        imageset = load_class_folder(one, _source(one))
    assert imageset.class_names == ("only",) and len(imageset) == 6
    assert "single class" in caplog.text
    assert np.all(imageset.labels == 0)
