"""Unit tests of helpers.studies.xushi2023.experiment: notebook 05's glue over PairSets and results."""

import os
from types import SimpleNamespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import datasets
from helpers.studies.xushi2023 import experiment as X  # noqa: E402
from helpers.studies.xushi2023 import runs, saved, tables  # noqa: E402
from helpers.studies.xushi2023.candidates import CandidateSet  # noqa: E402
from helpers.sweep import Sweep  # noqa: E402


@pytest.fixture
def pairs(isolated_outputs):
    return datasets.load("tll", synthetic=True, seed=3, max_per_class=60)


def test_sides_and_splits_are_global_rows_of_the_pairs(pairs):
    left, right = X.side(pairs, "left"), X.side(pairs, "right")
    assert left.items == pairs.left and right.items == pairs.right and left.name == "tll-left"
    split = X.split_indices(pairs, {"train": 0.5, "val": 0.25, "test": 0.25}, seed=1)
    joined = np.concatenate(list(split.values()))
    assert sorted(joined.tolist()) == list(range(len(pairs)))
    assert [pairs.ids[i] for i in split["test"]] == pairs.split(
        {"train": 0.5, "val": 0.25, "test": 0.25}, seed=1)["test"].ids
    test = X.eval_candidates(pairs, split["test"], n=10, seed=2)
    assert set(test.cands.ravel()) <= set(split["test"].tolist())
    assert np.array_equal(test.cands[np.arange(len(test)), test.true_pos], split["test"])
    with pytest.raises(ValueError, match="cannot give 20"):
        X.eval_candidates(pairs, split["test"][:10], n=20, seed=2)
    with pytest.raises(ValueError, match="side"):
        X.side(pairs, "middle")


def test_model_list_follows_the_reports_design():
    specs = X.specs_for(["r", "v", "m"], ["concat", "average"], ["hinge", "infonce"])
    labels = [s.label for s in specs]
    assert labels[:3] == ["r", "v", "m"]
    assert "r+v (average)" in labels and "r+v (concat), infonce" in labels
    assert "v+m (concat)" not in labels  # the report's design: pairs include the first backbone
    assert "r+m (concat), infonce" not in labels  # the loss comparison: the first pair only
    assert len(specs) == 3 + 4 + 1
    every = [s.label for s in X.specs_for(["r", "v", "m"], ["concat"], ["hinge"], pairs="all",
                                          grid=True)]
    assert every == ["r", "v", "m", "r+v (concat)", "r+m (concat)", "v+m (concat)",
                     "r:grid2+v:grid2 (concat)"]
    assert len(X.specs_for(["r", "v"], ["concat"], ["hinge"], singles=False)) == 1
    assert X.metric_name("r+v (concat), infonce") == "r_v_concat_infonce"
    with pytest.raises(ValueError, match="nothing to train"):
        X.specs_for(["r"], ["concat"], ["hinge"], singles=False)
    with pytest.raises(ValueError, match="pairs must be"):
        X.groups_for(["r", "v"], pairs="some")


def _cands(n: int = 4, c: int = 3) -> CandidateSet:
    return CandidateSet(np.arange(n), (np.arange(n)[:, None] + np.arange(c)) % n,
                                np.zeros(n, dtype=int))


def _runs(backbones, fusion, loss, hits_per_seed, losses=(1.0, 0.9)):
    """A model over seeds whose test (and validation) rows hit as given (1: the true
    candidate scores highest; 0: it scores lowest)."""
    cands = _cands(len(hits_per_seed[0]))
    results = []
    for seed, hits in enumerate(hits_per_seed):
        scores = np.where(np.asarray(hits)[:, None] == 1, [[1.0, 0.5, 0.0]], [[0.0, 0.5, 1.0]])
        head = SimpleNamespace(count_params=lambda: 1000)
        run = SimpleNamespace(history={"loss": list(losses), "val_loss": [1.0]}, seconds=1.0,
                              model=head)
        results.append(saved.RankerResult(saved.RankerSpec(backbones, fusion, loss), seed,
                                          scores, scores, run))
    data = SimpleNamespace(test=cands, val=cands)
    sweep = Sweep(lambda spec, seed: results[seed], range(len(results)),
                  hits=lambda result: runs.ranker_hits(result, data), label=lambda spec: spec.label,
                  verbose=False, runs_type=runs.RankerRuns)
    return sweep.one(results[0].spec)


