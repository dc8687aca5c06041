"""Fetz et al. 2021, notebook 04."""
