"""Synthetic stand-ins, one per data-set shape, generated on the fly from a seed.

They let every notebook run in the smoke profile with no files at all. Each image is a pure
function of ``(kind, seed, index, size)``: items are ids like ``synthetic:places6/0/17`` and
:func:`render` draws them at whatever size is asked, so nothing is stored.

The classes are learnable, not noise: each class has its own colour pair (hue) and its own
texture (stripes at a class angle, checks, rings, dots) at a class frequency, while every image
gets its own jitter (hue, frequency, phase, brightness), a class-independent distractor patch
and pixel noise. Pairs and views are analytic scenes of random shapes, redrawn under a
transform (flip, scale, shift, rotation, recolouring), so the same scene is recognisable.
"""

from __future__ import annotations

import colorsys
import zlib

import numpy as np

PLACES6 = ("bathroom", "bedroom", "dining_room", "entrance_hall", "kitchen", "living_room")
FLOWERS = ("daisy", "dandelion", "rose", "sunflower", "tulip")
ROOMS = ("bathroom", "bedroom", "frontal", "kitchen")
ATTRIBUTES = ("absent", "present")

# kind -> (class names, hue offset that keeps families apart)
CLASS_KINDS: dict[str, tuple[tuple[str, ...], float]] = {
    "places6": (PLACES6, 0.0),
    "flowers": (FLOWERS, 0.05),
    "houses": (ROOMS, 0.1),
}
PATTERNS = ("hstripes", "vstripes", "checker", "rings", "diagonal", "dots")
SCENE_KINDS = ("tll-left", "tll-right", "ukbench")
KINDS = (*CLASS_KINDS, "attributes", *SCENE_KINDS)


def parse(item: str) -> tuple[str, int, int]:
    """``synthetic:<kind>/<seed>/<index>`` -> (kind, seed, index)."""
    try:
        kind, seed, index = item.split(":", 1)[1].split("/")
        parsed = (kind, int(seed), int(index))
    except ValueError as err:
        raise ValueError(f"malformed synthetic id {item!r}") from err
    if kind not in KINDS:
        raise ValueError(f"unknown synthetic kind {kind!r} in {item!r}; kinds: {KINDS}")
    return parsed


def item_id(kind: str, seed: int, index: int) -> str:
    return f"synthetic:{kind}/{int(seed)}/{int(index)}"


def _rng(*key: object) -> np.random.Generator:
    """A generator that depends only on ``key``: stable across runs, machines and processes."""
    words = [zlib.crc32(str(k).encode()) if isinstance(k, str) else int(k) for k in key]
    return np.random.default_rng(words)


def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.meshgrid(
        (np.arange(h, dtype=np.float32) + 0.5) / h,
        (np.arange(w, dtype=np.float32) + 0.5) / w,
        indexing="ij",
    )
    return xs, ys


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float32)


