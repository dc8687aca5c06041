"""Helpers for the lookalike course: every notebook calls into these modules.

One concern per module: ``config`` (paths, profiles, seeding), ``notebooks`` (the papermill
runner), ``datasets`` (data by name), ``preprocessing``, ``backbones``, ``features``,
``retrieval``, ``report``, ``plots``, and one module per method family of the reports.
"""

__version__ = "0.1.0"