def test_ranker_runs_give_seeds_by_items_hits_and_their_means():
    m = _runs(("r",), "concat", "hinge", [[1, 1, 0, 0], [1, 0, 0, 0]])
    assert m.hits("test").shape == (2, 4) and m.top2() == pytest.approx(3 / 8)
    assert m.hits("test_top1").tolist() == [[1, 1, 0, 0], [1, 0, 0, 0]]
    assert m.seeds == [0, 1] and m.spec.backbones == ("r",) and m.first is m.runs[0]
    other = _runs(("v",), "concat", "hinge", [[0, 0, 0, 1], [0, 0, 0, 1]])
    np.testing.assert_allclose(runs.mean_hits([m, other]), [[0.5, 0.5, 0, 0.5], [0.5, 0, 0, 0.5]])


def test_tables_summarise_singles_and_pairs_beside_the_report():
    models = [_runs(("resnet50",), "concat", "hinge", [[1, 0, 0, 0]]),
              _runs(("vgg19",), "concat", "hinge", [[1, 1, 0, 0]]),
              _runs(("resnet50", "vgg19"), "concat", "hinge", [[1, 1, 1, 0]]),
              _runs(("resnet50", "vgg19"), "average", "hinge", [[1, 1, 0, 0]]),
              _runs(("resnet50", "vgg19"), "concat", "infonce", [[1, 1, 1, 1]]),
              _runs(("resnet50:grid2", "vgg19:grid2"), "concat", "hinge", [[1, 1, 1, 1]])]
    rows = {r["model"]: r for r in X.top2_rows(models, "hinge", (0.09, 0.1))}
    assert rows["resnet50"]["paper"] == 0.40 and rows["resnet50+vgg19 (concat)"]["paper"] == 0.623
    assert "resnet50:grid2+vgg19:grid2 (concat)" not in rows  # grid models are shown apart
    assert rows["chance"]["here"] == 0.1 and rows["chance"]["random scores, measured"] == 0.09
    val = {r["model"].split(" (")[0]: r for r in tables.validation_rows(models, "hinge", (0.1, 0.1))}
    assert val["mean of single models"]["here"] == pytest.approx(0.375)
    assert val["mean of pairs"]["here"] == pytest.approx(0.625)  # the InfoNCE model not counted
    assert val["mean of single models"]["paper"] == 0.37 and val["best pair"]["paper"] == 0.68
    losses = X.loss_rows(models)
    assert [r["paper"] for r in losses] == [1.0] * 4 + [None, 1.0]
    assert losses[0]["here"] == 0.9
    params = X.parameter_rows(models, {"resnet50": 25_000_000, "vgg19": 20_000_000})
    assert params[2]["backbone params (M)"] == pytest.approx(45.0)
    assert params[5]["backbone params (M)"] == pytest.approx(45.0)


def test_recall_rows_put_rosenfeld_resnet50_in_the_paper_column():
    rows = X.recall_rows({"mobilenet": {"recall@1": np.array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
                                        "recall@20": 0.3}}, {20: 0.013})
    assert rows[0] == {"k": 1, "backbone here": "mobilenet", "DenseNet121 (Rosenfeld)": 0.058,
                       "paper": 0.0438, "here": 0.1}
    assert rows[1]["paper"] == 0.1958
    assert rows[2] == {"k": 20, "backbone here": "chance (k / pairs)", "paper": None, "here": 0.013}


def test_gallery_picks_a_hit_and_a_miss():
    cs = CandidateSet(np.array([0, 1, 2]), np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]),
                              np.zeros(3, dtype=int))
    scores = np.array([[0.1, 0.5, 0.9],    # true last: a miss at top-2
                       [0.9, 0.5, 0.1],    # true first: a hit
                       [0.5, 0.9, 0.1]])
    assert X.gallery_picks(scores, cs) == [1, 0]
    assert X.gallery_picks(scores[1:2], CandidateSet(
        cs.left[1:2], cs.cands[1:2], cs.true_pos[1:2])) == [0]


