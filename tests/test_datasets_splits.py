"""Splits (stratified, seeded, persisted), query/gallery sets, pair candidates and pair splits."""

from __future__ import annotations

import os

import numpy as np
import pytest

from datasets_fixtures import make_class_folder

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import datasets  # noqa: E402
from helpers.datasets.splits import allocate, split_file  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "lookalike_data"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))


def test_allocate_is_exact_and_deterministic():
    assert allocate(10, datasets.DRE19) == {"train": 6, "test": 2, "val": 2}
    assert allocate(7, datasets.DRE19) == {"train": 4, "test": 2, "val": 1}
    assert sum(allocate(401, {"a": 0.33, "b": 0.33, "c": 0.34}).values()) == 401
    with pytest.raises(ValueError, match="sum to 1"):
        allocate(10, {"train": 0.5, "test": 0.2})


def test_split_is_stratified_persisted_and_stable(tmp_path):
    root = make_class_folder(tmp_path / "set", None, classes=("a", "b", "c", "d"))  # 6 each
    images = datasets.load(root)
    first = datasets.split(images, seed=7)
    table = first.counts()
    for cls in ("a", "b", "c", "d"):  # 6 per class -> 60/20/20 = 4/1/1 in every class
        assert (table.loc[cls, "train"], table.loc[cls, "test"], table.loc[cls, "val"]) == (4, 1, 1)
    path = split_file(images, datasets.DRE19, 7)
    assert path.is_file() and path.parent == tmp_path / "cache" / "splits"
    text = path.read_text()
    assert text.splitlines()[0] == "item,label,split" and "a/a000.jpg" in text  # relative names
    # A second load in a "new session" reads the file and gets the very same split.
    again = datasets.split(datasets.load(root), seed=7)
    assert again.splits.tolist() == first.splits.tolist()
    # The file wins over recomputation: edit it and the edit is what a notebook gets.
    edited = text.replace(",test", ",val", 1)
    path.write_text(edited)
    assert datasets.split(datasets.load(root), seed=7).splits.tolist() != first.splits.tolist()
    other = datasets.split(images, seed=8)
    assert other.splits.tolist() != first.splits.tolist()
    eighty = datasets.split(images, datasets.EIGHTY_TWENTY, seed=7)
    assert sorted(set(eighty.splits)) == ["train", "val"]


def test_same_seed_same_split_from_another_location(tmp_path):
    """Item names are relative to the data-set root, so a copy elsewhere splits identically."""
    a = make_class_folder(tmp_path / "one" / "set", None)
    b = make_class_folder(tmp_path / "two" / "set", None)
    sa = datasets.split(datasets.load(a), seed=1)
    os.environ["LOOKALIKE_CACHE"] = str(tmp_path / "other_cache")  # no shared file either
    sb = datasets.split(datasets.load(b), seed=1)
    assert sa.splits.tolist() == sb.splits.tolist()


def test_query_gallery_per_class(tmp_path):
    images = datasets.load(make_class_folder(tmp_path / "set", None))  # 3 classes x 6
    query, gallery = datasets.query_gallery(images, queries_per_class=2, seed=0)
    assert np.bincount(query.labels).tolist() == [2, 2, 2]
    assert np.bincount(gallery.labels).tolist() == [4, 4, 4]
    assert not set(query.items) & set(gallery.items)
    q2, _ = datasets.query_gallery(images, queries_per_class=2, seed=0)
    assert q2.items == query.items
    # Never leaves a class without a gallery image.
    q_all, g_all = datasets.query_gallery(images, queries_per_class=50)
    assert np.bincount(g_all.labels).tolist() == [1, 1, 1]


def test_pair_candidates_and_split():
    pairs = datasets.load("tll", synthetic=True, max_per_class=50)
    cands, true_col = pairs.candidates(n=20, seed=3)
    assert cands.shape == (50, 20)
    assert (cands[np.arange(50), true_col] == np.arange(50)).all()
    for i, row in enumerate(cands):
        assert len(set(row.tolist())) == 20 and (row == i).sum() == 1
    assert len(set(true_col.tolist())) > 5  # the true one is not always in one column
    again, again_col = pairs.candidates(n=20, seed=3)
    assert (again == cands).all() and (again_col == true_col).all()
    assert not (pairs.candidates(n=20, seed=4)[0] == cands).all()
    parts = pairs.split(seed=0)
    assert {k: len(v) for k, v in parts.items()} == {"train": 35, "val": 5, "test": 10}
    assert sorted(sum((p.ids for p in parts.values()), [])) == sorted(pairs.ids)
    with pytest.raises(ValueError, match="n <= number of pairs"):
        parts["val"].candidates(n=20)
