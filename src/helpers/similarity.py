"""Similarity and distance between rows of feature matrices, computed in memory-bounded blocks.

The shared ground of :mod:`helpers.retrieval` (neighbour lists, top-k) and
:mod:`helpers.pair_metrics` (metrics with a known true item): plain NumPy, inputs checked once
(a NaN or inf row is an error, not a rank).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

MEMORY_BUDGET_BYTES = 256 * 2**20
# Bytes held per (query, gallery) cell while a chunk is ranked: the float32 score block, its
# partitioned copy and a boolean mask, rounded up.
BYTES_PER_CELL = 12
METRICS = ("cosine", "euclidean")


def as_matrix(x: np.ndarray, name: str) -> np.ndarray:
    """``x`` as a C-contiguous float32 (N, D) matrix; NaN or inf is an error, not a rank."""
    arr = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (items, dims) array, got shape {arr.shape}")
    # A row sum is non-finite whenever the row holds NaN/inf: one cheap pass, no (N, D) mask.
    if not np.isfinite(arr.sum(axis=1)).all():
        bad = int((~np.isfinite(arr).all(axis=1)).sum())
        if bad:  # otherwise only the sum overflowed
            raise ValueError(f"{name} has {bad} row(s) with NaN or inf values")
    return arr


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    return metric


def normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit L2 norm (float32). All-zero rows stay zero (similarity 0 to all)."""
    return unit_rows(as_matrix(x, "x"), eps)


def unit_rows(arr: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """:func:`normalize` of an already validated matrix (no second finiteness pass)."""
    return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), eps)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full (Na, Nb) cosine-similarity matrix. For large sets use :func:`topk_neighbours`."""
    return normalize(a) @ normalize(b).T


def squared_distance(a: np.ndarray, b: np.ndarray, b_sq: np.ndarray | None = None) -> np.ndarray:
    """Squared Euclidean distances via |a|^2 + |b|^2 - 2ab (one matmul), clipped at 0."""
    if b_sq is None:
        b_sq = np.einsum("ij,ij->i", b, b)
    # In place on the matmul's output: one (Na, Nb) block, not four temporaries.
    d = a @ b.T
    d *= -2.0
    d += np.einsum("ij,ij->i", a, a)[:, None]
    d += b_sq[None, :]
    return np.maximum(d, 0.0, out=d)


def euclidean_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full (Na, Nb) Euclidean-distance matrix."""
    return np.sqrt(squared_distance(as_matrix(a, "a"), as_matrix(b, "b")))


def chunk_rows(n_gallery: int, budget_bytes: int = MEMORY_BUDGET_BYTES) -> int:
    """Query rows per chunk so a chunk's working set (~12 bytes per cell) fits ``budget_bytes``."""
    return max(1, int(budget_bytes) // (BYTES_PER_CELL * max(1, int(n_gallery))))


def row_slices(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def prepared(queries, gallery, metric: str) -> tuple[np.ndarray, np.ndarray]:
    q, g = as_matrix(queries, "queries"), as_matrix(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} dims but the gallery has {g.shape[1]}")
    if metric == "cosine":
        q, g = unit_rows(q), unit_rows(g)
    return q, g


def ranking_keys(q: np.ndarray, g: np.ndarray, metric: str, g_sq: np.ndarray | None) -> np.ndarray:
    """Ranking keys for a chunk, lower = closer: -similarity, or squared distance."""
    if metric == "cosine":
        block = q @ g.T
        return np.negative(block, out=block)
    return squared_distance(q, g, g_sq)


def check_ks(ks: Sequence[int], limit: int, what: str) -> tuple[int, ...]:
    ks = tuple(int(k) for k in ks)
    if not ks or min(ks) < 1 or max(ks) > limit:
        raise ValueError(f"ks={ks} must lie between 1 and {limit} ({what})")
    return ks


def label_array(labels, n: int, name: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr
