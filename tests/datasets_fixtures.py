"""Small image folders for the ``helpers.datasets`` tests, built in tmp (never real data)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image

# Distinct colours so a test can tell which file a decoded image came from.
COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (30, 200, 200)]


def write_jpeg(path: Path, colour=(120, 60, 30), size=(40, 30), **save) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=95, **save)
    return path


def jpeg_bytes(colour=(120, 60, 30), size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    arr = np.clip(np.array(colour) + rng.integers(-20, 20, (size[1], size[0], 3)), 0, 255)
    Image.fromarray(arr.astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def write_broken_files(folder: Path) -> dict[str, Path]:
    """One file per kind of problem a real photo folder has; returns them by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    files["gray"] = folder / "gray.jpg"
    Image.new("L", (40, 30), 90).save(files["gray"])
    files["cmyk"] = folder / "cmyk.jpg"
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(files["cmyk"])  # pure red in CMYK
    files["sixteen"] = folder / "sixteen.png"
    Image.fromarray(np.full((30, 40), 40000, dtype=np.uint16)).save(files["sixteen"])
    files["alpha"] = folder / "alpha.png"
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(files["alpha"])  # fully transparent
    files["exif"] = folder / "exif.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.new("RGB", (40, 20), (10, 200, 10)).save(files["exif"], exif=exif.tobytes())
    files["truncated"] = folder / "truncated.jpg"
    files["truncated"].write_bytes(jpeg_bytes()[: len(jpeg_bytes()) // 2])
    files["not_image"] = folder / "notes.jpg"
    files["not_image"].write_text("this is a text file with a .jpg name\n")
    files["empty"] = folder / "empty.jpg"
    files["empty"].write_bytes(b"")
    files["tiny"] = folder / "tiny.png"
    Image.new("RGB", (4, 4), (1, 2, 3)).save(files["tiny"])
    return files


def make_class_folder(root: Path, splits: dict[str, int] | None, classes=("a", "b", "c")) -> Path:
    """``root/<split>/<class>/i.jpg`` (or ``root/<class>/`` when ``splits`` is None)."""
    layout = splits or {"": 6}
    for split, n in layout.items():
        for k, cls in enumerate(classes):
            for i in range(n):
                write_jpeg(root / split / cls / f"{cls}{i:03d}.jpg", COLOURS[k % len(COLOURS)])
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """(size, mtime, sha256) of every file under ``root``: proof nothing was touched."""
    return {
        str(p.relative_to(root)): (
            p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(root.rglob("*")) if p.is_file()
    }
