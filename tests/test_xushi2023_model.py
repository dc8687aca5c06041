"""Notebook 05's own code (its `#@save` cells, generated into helpers.studies.xushi2023.saved):
losses against NumPy, the fusion tower and the ranker, training; and the candidate sets under it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.retrieval import candidates_topk_from_scores  # noqa: E402
from helpers.studies.xushi2023 import candidates as cands  # noqa: E402
from helpers.studies.xushi2023 import saved  # noqa: E402
from helpers.studies.xushi2023.experiment import RankerData  # noqa: E402


def _onehot(pos, c):
    y = np.zeros((len(pos), c), dtype="float32")
    y[np.arange(len(pos)), pos] = 1
    return y


# --- candidate sets ----------------------------------------------------------------------------


def test_draw_candidates_holds_the_true_pair_and_distinct_negatives_from_the_pool():
    pool = np.arange(100, 160)
    cs = cands.draw_candidates(pool, n=20, seed=3)
    assert cs.cands.shape == (60, 20)
    assert np.array_equal(cs.cands[np.arange(60), cs.true_pos], pool)
    for row, anchor in zip(cs.cands, cs.left, strict=True):
        assert len(set(row)) == 20, "candidates repeat"
        assert set(row) <= set(pool)
        assert list(row).count(anchor) == 1
    # the true column is spread over positions, not always first
    assert len(set(cs.true_pos)) > 5


def test_draw_candidates_is_seeded():
    pool = np.arange(50)
    a, b = cands.draw_candidates(pool, seed=1), cands.draw_candidates(pool, seed=1)
    c = cands.draw_candidates(pool, seed=2)
    assert np.array_equal(a.cands, b.cands) and np.array_equal(a.true_pos, b.true_pos)
    assert not np.array_equal(a.cands, c.cands)


def test_draw_candidates_rejects_bad_input():
    with pytest.raises(ValueError, match="pool size"):
        cands.draw_candidates(np.arange(10), n=20)
    with pytest.raises(ValueError, match="not in the pool"):
        cands.draw_candidates(np.arange(30), n=5, anchors=[99])
    with pytest.raises(ValueError, match="duplicate"):
        cands.draw_candidates([1, 1, 2, 3], n=2)
    with pytest.raises(ValueError, match="true pair"):
        cands.CandidateSet(np.array([0]), np.array([[1, 2]]), np.array([0]))


# --- global indices and zero-shot ----------------------------------------------------------------------


def test_candidate_set_within_maps_a_splits_local_rows_to_global_pairs():
    index = np.array([4, 9, 11, 20])  # the split's pairs, in its own order
    local = np.array([[0, 1, 3], [1, 2, 0], [2, 3, 1], [3, 0, 2]])
    cs = cands.CandidateSet.within(index, local, np.array([0, 0, 0, 0]))
    assert cs.cands[1].tolist() == [9, 11, 4] and cs.left.tolist() == [4, 9, 11, 20]
    with pytest.raises(ValueError, match="true pair"):
        cands.CandidateSet.within(index, local, np.array([1, 0, 0, 0]))
    with pytest.raises(ValueError, match="agree"):
        cands.CandidateSet(index, local[:3], np.zeros(4, dtype=int))


def test_zero_shot_scores_match_mean_cosine_and_rank_identical_pairs_first():
    rng = np.random.default_rng(0)
    left = [rng.normal(size=(40, 8)), rng.normal(size=(40, 5))]
    right = [x + 0.05 * rng.normal(size=x.shape) for x in left]
    cs = cands.draw_candidates(np.arange(40), n=10, seed=0)
    scores = cands.zero_shot_scores(left, right, cs)
    i, j = 3, 7
    expected = np.mean([
        lv[cs.left[i]] @ rv[cs.cands[i, j]]
        / np.linalg.norm(lv[cs.left[i]]) / np.linalg.norm(rv[cs.cands[i, j]])
        for lv, rv in zip(left, right, strict=True)])
    assert scores[i, j] == pytest.approx(expected, abs=1e-5)
    assert candidates_topk_from_scores(scores, cs.true_pos)["top1"] == 1.0


# --- losses ------------------------------------------------------------------------------------


def _hinge_reference(y, s, margin, scale01):
    s = (s + 1) / 2 if scale01 else s
    pos = s[y == 1]
    neg = np.where(y == 1, -np.inf, s).max(axis=1)
    return np.maximum(0, neg - pos + margin)


@pytest.mark.parametrize(("margin", "scale01"), [(1.0, True), (0.2, False), (0.05, True)])
def test_ranking_hinge_matches_numpy(margin, scale01):
    rng = np.random.default_rng(1)
    s = rng.uniform(-1, 1, size=(16, 20)).astype("float32")
    y = _onehot(rng.integers(0, 20, size=16), 20)
    got = keras.ops.convert_to_numpy(saved.ranking_hinge(y, keras.ops.convert_to_tensor(s),
                                                         margin, scale01))
    np.testing.assert_allclose(got, _hinge_reference(y, s, margin, scale01), atol=1e-6)


def test_report_hinge_never_switches_off_and_small_margin_can():
    # The true candidate far ahead: cosine 0.9 against 0.1 for the rest.
    s = np.full((1, 20), 0.1, dtype="float32")
    s[0, 4] = 0.9
    y = _onehot([4], 20)
    assert float(saved.ranking_hinge(y, s, 1.0, True)[0]) == pytest.approx(0.6, abs=1e-6)
    assert float(saved.ranking_hinge(y, s, 0.2, False)[0]) == 0.0


def test_info_nce_matches_numpy_log_softmax():
    rng = np.random.default_rng(2)
    s = rng.uniform(-1, 1, size=(8, 20)).astype("float32")
    pos = rng.integers(0, 20, size=8)
    logits = s / 0.1
    logp = logits - np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)) \
        - logits.max(1, keepdims=True)
    expected = -logp[np.arange(8), pos].mean()
    got = keras.ops.convert_to_numpy(saved.info_nce(_onehot(pos, 20), s, 0.1))
    assert float(got.mean()) == pytest.approx(expected, rel=1e-5)


# --- model -------------------------------------------------------------------------------------


def _dense(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def test_average_fusion_projects_unequal_widths_and_embeddings_are_unit_length():
    tower = saved.fusion_tower([12, 7], fusion="average", hidden=(16,), embed_dim=8)
    out = keras.ops.convert_to_numpy(tower([np.ones((3, 1, 12)), np.ones((3, 1, 7))]))
    assert [d.units for d in _dense(tower)] == [7, 7, 16, 8]  # two projections, hidden, embedding
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), 1.0, atol=1e-5)
    # the same weights apply to (B, C, d) candidate blocks
    out3 = keras.ops.convert_to_numpy(tower([np.ones((3, 5, 12)), np.ones((3, 5, 7))]))
    assert out3.shape == (3, 5, 8)
    concat = saved.fusion_tower([12, 7], fusion="concat", hidden=(16,), embed_dim=8)
    assert [tuple(d.kernel.shape) for d in _dense(concat)] == [(19, 16), (16, 8)]
    with pytest.raises(ValueError):
        saved.fusion_tower([4], hidden=(4,))([np.ones((2, 1, 5))])


def test_averaging_learned_projections_is_a_linear_map_of_the_concatenation():
    """Claim 6's caveat, checked: any averaging tower (unequal widths, so a learned projection
    of each input) has a concatenating tower with the same outputs, its first layer's weights
    being the projections', halved, stacked and multiplied through."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((5, 1, 12)).astype("float32"),
          rng.standard_normal((5, 1, 7)).astype("float32")]
    average = saved.fusion_tower([12, 7], fusion="average", hidden=(16,), embed_dim=8,
                                 input_dropout=0.0)
    concat = saved.fusion_tower([12, 7], fusion="concat", hidden=(16,), embed_dim=8,
                                input_dropout=0.0)
    want = keras.ops.convert_to_numpy(average(xs))
    (p1, c1), (p2, c2), (w, b), head = (d.get_weights() for d in _dense(average))
    stacked = np.vstack([p1, p2]) / 2  # mean(P1 u + c1, P2 v + c2) = [P1; P2]/2 [u; v] + (c1+c2)/2
    first, last = _dense(concat)
    first.set_weights([stacked @ w, ((c1 + c2) / 2) @ w + b])
    last.set_weights(head)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(concat(xs)), want, atol=1e-5)


