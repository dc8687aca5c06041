"""Jacobsen 2021, notebook 02."""
