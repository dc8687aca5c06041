"""Dense autoencoders over feature vectors (Ingwersen 2020, notebook 01).

``dense``: :class:`AESpec` (shallow, denoising, deep, deep denoising), :func:`build` (the
autoencoder and its encoder), :class:`Scaler`, :func:`train` (MSE, :data:`AE_RECIPE`: Adadelta as
the report, or Adam; early stopping) and :class:`TrainedAutoencoder` (``encode`` gives the new descriptors).
The report-01 grid of autoencoders (``paper_grid``, ``run_grid``, ``select_best``) is
report code: :mod:`helpers.studies.ingwersen2020.grid`.

Notebook 04's convolutional autoencoder with Gaussian-noise layers and its VAE are written on
its page (``#@save`` cells, :mod:`helpers.studies.fetz2021.saved`).
"""

from helpers.autoencoders.dense import (
    AE_RECIPE,
    DEFAULT_LEARNING_RATES,
    NOISE_TYPES,
    SCALINGS,
    AESpec,
    MaskingNoise,
    Scaler,
    TrainedAutoencoder,
    build,
    make_optimizer,
    train,
)

__all__ = [
    "AE_RECIPE",
    "DEFAULT_LEARNING_RATES",
    "NOISE_TYPES",
    "SCALINGS",
    "AESpec",
    "MaskingNoise",
    "Scaler",
    "TrainedAutoencoder",
    "build",
    "make_optimizer",
    "train",
]