def test_ranker_scores_are_cosines_and_follow_candidate_order():
    model = saved.build_ranker([6, 4], fusion="concat", hidden=(8,), embed_dim=4)
    rng = np.random.default_rng(3)
    x = {"left_0": rng.normal(size=(2, 6)), "left_1": rng.normal(size=(2, 4)),
         "cands_0": rng.normal(size=(2, 5, 6)), "cands_1": rng.normal(size=(2, 5, 4))}
    s = np.asarray(model.predict(x, verbose=0))
    assert s.shape == (2, 5) and np.all(np.abs(s) <= 1 + 1e-5)
    perm = np.array([4, 2, 0, 1, 3])
    xp = {**x, "cands_0": x["cands_0"][:, perm], "cands_1": x["cands_1"][:, perm]}
    np.testing.assert_allclose(np.asarray(model.predict(xp, verbose=0)), s[:, perm], atol=1e-5)


# --- batches and training ----------------------------------------------------------------------


def test_candidate_batches_draw_fresh_seeded_negatives_each_epoch():
    left, right = [np.arange(40.0)[:, None] * np.ones((1, 3))], [np.arange(40.0)[:, None]]
    pool = np.arange(10, 40)
    a = cands.CandidateBatches(left, right, 8, pool=pool, n=6, seed=5)
    b = cands.CandidateBatches(left, right, 8, pool=pool, n=6, seed=5)
    x, y = a[0]
    assert len(a) == 4 and x["left_0"].shape == (8, 3) and x["cands_0"].shape == (8, 6, 1)
    # the marked candidate is the anchor's own right image; all come from the pool
    np.testing.assert_array_equal(x["cands_0"][y == 1][:, 0], x["left_0"][:, 0])
    assert set(x["cands_0"].ravel()) <= set(pool.astype(float))
    np.testing.assert_array_equal(b[0][0]["cands_0"], x["cands_0"])
    a.on_epoch_end()
    assert not np.array_equal(a[0][0]["cands_0"], x["cands_0"])
    fixed = cands.draw_candidates(pool, n=6, seed=0)
    f = cands.CandidateBatches(left, right, 16, candidates=fixed, n=6)
    assert len(f) == 2 and f[1][1].shape == (14, 6)
    with pytest.raises(ValueError, match="either"):
        cands.CandidateBatches(left, right, 8)


