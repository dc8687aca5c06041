"""Retrieval metrics on hand-made cases (ties included), FAISS against NumPy, bounded memory."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist

from helpers import retrieval, similarity

BACKENDS = [False] + ([True] if retrieval.faiss_available() else [])


def angles(*degrees: float) -> np.ndarray:
    """Unit vectors in 2-D at the given angles: cosine distance is then easy to reason about."""
    rad = np.deg2rad(degrees)
    return np.stack([np.cos(rad), np.sin(rad)], axis=1).astype(np.float32)


def test_similarities_match_references():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(4, 5))
    np.testing.assert_allclose(retrieval.cosine_similarity(a, b), 1 - cdist(a, b, "cosine"),
                               atol=1e-5)
    np.testing.assert_allclose(retrieval.euclidean_distance(a, b), cdist(a, b), atol=1e-4)
    n = retrieval.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(n, [[0.6, 0.8], [0.0, 0.0]])  # zero rows stay zero, no NaN


@pytest.mark.parametrize("use_faiss", BACKENDS)
def test_topk_ties_go_to_the_lower_gallery_index(use_faiss):
    gallery = np.array([[0, 1], [1, 0], [0, 1], [1, 0], [1, 0]], dtype=np.float32)
    idx, sc = retrieval.topk_neighbours([[1, 0]], gallery, 3, use_faiss=use_faiss)
    assert idx.tolist() == [[1, 3, 4]]
    np.testing.assert_allclose(sc, [[1, 1, 1]])
    idx, _ = retrieval.topk_neighbours([[0, 1]], gallery, 1, use_faiss=use_faiss)
    assert idx.tolist() == [[0]]
    # Euclidean: distances 1, 1, 2 from the origin-ish query; the tie again by index.
    g = np.array([[2, 0], [0, 1], [1, 0], [0, 3]], dtype=np.float32)
    idx, sc = retrieval.topk_neighbours([[0, 0]], g, 2, metric="euclidean", use_faiss=use_faiss)
    assert idx.tolist() == [[1, 2]]
    np.testing.assert_allclose(sc, [[1, 1]])


@pytest.mark.parametrize("use_faiss", BACKENDS)
def test_long_tie_run_past_the_kth_place(use_faiss):
    # 12 identical items at the end of the gallery: more than FAISS's padding, so the
    # FAISS path must notice the tie crossing the k-th place and settle it exactly.
    rng = np.random.default_rng(1)
    gallery = np.concatenate([rng.normal(size=(20, 6)) - 5.0, np.ones((12, 6))])
    idx, _ = retrieval.topk_neighbours(np.ones((1, 6)), gallery, 3, use_faiss=use_faiss)
    assert idx.tolist() == [[20, 21, 22]]
    idx, _ = retrieval.topk_neighbours(gallery, gallery, 2, exclude_self=True,
                                       use_faiss=use_faiss)
    assert idx[25].tolist() == [20, 21] and idx[20].tolist() == [21, 22]


def test_exact_topk_rows_equals_stable_argsort_on_tie_heavy_keys():
    rng = np.random.default_rng(2)
    for shape, k in [((5, 9), 1), ((7, 30), 4), ((3, 8), 8), ((6, 50), 13)]:
        keys = rng.integers(0, 4, size=shape).astype(np.float32)
        expected = np.argsort(keys, axis=1, kind="stable")[:, :k]
        assert retrieval._topk_rows(keys, k).tolist() == expected.tolist()


@pytest.mark.skipif(not retrieval.faiss_available(), reason="faiss is not installed")
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_faiss_equals_numpy_on_tie_free_data(metric):
    rng = np.random.default_rng(3)
    q, g = rng.normal(size=(40, 16)), rng.normal(size=(300, 16))
    a = retrieval.topk_neighbours(q, g, 7, metric=metric, use_faiss=False, chunk_size=9)
    b = retrieval.topk_neighbours(q, g, 7, metric=metric, use_faiss=True, chunk_size=13)
    assert np.array_equal(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1], rtol=1e-4, atol=1e-4)
    a = retrieval.topk_neighbours(g, g, 5, metric=metric, exclude_self=True, use_faiss=False)
    b = retrieval.topk_neighbours(g, g, 5, metric=metric, exclude_self=True, use_faiss=True)
    assert np.array_equal(a[0], b[0])
    assert not (a[0] == np.arange(len(g))[:, None]).any()


def test_topk_against_brute_force_and_chunking():
    rng = np.random.default_rng(4)
    q, g = rng.normal(size=(23, 5)), rng.normal(size=(31, 5))
    idx, sc = retrieval.topk_neighbours(q, g, 4, metric="euclidean", chunk_size=5,
                                        use_faiss=False)
    d = cdist(q, g)
    assert idx.tolist() == np.argsort(d, axis=1)[:, :4].tolist()
    np.testing.assert_allclose(sc, np.sort(d, axis=1)[:, :4], atol=1e-4)


def test_loo_topk_hand_made():
    # Angles 0, 10, 50, 60, 120 with labels a a b b a: the item at 120 degrees has b's as its
    # two nearest (60, 70 degrees away) and an a third (110 degrees).
    x = angles(0, 10, 50, 60, 120)
    y = ["a", "a", "b", "b", "a"]
    assert retrieval.loo_topk(x, y, ks=(1, 2, 3)) == {"top1": 0.8, "top2": 0.8, "top3": 1.0}
    # Euclidean on a line: same answer for this layout.
    line = np.array([[0.0], [1.0], [5.0], [6.0], [8.0]])
    assert retrieval.loo_topk(line, y, ks=(1,), metric="euclidean") == {"top1": 0.8}


@pytest.mark.parametrize("use_faiss", BACKENDS)
def test_loo_tie_is_decided_by_index(use_faiss):
    # Item 1 (at 45 degrees) is equally far from item 0 (label x) and item 2 (label y): the
    # lower index (item 0) is its neighbour, so item 1 (label y) misses at top-1.
    x = np.array([[1, 0], [1, 1], [0, 1]], dtype=np.float32)  # symmetric: an exact tie
    res = retrieval.loo_topk(x, ["x", "y", "y"], ks=(1, 2), use_faiss=use_faiss)
    # top-1: item 0 -> item 1 (miss); item 1 -> item 0 (miss); item 2 -> item 1 (hit).
    # top-2: item 0's others are both y (miss); items 1 and 2 see each other (hits).
    assert res == {"top1": pytest.approx(1 / 3), "top2": pytest.approx(2 / 3)}
    # Swap the order of the tied pair and item 1's neighbour becomes its own class.
    res = retrieval.loo_topk(x[[2, 1, 0]], ["y", "y", "x"], ks=(1,), use_faiss=use_faiss)
    assert res == {"top1": pytest.approx(2 / 3)}


def test_query_gallery_topk_ranking_and_submission():
    gallery = angles(0, 30, 90, 180)
    g_labels = ["r", "r", "t", "s"]
    queries = angles(85, 175, 10)
    q_labels = ["r", "s", "t"]
    scores, ranked = retrieval.query_gallery_topk(queries, gallery, q_labels, g_labels,
                                                  ks=(1, 2, 4))
    assert ranked.tolist() == [[2, 1, 0, 3], [3, 2, 1, 0], [0, 1, 2, 3]]
    # q0 (r): t, r -> hit at 2. q1 (s): s -> hit at 1. q2 (t): r, r, t -> hit at 3.
    assert scores == {"top1": pytest.approx(1 / 3), "top2": pytest.approx(2 / 3), "top4": 1.0}
    sub = retrieval.submission(["q0.jpg", "q1.jpg", "q2.jpg"], ["a", "b", "c", "d"], ranked,
                               limit=2)
    assert sub == {"q0.jpg": ["c", "b"], "q1.jpg": ["d", "c"], "q2.jpg": ["a", "b"]}
    # A tie: query at 45 degrees, gallery at 0 and 90 -> index order.
    _, ranked = retrieval.query_gallery_topk(angles(45), angles(90, 0), ["a"], ["b", "a"],
                                             ks=(1,))
    assert ranked.tolist() == [[0, 1]]
    with pytest.raises(ValueError, match="unique"):
        retrieval.submission(["q", "q"], ["a"], np.zeros((2, 1), dtype=int))


def test_candidates_topk_ties_count_against_the_true_one():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.7, 0.2], [0.5, 0.5, 0.5], [0.3, 0.4, 0.1]])
    # Row 0 true col 0: rank 0. Row 1 true col 2: tied with col 0 and below col 1 -> rank 2.
    # Row 2 all tied: rank 2. Row 3 true col 0: below col 1 -> rank 1.
    res = retrieval.candidates_topk_from_scores(scores, [0, 2, 0, 0], ks=(1, 2, 3))
    assert res == {"top1": 0.25, "top2": 0.5, "top3": 1.0}
    # A collapsed ranker (constant scores) must not score 1.0 with the true one in column 0.
    assert retrieval.candidates_topk_from_scores(np.ones((5, 20)), 0, ks=(1, 2)) == {
        "top1": 0.0, "top2": 0.0}
    with pytest.raises(ValueError, match="NaN"):
        retrieval.candidates_topk_from_scores([[np.nan, 1.0]], 0, ks=(1,))


def test_candidates_topk_from_embeddings():
    left = angles(0, 90)
    right = angles(5, 60, 95, 180)
    candidates = np.array([[0, 1, 3], [1, 2, 3]])  # left 0's true is right 0, left 1's right 2
    res = retrieval.candidates_topk(left, right, candidates, true_col=[0, 1], ks=(1, 2))
    assert res == {"top1": 1.0, "top2": 1.0}
    res = retrieval.candidates_topk(left, right, np.array([[1, 0, 3], [1, 3, 2]]),
                                    true_col=[1, 2], ks=(1, 2), metric="euclidean")
    assert res == {"top1": 1.0, "top2": 1.0}
    res = retrieval.candidates_topk(angles(0), angles(50, 10), [[0, 1]], true_col=0, ks=(1,))
    assert res == {"top1": 0.0}


def test_recall_at_k_pairs_hand_made():
    left = angles(0, 90, 180)
    right = angles(60, 100, 170)  # left 0's partner at 60: right 1 (100) and 2 are farther
    res = retrieval.recall_at_k_pairs(left, right, ks=(1, 2, 3), chunk_size=2)
    assert res == {"recall@1": 1.0, "recall@2": 1.0, "recall@3": 1.0}
    right = angles(100, 60, 170)  # now left 0's nearest is right 1, left 1's is right 0
    res = retrieval.recall_at_k_pairs(left, right, ks=(1, 2))
    assert res == {"recall@1": pytest.approx(1 / 3), "recall@2": 1.0}
    # Ties count against the partner: left 0 at 0 deg, partner at +30, another right at -30.
    res = retrieval.recall_at_k_pairs(angles(0, 180), angles(30, -30), ks=(1,))
    assert res == {"recall@1": 0.0}


def test_mean_intra_class_distance_matches_pairwise_reference():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 4))
    y = np.repeat(["b", "a", "c"], 10)
    for metric, ref in [("cosine", "cosine"), ("euclidean", "euclidean")]:
        res = retrieval.mean_intra_class_distance(x, y, metric=metric)
        assert list(res) == ["a", "b", "c"]
        for label in res:
            assert res[label] == pytest.approx(pdist(x[y == label], ref).mean(), rel=1e-4)
    with pytest.warns(UserWarning, match="single item"):
        res = retrieval.mean_intra_class_distance(angles(0, 90, 30), [1, 1, 2])
    assert res[1] == pytest.approx(1.0) and np.isnan(res[2])


def test_bad_input_is_a_clear_error():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="NaN"):
        retrieval.loo_topk(np.array([[1.0, np.nan], [1, 2], [3, 4]]), [0, 1, 0], ks=(1,))
    with pytest.raises(ValueError, match="k=4"):
        retrieval.topk_neighbours(x, x, 4, exclude_self=True)
    with pytest.raises(ValueError, match="dims"):
        retrieval.topk_neighbours(x, np.ones((4, 2)), 1)
    with pytest.raises(ValueError, match="metric"):
        retrieval.topk_neighbours(x, x, 1, metric="manhattan")
    with pytest.raises(ValueError, match="labels"):
        retrieval.loo_topk(x, [0, 1], ks=(1,))
    with pytest.raises(ValueError, match="ks="):
        retrieval.loo_topk(x, [0, 1, 0, 1], ks=(1, 5))


def test_chunk_size_keeps_100k_by_512_under_the_budget():
    rows = retrieval.chunk_rows(100_000)
    assert 100 < rows < 1000
    # The working set of one chunk: score block + partition copy + mask, all under 256 MiB.
    assert rows * 100_000 * similarity.BYTES_PER_CELL <= retrieval.MEMORY_BUDGET_BYTES


@pytest.mark.parametrize("use_faiss", BACKENDS)
def test_chunked_topk_never_allocates_n_by_n(use_faiss, monkeypatch):
    n = 3000
    x = np.random.default_rng(6).normal(size=(n, 8)).astype(np.float32)
    monkeypatch.setattr(retrieval, "MEMORY_BUDGET_BYTES", 2**20)
    monkeypatch.setattr(retrieval.chunk_rows, "__defaults__", (2**20,))
    if use_faiss:
        import faiss  # noqa: F401  (its import allocates a few MiB; keep that out of the peak)
    tracemalloc.start()
    try:
        retrieval.topk_neighbours(x, x, 5, exclude_self=True, use_faiss=use_faiss)
        retrieval.recall_at_k_pairs(x, x[::-1].copy(), ks=(1,))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < n * n * 4 / 4, f"peak {peak / 2**20:.1f} MiB suggests an N x N block"


def test_retrieval_does_not_import_tensorflow():
    code = "import sys, helpers.retrieval; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_per_item_hits_are_the_fractions_before_averaging():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 4)), np.repeat([0, 1, 2], 10)
    loo_topk, query_gallery_topk = retrieval.loo_topk, retrieval.query_gallery_topk
    means, hits = loo_topk(x, y, ks=(1, 5)), loo_topk(x, y, ks=(1, 5), per_item=True)
    assert set(hits) == {"top1", "top5"} and hits["top1"].shape == (30,)
    assert all(means[k] == pytest.approx(hits[k].mean()) for k in means)
    q_means, _ = query_gallery_topk(x[:6], x[6:], y[:6], y[6:], ks=(1, 3))
    q_hits, _ = query_gallery_topk(x[:6], x[6:], y[:6], y[6:], ks=(1, 3), per_item=True)
    assert set(np.unique(q_hits["top3"])) <= {0, 1}
    assert q_means["top3"] == pytest.approx(q_hits["top3"].mean())
