"""Similarities, nearest neighbours and the retrieval metrics the five reports use.

Everything here is plain NumPy (FAISS when installed); TensorFlow is never imported.

Metrics (definitions in ``REPRODUCTION.md``):

* :func:`loo_topk`: leave-one-out top-k over one set of embeddings (reports 01, 02);
* :func:`query_gallery_topk`: rank a gallery for every query, plus the ranked lists (04);
* :func:`candidates_topk` / :func:`candidates_topk_from_scores`: 20 candidates per item (05);
* :func:`recall_at_k_pairs`: each left item against every right item (05, Rosenfeld et al.);
* :func:`mean_intra_class_distance`: mean pairwise distance within each class (02, table 10).

Tie rules, chosen so no result depends on the backend or on luck:

* **Neighbour lists** (:func:`topk_neighbours`, :func:`loo_topk`, :func:`query_gallery_topk`):
  equal scores are ordered by ascending gallery index (a stable sort). The FAISS path re-sorts
  FAISS's candidates by the same rule and hands rows whose tie crosses the k-th place to NumPy.
  The approximate indexes (``index="ivf"`` / ``"hnsw"``, :mod:`helpers.faiss_index`) follow
  no tie rule and may miss true neighbours: use them only where the exact scan is too slow.
  (Scores equal only up to float32 rounding, ~1e-7, may still be ordered differently by the
  two backends: they are not ties, just numbers too close for float32 to tell apart.)
* **A known true item** (:func:`candidates_topk_from_scores`, :func:`recall_at_k_pairs`): ties
  count *against* the true item (its rank is the number of other items scoring at least as
  high). Otherwise a ranker that collapsed to a constant score would get top-1 = 1.0 whenever
  the true candidate sits in column 0; pessimistic ties give it 0.0 instead.

Memory: scores are computed in blocks that stay under :data:`MEMORY_BUDGET_BYTES` (256 MiB),
so ``N x N`` is never materialised. :func:`topk_neighbours` blocks over queries *and* gallery
(up to :data:`QUERY_BLOCK` query rows against as many gallery columns as the budget allows,
merging each block's top-k), so its matrix products stay thick however large the gallery; the
full-ranking functions block over query rows (:func:`chunk_rows`). The FAISS path keeps one
copy of the gallery, inside the index (:func:`helpers.faiss_index.flat_index`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers.pair_metrics import (
    candidates_topk,
    candidates_topk_from_scores,
    mean_intra_class_distance,
    recall_at_k_pairs,
)
from helpers.similarity import (
    BYTES_PER_CELL,
    MEMORY_BUDGET_BYTES,
    METRICS,
    as_matrix,
    check_ks,
    check_metric,
    chunk_rows,
    cosine_similarity,
    euclidean_distance,
    label_array,
    normalize,
    prepared,
    ranking_keys,
    row_slices,
    squared_distance,
    unit_rows,
)

# The similarities (helpers.similarity) and the metrics with a known true item
# (helpers.pair_metrics) are part of this module's API, beside its neighbour lists.
__all__ = ["INDEX_KINDS", "MEMORY_BUDGET_BYTES", "METRICS", "QUERY_BLOCK", "candidates_topk",
           "candidates_topk_from_scores", "chunk_rows", "cosine_similarity", "euclidean_distance",
           "faiss_available", "loo_topk", "mean_intra_class_distance", "normalize",
           "query_gallery_topk", "rank_gallery", "recall_at_k_pairs", "submission",
           "topk_neighbours"]

# Extra neighbours asked of FAISS so ties at the k-th place can be seen and settled.
_FAISS_PAD = 4
# Query rows per block of the NumPy top-k: thick enough for an efficient matrix product.
QUERY_BLOCK = 1024
INDEX_KINDS = ("exact", "ivf", "hnsw")


def faiss_available() -> bool:
    """True when the ``faiss`` module (``faiss-cpu``) can be imported."""
    return importlib.util.find_spec("faiss") is not None


def _scores_from_keys(keys: np.ndarray, metric: str) -> np.ndarray:
    """What callers see: cosine similarity (higher = closer) or Euclidean distance."""
    return -keys if metric == "cosine" else np.sqrt(np.maximum(keys, 0.0))


def _topk_rows(keys: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k smallest keys' columns, equal keys by ascending column (exact, vectorised).

    ``argpartition`` alone would pick an arbitrary subset of tied columns, so every column at
    least as good as the k-th key is kept, then sorted by (row, key, column) and cut at k.
    """
    n_rows, n_cols = keys.shape
    if k == n_cols:
        return np.argsort(keys, axis=1, kind="stable")
    kth = np.partition(keys, k - 1, axis=1)[:, k - 1 : k]
    rows, cols = np.nonzero(keys <= kth)
    order = np.lexsort((cols, keys[rows, cols], rows))
    counts = np.bincount(rows, minlength=n_rows)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pick = order[starts[:, None] + np.arange(k)[None, :]]
    return cols[pick].reshape(n_rows, k)


