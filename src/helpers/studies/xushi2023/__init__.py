"""Report 05 (Xu & Shi 2023, Totally Looks Like): a Siamese ranker over 20 candidates on fused,
frozen backbone features.

The report's model, losses, training call and evaluation call are written in notebook 05's
``#@save`` cells; ``make sync`` copies them into :mod:`~helpers.studies.xushi2023.saved`, which
the tests and the other modules import. The backbones are frozen (the report does not say; our
choice), so everything trainable sees cached feature vectors (``helpers.features``: globally
pooled, and a 2 x 2 grid of the map that keeps its spatial layout) instead of images.

The rest, in the order notebook 05 meets it:

* :mod:`~helpers.studies.xushi2023.profiles`: the notebook's knobs per profile;
* :mod:`~helpers.studies.xushi2023.paper`: the report's numbers; ``claims``: its claims as rules;
* :mod:`~helpers.studies.xushi2023.candidates`: fixed, seeded 20-candidate evaluation sets, the
  untrained cosine baseline, and training batches with fresh random negatives every epoch;
* :mod:`~helpers.studies.xushi2023.experiment`: features of both sides of the pairs, splits,
  model lists, galleries;
* :mod:`~helpers.studies.xushi2023.runs`: a model over several seeds and its per-item hits, the
  head chosen on validation;
* :mod:`~helpers.studies.xushi2023.recording` and ``tables``: what the claims need, recorded
  with per-item hits and chance, and figures 3-6 as tables.
"""
