"""Local features for report 04: one interface over SURF, SIFT and ORB, matching and scoring.

Report 04 ranked the gallery for each query by SURF keypoint matches. This module gives the
steps one name each, the same for every detector:

* :func:`make` builds an :class:`Extractor` (``"surf"``, ``"surf_upright"``, ``"sift"``,
  ``"orb"``); ``.detect_and_compute(image)`` returns ``cv2.KeyPoint`` lists and descriptors;
  SURF is OpenCV's when the build has it, else :mod:`helpers.surf` (:func:`which_surf` says);
* :func:`match`: brute-force or FLANN 2-nearest-neighbour search with Lowe's ratio test;
* :func:`homography` / :func:`ransac_inliers`: geometric verification with RANSAC;
* :func:`precompute` and :func:`gallery_scores`: describe a gallery once, then score a query
  against every gallery image by RANSAC inliers or by good (ratio-test) matches;
* :func:`stack` / :func:`as_query`: descriptors as arrays for matching one query against a
  whole gallery at once (notebook 04's ratio test, written on its page, takes these).

The sign of the Laplacian (SURF only, kept in ``KeyPoint.class_id``): a bright blob on a dark
background never matches a dark blob on a bright one. The brute-force matcher applies it
*before* the ratio test, as a mask, so both nearest neighbours come from the same sign
(fewer distance computations count, and the ratio is taken among plausible candidates). FLANN
cannot mask, so there it is a *post-filter*: matches whose signs differ are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from . import surf as _surf

NAMES = ("surf", "surf_upright", "sift", "orb")


def which_surf() -> str:
    """``"opencv"`` when the installed OpenCV has SURF (non-free build), else ``"ours"``."""
    return "opencv" if _surf.opencv_surf_available() else "ours"


def _gray_uint8(image: np.ndarray) -> np.ndarray:
    """RGB/RGBA/gray, uint8 or float, to the uint8 grayscale OpenCV's detectors want."""
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 2:
        return image
    return np.clip(np.round(_surf.to_gray(image)), 0, 255).astype(np.uint8)


@dataclass
class Features:
    """Keypoints and descriptors of one image (descriptors ``None`` when there are none)."""

    keypoints: list[cv2.KeyPoint]
    descriptors: np.ndarray | None
    laplacian: np.ndarray | None = None  # SURF's Laplacian signs, one per keypoint

    def __len__(self) -> int:
        return len(self.keypoints)

    @property
    def points(self) -> np.ndarray:
        """Keypoint locations as a float32 ``(n, 2)`` array of ``(x, y)``."""
        return np.array([k.pt for k in self.keypoints], dtype=np.float32).reshape(-1, 2)


@dataclass
class Extractor:
    """A detector/descriptor with what matching needs to know about it."""

    name: str
    impl: Any  # cv2.Feature2D or helpers.surf.SURF
    norm: int  # cv2.NORM_L2 or cv2.NORM_HAMMING
    uses_laplacian: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    def detect_and_compute(self, image: np.ndarray) -> tuple[list[cv2.KeyPoint], np.ndarray | None]:
        """Keypoints and descriptors of a gray or RGB image; ``([], None)`` when it has none."""
        image = np.asarray(image)
        if image.size == 0 or min(image.shape[:2]) == 0:
            return [], None
        gray = image if isinstance(self.impl, _surf.SURF) else _gray_uint8(image)
        keypoints, descriptors = self.impl.detectAndCompute(gray, None)
        keypoints = list(keypoints)
        if not keypoints or descriptors is None or len(descriptors) == 0:
            return [], None
        cap = self.params.get("max_keypoints")
        if cap is not None and not isinstance(self.impl, _surf.SURF) and len(keypoints) > cap:
            # OpenCV's SURF has no cap of its own: keep the strongest, as ours does.
            keep = np.argsort([-k.response for k in keypoints], kind="stable")[: int(cap)]
            keypoints, descriptors = [keypoints[i] for i in keep], descriptors[keep]
        return keypoints, descriptors

    def features(self, image: np.ndarray) -> Features:
        """:meth:`detect_and_compute` wrapped in a :class:`Features`."""
        keypoints, descriptors = self.detect_and_compute(image)
        laplacian = None
        if self.uses_laplacian and keypoints:
            laplacian = np.array([k.class_id for k in keypoints], dtype=np.int8)
        return Features(keypoints, descriptors, laplacian)