def _merge_candidates(best_keys, best_cols, rows, cols, keys, k) -> None:
    """Merge candidates (row, col, key) into the running per-row top-k, in place."""
    urows, counts = np.unique(rows, return_counts=True)
    all_rows = np.concatenate([np.repeat(urows, k), rows])
    all_keys = np.concatenate([best_keys[urows].ravel(), keys])
    all_cols = np.concatenate([best_cols[urows].ravel(), cols])
    order = np.lexsort((all_cols, all_keys, all_rows))
    starts = np.concatenate(([0], np.cumsum(counts + k)[:-1]))
    pick = order[starts[:, None] + np.arange(k)[None, :]]
    best_keys[urows], best_cols[urows] = all_keys[pick], all_cols[pick]


def _topk_numpy(q, g, k, metric, self_cols, query_rows, gallery_cols=None):
    """Exact top-k keys by (query, gallery) blocks; ``self_cols[i]``: query i's own column.

    Cosine keys are ``-(q . g) / |g|`` with ``q`` already unit-length: the gallery is scaled
    block by block, never copied. The first gallery block gives each row's top-k; later blocks
    only hand over the entries strictly better than the running k-th (an equal key in a later
    block has a larger index, so the tie rule keeps the earlier one), which are merged by
    (key, index): exact, without sorting or partitioning every block.
    """
    if gallery_cols is None:
        gallery_cols = max(k, MEMORY_BUDGET_BYTES // (BYTES_PER_CELL * max(1, query_rows)))
    gallery_cols = max(k, int(gallery_cols))
    if metric == "cosine":
        # einsum, not linalg.norm: no (N, D) temporary of squares beside a 1M-row gallery.
        norms = np.sqrt(np.einsum("ij,ij->i", g, g))
        col_scale = -1.0 / np.maximum(norms, 1e-12).astype(np.float32)
    else:
        g_sq = np.einsum("ij,ij->i", g, g)
    indices = np.empty((len(q), k), dtype=np.int64)
    keys_out = np.empty((len(q), k), dtype=np.float32)
    for qs in row_slices(len(q), query_rows):
        best_keys = best_cols = None
        for gs in row_slices(len(g), gallery_cols):
            if metric == "cosine":
                keys = q[qs] @ g[gs].T
                keys *= col_scale[gs]
            else:
                keys = squared_distance(q[qs], g[gs], g_sq[gs])
            if self_cols is not None:
                own = self_cols[qs] - gs.start
                inside = np.flatnonzero((own >= 0) & (own < gs.stop - gs.start))
                keys[inside, own[inside]] = np.inf
            if best_keys is None:  # the first block is at least k wide
                best_cols = _topk_rows(keys, k)
                best_keys = np.take_along_axis(keys, best_cols, axis=1)
                best_cols += gs.start
                continue
            rows, cols = np.nonzero(keys < best_keys[:, k - 1 : k])
            if rows.size:
                _merge_candidates(best_keys, best_cols, rows, cols + gs.start,
                                  keys[rows, cols], k)
        indices[qs], keys_out[qs] = best_cols, best_keys
    return indices, keys_out


def _topk_faiss(queries, gallery, k, metric, exclude_self, search_rows):
    """Exact top-k keys through FAISS (:func:`helpers.faiss_index.flat_topk`)."""
    from helpers import faiss_index

    index = faiss_index.flat_index(gallery, metric)
    g = faiss_index.stored_vectors(index)  # unit rows for cosine: the index's own copy
    # LOO (queries *are* the gallery): search with the index's vectors, no second copy.
    if exclude_self and queries is gallery:
        q = g
    else:
        q = as_matrix(queries, "queries")
        q = unit_rows(q) if metric == "cosine" else q

    def exact_rows(rows):
        return _topk_numpy(q[rows], g, k, metric, rows if exclude_self else None,
                           QUERY_BLOCK)

    return faiss_index.flat_topk(index, q, k, metric, exclude_self, search_rows, exact_rows,
                                 _FAISS_PAD)


def topk_neighbours(
    queries: np.ndarray,
    gallery: np.ndarray,
    k: int,
    metric: str = "cosine",
    exclude_self: bool = False,
    chunk_size: int | None = None,
    use_faiss: bool | None = None,
    index: str | tuple[str, Any] = "exact",
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest gallery items of every query: ``(indices (Nq, k), scores (Nq, k))``.

    ``scores`` are cosine similarities (descending) or Euclidean distances (ascending). With
    ``exclude_self`` the queries *are* the gallery (row i is gallery item i) and each item's own
    entry is skipped. Ties: ascending gallery index. ``chunk_size``: query rows per block
    (default :data:`QUERY_BLOCK`); ``use_faiss=None`` uses FAISS when installed.

    ``index="ivf"`` or ``"hnsw"`` searches an approximate FAISS index instead
    (:class:`helpers.faiss_index.ApproximateIndex`; ``index=("ivf", IndexParams(nprobe=16))``
    to set it up): much faster on large galleries, at a measured recall below 1. To search
    one gallery many times, build the ``ApproximateIndex`` once instead.
    """
    metric = check_metric(metric)
    index, index_params = index if isinstance(index, tuple) else (index, None)
    if index not in INDEX_KINDS:
        raise ValueError(f"index must be one of {INDEX_KINDS}, got {index!r}")
    g = np.asarray(gallery)
    q = g if queries is gallery else np.asarray(queries)
    q2, g2 = (q[None, :] if q.ndim == 1 else q), (g[None, :] if g.ndim == 1 else g)
    if q2.ndim != 2 or g2.ndim != 2 or q2.shape[1] != g2.shape[1]:
        raise ValueError(f"queries {q2.shape} and gallery {g2.shape} must be (items, dims) "
                         "with the same number of dims")
    if exclude_self and len(q2) != len(g2):
        raise ValueError(f"exclude_self needs queries == gallery, got {len(q2)} vs {len(g2)} rows")
    available = len(g2) - int(exclude_self)
    if not 1 <= int(k) <= available:
        raise ValueError(f"k={k} must be between 1 and {available} (gallery items available)")
    k = int(k)
    if index != "exact":
        if not faiss_available():
            raise ImportError(f"index={index!r} needs faiss (pip install faiss-cpu)")
        from helpers import faiss_index

        return faiss_index.approximate_topk(q2, g2, k, metric, exclude_self, index,
                                            index_params)
    if use_faiss and not faiss_available():
        raise ImportError("use_faiss=True but faiss is not installed (pip install faiss-cpu)")
    if use_faiss is None:
        use_faiss = faiss_available()
    if use_faiss:
        # FAISS blocks the (query, gallery) scores itself; our chunk only bounds the returned
        # (chunk, k + pad) candidates (Euclidean: their gathered vectors too).
        per_row = 16 * (k + _FAISS_PAD + 1) * (q2.shape[1] if metric == "euclidean" else 1)
        rows = int(chunk_size) if chunk_size else max(1, MEMORY_BUDGET_BYTES // per_row)
        same = exclude_self and queries is gallery
        idx, keys = _topk_faiss(g2 if same else q2, g2, k, metric, exclude_self, rows)
        return idx, _scores_from_keys(keys, metric)
    qm, gm = as_matrix(q2, "queries"), as_matrix(g2, "gallery")
    if metric == "cosine":
        qm = unit_rows(qm)
    rows = int(chunk_size) if chunk_size else min(max(1, len(qm)), QUERY_BLOCK)
    idx, keys = _topk_numpy(qm, gm, k, metric, np.arange(len(qm)) if exclude_self else None,
                            rows)
    return idx, _scores_from_keys(keys, metric)


def _topk(same: np.ndarray, ks: Sequence[int], per_item: bool) -> dict[str, Any]:
    """top-k from a (queries, max k) same-label matrix: each query's 0/1 hit, or their mean."""
    hits = {f"top{k}": same[:, :k].any(axis=1).astype(np.int8) for k in ks}
    return hits if per_item else {name: float(h.mean()) for name, h in hits.items()}


def loo_topk(
    embeddings: np.ndarray,
    labels: Sequence,
    ks: Sequence[int] = (1, 5),
    metric: str = "cosine",
    use_faiss: bool | None = None,
    per_item: bool = False,
) -> dict[str, Any]:
    """Leave-one-out top-k: a hit if any of an item's k nearest *other* items shares its label.

    Returns ``{"top1": .., "top5": ..}`` (fractions of items); with ``per_item``, each item's
    0/1 hit instead (``report.record_scores`` turns them into the mean and its interval).
    """
    x = as_matrix(embeddings, "embeddings")
    y = label_array(labels, len(x), "labels")
    ks = check_ks(ks, len(x) - 1, "items minus the query itself")
    idx, _ = topk_neighbours(x, x, max(ks), metric, exclude_self=True, use_faiss=use_faiss)
    return _topk(y[idx] == y[:, None], ks, per_item)


def rank_gallery(
    queries: np.ndarray, gallery: np.ndarray, metric: str = "cosine", chunk_size: int | None = None
) -> np.ndarray:
    """Every query's full gallery ranking (Nq, Ng), closest first, ties by gallery index."""
    metric = check_metric(metric)
    q, g = prepared(queries, gallery, metric)
    g_sq = np.einsum("ij,ij->i", g, g) if metric == "euclidean" else None
    dtype = np.int32 if len(g) < 2**31 else np.int64
    ranked = np.empty((len(q), len(g)), dtype=dtype)
    for sl in row_slices(len(q), int(chunk_size) if chunk_size else chunk_rows(len(g))):
        ranked[sl] = np.argsort(ranking_keys(q[sl], g, metric, g_sq), axis=1, kind="stable")
    return ranked


def query_gallery_topk(
    queries: np.ndarray,
    gallery: np.ndarray,
    query_labels: Sequence,
    gallery_labels: Sequence,
    ks: Sequence[int] = (1, 3, 10),
    metric: str = "cosine",
    per_item: bool = False,
) -> tuple[dict[str, Any], np.ndarray]:
    """Query/gallery top-k (hit: a query's label among the first k gallery items) and the ranking.

    Returns ``({"top1": .., "top3": .., "top10": ..}, ranked)`` where ``ranked[i]`` lists every
    gallery index for query i, closest first (pass it to :func:`submission`); with
    ``per_item``, each query's 0/1 hit instead of the fractions.
    """
    ranked = rank_gallery(queries, gallery, metric)
    yq = label_array(query_labels, ranked.shape[0], "query_labels")
    yg = label_array(gallery_labels, ranked.shape[1], "gallery_labels")
    ks = check_ks(ks, ranked.shape[1], "gallery size")
    return _topk(yg[ranked[:, : max(ks)]] == yq[:, None], ks, per_item), ranked


def submission(
    query_names: Sequence[str],
    gallery_names: Sequence[str],
    ranked: np.ndarray,
    limit: int | None = None,
) -> dict[str, list[str]]:
    """The challenge's submission dict ``{query_file: [gallery files, closest first]}``."""
    ranked = np.asarray(ranked)
    if ranked.ndim != 2 or ranked.shape[0] != len(query_names):
        raise ValueError(f"ranked has shape {ranked.shape}; expected ({len(query_names)}, Ng)")
    if ranked.size and (ranked.min() < 0 or ranked.max() >= len(gallery_names)):
        raise ValueError("ranked holds indices outside gallery_names")
    if len(set(query_names)) != len(query_names):
        raise ValueError("query_names are not unique: the dict would silently drop queries")
    names = np.asarray(list(gallery_names), dtype=object)
    cut = ranked[:, :limit] if limit else ranked
    return {str(q): [str(n) for n in names[row]] for q, row in zip(query_names, cut, strict=True)}
