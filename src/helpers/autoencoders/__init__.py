"""Dense autoencoders over feature vectors (Ingwersen 2020, notebook 01).

``dense``: :class:`AESpec` (shallow, denoising, deep, deep denoising), :func:`build` (the
autoencoder and its encoder), :class:`Scaler`, :func:`train` (MSE, :data:`AE_RECIPE`: Adadelta as
the report, or Adam; early stopping) and :class:`TrainedAutoencoder` (``encode`` gives the new descriptors).
``grid``: :func:`paper_grid` (the report's grid at our input width, with its numbers),
:func:`run_grid`, :func:`select_best`.

The convolutional AE and VAE of notebook 04 live in ``helpers.generative``, not here.
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
from helpers.autoencoders.grid import (
    PAPER_INPUT_DIM,
    PAPER_METRIC_KEYS,
    GridEntry,
    paper_grid,
    run_grid,
    scale_width,
    score_splits,
    select_best,
)

__all__ = [
    "AE_RECIPE",
    "DEFAULT_LEARNING_RATES",
    "NOISE_TYPES",
    "PAPER_INPUT_DIM",
    "PAPER_METRIC_KEYS",
    "SCALINGS",
    "AESpec",
    "GridEntry",
    "MaskingNoise",
    "Scaler",
    "TrainedAutoencoder",
    "build",
    "make_optimizer",
    "paper_grid",
    "run_grid",
    "scale_width",
    "score_splits",
    "select_best",
    "train",
]
