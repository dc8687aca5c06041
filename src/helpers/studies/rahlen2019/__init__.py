"""Report 03 (Råhlén & Sjöqvist 2019): balcony, fireplace and room-type classifiers.

- :mod:`~helpers.studies.rahlen2019.tasks`: the three tasks, their stand-in data (70/15/15
  train/val/test splits; the Houses layout or a class folder), the report's tables 3.1 and 4.1-4.6, and which Keras architecture replaces which.
- :mod:`~helpers.studies.rahlen2019.experiment`: the grid of tasks x architectures x modes
  (frozen backbone or all layers fine-tuned) with the report's recipe; result rows, records.
- :mod:`~helpers.studies.rahlen2019.tables`: the report's five models beside ours (like with
  like only), chance rows, and the records with each photo's correctness.
- :mod:`~helpers.studies.rahlen2019.findings`: the cross-run comparisons the claims need, and
  the thumbnail check of the balcony stand-in; :mod:`~helpers.studies.rahlen2019.timing`:
  training steps of both modes timed on equal data.
- :mod:`~helpers.studies.rahlen2019.figures`: curves per task (figures 1-12), the accuracy vs
  training time trade-off, misclassified validation images.
- :mod:`~helpers.studies.rahlen2019.predict`: saved models and ``classify(image_path)``.
- :mod:`~helpers.studies.rahlen2019.sentences`: what agrees with the report, as sentences.
- ``profile``, ``paper``, ``claims``: the settings per profile, the report's numbers, its claims.

The backbone + softmax head itself is :mod:`helpers.classifiers`.
"""
