"""Unit tests of helpers.studies.fetz2021.challenge: data, timed evaluation, results board, submission checks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from helpers import retrieval
from helpers.studies.fetz2021 import challenge, paper, tables, trainers


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


def test_topk_hits_are_each_querys_hit():
    ranked = np.array([[2, 0, 1], [0, 1, 2]])
    hits = challenge.topk_hits(ranked, np.array([0, 1]), np.array([0, 1, 1]), ks=(1, 2))
    np.testing.assert_array_equal(hits["top1"], [0, 0])
    np.testing.assert_array_equal(hits["top2"], [1, 1])
    assert challenge.topk_hits(ranked, np.array([-1, 0]), np.array([0, 1, 1])) is None


def _colour_sets():
    gallery = np.zeros((6, 4, 4, 3), np.uint8)
    gallery[:3, ..., 0], gallery[3:, ..., 1] = 200, 200
    return challenge.Sets(gallery[[0, 4]].copy(), gallery, np.array([0, 1]),
                          np.array([0, 0, 0, 1, 1, 1]))


def test_evaluate_embedder_ranks_by_each_metric_and_times():
    # Embedding = the first pixel's colour; labels follow the colour.
    calls = []

    def embed(x):
        calls.append(len(x))
        return x[:, 0, 0, :].astype("float32") + 1.0

    results = challenge.evaluate_embedder("demo", "colour", embed, _colour_sets())
    assert [r.metric for r in results] == ["euclidean", "cosine"]
    assert calls[:2] == [1, 2]  # the untimed warm-up calls
    for r in results:
        assert r.scores == {"top1": 1.0, "top3": 1.0, "top10": 1.0}
        assert r.ranked.shape == (2, 6) and r.index_s >= 0 and r.query_ms >= 0
        assert sorted(r.ranked[0]) == list(range(6))
        np.testing.assert_array_equal(r.hits["top1"], [1, 1])
        assert r.seeds == 1


def test_over_seeds_stacks_each_seeds_hits_and_adds_the_backbones_time():
    sets = _colour_sets()
    right = challenge.evaluate_embedder("demo", "v", lambda x: x[:, 0, 0, :].astype("float32") + 1,
                                        sets, ("cosine",))[0]
    wrong = challenge.evaluate_embedder("demo", "v", lambda x: x[:, 0, 0, ::-1].astype("float32") + 1,
                                        sets, ("cosine",))[0]
    stacked = challenge.over_seeds([right, wrong], plus=right)
    assert stacked.seeds == 2 and stacked.hits["top1"].shape == (2, 2)
    assert stacked.scores["top1"] == pytest.approx((right.scores["top1"] + wrong.scores["top1"]) / 2)
    assert stacked.index_s == pytest.approx(2 * right.index_s) and "2 seeds" in stacked.note
    np.testing.assert_array_equal(stacked.ranked, right.ranked)  # the first seed's ranking


def test_evaluate_local_ranks_by_ratio_test_matches_and_by_ransac_inliers():
    from helpers import local_features

    rng = np.random.default_rng(0)
    textures = [rng.integers(0, 255, (96, 96, 3), dtype=np.uint8) for _ in range(3)]
    textures = [np.asarray(Image.fromarray(t).resize((96, 96))) for t in textures]
    gallery = np.stack(textures)
    sets = challenge.Sets(gallery[[2]].copy(), gallery, np.array([2]), np.array([0, 1, 2]))
    from helpers.studies.fetz2021.saved import ratio_test

    results = challenge.evaluate_local("ORB", local_features.make("orb", nfeatures=200), sets,
                                       ratio_test)
    assert [challenge.REPORTS_LOCAL in r.variant for r in results] == [True, False]
    assert "(ours)" in results[1].variant
    for result in results:
        assert result.ranked[0, 0] == 2 and result.scores["top1"] == 1.0
        assert result.metric == "matches" and "ORB" in result.variant
    assert results[1].query_ms >= results[0].query_ms  # RANSAC comes on top of the matching


def test_flip_averaged_is_mirror_invariant():
    x = np.random.default_rng(1).integers(0, 255, (3, 5, 5, 3)).astype("float32")

    def embed(images):
        return images[:, :, :2, 0].reshape(len(images), -1)  # depends on left-right position

    averaged = challenge.flip_averaged(embed)
    np.testing.assert_allclose(averaged(x), averaged(x[:, :, ::-1]))


def make_result(approach, variant, top1, metric="euclidean", ranked=None, hits=None):
    ranked = np.array([[0, 1], [1, 0]]) if ranked is None else ranked
    return challenge.Result(approach, variant, metric, {"top1": top1, "top3": 1.0, "top10": 1.0},
                            ranked, 1.5, 20.0, hits=hits)


def test_board_rows_best_verdicts_and_claims():
    board = tables.Board()
    board.add([make_result("pretrained CNN", "a", 0.55), make_result("pretrained CNN", "b", 0.7)])
    board.add(make_result("conv autoencoder", "c", 0.2))
    board.add(make_result("SURF", "d", 0.1, metric="matches"))
    assert board.best("pretrained CNN").variant == "b"
    assert board.best().approach == "pretrained CNN"
    assert board.get("pretrained CNN", "b").variant == "b"
    rows = board.rows("pretrained CNN")
    assert rows[0]["paper"] == 0.533 and rows[0]["here"] == 0.55 and rows[0]["top3 paper"] == 0.733
    assert len(rows) == 2  # no Sets given: no chance row
    assert "agrees with" in board.versus_paper("pretrained CNN", tolerance=0.2)
    assert "is above" in board.versus_paper("pretrained CNN", tolerance=0.05)
    assert "is below" in board.versus_paper("SURF")
    assert "tolerance 0.05" in board.versus_paper("SURF")  # the study's, from its claims module
    assert tables.Board(paper=False).rows(results=board.find("SURF"))[0]["paper"] is None
    with pytest.raises(KeyError):
        board.best("VAE")


def _sets(n_per_class=8, classes=5, gallery_per_class=32):
    yq = np.repeat(np.arange(classes), n_per_class)
    yg = np.repeat(np.arange(classes), gallery_per_class)
    return challenge.Sets(np.zeros((len(yq), 1)), np.zeros((len(yg), 1)), yq, yg)


def test_board_chance_row_is_last_with_the_exact_and_the_measured_level():
    board = tables.Board(_sets(), seed=0)
    board.add(make_result("VAE", "v", 0.5, hits={k: np.ones(40, int) for k in ("top1", "top3", "top10")}))
    rows = board.rows("VAE")
    assert rows[-1]["approach"] == "chance" and "top1 0.200" in rows[-1]["variant"]
    assert 0.0 <= rows[-1]["here"] <= 0.5 and rows[0]["top1 95% CI"].startswith("[")
    assert "0.200 exact" in board.chance_text()
    assert board.below_chance() == []  # all hits: far above chance
    board.add(make_result("ORB", "o", 0.0, metric="matches",
                          hits={k: np.zeros(40, int) for k in ("top1", "top3", "top10")}))
    assert [line.split(" (")[0] for line in board.below_chance("top3")] == ["ORB"]


def test_board_records_hits_so_the_engine_judges_with_paired_intervals(monkeypatch, tmp_path):
    """The study's claims on what the board records: the interval comes with the hits."""
    from helpers import report, verdicts

    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("04_query_gallery_challenge", {"profile": "standard"}, seed=0)
    run = report.current()
    run.data["data"] = {"name": "flowers", "origin": "LOOKALIKE_DATA"}
    run.data["weights"] = {"by_backbone": {"mobilenetv2": {"pretrained": True}}}
    rng = np.random.default_rng(0)
    board = tables.Board(_sets(), items="flowers queries")

    def hits(rate, seeds=3):
        return {k: (rng.random((seeds, 40)) < rate).astype(int) for k in ("top1", "top3", "top10")}

    for name, approach, rate in (("pretrained", "pretrained CNN", 0.95), ("siamese", "Siamese", 0.5),
                                 ("cae", "conv autoencoder", 0.4), ("vae", "VAE", 0.45),
                                 ("small_cnn", "small CNN", 0.5), ("surf", "SURF", 0.3)):
        found = hits(rate)
        result = make_result(approach, name, float(found["top1"].mean()), hits=found)
        result.scores = {k: float(v.mean()) for k, v in found.items()}
        board.record(report, name, board.add(result)[0])
    metrics = run.data["metrics"]
    assert metrics["pretrained_top1"]["n_seeds"] == 3 and metrics["pretrained_top1"]["paper"] == 0.533
    assert metrics["pretrained_top1"]["context"]["items"] == "flowers queries"
    judged = {v.claim.statement: v for v in verdicts.judge_notebook("04", run.data)}
    best = next(v for s, v in judged.items() if s.startswith("The best performing model"))
    # The VAE (never scored by the report) and SURF (its own rows) are not in the comparison.
    assert best.verdict == verdicts.REPRODUCED and len(best.comparisons) == 3
    assert all(c.interval is not None for c in best.comparisons)
    surf = next(v for s, v in judged.items() if s.startswith("SURF is almost as competitive as "
                                                             "ResNet50, on flower"))
    assert surf.verdict == verdicts.CONTRADICTED
    # The report's absolute numbers: recorded without a value, the reason in the note.
    tables.record_absolute(report, board, {"resnet50": board.results[0]}, data="flowers")
    absolute = verdicts.judge(next(c for c in verdicts.study("04").CLAIMS
                                   if c.metrics[0] == "challenge_resnet50_top1"), run.data)
    assert absolute.verdict == verdicts.NOT_TESTABLE and "never published" in absolute.why
    assert "not testable" in tables.verdict_on("The best performing", {**run.data, "profile": "smoke"})


