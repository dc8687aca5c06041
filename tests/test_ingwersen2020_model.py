"""Notebook 01's own code, its `#@save` cells (generated into helpers.studies.ingwersen2020.saved):
the four preprocessing schemes, table 2's autoencoders and their training and evaluation calls;
then the grid, model choice and the baseline sweep that run them."""

from __future__ import annotations

import dataclasses
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from helpers import features, preprocessing, retrieval
from helpers.studies.ingwersen2020 import experiments, profile, saved
from helpers.studies.ingwersen2020 import grid as study

PAGE = study.PageCode(saved.AESpec, saved.train_autoencoder, saved.retrieval_hits)


def low_rank_data(n: int = 240, dim: int = 24, rank: int = 3, seed: int = 0):
    """Non-negative features driven by ``rank`` latent factors, labelled by the dominant one."""
    rng = np.random.default_rng(seed)
    z = rng.gamma(1.0, 1.0, size=(n, rank)).astype(np.float32)
    basis = rng.uniform(0, 1, size=(rank, dim)).astype(np.float32)
    x = z @ basis + 0.01 * rng.standard_normal((n, dim)).astype(np.float32)
    return np.maximum(x, 0), z.argmax(axis=1)


# --------------------------------------------------------------------------- schemes

_PIXELS = np.random.default_rng(0).integers(0, 256, size=(2, 8, 8, 3), dtype=np.uint8)


@pytest.mark.parametrize("backbone", ["mobilenetv2", "resnet50", "mobilenetv3small", "densenet121"])
@pytest.mark.parametrize("scheme", ["simple", "imagenet", "places", "imagenet_then_255_bug"])
def test_the_pages_schemes_compute_what_the_library_schemes_do(scheme, backbone) -> None:
    before = _PIXELS.copy()
    got = saved.SCHEMES[scheme](_PIXELS, backbone)
    np.testing.assert_array_equal(_PIXELS, before)  # the input is never changed
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, preprocessing.apply(scheme, _PIXELS, backbone=backbone),
                               rtol=1e-6, atol=1e-6)


def test_the_flawed_pipeline_squeezes_a_tf_mode_network_into_a_tiny_range() -> None:
    flawed = saved.flawed_scheme(_PIXELS, "mobilenetv2")
    assert np.abs(flawed).max() <= 1 / 255 + 1e-7  # [-1, 1] divided by 255 once more
    assert np.abs(saved.imagenet_scheme(_PIXELS, "mobilenetv2")).max() > 0.9


def test_the_feature_cache_names_a_page_scheme_by_what_it_computes() -> None:
    # An exact copy of a library scheme shares its cache entries; anything else gets its own.
    assert features.scheme_key(saved.imagenet_scheme, "mobilenetv2") == "imagenet"
    assert features.scheme_key(saved.places_scheme, "mobilenetv2") == "places"
    assert features.scheme_key(saved.simple_scheme, "resnet50") == "simple"
    assert features.scheme_key("places", "mobilenetv2") == "places"

    def edited(pixels, backbone):  # a student's change: the Places means in RGB order
        return np.asarray(pixels, np.float32) - saved.PLACES365_MEAN_BGR

    key = features.scheme_key(edited, "mobilenetv2")
    assert key.startswith("edited-") and key not in preprocessing.SCHEMES
    np.testing.assert_array_equal(features.preprocess(edited, _PIXELS, "mobilenetv2"),
                                  edited(_PIXELS, "mobilenetv2"))


# --------------------------------------------------------------------------- table 2's autoencoders


def test_spec_names_the_four_families_as_the_report_does() -> None:
    assert saved.AESpec((512,)).kind == "shallow" and saved.AESpec((512,)).name == "AE 512"
    assert saved.AESpec((512,), noise=0.3).kind == "denoising"
    assert saved.AESpec((2048, 1028)).kind == "deep"
    deep_noisy = saved.AESpec((2048, 1028), noise=0.5)
    assert deep_noisy.kind == "deep denoising" and deep_noisy.code_dim == 1028
    assert deep_noisy.name == "DDAE 2048-1028 noise 0.5"
    assert saved.AESpec((640,)).layers(1280) == "1280, 640"
    assert saved.AESpec([64], name="mine").name == "mine"
    with pytest.raises(ValueError, match="noise_type"):
        saved.AESpec((8,), noise_type="salt")


