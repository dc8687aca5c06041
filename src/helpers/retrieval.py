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
  its candidates by the same rule and hands rows whose tie crosses the k-th place to NumPy.
  (Scores equal only up to float32 rounding, ~1e-7, may still be ordered differently by the
  two backends: they are not ties, just numbers too close for float32 to tell apart.)
* **A known true item** (:func:`candidates_topk_from_scores`, :func:`recall_at_k_pairs`): ties
  count *against* the true item (its rank is the number of other items scoring at least as
  high). Otherwise a ranker that collapsed to a constant score would get top-1 = 1.0 whenever
  the true candidate sits in column 0; pessimistic ties give it 0.0 instead.

Memory: scores are computed for chunks of query rows whose ``(chunk, n_gallery)`` blocks stay
under :data:`MEMORY_BUDGET_BYTES` (256 MiB), so ``N x N`` is never materialised (100k x 512
gallery: 223 query rows per chunk; measured peak RSS under 0.7 GB with FAISS or NumPy).
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

MEMORY_BUDGET_BYTES = 256 * 2**20
# Bytes held per (query, gallery) cell while a chunk is ranked: the float32 score block, its
# partitioned copy and a boolean mask, rounded up.
_BYTES_PER_CELL = 12
# Extra neighbours asked of FAISS so ties at the k-th place can be seen and settled.
_FAISS_PAD = 4
METRICS = ("cosine", "euclidean")


def faiss_available() -> bool:
    """True when the ``faiss`` module (``faiss-cpu``) can be imported."""
    return importlib.util.find_spec("faiss") is not None


def _as_matrix(x: np.ndarray, name: str) -> np.ndarray:
    """``x`` as a C-contiguous float32 (N, D) matrix; NaN or inf is an error, not a rank."""
    arr = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (items, dims) array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr).all(axis=1)).sum())
        raise ValueError(f"{name} has {bad} row(s) with NaN or inf values")
    return arr


def _check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    return metric


def normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit L2 norm (float32). All-zero rows stay zero (similarity 0 to all)."""
    arr = _as_matrix(x, "x")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.maximum(norms, eps)


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full (Na, Nb) cosine-similarity matrix. For large sets use :func:`topk_neighbours`."""
    return normalize(a) @ normalize(b).T


def _squared_distance(a: np.ndarray, b: np.ndarray, b_sq: np.ndarray | None = None) -> np.ndarray:
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
    return np.sqrt(_squared_distance(_as_matrix(a, "a"), _as_matrix(b, "b")))


def chunk_rows(n_gallery: int, budget_bytes: int = MEMORY_BUDGET_BYTES) -> int:
    """Query rows per chunk so a chunk's working set (~12 bytes per cell) fits ``budget_bytes``."""
    return max(1, int(budget_bytes) // (_BYTES_PER_CELL * max(1, int(n_gallery))))


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def _prepare(queries, gallery, metric: str) -> tuple[np.ndarray, np.ndarray]:
    q, g = _as_matrix(queries, "queries"), _as_matrix(gallery, "gallery")
    if q.shape[1] != g.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} dims but the gallery has {g.shape[1]}")
    if metric == "cosine":
        q, g = normalize(q), normalize(g)
    return q, g


def _key_block(q: np.ndarray, g: np.ndarray, metric: str, g_sq: np.ndarray | None) -> np.ndarray:
    """Ranking keys for a chunk, lower = closer: -similarity, or squared distance."""
    if metric == "cosine":
        block = q @ g.T
        return np.negative(block, out=block)
    return _squared_distance(q, g, g_sq)


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


def _topk_numpy(q, g, k, metric, self_cols, chunk_size):
    """Exact top-k by chunks; ``self_cols[i]`` (if given) is query i's own gallery column."""
    g_sq = np.einsum("ij,ij->i", g, g) if metric == "euclidean" else None
    indices = np.empty((len(q), k), dtype=np.int64)
    scores = np.empty((len(q), k), dtype=np.float32)
    for sl in _chunks(len(q), chunk_size):
        keys = _key_block(q[sl], g, metric, g_sq)
        if self_cols is not None:
            keys[np.arange(sl.stop - sl.start), self_cols[sl]] = np.inf
        idx = _topk_rows(keys, k)
        indices[sl] = idx
        scores[sl] = _scores_from_keys(np.take_along_axis(keys, idx, axis=1), metric)
    return indices, scores