def test_planned_weights_say_random_when_nothing_can_be_had(monkeypatch, tmp_path):
    monkeypatch.setenv("LOOKALIKE_WEIGHTS", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    planned = X.planned_weights(["mobilenetv2", "resnet50"], None)
    assert planned == {"mobilenetv2": "random init (asked for)",
                       "resnet50": "random init (asked for)"}
    planned = X.planned_weights(["resnet50"], "imagenet")
    assert "RANDOM" in planned["resnet50"]


@pytest.mark.slow
def test_pair_features_extract_both_sides_and_then_come_from_the_cache(pairs):
    import keras

    small = pairs.take(range(12))
    keras.utils.set_random_seed(0)  # random weights are cached by their fingerprint
    first = X.pair_features(small, ["mobilenetv2"], image_size=32, weights=None, progress=False)
    assert first.left["mobilenetv2"].shape == (12, 1280) == first.right["mobilenetv2"].shape
    assert not first.weights["mobilenetv2"].pretrained and not first.cached["mobilenetv2"]
    keras.utils.set_random_seed(0)
    again = X.pair_features(small, ["mobilenetv2"], image_size=32, weights=None, progress=False)
    assert again.cached["mobilenetv2"]
    np.testing.assert_array_equal(again.left["mobilenetv2"], first.left["mobilenetv2"])
    assert "cache" in again.describe()[0]


class _Weights:
    def __init__(self, pretrained: bool) -> None:
        self.pretrained = pretrained
        self.source = "file" if pretrained else "random init"

    def as_dict(self) -> dict:
        return {"pretrained": self.pretrained, "source": self.source}

    def describe(self) -> str:
        return self.source


def test_recorded_claims_pair_the_same_rows_and_say_why_untestable(isolated_outputs):
    from helpers import report, verdicts
    from helpers.studies.xushi2023 import claims, recording

    report.start("05_totally_looks_like", {"profile": "standard"}, seed=42)
    models = [_runs(("a",), "concat", "hinge", [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]),
              _runs(("b",), "concat", "hinge", [[0, 1, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]]),
              _runs(("a", "b"), "concat", "hinge", [[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 1]]),
              _runs(("a", "b"), "average", "hinge", [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]])]
    weights = {"a": _Weights(True), "b": _Weights(True)}
    out = recording.record_report_claims(models, weights, "hinge")
    assert out["val_pair_mean_top2"] > out["val_single_mean_top2"]
    data = report.current().data
    data["data"] = {"origin": "LOOKALIKE_DATA"}
    entry = data["metrics"]["val_pair_mean_top2"]
    assert np.asarray(entry["scores"]).shape == (3, 4) and entry["context"]["items"] == "val"
    assert data["metrics"]["hinge_final_loss"]["value"] == pytest.approx(0.9)
    assert "MobileNetV3Large" in data["metrics"]["val_top2_resnet50_mobilenetv3large"]["note"]
    assert "resnet50" in data["metrics"]["report_best_pairs"]["note"]
    rows = recording.record_pairs_against_better_member(models, weights, "hinge", "concat")
    assert [r["better alone (on validation)"] for r in rows] == ["a"]  # a tie: the first
    picks = recording.record_model_picks(models, weights)
    assert picks["picked by validation top-2"] == "a+b (concat)"
    judged = {c.metrics[0]: verdicts.judge(c, data) for c in claims.CLAIMS}
    assert judged["val_top2_resnet50_mobilenetv3small"].verdict == "not testable here"
    assert "MobileNetV3Large" in judged["val_top2_resnet50_mobilenetv3small"].why
    metrics = data["metrics"]
    for name, base in (("fused_pairs_top2", "better_members_top2"),
                       ("pair_concat_mean_top2", "pair_average_mean_top2"),
                       ("top2_pick_top2", "loss_pick_top2")):
        # paired: the same test rows and seeds
        gain = verdicts.scores_difference(metrics[name], metrics[base])
        assert gain is not None and metrics[name]["context"]["items"] == "test", name
    assert metrics["fused_pairs_top2"]["value"] - metrics["better_members_top2"]["value"] == (
        pytest.approx(10 / 12 - 2 / 12))
    # On four rows the positive controls fail (nothing is shown above chance): not testable.
    assert "positive control failed" in judged["fused_pairs_top2"].why
    assert judged["hinge_final_loss"].verdict == "not testable here"
    assert "by construction" in judged["hinge_final_loss"].why


def test_grid_tap_keeps_layout_and_gives_the_global_average_back(pairs, monkeypatch):
    from types import SimpleNamespace

    from helpers import features

    grid = np.random.default_rng(0).random((6, 8)).astype("float32")  # 2 x 2 cells of 2 channels
    taps = []

    def fake_extract(imageset, name, tap=None, **kwargs):
        taps.append(tap)
        return SimpleNamespace(vectors=grid, weights=None, from_cache=False)

    monkeypatch.setattr(features, "extract", fake_extract)
    both = X.pair_features(pairs.take(range(6)), ["m"], image_size=32, weights=None,
                           tap="avg+grid2", progress=False)
    assert taps == ["grid2", "grid2"]  # one pass per side gives both
    np.testing.assert_allclose(both.left["m"], grid.reshape(6, 4, 2).sum(1))
    left, right = both.tables()
    assert set(left) == set(right) == {"m", "m:grid2"} and left["m:grid2"] is grid
    plain = X.pair_features(pairs.take(range(6)), ["m"], image_size=32, weights=None,
                            progress=False)
    assert taps[-1] == "avg" and not plain.grid_left
