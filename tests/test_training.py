"""The one training loop: seeding, optimizers (the Adadelta fix), keep-best, NaN stop, history."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import config, training


def lr_of(optimizer: keras.optimizers.Optimizer) -> float:
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def small_model() -> keras.Model:
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    hidden = keras.layers.Dropout(0.2)(hidden)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))


def line_model() -> keras.Model:
    """y = w x with w starting at 0: where training takes w is known in advance."""
    inputs = keras.Input((1,))
    layer = keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros", name="w")
    return keras.Model(inputs, layer(inputs))


def toy(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5, 0.0], "float32"))[:, None]


class WeightsPerEpoch(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(float(self.model.get_layer("w").get_weights()[0][0, 0]))


# ------------------------------------------------------------------------------ optimizers


def test_adadelta_gets_the_keras_2_learning_rate_not_the_keras_3_default() -> None:
    assert lr_of(training.make_optimizer("adadelta")) == pytest.approx(1.0)
    assert lr_of(keras.optimizers.Adadelta()) == pytest.approx(1e-3)  # why the fix exists
    assert lr_of(training.Recipe(optimizer="adadelta").make_optimizer()) == pytest.approx(1.0)
    # A learning rate given is kept, Adadelta's too.
    assert lr_of(training.make_optimizer("Adadelta", 1e-3)) == pytest.approx(1e-3)
    assert isinstance(training.make_optimizer("adadelta"), keras.optimizers.Adadelta)


def test_the_factory_builds_each_optimizer_with_its_settings() -> None:
    sgd = training.make_optimizer("sgd", 0.05, momentum=0.9)
    assert isinstance(sgd, keras.optimizers.SGD)
    assert lr_of(sgd) == pytest.approx(0.05) and sgd.momentum == pytest.approx(0.9)
    adamw = training.make_optimizer("adamw", 1e-3, weight_decay=0.01)
    assert isinstance(adamw, keras.optimizers.AdamW)
    assert adamw.weight_decay == pytest.approx(0.01)
    adam = training.Recipe(optimizer="adam", clipnorm=1.0).make_optimizer()
    assert type(adam) is keras.optimizers.Adam and adam.clipnorm == pytest.approx(1.0)
    assert lr_of(adam) == pytest.approx(training.DEFAULT_LEARNING_RATES["adam"])


def test_an_unknown_optimizer_is_rejected_with_the_known_names() -> None:
    with pytest.raises(ValueError, match=r"optimizer must be one of .*'adadelta'.*got 'rmsprop'"):
        training.make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        training.Recipe(optimizer="rmsprop")


def test_a_recipe_rejects_impossible_settings() -> None:
    for bad in ({"epochs": 0}, {"batch_size": 0}, {"patience": -1}, {"mode": "up"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            training.Recipe(**bad)
    assert training.Recipe(epochs=3).replace(seed=5) == training.Recipe(epochs=3, seed=5)


# ------------------------------------------------------------------------------ seeding


def test_the_same_seed_gives_identical_weights_and_another_seed_does_not() -> None:
    x, y = toy()
    recipe = training.Recipe(epochs=3, batch_size=16, seed=11)
    first = training.fit(small_model, (x, y), recipe=recipe, loss="mse")
    keras.utils.set_random_seed(999)  # whatever ran in between does not matter
    second = training.fit(small_model, (x, y), recipe=recipe, loss="mse")
    other = training.fit(small_model, (x, y), recipe=recipe.replace(seed=12), loss="mse")
    for a, b in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert first.history == second.history
    assert not all(np.array_equal(a, b) for a, b in
                   zip(first.model.get_weights(), other.model.get_weights(), strict=True))


def test_fit_seeds_through_the_course_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = []
    real = config.seed_everything
    monkeypatch.setattr(config, "seed_everything", lambda s: (seeds.append(s), real(s)))
    x, y = toy(16)
    training.fit(small_model(), (x, y), recipe=training.Recipe(epochs=1, seed=23), loss="mse")
    assert seeds == [23]


# ------------------------------------------------------------------------------ keep-best, stop


def line_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    # Training pulls w towards 2, the validation targets want -2: every epoch is worse on
    # validation than the one before, so the first epoch is the best.
    x = np.linspace(-1, 1, 32, dtype="float32")[:, None]
    return (x, 2 * x), (x, -2 * x)


def test_keep_best_restores_the_best_epoch_and_patience_stops() -> None:
    train, val = line_data()
    seen = WeightsPerEpoch()
    recipe = training.Recipe(optimizer="sgd", learning_rate=0.05, epochs=10, batch_size=8,
                             patience=2)
    run = training.fit(line_model, train, val, recipe, loss="mse", callbacks=[seen])
    assert run.epochs_run == 3 and run.stopped_early and not run.stopped_on_nan
    assert run.best_epoch == 1 and run.monitor == "val_loss"
    assert run.best == pytest.approx(run.history["val_loss"][0])
    assert seen.weights[0] < seen.weights[1] < seen.weights[2]  # it kept moving away
    assert float(run.model.get_layer("w").get_weights()[0][0, 0]) == pytest.approx(seen.weights[0])
    assert len(run.epoch_seconds) == 3 and run.seconds > 0


def test_without_keep_best_the_last_epoch_stays_and_patience_0_never_stops() -> None:
    train, val = line_data()
    seen = WeightsPerEpoch()
    recipe = training.Recipe(optimizer="sgd", learning_rate=0.05, epochs=4, batch_size=8,
                             keep_best=False)
    run = training.fit(line_model, train, val, recipe, loss="mse", callbacks=[seen])
    assert run.epochs_run == 4 and not run.stopped_early
    assert run.best_epoch == 4 and run.best is None and run.monitor is None
    assert float(run.model.get_layer("w").get_weights()[0][0, 0]) == pytest.approx(seen.weights[-1])
    kept = training.fit(line_model, train, val, recipe.replace(keep_best=True), loss="mse")
    assert kept.epochs_run == 4 and kept.best_epoch == 1  # kept the best, ran every epoch


def test_a_val_monitor_falls_back_to_the_training_loss_without_validation() -> None:
    train, _ = line_data()
    run = training.fit(line_model, train, None, training.Recipe(optimizer="sgd", epochs=3),
                       loss="mse")
    assert run.monitor == "loss" and "val_loss" not in run.history
    assert run.best == pytest.approx(min(run.history["loss"]))


def test_a_nan_loss_stops_training() -> None:
    x, y = toy(32)

    def nan_loss(y_true, y_pred):
        return keras.ops.log(keras.ops.mean(y_pred) * 0.0 - 1.0)  # log of -1: NaN

    run = training.fit(small_model, (x, y), recipe=training.Recipe(epochs=5, batch_size=8,
                                                                   keep_best=False),
                       loss=nan_loss)
    assert run.stopped_on_nan and run.stopped_early
    assert run.epochs_run == 1 and np.isnan(run.history["loss"][0])
    fine = training.fit(small_model, (x, y), recipe=training.Recipe(epochs=2), loss="mse")
    assert not fine.stopped_on_nan and fine.epochs_run == 2


def test_a_pydataset_batches_itself_and_metrics_reach_the_history() -> None:
    x, y = toy(40)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 10:(i + 1) * 10], y[i * 10:(i + 1) * 10]

    run = training.fit(small_model, Batches(), Batches(), training.Recipe(epochs=2), loss="mse",
                       metrics=["mae"])
    assert set(run.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert run.trainable_params == 4 * 8 + 8 + 8 + 1


def test_many_steps_per_call_train_the_same_weights(monkeypatch) -> None:
    """Several steps per graph call (TensorFlow, no caller callbacks) change nothing but
    speed: same batches, same order, same early-stopping epoch, same weights."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((150, 6)).astype("float32"), rng.integers(0, 3, 150)
    val = (x[:30], y[:30])

    def build() -> keras.Model:
        return keras.Sequential([keras.Input((6,)), keras.layers.Dropout(0.2),
                                 keras.layers.Dense(3, activation="softmax")])

    recipe = training.Recipe(epochs=4, batch_size=16, patience=2, seed=5)  # 10 steps / epoch
    runs = {}
    for steps in (1, 4):  # 4 does not divide the 10 steps of an epoch: a short last call
        monkeypatch.setattr(training, "STEPS_PER_EXECUTION", steps)
        runs[steps] = training.fit(build, (x, y), val, recipe,
                                   loss="sparse_categorical_crossentropy")
    if keras.backend.backend() == "tensorflow":
        assert runs[4].model.steps_per_execution == 4
    assert runs[1].history == runs[4].history and runs[1].best_epoch == runs[4].best_epoch
    for a, b in zip(runs[1].model.get_weights(), runs[4].model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_callers_callback_keeps_one_step_per_call() -> None:
    x = np.zeros((4, 2), "float32")
    assert training.steps_per_execution(x, [keras.callbacks.Callback()]) == 1
    expected = training.STEPS_PER_EXECUTION if keras.backend.backend() == "tensorflow" else 1
    assert training.steps_per_execution(x, []) == expected
