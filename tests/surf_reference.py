"""Stored outputs of our SURF, so that speeding it up cannot change what it finds (issue 22).

``tests/surf_reference.json.gz`` holds, for each case below, every keypoint's fields
(``x, y, size, angle, response, octave, class_id``) and every descriptor of
:class:`helpers.surf.SURF` as it stood *before* the vectorisation of issue 22 (commit
41cbeff). The images are made in code from scikit-image's bundled photographs and a seeded
synthetic scene, so no image data is stored. Floats are written as the shortest decimal that
reads back to the same float32 (checked when writing; any value where that fails is written
exactly), so the reference is at full float32 precision.

Regenerate only on purpose, when a change is *meant* to alter the output:
``PYTHONPATH=src python tests/surf_reference.py``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from skimage import data

from helpers import surf

REFERENCE = Path(__file__).with_name("surf_reference.json.gz")
FIELDS = ("x", "y", "size", "angle", "response")


def photo(name: str, width: int, height: int, gray: bool = True) -> np.ndarray:
    """A scikit-image photograph resized to ``width x height`` (uint8, gray or RGB)."""
    image = getattr(data, name)()
    if gray and image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def synthetic(height: int = 200, width: int = 260, seed: int = 22) -> np.ndarray:
    """Seeded smoothed noise plus bright and dark Gaussian blobs, float64 in 0..1."""
    rng = np.random.default_rng(seed)
    image = cv2.GaussianBlur(rng.uniform(0, 1, (height, width)), (0, 0), 3.0)
    yy, xx = np.mgrid[:height, :width]
    for _ in range(12):
        cy, cx = rng.uniform(20, height - 20), rng.uniform(20, width - 20)
        sigma, amp = rng.uniform(2, 9), rng.choice([-0.4, 0.4])
        image += amp * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))
    return np.clip(image, 0, 1)


def _foreign_keypoints(image: np.ndarray) -> list[cv2.KeyPoint]:
    """SIFT's keypoints with half the angles unset (-1) and no Laplacian signs."""
    keypoints = sorted(cv2.SIFT_create(nfeatures=150).detect(image, None),
                       key=lambda k: (k.pt[1], k.pt[0], k.size))
    return [cv2.KeyPoint(k.pt[0], k.pt[1], max(k.size, 9.0), k.angle if i % 2 else -1.0, k.response, 0, 0)
            for i, k in enumerate(keypoints)]


def cases() -> dict[str, tuple[list[cv2.KeyPoint], np.ndarray | None]]:
    """Each case's keypoints and descriptors from the installed :mod:`helpers.surf`."""
    out: dict[str, tuple[list[cv2.KeyPoint], np.ndarray | None]] = {}
    out["astronaut 640x480 SURF"] = surf.SURF().detectAndCompute(photo("astronaut", 640, 480))
    out["camera 640x480 U-SURF"] = surf.SURF(upright=True).detectAndCompute(photo("camera", 640, 480))
    out["coffee RGB 400x300 step 2, 3 octaves, threshold 20"] = surf.SURF(
        hessian_threshold=20, n_octaves=3, init_step=2).detectAndCompute(photo("coffee", 400, 300, gray=False))
    scene = synthetic()
    mask = np.zeros(scene.shape, np.uint8)
    mask[:, 40:200] = 1
    out["synthetic float 260x200 masked, 60 strongest"] = surf.SURF(
        hessian_threshold=10, max_keypoints=60).detectAndCompute(scene, mask)
    chelsea = photo("chelsea", 320, 240)
    out["chelsea 320x240 compute on SIFT keypoints"] = surf.SURF().compute(chelsea, _foreign_keypoints(chelsea))
    return out


def _number(value: float) -> float:
    """The shortest decimal that reads back (through float64) to the same float32."""
    short = float(np.format_float_positional(np.float32(value), unique=True, trim="-"))
    return short if np.float32(short) == np.float32(value) else float(np.float32(value))


def encode(keypoints: list[cv2.KeyPoint], descriptors: np.ndarray | None) -> dict[str, Any]:
    values = {
        "x": [k.pt[0] for k in keypoints], "y": [k.pt[1] for k in keypoints],
        "size": [k.size for k in keypoints], "angle": [k.angle for k in keypoints],
        "response": [k.response for k in keypoints],
    }
    record: dict[str, Any] = {f: [_number(v) for v in values[f]] for f in FIELDS}
    record["octave"] = [int(k.octave) for k in keypoints]
    record["class_id"] = [int(k.class_id) for k in keypoints]
    record["descriptors"] = (None if descriptors is None
                             else [[_number(v) for v in row] for row in np.asarray(descriptors)])
    return record


def load() -> dict[str, dict[str, Any]]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def main() -> None:
    records = {name: encode(*result) for name, result in cases().items()}
    with gzip.GzipFile(REFERENCE, "wb", mtime=0) as handle:
        handle.write(json.dumps(records, separators=(",", ":")).encode("utf-8"))
    for name, record in records.items():
        print(f"{name}: {len(record['x'])} keypoints")
    print(f"wrote {REFERENCE} ({REFERENCE.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