def _topk_faiss(q, g, k, metric, exclude_self, search_chunk, numpy_chunk):
    import faiss

    index = faiss.IndexFlatIP(g.shape[1]) if metric == "cosine" else faiss.IndexFlatL2(g.shape[1])
    index.add(g)
    m = min(len(g), k + _FAISS_PAD + int(exclude_self))
    indices = np.empty((len(q), k), dtype=np.int64)
    scores = np.empty((len(q), k), dtype=np.float32)
    for sl in _chunks(len(q), search_chunk):
        _, cand = index.search(q[sl], m)
        # Recompute the candidates' keys exactly (FAISS rounds differently), then apply the
        # tie rule: sort by (key, gallery index).
        diff_or_dot = g[cand]
        if metric == "cosine":
            keys = -np.einsum("nd,nmd->nm", q[sl], diff_or_dot)
        else:
            diff_or_dot -= q[sl][:, None, :]
            keys = np.einsum("nmd,nmd->nm", diff_or_dot, diff_or_dot)
        if exclude_self:
            keys[cand == np.arange(sl.start, sl.stop)[:, None]] = np.inf
        order = np.lexsort((cand, keys), axis=-1)
        cand, keys = np.take_along_axis(cand, order, 1), np.take_along_axis(keys, order, 1)
        indices[sl], scores[sl] = cand[:, :k], _scores_from_keys(keys[:, :k], metric)
        if m < len(g):
            # A gallery item FAISS did not return may tie with the k-th: redo those rows.
            worst = np.where(np.isfinite(keys), keys, -np.inf).max(axis=1)
            unsure = np.flatnonzero(keys[:, k - 1] >= worst)
            if unsure.size:
                rows = unsure + sl.start
                indices[rows], scores[rows] = _topk_numpy(
                    q[rows], g, k, metric, rows if exclude_self else None, numpy_chunk
                )
    return indices, scores