def test_submission_is_checked_complete():
    board = tables.Board()
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


def test_local_key_names_the_reports_ranking_plainly_and_ours_with_ransac():
    assert tables.local_key(make_result("SURF", f"SURF {challenge.REPORTS_LOCAL}", 0.1)) == "surf"
    assert tables.local_key(make_result("ORB", f"ORB {challenge.OURS_LOCAL}", 0.1), "uk_") == "uk_orb_ransac"


def test_the_reports_printed_scores_imply_its_query_counts():
    resnet = paper.PAPER["pretrained CNN"]
    assert paper.smallest_query_count(*resnet.values()) == 15  # 8, 11 and 13 of 15
    assert paper.smallest_query_count(*paper.PAPER["SURF"].values()) == 70  # 39, 52, 61 of 70
    assert paper.QUERY_COUNTS == {"pretrained CNN": 15, "conv autoencoder": 15, "SURF": 70}


def test_scoring_sweep_trains_once_per_seed_and_keeps_every_seeds_hits():
    sets = _colour_sets()

    def fit(seed):  # seed 0 ranks by colour (all right), seed 1 sees no colour (ties: index order)
        def embed(x):
            return np.ones((len(x), 2), "float32") if seed else x[:, 0, 0, :].astype("float32") + 1.0
        return {"colour": embed}, f"model {seed}"

    runs = trainers.scoring_sweep((0, 1), sets, "demo", label="head: ").one(fit)
    np.testing.assert_array_equal(runs.hits("colour top-1"), [[1, 1], [1, 0]])
    rows, trained = trainers.rows_over_seeds(runs)
    assert trained == ["model 0", "model 1"] and list(rows) == ["head: colour"]
    np.testing.assert_array_equal(rows["head: colour"].hits["top1"], [[1, 1], [1, 0]])


