"""SURF orientation and 64-d descriptor (Bay et al., CVIU 2008, section 4), vectorised.

Everything is expressed in units of the keypoint's scale ``s = 1.2 * size / 9``:

* orientation (4.1): Haar wavelet responses of side ``4s`` at the 109 points of a radius-``6s``
  circle sampled every ``s``, weighted by a Gaussian of sigma ``2s``; a window of pi/3 slides
  around the circle of response angles, and the longest summed vector gives the orientation;
* descriptor (4.2): a ``20s`` square aligned with that orientation, split into 4x4 subregions
  of 5x5 samples (spacing ``s``); Haar responses of side ``2s`` rotated into the keypoint's
  frame and weighted by a Gaussian of sigma ``3.3s``; per subregion
  ``(sum dx, sum |dx|, sum dy, sum |dy|)``; the 64 numbers scaled to unit length, which makes
  them invariant to contrast.

All keypoints of a chunk are processed at once: every Haar response is eight look-ups into
the integral image (``ndarray.take``), and the bilinear blend of four neighbouring responses
shares its index work (issue 22: the same numbers, to the bit, as before, in well under half
the time; ``tests/test_surf_regression.py``).
"""

from __future__ import annotations

import numpy as np

# Points of the radius-6 circle (in units of s) used for the orientation, with their weights.
_ii, _jj = np.mgrid[-6:7, -6:7]
_CIRCLE = (_ii * _ii + _jj * _jj) < 36
ORIENT_DX = _jj[_CIRCLE].astype(np.float64)  # 109 points
ORIENT_DY = _ii[_CIRCLE].astype(np.float64)
ORIENT_WEIGHT = np.exp(-(ORIENT_DX**2 + ORIENT_DY**2) / (2 * 2.0**2))
ORIENT_WINDOW = np.pi / 3
ORIENT_STEPS = 72  # window start every 5 degrees

