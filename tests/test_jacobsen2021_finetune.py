"""Notebook 02's fine-tuning (its page: saved.py) over helpers.studies.jacobsen2021.finetune and
.tables: cached runs, scores, tables, paper configs."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import classifiers as C  # noqa: E402
from helpers.studies.jacobsen2021 import finetune as ft  # noqa: E402
from helpers.studies.jacobsen2021 import saved as page  # noqa: E402
from helpers.studies.jacobsen2021 import tables as r02  # noqa: E402
from test_classifiers import scaled, tiny_base, toy_data  # noqa: E402

CONFIGS = {"top": ("top",), "block_a + top": ("block_a", "top")}


def page_classifier(base, groups):
    """The page's softmax classifier and unfreezing over a tiny base (no dropout: exact)."""
    return ft.from_base(lambda b, n: page.softmax_classifier(b, n, dropout=0.0), page.unfreeze,
                        base, 3, groups=groups, preprocess=scaled)


@pytest.fixture(scope="module")
def setup():
    base, groups = tiny_base()
    clf = page_classifier(base, groups)
    pixels = {"train": toy_data(60, seed=0), "val": toy_data(24, seed=1), "test": toy_data(24, seed=2)}
    cut = ft.lowest_cut(clf, list(CONFIGS.values()))
    cache = ft.TrunkCache(clf, pixels, cut, copies={"train": 2}, seed=0)
    return clf, pixels, cache


def test_lowest_cut_and_cache_derivation(setup) -> None:
    clf, pixels, cache = setup
    assert cache.cut == "stem_relu"
    low = cache.at("stem_relu")
    assert low["train"].copies == 2 and low["val"].copies == 1
    high = cache.at("block_a_add")
    assert cache.at("block_a_add") is high  # derived once, then kept
    direct = C.activations(clf, pixels["val"][0], cut="block_a_add")
    np.testing.assert_allclose(high["val"].values, direct.values, rtol=1e-5, atol=1e-6)
    assert cache.nbytes() > 0 and cache.seconds > 0


def test_finetune_scores_restore_and_reset(setup) -> None:
    clf, pixels, cache = setup
    recipe = C.Recipe(epochs=3, batch_size=12, learning_rate=0.05, patience=3, seed=1)
    run = page.finetune(clf, cache, CONFIGS["block_a + top"], recipe, label="x")
    assert set(run.scores) == {"val_top1", "test_top1", "test_top5", "test_accuracy"}
    test_vectors = C.embed(clf, cache.at(C.trainable_cut(clf))["test"])
    np.testing.assert_allclose(run.vectors["test"], test_vectors, rtol=1e-5)
    assert run.scores["test_top1"] == pytest.approx(
        ft.score(test_vectors, pixels["test"][1])["top1"])
    # A second run resets first, so it starts from the same weights as the first did.
    again = page.finetune(clf, cache, CONFIGS["block_a + top"], recipe, label="x")
    np.testing.assert_allclose(again.vectors["test"], run.vectors["test"], rtol=1e-4, atol=1e-5)
    page.finetune(clf, cache, CONFIGS["top"], recipe)
    ft.restore(clf, run)
    np.testing.assert_allclose(C.embed(clf, pixels["test"][0]), run.vectors["test"],
                               rtol=1e-4, atol=1e-5)
    assert run.row()["run"] == "x"


def test_train_rows_subset_and_scheme_runs(setup) -> None:
    clf, pixels, cache = setup
    recipe = C.Recipe(epochs=1, batch_size=12, patience=0)
    rows = r02.per_class_rows(pixels["train"][1], 5, seed=0)
    assert len(rows) == 15 and np.bincount(pixels["train"][1][rows]).tolist() == [5, 5, 5]
    like = page.finetune(clf, cache, CONFIGS["top"], recipe)
    runs = r02.scheme_runs(page.finetune, clf, cache, pixels, like, ("places", "own"), 5, 0)
    assert set(runs) == {"places", "own"}
    assert runs["own"].result.history["loss"] and runs["places"].result.history["loss"]
    assert clf.preprocess is scaled  # the classifier's own scheme is put back
    table = r02.scheme_rows("efficientnetb0", runs)
    assert table[0]["paper"] == pytest.approx(0.735879)