def _to_uint8(img: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    img = img + rng.normal(0.0, noise, img.shape).astype(np.float32)
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def class_texture(
    rng: np.random.Generator, label: int, n_classes: int, hue0: float, h: int, w: int
) -> np.ndarray:
    """Float RGB (h, w, 3) in [0, 1]: the class's colours and texture with per-image jitter."""
    xs, ys = _grid(h, w)
    hue = hue0 + label / n_classes + rng.uniform(-0.03, 0.03)
    light, dark = _hsv(hue, 0.55, 0.85), _hsv(hue + 0.07, 0.45, 0.35)
    pattern = PATTERNS[label % len(PATTERNS)]
    freq = (3.0 + 2.0 * (label % 3)) * rng.uniform(0.85, 1.15)
    phase = rng.uniform(0, 2 * np.pi)
    tilt = rng.uniform(-0.15, 0.15)
    if pattern in ("hstripes", "vstripes", "diagonal"):
        angle = {"hstripes": np.pi / 2, "vstripes": 0.0, "diagonal": np.pi / 4}[pattern] + tilt
        p = 0.5 + 0.5 * np.sin(2 * np.pi * freq * (xs * np.cos(angle) + ys * np.sin(angle)) + phase)
    elif pattern == "checker":
        p = (np.sin(2 * np.pi * freq * xs + phase) * np.sin(2 * np.pi * freq * ys) > 0) * 1.0
    elif pattern == "rings":
        cx, cy = rng.uniform(0.3, 0.7, 2)
        p = 0.5 + 0.5 * np.sin(4 * np.pi * freq * np.hypot(xs - cx, ys - cy) + phase)
    else:  # dots
        p = (np.sin(2 * np.pi * freq * xs + phase) * np.sin(2 * np.pi * freq * ys + phase) > 0.5)
        p = p * 1.0
    p = p.astype(np.float32)[..., None]
    img = light * (1.0 - p) + dark * p
    img = img * rng.uniform(0.85, 1.15)
    # A class-independent patch (a "piece of furniture") so colour means alone are not enough.
    x0, y0 = rng.uniform(0.0, 0.7, 2)
    pw, ph = rng.uniform(0.15, 0.35, 2)
    patch = (xs >= x0) & (xs < x0 + pw) & (ys >= y0) & (ys < y0 + ph)
    img[patch] = rng.uniform(0.1, 0.9, 3).astype(np.float32)
    return img


def _attribute(rng: np.random.Generator, present: bool, h: int, w: int) -> np.ndarray:
    """A random room with (present) or without (absent) a railing: vertical bars on a band."""
    img = class_texture(rng, int(rng.integers(6)), 6, 0.0, h, w)
    xs, ys = _grid(h, w)
    top = rng.uniform(0.5, 0.65)
    band = (ys >= top) & (ys < top + rng.uniform(0.2, 0.3))
    grey = np.float32(rng.uniform(0.75, 0.95))
    if present:
        # Dark bars on a light band under a light hand rail: a high-contrast periodic cue.
        period = rng.uniform(0.08, 0.14)  # at least ~5 px at 64 px: no aliasing
        img[band] = grey
        bars = band & (((xs + rng.uniform(0, period)) % period) < 0.4 * period)
        img[bars] = np.float32(rng.uniform(0.05, 0.25))
    elif rng.uniform() < 0.5:
        # The same grey as a plain band, so "a light band" alone is no shortcut.
        img[band] = grey
    return img


def _scene(rng: np.random.Generator, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Shapes on a gradient, evaluated at (possibly transformed) coordinates ``xs, ys``."""
    c0, c1 = rng.uniform(0.1, 0.9, (2, 3)).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    t = np.clip(0.5 + (xs - 0.5) * np.cos(angle) + (ys - 0.5) * np.sin(angle), 0, 1)[..., None]
    img = c0 * (1 - t) + c1 * t
    for _ in range(int(rng.integers(3, 7))):
        colour = rng.uniform(0.0, 1.0, 3).astype(np.float32)
        cx, cy = rng.uniform(0.15, 0.85, 2)
        rx, ry = rng.uniform(0.06, 0.22, 2)
        if rng.uniform() < 0.5:
            mask = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1.0
        else:
            mask = (np.abs(xs - cx) <= rx) & (np.abs(ys - cy) <= ry)
        img[mask] = colour
    return img


def _view(
    scene_rng: np.random.Generator,
    view_rng: np.random.Generator | None,
    h: int,
    w: int,
    rotate: float,
    scale: tuple[float, float],
    shift: float,
    flip: bool,
) -> np.ndarray:
    """The scene seen through an inverse affine map of the pixel grid (identity without rng)."""
    xs, ys = _grid(h, w)
    if view_rng is not None:
        a = view_rng.uniform(-rotate, rotate)
        s = view_rng.uniform(*scale)
        dx, dy = view_rng.uniform(-shift, shift, 2)
        u, v = (xs - 0.5 - dx) / s, (ys - 0.5 - dy) / s
        xs = 0.5 + u * np.cos(a) + v * np.sin(a)
        ys = 0.5 - u * np.sin(a) + v * np.cos(a)
        if flip and view_rng.uniform() < 0.5:
            xs = 1.0 - xs
    return _scene(scene_rng, xs, ys)


def render(item: str, size: tuple[int, int]) -> np.ndarray:
    """Draw the synthetic image ``item`` as RGB uint8 of shape (h, w, 3)."""
    kind, seed, index = parse(item)
    h, w = size
    noise_rng = _rng(seed, kind, index, "noise")
    if kind in CLASS_KINDS:
        names, hue0 = CLASS_KINDS[kind]
        img = class_texture(_rng(seed, kind, index), index % len(names), len(names), hue0, h, w)
        return _to_uint8(img, noise_rng, 0.05)
    if kind == "attributes":
        return _to_uint8(_attribute(_rng(seed, kind, index), index % 2 == 1, h, w), noise_rng, 0.04)
    if kind == "ukbench":
        obj = _rng(seed, "ukbench-object", index // 4)
        view = _rng(seed, "ukbench-view", index)
        img = _view(obj, view, h, w, rotate=0.35, scale=(0.85, 1.2), shift=0.08, flip=False)
        return _to_uint8(img * np.float32(view.uniform(0.8, 1.15)), noise_rng, 0.03)
    scene = _rng(seed, "tll-scene", index)
    if kind == "tll-left":
        return _to_uint8(_view(scene, None, h, w, 0, (1, 1), 0, False), noise_rng, 0.02)
    # The right image: the same scene flipped/rescaled/shifted, recoloured and noisier.
    view = _rng(seed, "tll-right-view", index)
    img = _view(scene, view, h, w, rotate=0.1, scale=(0.9, 1.1), shift=0.06, flip=True)
    gain = view.uniform(0.75, 1.25, 3).astype(np.float32)
    return _to_uint8(img * gain + np.float32(view.uniform(-0.08, 0.08)), noise_rng, 0.06)