def make(name: str, **params: Any) -> Extractor:
    """An :class:`Extractor` by name: ``surf``, ``surf_upright``, ``sift`` or ``orb``.

    ``params`` go to the constructor: for SURF :func:`helpers.surf.create`
    (``hessian_threshold``, ``n_octaves``, ``max_keypoints``, ``prefer_opencv``, ...); for
    SIFT and ORB OpenCV's own names (``nfeatures``, ``contrastThreshold``, ...).
    """
    key = name.lower()
    if key in ("surf", "surf_upright"):
        params = {"upright": key == "surf_upright", **params}
        impl = _surf.create(**params)
        if not isinstance(impl, _surf.SURF):
            # OpenCV's SURF got only the arguments it knows; init_step does not apply to it.
            params = {k: v for k, v in params.items() if k != "init_step"}
        return Extractor(key, impl, cv2.NORM_L2, uses_laplacian=True, params=params)
    if key == "sift":
        return Extractor(key, cv2.SIFT_create(**params), cv2.NORM_L2, params=params)
    if key == "orb":
        return Extractor(key, cv2.ORB_create(**params), cv2.NORM_HAMMING, params=params)
    raise ValueError(f"unknown local feature {name!r}; choose one of {NAMES}")


def _flann(norm: int) -> cv2.FlannBasedMatcher:
    if norm == cv2.NORM_HAMMING:
        # Binary descriptors need locality-sensitive hashing; KD-trees assume a vector space.
        index = {"algorithm": 6, "table_number": 6, "key_size": 12, "multi_probe_level": 1}
    else:
        index = {"algorithm": 1, "trees": 4}  # randomised KD-trees
    return cv2.FlannBasedMatcher(index, {"checks": 64})


def match(
    desc_a: np.ndarray | None,
    desc_b: np.ndarray | None,
    method: str = "bf",
    ratio: float = 0.75,
    norm: int = cv2.NORM_L2,
    laplacian_a: np.ndarray | None = None,
    laplacian_b: np.ndarray | None = None,
) -> list[cv2.DMatch]:
    """Matches from ``a`` (query) to ``b`` (train) that pass Lowe's ratio test.

    For every descriptor of ``a`` the two nearest in ``b`` are found (``method="bf"``:
    exhaustive, exact; ``"flann"``: approximate, faster for large sets); the match is kept when
    ``nearest < ratio * second``. A descriptor with fewer than two candidates is dropped: the
    test has nothing to compare with. Pass the Laplacian signs of SURF keypoints to apply the
    sign test (a mask for ``bf``, a post-filter for ``flann``; see the module docstring).
    """
    if method not in ("bf", "flann"):
        raise ValueError(f"method must be 'bf' or 'flann', not {method!r}")
    if not 0 < ratio <= 1:
        raise ValueError(f"ratio must be in (0, 1], got {ratio}")
    if desc_a is None or desc_b is None or len(desc_a) == 0 or len(desc_b) < 2:
        return []
    signs = laplacian_a is not None and laplacian_b is not None
    if signs and (len(laplacian_a) != len(desc_a) or len(laplacian_b) != len(desc_b)):
        raise ValueError("one Laplacian sign per descriptor is needed")
    if norm == cv2.NORM_HAMMING:
        desc_a, desc_b = np.asarray(desc_a, np.uint8), np.asarray(desc_b, np.uint8)
    else:
        desc_a, desc_b = np.asarray(desc_a, np.float32), np.asarray(desc_b, np.float32)
    if method == "bf":
        matcher = cv2.BFMatcher(norm)
        if signs:
            mask = (np.asarray(laplacian_a)[:, None] == np.asarray(laplacian_b)[None, :])
            pairs = matcher.knnMatch(desc_a, desc_b, k=2, mask=mask.astype(np.uint8))
        else:
            pairs = matcher.knnMatch(desc_a, desc_b, k=2)
    else:
        pairs = _flann(norm).knnMatch(desc_a, desc_b, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < ratio * p[1].distance]
    if signs and method == "flann":
        good = [m for m in good if laplacian_a[m.queryIdx] == laplacian_b[m.trainIdx]]
    return good