def test_build_mirrors_encoder_and_shares_weights() -> None:
    model, encoder = saved.build_autoencoder(32, saved.AESpec((16, 4)))
    widths = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [16, 4, 16, 32]
    assert encoder.output_shape == (None, 4)
    assert model.get_layer("reconstruction").activation.__name__ == "sigmoid"
    # The encoder is a view of the autoencoder: the same variables, not a copy.
    assert encoder.get_layer("code") is model.get_layer("code")


def test_noise_only_while_training() -> None:
    x = np.random.default_rng(0).uniform(size=(64, 32)).astype(np.float32)
    for noise_type in ("gaussian", "mask"):
        model, _ = saved.build_autoencoder(32, saved.AESpec((8,), 0.5, noise_type), seed=1)
        clean = model(x, training=False)
        np.testing.assert_allclose(clean, model(x, training=False))
        assert not np.allclose(clean, model(x, training=True))


def test_masking_noise_zeroes_a_fraction_and_keeps_the_rest() -> None:
    layer = saved.MaskingNoise(0.3, seed=3)
    x = np.ones((200, 50), np.float32)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(out)) <= {0.0, 1.0}  # no 1/(1-rate) rescaling, unlike Dropout
    assert abs((out == 0).mean() - 0.3) < 0.03
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)


def test_scaler_modes() -> None:
    x = np.array([[0.0, 2.0, 5.0], [4.0, 2.0, 1.0], [2.0, 2.0, 3.0]], np.float32)
    mm = saved.Scaler.fit(x, "minmax").transform(x)
    np.testing.assert_allclose(mm[:, 0], [0, 1, 0.5])
    np.testing.assert_allclose(mm[:, 1], 0)  # a constant dimension stays finite (0)
    np.testing.assert_allclose(saved.Scaler.fit(x, "max").transform(x), x / 5.0)
    np.testing.assert_allclose(saved.Scaler.fit(x, "none").transform(x), x)


def test_training_learns_a_code_better_than_the_mean_and_is_deterministic() -> None:
    x, _ = low_rank_data()
    recipe = saved.AE_RECIPE.replace(optimizer="adam", learning_rate=2e-2, epochs=40,
                                     batch_size=64, patience=40, seed=7)
    model = saved.train_autoencoder(x, saved.AESpec((3,)), recipe)
    scaled = model.scaler.transform(x)
    recon = keras.ops.convert_to_numpy(model.autoencoder(scaled, training=False))
    variance = float(np.mean((scaled - scaled.mean(axis=0)) ** 2))
    # A rank-3 signal through a 3-wide bottleneck: far better than predicting the mean.
    assert float(np.mean((recon - scaled) ** 2)) < 0.5 * variance
    assert model.encode(x).shape == (len(x), 3) and model.input_dim == x.shape[1]
    again = saved.train_autoencoder(x, saved.AESpec((3,)), recipe)
    np.testing.assert_array_equal(model.encode(x), again.encode(x))


def test_early_stopping_and_history() -> None:
    x, _ = low_rank_data(n=120)
    model = saved.train_autoencoder(x, saved.AESpec((4,)), saved.AE_RECIPE.replace(
        optimizer="sgd", learning_rate=1e-9, epochs=30, patience=2, seed=0))
    # A learning rate of 1e-9 cannot improve the loss by min_delta: it stops early.
    assert model.epochs_run < 30
    assert 1 <= model.best_epoch <= model.epochs_run
    assert len(model.history["val_loss"]) == model.epochs_run
    assert model.learning_rate == pytest.approx(1e-9)
    assert model.best_val_loss == pytest.approx(min(model.history["val_loss"]))


def test_retrieval_hits_are_each_images_loo_hit() -> None:
    x, y = low_rank_data(n=90, seed=2)
    hits = saved.retrieval_hits(None, {"test": (x, y)})
    assert set(hits) == {"test_top1", "test_top5"} and hits["test_top1"].shape == (90,)
    assert hits["test_top1"].mean() == pytest.approx(retrieval.loo_topk(x, y, ks=(1,))["top1"])
    halved = saved.retrieval_hits(lambda v: v[:, :12], {"val": (x, y)})
    assert halved["val_top5"].mean() == pytest.approx(
        retrieval.loo_topk(x[:, :12], y, ks=(5,))["top5"])


