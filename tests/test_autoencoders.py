"""Unit tests of helpers.autoencoders: specs, models, noise, scaling, training, the grid."""

from __future__ import annotations

import dataclasses
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from helpers import autoencoders as ae
from helpers.studies.ingwersen2020 import experiments, profile
from helpers.studies.ingwersen2020 import grid as study


def loo_top1(vectors: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """NumPy reference scorer: cosine leave-one-out top-1 (kept independent of retrieval)."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    return {"top1": float((labels[sim.argmax(axis=1)] == labels).mean())}


def low_rank_data(n: int = 240, dim: int = 24, rank: int = 3, seed: int = 0):
    """Non-negative features driven by ``rank`` latent factors, labelled by the dominant one."""
    rng = np.random.default_rng(seed)
    z = rng.gamma(1.0, 1.0, size=(n, rank)).astype(np.float32)
    basis = rng.uniform(0, 1, size=(rank, dim)).astype(np.float32)
    x = z @ basis + 0.01 * rng.standard_normal((n, dim)).astype(np.float32)
    return np.maximum(x, 0), z.argmax(axis=1)


# --------------------------------------------------------------------------- AESpec


def test_spec_kinds_names_and_code_dim() -> None:
    assert ae.AESpec(hidden=(512,)).kind == "shallow"
    assert ae.AESpec(hidden=(512,), noise=0.3).kind == "denoising"
    assert ae.AESpec(hidden=(2048, 1028)).kind == "deep"
    deep_noisy = ae.AESpec(hidden=(2048, 1028), noise=0.5)
    assert deep_noisy.kind == "deep denoising"
    assert deep_noisy.code_dim == 1028
    assert deep_noisy.name == "DDAE 2048-1028 noise 0.5"
    assert ae.AESpec(hidden=(640,)).layers(1280) == "1280, 640"
    assert ae.AESpec(hidden=[64], name="mine").name == "mine"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden": ()},
        {"hidden": (0,)},
        {"hidden": (8,), "noise": -0.1},
        {"hidden": (8,), "noise": float("nan")},
        {"hidden": (8,), "noise": 1.0, "noise_type": "mask"},
        {"hidden": (8,), "noise_type": "salt"},
    ],
)
def test_spec_rejects_bad_input(kwargs) -> None:
    with pytest.raises(ValueError):
        ae.AESpec(**kwargs)


# --------------------------------------------------------------------------- model


def test_build_mirrors_encoder_and_shares_weights() -> None:
    model, encoder = ae.build(32, ae.AESpec(hidden=(16, 4)))
    widths = [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert widths == [16, 4, 16, 32]
    assert encoder.output_shape == (None, 4)
    # The encoder is a view of the autoencoder: the same variables, not a copy.
    assert encoder.get_layer("code") is model.get_layer("code")


def test_noise_only_while_training() -> None:
    x = np.random.default_rng(0).uniform(size=(64, 32)).astype(np.float32)
    for noise_type in ae.NOISE_TYPES:
        model, _ = ae.build(32, ae.AESpec(hidden=(8,), noise=0.5, noise_type=noise_type), seed=1)
        clean = model(x, training=False)
        np.testing.assert_allclose(clean, model(x, training=False))
        assert not np.allclose(clean, model(x, training=True))


def test_masking_noise_zeroes_a_fraction_and_keeps_the_rest() -> None:
    layer = ae.MaskingNoise(0.3, seed=3)
    x = np.ones((200, 50), np.float32)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(out)) <= {0.0, 1.0}  # no 1/(1-rate) rescaling, unlike Dropout
    assert abs((out == 0).mean() - 0.3) < 0.03
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)


def test_optimizers_and_the_keras_default_gap() -> None:
    lr = float(keras.ops.convert_to_numpy(ae.make_optimizer("adadelta").learning_rate))
    assert lr == pytest.approx(1.0)  # the report's (Keras 2) Adadelta
    keras_default = float(keras.ops.convert_to_numpy(keras.optimizers.Adadelta().learning_rate))
    assert keras_default == pytest.approx(1e-3)  # why DEFAULT_LEARNING_RATES exists
    adam = ae.make_optimizer("Adam", 5e-4)
    assert isinstance(adam, keras.optimizers.Adam)
    assert float(keras.ops.convert_to_numpy(adam.learning_rate)) == pytest.approx(5e-4)
    with pytest.raises(ValueError, match="optimizer"):
        ae.make_optimizer("rmsprop")


# --------------------------------------------------------------------------- scaling


def test_scaler_modes() -> None:
    x = np.array([[0.0, 2.0, 5.0], [4.0, 2.0, 1.0], [2.0, 2.0, 3.0]], np.float32)
    mm = ae.Scaler.fit(x, "minmax").transform(x)
    np.testing.assert_allclose(mm[:, 0], [0, 1, 0.5])
    np.testing.assert_allclose(mm[:, 1], 0)  # a constant dimension stays finite (0)
    np.testing.assert_allclose(ae.Scaler.fit(x, "max").transform(x), x / 5.0)
    np.testing.assert_allclose(ae.Scaler.fit(x, "none").transform(x), x)


def test_scaler_rejects_bad_input() -> None:
    scaler = ae.Scaler.fit(np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="expected 4 features"):
        scaler.transform(np.ones((2, 5), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        ae.Scaler.fit(np.array([[1.0, np.nan]], np.float32))
    with pytest.raises(ValueError, match="non-empty"):
        ae.Scaler.fit(np.ones((0, 4), np.float32))
    with pytest.raises(ValueError, match="scaling"):
        ae.Scaler.fit(np.ones((3, 4), np.float32), "zscore")


# --------------------------------------------------------------------------- training


def test_training_learns_a_low_rank_code_and_is_deterministic() -> None:
    x, _ = low_rank_data()
    kwargs = {"optimizer": "adam", "learning_rate": 2e-2, "epochs": 15, "batch_size": 64,
              "patience": 15, "seed": 7}
    model = ae.train(x, ae.AESpec(hidden=(3,), output_activation="linear"), ae.AE_RECIPE.replace(**kwargs))
    scaled = model.scaler.transform(x)
    variance = float(np.mean((scaled - scaled.mean(axis=0)) ** 2))
    # A rank-3 signal through a 3-wide bottleneck: far better than predicting the mean.
    assert model.reconstruction_mse(x) < 0.2 * variance
    assert model.encode(x).shape == (len(x), 3)
    again = ae.train(x, ae.AESpec(hidden=(3,), output_activation="linear"), ae.AE_RECIPE.replace(**kwargs))
    np.testing.assert_array_equal(model.encode(x), again.encode(x))


def test_early_stopping_and_history() -> None:
    x, _ = low_rank_data(n=120)
    model = ae.train(x, ae.AESpec(hidden=(4,)), ae.AE_RECIPE.replace(
        optimizer="sgd", learning_rate=1e-9, epochs=30, patience=2, seed=0))
    # A learning rate of 1e-9 cannot improve the loss by min_delta: it stops early.
    assert model.epochs_run < 30
    assert 1 <= model.best_epoch <= model.epochs_run
    assert len(model.history["val_loss"]) == model.epochs_run
    assert model.learning_rate == pytest.approx(1e-9)


def test_training_rejects_bad_arguments() -> None:
    x, _ = low_rank_data(n=10)
    with pytest.raises(ValueError, match="too few"):
        ae.train(x[:1], ae.AESpec(hidden=(2,)), ae.AE_RECIPE.replace(epochs=1))
    with pytest.raises(ValueError, match="epochs"):
        ae.train(x, ae.AESpec(hidden=(2,)), ae.AE_RECIPE.replace(epochs=0))


# --------------------------------------------------------------------------- grid


def test_paper_grid_keeps_the_report_widths_and_ratios() -> None:
    at_4096 = study.paper_grid(4096, extra_noise=())
    assert [e.spec.hidden for e in at_4096] == [
        (3072,), (2048,), (512,), (128,), (1028,), (2048, 1028), (2048, 1028), (2048, 1028)]
    assert [e.spec.noise for e in at_4096] == [0, 0, 0, 0, 0.3, 0, 0.3, 0.5]
    assert at_4096[2].paper["val_top1"] == pytest.approx(0.783)  # the report's AE-512
    at_1280 = study.paper_grid(1280)
    assert [e.spec.hidden for e in at_1280[:4]] == [(960,), (640,), (160,), (40,)]
    assert at_1280[5].spec.hidden == (640, 321)
    assert at_1280[-1].table == "(ours)" and at_1280[-1].spec.noise == 0.5
    assert at_1280[-1].paper == {}
    assert at_1280[2].compression == pytest.approx(8.0)
    assert study.scale_width(128, 16) == 2  # never a 0- or 1-wide bottleneck


def test_run_grid_scores_codes_and_select_best_uses_validation() -> None:
    x, y = low_rank_data(n=300, dim=16, rank=3, seed=1)
    splits = {"test": (x[200:250], y[200:250]), "val": (x[250:], y[250:])}
    specs = [ae.AESpec(hidden=(8,)), ae.AESpec(hidden=(3,), noise=0.1)]
    rows, models = study.run_grid(specs, x[:200], splits, optimizers=("adam",), scorer=loo_top1,
                               recipe=ae.AE_RECIPE.replace(epochs=5, batch_size=32, seed=0))
    assert [r["model"] for r in rows] == [s.name for s in specs]
    assert set(models) == {(s.name, "adam") for s in specs}
    assert rows[1]["compression"] == pytest.approx(16 / 3)
    assert rows[1]["kind"] == "denoising"
    for row in rows:
        assert 0.0 <= row["test_top1"] <= 1.0 and 0.0 <= row["val_top1"] <= 1.0
    baseline = study.score_splits(None, splits, loo_top1)
    assert baseline["test_top1"] == pytest.approx(loo_top1(*splits["test"])["top1"])


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
    sweep = experiments.baseline_sweep(splits, plan, keep_models=["mobilenetv2"], seed=0,
                                       scorer=loo_top1, progress=None)
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
