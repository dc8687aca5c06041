"""Unit tests of helpers.studies.fetz2021.challenge: data, timed evaluation, results board, submission checks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers.studies.fetz2021 import challenge


def test_topk_from_ranked_counts_hits_and_handles_unlabelled():
    ranked = np.array([[2, 0, 1], [0, 1, 2]])
    yq, yg = np.array([0, 1]), np.array([0, 1, 1])
    # Query 0 (label 0): gallery order 2(1), 0(0), 1(1) -> first hit at rank 2.
    # Query 1 (label 1): gallery order 0(0), 1(1), 2(1) -> first hit at rank 2.
    assert challenge.topk_from_ranked(ranked, yq, yg, ks=(1, 2, 3)) == {
        "top1": 0.0, "top2": 1.0, "top3": 1.0}
    ranked[1] = [1, 0, 2]
    assert challenge.topk_from_ranked(ranked, yq, yg, ks=(1,))["top1"] == 0.5
    scores = challenge.topk_from_ranked(ranked, np.array([-1, -1]), yg, ks=(1,))
    assert np.isnan(scores["top1"])


def test_evaluate_embedder_ranks_by_each_metric_and_times():
    # Embedding = the first pixel's colour; labels follow the colour.
    gallery = np.zeros((6, 4, 4, 3), np.uint8)
    gallery[:3, ..., 0], gallery[3:, ..., 1] = 200, 200
    query = gallery[[0, 4]].copy()
    calls = []

    def embed(x):
        calls.append(len(x))
        return x[:, 0, 0, :].astype("float32") + 1.0

    results = challenge.evaluate_embedder("demo", "colour", embed, query, gallery,
                                          np.array([0, 1]), np.array([0, 0, 0, 1, 1, 1]))
    assert [r.metric for r in results] == ["euclidean", "cosine"]
    assert calls[:2] == [1, 2]  # the untimed warm-up calls
    for r in results:
        assert r.scores == {"top1": 1.0, "top3": 1.0, "top10": 1.0}
        assert r.ranked.shape == (2, 6) and r.index_s >= 0 and r.query_ms >= 0
        assert sorted(r.ranked[0]) == list(range(6))


def test_evaluate_local_sorts_by_matches():
    from helpers import local_features

    rng = np.random.default_rng(0)
    textures = [rng.integers(0, 255, (96, 96, 3), dtype=np.uint8) for _ in range(3)]
    textures = [np.asarray(Image.fromarray(t).resize((96, 96))) for t in textures]
    gallery = np.stack(textures)
    query = gallery[[2]].copy()
    result = challenge.evaluate_local("ORB", local_features.make("orb", nfeatures=200), query,
                                      gallery, np.array([2]), np.array([0, 1, 2]))
    assert result.ranked[0, 0] == 2 and result.scores["top1"] == 1.0
    assert result.metric == "matches" and "ORB" in result.variant


def test_flip_averaged_is_mirror_invariant():
    x = np.random.default_rng(1).integers(0, 255, (3, 5, 5, 3)).astype("float32")

    def embed(images):
        return images[:, :, :2, 0].reshape(len(images), -1)  # depends on left-right position

    averaged = challenge.flip_averaged(embed)
    np.testing.assert_allclose(averaged(x), averaged(x[:, :, ::-1]))


def make_result(approach, variant, top1, metric="euclidean", ranked=None):
    ranked = np.array([[0, 1], [1, 0]]) if ranked is None else ranked
    return challenge.Result(approach, variant, metric, {"top1": top1, "top3": 1.0, "top10": 1.0},
                            ranked, 1.5, 20.0)


def test_board_rows_best_verdicts_and_claims():
    board = challenge.Board()
    board.add([make_result("pretrained CNN", "a", 0.55), make_result("pretrained CNN", "b", 0.7)])
    board.add(make_result("conv autoencoder", "c", 0.2))
    board.add(make_result("SURF", "d", 0.1, metric="matches"))
    assert board.best("pretrained CNN").variant == "b"
    assert board.best().approach == "pretrained CNN"
    rows = board.rows("pretrained CNN")
    assert rows[0]["paper"] == 0.533 and rows[0]["here"] == 0.55 and rows[0]["top3 paper"] == 0.733
    assert "agrees with" in board.versus_paper("pretrained CNN", tolerance=0.2)
    assert "is above" in board.versus_paper("pretrained CNN", tolerance=0.05)
    assert "is below" in board.versus_paper("SURF")
    assert "tolerance 0.05" in board.versus_paper("SURF")  # the study's, from its claims module
    with pytest.raises(KeyError):
        board.best("VAE")


class _Recorder:
    """Stands in for helpers.report: keeps what Board.record hands it, as a metrics file has it."""

    def __init__(self):
        self.data = {"profile": "standard", "data": {"name": "flowers", "origin": "LOOKALIKE_DATA"},
                     "weights": {"by_backbone": {"mobilenetv2": {"pretrained": True}}},
                     "metrics": {}}

    def record(self, name, value, paper=None, note=None, **context):
        self.data["metrics"][name] = {"value": value, "paper": paper}


def test_board_numbers_judged_by_the_studys_claims():
    """Board.claims' successor: the same three ranking claims, now rules in fetz2021.claims."""
    from helpers import verdicts

    board = challenge.Board()
    board.add([make_result("pretrained CNN", "a", 0.55), make_result("pretrained CNN", "b", 0.7)])
    for approach, top1 in (("conv autoencoder", 0.2), ("VAE", 0.25), ("small CNN", 0.3),
                           ("Siamese", 0.5)):
        board.add(make_result(approach, approach, top1))
    board.add(make_result("SURF", "d", 0.1, metric="matches"))
    rec = _Recorder()
    for name, approach in (("pretrained", "pretrained CNN"), ("cae", "conv autoencoder"),
                           ("vae", "VAE"), ("small_cnn", "small CNN"), ("siamese", "Siamese"),
                           ("surf", "SURF")):
        board.record(rec, name, board.best(approach))
    judged = {v.claim.statement: v for v in verdicts.judge_notebook("04", rec.data)}
    best = next(v for s, v in judged.items() if s.startswith("The best performing model"))
    # The board records no intervals: each verdict is inconclusive, its point side shown.
    assert best.point_holds is True and len(best.comparisons) == 5
    assert best.verdict == verdicts.INCONCLUSIVE
    assert judged["Every model trained from scratch is behind the pretrained CNN"].point_holds is True
    surf = next(v for s, v in judged.items() if s.startswith("SURF keypoint matching"))
    assert surf.point_holds is False  # 0.1 against 0.7: not within the study's 0.05


