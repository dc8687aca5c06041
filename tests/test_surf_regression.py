"""Our SURF gives the keypoints and descriptors it gave before it was vectorised (issue 22).

The reference (``tests/surf_reference.json.gz``, written by ``tests/surf_reference.py`` from
the code at commit 41cbeff) is compared case by case: the same number of keypoints in the
same order, the same octaves and Laplacian signs exactly, and every float within a few
float32 ulps. Why not bit for bit: the stored values are float32 roundings of float64
results, and summing the same terms in another order (or another BLAS kernel on another
CPU) moves a float64 by ~1e-16 relative, which flips a float32 rounding by one ulp
(~6e-8 relative) now and then. A real change (a moved keypoint, a different orientation
window, a changed sample grid) shows up as differences many orders of magnitude larger.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers.surf import descriptor as sdesc
from surf_reference import FIELDS, cases, encode, load

# Relative tolerance of the keypoint fields: four float32 ulps.
RTOL = 4 * float(np.finfo(np.float32).eps)
ANGLE_ATOL = 1e-4  # degrees: a few ulps of float32 near 360
DESCRIPTOR_ATOL = 1e-6  # unit-length vectors: a few ulps of float32 near 1


@pytest.fixture(scope="module")
def computed():
    return {name: encode(*result) for name, result in cases().items()}


@pytest.fixture(scope="module")
def reference():
    return load()


def test_reference_covers_every_case(computed, reference):
    assert sorted(computed) == sorted(reference)
    assert all(len(r["x"]) > 0 for r in reference.values())


@pytest.mark.parametrize("case", sorted(load()))
def test_keypoints_and_descriptors_match_the_stored_reference(computed, reference, case):
    got, want = computed[case], reference[case]
    assert len(got["x"]) == len(want["x"])
    assert got["octave"] == want["octave"]
    assert got["class_id"] == want["class_id"]
    for field in FIELDS:
        if field == "angle":
            np.testing.assert_allclose(got[field], want[field], rtol=0, atol=ANGLE_ATOL, err_msg=field)
        else:
            np.testing.assert_allclose(got[field], want[field], rtol=RTOL, atol=0, err_msg=field)
    assert (got["descriptors"] is None) == (want["descriptors"] is None)
    if want["descriptors"] is not None:
        np.testing.assert_allclose(np.array(got["descriptors"]), np.array(want["descriptors"]),
                                   rtol=0, atol=DESCRIPTOR_ATOL)


# ---- the speed benchmark runs (its figures go in the README; no timing is asserted) -------


def test_surf_vs_sift_bench_reports_every_method_and_the_ratio(capsys):
    from helpers.surf import bench

    images, source = bench.bench_images(2, root=Path("/nonexistent"))
    assert len(images) == 2 and images[0].shape == (480, 640, 3) and "scikit-image" in source
    small = [image[::4, ::4] for image in images]  # 160x120: quick, same code paths
    result = bench.surf_vs_sift(rounds=1, images=small)
    assert set(result["ms_per_image"]) == set(bench.METHODS) == set(result["cpu_ms_per_image"])
    assert all(ms > 0 for ms in result["ms_per_image"].values())
    assert result["keypoints"]["surf"] > 0 and result["keypoints"]["sift"] > 0
    assert result["surf_over_sift"] == pytest.approx(
        result["ms_per_image"]["surf"] / result["ms_per_image"]["sift"])
    assert "| SURF (ours) |" in bench.format_table(result)
    assert bench.main(["--images", "1", "--rounds", "1", "--methods", "orb"])["keypoints"]["orb"] > 0
    assert "ORB (OpenCV)" in capsys.readouterr().out


# ---- the pieces that replaced a full computation give that computation's answer ----------


def test_mod_2pi_equals_numpy_mod_to_the_bit_on_edges():
    two_pi = 2 * np.pi
    starts = np.arange(sdesc.ORIENT_STEPS) * (two_pi / sdesc.ORIENT_STEPS)
    tiny = np.finfo(float).tiny
    edges = np.concatenate([starts, starts - two_pi, -starts, [0.0, -0.0, -two_pi, two_pi - 1e-16, -tiny, tiny,
                                                            np.pi, -np.pi, -3 * np.pi + 1e-12]])
    near = np.concatenate([np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf), edges])
    rng = np.random.default_rng(0)
    t = np.concatenate([near, rng.uniform(-3 * np.pi - 0.2, np.pi, 100_000)])
    t = t[(t > -4 * np.pi) & (t < two_pi)]
    assert np.array_equal(sdesc._mod_2pi(t), np.mod(t, two_pi))


def test_window_sums_equal_the_full_mask_of_every_window_and_sample():
    rng = np.random.default_rng(1)
    n, m = 40, 109
    step = 2 * np.pi / sdesc.ORIENT_STEPS
    # Angles on window edges (multiples of 5 degrees, and one ulp either side), from atan2 of
    # axis-aligned and diagonal responses, and at random.
    angle = rng.uniform(-np.pi, np.pi, (n, m))
    on_edges = rng.integers(-36, 37, (n, m)) * step
    pick = rng.random((n, m))
    angle = np.where(pick < 0.3, np.clip(on_edges, -np.pi, np.pi), angle)
    angle = np.where((pick >= 0.3) & (pick < 0.4), np.nextafter(angle, np.inf), angle)
    angle[0] = np.arctan2([0.0, 1.0, -1.0, 0.0, 1.0] * 21 + [0.0] * 4, [1.0, 0.0, 0.0, -1.0, 1.0] * 21 + [0.0] * 4)
    dx, dy = rng.normal(size=(n, m)), rng.normal(size=(n, m))
    sum_x, sum_y = sdesc._window_sums(angle, (dx, dy))
    starts = np.arange(sdesc.ORIENT_STEPS) * step
    inside = np.mod(angle[:, None, :] - starts[None, :, None], 2 * np.pi) < sdesc.ORIENT_WINDOW
    np.testing.assert_allclose(sum_x, np.einsum("nkp,np->nk", inside, dx), rtol=0, atol=1e-12)
    np.testing.assert_allclose(sum_y, np.einsum("nkp,np->nk", inside, dy), rtol=0, atol=1e-12)
