"""Convolutional autoencoder with Gaussian-noise layers, and a variational autoencoder (report 04).

Both learn from pixels alone (no labels) and are used as feature extractors for query/gallery
retrieval: the CAE's encoder output, the VAE's latent means.

**Convolutional autoencoder** (Fetz et al. 2021, section 1.2.3): the encoder alternates
``Conv2D`` (ReLU, stride 2: "shifting of 2 pixels at a time") and ``MaxPooling2D`` with
``GaussianNoise`` layers in between (active only while training: a denoising autoencoder, so
the loss compares the reconstruction with the clean image); the report settled on two
convolutions of 32 and 64 filters. The decoder starts with a fully connected layer and a
reshape, then stride-2 ``Conv2DTranspose`` layers and a last convolution with a different
activation. The report used **softmax** there; over the 3 colour channels of a pixel that
forces R + G + B = 1, so no pixel can be white, black or grey-but-not-mid, and the MSE cannot
go below that constraint. ``output_activation="softmax"`` reproduces it; the default is
``"sigmoid"`` (each channel in [0, 1], as the targets are).

**Variational autoencoder** (section 1.2.4): four convolutions (32, 64, 64, 64 filters), a
dense layer, the latent mean and log-variance, the reparameterisation ``z = mu + sigma * eps``,
and a decoder of one dense layer, transposed convolutions and one convolution back to the image
size (the layout of Chollet's Keras VAE, which the report's description follows; that one was
made for 28 px digits, so here three of the four convolutions have stride 2 to keep larger
colour images affordable on a CPU). The loss is
reconstruction (binary cross-entropy summed over pixels) plus ``beta`` times the KL divergence
to N(0, I). It is written for Keras 3: :class:`VAE` is a ``keras.Model`` whose ``call`` returns
its outputs and whose :meth:`VAE.compute_loss` computes the loss from them, using only
``keras.ops`` and ``keras.random`` (no ``add_loss`` on symbolic tensors, no TensorFlow calls),
so ``fit`` works with the TensorFlow, JAX and torch backends.

Images enter every model as float32 in [0, 1] (:func:`to_unit`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
from keras import ops  # noqa: E402

from helpers import training  # noqa: E402


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 (or [0, 255] float) RGB images -> float32 in [0, 1], the models' input scale."""
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected images (N, H, W, 3), got shape {x.shape}")
    return x.astype("float32") / 255.0


def _check_size(image_size: int, factor: int, what: str) -> None:
    if image_size % factor:
        raise ValueError(
            f"image_size {image_size} must be divisible by {factor} for {what} "
            f"(choose e.g. {max(factor, image_size // factor * factor)})"
        )


