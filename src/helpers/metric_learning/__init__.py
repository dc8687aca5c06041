"""Metric learning: contrastive losses, pair and batch samplers, Siamese training."""