def homography(
    kp_a: Sequence[cv2.KeyPoint],
    kp_b: Sequence[cv2.KeyPoint],
    matches: Sequence[cv2.DMatch],
    reproj_threshold: float = 5.0,
) -> tuple[np.ndarray | None, np.ndarray]:
    """RANSAC homography from ``a`` to ``b`` and the boolean inlier mask over ``matches``.

    Fewer than four matches (or a degenerate set) gives ``(None, all False)``. OpenCV's RANSAC
    seeds its own generator, so the result is the same on every run.
    """
    inliers = np.zeros(len(matches), dtype=bool)
    if len(matches) < 4:
        return None, inliers
    src = np.float32([kp_a[m.queryIdx].pt for m in matches]).reshape(-1, 1, 2)
    dst = np.float32([kp_b[m.trainIdx].pt for m in matches]).reshape(-1, 1, 2)
    h, mask = cv2.findHomography(src, dst, cv2.RANSAC, reproj_threshold)
    if h is None or mask is None:
        return None, inliers
    return h, mask.ravel().astype(bool)


def ransac_inliers(
    kp_a: Sequence[cv2.KeyPoint],
    kp_b: Sequence[cv2.KeyPoint],
    matches: Sequence[cv2.DMatch],
    reproj_threshold: float = 5.0,
) -> int:
    """How many ``matches`` agree with the RANSAC homography (0 with fewer than four)."""
    return int(homography(kp_a, kp_b, matches, reproj_threshold)[1].sum())


@dataclass
class Gallery:
    """Features of every gallery image, computed once by :func:`precompute`."""

    extractor: Extractor
    features: list[Features]
    names: list[str] | None = None
    empty: int = 0  # images without a single keypoint (they score 0 against every query)

    def __len__(self) -> int:
        return len(self.features)


def precompute(extractor: Extractor, images: Iterable[np.ndarray], names: Sequence[str] | None = None) -> Gallery:
    """Describe every gallery image once, so scoring a query only matches and verifies."""
    feats = [extractor.features(image) for image in images]
    if names is not None and len(names) != len(feats):
        raise ValueError(f"{len(names)} names for {len(feats)} images")
    return Gallery(extractor, feats, list(names) if names is not None else None,
                   empty=sum(1 for f in feats if len(f) == 0))


def pair_score(
    query: Features,
    item: Features,
    norm: int,
    score: str = "inliers",
    method: str = "bf",
    ratio: float = 0.75,
    reproj_threshold: float = 5.0,
) -> int:
    """Similarity of two described images: RANSAC inliers or good matches."""
    matches = match(query.descriptors, item.descriptors, method, ratio, norm,
                    query.laplacian, item.laplacian)
    if score == "good_matches":
        return len(matches)
    return ransac_inliers(query.keypoints, item.keypoints, matches, reproj_threshold)


def gallery_scores(
    query_image: np.ndarray | Features,
    gallery_features: Gallery,
    score: str = "inliers",
    method: str = "bf",
    ratio: float = 0.75,
    reproj_threshold: float = 5.0,
) -> np.ndarray:
    """Score of the query against every gallery image (higher is more similar).

    ``score="inliers"`` counts RANSAC-verified matches (robust to repeated texture, about
    1 ms more per pair); ``"good_matches"`` counts ratio-test matches. The query may be an
    image or :class:`Features` already computed with the gallery's extractor. Returns a float
    array of length ``len(gallery)``, ready for ``np.argsort(-scores)``.
    """
    if score not in ("inliers", "good_matches"):
        raise ValueError(f"score must be 'inliers' or 'good_matches', not {score!r}")
    extractor = gallery_features.extractor
    query = query_image if isinstance(query_image, Features) else extractor.features(query_image)
    return np.array(
        [pair_score(query, item, extractor.norm, score, method, ratio, reproj_threshold)
         for item in gallery_features.features],
        dtype=np.float64,
    )


