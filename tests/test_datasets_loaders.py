"""Layouts: class folders (with and without splits), Houses, TLL, UKBench, query/gallery."""

from __future__ import annotations

import os

import numpy as np
import pytest

from datasets_fixtures import make_class_folder, snapshot, write_jpeg

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from helpers import datasets  # noqa: E402
from helpers.datasets.loaders import detect_layout  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No real data, cache in tmp: these tests see only the folders they build."""
    monkeypatch.setenv("LOOKALIKE_DATA", str(tmp_path / "lookalike_data"))
    monkeypatch.setenv("LOOKALIKE_CACHE", str(tmp_path / "cache"))


def test_split_aware_class_folder(tmp_path):
    root = make_class_folder(tmp_path / "dre", {"train": 4, "val": 2, "test": 3})
    images = datasets.load(str(root))
    assert images.source.origin == "user folder" and images.source.root == root
    assert images.class_names == ("a", "b", "c") and len(images) == 27
    assert images.split_names == ("test", "train", "val")
    table = images.counts()
    assert table.loc["b", "train"] == 4 and table.loc["total", "total"] == 27
    test = images.subset("test")
    assert len(test) == 9 and set(test.splits) == {"test"}
    assert all(f"{os.sep}test{os.sep}" in item for item in test.items)
    both = images.subset(["train", "val"])
    assert len(both) == 18
    with pytest.raises(KeyError, match="no split"):
        images.subset("holdout")


def test_flat_class_folder_and_max_per_class(tmp_path):
    root = make_class_folder(tmp_path / "flat", None)
    images = datasets.load(root)  # a Path works too
    assert len(images) == 18 and set(images.splits) == {""}
    assert np.bincount(images.labels).tolist() == [6, 6, 6]
    capped = datasets.load(root, max_per_class=2, seed=3)
    assert np.bincount(capped.labels).tolist() == [2, 2, 2]
    assert capped.items == datasets.load(root, max_per_class=2, seed=3).items  # seeded


def test_max_per_class_keeps_split_proportions(tmp_path):
    root = make_class_folder(tmp_path / "p", {"train": 9, "eval": 3})
    capped = datasets.load(root, max_per_class=4)
    for k in range(3):
        in_class = capped.splits[capped.labels == k]
        assert sorted(in_class.tolist()) == ["eval", "train", "train", "train"]


def _houses(root, ids=(1, 2, 3), rooms=("bathroom", "bedroom", "frontal", "kitchen")):
    lines = [f"{i} {i % 3 + 1} {1000 + i} 85255 {100000 * i}" for i in range(1, 6)]
    root.mkdir(parents=True)
    (root / "HousesInfo.txt").write_text("\n".join(lines) + "\n")
    for house in ids:
        for room in rooms:
            write_jpeg(root / f"{house}_{room}.jpg")
    return root


def test_houses_rooms_ids_metadata_and_views(tmp_path):
    root = _houses(tmp_path / "houses")
    write_jpeg(root / "7_garage.jpg")  # not a Houses name: counted, ignored
    houses = datasets.load(root)
    assert isinstance(houses, datasets.HousesSet)
    assert houses.class_names == ("bathroom", "bedroom", "frontal", "kitchen")
    assert len(houses) == 12 and houses.house_ids.tolist() == [1] * 4 + [2] * 4 + [3] * 4
    assert houses.skipped.counts("skipped") == {"name is not <house>_<room>.jpg (ignored)": 1}
    meta = houses.metadata
    assert list(meta.columns) == ["house_id", "bedrooms", "bathrooms", "area", "zipcode", "price"]
    assert meta["house_id"].tolist() == [1, 2, 3]  # only houses with photos
    assert meta.set_index("house_id").loc[2, "price"] == 200000  # line 2 is house 2
    rooms = houses.rooms(("kitchen", "bathroom"))
    assert rooms.class_names == ("kitchen", "bathroom") and len(rooms) == 6
    assert all(item.endswith("_kitchen.jpg") for item in np.array(rooms.items)[rooms.labels == 0])
    view = houses.indoor_vs_exterior()
    assert view.class_names == ("exterior", "indoor")
    assert np.bincount(view.labels).tolist() == [3, 9]
    assert all(i.endswith("_frontal.jpg") for i in np.array(view.items)[view.labels == 0])
    one = houses.subset(houses.house_ids == 2)
    assert isinstance(one, datasets.HousesSet) and len(one) == 4
    assert one.metadata["house_id"].tolist() == [2]


def test_tll_pairs_by_equal_names_and_by_csv(tmp_path):
    root = tmp_path / "tll"
    for stem in ("aa", "bb", "cc"):
        write_jpeg(root / "left" / f"{stem}.jpg")
        write_jpeg(root / "right" / f"{stem}.jpg")
    write_jpeg(root / "left" / "orphan.jpg")
    pairs = datasets.load(root)
    assert isinstance(pairs, datasets.PairSet) and pairs.ids == ["aa", "bb", "cc"]
    assert [os.path.basename(p) for p in pairs.right] == ["aa.jpg", "bb.jpg", "cc.jpg"]
    assert pairs.skipped.counts() == {"no right image of the same name": 1}
    # pairs.csv pairs different names (ids without extension, as in the shared copy)
    (root / "pairs.csv").write_text("left,right\naa,cc\nbb,aa\ncc,zz\n")
    pairs = datasets.load(root)
    assert [os.path.basename(p) for p in pairs.right] == ["cc.jpg", "aa.jpg"]
    assert pairs.skipped.counts() == {"pair names a missing file": 1}
    left, right = pairs.left_images(16, progress=False), pairs.right_images(16, progress=False)
    assert left.shape == right.shape == (2, 16, 16, 3)


def test_ukbench_groups_of_four(tmp_path):
    root = tmp_path / "ukb"
    for n in range(12):
        write_jpeg(root / f"ukbench{n:05d}.jpg")
    ukb = datasets.load(root)
    assert ukb.labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert ukb.groups.tolist() == ukb.labels.tolist()
    assert len(datasets.load(root, max_per_class=2)) == 8


def test_query_gallery_folder_labelled_and_unlabelled(tmp_path):
    root = tmp_path / "challenge"
    write_jpeg(root / "query" / "q1.jpg")
    write_jpeg(root / "gallery" / "dogs" / "g1.jpg")
    write_jpeg(root / "gallery" / "cats" / "g2.jpg")
    write_jpeg(root / "gallery" / "distractor.jpg")
    assert detect_layout(root) == "query_gallery"
    query, gallery = datasets.load_query_gallery_folder(root)
    assert query.labels.tolist() == [-1]
    assert gallery.class_names == ("cats", "dogs") and sorted(gallery.labels.tolist()) == [-1, 0, 1]
    with pytest.raises(ValueError, match="query/gallery folder"):
        datasets.load(root)


def test_named_set_resolves_from_lookalike_data_then_data_dir(tmp_path, monkeypatch):
    from helpers import config

    data_dir = tmp_path / "repo_data"
    monkeypatch.setattr(config, "data_dir", lambda: data_dir)
    make_class_folder(data_dir / "flowers", {"train": 2})
    flowers = datasets.load("flowers", download=False)
    assert flowers.source.origin == "data/" and len(flowers) == 6
    make_class_folder(tmp_path / "lookalike_data" / "flowers", {"train": 1})
    flowers = datasets.load("flowers", download=False)
    assert flowers.source.origin == "LOOKALIKE_DATA" and len(flowers) == 3
    assert flowers.source.notice.startswith("data: flowers from")


def test_loading_never_changes_the_folder(tmp_path):
    root = _houses(tmp_path / "houses")
    before = snapshot(root)
    houses = datasets.load(root)
    houses.images(16, progress=False)
    datasets.split(houses, seed=1)
    assert snapshot(root) == before


def test_bad_inputs_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        datasets.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no images"):
        datasets.load(tmp_path / "empty")
    with pytest.raises(KeyError, match="unknown data set"):
        datasets.load("no_such_set")
