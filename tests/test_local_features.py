"""One interface over SURF/SIFT/ORB: construction, matching, RANSAC, gallery scoring, metrics."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from helpers import local_features as lf
from helpers import surf


def _gray(name: str, size: int = 256) -> np.ndarray:
    image = getattr(data, name)()
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = size / max(image.shape)
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _rotated(gray: np.ndarray, angle: float, scale: float = 1.0):
    h, w = gray.shape
    hom = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale), [0, 0, 1]])
    return cv2.warpPerspective(gray, hom, (w, h)), hom


def _kps(points) -> list[cv2.KeyPoint]:
    return [cv2.KeyPoint(float(x), float(y), 10.0) for x, y in points]


# ---- construction -----------------------------------------------------------------------


@pytest.mark.parametrize("name", lf.NAMES)
def test_every_extractor_describes_a_photo_and_survives_empty_images(name):
    ex = lf.make(name)
    kps, desc = ex.detect_and_compute(data.astronaut()[::2, ::2])  # RGB input
    assert len(kps) > 20 and desc.shape[0] == len(kps)
    expected = (np.uint8, 32) if name == "orb" else (np.float32, 64 if "surf" in name else 128)
    assert (desc.dtype, desc.shape[1]) == expected
    assert ex.norm == (cv2.NORM_HAMMING if name == "orb" else cv2.NORM_L2)
    for empty in (np.zeros((0, 0), np.uint8), np.zeros((3, 3, 3), np.uint8), np.full((64, 64), 7, np.uint8)):
        assert ex.detect_and_compute(empty) == ([], None)
        assert len(ex.features(empty)) == 0


def test_make_passes_parameters_and_refuses_unknown_names():
    assert isinstance(lf.make("surf").impl, surf.SURF)
    assert lf.make("surf_upright").impl.upright is True
    assert lf.make("surf", hessian_threshold=400).impl.hessian_threshold == 400
    assert len(lf.make("orb", nfeatures=50).detect_and_compute(_gray("camera"))[0]) <= 50
    assert lf.make("surf").uses_laplacian and not lf.make("sift").uses_laplacian
    with pytest.raises(ValueError, match="unknown local feature"):
        lf.make("akaze")


def test_which_surf_reports_ours_on_pypi_builds():
    assert lf.which_surf() == "ours"


# ---- matching -----------------------------------------------------------------------------


def test_ratio_test_on_hand_made_descriptors():
    a = np.array([[0, 0], [5, 5]], np.float32)
    b = np.array([[0, 1], [0, 1.2], [5, 5.1], [9, 9]], np.float32)
    # a0: nearest 1.0, second 1.2 -> ambiguous, dropped; a1: 0.1 vs ~4.4 -> kept.
    good = lf.match(a, b, ratio=0.75)
    assert [(m.queryIdx, m.trainIdx) for m in good] == [(1, 2)]
    assert len(lf.match(a, b, ratio=0.9)) == 2
    assert lf.match(None, b) == [] and lf.match(a, b[:1]) == [] and lf.match(a[:0], b) == []
    with pytest.raises(ValueError):
        lf.match(a, b, method="annoy")
    with pytest.raises(ValueError):
        lf.match(a, b, ratio=0)


def test_laplacian_sign_masks_brute_force_and_filters_flann():
    a = np.array([[0, 0]], np.float32)
    b = np.array([[0, 0.1], [0, 1.0], [0, 3.0], [0, 3.5]], np.float32)
    lap_a = np.array([1], np.int8)
    lap_b = np.array([-1, 1, 1, 1], np.int8)
    # Without signs b0 wins; with them b0 is out and b1 (1.0 vs 3.0) passes the ratio test.
    assert [m.trainIdx for m in lf.match(a, b)] == [0]
    assert [m.trainIdx for m in lf.match(a, b, laplacian_a=lap_a, laplacian_b=lap_b)] == [1]
    # FLANN cannot mask: its match b0 is dropped afterwards.
    assert lf.match(a, b, method="flann", laplacian_a=lap_a, laplacian_b=lap_b) == []
    with pytest.raises(ValueError, match="Laplacian"):
        lf.match(a, b, laplacian_a=lap_a, laplacian_b=lap_b[:2])


@pytest.mark.parametrize("name", ["surf", "sift", "orb"])
def test_flann_agrees_with_brute_force(name):
    ex = lf.make(name)
    gray = _gray("astronaut")
    fa, fb = ex.features(gray), ex.features(_rotated(gray, 10)[0])
    bf = {(m.queryIdx, m.trainIdx) for m in lf.match(fa.descriptors, fb.descriptors, "bf", 0.75, ex.norm)}
    fl = {(m.queryIdx, m.trainIdx) for m in lf.match(fa.descriptors, fb.descriptors, "flann", 0.75, ex.norm)}
    assert len(bf) > 20
    assert len(bf & fl) >= 0.7 * len(bf)


# ---- RANSAC -------------------------------------------------------------------------------


def test_ransac_counts_the_points_a_homography_explains():
    rng = np.random.default_rng(0)
    hom = np.array([[0.9, -0.2, 30], [0.25, 1.1, -10], [1e-4, 2e-4, 1]])
    src = rng.uniform(0, 300, (40, 2))
    dst = lf.project(src, hom)
    dst[30:] = rng.uniform(0, 300, (10, 2))  # ten outliers
    matches = [cv2.DMatch(i, i, 0.0) for i in range(40)]
    h, inliers = lf.homography(_kps(src), _kps(dst), matches, 3.0)
    assert lf.ransac_inliers(_kps(src), _kps(dst), matches, 3.0) == 30
    assert inliers[:30].all() and not inliers[30:].any()
    np.testing.assert_allclose(h / h[2, 2], hom, rtol=1e-3, atol=1e-3)
    assert lf.ransac_inliers(_kps(src), _kps(dst), matches[:3]) == 0
    assert lf.homography(_kps(src), _kps(dst), [])[0] is None


# ---- gallery ------------------------------------------------------------------------------


@pytest.mark.parametrize("score", ["inliers", "good_matches"])
def test_gallery_ranks_views_of_the_query_first(score):
    ex = lf.make("surf")
    camera = _gray("camera")
    names = ["camera rotated", "coffee", "camera scaled", "chelsea", "blank"]
    gallery_images = [_rotated(camera, 25)[0], _gray("coffee"), _rotated(camera, -5, 1.4)[0],
                      _gray("chelsea"), np.zeros((50, 50), np.uint8)]
    gallery = lf.precompute(ex, gallery_images, names)
    assert len(gallery) == 5 and gallery.empty == 1
    scores = lf.gallery_scores(camera, gallery, score=score)
    assert scores.shape == (5,) and scores[4] == 0
    top2 = {names[i] for i in np.argsort(-scores)[:2]}
    assert top2 == {"camera rotated", "camera scaled"}, scores
    # Precomputed query features give the same scores.
    np.testing.assert_array_equal(lf.gallery_scores(ex.features(camera), gallery, score=score), scores)


def test_gallery_refuses_bad_arguments():
    ex = lf.make("orb")
    with pytest.raises(ValueError, match="names"):
        lf.precompute(ex, [_gray("camera")], ["a", "b"])
    gallery = lf.precompute(ex, [_gray("camera")])
    with pytest.raises(ValueError, match="score"):
        lf.gallery_scores(_gray("camera"), gallery, score="votes")


# ---- evaluation metrics -------------------------------------------------------------------


def test_repeatability_and_precision_on_hand_made_points():
    pts = np.array([[10, 10], [50, 60], [90, 20], [150, 150]], float)
    shift = np.array([[1, 0, 5], [0, 1, 0], [0, 0, 1]], float)
    shape = (200, 200)
    assert lf.repeatability(_kps(pts), _kps(pts + [5, 0]), shift, shape, shape) == 1.0
    assert lf.repeatability(_kps(pts), _kps(pts + [20, 0]), shift, shape, shape) == 0.0
    # Half of the points found again (the other two moved 10 px away).
    moved = pts + [[5, 0], [5, 0], [15, 0], [15, 0]]
    assert lf.repeatability(_kps(pts), _kps(moved), shift, shape, shape) == 0.5
    assert lf.repeatability([], _kps(pts), shift, shape, shape) == 0.0
    matches = [cv2.DMatch(0, 0, 0.0), cv2.DMatch(1, 1, 0.0), cv2.DMatch(2, 3, 0.0)]
    assert lf.match_precision(_kps(pts), _kps(pts + [5, 0]), matches, shift) == (2 / 3, 2)
    assert lf.match_precision(_kps(pts), _kps(pts), [], shift) == (0.0, 0)


def test_max_keypoints_applies_when_opencv_surf_is_the_implementation(monkeypatch):
    class FakeOpenCVSurf:  # what a non-free build's SURF returns: keypoints with responses
        def detectAndCompute(self, image, mask):  # noqa: N802 - OpenCV's name
            kps = [cv2.KeyPoint(float(i), float(i), 20.0, -1, float(r), 0, 1) for i, r in enumerate([1, 5, 3, 4])]
            return kps, np.arange(4 * 64, dtype=np.float32).reshape(4, 64)

    monkeypatch.setattr(cv2.xfeatures2d, "SURF_create", lambda **kw: FakeOpenCVSurf(), raising=False)
    assert lf.which_surf() == "opencv"
    ex = lf.make("surf", max_keypoints=2)
    kps, desc = ex.detect_and_compute(np.zeros((64, 64), np.uint8) + 1)
    assert [k.response for k in kps] == [5.0, 4.0]
    np.testing.assert_array_equal(desc[:, 0], [64.0, 192.0])