@dataclass
class Stacked:
    """Descriptors as float32 arrays for brute-force matching by matrix products.

    A gallery (:func:`stack`): ``vectors`` (G, K, D) padded to the most keypoints K of any
    image, ``sq_norms`` (G, K) their squared norms, +inf in the empty slots (so an empty slot
    is infinitely far from every query descriptor), ``signs`` (G, K) SURF's Laplacian signs
    (None for other detectors). A query (:func:`as_query`): ``vectors`` (q, D), ``sq_norms``
    (q,), ``signs`` (q,). ORB's binary descriptors are unpacked to 0/1 bits, so the squared
    Euclidean distance of two is their Hamming distance (``hamming``). ``features`` keeps the
    keypoints (for RANSAC).
    """

    vectors: np.ndarray
    sq_norms: np.ndarray
    signs: np.ndarray | None
    hamming: bool
    features: list[Features]


def _vectors(descriptors: np.ndarray | None, hamming: bool, width: int) -> np.ndarray:
    if descriptors is None or len(descriptors) == 0:
        return np.zeros((0, width), np.float32)
    if hamming:
        return np.unpackbits(np.asarray(descriptors, np.uint8), axis=1).astype(np.float32)
    return np.asarray(descriptors, np.float32)


def _width(features: Sequence[Features], hamming: bool) -> int:
    for f in features:
        if f.descriptors is not None and len(f.descriptors):
            return int(f.descriptors.shape[1]) * (8 if hamming else 1)
    return 256 if hamming else 64


def as_query(features: Features, gallery: Stacked) -> Stacked:
    """One image's descriptors as a query for ``gallery`` (:func:`stack`), in its width."""
    hamming = gallery.hamming
    described = np.isfinite(gallery.sq_norms).any()  # else nothing to match (width unknown)
    vectors = _vectors(features.descriptors if described else None, hamming,
                       gallery.vectors.shape[-1])
    signs = None
    if features.laplacian is not None and len(vectors):
        signs = np.asarray(features.laplacian, np.int8)
    return Stacked(vectors, (vectors**2).sum(axis=1), signs, hamming, [features])


def as_queries(features: Sequence[Features], gallery: Stacked) -> tuple[Stacked, np.ndarray]:
    """Several images' descriptors as one query block (one matrix product for all of them),
    and the row offsets of each image's descriptors (``len(features) + 1`` of them)."""
    parts = [as_query(f, gallery) for f in features]
    offsets = np.cumsum([0] + [len(p.vectors) for p in parts])
    signs = None
    if gallery.signs is not None and all(p.signs is not None or not len(p.vectors) for p in parts):
        signs = np.concatenate([p.signs if p.signs is not None else np.zeros(0, np.int8)
                                for p in parts])
    block = Stacked(np.concatenate([p.vectors for p in parts]),
                    np.concatenate([p.sq_norms for p in parts]), signs, gallery.hamming,
                    list(features))
    return block, offsets


def stack(features: Sequence[Features], norm: int) -> Stacked:
    """Every gallery image's descriptors in one padded (G, K, D) array (K at least 2, so a
    second nearest always has a slot; empty slots have an infinite norm)."""
    hamming = norm == cv2.NORM_HAMMING
    width = _width(features, hamming)
    most = max([2] + [len(f) for f in features])
    vectors = np.zeros((len(features), most, width), np.float32)
    sq_norms = np.full((len(features), most), np.inf, np.float32)
    signs = None
    if any(f.laplacian is not None for f in features):
        signs = np.zeros((len(features), most), np.int8)
    for g, f in enumerate(features):
        v = _vectors(f.descriptors, hamming, width)
        vectors[g, : len(v)], sq_norms[g, : len(v)] = v, (v**2).sum(axis=1)
        if signs is not None and f.laplacian is not None:
            signs[g, : len(v)] = f.laplacian
    return Stacked(vectors, sq_norms, signs, hamming, list(features))


