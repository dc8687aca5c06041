"""Notebook 02's contrastive losses and model (its page, saved.py) against NumPy references;
helpers.metric_learning.samplers; NaN-free training."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.special import logsumexp  # noqa: E402

from helpers.metric_learning import samplers as C  # noqa: E402
from helpers.studies.jacobsen2021 import saved as S  # noqa: E402


def supcon_reference(features: np.ndarray, labels: np.ndarray, t: float, t_base: float,
                     guard: bool = True) -> float:
    """Khosla et al. eq. 2 written as loops over anchors and positives, in float64."""
    f = features if features.ndim == 3 else features[:, None, :]
    n, v, _ = f.shape
    z = np.concatenate([f[:, k] for k in range(v)]).astype(np.float64)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    y = np.concatenate([labels] * v)
    sim = z @ z.T / t
    losses = []
    for i in range(len(z)):
        others = [a for a in range(len(z)) if a != i]
        log_den = logsumexp(sim[i, others])
        pos = [p for p in others if y[p] == y[i]]
        if not pos:
            if guard:
                continue
            losses.append(np.nan)
            continue
        losses.append(-(t / t_base) * np.mean([sim[i, p] - log_den for p in pos]))
    return float(np.mean(losses)) if losses else 0.0


def margin_reference(emb: np.ndarray, labels: np.ndarray, margin: float) -> float:
    """Hadsell et al. over every pair i < j, in float64."""
    e = emb.astype(np.float64)
    vals = []
    for i in range(len(e)):
        for j in range(i + 1, len(e)):
            d = np.linalg.norm(e[i] - e[j])
            vals.append(d**2 if labels[i] == labels[j] else max(margin - d, 0.0) ** 2)
    return float(np.mean(vals))


@pytest.mark.parametrize("views", [1, 2, 3])
@pytest.mark.parametrize("temperature", [0.1, 0.5])
def test_supcon_matches_numpy_reference(views: int, temperature: float) -> None:
    rng = np.random.default_rng(views)
    labels = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 3])
    shape = (len(labels), views, 8) if views > 1 else (len(labels), 8)
    f = rng.normal(size=shape).astype(np.float32)
    got = float(S.supcon_loss(f, labels, temperature))
    want = supcon_reference(f, labels, temperature, temperature)
    assert got == pytest.approx(want, rel=1e-4, abs=1e-5)


def test_supcon_singleton_class_guarded_vs_unguarded() -> None:
    """Class 2 appears once: with one view it has no positive."""
    rng = np.random.default_rng(1)
    labels = np.array([0, 0, 0, 1, 1, 2])
    f = rng.normal(size=(6, 5)).astype(np.float32)
    guarded = float(S.supcon_loss(f, labels, 0.1))
    assert np.isfinite(guarded)
    assert guarded == pytest.approx(supcon_reference(f, labels, 0.1, 0.1), rel=1e-4)
    assert np.isnan(float(S.supcon_loss(f, labels, 0.1, guard=False)))
    # Two views: the singleton's other view is its positive, so even the unguarded loss is fine.
    f2 = rng.normal(size=(6, 2, 5)).astype(np.float32)
    assert np.isfinite(float(S.supcon_loss(f2, labels, 0.1, guard=False)))
    assert float(S.supcon_loss(f2, labels, 0.1)) == pytest.approx(
        supcon_reference(f2, labels, 0.1, 0.1), rel=1e-4)


def test_supcon_all_singletons_is_zero_not_nan() -> None:
    f = np.eye(4, dtype=np.float32)
    assert float(S.supcon_loss(f, np.arange(4), 0.1)) == 0.0


def test_supcon_stable_at_tiny_temperature() -> None:
    """exp(1/0.001) overflows float32; the max-shifted log-sum-exp does not."""
    rng = np.random.default_rng(2)
    labels = np.array([0, 0, 1, 1])
    f = rng.normal(size=(4, 2, 3)).astype(np.float32)
    value = float(S.supcon_loss(f, labels, 0.001))
    assert np.isfinite(value)
    assert value == pytest.approx(supcon_reference(f, labels, 0.001, 0.001), rel=1e-3)


@pytest.mark.parametrize("views", [1, 2])
def test_margin_loss_matches_numpy_reference(views: int) -> None:
    rng = np.random.default_rng(3)
    labels = np.array([0, 0, 1, 1, 2])
    f = rng.normal(size=(5, views, 4) if views > 1 else (5, 4)).astype(np.float32) * 0.4
    flat = f if views == 1 else np.concatenate([f[:, k] for k in range(views)])
    want = margin_reference(flat, np.concatenate([labels] * views), margin=1.0)
    assert float(S.margin_contrastive_loss(f, labels, 1.0)) == pytest.approx(want, rel=1e-4)


def _fit_margin(guard: bool) -> tuple[list[float], bool]:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 12)).astype(np.float32), rng.integers(0, 4, 64)
    model = keras.Sequential([keras.Input((12,)), keras.layers.Dense(8)])
    model.compile(keras.optimizers.SGD(0.01), loss=lambda y, z: S.margin_contrastive_loss(z, y, guard=guard))
    hist = model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
    return hist.history["loss"], all(np.isfinite(w).all() for w in model.get_weights())


def test_margin_loss_unguarded_sqrt_breaks_training_and_guard_fixes_it() -> None:
    """The report's loss: sqrt over the square distance matrix gives NaN gradients."""
    losses, finite = _fit_margin(guard=False)
    assert not finite and np.isnan(losses[-1])
    losses, finite = _fit_margin(guard=True)
    assert finite and all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_plain_batches_cover_epoch_once() -> None:
    batches = C.plain_batches(130, 64, seed=1)
    assert [len(b) for b in batches] == [64, 64, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(130))
    assert [len(b) for b in C.plain_batches(130, 64, drop_remainder=True)] == [64, 64]