# --------------------------------------------------------------------------- grid


def test_paper_grid_keeps_the_report_widths_and_ratios() -> None:
    at_4096 = study.paper_grid(saved.AESpec, 4096, extra_noise=())
    assert [e.spec.hidden for e in at_4096] == [
        (3072,), (2048,), (512,), (128,), (1028,), (2048, 1028), (2048, 1028), (2048, 1028)]
    assert [e.spec.noise for e in at_4096] == [0, 0, 0, 0, 0.3, 0, 0.3, 0.5]
    assert at_4096[2].paper["val_top1"] == pytest.approx(0.783)  # the report's AE-512
    at_1280 = study.paper_grid(saved.AESpec, 1280)
    assert [e.spec.hidden for e in at_1280[:4]] == [(960,), (640,), (160,), (40,)]
    assert at_1280[5].spec.hidden == (640, 321)
    assert at_1280[-1].table == "(ours)" and at_1280[-1].spec.noise == 0.5
    assert at_1280[-1].paper == {}
    assert at_1280[2].compression == pytest.approx(8.0)
    assert study.scale_width(128, 16) == 2  # never a 0- or 1-wide bottleneck


def test_page_scores_are_the_means_of_its_hits() -> None:
    x, y = low_rank_data(n=120, dim=16, rank=3, seed=1)
    splits = {"test": (x[:60], y[:60]), "val": (x[60:], y[60:])}
    scores = PAGE.scores(None, splits)
    assert scores["val_top1"] == pytest.approx(retrieval.loo_topk(x[60:], y[60:], ks=(1,))["top1"])


def test_select_best() -> None:
    rows = [
        {"model": "wide", "code_dim": 64, "compression": 2.0, "val_top1": 0.8, "test_top1": 0.9},
        {"model": "tie", "code_dim": 16, "compression": 8.0, "val_top1": 0.7, "test_top1": 0.5},
        {"model": "small", "code_dim": 32, "compression": 4.0, "val_top1": 0.7, "test_top1": 0.6},
    ]
    assert study.select_best(rows)["model"] == "wide"  # by validation, not by test
    assert study.select_best(rows, min_compression=4)["model"] == "tie"  # tie -> smaller code
    assert study.select_best(rows, by="test_top1", min_compression=4)["model"] == "small"
    with pytest.raises(ValueError, match="16x"):
        study.select_best(rows, min_compression=16)


# --------------------------------------------------------------------------- experiments


def test_cap_per_class_is_seeded_and_stratified() -> None:
    labels = np.repeat([0, 1, 2], [10, 3, 7])
    keep = experiments.cap_per_class(labels, 4, seed=5)
    assert np.bincount(labels[keep]).tolist() == [4, 3, 4]
    np.testing.assert_array_equal(keep, experiments.cap_per_class(labels, 4, seed=5))
    np.testing.assert_array_equal(experiments.cap_per_class(labels, None, 0), np.arange(20))
    with pytest.raises(ValueError):
        experiments.cap_per_class(labels, 1, 0)


def test_split_table_matches_paper_table1_totals() -> None:
    from helpers import datasets

    images = datasets.split(datasets.load("places6", synthetic=True, seed=0, max_per_class=10),
                            datasets.DRE19, seed=0)
    frame, totals = experiments.split_table(images)
    assert [t["paper"] for t in totals] == [3310, 1071, 1077, 5458]  # as printed
    assert [t["paper rows summed"] for t in totals] == [3210, 1071, 1077, 5358]
    assert [t["here"] for t in totals] == [36, 12, 12, 60]
    assert set(frame["DRE19"]) == set(experiments.DRE19_TABLE1)


