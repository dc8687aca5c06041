"""SURF (Speeded Up Robust Features), written from the paper, for when OpenCV has none.

Bay, Ess, Tuytelaars, Van Gool, "SURF: Speeded Up Robust Features", CVIU 110(3), 2008.
SURF is patented and left out of every OpenCV wheel on PyPI: ``cv2.xfeatures2d.SURF_create``
raises "This algorithm is patented and is excluded in this configuration". This package
implements it with NumPy (and OpenCV's ``dilate`` for the maxima), at about 0.7x the time of
OpenCV's SIFT per 640x480 image on one thread (:mod:`helpers.surf.bench`):

* :mod:`helpers.surf.detector`: integral image, fast-Hessian box filters over octaves and
  scales, 3x3x3 non-maximum suppression, quadratic sub-pixel / sub-scale interpolation;
* :mod:`helpers.surf.descriptor`: orientation from Haar responses in a sliding pi/3 window,
  and the 64-d descriptor (upright U-SURF skips the orientation);
* :mod:`helpers.surf.bench`: its speed beside SIFT and ORB (``python -m helpers.surf.bench``).

:class:`SURF` mimics OpenCV's feature2d objects: ``detect``, ``compute``, ``detectAndCompute``
return ``cv2.KeyPoint`` lists and float32 descriptors, so the result drops into
``cv2.BFMatcher`` or FLANN. Keypoint fields follow OpenCV's SURF: ``size`` is the interpolated
box-filter side (scale ``sigma = 1.2 * size / 9``), ``response`` the Hessian determinant,
``class_id`` the sign of the Laplacian (+1 / -1), ``angle`` in degrees in ``[0, 360)``
measured from the x axis towards y (clockwise on screen, image y pointing down); 0 for U-SURF.

:func:`create` returns OpenCV's own SURF when the installed build has it, else ours.

Example::

    from helpers import surf
    detector = surf.create(hessian_threshold=400)
    keypoints, descriptors = detector.detectAndCompute(gray_uint8, None)
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from . import descriptor as _desc
from . import detector as _det

__all__ = ["SURF", "create", "opencv_surf_available", "to_gray"]


def opencv_surf_available() -> bool:
    """True when ``cv2.xfeatures2d.SURF_create`` works (a build with the non-free modules)."""
    try:
        cv2.xfeatures2d.SURF_create()  # type: ignore[attr-defined]
    except (AttributeError, cv2.error):
        return False
    return True


def to_gray(image: np.ndarray) -> np.ndarray:
    """A float64 grayscale copy in 0..255 of an RGB/RGBA/gray image (uint8 or float).

    Float images whose maximum is at most 1 are taken to be in 0..1 and scaled up, so the
    Hessian threshold means the same thing for ``uint8`` and ``img_as_float`` inputs.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[2] in (3, 4):
        # ITU-R 601 luma, the weights cv2.cvtColor(RGB2GRAY) uses; RGB order (project contract).
        image = image[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    elif image.ndim != 2:
        raise ValueError(f"expected a gray (H, W) or colour (H, W, 3|4) image, got shape {image.shape}")
    gray = image.astype(np.float64)
    if not np.issubdtype(np.asarray(image).dtype, np.integer) and gray.size and gray.max() <= 1.0:
        gray = gray * 255.0
    return gray


class SURF:
    """Our SURF detector and descriptor, with OpenCV's calling conventions.

    Parameters
    ----------
    hessian_threshold:
        Keep points whose ``det(H)`` (box responses normalised by filter area, intensities in
        0..255) exceeds this. Higher means fewer, stronger points. The default gives a few
        hundred to a couple of thousand points on a 640x480 photograph.
    n_octaves:
        Octaves of filter sizes (4 covers filter sizes 9..195, blobs of sigma 1.2 to ~20 px).
    upright:
        U-SURF: skip the orientation (faster, and more distinctive when images are not
        rotated); keypoint angles are then 0.
    init_step:
        Sampling step of the first octave in pixels (doubling per octave). 2 (a common
        choice) roughly halves detection time; 1 finds more small blobs.
    max_keypoints:
        If set, keep only the strongest responses (before orientation and description, so
        it also bounds the time).
    """

    descriptor_size = 64

    def __init__(
        self,
        hessian_threshold: float = 50.0,
        n_octaves: int = 4,
        upright: bool = False,
        init_step: int = 1,
        max_keypoints: int | None = None,
    ) -> None:
        if n_octaves < 1:
            raise ValueError("n_octaves must be at least 1")
        if init_step < 1:
            raise ValueError("init_step must be a positive integer")
        if max_keypoints is not None and max_keypoints < 0:
            raise ValueError("max_keypoints must be None or >= 0")
        self.hessian_threshold = float(hessian_threshold)
        self.n_octaves = int(n_octaves)
        self.upright = bool(upright)
        self.init_step = int(init_step)
        self.max_keypoints = max_keypoints
        # Half the largest filter, plus the rows the interpolation and slicing read.
        self.margin = _det.filter_sizes(self.n_octaves - 1)[-1] // 2 + 2

    def __repr__(self) -> str:
        return (
            f"SURF(hessian_threshold={self.hessian_threshold}, n_octaves={self.n_octaves}, "
            f"upright={self.upright}, init_step={self.init_step}, max_keypoints={self.max_keypoints})"
        )

    # OpenCV-style accessors, so code written for cv2 feature2d objects works unchanged.
    def descriptorSize(self) -> int:  # noqa: N802 - OpenCV's name
        return self.descriptor_size

    def descriptorType(self) -> int:  # noqa: N802
        return cv2.CV_32F

    def defaultNorm(self) -> int:  # noqa: N802
        return cv2.NORM_L2

    def _integral(self, image: np.ndarray) -> tuple[np.ndarray, int, int]:
        gray = to_gray(image)
        if gray.size == 0:
            # Nothing to pad or integrate; _detect and _compute return empty results.
            return np.zeros((1, 1)), gray.shape[0], gray.shape[1]
        return _det.padded_integral(gray, self.margin), gray.shape[0], gray.shape[1]

    def _detect(self, ii: np.ndarray, height: int, width: int, mask: np.ndarray | None) -> list[cv2.KeyPoint]:
        if height == 0 or width == 0:
            return []
        found = _det.detect(ii, self.margin, height, width, self.hessian_threshold,
                            self.n_octaves, self.init_step)
        keep = np.ones(len(found), dtype=bool)
        if mask is not None and len(found):
            mask = np.asarray(mask)
            if mask.shape[:2] != (height, width):
                raise ValueError(f"mask shape {mask.shape} does not match the image {(height, width)}")
            yi = np.clip(np.round(found.y).astype(int), 0, height - 1)
            xi = np.clip(np.round(found.x).astype(int), 0, width - 1)
            keep &= mask[yi, xi] != 0
        idx = np.flatnonzero(keep)
        # Strongest first: deterministic order, and max_keypoints keeps the best.
        idx = idx[np.argsort(-found.response[idx], kind="stable")]
        if self.max_keypoints is not None:
            idx = idx[: self.max_keypoints]
        scale = 1.2 * found.size[idx] / 9.0
        if self.upright:
            angle = np.zeros(len(idx))
        else:
            rad = _desc.orientations(ii, self.margin, found.x[idx], found.y[idx], scale)
            angle = np.mod(np.degrees(rad), 360.0)
        return [
            cv2.KeyPoint(float(x), float(y), float(size), float(a), float(resp), int(octv), int(lap))
            for x, y, size, a, resp, octv, lap in zip(
                found.x[idx], found.y[idx], found.size[idx], angle, found.response[idx],
                found.octave[idx], found.laplacian[idx], strict=True)
        ]

    def _compute(self, ii: np.ndarray, keypoints: list[cv2.KeyPoint]) -> np.ndarray:
        if not keypoints:
            return np.zeros((0, self.descriptor_size), dtype=np.float32)
        x = np.array([k.pt[0] for k in keypoints], dtype=np.float64)
        y = np.array([k.pt[1] for k in keypoints], dtype=np.float64)
        size = np.array([k.size for k in keypoints], dtype=np.float64)
        if self.upright:
            angle = np.zeros(len(keypoints))
        else:
            # Keypoints without an orientation (angle -1, OpenCV's "not applicable") get ours.
            angle = np.radians([k.angle for k in keypoints])
            missing = np.array([k.angle < 0 for k in keypoints])
            if missing.any():
                angle[missing] = _desc.orientations(ii, self.margin, x[missing], y[missing],
                                                    1.2 * size[missing] / 9.0)
        # Matching relies on class_id holding the Laplacian sign; fill it where absent.
        lap_missing = [i for i, k in enumerate(keypoints) if k.class_id not in (1, -1)]
        if lap_missing:
            signs = _det.laplacian_at(ii, self.margin, x[lap_missing], y[lap_missing], size[lap_missing])
            for i, sign in zip(lap_missing, signs, strict=True):
                keypoints[i].class_id = int(sign)
        return _desc.descriptors(ii, self.margin, x, y, 1.2 * size / 9.0, angle)

    def detect(self, image: np.ndarray, mask: np.ndarray | None = None) -> list[cv2.KeyPoint]:
        """Interest points of ``image`` (gray or RGB), strongest first."""
        ii, h, w = self._integral(image)
        return self._detect(ii, h, w, mask)

    def compute(self, image: np.ndarray, keypoints: list[cv2.KeyPoint], descriptors: Any = None
                ) -> tuple[list[cv2.KeyPoint], np.ndarray]:
        """Descriptors for given keypoints: ``(keypoints, float32 array (n, 64))``."""
        ii, _, _ = self._integral(image)
        keypoints = list(keypoints)
        return keypoints, self._compute(ii, keypoints)

    def detectAndCompute(self, image: np.ndarray, mask: np.ndarray | None = None,  # noqa: N802
                         descriptors: Any = None, useProvidedKeypoints: bool = False  # noqa: N803
                         ) -> tuple[list[cv2.KeyPoint], np.ndarray | None]:
        """OpenCV's signature: keypoints and descriptors, or ``([], None)`` when none found."""
        if useProvidedKeypoints:
            raise NotImplementedError("pass the keypoints to compute() instead")
        ii, h, w = self._integral(image)
        keypoints = self._detect(ii, h, w, mask)
        if not keypoints:
            return [], None  # what OpenCV returns for an image without keypoints
        return keypoints, self._compute(ii, keypoints)

    detect_and_compute = detectAndCompute


def create(
    hessian_threshold: float = 50.0,
    n_octaves: int = 4,
    upright: bool = False,
    prefer_opencv: bool = True,
    **kwargs: Any,
) -> Any:
    """OpenCV's SURF when the installed build has it (and ``prefer_opencv``), else ours.

    ``kwargs`` (``init_step``, ``max_keypoints``) only apply to ours; OpenCV's object has no
    keypoint cap, so :class:`helpers.local_features.Extractor` applies ``max_keypoints`` after
    detection when it wraps OpenCV's SURF. Both thresholds are on
    ``det(H)`` of area-normalised box filters over 0..255 intensities, so comparable values give
    comparable (not identical) numbers of points.
    """
    if prefer_opencv and opencv_surf_available():
        return cv2.xfeatures2d.SURF_create(  # type: ignore[attr-defined]
            hessianThreshold=hessian_threshold, nOctaves=n_octaves, upright=upright)
    return SURF(hessian_threshold=hessian_threshold, n_octaves=n_octaves, upright=upright, **kwargs)
