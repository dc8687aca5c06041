"""The FAISS indexes behind retrieval: one gallery copy, blocked NumPy top-k, IVF and HNSW."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from helpers import retrieval

pytestmark = pytest.mark.skipif(not retrieval.faiss_available(), reason="faiss is not installed")


def clustered(n: int, dim: int, clusters: int, seed: int) -> np.ndarray:
    """Gaussian blobs: the structure an approximate index relies on (like image features)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)) * 3.0
    return (centres[rng.integers(0, clusters, n)] + rng.normal(size=(n, dim))).astype(np.float32)


def exact_reference(q: np.ndarray, g: np.ndarray, k: int, metric: str) -> np.ndarray:
    d = cdist(q, g, "cosine" if metric == "cosine" else "euclidean")
    return np.argsort(d, axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_blocked_numpy_topk_equals_stable_argsort_with_ties_across_blocks(metric):
    # Integer vectors give many exact ties; 7-column gallery blocks put them across blocks.
    rng = np.random.default_rng(0)
    g = rng.integers(-2, 3, size=(60, 3)).astype(np.float32)
    g[np.abs(g).sum(axis=1) == 0] = 1.0  # no zero rows: cosine of a zero row is 0 by rule
    q = rng.integers(-2, 3, size=(9, 3)).astype(np.float32) + 0.5
    qn = retrieval.normalize(q) if metric == "cosine" else q
    keys_ref = (-(retrieval.normalize(q) @ retrieval.normalize(g).T) if metric == "cosine"
                else cdist(q, g, "sqeuclidean"))
    expected = np.argsort(np.round(keys_ref, 5), axis=1, kind="stable")[:, :8]
    idx, _ = retrieval._topk_numpy(qn, g, 8, metric, None, query_rows=4, gallery_cols=7)
    assert idx.tolist() == expected.tolist()
    # Leave-one-out through blocks: nobody is their own neighbour, ties still by index.
    gn = retrieval.normalize(g) if metric == "cosine" else g
    idx, _ = retrieval._topk_numpy(gn, g, 5, metric, np.arange(len(g)), query_rows=8,
                                   gallery_cols=7)
    loo_keys = (-(gn @ gn.T) if metric == "cosine" else cdist(g, g, "sqeuclidean"))
    loo_keys = np.round(loo_keys, 5)
    np.fill_diagonal(loo_keys, np.inf)
    assert idx.tolist() == np.argsort(loo_keys, axis=1, kind="stable")[:, :5].tolist()


def test_faiss_path_holds_the_gallery_only_inside_the_index(monkeypatch):
    from helpers import faiss_index

    gallery = np.random.default_rng(1).normal(size=(20_000, 64)).astype(np.float32)
    queries = gallery[:50] + 0.01
    monkeypatch.setattr(faiss_index, "ADD_BLOCK_BYTES", 2**20)
    import faiss  # noqa: F401  (its import allocates; keep that out of the peak)

    tracemalloc.start()
    try:
        idx, _ = retrieval.topk_neighbours(queries, gallery, 10, use_faiss=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # NumPy-side allocations only (FAISS's own are not traced): a normalised copy of the
    # gallery (5 MiB) would show; the 1 MiB blocks added to the index do not.
    assert peak < gallery.nbytes / 2, f"peak {peak / 2**20:.1f} MiB: a copy of the gallery"
    assert idx[:, 0].tolist() == list(range(50))


def test_faiss_path_rejects_nan_in_the_gallery_by_row():
    g = np.ones((10, 4), dtype=np.float32)
    g[7, 2] = np.nan
    with pytest.raises(ValueError, match="row 7"):
        retrieval.topk_neighbours(np.ones((2, 4)), g, 3, use_faiss=True)
    with pytest.raises(ValueError, match="NaN"):
        retrieval.topk_neighbours(np.ones((2, 4)), g, 3, use_faiss=False)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_ivf_probing_every_cell_is_exact(metric):
    g, q = clustered(1500, 16, 12, seed=2), clustered(40, 16, 12, seed=3)
    params = retrieval_params(nlist=10, nprobe=10)
    idx, _ = retrieval.topk_neighbours(q, g, 10, metric=metric, index=("ivf", params))
    assert idx.tolist() == exact_reference(q, g, 10, metric).tolist()


@pytest.mark.parametrize(("kind", "params", "floor"), [
    ("ivf", {"nlist": 40, "nprobe": 4}, 0.9),
    ("hnsw", {"hnsw_m": 16, "ef_search": 64}, 0.95),
])
def test_approximate_recall_at_10_against_exact(kind, params, floor):
    from helpers import faiss_index

    g, q = clustered(3000, 24, 30, seed=4), clustered(100, 24, 30, seed=5)
    exact, _ = retrieval.topk_neighbours(q, g, 10, use_faiss=True)
    index = faiss_index.ApproximateIndex(g, kind, "cosine", retrieval_params(**params))
    approx, scores = index.search(q, 10)
    recall = faiss_index.recall_at_k(approx, exact)
    assert floor <= recall <= 1.0, recall
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # cosine: best first
    assert index.memory_bytes() >= g.nbytes  # flat storage: every vector is kept
    # Probing a fraction of the cells must miss something on this data, or the test is moot.
    if kind == "ivf":
        assert recall < 1.0


def test_approximate_leave_one_out_skips_self():
    g = clustered(800, 8, 10, seed=6)
    idx, _ = retrieval.topk_neighbours(g, g, 5, exclude_self=True, index="hnsw")
    assert idx.shape == (800, 5)
    assert not (idx == np.arange(800)[:, None]).any()


def test_recall_at_k_hand_made():
    from helpers import faiss_index

    exact = np.array([[0, 1, 2], [3, 4, 5]])
    assert faiss_index.recall_at_k(np.array([[2, 1, 0], [3, 9, 8]]), exact) == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="index arrays"):
        faiss_index.recall_at_k(exact[:, :2], exact)


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("ivf", {"nlist": 20, "nprobe": 21}, "nprobe=21"),
    ("ivf", {"nlist": 500}, "nlist=500"),
    ("ivf", {"nprobe": 0}, "nprobe=0"),
    ("ivf", {"nlist": 10, "train_size": 5}, "train_size=5"),
    ("hnsw", {"hnsw_m": 1}, "hnsw_m=1"),
    ("hnsw", {"hnsw_m": 32, "ef_construction": 16}, "ef_construction=16"),
    ("hnsw", {"ef_search": 4}, "ef_search=4"),
])
def test_index_parameters_are_validated(kind, params, message):
    g = clustered(300, 8, 5, seed=7)
    with pytest.raises(ValueError, match=message):
        retrieval.topk_neighbours(g[:3], g, 10, index=(kind, retrieval_params(**params)))


def test_unknown_index_kind_is_an_error():
    from helpers import faiss_index

    g = clustered(50, 4, 2, seed=8)
    with pytest.raises(ValueError, match="index must be one of"):
        retrieval.topk_neighbours(g, g, 3, index="lsh")
    with pytest.raises(ValueError, match="index kind"):
        faiss_index.ApproximateIndex(g, "lsh")


def retrieval_params(**values):
    from helpers import faiss_index

    return faiss_index.IndexParams(**values)