def test_balanced_batches_every_class_at_least_twice() -> None:
    labels = np.array([0] * 50 + [1] * 7 + [2] * 3 + [3] * 40)
    batches = C.balanced_batches(labels, 16, seed=0)
    assert len(batches) == int(np.ceil(len(labels) / 16))
    for b in batches:
        counts = np.bincount(labels[b], minlength=4)
        assert len(b) == 16 and counts.min() >= 2
        # Repeats only where a class is smaller than its quota of 4 (class 2 has 3 items).
        for c in (0, 1, 3):
            members = b[labels[b] == c]
            assert len(set(members.tolist())) == len(members)
    assert C.singleton_batches(batches, labels) == 0
    # Deterministic from the seed, different across seeds.
    again = C.balanced_batches(labels, 16, seed=0)
    assert all((a == b).all() for a, b in zip(batches, again, strict=True))
    assert any((a != b).any() for a, b in zip(batches, C.balanced_batches(labels, 16, seed=1),
                                              strict=True))


def test_balanced_batches_more_classes_than_fit() -> None:
    labels = np.repeat(np.arange(10), 5)
    for b in C.balanced_batches(labels, 8, seed=3):
        counts = np.bincount(labels[b])
        assert set(counts[counts > 0].tolist()) == {2}


def test_balanced_batches_rejects_unpairable_class() -> None:
    with pytest.raises(ValueError, match="fewer than 2"):
        C.balanced_batches([0, 0, 1], 4)


def test_plain_sampler_shows_singletons() -> None:
    labels = np.repeat(np.arange(6), 11)  # 66 items, batch 64: last batch holds 2
    batches = C.plain_batches(len(labels), 64, seed=0)
    assert C.singleton_batches(batches, labels) >= 1 or len(set(labels[batches[-1]])) == 1


def _two_view_stream(sampler: str, labels: np.ndarray) -> C.ViewBatches:
    rng = np.random.default_rng(5)
    copies = rng.normal(size=(3, len(labels), 10)).astype(np.float32)
    return C.ViewBatches(copies, labels, batch_size=8, views=2, sampler=sampler, seed=0)


def test_view_batches_shapes_and_distinct_views() -> None:
    labels = np.repeat(np.arange(4), 6)
    stream = _two_view_stream("balanced", labels)
    x, y = stream[0]
    assert x.shape == (8, 2, 10) and y.shape == (8,)
    assert not np.allclose(x[:, 0], x[:, 1])
    assert stream.singletons == 0


def test_supcon_training_no_nan_with_singleton_stream() -> None:
    """A plain sampler over data with a one-image class: singleton batches every epoch."""
    keras.utils.set_random_seed(0)
    labels = np.array([0] * 9 + [1] * 9 + [2] * 9 + [3])
    stream = _two_view_stream("plain", labels)
    assert stream.singletons > 0  # the stream really has singleton classes
    encoder = keras.Sequential([keras.Input((10,)), keras.layers.Dense(16, activation="relu")])
    model = S.projection_model(encoder, projection_dim=4)
    model.compile(keras.optimizers.Adam(1e-2), loss=lambda y, z: S.supcon_loss(z, y, 0.1))
    hist = model.fit(stream, epochs=3, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(hist.history["loss"]) == 3 and np.isfinite(hist.history["loss"]).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())
    # One view, unguarded: the same stream is NaN at once (the report's failure).
    one_view = S.projection_model(keras.Sequential([keras.Input((10,)), keras.layers.Dense(4)]),
                                  projection_dim=4, views=1)
    one_view.compile(keras.optimizers.Adam(1e-2), loss=lambda y, z: S.supcon_loss(z, y, 0.1, guard=False))
    stream1 = C.ViewBatches(stream.copies, labels, batch_size=8, views=1, sampler="plain")
    losses = [float(S.supcon_loss(one_view.predict(stream1[i][0], verbose=0), stream1[i][1],
                                  guard=False)) for i in range(len(stream1))]
    assert np.isnan(losses).any()


def test_projection_model_shapes() -> None:
    encoder = keras.Sequential([keras.Input((3, 3, 2)), keras.layers.Flatten(),
                                keras.layers.Dense(5)])
    model = S.projection_model(encoder, projection_dim=7, views=2)
    out = model.predict(np.zeros((4, 2, 3, 3, 2), np.float32), verbose=0)
    assert out.shape == (4, 2, 7)
