"""Råhlén & Sjöqvist 2019, notebook 03."""
