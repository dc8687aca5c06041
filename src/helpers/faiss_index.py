"""FAISS indexes behind :mod:`helpers.retrieval`: the exact flat index and approximate ones.

* :func:`flat_index` adds the gallery to an ``IndexFlatIP`` / ``IndexFlatL2`` and then checks
  it for NaN/inf and unit-normalises it (cosine) in place, block by block, so the index holds
  the only full copy of the gallery (no normalised copy beside it) and :func:`stored_vectors`
  reads it back without copying. :func:`flat_topk` searches it and applies the project's tie rule to FAISS's
  own scores (cosine: no candidates re-gathered and re-scored; Euclidean re-scores them, since
  FAISS's expanded L2 is inexact at small distances); rows whose tie crosses the k-th place
  go back to the exact NumPy path.
* :class:`ApproximateIndex`: ``"ivf"`` (``IndexIVFFlat``: k-means cells, ``nprobe`` of them
  searched) or ``"hnsw"`` (``IndexHNSWFlat``: a proximity graph), for galleries too large to
  scan. Results are approximate: :func:`recall_at_k` measures them against the exact index
  (``python -m helpers.bench approximate``; benchmarks/README.md has the table on real features).

``faiss`` is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Rows validated, normalised and added to an index at once: 64k x 512 float32 is 128 MiB.
ADD_BLOCK_BYTES = 128 * 2**20
APPROXIMATE_KINDS = ("ivf", "hnsw")


def _finite_rows_or_raise(block: np.ndarray, name: str, offset: int) -> np.ndarray:
    """Row L2 norms of ``block``; a NaN or inf anywhere is a ValueError naming the rows.

    The norms are needed anyway (to normalise) and are non-finite exactly when a row holds
    NaN/inf (or overflows float32, which the exact check below then clears), so the check
    costs no extra pass over the gallery.
    """
    norms = np.linalg.norm(block, axis=1)
    if not np.isfinite(norms).all():
        bad = np.flatnonzero(~np.isfinite(block).all(axis=1))
        if bad.size:
            raise ValueError(f"{name} has {bad.size} row(s) with NaN or inf values "
                             f"(first: row {int(bad[0]) + offset})")
    return norms


def _add_blocks(index: Any, vectors: np.ndarray, normalise: bool, name: str) -> None:
    """Check, (normalise) and add ``vectors`` block by block (indexes that train or build)."""
    rows = max(1, ADD_BLOCK_BYTES // (4 * max(1, vectors.shape[1])))
    for start in range(0, len(vectors), rows):
        block = np.ascontiguousarray(vectors[start : start + rows], dtype=np.float32)
        norms = _finite_rows_or_raise(block, name, start)
        if normalise:
            block = block / np.maximum(norms, 1e-12)[:, None]
        index.add(block)


def flat_index(gallery: np.ndarray, metric: str) -> Any:
    """An exact FAISS index over ``gallery`` (cosine: unit rows, inner product; else L2).

    The raw rows go in with one ``add`` (one copy, as a bare index would make), then are
    checked and, for cosine, normalised in place inside the index, block by block: no second
    copy of the gallery, no growing of the index's storage block by block.
    """
    import faiss

    dim = gallery.shape[1]
    index = faiss.IndexFlatIP(dim) if metric == "cosine" else faiss.IndexFlatL2(dim)
    index.add(np.ascontiguousarray(gallery, dtype=np.float32))
    stored = stored_vectors(index)
    rows = max(1, ADD_BLOCK_BYTES // (4 * max(1, dim)))
    for start in range(0, len(stored), rows):
        block = stored[start : start + rows]
        norms = _finite_rows_or_raise(block, "gallery", start)
        if metric == "cosine":
            block /= np.maximum(norms, 1e-12)[:, None]
    return index


def stored_vectors(index: Any) -> np.ndarray:
    """A flat index's vectors as an (ntotal, d) float32 view (valid while ``index`` lives)."""
    import faiss

    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(
        index.ntotal, index.d)


def _keys(distances: np.ndarray, metric: str) -> np.ndarray:
    """FAISS distances as ranking keys, lower = closer (cosine: -similarity)."""
    return np.negative(distances, out=distances) if metric == "cosine" else distances


