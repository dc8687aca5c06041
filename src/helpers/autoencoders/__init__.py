"""Dense autoencoders over feature vectors, and notebook 04's generative ones.

``dense``: :class:`AESpec`, :func:`build`, :class:`Scaler`, :func:`train`, :data:`AE_RECIPE`,
:class:`TrainedAutoencoder`. Notebook 01 no longer uses it: its autoencoders (the same four
families, the same training) are its own ``#@save`` cells, generated into
:mod:`helpers.studies.ingwersen2020.saved` (``AESpec``, ``build_autoencoder``,
``train_autoencoder``, ``AE_RECIPE``). ``dense`` stays while notebook 02's dimension-reduction
table (:mod:`helpers.studies.jacobsen2021.tables`) imports it.

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
