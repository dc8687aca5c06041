"""Ingwersen 2020, notebook 01: transfer-learned autoencoders for visual similarity.

The notebook imports the modules it needs: ``grid`` (the autoencoder grid of table 3 and its
seeds), ``experiments`` (the baselines), ``families`` (tables 4-5), ``recording``, ``tables``,
``profile``, ``paper`` and ``claims``.
"""
