"""Decoding: every odd kind of file is fixed or skipped, counted, and the folder left untouched."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

from datasets_fixtures import COLOURS, make_class_folder, snapshot, write_broken_files, write_jpeg

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers.datasets import DataSource, SkipReport, read_image  # noqa: E402
from helpers.datasets.images import MIN_SIDE, check_file, fit_image  # noqa: E402
from helpers.datasets.loaders import load_class_folder  # noqa: E402


def test_read_image_returns_rgb_uint8_at_size(tmp_path):
    path = write_jpeg(tmp_path / "x.jpg", (200, 30, 30), size=(80, 40))
    for fit in ("resize", "crop", "pad"):
        img = read_image(path, 32, fit=fit)
        assert img.shape == (32, 32, 3) and img.dtype == np.uint8
    centre = read_image(path, 32)[16, 16]
    assert centre[0] > 170 and centre[1] < 70 and centre[2] < 70  # red stays red: RGB order


def test_fit_modes_keep_or_change_aspect():
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = 255  # left half white
    padded = fit_image(img, 40, "pad")
    assert padded.shape == (40, 40, 3)
    assert padded[0, 0].max() == 0 and padded[20, 5].min() == 255  # black bars top, image middle
    cropped = fit_image(img, 20, "crop")  # centre crop: half white, half black
    assert cropped[:, :10].min() == 255 and cropped[:, 10:].max() == 0
    with pytest.raises(ValueError, match="fit must be"):
        fit_image(img, 20, "stretch")


def test_header_check_names_each_problem(tmp_path):
    files = write_broken_files(tmp_path)
    assert check_file(files["not_image"]) == "not an image (unrecognised content)"
    assert check_file(files["empty"]) == "empty file"
    assert check_file(files["tiny"]) == f"too small (under {MIN_SIDE} px)"
    assert check_file(tmp_path / "gone.jpg") == "missing file"
    for kind in ("gray", "cmyk", "sixteen", "alpha", "exif", "truncated"):
        assert check_file(files[kind]) is None, kind


def test_odd_images_are_fixed_and_counted(tmp_path):
    files = write_broken_files(tmp_path)
    report = SkipReport()
    gray = read_image(files["gray"], 16, report=report)
    assert gray.shape == (16, 16, 3) and np.all(gray == gray[..., :1])
    red = read_image(files["cmyk"], 16, report=report)[8, 8]
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    sixteen = read_image(files["sixteen"], 16, report=report)
    assert abs(int(sixteen[8, 8, 0]) - round(40000 / 65535 * 255)) <= 1  # scaled, not clipped
    white = read_image(files["alpha"], 16, report=report)
    assert white.min() == 255  # transparent pixels composited on white, not black
    rotated = read_image(files["exif"], 40, fit="pad", report=report)
    # A 40x20 landscape tagged "rotate 90" displays as 20x40 portrait: padded left and right.
    assert rotated[:, :8].max() == 0 and rotated[:, -8:].max() == 0
    assert rotated[2, 20, 1] > 150 and rotated[37, 20, 1] > 150
    truncated = read_image(files["truncated"], 16, report=report)
    assert truncated.shape == (16, 16, 3)
    fixed = report.counts("fixed")
    for reason in ("grayscale converted to RGB", "CMYK converted to RGB",
                   "16-bit image reduced to 8-bit", "transparency composited on white",
                   "EXIF orientation applied", "truncated JPEG, partly decoded"):
        assert fixed.get(reason) == 1, (reason, fixed)


def test_undecodable_file_raises_without_report_and_is_grey_with_one(tmp_path):
    files = write_broken_files(tmp_path)
    with pytest.raises(ValueError, match="cannot read image"):
        read_image(files["not_image"], 16)
    report = SkipReport()
    grey = read_image(files["not_image"], 16, report=report)
    assert np.all(grey == 128)
    assert report.counts("fixed") == {"undecodable, replaced by grey": 1}


def test_class_folder_with_broken_files_skips_counts_and_touches_nothing(tmp_path, caplog):
    root = make_class_folder(tmp_path / "set", None, classes=("cat", "dog"))
    write_broken_files(root / "cat")
    (root / "dog" / "README.txt").write_text("not data")
    before = snapshot(root)
    source = DataSource("set", "user folder", root, "test")
    with caplog.at_level(logging.WARNING, logger="helpers.datasets"):
        images = load_class_folder(root, source)
    skipped = images.skipped.counts("skipped")
    assert skipped == {
        "not an image (unrecognised content)": 1, "empty file": 1,
        f"too small (under {MIN_SIDE} px)": 1, "not an image file name (ignored)": 1,
    }
    # 6 good per class + 6 odd-but-usable files in cat/
    assert len(images) == 18
    assert images.counts().loc["cat", "all"] == 12
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="helpers.datasets"):
        x = images.images(24, progress=False)
        images.images(24, progress=False)
    assert x.shape == (18, 24, 24, 3)
    # Reported once: the decode-time fixes appear in one warning, the second pass adds nothing.
    warnings = [r for r in caplog.records if "image problems handled" in r.getMessage()]
    assert len(warnings) == 1 and "grayscale converted to RGB" in warnings[0].getMessage()
    assert images.skipped.n_fixed == 6
    assert snapshot(root) == before


def test_decoded_pixels_follow_their_labels(tmp_path):
    root = make_class_folder(tmp_path / "set", {"train": 3}, classes=("c0", "c1", "c2"))
    images = load_class_folder(root, DataSource("set", "user folder", root, "test"))
    x = images.images(8, progress=False, workers=2)
    for img, label in zip(x, images.labels, strict=True):
        assert np.argmax(img[4, 4]) == np.argmax(COLOURS[label])
