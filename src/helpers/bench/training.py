"""How close the course's training loop runs to the floor of the work it does.

Most of the standard run's time is small dense models trained on cached features (notebook
01's autoencoder grid, 03's heads, 05's rankers). Whether that time can shrink without doing
less work (fewer seeds, epochs or grid entries) depends on how far :func:`helpers.training.fit`
is from what the arithmetic of one step costs. Three timings of one training step of notebook
01's costliest grid entry (``AE 960``: 1280 -> 960 -> 1280, ReLU then sigmoid, MSE, Adam,
batch 32), on the same machine:

``fit``       notebook 01's ``train_autoencoder`` (its ``#@save`` cell, so
              :func:`helpers.training.fit`), seconds
              per step over whole epochs (validation, callbacks and early stopping included);
``numpy``     the same step written out in NumPy (forward, backward, Adam), single-threaded
              elementwise, BLAS matrix products: what a hand-written loop would cost;
``matmul``    only the step's five matrix products in NumPy's BLAS: a lower bound for any
              implementation of this step on this CPU (it leaves out every elementwise op).

``fit / matmul`` is the most any change to the training loop could gain on this model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.bench import best_time

#: Notebook 01's costliest autoencoder: MobileNetV2's 1280-d features, a 960-d code.
AE_WIDTHS = (1280, 960)


def _adam(param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int,
          lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    rate = lr * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    param -= rate * m / (np.sqrt(v) + eps)


def ae_loss_and_gradients(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray,
                          b2: np.ndarray) -> tuple[float, tuple[np.ndarray, ...]]:
    """MSE of the one-hidden-layer autoencoder (ReLU, sigmoid output) on ``x`` and its
    gradients with respect to (w1, b1, w2, b2), written out by hand."""
    hidden = np.maximum(x @ w1 + b1, 0.0)
    y = 1.0 / (1.0 + np.exp(-(hidden @ w2 + b2)))
    loss = float(np.mean((y - x) ** 2))
    dz2 = (2.0 / y.size) * (y - x) * y * (1.0 - y)
    dz1 = (dz2 @ w2.T) * (hidden > 0)
    return loss, (x.T @ dz1, dz1.sum(0), hidden.T @ dz2, dz2.sum(0))


def numpy_step(widths: Sequence[int] = AE_WIDTHS, batch: int = 32, steps: int = 40,
               repeats: int = 3, seed: int = 0) -> tuple[float, float]:
    """Seconds per step of the autoencoder written out in NumPy: (full step, products only)."""
    d, h = (int(w) for w in widths)
    rng = np.random.default_rng(seed)
    x = rng.random((batch, d), dtype=np.float32)
    params = ((rng.standard_normal((d, h)) * 0.02).astype(np.float32), np.zeros(h, np.float32),
              (rng.standard_normal((h, d)) * 0.02).astype(np.float32), np.zeros(d, np.float32))
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]

    def full() -> None:
        for step in range(1, steps + 1):
            _, grads = ae_loss_and_gradients(x, *params)
            for p, g, (m, v) in zip(params, grads, moments, strict=True):
                _adam(p, g, m, v, step)

    w1, _, w2, _ = params
    hidden, dz2 = np.maximum(x @ w1, 0.0), rng.random((batch, d), dtype=np.float32)

    def products() -> None:  # forward x@w1, h@w2; backward dz2@w2.T, h.T@dz2, x.T@dz1
        for _ in range(steps):
            x @ w1
            hidden @ w2
            dz1 = dz2 @ w2.T
            hidden.T @ dz2
            x.T @ dz1

    rounds = max(1, int(repeats))
    return best_time(full, rounds)[0] / steps, best_time(products, rounds)[0] / steps


def fit_step(widths: Sequence[int] = AE_WIDTHS, rows: int = 1440, batch: int = 32,
             epochs: int = 8, seed: int = 0) -> tuple[float, int]:
    """Seconds per step of notebook 01's ``train_autoencoder`` (10 % held out to validate, as
    the notebook), after one warm-up training; and the steps it timed."""
    from helpers.studies.ingwersen2020.saved import AE_RECIPE, AESpec, train_autoencoder

    d, h = (int(w) for w in widths)
    x = np.random.default_rng(seed).random((rows, d), dtype=np.float32)
    spec = AESpec(hidden=(h,))
    recipe = AE_RECIPE.replace(optimizer="adam", epochs=int(epochs), batch_size=int(batch),
                               patience=0, seed=seed)
    train_autoencoder(x, spec, recipe.replace(epochs=1), scaling="max")  # trace once
    model = train_autoencoder(x, spec, recipe, scaling="max")
    train_rows = rows - max(1, int(round(rows * 0.1)))
    steps = int(model.epochs_run) * -(-train_rows // int(batch))
    return model.seconds / steps, steps


def bench_training(epochs: int = 8, repeats: int = 3, seed: int = 0,
                   widths: Sequence[int] = AE_WIDTHS, rows: int = 1440) -> dict:
    """The three timings above (ms per step) and the ratios between them."""
    fit_s, steps = fit_step(widths, rows=rows, epochs=epochs, seed=seed)
    numpy_s, matmul_s = numpy_step(widths, repeats=repeats, seed=seed)
    d, h = widths
    return {"model": f"AE {d} -> {h} -> {d}, batch 32, Adam",
            "fit_ms": fit_s * 1e3, "numpy_ms": numpy_s * 1e3, "matmul_ms": matmul_s * 1e3,
            "fit_steps": steps, "fit_over_numpy": fit_s / numpy_s,
            "fit_over_matmul": fit_s / matmul_s}


def format_training(row: dict) -> str:
    return "\n".join([
        f"| one training step of {row['model']} | ms | fit / this |", "|---|---:|---:|",
        f"| helpers.training.fit (over {row['fit_steps']} steps) | {row['fit_ms']:.2f} | 1.00 |",
        f"| the same step in NumPy | {row['numpy_ms']:.2f} | {row['fit_over_numpy']:.2f} |",
        f"| its five matrix products alone | {row['matmul_ms']:.2f} | "
        f"{row['fit_over_matmul']:.2f} |"])