def test_findings_the_claims_are_judged_on() -> None:
    """experiments.verdict's successor: notebook 01 records findings, helpers.verdicts judges."""
    rows = [{"kind": "shallow", "val_top1": 0.70}, {"kind": "denoising", "val_top1": 0.68},
            {"kind": "deep", "val_top1": 0.71}]
    assert experiments.best_per_kind(rows) == {"shallow": 0.70, "denoising": 0.68, "deep": 0.71}
    assert experiments.shallow_best(rows) is False
    assert experiments.shallow_best(rows[:2]) is True
    assert experiments.shallow_best(rows[:1]) is None  # no other kind ran: nothing to beat

    class FakeSweep:
        rows = [{"backbone": "a", "weights": "pretrained"}, {"backbone": "b", "weights": "pretrained"},
                {"backbone": "c", "weights": "RANDOM init"}]

        def best_scheme(self, backbone):
            return {"a": "places", "b": "imagenet", "c": "simple"}[backbone]

    assert experiments.places_best(FakeSweep()) is False
    FakeSweep.rows = FakeSweep.rows[:1]
    assert experiments.places_best(FakeSweep()) is True
    FakeSweep.rows = [{"backbone": "c", "weights": "RANDOM init"}]
    assert experiments.places_best(FakeSweep()) is None


@pytest.mark.slow
def test_baseline_sweep_reuses_one_model_and_caps_random_init() -> None:
    from helpers import datasets

    images = datasets.split(datasets.load("places6", synthetic=True, seed=0, max_per_class=10),
                            datasets.DRE19, seed=0)
    splits = {"test": images.subset("test"), "val": images.subset("val")}
    plan = dataclasses.replace(profile.SMOKE, backbones=("mobilenetv2",),
                               schemes=("imagenet", "imagenet_then_255_bug"), weights=None,
                               image_size=32, batch_size=8, random_init_per_class=2)
    schemes = {s: saved.SCHEMES[s] for s in plan.schemes}
    sweep = experiments.baseline_sweep(splits, plan, schemes, saved.retrieval_hits,
                                       keep_models=["mobilenetv2"], seed=0, progress=None)
    assert [r["scheme"] for r in sweep.rows] == ["imagenet", "imagenet_then_255_bug"]
    assert all(r["weights"] == "RANDOM init" for r in sweep.rows)
    assert all(r["n_per_split"] == 12 for r in sweep.rows)  # 6 rooms x 2 (random init cap)
    assert sweep.best_scheme("mobilenetv2") == "imagenet"  # the flawed one is never chosen
    again = sweep.extract("mobilenetv2", sweep.subsets[("mobilenetv2", "test")], "imagenet",
                          image_size=32, batch_size=8)
    # The same model object, hence identical random weights and identical features.
    np.testing.assert_allclose(again, sweep.vectors[("mobilenetv2", "imagenet", "test")],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(KeyError, match="not kept"):
        sweep.extract("resnet50", splits["test"], "imagenet", 32)


def test_baseline_table_fits_the_notebook_and_keeps_the_notes_below() -> None:
    from helpers.studies.ingwersen2020 import tables

    hits = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1] * 3, dtype=float)
    row = {"backbone": "mobilenetv2", "tap": "avg", "weights": "pretrained", "dim": 1280,
           "n_per_split": 30, "test_top1": hits.mean(), "val_top1": 0.5, "test_top5": 0.9,
           "val_top5": 0.8, "note": ""}
    per_item = {"test_top1": hits}

    class FakeSweep:
        rows = [{**row, "scheme": "simple"},
                {**row, "scheme": "imagenet_then_255_bug", "note": "fell back to random weights"}]
        hits = {("mobilenetv2", "simple"): per_item,
                ("mobilenetv2", "imagenet_then_255_bug"): per_item}

    chance = {"backbone": "chance (random ranking)", "test_top1": 0.138, "val_top1": 0.138,
              "test_top5": 0.553, "val_top5": 0.553, "note": "measured: test top1 0.1 [0.0, 0.3]"}
    table, notes = tables.baseline_table(FakeSweep(), chance, seed=0)
    assert len(table.columns) <= 8 and "note" not in table.columns
    assert list(table["scheme"]) == ["simple", "flawed", "random ranking"]
    low, high = (float(x) for x in table["test top-1 [95 % CI]"][0].split("[")[1].rstrip("]").split(","))
    assert low < hits.mean() < high
    assert table["test top-1 [95 % CI]"][2] == "0.138"
    assert notes[0] == "mobilenetv2: fell back to random weights"
    assert "30 images per split" in notes[1] and notes[2].startswith("chance, measured")