def test_supcon_finetune_runs_finite(setup) -> None:
    clf, _, cache = setup
    recipe = C.Recipe(optimizer="sgd", learning_rate=0.01, epochs=2, batch_size=12, seed=0)
    for loss in ("supcon", "margin"):
        run = page.contrastive_finetune(clf, cache, CONFIGS["top"], recipe, loss, probe_epochs=2)
        assert run.scores["loss_finite"] == 1.0 and np.isfinite(run.scores["test_top1"])
        assert 0.0 <= run.scores["test_accuracy"] <= 1.0
        assert run.hits["test_top1"].shape == (24,)
    with pytest.raises(KeyError, match="triplet"):
        page.contrastive_finetune(clf, cache, CONFIGS["top"], recipe, "triplet")


def test_reduce_dimension_rows() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 40)) * 3
    y = np.arange(90) % 3
    x = (centres[y] + rng.normal(size=(90, 40))).astype(np.float32)
    rows = r02.reduce_dimension(x[:60], x[60:], y[60:], dims=(8, 100), autoencoder_dims=(4,),
                                autoencoder_epochs=2)
    assert [(r["method"], r["dim"]) for r in rows] == [("none", 40), ("PCA", 8), ("PCA", 100),
                                                        ("AE (report 01)", 4)]
    assert rows[1]["top1"] > 0.9 and np.isnan(rows[2]["top1"]) and "skipped" in rows[2]["note"]
    assert r02.plot_dimension(rows) is not None


def test_gold_standard_is_the_reports_constant_not_another_notebooks_output() -> None:
    """gold_standard's successor: notebook 02 takes 0.783 from report 02's text (section 6.1.3),
    never from notebook 01's metrics file, so its numbers do not depend on run order."""
    from helpers.studies.jacobsen2021 import paper

    assert r02.GOLD_STANDARD == paper.GOLD_STANDARD == 0.783
    assert not hasattr(r02, "gold_standard")
    notebook = (Path(__file__).resolve().parents[1] / "notebooks"
                / "02_jacobsen_finetuning_supcon.ipynb").read_text()
    assert "r02.GOLD_STANDARD" in notebook and "gold_standard(" not in notebook
    # The claim's row: fine-tuned minus the gold standard (EfficientNetB0, table 8).
    assert paper.paper_for("finetuned_minus_gold_standard") == pytest.approx(0.776452 - 0.783)
    assert paper.paper_for("baseline_top1_resnet50") == 0.655529
    assert paper.paper_for("baseline_buggy_top1_resnet50") == 0.322
    assert paper.paper_for("baseline_top1_mobilenetv2") is None


def test_singleton_rates_and_small_tables() -> None:
    plain, balanced = r02.singleton_rates({"a": 65, "b": 64}, 64, epochs=5, seed=0)
    assert plain["last batch"] == 1 and balanced["last batch"] == 64
    assert plain["epochs with a singleton class"] == "5 of 5"  # a batch of one, every epoch
    assert balanced["epochs with a singleton class"] == "0 of 5"
    labels = np.array([0, 0, 1, 1, 2, 2])
    q = r02.gallery_queries(labels, 3, seed=0)
    assert sorted(labels[q].tolist()) == [0, 1, 2]
    vecs = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1], [1, 1], [1, 1.2]], np.float32)
    table = r02.intra_class_rows(("bathroom", "bedroom", "kitchen"), {"here": vecs}, labels)
    assert table[0][r02.REVISED] == 0.453 and table[-1]["room"] == "mean"
    assert 0 < table[0]["here"] < 0.01
    gap = r02.gap_rows("resnet50", 0.6, 0.7, 0.783)
    assert gap[1]["here"] == pytest.approx(0.183) and gap[1]["paper"] == pytest.approx(0.127471)


@pytest.mark.slow
@pytest.mark.parametrize("backbone", sorted(r02.LAYER_CONFIGS))
def test_paper_layer_configs_build(backbone: str) -> None:
    """The paper profile's backbones: every configuration resolves to layers and a cut."""
    clf = ft.build(page.softmax_classifier, page.unfreeze, backbone, 6, weights=None, image_size=64)
    for label, (groups, _, _) in r02.LAYER_CONFIGS[backbone].items():
        trained = ft.set_layers(clf, groups)
        assert trained, f"{backbone} {label}: no layer trains"
        cut = C.trainable_cut(clf)
        assert set(trained) <= {layer.name for layer in C.model.flat_layers(C.submodel(clf, cut))}
