"""Xu & Shi 2023, notebook 05."""
