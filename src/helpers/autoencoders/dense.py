"""Dense autoencoders over feature vectors: specification, model, scaling, training.

The report's method (Ingwersen 2020): pass images through a pretrained network to a feature
layer, train an autoencoder (unsupervised, MSE) to reproduce those feature vectors, then use
the bottleneck (the encoder's output) as the new, smaller image descriptor for retrieval.

Four families, all built by :func:`build` from one :class:`AESpec`:

* shallow AE: ``d -> k -> d``                         (``AESpec(hidden=(k,))``)
* denoising AE: the same, input corrupted in training (``noise=0.3``)
* deep AE: ``d -> h -> k -> h -> d``                  (``hidden=(h, k)``)
* deep denoising AE: deep + noise.

Corruption is a Keras layer that is active only while training, so the loss always compares
the reconstruction with the *clean* input, as a denoising AE must.

Training goes through :func:`helpers.training.fit` with :data:`AE_RECIPE` (Adadelta as the
report). The report used Adadelta through standalone Keras 2, whose default learning rate was
1.0; Keras 3's ``Adadelta()`` defaults to 0.001, with which these models barely move in the
report's epoch budget: :data:`helpers.training.DEFAULT_LEARNING_RATES` restores 1.0.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import ops  # noqa: E402

from helpers import training  # noqa: E402
from helpers.training import DEFAULT_LEARNING_RATES, make_optimizer  # noqa: E402, F401

#: The report's training: Adadelta (learning rate 1.0, see the module docstring), MSE, early
#: stopping on the validation MSE with the best weights restored.
AE_RECIPE = training.Recipe(optimizer="adadelta", epochs=60, batch_size=32, patience=10,
                            min_delta=1e-6, seed=42)
NOISE_TYPES = ("gaussian", "mask")
SCALINGS = ("minmax", "max", "none")


# --------------------------------------------------------------------------- specification


@dataclass(frozen=True)
class AESpec:
    """One dense autoencoder: encoder widths (bottleneck last), input noise, activations.

    ``noise`` is the report's "noise factor": for ``noise_type="gaussian"`` the standard
    deviation of additive N(0, 1) noise on the scaled ([0, 1]) features, as in the Keras-blog
    denoising AE the report's code followed; for ``"mask"`` the fraction of inputs zeroed
    (Vincent et al. 2008, the corruption the report's theory section describes).
    """

    hidden: tuple[int, ...]
    noise: float = 0.0
    noise_type: str = "gaussian"
    activation: str = "relu"
    output_activation: str = "sigmoid"
    name: str = ""

    def __post_init__(self) -> None:
        hidden = tuple(int(h) for h in self.hidden)
        if not hidden or any(h < 1 for h in hidden):
            raise ValueError(f"hidden widths must be positive integers, got {self.hidden!r}")
        if self.noise_type not in NOISE_TYPES:
            raise ValueError(f"noise_type must be one of {NOISE_TYPES}, got {self.noise_type!r}")
        if not np.isfinite(self.noise) or self.noise < 0:
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise}")
        if self.noise_type == "mask" and self.noise >= 1:
            raise ValueError(f"mask noise is a fraction in [0, 1), got {self.noise}")
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "noise", float(self.noise))
        if not self.name:
            object.__setattr__(self, "name", self.default_name())

    @property
    def code_dim(self) -> int:
        """Width of the bottleneck: the length of the new descriptor."""
        return self.hidden[-1]

    @property
    def kind(self) -> str:
        """The report's four families: shallow, denoising, deep or deep denoising."""
        deep = len(self.hidden) > 1
        noisy = self.noise > 0
        return {
            (False, False): "shallow",
            (False, True): "denoising",
            (True, False): "deep",
            (True, True): "deep denoising",
        }[(deep, noisy)]

    def default_name(self) -> str:
        prefix = {"shallow": "AE", "denoising": "DAE", "deep": "deep AE", "deep denoising": "DDAE"}[
            self.kind
        ]
        noise = f" noise {self.noise:g}" if self.noise else ""
        return f"{prefix} {'-'.join(map(str, self.hidden))}{noise}"

    def layers(self, input_dim: int) -> str:
        """Layer sizes as the report writes them, input first: ``"1280, 640"``."""
        return ", ".join(str(w) for w in (int(input_dim), *self.hidden))


# --------------------------------------------------------------------------- model


@keras.saving.register_keras_serializable(package="lookalike")
class MaskingNoise(keras.layers.Layer):
    """Zero a random fraction ``rate`` of the inputs while training; identity otherwise.

    Unlike ``Dropout`` it does not rescale the kept values by 1/(1-rate): masking corruption
    (Vincent et al. 2008) leaves surviving inputs as they are.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs: Any, training: bool = False) -> Any:
        if not training or self.rate == 0.0:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * ops.cast(keep, inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def build(input_dim: int, spec: AESpec, seed: int | None = None) -> tuple[keras.Model, keras.Model]:
    """The autoencoder (input -> reconstruction) and its encoder (input -> bottleneck).

    The two share layers, so training the autoencoder trains the encoder. The decoder mirrors
    the encoder's hidden widths; its output activation is sigmoid by default because inputs
    are scaled to [0, 1] (the report's ``x in [0, 1]^d``).
    """
    if input_dim < 1:
        raise ValueError(f"input_dim must be positive, got {input_dim}")
    inputs = keras.Input(shape=(int(input_dim),), name="features")
    x = inputs
    if spec.noise > 0:
        if spec.noise_type == "gaussian":
            x = keras.layers.GaussianNoise(spec.noise, seed=seed, name="corrupt")(x)
        else:
            x = MaskingNoise(spec.noise, seed=seed, name="corrupt")(x)
    for i, width in enumerate(spec.hidden):
        name = "code" if i == len(spec.hidden) - 1 else f"enc_{i}"
        x = keras.layers.Dense(width, activation=spec.activation, name=name)(x)
    code = x
    for i, width in enumerate(reversed(spec.hidden[:-1])):
        x = keras.layers.Dense(width, activation=spec.activation, name=f"dec_{i}")(x)
    outputs = keras.layers.Dense(
        int(input_dim), activation=spec.output_activation, name="reconstruction"
    )(x)
    autoencoder = keras.Model(inputs, outputs, name=spec.name.replace(" ", "_"))
    encoder = keras.Model(inputs, code, name="encoder")
    return autoencoder, encoder


# --------------------------------------------------------------------------- scaling


@dataclass(frozen=True)
class Scaler:
    """Maps features to [0, 1] with statistics of the training features only.

    ``minmax``: per dimension ``(x - min) / (max - min)``; ``max``: divide everything by the
    largest training value (keeps the geometry of non-negative features); ``none``: identity.
    Values of other splits may fall slightly outside [0, 1]; they are not clipped, so no
    information is thrown away before the encoder sees it.
    """

    mode: str
    offset: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, mode: str = "minmax") -> Scaler:
        if mode not in SCALINGS:
            raise ValueError(f"scaling must be one of {SCALINGS}, got {mode!r}")
        x = _as_matrix(x)
        if mode == "minmax":
            lo, hi = x.min(axis=0), x.max(axis=0)
            span = hi - lo
        elif mode == "max":
            lo = np.zeros(x.shape[1], np.float32)
            span = np.full(x.shape[1], np.abs(x).max(), np.float32)
        else:
            lo = np.zeros(x.shape[1], np.float32)
            span = np.ones(x.shape[1], np.float32)
        # Constant dimensions (dead ReLUs) would divide by zero: leave them at 0.
        span = np.where(span > 1e-12, span, 1.0).astype(np.float32)
        return cls(mode, lo.astype(np.float32), span)

    def transform(self, x: np.ndarray) -> np.ndarray:
        x = _as_matrix(x)
        if x.shape[1] != self.offset.shape[0]:
            raise ValueError(f"expected {self.offset.shape[0]} features, got {x.shape[1]}")
        return ((x - self.offset) / self.scale).astype(np.float32)


def _as_matrix(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"expected a non-empty (n, d) feature matrix, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("features contain NaN or inf; check the feature extraction")
    return x


# --------------------------------------------------------------------------- training


@dataclass
class TrainedAutoencoder:
    """A fitted autoencoder with what is needed to encode new features and to report it."""

    spec: AESpec
    scaler: Scaler
    autoencoder: keras.Model
    encoder: keras.Model
    optimizer: str
    learning_rate: float
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_run: int = 0
    best_epoch: int = 0
    seconds: float = 0.0

    @property
    def input_dim(self) -> int:
        return int(self.scaler.offset.shape[0])

    @property
    def code_dim(self) -> int:
        return self.spec.code_dim

    @property
    def best_val_loss(self) -> float:
        losses = self.history.get("val_loss") or self.history.get("loss") or [float("nan")]
        return float(np.nanmin(losses))

    def encode(self, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Bottleneck codes of raw (unscaled) features: the new descriptors."""
        return self._run(self.encoder, self.scaler.transform(x), batch_size)

    @staticmethod
    def _run(model: keras.Model, x: np.ndarray, batch_size: int) -> np.ndarray:
        # A direct call per chunk: ``predict`` would set up (and, called in loops over many
        # models, retrace) a tf.function for what is a few small matrix products.
        parts = [
            ops.convert_to_numpy(model(x[i : i + batch_size], training=False))
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(parts).astype(np.float32)

    def reconstruction_mse(self, x: np.ndarray, batch_size: int = 1024) -> float:
        """Mean squared reconstruction error on scaled features (what training minimised)."""
        scaled = self.scaler.transform(x)
        recon = self._run(self.autoencoder, scaled, batch_size)
        return float(np.mean((recon - scaled) ** 2))


def train(
    features: np.ndarray,
    spec: AESpec,
    recipe: training.Recipe = AE_RECIPE,
    *,
    validation_fraction: float = 0.1,
    validation_features: np.ndarray | None = None,
    scaling: str = "minmax",
    verbose: int = 0,
) -> TrainedAutoencoder:
    """Train one autoencoder on feature vectors (unsupervised: labels are never seen).

    Early stopping watches the validation MSE with ``recipe.patience`` epochs and restores the
    best weights. The validation features are ``validation_features`` if given, else a seeded
    ``validation_fraction`` of ``features`` held out, so the splits used to *measure* retrieval
    never steer training. Everything random (weights, noise, shuffling, hold-out) follows
    ``recipe.seed``: the same call gives the same model.
    """
    x = _as_matrix(features)
    seed = int(recipe.seed)
    rng = np.random.default_rng(seed)
    if validation_features is not None:
        x_train, x_val = x, _as_matrix(validation_features)
    elif validation_fraction > 0:
        n_val = max(1, int(round(len(x) * validation_fraction)))
        if n_val >= len(x):
            raise ValueError(f"{len(x)} feature vectors are too few to hold out {n_val}")
        order = rng.permutation(len(x))
        x_train, x_val = x[order[n_val:]], x[order[:n_val]]
    else:
        x_train, x_val = x, None
    scaler = Scaler.fit(x_train, scaling)
    x_train = scaler.transform(x_train)
    x_val = scaler.transform(x_val) if x_val is not None else None

    models: dict[str, keras.Model] = {}

    def build_after_seeding() -> keras.Model:
        # fit seeds, then builds: one seed per model, so a grid's results do not depend on
        # the order it ran in.
        models["autoencoder"], models["encoder"] = build(x.shape[1], spec, seed=seed)
        return models["autoencoder"]

    run = training.fit(build_after_seeding, (x_train, x_train),
                       (x_val, x_val) if x_val is not None else None, recipe, loss="mse",
                       verbose=verbose)
    losses = run.history[run.monitor]
    return TrainedAutoencoder(
        spec=spec,
        scaler=scaler,
        autoencoder=run.model,
        encoder=models["encoder"],
        optimizer=recipe.optimizer.lower(),
        learning_rate=float(ops.convert_to_numpy(run.model.optimizer.learning_rate)),
        history=run.history,
        epochs_run=len(losses),
        best_epoch=int(np.nanargmin(losses)) + 1,
        seconds=run.seconds,
    )