def test_every_image_a_query_leaves_its_own_image_out_of_its_ranking():
    # Two pairs of identical images: each query's own copy is its best match, then its twin.
    items = np.zeros((4, 4, 4, 3), np.uint8)
    items[:2, ..., 0], items[2:, ..., 1] = 200, 200
    labels = np.array([0, 0, 1, 1])
    sets = challenge.Sets.every_image(items, labels)
    assert sets.loo and sets.swap(items + 1, items + 1).loo
    result = challenge.evaluate_embedder("demo", "colour", lambda x: x[:, 0, 0, :] + 1.0, sets,
                                         ("cosine",))[0]
    assert result.ranked.shape == (4, 3)
    assert all(i not in row for i, row in enumerate(result.ranked))  # never its own image
    np.testing.assert_array_equal(result.ranked[:, 0], [1, 0, 3, 2])  # the twin comes first
    names = ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    sub = retrieval.submission(names, names, result.ranked)
    challenge.check_submission(sub, names, names, leave_one_out=True)
    assert sub["a.jpg"][0] == "b.jpg" and "a.jpg" not in sub["a.jpg"]
    with pytest.raises(ValueError, match="every gallery file"):
        challenge.check_submission({n: names for n in names}, names, names, leave_one_out=True)


def test_a_board_over_every_image_leaves_the_query_out_of_chance_too():
    labels = np.repeat(np.arange(3), 4)  # 3 classes of 4: 3 others of its class among 11
    board = tables.Board(challenge.Sets.every_image(np.zeros((12, 2)), labels), seed=0)
    assert board.loo and board.chance_exact["top1"] == pytest.approx(3 / 11)


