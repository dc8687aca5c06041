"""Helpers for the lookalike course: every notebook calls into these modules.

One concern per module: ``config`` (paths, profiles, seeding), ``notebooks`` (the papermill
runner), ``datasets`` (data by name), ``preprocessing``, ``backbones``, ``features``,
``retrieval``, ``report``, ``plots``, and one module per method family of the reports.

In a Jupyter kernel, importing ``helpers`` first keeps TensorFlow's C++ log lines that no one
can act on out of the notebook (:mod:`helpers.runtime_log`): the kernel shows everything
written to file descriptor 2 as a red stderr block, and every notebook imports ``helpers``
before TensorFlow. TensorFlow's retracing warning, which every sweep of small models
triggers, is kept out too (:func:`helpers.runtime_log.quiet_retracing_warnings`).
"""

import sys

__version__ = "0.1.0"

if "ipykernel" in sys.modules:
    from helpers import runtime_log

    runtime_log.drop_known_lines()
    runtime_log.quiet_retracing_warnings()
