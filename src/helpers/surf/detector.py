"""The fast-Hessian detector of SURF (Bay et al., CVIU 2008, section 3), vectorised with NumPy.

The steps, as the paper gives them:

1. an integral image, so any upright box sum costs four look-ups whatever its size;
2. the Hessian approximated by box filters ``Dxx``, ``Dyy``, ``Dxy`` (the 9x9 filters stand for
   Gaussian second derivatives at sigma 1.2), evaluated on a grid for every filter size of an
   octave: sizes 9, 15, 21, 27 in octave 1, 15, 27, 39, 51 in octave 2, ... with the sampling
   step doubling per octave, so no image pyramid is ever built;
3. the blob response ``det(H) = Dxx*Dyy - (0.9*Dxy)**2``, each filter response normalised by
   the filter's area so responses compare across sizes;
4. a threshold, then non-maximum suppression in a 3x3x3 neighbourhood (x, y, scale);
5. sub-pixel, sub-scale localisation by fitting a 3-D quadratic (Brown & Lowe 2002) and
   rejecting points whose offset exceeds half a sample in any dimension.

Coordinates: rows are ``y`` and columns ``x``; pixel centres sit at integer coordinates, as
in ``cv2.KeyPoint``. A layer's grid point ``(r, c)`` is the pixel ``(r * step, c * step)``.

Speed (issue 22): boxes that share their columns are differences of one set of row sums
(the same sums grouped differently: exact for integer images, within ~1e-16 relative
otherwise, and the stored reference cases of ``tests/test_surf_regression.py`` come out
identical to the bit), layers are computed in row bands that keep temporaries in cache, an
octave's two smaller sizes are the previous octave's larger ones on every second point, and
the 3x3x3 maxima are tested only where a 3x3 ``cv2.dilate`` of the layer leaves candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# The paper fixes four filter sizes per octave; the middle two are where maxima can be found.
LAYERS_PER_OCTAVE = 4


def filter_sizes(octave: int) -> list[int]:
    """Box-filter side lengths of one octave (0-based): 9,15,21,27 / 15,27,39,51 / 27,51,75,99."""
    # Octave o raises the size step to 6 * 2**o and starts at the second size of octave o - 1.
    return [3 * (2 ** (octave + 1) * (i + 1) + 1) for i in range(LAYERS_PER_OCTAVE)]


def padded_integral(gray: np.ndarray, margin: int) -> np.ndarray:
    """Integral image of ``gray`` padded by ``margin`` pixels (edge-replicated) on every side.

    ``ii[r, c]`` is the sum of the padded image over rows ``< r`` and columns ``< c`` (one
    leading row and column of zeros), so a box ``[r0, r1) x [c0, c1)`` of the original image
    starting at pixel ``(y, x)`` reads at ``ii`` indices shifted by ``margin``. Replicating the
    edge (rather than padding with zeros) keeps filters that overhang the border from seeing a
    false step edge there.
    """
    height, width = gray.shape
    ii = np.empty((height + 2 * margin + 1, width + 2 * margin + 1))
    ii[0] = 0.0
    ii[:, 0] = 0.0
    # Pad in place (what np.pad(mode="edge") gives) and integrate in place: no temporaries.
    padded = ii[1:, 1:]
    core = slice(margin, margin + height)
    padded[core, margin : margin + width] = gray
    padded[core, :margin] = padded[core, margin : margin + 1]
    padded[core, margin + width :] = padded[core, margin + width - 1 : margin + width]
    padded[:margin] = padded[margin]
    padded[margin + height :] = padded[margin + height - 1]
    np.cumsum(padded, axis=0, out=padded)
    np.cumsum(padded, axis=1, out=padded)
    return ii


class _Grid:
    """Row and column sums for every point of a strided grid at once, by slicing the integral
    image (two of them make any upright box)."""

    def __init__(self, ii: np.ndarray, margin: int, height: int, width: int, step: int) -> None:
        self.ii, self.margin, self.step = ii, margin, step
        self.rows = (height + step - 1) // step
        self.cols = (width + step - 1) // step

    def column_sums(self, c0: int, c1: int, drs: list[int], minus: tuple[int, int] | None = None
                    ) -> list[np.ndarray]:
        """Row sums over columns ``x+c0 .. x+c1`` (``ii[., x+c1+1] - ii[., x+c0]``) at rows
        ``y + dr`` for each ``dr``; with ``minus=(c0', c1')``, minus those over ``c0' .. c1'``.

        Boxes that share their columns are then one difference of two of these. On a grid of
        step 1 the sums are taken once for every row the offsets reach (a strip) and read at
        each offset; on coarser grids, where a strip would cover ``step`` times the rows
        needed, at the offsets' rows alone. Both give the same numbers.
        """
        if self.step == 1:
            reach = max(-min(drs), max(drs) - 1, 0)
            rows = slice(self.margin - reach, self.margin + self.rows + reach + 1)
            strip = self.ii[rows, self._cols(c1 + 1)] - self.ii[rows, self._cols(c0)]
            if minus is not None:
                strip -= self.ii[rows, self._cols(minus[1] + 1)] - self.ii[rows, self._cols(minus[0])]
            return [strip[dr + reach : dr + reach + self.rows] for dr in drs]
        sums = []
        for dr in drs:
            r = self._rows(dr)
            value = self.ii[r, self._cols(c1 + 1)] - self.ii[r, self._cols(c0)]
            if minus is not None:
                value -= self.ii[r, self._cols(minus[1] + 1)] - self.ii[r, self._cols(minus[0])]
            sums.append(value)
        return sums

    def row_sums(self, r0: int, r1: int, dcs: list[int]) -> list[np.ndarray]:
        """:meth:`column_sums` transposed: column sums over rows ``y+r0 .. y+r1`` at columns
        ``x + dc`` for each ``dc``."""
        if self.step == 1:
            reach = max(-min(dcs), max(dcs) - 1, 0)
            cols = slice(self.margin - reach, self.margin + self.cols + reach + 1)
            strip = self.ii[self._rows(r1 + 1), cols] - self.ii[self._rows(r0), cols]
            return [strip[:, dc + reach : dc + reach + self.cols] for dc in dcs]
        return [self.ii[self._rows(r1 + 1), self._cols(dc)] - self.ii[self._rows(r0), self._cols(dc)]
                for dc in dcs]

    def _rows(self, dr: int) -> slice:
        return slice(self.margin + dr, self.margin + dr + self.step * (self.rows - 1) + 1, self.step)

    def _cols(self, dc: int) -> slice:
        return slice(self.margin + dc, self.margin + dc + self.step * (self.cols - 1) + 1, self.step)


def hessian_layer(grid: _Grid, size: int, out: tuple[np.ndarray, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """``det(H)`` and the trace ``Dxx + Dyy`` for filter side ``size`` at every grid point.

    The filters, with lobe ``l = size / 3`` (always odd, so the filters are centred):
    ``Dyy`` is three stacked ``l x (2l - 1)`` lobes weighted +1, -2, +1 (computed as the whole
    ``3l x (2l - 1)`` box minus three times the middle lobe); ``Dxx`` is its transpose; ``Dxy``
    is four ``l x l`` squares around the centre, one pixel apart, +1 on the main diagonal and -1
    on the other. Boxes sharing their columns (rows for ``Dxx``) are differences of shared
    row sums (:meth:`_Grid.column_sums`), and ``Dxy``'s four squares come from the difference
    of its left and right column sums. ``out``: two grid-shaped arrays for ``(det, trace)``.
    """
    lobe = size // 3
    half_long, half_lobe, half_wide = (size - 1) // 2, (lobe - 1) // 2, lobe - 1
    # Dyy: whole box minus three times the middle lobe, over the same columns.
    bottom, top, mid_bottom, mid_top = grid.column_sums(
        -half_wide, half_wide, [half_long + 1, -half_long, half_lobe + 1, -half_lobe])
    dyy = bottom - top
    middle = np.subtract(mid_bottom, mid_top)
    middle *= 3.0
    dyy -= middle
    right, left, mid_right, mid_left = grid.row_sums(
        -half_wide, half_wide, [half_long + 1, -half_long, half_lobe + 1, -half_lobe])
    dxx = right - left
    np.subtract(mid_right, mid_left, out=middle)
    middle *= 3.0
    dxx -= middle
    # Dxy: (left - right) column sums, read at the top and bottom edges of the two rows of squares.
    centre, above, below, under_centre = grid.column_sums(-lobe, -1, [0, -lobe, lobe + 1, 1], minus=(1, lobe))
    dxy = centre - above
    dxy -= below
    dxy += under_centre
    # Normalising by the filter area makes the responses of different sizes comparable.
    area = float(size * size)
    dxx /= area
    dyy /= area
    dxy /= area
    det, trace = out if out is not None else (np.empty_like(dxx), np.empty_like(dxx))
    # 0.9 balances the box approximation of Dxy against the Gaussian it stands for (eq. 4).
    np.multiply(dxx, dyy, out=det)
    dxy *= 0.9
    det -= np.square(dxy, out=dxy)
    np.add(dxx, dyy, out=trace)
    return det, trace


BAND_CELLS = 32768  # grid points per band: a band's float64 temporaries (256 KiB) stay in L2


def _hessian_in_bands(ii: np.ndarray, margin: int, step: int, grid: _Grid, size: int,
                      det: np.ndarray, trace: np.ndarray) -> None:
    """:func:`hessian_layer` over bands of grid rows, written into ``det`` and ``trace``.

    Every value is computed exactly as over the whole grid (the same sums of the same
    integral-image entries); bands only keep the temporaries small enough for the cache,
    which at 640x480 more than halves the time of these memory-bound array operations.
    """
    band = max(1, BAND_CELLS // grid.cols)
    for top in range(0, grid.rows, band):
        rows = min(band, grid.rows - top)
        # A grid over the band: the integral image seen from the band's first row.
        sub = _Grid(ii[step * top :], margin, step * rows, step * (grid.cols - 1) + 1, step)
        hessian_layer(sub, size, out=(det[top : top + rows], trace[top : top + rows]))


@dataclass
class Detections:
    """Interest points found by :func:`detect`, as parallel arrays (one entry per point)."""

    x: np.ndarray
    y: np.ndarray
    size: np.ndarray  # interpolated filter side length; the scale is sigma = 1.2 * size / 9
    response: np.ndarray  # interpolated det(H)
    laplacian: np.ndarray  # +1 / -1: the sign of the trace, bright-on-dark vs dark-on-bright
    octave: np.ndarray

    @classmethod
    def empty(cls) -> Detections:
        f, i = np.zeros(0, np.float64), np.zeros(0, np.int64)
        return cls(f, f.copy(), f.copy(), f.copy(), i, i.copy())

    def __len__(self) -> int:
        return len(self.x)


def _strict_maxima(stack: np.ndarray, layer: int, rows: slice, cols: slice, threshold: float):
    """Grid points ``(r, c)`` in ``rows x cols`` of ``stack[layer]`` above ``threshold`` and
    strictly above all 26 neighbours in (scale, row, col), in row-major order.

    ``rows`` and ``cols`` must leave a cell on each side. A 3x3 dilation of the layer itself
    (``cv2.dilate``, exact for a maximum) first keeps the points at least as high as their 8
    neighbours in the layer, a few hundred; the full strict test then reads the 26
    neighbours of those alone.
    """
    values = stack[layer, rows, cols]
    grown = cv2.dilate(stack[layer, rows.start - 1 : rows.stop + 1, cols.start - 1 : cols.stop + 1],
                       _SQUARE)[1:-1, 1:-1]
    r, c = np.nonzero((values > threshold) & (values >= grown))
    r, c = r + rows.start, c + cols.start
    centre = stack[layer, r, c]
    keep = np.ones(len(r), dtype=bool)
    for ds in (-1, 0, 1):
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                if ds or dr or dc:
                    keep &= centre > stack[layer + ds, r + dr, c + dc]
    return r[keep], c[keep]


_SQUARE = np.ones((3, 3), np.uint8)


def _interpolate(stack: np.ndarray, s: np.ndarray, r: np.ndarray, c: np.ndarray):
    """Quadratic fit around ``stack[s, r, c]``: offsets (ds, dy, dx), the fitted value, and ok.

    Gradient and Hessian by central differences; the offset solves ``H @ off = -grad``. A point
    whose offset is half a sample or more in any dimension is closer to another sample, and a
    singular fit has no extremum: both are rejected, as in the paper.
    """

    def at(ds: int, dr: int, dc: int) -> np.ndarray:
        return stack[s + ds, r + dr, c + dc]

    v = at(0, 0, 0)
    grad = np.stack(
        [(at(1, 0, 0) - at(-1, 0, 0)) / 2, (at(0, 1, 0) - at(0, -1, 0)) / 2,
         (at(0, 0, 1) - at(0, 0, -1)) / 2],
        axis=-1,
    )
    hss = at(1, 0, 0) + at(-1, 0, 0) - 2 * v
    hyy = at(0, 1, 0) + at(0, -1, 0) - 2 * v
    hxx = at(0, 0, 1) + at(0, 0, -1) - 2 * v
    hsy = (at(1, 1, 0) - at(1, -1, 0) - at(-1, 1, 0) + at(-1, -1, 0)) / 4
    hsx = (at(1, 0, 1) - at(1, 0, -1) - at(-1, 0, 1) + at(-1, 0, -1)) / 4
    hyx = (at(0, 1, 1) - at(0, 1, -1) - at(0, -1, 1) + at(0, -1, -1)) / 4
    hess = np.stack(
        [np.stack([hss, hsy, hsx], -1), np.stack([hsy, hyy, hyx], -1), np.stack([hsx, hyx, hxx], -1)],
        axis=-2,
    )
    # Callers pass at least one point. A fit is singular when det(H) vanishes next to the
    # size of its entries (a flat ridge in some direction).
    det = np.linalg.det(hess)
    scale = np.abs(hess).reshape(len(v), -1).max(axis=1)
    solvable = np.abs(det) > 1e-12 * np.maximum(scale, 1e-300) ** 3
    hess[~solvable] = np.eye(3)  # placeholder so the batched solve runs; rejected below
    offset = -np.linalg.solve(hess, grad[..., None])[..., 0]
    ok = solvable & np.all(np.abs(offset) < 0.5, axis=1)
    value = v + 0.5 * np.sum(grad * offset, axis=1)
    return offset, value, ok


def detect(
    ii: np.ndarray,
    margin: int,
    height: int,
    width: int,
    threshold: float,
    n_octaves: int = 4,
    init_step: int = 1,
) -> Detections:
    """Find SURF interest points in the image whose :func:`padded_integral` is ``ii``.

    ``threshold`` applies to ``det(H)`` in the units of the integral image's intensities
    (0..255 here). ``margin`` must be at least half the largest filter plus two. Points whose
    largest neighbouring filter would reach past the image border are not considered, as the
    responses there are made from padding.
    """
    found: list[Detections] = []
    previous: tuple[np.ndarray, np.ndarray] | None = None
    for octave in range(n_octaves):
        sizes = filter_sizes(octave)
        step = init_step * 2**octave
        grid = _Grid(ii, margin, height, width, step)
        if grid.rows < 3 or grid.cols < 3:
            break  # the image is too small for this octave and every larger one
        stack, traces = np.empty((2, LAYERS_PER_OCTAVE, grid.rows, grid.cols))
        for layer, size in enumerate(sizes):
            if previous is not None and layer < 2:
                # Sizes 1 and 3 of the last octave are this one's 0 and 1, on every second
                # point of its grid: the same sums of the same integral-image entries.
                stack[layer] = previous[0][2 * layer + 1, ::2, ::2]
                traces[layer] = previous[1][2 * layer + 1, ::2, ::2]
            else:
                _hessian_in_bands(ii, margin, step, grid, size, stack[layer], traces[layer])
        previous = stack, traces
        ys = np.arange(grid.rows) * step
        xs = np.arange(grid.cols) * step
        s_list, r_list, c_list = [], [], []
        for layer in range(1, LAYERS_PER_OCTAVE - 1):  # the outer layers only serve as neighbours
            # The larger neighbouring filter must fit inside the image, and the interpolation
            # reads one grid cell on each side.
            border = sizes[layer + 1] // 2 + 1
            inside_r = np.flatnonzero((ys >= border) & (ys <= height - 1 - border))
            inside_c = np.flatnonzero((xs >= border) & (xs <= width - 1 - border))
            r_lo, r_hi = max(inside_r.min(initial=grid.rows), 1), min(inside_r.max(initial=-1), grid.rows - 2)
            c_lo, c_hi = max(inside_c.min(initial=grid.cols), 1), min(inside_c.max(initial=-1), grid.cols - 2)
            if r_lo > r_hi or c_lo > c_hi:
                continue
            r, c = _strict_maxima(stack, layer, slice(r_lo, r_hi + 1), slice(c_lo, c_hi + 1), threshold)
            s_list.append(np.full(len(r), layer))
            r_list.append(r)
            c_list.append(c)
        if not s_list or not sum(len(s) for s in s_list):
            continue
        s, r, c = np.concatenate(s_list), np.concatenate(r_list), np.concatenate(c_list)
        offset, value, ok = _interpolate(stack, s, r, c)
        s, r, c, offset, value = s[ok], r[ok], c[ok], offset[ok], value[ok]
        trace = traces[s, r, c]
        size_step = sizes[1] - sizes[0]  # uniform within an octave
        found.append(
            Detections(
                x=(c + offset[:, 2]) * step,
                y=(r + offset[:, 1]) * step,
                size=np.asarray(sizes)[s] + offset[:, 0] * size_step,
                response=value,
                laplacian=np.where(trace >= 0, 1, -1).astype(np.int64),
                octave=np.full(len(s), octave, dtype=np.int64),
            )
        )
    if not found:
        return Detections.empty()
    fields = ("x", "y", "size", "response", "laplacian", "octave")
    return Detections(**{f: np.concatenate([getattr(d, f) for d in found]) for f in fields})


def laplacian_at(ii: np.ndarray, margin: int, x: np.ndarray, y: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Sign of ``Dxx + Dyy`` at arbitrary points (for keypoints that came from elsewhere).

    The filter size is rounded to the nearest valid SURF size (``3 * odd``).
    """
    lobe = np.maximum(1, 2 * np.round((np.asarray(size) / 3 - 1) / 2).astype(np.int64) + 1)
    yi = np.round(y).astype(np.int64) + margin
    xi = np.round(x).astype(np.int64) + margin
    h1, w1 = ii.shape

    def box(r0, r1, c0, c1):
        r0, r1 = np.clip(yi + r0, 0, h1 - 1), np.clip(yi + r1 + 1, 0, h1 - 1)
        c0, c1 = np.clip(xi + c0, 0, w1 - 1), np.clip(xi + c1 + 1, 0, w1 - 1)
        return ii[r1, c1] - ii[r0, c1] - ii[r1, c0] + ii[r0, c0]

    half_long, half_lobe, half_wide = (3 * lobe - 1) // 2, (lobe - 1) // 2, lobe - 1
    dyy = box(-half_long, half_long, -half_wide, half_wide) - 3 * box(-half_lobe, half_lobe, -half_wide, half_wide)
    dxx = box(-half_wide, half_wide, -half_long, half_long) - 3 * box(-half_wide, half_wide, -half_lobe, half_lobe)
    return np.where(dxx + dyy >= 0, 1, -1).astype(np.int64)