# The 20x20 sample grid of the descriptor, centred on the keypoint, in units of s.
_k = np.arange(20) - 9.5
DESC_V, DESC_U = np.meshgrid(_k, _k, indexing="ij")  # v: rows (across), u: columns (along)
DESC_WEIGHT = np.exp(-(DESC_U**2 + DESC_V**2) / (2 * 3.3**2))
# Subregion index (0..15, row-major over (v, u) blocks of 5x5) of each of the 400 samples.
DESC_CELL = ((np.arange(20)[:, None] // 5) * 4 + np.arange(20)[None, :] // 5).ravel()

CHUNK = 64  # keypoints per vectorised batch: (64, 400) float64 temporaries stay in a 512 KiB L2 cache


def haar(ii: np.ndarray, margin: int, x: np.ndarray, y: np.ndarray, side: np.ndarray):
    """Haar wavelet responses ``dx`` (right minus left) and ``dy`` (bottom minus top).

    ``x``, ``y`` are integer pixel centres (any shape) and ``side`` an even side length
    broadcastable to them. Each wavelet is a ``side x side`` square split in two halves;
    responses are divided by the square's area so they do not grow with the scale. Indices
    outside the padded integral image are clipped, which reads as zero-padding beyond it.
    """
    half = side // 2
    flat = ii.ravel()
    h1, w1 = ii.shape
    r0 = np.clip(y - half + margin, 0, h1 - 1)
    r1 = np.clip(y + half + margin, 0, h1 - 1)
    rm = np.clip(y + margin, 0, h1 - 1)
    c0 = np.clip(x - half + margin, 0, w1 - 1)
    c1 = np.clip(x + half + margin, 0, w1 - 1)
    cm = np.clip(x + margin, 0, w1 - 1)

    def at(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return flat[r * w1 + c]

    a00, a01, a10, a11 = at(r0, c0), at(r0, c1), at(r1, c0), at(r1, c1)
    # right half - left half = whole - 2 * left; bottom - top = whole - 2 * top
    dx = a11 - a01 - 2 * at(r1, cm) + 2 * at(r0, cm) + a10 - a00
    dy = a11 - a10 - 2 * at(rm, c1) + 2 * at(rm, c0) + a01 - a00
    area = (2 * half) ** 2
    return dx / area, dy / area


def haar_bilinear(ii: np.ndarray, margin: int, x: np.ndarray, y: np.ndarray, side: np.ndarray):
    """:func:`haar` at real-valued positions, blended bilinearly from the four nearest pixels.

    ``x``, ``y``: ``(keypoints, samples)``; ``side``: ``(keypoints, 1)``. Rounding the rotated
    sample grid to whole pixels jitters small-scale samples by up to half a pixel, which costs
    rotated matches much of their precision; blending is four times the look-ups of rounding.
    The arithmetic is :func:`haar`'s, in the same order, so the responses are the same to the
    bit; what is shared is the index work (see :func:`_haar_taps`).
    """
    # haar() at integer (xi, yi) covers pixels xi - side/2 .. xi + side/2 - 1, so it is centred
    # at (xi - 0.5, yi - 0.5); shifting by half a pixel centres the wavelet on (x, y), which
    # keeps orientations exact under quarter turns.
    x, y = x + 0.5, y + 0.5
    x0, y0 = np.floor(x), np.floor(y)
    wx, wy = x - x0, y - y0
    xi, yi = x0.astype(np.int64), y0.astype(np.int64)
    half = side // 2
    weights = ((1 - wx) * (1 - wy), wx * (1 - wy), (1 - wx) * wy, wx * wy)
    h1, w1 = ii.shape
    # Keypoints whose every look-up (one pixel right and down included) lies inside ii need
    # no clipping; the others (large scales near the border) take the clipped path.
    inside = ((yi - half + margin).min(axis=1) >= 0) & ((yi + half + margin).max(axis=1) < h1 - 1)
    inside &= ((xi - half + margin).min(axis=1) >= 0) & ((xi + half + margin).max(axis=1) < w1 - 1)
    dx, dy = np.zeros(np.shape(x)), np.zeros(np.shape(x))
    for rows, clip in ((np.flatnonzero(inside), False), (np.flatnonzero(~inside), True)):
        if len(rows) == len(inside):
            rows = slice(None)  # all of them: no copies
        elif len(rows) == 0:
            continue
        area = ((2 * half[rows]) ** 2).astype(np.float64)
        taps = _haar_taps(ii, margin, xi[rows], yi[rows], half[rows], clip)
        for (hx, hy), weight in zip(taps, weights, strict=True):
            dx[rows] += weight[rows] * (hx / area)
            dy[rows] += weight[rows] * (hy / area)
    return dx, dy


def _haar_taps(ii: np.ndarray, margin: int, xi: np.ndarray, yi: np.ndarray, half: np.ndarray, clip: bool):
    """Unnormalised :func:`haar` ``(dx, dy)`` at ``(xi, yi)`` and at the pixel right, below and
    below-right of it, in that order (the bilinear weights' order).

    Without ``clip`` the eight corner indices are computed once and the three neighbours read
    the same indices from the flat integral image shifted by 1, one row and one row + 1;
    ``ndarray.take`` does the look-ups (several times faster than fancy indexing). With
    ``clip`` every neighbour's indices are clipped into ``ii`` as :func:`haar` clips them.
    """
    flat = ii.ravel()
    h1, w1 = ii.shape
    edges = (-half + margin, half + margin, margin)  # top/left, bottom/right, middle
    for ox, oy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        if clip:
            r0, r1, rm = (np.clip(yi + (d + oy), 0, h1 - 1) * w1 for d in edges)
            c0, c1, cm = (np.clip(xi + (d + ox), 0, w1 - 1) for d in edges)
            source = flat
        else:
            if ox == oy == 0:
                r0, r1, rm = ((yi + d) * w1 for d in edges)
                c0, c1, cm = (xi + d for d in edges)
                index = [r0 + c0, r0 + c1, r1 + c0, r1 + c1, r1 + cm, r0 + cm, rm + c1, rm + c0]
            source = flat[ox + oy * w1 :]
        if clip:
            index = [r0 + c0, r0 + c1, r1 + c0, r1 + c1, r1 + cm, r0 + cm, rm + c1, rm + c0]
        a00, a01, a10, a11, a1m, a0m, am1, am0 = (source.take(i) for i in index)
        # right half - left half = whole - 2 * left; bottom - top = whole - 2 * top
        yield (a11 - a01 - 2 * a1m + 2 * a0m + a10 - a00, a11 - a10 - 2 * am1 + 2 * am0 + a01 - a00)


# Windows that hold a response at angle a (start k * 5 degrees <= a < start + 60 degrees) are
# the twelve k up to floor(a / 5 degrees) = q. Those at q - 10 .. q - 1 hold it with 5 degrees
# to spare; only q - 12, q - 11, q and q + 1 can be decided by rounding, so only those are
# tested, with the exact comparison of a full (keypoints, windows, samples) mask.
_SURE = np.arange(1, 11)
_EDGES = np.array([12, 11, 0, -1])


def _window_sums(angle: np.ndarray, values: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """Per keypoint and window start, the sum of each of ``values`` over samples inside it.

    Window ``k`` holds sample ``p`` when ``mod(angle[p] - 2 pi k / 72, 2 pi) < pi / 3``,
    decided as above. Sums are accumulated on an unwrapped axis of 72 + 14 starts
    (``q - d + 12``) by difference arrays (the sure run) and direct additions (the edges),
    then folded back onto the circle.
    """
    n, m = angle.shape
    width = ORIENT_STEPS + 14
    # q only needs to be right to within one window (see above): no exact mod here.
    q = ((angle + 2 * np.pi) * (ORIENT_STEPS / (2 * np.pi))).astype(np.int64)
    q %= ORIENT_STEPS
    local = q + 12  # unwrapped index of window q
    edge_local = local[None] - _EDGES[:, None, None]  # (4, n, m)
    inside = _mod_2pi(angle[None] - _UNWRAPPED_STARTS[edge_local]) < ORIENT_WINDOW
    base = local + (np.arange(n) * width)[:, None]
    # One bincount for every value: value j's bins follow value j - 1's.
    bins = n * width
    count = len(values)
    shift = (np.arange(count) * bins)[:, None, None]
    stacked = np.stack(values)
    diff = np.bincount((base - _SURE[-1] + shift).ravel(), stacked.ravel(), bins * count)
    diff -= np.bincount((base - _SURE[0] + 1 + shift).ravel(), stacked.ravel(), bins * count)
    sums = np.cumsum(diff.reshape(count, n, width), axis=2)
    # The edge windows: every candidate is added, those outside as zeros (x + 0 is x).
    edge_bins = base[None, None] - _EDGES[None, :, None, None] + shift[:, None]
    edge_values = stacked[:, None] * inside[None]
    sums += np.bincount(edge_bins.ravel(), edge_values.ravel(), bins * count).reshape(sums.shape)
    folded = sums[:, :, 12 : 12 + ORIENT_STEPS].copy()
    folded[:, :, -12:] += sums[:, :, :12]
    folded[:, :, :2] += sums[:, :, 12 + ORIENT_STEPS :]
    return list(folded)


def _mod_2pi(t: np.ndarray) -> np.ndarray:
    """``np.mod(t, 2 * np.pi)`` to the bit for ``t`` in ``(-4 pi, 2 pi)``, without the division.

    NumPy's float mod is C's ``fmod`` (exact) plus the divisor when the result is negative.
    On ``[0, 2 pi)`` both return ``t``; on ``(-2 pi, 0)`` both round ``t + 2 pi``; below
    ``-2 pi``, ``t + 2 pi`` is exact (Sterbenz), as ``fmod`` is, and the second step rounds
    the same sum as NumPy's adjustment. ``tests/test_surf_regression.py`` checks it on edges.
    """
    two_pi = 2 * np.pi
    t = np.where(t < 0, t + two_pi, t)
    return np.where(t < 0, t + two_pi, t)


# Window start angles on the unwrapped axis: index L holds window (L - 12) mod 72.
_UNWRAPPED_STARTS = (np.arange(ORIENT_STEPS) * (2 * np.pi / ORIENT_STEPS))[(np.arange(ORIENT_STEPS + 14) - 12)
                                                                           % ORIENT_STEPS]


def orientations(ii: np.ndarray, margin: int, x: np.ndarray, y: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Dominant orientation (radians, image coordinates: ``atan2(dy, dx)`` with y down)."""
    out = np.zeros(len(x))
    for lo in range(0, len(x), CHUNK):
        sl = slice(lo, lo + CHUNK)
        s = scale[sl, None]
        px = x[sl, None] + ORIENT_DX * s
        py = y[sl, None] + ORIENT_DY * s
        side = 2 * np.maximum(1, np.round(2 * s)).astype(np.int64)  # 4s, kept even
        dx, dy = haar_bilinear(ii, margin, px, py, side)
        dx, dy = dx * ORIENT_WEIGHT, dy * ORIENT_WEIGHT
        sum_x, sum_y = _window_sums(np.arctan2(dy, dx), (dx, dy))
        best = np.argmax(sum_x**2 + sum_y**2, axis=1)
        rows = np.arange(len(best))
        out[sl] = np.arctan2(sum_y[rows, best], sum_x[rows, best])
    return out


def descriptors(
    ii: np.ndarray, margin: int, x: np.ndarray, y: np.ndarray, scale: np.ndarray, angle: np.ndarray
) -> np.ndarray:
    """64-d unit-length SURF descriptors (float32, one row per keypoint)."""
    out = np.zeros((len(x), 64), dtype=np.float32)
    u, v, w = DESC_U.ravel(), DESC_V.ravel(), DESC_WEIGHT.ravel()
    for lo in range(0, len(x), CHUNK):
        sl = slice(lo, lo + CHUNK)
        s = scale[sl, None]
        cos, sin = np.cos(angle[sl, None]), np.sin(angle[sl, None])
        # Rotate the sample grid: u runs along the orientation, v across it.
        px = x[sl, None] + s * (u * cos - v * sin)
        py = y[sl, None] + s * (u * sin + v * cos)
        side = 2 * np.maximum(1, np.round(s)).astype(np.int64)  # 2s, kept even
        dx, dy = haar_bilinear(ii, margin, px, py, side)
        # Express the responses in the keypoint's frame, then weight them.
        du = (dx * cos + dy * sin) * w
        dv = (-dx * sin + dy * cos) * w
        n = du.shape[0]
        cells = np.zeros((n, 16, 4))
        for j, values in enumerate((du, np.abs(du), dv, np.abs(dv))):
            # Sum the 25 samples of each subregion: a (n, 400) @ (400, 16) indicator product.
            cells[:, :, j] = values @ _CELL_MATRIX
        vec = cells.reshape(n, 64)
        norm = np.linalg.norm(vec, axis=1, keepdims=True)
        # A perfectly flat patch has no gradient at all: leave its descriptor at zero.
        out[sl] = np.where(norm > 0, vec / np.maximum(norm, 1e-12), 0.0)
    return out


_CELL_MATRIX = np.zeros((400, 16))
_CELL_MATRIX[np.arange(400), DESC_CELL] = 1.0