def test_holidays_layout_names_the_scene_by_the_first_four_digits(tmp_path):
    from helpers import datasets

    for name in ("100000.jpg", "100001.jpg", "100100.jpg", "100101.jpg", "100102.jpg"):
        Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(tmp_path / name)
    found = datasets.load(str(tmp_path))
    assert found.name == "holidays" and len(found) == 5
    np.testing.assert_array_equal(found.labels, [0, 0, 1, 1, 1])
    assert found.class_names == ("scene_1000", "scene_1001")


def test_a_folder_that_cannot_serve_is_refused_with_what_would(tmp_path):
    flat = tmp_path / "flat"
    (flat / "only_class").mkdir(parents=True)
    for i in range(3):
        Image.fromarray(np.full((40, 40, 3), 30 * i, np.uint8)).save(flat / "only_class" / f"{i}.jpg")
    with pytest.raises(ValueError, match="query/ and gallery/"):
        challenge.load(str(flat))
    pairs = tmp_path / "pairs"
    for side in ("left", "right"):
        (pairs / side).mkdir(parents=True)
        Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(pairs / side / "a.jpg")
    with pytest.raises(ValueError, match="no classes to query by"):
        challenge.load(str(pairs))


def test_local_matching_in_query_blocks_counts_what_one_query_at_a_time_counts():
    from helpers import local_features
    from helpers.studies.fetz2021.saved import ratio_test

    rng = np.random.default_rng(3)
    textures = [np.asarray(Image.fromarray(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8))
                           .resize((96, 96))) for _ in range(5)]
    textures.append(np.full((96, 96, 3), 128, np.uint8))  # no keypoint at all
    images = np.stack(textures + [t[:, ::-1].copy() for t in textures[:3]])
    sets = challenge.Sets.every_image(images, np.array([0, 1, 2, 3, 4, 5, 0, 1, 2]))
    for name in ("orb", "sift"):
        extractor = local_features.make(name)
        one = challenge.evaluate_local(name, extractor, sets, ratio_test)[0]
        blocks = challenge.evaluate_local(name, extractor, sets, ratio_test, ransac=False)
        assert len(blocks) == 1
        np.testing.assert_array_equal(blocks[0].ranked, one.ranked)