def _linked_features(pairs, seed):
    """Left and right views of the same latent through different maps: raw cosine is blind."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(pairs, 16))
    views = {}
    for name, width in (("a", 24), ("b", 20)):
        lm, rm = rng.normal(size=(16, width)), rng.normal(size=(16, width))
        views[name] = (z @ lm + 0.3 * rng.normal(size=(pairs, width)),
                       z @ rm + 0.3 * rng.normal(size=(pairs, width)))
    return {k: v[0] for k, v in views.items()}, {k: v[1] for k, v in views.items()}


@pytest.mark.parametrize("loss", ["hinge", "infonce"])
def test_training_learns_a_relation_zero_shot_cosine_cannot_see(loss):
    left, right = _linked_features(260, seed=0)
    order = np.random.default_rng(0).permutation(260)
    train, val = order[:180], cands.draw_candidates(order[180:220], 20, seed=1)
    test = cands.draw_candidates(order[220:], 20, seed=2)
    zero = cands.zero_shot_scores([left["a"], left["b"]], [right["a"], right["b"]], test)
    spec = saved.RankerSpec(("a", "b"), fusion="concat", loss=loss)
    # InfoNCE also trains on 30 candidates per anchor and evaluates on 20: any C works.
    extra = {"train_candidates": 30, "input_dropout": 0.1} if loss == "infonce" else {}
    data = RankerData(left, right, train, val, test)
    recipe = saved.ranker_recipe(epochs=6, batch_size=30, learning_rate=3e-3, seed=0)
    options = saved.RankerOptions(hidden=(64,), embed_dim=32, dropout=0.0, **extra)
    result = saved.train_ranker(spec, data, recipe, options)
    assert candidates_topk_from_scores(zero, test.true_pos)["top2"] < 0.35
    top2 = candidates_topk_from_scores(result.test_scores, test.true_pos)["top2"]
    assert top2 > 0.7, (top2, result.history)
    assert result.test_scores.shape == (40, 20) and result.val_scores.shape == (40, 20)
    assert 1 <= result.run.best_epoch <= 6 and len(result.history["loss"]) == 6
    assert result.spec.label == "a+b (concat)" + ("" if loss == "hinge" else ", infonce")


def test_ranker_spec_validates():
    with pytest.raises(ValueError, match="fusion"):
        saved.RankerSpec(("a", "b"), fusion="max")
    with pytest.raises(ValueError, match="loss"):
        saved.RankerSpec(("a",), loss="mse")
    assert saved.RankerSpec(("a",), fusion="average").label == "a"


def test_candidates_topk_per_item_hits_average_to_the_fractions():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.9, 0.5], [0.5, 0.5, 0.1]])
    hits = candidates_topk_from_scores(scores, [0, 0, 0], ks=(1, 2), per_item=True)
    assert hits["top1"].tolist() == [1, 0, 0]  # the tie in row 3 counts against the true one
    assert hits["top2"].tolist() == [1, 0, 1]
    means = candidates_topk_from_scores(scores, [0, 0, 0], ks=(1, 2))
    assert means == {k: pytest.approx(v.mean()) for k, v in hits.items()}


def test_grid_pooling_cells_add_up_to_the_global_average():
    from helpers.backbones.grid import global_average, grid_pooling

    x = np.random.default_rng(0).random((2, 7, 7, 3)).astype("float32")
    grid = np.asarray(grid_pooling(2)(x))
    assert grid.shape == (2, 12)
    np.testing.assert_allclose(global_average(grid), x.mean(axis=(1, 2)), rtol=1e-5)
    # the top-left cell covers rows and columns 0-2 of the 7 x 7 map
    np.testing.assert_allclose(grid[:, :3], x[:, :3, :3].sum(axis=(1, 2)) / 49, rtol=1e-5)
    tiny = np.asarray(grid_pooling(2)(x[:, :1, :1]))  # a 1 x 1 map repeats its one cell
    np.testing.assert_allclose(global_average(tiny), 4 * x[:, 0, 0], rtol=1e-5)


def test_recall_at_k_pairs_per_item_marks_each_left_image():
    from helpers.retrieval import recall_at_k_pairs

    left = np.eye(3, dtype="float32")
    right = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]], dtype="float32")  # rows 1, 2 swapped
    hits = recall_at_k_pairs(left, right, ks=(1, 2), per_item=True)
    assert hits["recall@1"].tolist() == [1, 0, 0]
    assert recall_at_k_pairs(left, right, ks=(1,)) == {"recall@1": pytest.approx(1 / 3)}
