"""Reading images: one decoder that returns RGB uint8 at a requested size, whatever the file.

Files are opened read-only and never touched otherwise. Odd files are handled, counted in a
:class:`~helpers.datasets.skips.SkipReport` and reported once:

- found at load time by :func:`check_file` (header only, fast) and *skipped*: missing or empty
  files, files that are not images whatever their extension, images under ``MIN_SIDE`` pixels,
  images over ``MAX_DECODE_PIXELS`` decoded pixels (decompression bombs; a JPEG counts at its
  reduced 1/8 decode). The same cap is checked again, after ``draft()``, before each decode;
  PIL's process-wide ``Image.MAX_IMAGE_PIXELS`` is left as PIL ships it;
- found at decode time and *fixed*: grayscale, palette, CMYK, 16-bit, alpha (composited on
  white), EXIF orientation (applied), truncated JPEGs (the decoded part is kept, the rest is
  grey), and as a last resort an undecodable body (replaced by mid-grey, so labels stay
  aligned with pixels).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

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
            is_jpeg = im.format == "JPEG"
    except FileNotFoundError:
        return "missing file"
    except UnidentifiedImageError:
        return "not an image (unrecognised content)"
    except Image.DecompressionBombError:  # over twice PIL's own limit: a bomb by any measure
        return PIXEL_CAP_REASON
    except (OSError, SyntaxError, ValueError) as err:
        return f"unreadable header ({type(err).__name__})"
    if min(width, height) < MIN_SIDE:
        return f"too small (under {MIN_SIDE} px)"
    if _decoded_pixels(width, height, is_jpeg) > max_pixels:
        return PIXEL_CAP_REASON
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


def _to_rgb(im: Image.Image, notes: list[str]) -> np.ndarray:
    """Any PIL mode to an RGB uint8 array, noting conversions that change the data."""
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        notes.append("palette image converted to RGB")
        mode = im.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float64)
        # 16-bit data spans 0..65535; scale by the type's range, not by the image's own maximum,
        # so a dark 16-bit photo stays dark.
        top = 65535.0 if arr.max(initial=0) > 255 or mode.startswith("I;16") else 255.0
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


def _decode_pil(source: str | Path | io.BytesIO, size: tuple[int, int] | None, notes: list[str],
                max_pixels: int = MAX_DECODE_PIXELS):
    with Image.open(source) as im:
        if size is not None and im.format == "JPEG":
            # Ask for the smallest DCT scale that still covers the target on both axes;
            # EXIF rotation can swap axes, so use the larger side for both.
            side = max(size)
            im.draft(im.mode if im.mode in ("RGB", "L") else None, (side, side))
        if im.size[0] * im.size[1] > max_pixels:  # after draft(): what would really be decoded
            raise PixelCapError(f"{im.size[0]}x{im.size[1]} px: {PIXEL_CAP_REASON}")
        orientation = im.getexif().get(0x0112, 1)
        if orientation in (2, 3, 4, 5, 6, 7, 8):
            # Cameras store portrait shots sideways plus a tag; show them as taken.
            upright = ImageOps.exif_transpose(im)
            notes.append("EXIF orientation applied")
        else:
            im.load()
            upright = im
        return _to_rgb(upright, notes)


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
