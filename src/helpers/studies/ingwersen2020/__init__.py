"""Ingwersen 2020, notebook 01."""