def topk_neighbours(
    queries: np.ndarray,
    gallery: np.ndarray,
    k: int,
    metric: str = "cosine",
    exclude_self: bool = False,
    chunk_size: int | None = None,
    use_faiss: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest gallery items of every query: ``(indices (Nq, k), scores (Nq, k))``.

    ``scores`` are cosine similarities (descending) or Euclidean distances (ascending). With
    ``exclude_self`` the queries *are* the gallery (row i is gallery item i) and each item's own
    entry is skipped. Ties: ascending gallery index. ``chunk_size`` (query rows per block)
    defaults to :func:`chunk_rows`; ``use_faiss=None`` uses FAISS when installed.
    """
    metric = _check_metric(metric)
    q, g = _prepare(queries, gallery, metric)
    if exclude_self and len(q) != len(g):
        raise ValueError(f"exclude_self needs queries == gallery, got {len(q)} vs {len(g)} rows")
    available = len(g) - int(exclude_self)
    if not 1 <= int(k) <= available:
        raise ValueError(f"k={k} must be between 1 and {available} (gallery items available)")
    k = int(k)
    chunk = int(chunk_size) if chunk_size else chunk_rows(len(g))
    if use_faiss and not faiss_available():
        raise ImportError("use_faiss=True but faiss is not installed (pip install faiss-cpu)")
    if use_faiss is None:
        use_faiss = faiss_available()
    if use_faiss:
        # FAISS blocks the (query, gallery) scores itself; our chunk only bounds the gathered
        # (chunk, k + pad, D) candidates, so it can be far larger (FAISS is faster on big ones).
        per_row = 4 * (k + _FAISS_PAD + 1) * q.shape[1]
        big = chunk if chunk_size else max(chunk, MEMORY_BUDGET_BYTES // per_row)
        return _topk_faiss(q, g, k, metric, exclude_self, big, chunk)
    return _topk_numpy(q, g, k, metric, np.arange(len(q)) if exclude_self else None, chunk)


def _check_ks(ks: Sequence[int], limit: int, what: str) -> tuple[int, ...]:
    ks = tuple(int(k) for k in ks)
    if not ks or min(ks) < 1 or max(ks) > limit:
        raise ValueError(f"ks={ks} must lie between 1 and {limit} ({what})")
    return ks


def _labels(labels, n: int, name: str) -> np.ndarray:
    arr = np.asarray(labels)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


def loo_topk(
    embeddings: np.ndarray,
    labels: Sequence,
    ks: Sequence[int] = (1, 5),
    metric: str = "cosine",
    use_faiss: bool | None = None,
) -> dict[str, float]:
    """Leave-one-out top-k: a hit if any of an item's k nearest *other* items shares its label.

    Returns ``{"top1": .., "top5": ..}`` (fractions of items).
    """
    x = _as_matrix(embeddings, "embeddings")
    y = _labels(labels, len(x), "labels")
    ks = _check_ks(ks, len(x) - 1, "items minus the query itself")
    idx, _ = topk_neighbours(x, x, max(ks), metric, exclude_self=True, use_faiss=use_faiss)
    same = y[idx] == y[:, None]
    return {f"top{k}": float(same[:, :k].any(axis=1).mean()) for k in ks}


def rank_gallery(
    queries: np.ndarray, gallery: np.ndarray, metric: str = "cosine", chunk_size: int | None = None
) -> np.ndarray:
    """Every query's full gallery ranking (Nq, Ng), closest first, ties by gallery index."""
    metric = _check_metric(metric)
    q, g = _prepare(queries, gallery, metric)
    g_sq = np.einsum("ij,ij->i", g, g) if metric == "euclidean" else None
    dtype = np.int32 if len(g) < 2**31 else np.int64
    ranked = np.empty((len(q), len(g)), dtype=dtype)
    for sl in _chunks(len(q), int(chunk_size) if chunk_size else chunk_rows(len(g))):
        ranked[sl] = np.argsort(_key_block(q[sl], g, metric, g_sq), axis=1, kind="stable")
    return ranked


def query_gallery_topk(
    queries: np.ndarray,
    gallery: np.ndarray,
    query_labels: Sequence,
    gallery_labels: Sequence,
    ks: Sequence[int] = (1, 3, 10),
    metric: str = "cosine",
) -> tuple[dict[str, float], np.ndarray]:
    """Query/gallery top-k (hit: a query's label among the first k gallery items) and the ranking.

    Returns ``({"top1": .., "top3": .., "top10": ..}, ranked)`` where ``ranked[i]`` lists every
    gallery index for query i, closest first (pass it to :func:`submission`).
    """
    ranked = rank_gallery(queries, gallery, metric)
    yq = _labels(query_labels, ranked.shape[0], "query_labels")
    yg = _labels(gallery_labels, ranked.shape[1], "gallery_labels")
    ks = _check_ks(ks, ranked.shape[1], "gallery size")
    same = yg[ranked[:, : max(ks)]] == yq[:, None]
    return {f"top{k}": float(same[:, :k].any(axis=1).mean()) for k in ks}, ranked


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


def _true_cols(true_col, n: int, width: int) -> np.ndarray:
    cols = np.broadcast_to(np.asarray(true_col, dtype=np.int64), (n,))
    if cols.size and (cols.min() < 0 or cols.max() >= width):
        raise ValueError(f"true_col must index one of the {width} candidate columns")
    return cols


def candidates_topk_from_scores(
    scores: np.ndarray, true_col: int | Sequence[int], ks: Sequence[int] = (1, 2)
) -> dict[str, float]:
    """Top-k over candidate scores (higher = more similar); ties count against the true one.

    ``scores`` is (n, C); ``true_col`` the true candidate's column, one int or one per row.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"scores must be (items, candidates), got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores hold NaN or inf: the ranker diverged, no top-k can be read")
    cols = _true_cols(true_col, len(s), s.shape[1])
    ks = _check_ks(ks, s.shape[1], "candidates per item")
    true = s[np.arange(len(s)), cols][:, None]
    rank = (s >= true).sum(axis=1) - 1  # 0 = best; every tie placed ahead of the true one
    return {f"top{k}": float((rank < k).mean()) for k in ks}


def candidates_topk(
    left: np.ndarray,
    right: np.ndarray,
    candidates: np.ndarray,
    true_col: int | Sequence[int],
    ks: Sequence[int] = (1, 2),
    metric: str = "cosine",
) -> dict[str, float]:
    """Top-k of candidates: ``candidates[i]`` holds right indices (true + others) for left i."""
    metric = _check_metric(metric)
    a, b = _prepare(left, right, metric)
    cand = np.asarray(candidates, dtype=np.int64)
    if cand.ndim != 2 or len(cand) != len(a):
        raise ValueError(f"candidates must be ({len(a)}, C) right indices, got {cand.shape}")
    if cand.size and (cand.min() < 0 or cand.max() >= len(b)):
        raise ValueError("candidates hold indices outside right")
    picked = b[cand]  # (n, C, D): small (C = 20)
    if metric == "cosine":
        scores = np.einsum("nd,ncd->nc", a, picked)
    else:
        scores = -np.sqrt(((picked - a[:, None, :]) ** 2).sum(axis=2))
    return candidates_topk_from_scores(scores, true_col, ks)


def recall_at_k_pairs(
    left: np.ndarray,
    right: np.ndarray,
    ks: Sequence[int] = (1, 5, 10, 20),
    metric: str = "cosine",
    chunk_size: int | None = None,
) -> dict[str, float]:
    """Recall@k over all pairs: left i's partner is right i, ranked among every right item.

    Ties count against the partner. Returns ``{"recall@1": .., ...}`` as fractions.
    """
    metric = _check_metric(metric)
    a, b = _prepare(left, right, metric)
    if len(a) != len(b):
        raise ValueError(f"left and right must pair up row by row, got {len(a)} vs {len(b)}")
    ks = _check_ks(ks, len(b), "right items")
    b_sq = np.einsum("ij,ij->i", b, b) if metric == "euclidean" else None
    ranks = np.empty(len(a), dtype=np.int64)
    for sl in _chunks(len(a), int(chunk_size) if chunk_size else chunk_rows(len(b))):
        keys = _key_block(a[sl], b, metric, b_sq)
        true = keys[np.arange(sl.stop - sl.start), np.arange(sl.start, sl.stop)][:, None]
        ranks[sl] = (keys <= true).sum(axis=1) - 1
    return {f"recall@{k}": float((ranks < k).mean()) for k in ks}


def mean_intra_class_distance(
    embeddings: np.ndarray, labels: Sequence, metric: str = "cosine"
) -> dict:
    """Mean distance over all distinct pairs within each class (cosine: 1 - similarity).

    Keys follow ``np.unique(labels)``. A class with one item has no pairs: its value is NaN
    and a warning names it.
    """
    metric = _check_metric(metric)
    x = _as_matrix(embeddings, "embeddings")
    y = _labels(labels, len(x), "labels")
    out = {}
    singles = []
    for label in np.unique(y):
        members = x[y == label].astype(np.float64)
        n = len(members)
        key = label.item() if hasattr(label, "item") else label
        if n < 2:
            out[key] = float("nan")
            singles.append(key)
            continue
        if metric == "cosine":
            # sum_{i != j} u_i . u_j = |sum u|^2 - sum |u_i|^2: O(n D), no n x n block.
            u = normalize(members).astype(np.float64)
            total = u.sum(axis=0)
            pair_sim = (total @ total - np.einsum("ij,ij->", u, u)) / (n * (n - 1))
            out[key] = float(1.0 - pair_sim)
        else:
            acc = 0.0
            for sl in _chunks(n, chunk_rows(n)):
                d = np.sqrt(_squared_distance(members[sl], members))
                # The expansion leaves rounding noise on the diagonal: zero it before summing.
                d[np.arange(sl.stop - sl.start), np.arange(sl.start, sl.stop)] = 0.0
                acc += float(d.sum())
            out[key] = acc / (n * (n - 1))
    if singles:
        warnings.warn(f"classes with a single item have no intra-class distance: {singles}",
                      stacklevel=2)
    return out
