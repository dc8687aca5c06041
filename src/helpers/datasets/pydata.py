"""A ``keras.utils.PyDataset`` over an ImageSet: batches decoded on demand, any Keras backend.

PyDataset is plain Python (no ``tf.data``), so the same loader feeds TensorFlow, JAX or torch.
Shuffling and augmentation draw from ``seed`` and the epoch number only, so two runs with one
seed see the same batches in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .images import fit_image, load_batch

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def flip(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mirror each image left-right with probability 1/2."""
    out = batch.copy()
    mask = rng.random(len(batch)) < 0.5
    out[mask] = out[mask, :, ::-1]
    return out


def crop_flip(batch: np.ndarray, rng: np.random.Generator, keep: float = 0.875) -> np.ndarray:
    """Random crop of ``keep`` of each side, scaled back, then a random flip (report 03's
    training augmentation, torchvision's RandomResizedCrop + RandomHorizontalFlip in spirit)."""
    n, h, w, _ = batch.shape
    ch, cw = max(1, int(h * keep)), max(1, int(w * keep))
    out = np.empty_like(batch)
    for i in range(n):
        top, left = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        out[i] = fit_image(batch[i, top : top + ch, left : left + cw], (h, w), "resize")
    return flip(out, rng)


AUGMENTS: dict[str, Augment] = {"flip": flip, "crop_flip": crop_flip}


@dataclass(frozen=True)
class Batching:
    """What an :class:`ImagePyDataset` batch holds: images at ``size`` (fitted by ``fit``),
    ``batch_size`` of them, in an order shuffled from ``seed`` and the epoch, ``augment``-ed
    (a name of :data:`AUGMENTS` or a callable), then ``preprocess``-ed, with or without labels."""

    size: int | tuple[int, int]
    batch_size: int = 32
    shuffle: bool = False
    seed: int = 0
    augment: str | Augment | None = None
    preprocess: Callable[[np.ndarray], np.ndarray] | None = None
    with_labels: bool = True
    fit: str = "resize"


class ImagePyDataset(keras.utils.PyDataset):
    """Batches ``(x, y)`` (or ``x`` alone) from an ImageSet, as ``batching`` says.

    ``x`` is float32 (B, H, W, 3): RGB 0..255, then ``augment`` (on uint8), then ``preprocess``
    (for example a backbone's ``preprocess_input``). ``y`` is the int64 label. ``kwargs`` go to
    ``keras.utils.PyDataset`` (``workers``, ``use_multiprocessing``, ``max_queue_size``).
    """

    def __init__(self, imageset: Any, batching: Batching, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if batching.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        augment = batching.augment
        if isinstance(augment, str):
            if augment not in AUGMENTS:
                raise ValueError(f"augment must be one of {sorted(AUGMENTS)} or a callable")
            augment = AUGMENTS[augment]
        self.imageset = imageset
        self.size, self.fit, self.batch_size = batching.size, batching.fit, batching.batch_size
        self.shuffle, self.seed = batching.shuffle, batching.seed
        self.augment, self.preprocess = augment, batching.preprocess
        self.with_labels = batching.with_labels
        self.epoch = 0
        self.order = self._order()

    def _order(self) -> np.ndarray:
        n = len(self.imageset)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng([self.seed, self.epoch]).permutation(n)

    def __len__(self) -> int:
        return -(-len(self.imageset) // self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range ({len(self)} batches)")
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        items = [self.imageset.items[i] for i in rows]
        x = load_batch(items, self.size, self.fit, report=self.imageset.skipped, workers=1)
        if self.augment is not None:
            x = self.augment(x, np.random.default_rng([self.seed, self.epoch, index]))
        x = x.astype(np.float32)
        if self.preprocess is not None:
            x = self.preprocess(x)
        if self.with_labels:
            return x, self.imageset.labels[rows]
        return (x,)

    def on_epoch_end(self) -> None:
        self.imageset.skipped.announce(self.imageset.name)
        self.epoch += 1
        self.order = self._order()