def flat_topk(index: Any, queries: np.ndarray, k: int, metric: str, exclude_self: bool,
              search_rows: int, numpy_topk: Any, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k from a flat index with the tie rule: equal keys by ascending gallery index.

    ``pad`` extra neighbours are asked for so ties at the k-th place can be seen; a row whose
    k-th key equals its last candidate's may have tied items FAISS did not return, and is
    redone by ``numpy_topk(rows)`` (exact).
    """
    n_gallery = index.ntotal
    m = min(n_gallery, k + pad + int(exclude_self))
    indices = np.empty((len(queries), k), dtype=np.int64)
    keys_out = np.empty((len(queries), k), dtype=np.float32)
    for start in range(0, len(queries), search_rows):
        stop = min(len(queries), start + search_rows)
        distances, cand = index.search(queries[start:stop], m)
        keys = _keys(distances, metric)
        if metric == "euclidean":
            # FAISS's |q|^2 + |g|^2 - 2 q.g loses the small distances of near-duplicates to
            # rounding (0.008 seen on real features): re-score the candidates as |q - g|^2.
            diff = stored_vectors(index)[cand]
            diff -= queries[start:stop][:, None, :]
            keys = np.einsum("nmd,nmd->nm", diff, diff)
        if exclude_self:
            keys[cand == np.arange(start, stop)[:, None]] = np.inf
        order = np.lexsort((cand, keys), axis=-1)
        cand, keys = np.take_along_axis(cand, order, 1), np.take_along_axis(keys, order, 1)
        indices[start:stop], keys_out[start:stop] = cand[:, :k], keys[:, :k]
        if m < n_gallery:
            worst = np.where(np.isfinite(keys), keys, -np.inf).max(axis=1)
            unsure = np.flatnonzero(keys[:, k - 1] >= worst)
            if unsure.size:
                rows = unsure + start
                indices[rows], keys_out[rows] = numpy_topk(rows)
    return indices, keys_out


@dataclass(frozen=True)
class IndexParams:
    """Settings of an approximate index; :meth:`validate` says what is wrong, by name.

    ``nlist`` (IVF cells, default ~sqrt(N)) and ``nprobe`` (cells searched per query, more =
    better recall, slower); ``hnsw_m`` (graph neighbours per node), ``ef_construction`` and
    ``ef_search`` (candidate list while building / searching; more = better recall, slower).
    """

    nlist: int | None = None
    nprobe: int | None = None  # default: resolved_nprobe
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 64
    train_size: int | None = None  # IVF: k-means sample (default 64 per cell)
    seed: int = 0

    def resolved_nlist(self, n_gallery: int) -> int:
        if self.nlist is not None:
            return int(self.nlist)
        return int(min(max(1, round(np.sqrt(n_gallery))), max(1, n_gallery // 39)))

    def resolved_nprobe(self, nlist: int) -> int:
        if self.nprobe is not None:
            return int(self.nprobe)
        return min(nlist, max(8, nlist // 16))

    def validate(self, kind: str, n_gallery: int, k: int) -> None:
        if kind not in APPROXIMATE_KINDS:
            raise ValueError(f"index kind must be one of {APPROXIMATE_KINDS}, got {kind!r}")
        if kind == "ivf":
            nlist = self.resolved_nlist(n_gallery)
            if not 1 <= nlist <= n_gallery:
                raise ValueError(f"nlist={nlist} must be between 1 and the gallery size "
                                 f"{n_gallery}")
            if not 1 <= self.resolved_nprobe(nlist) <= nlist:
                raise ValueError(f"nprobe={self.nprobe} must be between 1 and nlist={nlist}")
            if self.train_size is not None and not nlist <= self.train_size <= n_gallery:
                raise ValueError(f"train_size={self.train_size} must be between nlist={nlist} "
                                 f"and the gallery size {n_gallery}")
        else:
            if int(self.hnsw_m) < 2:
                raise ValueError(f"hnsw_m={self.hnsw_m} must be at least 2")
            if int(self.ef_construction) < int(self.hnsw_m):
                raise ValueError(f"ef_construction={self.ef_construction} must be at least "
                                 f"hnsw_m={self.hnsw_m}")
            if int(self.ef_search) < k:
                raise ValueError(f"ef_search={self.ef_search} must be at least k={k}")


class ApproximateIndex:
    """An IVF or HNSW FAISS index over a gallery, searched with :meth:`search`.

    >>> index = ApproximateIndex(gallery, "ivf", "cosine", IndexParams(nprobe=16))
    >>> indices, scores = index.search(queries, k=10)   # approximate top-10

    Build it once and search it many times: training (IVF) or graph building (HNSW) costs
    far more than one search. Scores are cosine similarities or Euclidean distances as in
    :func:`helpers.retrieval.topk_neighbours`; a query may get ``-1`` (score NaN) in columns
    its probed cells could not fill.
    """

    def __init__(self, gallery: np.ndarray, kind: str = "ivf", metric: str = "cosine",
                 params: IndexParams | None = None) -> None:
        import faiss

        self.kind, self.metric = kind, metric
        self.params = params or IndexParams()
        self.params.validate(kind, len(gallery), k=1)
        dim = gallery.shape[1]
        faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "cosine" else faiss.METRIC_L2
        if kind == "ivf":
            nlist = self.params.resolved_nlist(len(gallery))
            quantizer = (faiss.IndexFlatIP(dim) if metric == "cosine"
                         else faiss.IndexFlatL2(dim))
            self.index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss_metric)
            self.index.cp.seed = int(self.params.seed)
            self._quantizer = quantizer  # the IVF index does not own it: keep it alive
            size = self.params.train_size or min(len(gallery), 64 * nlist)
            rng = np.random.default_rng(self.params.seed)
            sample = np.sort(rng.choice(len(gallery), size=size, replace=False))
            train = np.ascontiguousarray(gallery[sample], dtype=np.float32)
            norms = _finite_rows_or_raise(train, "gallery", 0)
            if metric == "cosine":
                train /= np.maximum(norms, 1e-12)[:, None]
            self.index.train(train)
            self.index.nprobe = self.params.resolved_nprobe(nlist)
        else:
            self.index = faiss.IndexHNSWFlat(dim, int(self.params.hnsw_m), faiss_metric)
            self.index.hnsw.efConstruction = int(self.params.ef_construction)
            self.index.hnsw.efSearch = int(self.params.ef_search)
        _add_blocks(self.index, gallery, metric == "cosine", "gallery")

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k: ``(indices (Nq, k), scores (Nq, k))``, closest first."""
        self.params.validate(self.kind, len(self), int(k))
        if not 1 <= int(k) <= len(self):
            raise ValueError(f"k={k} must be between 1 and {len(self)} (gallery items)")
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim != 2 or q.shape[1] != self.index.d:
            raise ValueError(f"queries must be (N, {self.index.d}), got shape {q.shape}")
        norms = _finite_rows_or_raise(q, "queries", 0)
        if self.metric == "cosine":
            q = q / np.maximum(norms, 1e-12)[:, None]
        distances, indices = self.index.search(q, int(k))
        distances[indices < 0] = np.nan
        scores = distances if self.metric == "cosine" else np.sqrt(np.maximum(distances, 0))
        return indices.astype(np.int64), scores

    def memory_bytes(self) -> int:
        """Bytes the index holds: stored vectors plus its structure (cell ids or graph links)."""
        n, d = len(self), int(self.index.d)
        if self.kind == "ivf":
            return n * (4 * d + 8) + int(self.index.nlist) * 4 * d
        hnsw = self.index.hnsw
        return n * (4 * d + 12) + 8 + 4 * int(hnsw.neighbors.size())


def approximate_topk(queries: np.ndarray, gallery: np.ndarray, k: int, metric: str,
                     exclude_self: bool, kind: str, params: IndexParams | None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Build an :class:`ApproximateIndex` and search it once (``exclude_self``: LOO)."""
    built = ApproximateIndex(gallery, kind, metric, params)
    if not exclude_self:
        return built.search(queries, k)
    n = len(queries)
    idx, scores = built.search(queries, min(k + 1, len(gallery)))
    # Drop each item's own entry (or, where the search missed it, the last column).
    own = idx == np.arange(n)[:, None]
    drop = np.where(own.any(axis=1), own.argmax(axis=1), idx.shape[1] - 1)
    keep = np.ones(idx.shape, dtype=bool)
    keep[np.arange(n), drop] = False
    return idx[keep].reshape(n, -1)[:, :k], scores[keep].reshape(n, -1)[:, :k]


def recall_at_k(approximate: np.ndarray, exact: np.ndarray) -> float:
    """Mean fraction of each query's exact top-k found in its approximate top-k."""
    approximate, exact = np.asarray(approximate), np.asarray(exact)
    if approximate.shape != exact.shape or approximate.ndim != 2:
        raise ValueError(f"need two (Nq, k) index arrays, got {approximate.shape} and "
                         f"{exact.shape}")
    k = exact.shape[1]
    hits = (approximate[:, :, None] == exact[:, None, :]).any(axis=1).sum(axis=1)
    return float(hits.mean() / k)
