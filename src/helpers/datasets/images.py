"""Reading images: one decoder that returns RGB uint8 at a requested size, whatever the file.

Files are opened read-only and never touched otherwise. Odd files are handled, counted in a
:class:`~helpers.datasets.skips.SkipReport` and reported once:

- found at load time by :func:`check_file` (header only, fast) and *skipped*: missing or empty
  files, files that are not images whatever their extension, images under ``MIN_SIDE`` pixels,
  images over ``MAX_DECODE_PIXELS`` decoded pixels (decompression bombs; a JPEG counts at its
  reduced 1/8 decode, as does an MPO, a phone's multi-picture JPEG). The same cap is checked
  again, after ``draft()``, before each decode; PIL's process-wide ``Image.MAX_IMAGE_PIXELS``
  is left as PIL ships it. Memory is bounded as well: a decode's bytes are counted from the
  header (``decode_bytes``: channels as PIL holds them, times a working copy), the image is
  reduced towards the requested size before any float work, and decodes running at once
  share ``DECODE_BUDGET``;
- found at decode time and *fixed*: grayscale, palette, CMYK, 16-bit, alpha (composited on
  white), EXIF orientation (applied), truncated JPEGs (the decoded part is kept, the rest is
  grey), PNGs whose data stops before the last row (noted: PIL leaves those rows black), and as a last resort an undecodable body (replaced by mid-grey, so labels stay
  aligned with pixels).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import threading
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from .skips import SkipReport

MIN_SIDE = 16  # smaller images are placeholders/icons, not photos: skipped
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
FITS = ("resize", "crop", "pad")
SYNTHETIC_PREFIX = "synthetic:"

# Our own per-image cap on the pixels actually decoded, checked from the header before any
# decoding; PIL's process-wide Image.MAX_IMAGE_PIXELS is left as PIL ships it. A 50 MP camera
# photo passes; a JPEG may be larger, as long as its reduced (DCT-scaled) decode fits.
MAX_DECODE_PIXELS = 60_000_000
PIXEL_CAP_REASON = f"too many pixels to decode (over {MAX_DECODE_PIXELS // 1_000_000} Mpx)"
JPEG_MAX_REDUCTION = 8  # libjpeg decodes at 1/2, 1/4 or 1/8 scale
# Phones' multi-picture files (MPO) are JPEGs with more frames: the same reduced decoding.
JPEG_FORMATS = frozenset({"JPEG", "MPO"})

# Memory, not pixels, is what a bad file exhausts. PIL holds most modes at 4 bytes a pixel
# (RGB is stored as RGBX), a few at 1 or 2; a decode needs the decoded image plus one working
# copy of it (a rotation, a palette or mode conversion) before it is reduced towards the
# requested size, and only the reduced image is ever converted to floating point.
PIL_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
WORKING_COPIES = 2
MAX_DECODE_BYTES = MAX_DECODE_PIXELS * 4 * WORKING_COPIES
# Decodes running at once (``load_batch``'s threads, any caller's) share this many bytes: a
# batch of huge files waits its turn instead of exhausting the machine's memory.
BATCH_DECODE_BYTES = 2 * MAX_DECODE_BYTES


def decode_bytes(mode: str, width: int, height: int) -> int:
    """What decoding a ``width`` x ``height`` image of ``mode`` holds in memory at its peak."""
    return width * height * PIL_BYTES_PER_PIXEL.get(mode, 4) * WORKING_COPIES


class DecodeBudget:
    """Bytes that decodes running at the same time may hold; a decode waits for its share.

    A share larger than the whole budget is taken as the whole budget (it then runs alone).
    """

    def __init__(self, total: int) -> None:
        self.total = int(total)
        self.free = int(total)
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, amount: int) -> Iterator[None]:
        amount = min(int(amount), self.total)
        with self._changed:
            self._changed.wait_for(lambda: self.free >= amount)
            self.free -= amount
        try:
            yield
        finally:
            with self._changed:
                self.free += amount
                self._changed.notify_all()


DECODE_BUDGET = DecodeBudget(BATCH_DECODE_BYTES)


UNREADABLE_REASON = "cannot be read (permission denied)"
MEMORY_CAP_REASON = f"too large to decode (over {MAX_DECODE_BYTES // 1_000_000} MB)"


class PixelCapError(ValueError):
    """An image whose decode would exceed the pixel cap (a decompression bomb)."""


def _decoded_pixels(width: int, height: int, is_jpeg: bool) -> int:
    """The fewest pixels a decoder can produce: JPEGs can be decoded at 1/8 scale."""
    if is_jpeg:
        width, height = -(-width // JPEG_MAX_REDUCTION), -(-height // JPEG_MAX_REDUCTION)
    return width * height


def is_image_name(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def check_file(path: str | Path, max_pixels: int = MAX_DECODE_PIXELS) -> str | None:
    """Why ``path`` cannot be used (a skip reason), or None when its header looks fine.

    Only the header is read: an image whose smallest possible decode exceeds ``max_pixels``
    is refused here, before a single pixel is decoded.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            return "empty file"
        with Image.open(path) as im:
            width, height = im.size
            is_jpeg = im.format in JPEG_FORMATS
            mode = im.mode
    except FileNotFoundError:
        return "missing file"
    except UnidentifiedImageError:
        return "not an image (unrecognised content)"
    except Image.DecompressionBombError:  # over twice PIL's own limit: a bomb by any measure
        return PIXEL_CAP_REASON
    except PermissionError:
        return UNREADABLE_REASON
    except (OSError, SyntaxError, ValueError) as err:
        return f"unreadable header ({type(err).__name__})"
    if min(width, height) < MIN_SIDE:
        return f"too small (under {MIN_SIDE} px)"
    if _decoded_pixels(width, height, is_jpeg) > max_pixels:
        return PIXEL_CAP_REASON
    if not is_jpeg and decode_bytes(mode, width, height) > MAX_DECODE_BYTES:
        return MEMORY_CAP_REASON
    return None


