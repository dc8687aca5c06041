"""Report 03 (Råhlén & Sjöqvist 2019): balcony, fireplace and room-type classifiers.

- :mod:`~helpers.studies.rahlen2019.tasks`: the three tasks, their stand-in data (70/15/15
  train/val/test splits; the Houses layout or a class folder), the report's tables 3.1 and 4.1-4.6, and which Keras architecture replaces which.
- :mod:`~helpers.studies.rahlen2019.saved`: generated from notebook 03's ``#@save`` cells by
  ``make sync``: the classifier (a keras.applications backbone and a new softmax head), what
  each mode trains, the optimizer, the training calls, AlexNet and the report's other
  architectures for timing, and the timed training step.
- :mod:`~helpers.studies.rahlen2019.experiment`: the grid of tasks x architectures x modes
  (frozen backbone or all layers fine-tuned), run with the page's code (``PageCode``).
- :mod:`~helpers.studies.rahlen2019.tables`: the report's five models beside ours (like with
  like only), chance rows, and the records with each photo's correctness.
- :mod:`~helpers.studies.rahlen2019.findings`: the cross-run comparisons the claims need, and
  the thumbnail check of the stand-ins; :mod:`~helpers.studies.rahlen2019.timing`: the
  report's own architectures timed step by step, and epoch-time ratios from those steps.
- :mod:`~helpers.studies.rahlen2019.figures`: curves per task (figures 1-12), the accuracy vs
  training time trade-off, misclassified validation images.
- :mod:`~helpers.studies.rahlen2019.predict`: saved models and ``classify(image_path)``.
- :mod:`~helpers.studies.rahlen2019.sentences`: what agrees with the report, as sentences.
- ``profile``, ``paper``, ``claims``: the settings per profile, the report's numbers, its claims.

From :mod:`helpers.classifiers` the study uses plumbing only: the ``Classifier`` container,
``Recipe``, trunk ``activations``, ``batches``, ``predict`` and ``scheme_preprocess``.
"""