# ------------------------------------------------------------------------ conv autoencoder
@dataclass
class ConvAutoencoder:
    """The three models of a convolutional autoencoder; they share weights."""

    autoencoder: keras.Model
    encoder: keras.Model
    decoder: keras.Model

    def features(self, images_unit: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Encoder outputs (N, latent) of images in [0, 1]; noise layers are off in predict."""
        return np.asarray(self.encoder.predict(images_unit, batch_size=batch_size, verbose=0))

    def reconstruct(self, images_unit: np.ndarray, batch_size: int = 64) -> np.ndarray:
        return np.asarray(self.autoencoder.predict(images_unit, batch_size=batch_size, verbose=0))


def build_conv_autoencoder(
    image_size: int,
    *,
    filters: Sequence[int] = (32, 64),
    strides: int = 2,
    noise_stddev: float = 0.1,
    latent_dim: int = 256,
    output_activation: str = "sigmoid",
    seed: int | None = None,
) -> ConvAutoencoder:
    """Encoder ``[GaussianNoise -> Conv2D(stride) -> MaxPool] * len(filters) -> Dense``.

    ``noise_stddev`` is the standard deviation of every ``GaussianNoise`` layer (on the [0, 1]
    pixel scale at the input; the report corrupted its images with 0.3 on its own scale).
    The image shrinks by ``(2 * strides) ** len(filters)``; ``image_size`` must divide by it.
    """
    factor = (2 * strides) ** len(filters)
    _check_size(image_size, factor, f"{len(filters)} blocks of stride {strides} + pooling")
    if strides not in (1, 2):
        raise ValueError(f"strides must be 1 or 2, got {strides}")
    seeds = iter(range(0 if seed is None else seed, 10**9))
    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = inputs
    for i, f in enumerate(filters):
        x = keras.layers.GaussianNoise(noise_stddev, seed=next(seeds), name=f"noise{i}")(x)
        x = keras.layers.Conv2D(
            f, 3, strides=strides, padding="same", activation="relu", name=f"conv{i}"
        )(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
    grid = tuple(int(d) for d in x.shape[1:])
    x = keras.layers.Flatten(name="flatten")(x)
    latent = keras.layers.Dense(latent_dim, activation="relu", name="latent")(x)
    encoder = keras.Model(inputs, latent, name="cae_encoder")

    code = keras.Input((latent_dim,), name="code")
    y = keras.layers.Dense(math.prod(grid), activation="relu", name="expand")(code)
    y = keras.layers.Reshape(grid, name="reshape")(y)
    # Undo the downsampling with stride-2 transposed convolutions, filters mirroring the
    # encoder's and halving towards the image.
    widths = [max(8, grid[-1] // 2**i) for i in range(int(math.log2(factor)))]
    for i, f in enumerate(widths):
        y = keras.layers.Conv2DTranspose(
            f, 3, strides=2, padding="same", activation="relu", name=f"up{i}"
        )(y)
    outputs = keras.layers.Conv2D(3, 3, padding="same", activation=output_activation, name="pixels")(y)
    decoder = keras.Model(code, outputs, name="cae_decoder")
    autoencoder = keras.Model(inputs, decoder(encoder(inputs)), name="conv_autoencoder")
    return ConvAutoencoder(autoencoder, encoder, decoder)


#: The report's conv AE training: Adam 1e-3, MSE, early stopping with the best weights kept.
CAE_RECIPE = training.Recipe(optimizer="adam", learning_rate=1e-3, epochs=20, batch_size=32,
                             patience=5)


def train_autoencoder(
    cae: ConvAutoencoder,
    images_unit: np.ndarray,
    validation: np.ndarray | None = None,
    recipe: training.Recipe = CAE_RECIPE,
    verbose: int = 0,
) -> training.TrainingRun:
    """MSE between reconstruction and the clean image, Adam, EarlyStopping as in the report.

    The report stopped on the training loss; with ``validation`` images the validation loss
    is watched instead (and the best weights restored), which is what stopping is for.
    ``recipe.seed`` seeds the run (batch order; the noise layers have their own seeds).
    """
    return training.fit(cae.autoencoder, (images_unit, images_unit),
                        None if validation is None else (validation, validation), recipe,
                        loss="mse", verbose=verbose)


# ----------------------------------------------------------------------------------- VAE
@keras.saving.register_keras_serializable(package="lookalike")
class Sampling(keras.layers.Layer):
    """The reparameterisation trick: ``z = mean + exp(log_var / 2) * eps``, eps ~ N(0, I).

    Drawing eps outside the parameters keeps z differentiable in mean and log_var. The layer
    owns a ``SeedGenerator`` so runs are reproducible from one seed on every backend.
    """

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs: Sequence[Any]) -> Any:
        mean, log_var = inputs
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


def kl_divergence(mean: Any, log_var: Any) -> Any:
    """KL(N(mean, exp(log_var)) || N(0, I)) per sample, summed over latent dimensions."""
    return -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)


def reconstruction_loss(images: Any, reconstruction: Any) -> Any:
    """Binary cross-entropy per sample, summed over pixels and channels (targets in [0, 1])."""
    eps = 1e-7
    r = ops.clip(reconstruction, eps, 1.0 - eps)
    bce = -(images * ops.log(r) + (1.0 - images) * ops.log(1.0 - r))
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=-1)


@keras.saving.register_keras_serializable(package="lookalike")
class VAE(keras.Model):
    """A convolutional VAE; ``call`` returns ``{"reconstruction", "z_mean", "z_log_var"}``.

    Train with :func:`train_vae` (no targets: the input is the target). In training ``z`` is
    sampled; in inference the decoder gets the mean, so ``predict`` and :meth:`encode` are
    deterministic.
    """

    def __init__(
        self,
        image_size: int,
        latent_dim: int = 32,
        filters: Sequence[int] = (32, 64, 64, 64),
        strides: Sequence[int] = (2, 2, 2, 1),
        dense_units: int = 64,
        beta: float = 1.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if len(filters) != len(strides):
            raise ValueError("filters and strides must have the same length")
        factor = math.prod(strides)
        _check_size(image_size, factor, f"strides {tuple(strides)}")
        if factor & (factor - 1):
            raise ValueError(f"the product of strides must be a power of 2, got {factor}")
        self.image_size, self.latent_dim, self.beta = int(image_size), int(latent_dim), float(beta)
        self.filters, self.strides = tuple(filters), tuple(strides)
        self.dense_units, self.seed = int(dense_units), seed

        self.encoder_layers = [
            keras.layers.Conv2D(f, 3, strides=s, padding="same", activation="relu", name=f"conv{i}")
            for i, (f, s) in enumerate(zip(filters, strides, strict=True))
        ]
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(dense_units, activation="relu", name="hidden")
        self.z_mean = keras.layers.Dense(latent_dim, name="z_mean")
        self.z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")
        self.sampling = Sampling(seed=seed, name="sampling")

        side = image_size // factor
        self.expand = keras.layers.Dense(side * side * filters[-1], activation="relu", name="expand")
        self.reshape = keras.layers.Reshape((side, side, filters[-1]))
        # Stride-2 transposed convolutions back to the image size, halving the filters on the
        # way up: full-width layers at full resolution would cost more than the whole encoder.
        self.decoder_layers = [
            keras.layers.Conv2DTranspose(
                max(16, filters[-1] // 2**i), 3, strides=2, padding="same", activation="relu",
                name=f"up{i}",
            )
            for i in range(int(math.log2(factor)))
        ]
        self.pixels = keras.layers.Conv2D(3, 3, padding="same", activation="sigmoid", name="pixels")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def build(self, input_shape: Any) -> None:
        """Create every weight from the input shape, so ``predict`` works before ``fit``."""
        shape = tuple(input_shape)
        for layer in self.encoder_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        shape = self.flatten.compute_output_shape(shape)
        self.hidden.build(shape)
        shape = self.hidden.compute_output_shape(shape)
        self.z_mean.build(shape)
        self.z_log_var.build(shape)
        shape = (shape[0], self.latent_dim)
        self.expand.build(shape)
        shape = self.reshape.compute_output_shape(self.expand.compute_output_shape(shape))
        for layer in self.decoder_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.pixels.build(shape)
        self.built = True

    def encode_params(self, x: Any) -> tuple[Any, Any]:
        """Mean and log-variance of q(z | x)."""
        for layer in self.encoder_layers:
            x = layer(x)
        h = self.hidden(self.flatten(x))
        return self.z_mean(h), self.z_log_var(h)

    def decode(self, z: Any) -> Any:
        y = self.reshape(self.expand(z))
        for layer in self.decoder_layers:
            y = layer(y)
        return self.pixels(y)

    def call(self, inputs: Any, training: bool = False) -> dict[str, Any]:
        z_mean, z_log_var = self.encode_params(inputs)
        z = self.sampling((z_mean, z_log_var)) if training else z_mean
        return {"reconstruction": self.decode(z), "z_mean": z_mean, "z_log_var": z_log_var}

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """Mean over the batch of reconstruction + beta * KL; ``y`` is ignored (x is the target)."""
        target = x if y is None else y
        recon = reconstruction_loss(target, y_pred["reconstruction"])
        kl = kl_divergence(y_pred["z_mean"], y_pred["z_log_var"])
        total = ops.mean(recon + self.beta * kl)
        self.loss_tracker.update_state(total)
        self.reconstruction_tracker.update_state(ops.mean(recon))
        self.kl_tracker.update_state(ops.mean(kl))
        return total

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def encode(self, images_unit: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Latent means (N, latent_dim): the VAE's image features."""
        return np.asarray(self.predict(images_unit, batch_size=batch_size, verbose=0)["z_mean"])

    def reconstruct(self, images_unit: np.ndarray, batch_size: int = 64) -> np.ndarray:
        out = self.predict(images_unit, batch_size=batch_size, verbose=0)
        return np.asarray(out["reconstruction"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "latent_dim": self.latent_dim,
            "filters": self.filters,
            "strides": self.strides,
            "dense_units": self.dense_units,
            "beta": self.beta,
            "seed": self.seed,
        }


#: Adam 1e-3 with gradient norms clipped at 1, early stopping with the best weights kept.
VAE_RECIPE = CAE_RECIPE.replace(clipnorm=1.0)


def train_vae(
    vae: VAE,
    images_unit: np.ndarray,
    validation: np.ndarray | None = None,
    recipe: training.Recipe = VAE_RECIPE,
    verbose: int = 0,
) -> training.TrainingRun:
    """Adam with gradient clipping (``VAE_RECIPE``: VAE training is unstable early, as the
    report found); the loss is the model's own ``compute_loss``."""
    return training.fit(vae, images_unit, None if validation is None else (validation,),
                        recipe, verbose=verbose)