def _target(size: int | tuple[int, int]) -> tuple[int, int]:
    """(height, width) from an int or a pair."""
    if isinstance(size, int | np.integer):
        if size <= 0:
            raise ValueError(f"size must be positive, not {size}")
        return int(size), int(size)
    height, width = (int(v) for v in size)
    if height <= 0 or width <= 0:
        raise ValueError(f"size must be positive, not {size}")
    return height, width


def _to_rgb(im: Image.Image, notes: list[str], source_mode: str | None = None) -> np.ndarray:
    """Any PIL mode to an RGB uint8 array, noting conversions that change the data
    (``source_mode``: the file's mode, when ``im`` was converted on the way to reduce it)."""
    mode = im.mode
    sixteen_bit = (source_mode or mode).startswith("I;16")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        notes.append("palette image converted to RGB")
        mode = im.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float64)
        # 16-bit data spans 0..65535; scale by the type's range, not by the image's own maximum,
        # so a dark 16-bit photo stays dark.
        top = 65535.0 if arr.max(initial=0) > 255 or sixteen_bit else 255.0
        gray = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        notes.append("16-bit image reduced to 8-bit")
        return np.repeat(gray[..., None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
        alpha = rgba[..., 3:4] / 255.0
        rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
        if alpha.min() < 1.0:
            notes.append("transparency composited on white")
        return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    if mode in ("L", "1"):
        notes.append("grayscale converted to RGB")
    elif mode == "CMYK":
        notes.append("CMYK converted to RGB")
    elif mode != "RGB":
        notes.append(f"{mode} converted to RGB")
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


# EXIF orientation tag values and the transposition that shows the photo as taken.
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
# Modes Image.reduce cannot average (palette indices, bits, 16-bit): converted first.
_REDUCE_AS = {"P": None, "1": "L", "I;16": "I", "I;16B": "I", "I;16L": "I", "I;16N": "I"}


def _reduced(im: Image.Image, size: tuple[int, int] | None) -> Image.Image:
    """``im`` box-averaged by the largest whole factor that keeps it at least ``size`` on
    both sides (whatever the rotation), so the float work after it stays small."""
    if size is None:
        return im
    side = max(size)
    factor = min(im.size[0] // side, im.size[1] // side)
    if factor < 2:
        return im
    if im.mode in _REDUCE_AS:
        target = _REDUCE_AS[im.mode] or ("RGBA" if "transparency" in im.info else "RGB")
        im = im.convert(target)
    return im.reduce(factor)


def _short_png(source: str | Path | io.BytesIO, width: int, height: int) -> bool:
    """Whether a PNG's image data holds fewer rows than its header declares (PIL fills the
    rest with black without a word). Its zlib stream is inflated and counted, not kept."""
    data = source.getvalue() if isinstance(source, io.BytesIO) else Path(source).read_bytes()
    pos, inflate, got, header = 8, zlib.decompressobj(), 0, None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR" and len(body) >= 13:
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"IDAT":
            while body:
                got += len(inflate.decompress(body, 1 << 20))
                body = inflate.unconsumed_tail
        pos += 12 + length
    if header is None:
        return False
    _, _, depth, colour, _, _, interlace = header
    bits = depth * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour, 4)
    passes = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
              (0, 1, 1, 2)) if interlace else ((0, 0, 1, 1),)
    want = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            want += rows * (1 + -(-columns * bits // 8))
    return got < want


def _decode_pil(source: str | Path | io.BytesIO, size: tuple[int, int] | None, notes: list[str],
                max_pixels: int = MAX_DECODE_PIXELS):
    with Image.open(source) as im:
        if size is not None and im.format in JPEG_FORMATS:
            # Ask for the smallest DCT scale that still covers the target on both axes;
            # EXIF rotation can swap axes, so use the larger side for both.
            side = max(size)
            im.draft(im.mode if im.mode in ("RGB", "L") else None, (side, side))
        if im.size[0] * im.size[1] > max_pixels:  # after draft(): what would really be decoded
            raise PixelCapError(f"{im.size[0]}x{im.size[1]} px: {PIXEL_CAP_REASON}")
        need = decode_bytes(im.mode, *im.size)
        if need > MAX_DECODE_BYTES:
            raise PixelCapError(f"{im.size[0]}x{im.size[1]} {im.mode}: {MEMORY_CAP_REASON}")
        with DECODE_BUDGET.hold(need):
            orientation = im.getexif().get(0x0112, 1)
            im.load()
            if im.format == "PNG" and _short_png(source, *im.size):
                notes.append("truncated PNG: rows past its data are black")
            source_mode = im.mode
            # A JPEG is already decoded near the target size by draft() (its DCT scaling);
            # reducing it again would change its pixels from what the course always fed the
            # networks. Other formats decode whole, so they are box-averaged down first.
            small = im if im.format in JPEG_FORMATS else _reduced(im, size)
            if orientation in _UPRIGHT:
                # Cameras store portrait shots sideways plus a tag; show them as taken.
                small = small.transpose(_UPRIGHT[orientation])
                notes.append("EXIF orientation applied")
            return _to_rgb(small, notes, source_mode)


def decode(path: str | Path, size: tuple[int, int] | None = None) -> tuple[np.ndarray, list[str]]:
    """Decode one file to RGB uint8 (EXIF orientation applied) and the notes on what was fixed.

    ``size`` lets the JPEG decoder skip detail the result cannot show (DCT scaling via
    ``draft``); the returned image is then still at least ``size`` on both sides.
    """
    notes: list[str] = []
    try:
        return _decode_pil(path, size, notes), notes
    except PixelCapError:
        raise  # never retried below: OpenCV would decode the whole bomb
    except Image.DecompressionBombError as err:
        raise PixelCapError(f"cannot decode {path}: {err}") from err
    except (OSError, SyntaxError, ValueError) as err:
        data = Path(path).read_bytes()
        if data[:2] == b"\xff\xd8" and not data.rstrip(b"\0").endswith(b"\xff\xd9"):
            # A JPEG cut short (interrupted copy or download): close it with an end-of-image
            # marker so the decoder keeps the rows it has and fills the rest with grey. This
            # is local to the one file, unlike PIL's global LOAD_TRUNCATED_IMAGES switch.
            notes = ["truncated JPEG, partly decoded"]
            try:
                return _decode_pil(io.BytesIO(data + b"\xff\xd9"), size, notes), notes
            except (OSError, SyntaxError, ValueError):
                pass
        # Other damaged files: OpenCV's decoders are sometimes more forgiving.
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
        if bgr is not None and bgr.size:
            return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), ["damaged data, decoded by OpenCV"]
        raise ValueError(f"cannot decode {path}: {err}") from err


def fit_image(rgb: np.ndarray, size: int | tuple[int, int], fit: str = "resize") -> np.ndarray:
    """Bring an RGB array to ``size``: ``resize`` (stretch), ``crop`` (centre) or ``pad`` (black)."""
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, not {fit!r}")
    th, tw = _target(size)
    h, w = rgb.shape[:2]
    if fit == "resize":
        sh, sw = th, tw
    else:
        scale = max(th / h, tw / w) if fit == "crop" else min(th / h, tw / w)
        sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    if (sh, sw) != (h, w):
        # INTER_AREA averages when shrinking (no aliasing); linear when enlarging.
        interp = cv2.INTER_AREA if sh < h and sw < w else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, (sw, sh), interpolation=interp)
    if fit == "crop":
        top, left = (sh - th) // 2, (sw - tw) // 2
        rgb = rgb[top : top + th, left : left + tw]
    elif fit == "pad":
        canvas = np.zeros((th, tw, 3), dtype=np.uint8)
        top, left = (th - sh) // 2, (tw - sw) // 2
        canvas[top : top + sh, left : left + sw] = rgb
        rgb = canvas
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def read_image(
    item: str | Path,
    size: int | tuple[int, int] = 224,
    fit: str = "resize",
    report: SkipReport | None = None,
) -> np.ndarray:
    """One image (a file path or a ``synthetic:`` id) as RGB uint8 (H, W, 3) at ``size``.

    Without a ``report``, an undecodable file raises ``ValueError``; with one, it is counted and
    replaced by mid-grey so a batch keeps its length and its labels stay aligned.
    """
    item = str(item)
    th, tw = _target(size)
    if item.startswith(SYNTHETIC_PREFIX):
        from .synthetic import render

        return fit_image(render(item, (th, tw)), (th, tw), fit)
    try:
        rgb, notes = decode(item, (th, tw))
    except PixelCapError:
        if report is None:
            raise
        report.add(f"{PIXEL_CAP_REASON}, replaced by grey", item, "fixed")
        return np.full((th, tw, 3), 128, dtype=np.uint8)
    except PermissionError as err:
        if report is None:
            raise PermissionError(err.errno, f"cannot read image {item} (permission denied): "
                                  "give your user read access to it") from err
        report.add(f"{UNREADABLE_REASON}, replaced by grey", item, "fixed")
        return np.full((th, tw, 3), 128, dtype=np.uint8)
    except (ValueError, FileNotFoundError) as err:
        if report is None:
            raise ValueError(f"cannot read image {item}: {err}") from err
        report.add("undecodable, replaced by grey", item, "fixed")
        return np.full((th, tw, 3), 128, dtype=np.uint8)
    if report is not None:
        for note in notes:
            report.add(note, item, "fixed")
    return fit_image(rgb, (th, tw), fit)


def default_workers() -> int:
    """Threads for decoding: PIL and OpenCV release the GIL, so threads scale with cores."""
    return max(1, min(8, os.cpu_count() or 1))


def load_batch(
    items: Sequence[str],
    size: int | tuple[int, int],
    fit: str = "resize",
    report: SkipReport | None = None,
    progress: bool = False,
    workers: int | None = None,
    desc: str = "images",
) -> np.ndarray:
    """Decode ``items`` into one preallocated (N, H, W, 3) uint8 array, in order."""
    th, tw = _target(size)
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, not {fit!r}")
    out = np.empty((len(items), th, tw, 3), dtype=np.uint8)
    report = report if report is not None else SkipReport()

    def work(i: int) -> int:
        out[i] = read_image(items[i], (th, tw), fit, report)
        return i

    workers = workers or default_workers()
    indices = range(len(items))
    bar = None
    if progress and len(items) > 1:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=f"loading {desc}", unit="img", leave=False)
    try:
        if workers == 1 or len(items) < 8:
            for i in indices:
                work(i)
                if bar is not None:
                    bar.update()
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(work, indices, chunksize=16):
                    if bar is not None:
                        bar.update()
    finally:
        if bar is not None:
            bar.close()
    return out
