"""Notebook 06 (your own photos): the course's best frozen pipeline pointed at a folder a student
brings. It reproduces no report; it asks which of the course's findings carry over to the
student's photos, judged by the same engine as the reports' claims.

The code a student reads is on the page: the frozen-backbone features, the index, the
near-duplicate threshold and notebook 05's fusion are notebook 06's ``#@save`` cells, which
``make sync`` copies into :mod:`~helpers.studies.own_photos.saved`. Around them:

* :mod:`~helpers.studies.own_photos.profile`: the notebook's knobs per profile;
* :mod:`~helpers.studies.own_photos.photos`: which photos (your folder, the stand-in camera roll
  of the standard profile, the synthetic photos of the smoke profile) and the plan printed
  before the features are computed (photos, memory, estimated time);
* :mod:`~helpers.studies.own_photos.choice`: the best frozen backbone, chosen from the committed
  standard-profile results of notebooks 01 and 05, with the numbers behind the choice;
* :mod:`~helpers.studies.own_photos.claims`: the course's findings as rules on the student's
  labelled photos (chance from the folder's own class sizes).
"""
