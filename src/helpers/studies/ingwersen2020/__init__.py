"""Ingwersen 2020, notebook 01: transfer-learned autoencoders for visual similarity.

The report's own code is the notebook's ``#@save`` cells, generated into ``saved`` (the four
preprocessing schemes, ``AESpec``, ``build_autoencoder``, ``train_autoencoder``,
``retrieval_hits``). The notebook imports the modules it needs around them: ``grid`` (the
autoencoder grid of table 3 and its seeds, run with the page's code as a ``PageCode``),
``experiments`` (the baselines), ``families`` (tables 4-5), ``recording``, ``tables``,
``profile``, ``paper``, ``method`` and ``claims``.
"""