def test_submission_is_checked_complete():
    board = challenge.Board()
    result = make_result("pretrained CNN", "a", 1.0, ranked=np.array([[1, 0], [0, 1]]))
    sub = board.submission(result, ["q1.jpg", "q2.jpg"], ["g1.jpg", "g2.jpg"])
    assert sub == {"q1.jpg": ["g2.jpg", "g1.jpg"], "q2.jpg": ["g1.jpg", "g2.jpg"]}
    with pytest.raises(ValueError, match="exactly once"):
        challenge.check_submission({"q1.jpg": ["g1.jpg", "g1.jpg"]}, ["q1.jpg"], ["g1.jpg", "g2.jpg"])
    with pytest.raises(ValueError, match="missing"):
        challenge.check_submission({"q1.jpg": ["g1.jpg"]}, ["q1.jpg", "q2.jpg"], ["g1.jpg"])


def test_pick_queries_mixes_hits_and_misses():
    ranked = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])
    result = make_result("x", "y", 0.5, ranked=ranked)
    picked = challenge.pick_queries(result, np.array([0, 0, 1, 1]), np.array([0, 1]), n=2)
    assert picked == [0, 1]  # query 0 is a hit (gallery 0 has label 0), query 1 a miss


def test_load_synthetic_flowers_builds_disjoint_query_and_gallery(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    ch = challenge.load("flowers", synthetic=True, seed=3, queries_per_class=2, max_per_class=19)
    sizes = ch.sizes()
    assert sizes["query"] == 10 and sizes["train"] > sizes["val"] > 0
    q, g = challenge.file_names(ch.query), challenge.file_names(ch.gallery)
    assert not set(q) & set(g) and len(set(q)) == len(q)
    assert set(np.unique(ch.query.labels)) == set(np.unique(ch.gallery.labels))
    mirrored = challenge.Mirrored(ch.query)
    assert mirrored.name == "flowers_hflip" and mirrored.items == ch.query.items
    np.testing.assert_array_equal(mirrored.images(16, progress=False),
                                  ch.query.images(16, progress=False)[:, :, ::-1])


def test_load_query_gallery_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    for part, n in (("query", 1), ("gallery", 2)):
        for cls in ("a", "b"):
            folder = tmp_path / "qg" / part / cls
            folder.mkdir(parents=True)
            for i in range(n):
                Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    # Training data from the synthetic stand-in keeps the test offline and fast.
    monkeypatch.setattr(challenge.datasets, "load", _synthetic)
    ch = challenge.load(str(tmp_path / "qg"), seed=0)
    assert ch.labelled and (len(ch.query), len(ch.gallery)) == (2, 4)
    assert challenge.file_names(ch.query) == ["query/a/0.png", "query/b/0.png"]
    assert len(ch.train) > 0


def _synthetic(name, **kwargs):
    from helpers.datasets import standins

    return standins.build("flowers", kwargs.get("seed", 0), kwargs.get("max_per_class"))


def test_make_local_limits_keypoints():
    assert challenge.make_local("orb", 50).params == {"nfeatures": 50}
    assert challenge.make_local("sift").params == {}
