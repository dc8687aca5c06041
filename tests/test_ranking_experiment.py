"""Unit tests of helpers.studies.xushi2023.experiment: notebook 05's glue over PairSets and results."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import datasets
from helpers.studies import xushi2023 as ranking  # noqa: E402
from helpers.studies.xushi2023 import experiment as X  # noqa: E402


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
    assert "r+v (average)" in labels and "r+m (concat), infonce" in labels
    assert "v+m (concat)" not in labels  # pairs always include the first backbone
    assert len(specs) == 3 + 4 + 2
    assert len(X.specs_for(["r", "v"], ["concat"], ["hinge"], singles=False)) == 1
    assert X.metric_name("r+v (concat), infonce") == "r_v_concat_infonce"
    with pytest.raises(ValueError, match="nothing to train"):
        X.specs_for(["r"], ["concat"], ["hinge"], singles=False)


def _result(backbones, fusion, loss, top2, losses=(1.0, 0.9)):
    return ranking.RankerResult(
        spec=ranking.RankerSpec(backbones, fusion, loss), top1=top2 / 2, top2=top2,
        best_val_top2=top2, best_epoch=1, history={"loss": list(losses), "val_loss": [1.0]},
        head_params=1000, seconds=1.0, test_scores=np.zeros((1, 2)), model=None)


def test_tables_summarise_singles_and_pairs_beside_the_report():
    results = [_result(("resnet50",), "concat", "hinge", 0.3),
               _result(("vgg19",), "concat", "hinge", 0.5),
               _result(("resnet50", "vgg19"), "concat", "hinge", 0.6),
               _result(("resnet50", "vgg19"), "average", "hinge", 0.4),
               _result(("resnet50", "vgg19"), "concat", "infonce", 0.9)]
    rows = {r["model"]: r for r in X.top2_rows(results, "hinge")}
    assert rows["resnet50"]["paper"] == 0.40 and rows["resnet50+vgg19 (concat)"]["paper"] == 0.623
    assert rows["mean of single models"]["here"] == pytest.approx(0.4)
    assert rows["mean of pairs"]["here"] == pytest.approx(0.5)
    assert rows["best pair"]["here"] == pytest.approx(0.6)  # the InfoNCE model is not counted
    losses = X.loss_rows(results)
    assert [r["paper"] for r in losses] == [1.0] * 4 + [None]
    assert losses[0]["here"] == 0.9
    params = X.parameter_rows(results, {"resnet50": 25_000_000, "vgg19": 20_000_000})
    assert params[2]["backbone params (M)"] == pytest.approx(45.0)


def test_recall_rows_put_rosenfeld_resnet50_in_the_paper_column():
    rows = X.recall_rows({"mobilenet": {"recall@1": 0.1, "recall@20": 0.3}})
    assert rows[0] == {"k": 1, "backbone here": "mobilenet", "DenseNet121 (Rosenfeld)": 0.058,
                       "paper": 0.0438, "here": 0.1}
    assert rows[1]["paper"] == 0.1958


def test_gallery_picks_a_hit_and_a_miss():
    cs = ranking.CandidateSet(np.array([0, 1, 2]), np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]]),
                              np.zeros(3, dtype=int))
    scores = np.array([[0.1, 0.5, 0.9],    # true last: a miss at top-2
                       [0.9, 0.5, 0.1],    # true first: a hit
                       [0.5, 0.9, 0.1]])
    assert X.gallery_picks(scores, cs) == [1, 0]
    assert X.gallery_picks(scores[1:2], ranking.CandidateSet(
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
