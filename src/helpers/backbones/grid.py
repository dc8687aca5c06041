"""A spatially preserving tap: the last convolutional map pooled to a small grid of cells.

Global pooling keeps one number per channel and drops where in the image a channel fired;
flattening the whole map (what report 05 did) keeps all of it at 49 times the width (7 x 7 at
224 px). ``"grid2"`` sits between them: the map cut into 2 x 2 non-overlapping cells, each
cell's channel sums divided by the map's area, flattened cell by cell (4 x channels). The
cells' contributions add up to the global average, so ``avg`` is read back from the same
features (:func:`global_average`) instead of a second pass over the images.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Tap name -> cells per side.
GRID_TAPS = {"grid2": 2}


def _edges(size: int, cells: int) -> list[tuple[int, int]]:
    """Non-overlapping [start, end) bands; a map smaller than the grid repeats its rows."""
    if size < cells:
        return [(min(i, size - 1), min(i, size - 1) + 1) for i in range(cells)]
    return [((i * size) // cells, ((i + 1) * size) // cells) for i in range(cells)]


def grid_pooling(cells: int) -> Any:
    """A Keras layer: (B, H, W, C) -> (B, cells * cells * C), cell sums / (H * W)."""
    import keras

    class GridPooling(keras.layers.Layer):
        def call(self, x):
            h, w = int(x.shape[1]), int(x.shape[2])
            parts = [keras.ops.sum(x[:, r0:r1, c0:c1, :], axis=(1, 2)) / float(h * w)
                     for r0, r1 in _edges(h, cells) for c0, c1 in _edges(w, cells)]
            return keras.ops.concatenate(parts, axis=-1)

        def compute_output_shape(self, shape):
            return (shape[0], cells * cells * shape[-1])

    return GridPooling(name=f"grid{cells}_pooling")


def global_average(grid_vectors: np.ndarray, cells: int = 2) -> np.ndarray:
    """The global-average-pooled features back from ``grid<cells>`` features: the cells' sum
    (exact where the map is at least ``cells`` wide; a smaller map repeats its cells, which
    scales the vector and leaves its direction, all a cosine sees, unchanged)."""
    v = np.asarray(grid_vectors, dtype=np.float32)
    if v.shape[1] % (cells * cells):
        raise ValueError(f"{v.shape[1]}-d vectors are not {cells} x {cells} cells")
    return v.reshape(len(v), cells * cells, -1).sum(axis=1)