def inliers_of(query: Stacked, gallery: Stacked, good: np.ndarray, nearest: np.ndarray,
               reproj_threshold: float = 5.0) -> np.ndarray:
    """RANSAC inliers of each gallery image's good matches (``good``/``nearest``: (q, G) from
    a ratio test over :class:`Stacked` arrays); 0 where fewer than four matches."""
    out = np.zeros(len(gallery.features))
    keypoints = query.features[0].keypoints
    for g in np.flatnonzero(good.sum(axis=0) >= 4):
        rows = np.flatnonzero(good[:, g])
        matches = [cv2.DMatch(int(i), int(nearest[i, g]), 0.0) for i in rows]
        out[g] = ransac_inliers(keypoints, gallery.features[g].keypoints, matches, reproj_threshold)
    return out


# ---- evaluation against a known homography (tests, benchmark, notebook 04) ----------------


def project(points: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Apply the 3x3 homography ``h`` to ``(n, 2)`` points ``(x, y)``."""
    points = np.asarray(points, np.float64).reshape(-1, 2)
    if len(points) == 0:
        return points
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2), np.asarray(h, np.float64)).reshape(-1, 2)


def _local_scale(h: np.ndarray) -> float:
    """How much ``h`` magnifies lengths (exact for similarity transforms)."""
    h = np.asarray(h, np.float64) / h[2, 2]
    return float(np.sqrt(abs(np.linalg.det(h[:2, :2]))))


def repeatability(
    kp_a: Sequence[cv2.KeyPoint],
    kp_b: Sequence[cv2.KeyPoint],
    h: np.ndarray,
    shape_a: tuple[int, int],
    shape_b: tuple[int, int],
    tolerance: float = 3.0,
) -> float:
    """Fraction of keypoints found again after the warp ``h`` (image ``a`` to image ``b``).

    Only keypoints in the overlap count: those of ``a`` that ``h`` maps inside ``b`` and those
    of ``b`` that the inverse maps inside ``a``. A point of ``a`` is repeated when a point of
    ``b`` lies within ``tolerance`` pixels of its projection, the tolerance growing with the
    magnification (a point found at twice the scale is localised half as precisely in ``a``'s
    pixels). The count is divided by the smaller of the two overlap counts (Mikolajczyk et al.
    2005); 0.0 when the overlap holds no keypoints.
    """
    pa, pb = Features(list(kp_a), None).points, Features(list(kp_b), None).points

    def inside(p: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        return (p[:, 0] >= 0) & (p[:, 0] <= shape[1] - 1) & (p[:, 1] >= 0) & (p[:, 1] <= shape[0] - 1)

    a_in_b = project(pa, h)
    a_keep = inside(a_in_b, shape_b)
    b_keep = inside(project(pb, np.linalg.inv(h)), shape_a)
    n = min(int(a_keep.sum()), int(b_keep.sum()))
    if n == 0:
        return 0.0
    tol = tolerance * max(1.0, _local_scale(h))
    d = np.linalg.norm(a_in_b[a_keep][:, None, :] - pb[b_keep][None, :, :], axis=2)
    return min(1.0, float((d.min(axis=1) <= tol).sum()) / n)


def match_precision(
    kp_a: Sequence[cv2.KeyPoint],
    kp_b: Sequence[cv2.KeyPoint],
    matches: Sequence[cv2.DMatch],
    h: np.ndarray,
    tolerance: float = 5.0,
) -> tuple[float, int]:
    """Fraction of ``matches`` that ``h`` confirms (within ``tolerance`` px in ``b``), and
    the number of correct ones. ``(0.0, 0)`` without matches."""
    if not matches:
        return 0.0, 0
    src = project(np.array([kp_a[m.queryIdx].pt for m in matches]), h)
    dst = np.array([kp_b[m.trainIdx].pt for m in matches])
    correct = int((np.linalg.norm(src - dst, axis=1) <= tolerance).sum())
    return correct / len(matches), correct
