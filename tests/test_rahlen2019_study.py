"""Unit tests of helpers.studies.rahlen2019 (report 03): tables, data, the grid, saved models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers.backbones import WeightsInfo
from helpers.studies.rahlen2019 import (
    claims,
    experiment,
    findings,
    predict,
    profile,
    saved,
    sentences,
    tables,
    tasks,
    timing,
)

# -- the report's numbers -----------------------------------------------------------------------


def test_paper_tables_hold_five_architectures_per_task_and_mode():
    reported = {a.paper for a in tasks.ARCHITECTURES}
    assert reported == {"ResNet18", "AlexNet", "VGG-11-BN", "DenseNet-121", "Inception v3"}
    for task in tasks.TASK_NAMES:
        for mode in tasks.MODES:
            assert set(tasks.PAPER_RESULTS[task][mode]) == reported
    # REPRODUCTION.md's headline numbers: best frozen / best fine-tuned per task.
    assert tasks.paper_best("balcony", "frozen") == pytest.approx(0.9694)
    assert tasks.paper_best("balcony", "finetune_all") == pytest.approx(0.9809)
    # Section 5.2's 80.50 (128 of 159 photos), not table 4.3's 80.05, which fits no count of 159;
    # the table itself stays as printed.
    assert tasks.paper_best("fireplace", "frozen") == pytest.approx(0.8050)
    assert tasks.PAPER_RESULTS["fireplace"]["frozen"]["ResNet18"][1] == pytest.approx(0.8005)
    assert tasks._fits(80.50, 159) and not tasks._fits(80.05, 159)
    assert tasks.paper_best("fireplace", "finetune_all") == pytest.approx(0.8553)
    assert tasks.paper_best("rooms", "frozen") == pytest.approx(0.9687)
    assert tasks.paper_best("rooms", "finetune_all") == pytest.approx(0.9791)
    assert tasks.PAPER_RESULTS["rooms"]["finetune_all"]["Inception v3"][0] == 16 * 60 + 10


def test_paper_result_only_for_the_same_architecture():
    assert tasks.paper_result("balcony", "frozen", "densenet121") == (359.0, 0.9694)
    assert tasks.paper_result("rooms", "frozen", "mobilenet") == (None, None)  # extra row
    # Relatives are not the report's models: no AlexNet number for MobileNetV2, no ResNet18's
    # for ResNet50 (issue 19).
    assert tasks.paper_result("rooms", "frozen", "mobilenetv2") == (None, None)
    assert tasks.paper_result("rooms", "frozen", "resnet50") == (None, None)
    assert not any(a.backbone == "mobilenetv2" for a in tasks.ARCHITECTURES)


def test_implied_val_size_finds_the_count_behind_rounded_accuracies():
    n = 37
    accs = [round(100 * k / n, 2) for k in (30, 31, 33, 35)]
    assert tasks.implied_val_size(accs) == (n, [])
    size, outliers = tasks.implied_val_size([*accs, 50.01])
    assert size == n and outliers == [50.01]


def test_implied_val_size_accepts_truncated_accuracies():
    # 247/261 = 94.636 %: the report prints 94.63 (truncated), which must still fit 261.
    assert tasks._fits(94.63, 261) and tasks._fits(94.64, 261)
    assert not tasks._fits(94.60, 261)


def test_rooms_accuracies_imply_192_validation_images_not_189():
    rows = {r["task"]: r for r in tasks.consistency_rows()}
    assert rows["rooms"]["val images, table 3.1"] == 64 + 52 + 73
    assert rows["rooms"]["val images the accuracies imply"] == 192
    assert rows["rooms"]["accuracies fitting no count"] == "none"


def test_format_seconds_and_compare():
    assert experiment.format_seconds(217.0) == "3m 37s"
    assert experiment.format_seconds(float("nan")) == "–"
    assert sentences.compare(0.95, 0.94).startswith("agrees")
    assert sentences.compare(0.90, 0.94).startswith("is below")
    assert sentences.compare(0.99, 0.94).startswith("is above")


# -- data -----------------------------------------------------------------------------------------


@pytest.fixture
def smoke_tasks(isolated_outputs: Path) -> dict[str, tasks.TaskData]:
    return tasks.load_tasks(True, seed=3, max_per_class=10)


def test_synthetic_tasks_are_split_train_val_test_without_overlap(smoke_tasks):
    assert set(smoke_tasks) == set(tasks.TASK_NAMES)
    for name, task in smoke_tasks.items():
        assert task.available and task.test is not None
        parts = [set(p.items) for p in (task.train, task.val, task.test)]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        if name == "fireplace":
            continue  # the attributes stand-in comes with train/val folders of its own
        for label in range(len(task.class_names)):
            counts = tuple(int((p.labels == label).sum()) for p in (task.train, task.val,
                                                                   task.test))
            assert counts == (7, 2, 1)  # 70/15/15 of 10, largest remainder
    assert smoke_tasks["rooms"].class_names == ("kitchen", "bathroom", "bedroom")
    assert smoke_tasks["balcony"].class_names == ("exterior", "indoor")


def test_balanced_exterior_indoor_keeps_one_indoor_photo_per_house():
    from helpers import datasets

    houses = datasets.load("houses", synthetic=True, seed=1, max_per_class=12)
    part = tasks.balanced_exterior_indoor(houses, seed=5)
    assert (part.labels == 0).sum() == (part.labels == 1).sum() == 12
    indoor_houses = part.groups[part.labels == 1]
    assert len(set(indoor_houses.tolist())) == 12
    again = tasks.balanced_exterior_indoor(houses, seed=5)
    assert again.items == part.items  # seeded


def test_fireplace_without_a_folder_is_not_run_and_says_why():
    data = tasks._fireplace(False, 0, None, None)
    assert not data.available and "FIREPLACE_FOLDER" in data.reason
    assert "NOT RUN" in data.describe()


def _class_folder(root: Path, classes: tuple[str, ...], n: int) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / c / f"{i}.png")
    return root


def test_fireplace_folder_is_loaded_and_split(isolated_outputs: Path):
    folder = _class_folder(isolated_outputs / "fire", ("fireplace", "no_fireplace"), 5)
    data = tasks._fireplace(False, 0, folder, None)
    assert data.available and data.class_names == ("fireplace", "no_fireplace")
    assert (len(data.train), len(data.val), len(data.test)) == (6, 2, 2)
    rows = [r for r in tasks.counts_rows({"fireplace": data})]
    assert [(r["paper"], r["here"]) for r in rows] == [(478, 5), (256, 5)]


def test_fireplace_folder_needs_two_classes(isolated_outputs: Path):
    folder = _class_folder(isolated_outputs / "three", ("a", "b", "c"), 2)
    with pytest.raises(ValueError, match="exactly two classes"):
        tasks._fireplace(False, 0, folder, None)


def _split_folder(root: Path, classes: tuple[str, ...], n: int) -> Path:
    """train/valid/test/<class>/ with n photos per class and split: the common layout."""
    for split in ("train", "valid", "test"):
        _class_folder(root / split, classes, n)
    return root


def test_a_class_folder_serves_the_tasks_its_classes_name(isolated_outputs: Path):
    folder = _split_folder(isolated_outputs / "rooms", ("Kitchen", "bathroom", "bedroom",
                                                        "hall"), 3)
    data = tasks.load_tasks(False, 0, houses=str(folder))
    rooms = data["rooms"]
    assert rooms.available and rooms.class_names == ("kitchen", "bathroom", "bedroom")
    assert (len(rooms.train), len(rooms.val), len(rooms.test)) == (9, 9, 9)  # its own splits
    assert not data["balcony"].available and "balcony" in data["balcony"].reason
    assert "hall" in data["balcony"].reason  # says what the folder has
    assert rooms.describe().endswith("class folders left out, as no task of the report's has "
                                     "them: hall")  # a room class the report had not: said
    rows = tasks.counts_rows(data)
    assert {r["class here"] for r in rows if r["task"] == "rooms"} == {"kitchen", "bathroom",
                                                                       "bedroom"}
    with pytest.raises(ValueError, match="serves none of the tasks"):
        tasks.load_tasks(False, 0, houses=str(folder), tasks=["balcony"])


def test_a_class_folder_with_balcony_and_fireplace_classes(isolated_outputs: Path):
    folder = _class_folder(isolated_outputs / "mine", ("balcony", "indoor", "fireplace",
                                                       "no_fireplace"), 7)
    data = tasks.load_tasks(False, 0, houses=str(folder))
    assert data["balcony"].class_names == ("balcony", "indoor")
    assert data["fireplace"].class_names == ("fireplace", "no_fireplace")
    assert not data["rooms"].available
    assert sum(len(p) for p in (data["balcony"].train, data["balcony"].val,
                                data["balcony"].test)) == 14
    rows = [r for r in tasks.counts_rows(data) if r["task"] == "balcony"]
    assert [r["here"] for r in rows] == [7, 7]


def test_counts_rows_mark_a_task_that_did_not_run():
    rows = tasks.counts_rows({"fireplace": tasks._fireplace(False, 0, None, None)})
    assert [r["here"] for r in rows] == [None, None] and rows[0]["paper"] == 478


# -- the grid, with a tiny backbone standing in for the Keras applications -------------------------


def _scale(images: np.ndarray) -> np.ndarray:
    """MobileNetV2's own preprocessing (to [-1, 1]): what classify() applies for it."""
    from helpers import preprocessing

    return preprocessing.apply("imagenet", images, backbone="mobilenetv2")


def _tiny(backbone: str, n_classes: int, weights=None, image_size=32):
    """A two-layer stand-in for the page's ``build_classifier``: the page's head on it, the
    same preprocessing."""
    import keras

    keras.utils.set_random_seed(0)
    x = keras.Input((image_size, image_size, 3))
    y = keras.layers.Conv2D(6, 3, activation="relu", name="conv")(x)
    y = keras.layers.GlobalAveragePooling2D(name="pool")(y)
    base = keras.Model(x, y, name="tiny")
    return saved.classifier_on(base, n_classes, _scale, backbone,
                               WeightsInfo(requested=None, source="random init"))


#: The page's code with the tiny backbone in place of a keras.applications one.
TINY_PAGE = experiment.PageCode(_tiny, saved.set_mode, saved.reset_head, saved.sgd_recipe,
                                saved.train_classifier, saved.train_head)


#: Step times as the page's ``time_steps`` returns them (seconds per call), made up so that
#: the ratios are known: DenseNet fine-tuned 3x its frozen step, Inception 2.5x AlexNet.
STEP_TIMES = {
    "alexnet": {"frozen": np.array([0.10, 0.11, 0.09]), "load": np.array([0.05, 0.05])},
    "inceptionv3": {"frozen": np.array([0.25, 0.26, 0.24]), "load": np.array([0.05, 0.05])},
    "densenet121": {"frozen": np.array([0.2, 0.21, 0.19]), "finetune_all": np.array([0.6, 0.6, 0.6]),
                    "load": np.array([0.05, 0.05])},
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory):
    """One small grid (rooms and balcony, both modes) shared by the tests below."""
    from helpers import report

    tmp = tmp_path_factory.mktemp("attributes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOOKALIKE_REPORTS", str(tmp / "reports"))
        patch.setenv("LOOKALIKE_CACHE", str(tmp / "cache"))
        report.start("03_test", profile.SMOKE, seed=0)
        data = tasks.load_tasks(True, seed=3, max_per_class=10)
        exp = experiment.Experiment(data, ["mobilenetv2"], {"frozen": 3, "finetune_all": 2},
                                    experiment.GridOptions(image_size=32, copies=2, batch_size=8,
                                                           seed=0, head_seeds=2),
                                    models_dir=tmp / "models")
        for name in ("rooms", "balcony"):
            exp.run_task(name, TINY_PAGE)
            tables.record(exp, name)
            findings.record_stand_in_check(exp, name)
        tables.record(exp, "fireplace")  # not run: recorded as such
        findings.record_comparisons(exp, STEP_TIMES)
        yield exp


def test_grid_runs_every_mode_and_lists_the_reports_other_architectures(ran):
    runs = ran.task_runs("rooms")
    assert {(r.backbone, r.mode) for r in runs} == {("mobilenetv2", m) for m in tasks.MODES}
    n_val, n_test = len(ran.tasks["rooms"].val), len(ran.tasks["rooms"].test)
    for run in runs:
        assert run.status == experiment.RAN and run.seconds > 0
        seeds = 2 if run.mode == "frozen" else 1  # heads over seeds, fine-tuning once
        assert run.val_hits.shape == (seeds, n_val) and run.test_hits.shape == (seeds, n_test)
        first = run.val_hits[0].mean()
        assert first == pytest.approx(max(run.history["val_accuracy"]), abs=1e-6)
        assert run.probs.shape == (len(ran.tasks["rooms"].val), 3)
        assert np.allclose(run.probs.sum(axis=1), 1, atol=1e-5)
        kept = run.history["val_accuracy"][run.best_epoch - 1]
        assert kept == pytest.approx(first, abs=1e-6)  # the best epoch's weights are kept
    assert ran.task_runs("rooms", "frozen")[0].prep_seconds > 0  # features computed first
    # Fine-tuning starts from the head feature extraction trained (the default), and says so.
    assert ran.task_runs("rooms", "finetune_all")[0].start == "feature-extraction head"
    rows = tables.rows(ran, "rooms", "frozen")
    report_rows = rows[:len(tasks.ARCHITECTURES)]
    assert [r["paper model"] for r in report_rows] == [a.paper for a in tasks.ARCHITECTURES]
    assert all(r["here"] is None for r in report_rows)  # none of them ran: no number of ours
    alex = next(r for r in rows if r["paper model"] == "AlexNet")
    assert alex["paper"] == pytest.approx(0.9322) and "no AlexNet" in alex["status"]
    ours = next(r for r in rows if r["model here"] == "mobilenetv2")
    assert ours["paper"] is None and ours["weights"] == "RANDOM init"
    assert ours["here"] == pytest.approx(ran.task_runs("rooms", "frozen")[0].best_val_accuracy)
    chance = [r for r in rows if r["paper model"].startswith("chance")]
    assert [r["here"] for r in chance] == pytest.approx([1 / 3, 1 / 3])


def test_frozen_head_is_copied_into_the_full_classifier(ran):
    # The saved model (backbone + head) must give the validation probabilities of the run.
    best = ran.best("rooms")
    model, meta = predict.load("rooms", ran.models_dir)
    images = ran.images("rooms", "val", 32)
    probs = model.predict(_scale(images), verbose=0)
    assert meta["mode"] == best.mode and meta["class_names"] == ["kitchen", "bathroom", "bedroom"]
    np.testing.assert_allclose(probs, best.probs, atol=1e-4)


def test_record_writes_every_cell_of_the_grid(ran):
    from helpers import report

    metrics = report.current().data["metrics"]
    cell = metrics["rooms_mobilenetv2_frozen_val_acc"]
    assert cell["paper"] is None and cell["value"] is not None  # not AlexNet's number
    assert cell["n_seeds"] == 2 and cell["n_items"] == len(ran.tasks["rooms"].val)
    assert cell["interval"]["low"] <= cell["value"] <= cell["interval"]["high"]
    test = metrics["rooms_best_frozen_test_acc"]
    assert test["n_items"] == len(ran.tasks["rooms"].test) and test["value"] is not None
    # Every metric a claim names is recorded (as None with its reason where it cannot run).
    named = {n for c in claims.CLAIMS for n in (*c.metrics, *c.baselines)}
    named |= {c.not_testable_if for c in claims.CLAIMS if c.not_testable_if}
    assert named <= metrics.keys(), named - metrics.keys()
    # DenseNet, an epoch of the report's rooms: 755 training photos through steps of each mode,
    # 189 validation photos forward, costed as frozen steps, and all 944 loaded
    assert metrics["rooms_finetune_time_ratio"]["value"] == pytest.approx(
        (755 * 0.6 + 189 * 0.2 + 944 * 0.05) / (755 * 0.2 + 189 * 0.2 + 944 * 0.05))
    assert metrics["inception_alexnet_time_ratio"]["value"] == pytest.approx(
        (1305 * 0.25 + 1305 * 0.05) / (1305 * 0.1 + 1305 * 0.05))
    assert metrics["inception_alexnet_time_ratio"]["paper"] == 3.0
    assert metrics["rooms_worst_frozen_val_acc"]["value"] is None  # one backbone only
    assert metrics["rooms_resnet50_finetune_val_acc"]["value"] is None
    assert metrics["rooms_resnet50_finetune_val_acc"]["note"] == experiment.NOT_RUN
    assert metrics["rooms_best_finetune_val_acc"]["paper"] == pytest.approx(0.9791)
    assert metrics["rooms_best_frozen_val_acc"]["weights"]["pretrained"] is False
    assert not report.current().path.exists()  # nothing saved before the run completes
    saved = json.loads(report.current().finish().read_text())
    assert saved["metrics"].keys() == metrics.keys()


def test_classify_answers_every_saved_task(ran):
    item = ran.tasks["rooms"].val.items[0]
    answer = predict.classify(item, folder=ran.models_dir)
    assert set(answer) == {"rooms", "balcony"}
    label, prob = answer["rooms"]
    assert label in ("kitchen", "bathroom", "bedroom") and 0 < prob <= 1
    best = ran.best("rooms")
    assert prob == pytest.approx(best.probs[0].max(), abs=1e-4)


def test_figures_and_sentences_come_from_the_runs(ran):
    from helpers.studies.rahlen2019 import figures

    fig = figures.curves(ran, "rooms")
    assert len([ax for ax in fig.axes if ax.lines]) == 4  # loss + accuracy, two modes
    rows = figures.tradeoff_rows(ran)
    assert {r["task"] for r in rows} == {"rooms", "balcony"}
    assert all(r["paper"] is None for r in rows)  # MobileNetV2 is not AlexNet
    text = sentences.grid_sentence(ran, "rooms", "frozen")
    assert "random-init control" in text and "resnet50" in text
    fig, n_wrong = figures.misclassified(ran, "rooms")
    wrong = int((ran.best("rooms").probs.argmax(1) != ran.best("rooms").y_true).sum())
    assert n_wrong == wrong
    assert "not run" in sentences.best_sentence(ran, "fireplace")
    kept = ran.tasks["fireplace"]
    ran.tasks["fireplace"] = tasks._fireplace(False, 0, None, None)  # no folder given
    try:
        fire = tables.rows(ran, "fireplace", "frozen")
    finally:
        ran.tasks["fireplace"] = kept
    assert any("folder you supply" in r["status"] for r in fire)  # in the table itself


# -- checks ---------------------------------------------------------------------------------------


def test_experiment_rejects_bad_settings(smoke_tasks):
    with pytest.raises(ValueError, match="unknown modes"):
        experiment.Experiment(smoke_tasks, ["mobilenetv2"], {"frozen": 1},
                              experiment.GridOptions(modes=["partial"]))
    with pytest.raises(ValueError, match="at least 1"):
        experiment.Experiment(smoke_tasks, ["mobilenetv2"], {"frozen": 0},
                              experiment.GridOptions(modes=["frozen"]))
    with pytest.raises(ValueError, match="finetune_from"):
        experiment.Experiment(smoke_tasks, ["mobilenetv2"], {"frozen": 1},
                              experiment.GridOptions(modes=["frozen"], finetune_from="imagenet"))
    with pytest.raises(ValueError, match="unknown backbone"):
        experiment.Experiment(smoke_tasks, ["alexnet"], {"frozen": 1},
                              experiment.GridOptions(modes=["frozen"]))


def test_classify_without_models_says_to_run_the_notebook(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="notebook 03"):
        predict.classify("x.jpg", folder=tmp_path)
    (tmp_path / "03_rooms.keras").write_bytes(b"")  # no metadata beside it: not listed
    assert predict.available(tmp_path) == []


@pytest.mark.slow
def test_paper_profile_builds_and_trains_every_architecture(isolated_outputs: Path):
    """The paper profile's grid, shrunk: both modes, frozen on images (copies=None), for the
    four architectures no other test or smoke run trains (the MobileNets are trained there).
    About 90 s on a quiet 2-core machine."""
    data = tasks.load_tasks(True, seed=0, max_per_class=7)  # 7: one photo each for test
    data = {"rooms": data["rooms"]}
    names = ["resnet50", "vgg16", "densenet121", "inceptionv3"]
    options = experiment.GridOptions(image_size=75, weights=None, copies=None, batch_size=4,
                                     finetune_from="fresh")
    exp = experiment.Experiment(data, names, {"frozen": 1, "finetune_all": 1}, options,
                                save_models=False)
    exp.run_task("rooms")
    assert {r.start for r in exp.task_runs("rooms", "finetune_all")} == {"fresh head"}
    assert {(r.backbone, r.mode) for r in exp.task_runs("rooms")} == {
        (b, m) for b in names for m in tasks.MODES}
    assert all(np.isfinite(r.best_val_accuracy) for r in exp.task_runs("rooms"))


# -- findings and the engine -----------------------------------------------------------------------


def test_step_ratio_interval_brackets_the_ratio_of_means():
    frozen, tuned = np.array([1.0, 1.1, 0.9, 1.0]), np.array([2.9, 3.1, 3.0, 3.0])
    interval = timing.ratio_interval(frozen, tuned)
    assert interval.estimate == pytest.approx(3.0)
    assert interval.low < 3.0 < interval.high and interval.low > 2.5
    with pytest.raises(ValueError, match="two positive"):
        timing.ratio_interval([1.0], tuned)


def test_alexnet_on_the_page_has_the_reports_eight_layers_and_its_steps_are_timed():
    import keras

    clf = saved.report_classifier("alexnet", 3, 64)  # small photos: the same eight layers
    layers = [layer for layer in saved.flat_layers(clf.model) if layer.weights]
    kinds = [type(layer).__name__ for layer in layers]
    assert kinds == ["Conv2D"] * 5 + ["Dense"] * 3  # five convolutions, three dense (2.3.3)
    assert [layer.kernel.shape[:2] for layer in layers[:5]] == [(11, 11), (5, 5), (3, 3),
                                                               (3, 3), (3, 3)]
    assert layers[-1].units == 3 and layers[-1].activation is keras.activations.softmax
    images = np.random.default_rng(0).integers(0, 255, (4, 64, 64, 3)).astype(np.uint8)
    seconds = saved.time_steps(clf, images, np.array([0, 1, 2, 0]), steps=2)
    assert set(seconds) == {"frozen", "finetune_all"}
    assert all(len(s) == 2 and (s > 0).all() for s in seconds.values())
    # Frozen: only the head's two weights learn; fine-tuning: every weight (no BatchNorm here).
    saved.set_mode(clf, "frozen")
    assert len(clf.model.trainable_weights) == 2
    saved.set_mode(clf, "finetune_all")
    assert len(clf.model.trainable_weights) == 2 * 8


def test_epoch_ratio_costs_validation_as_frozen_steps_and_needs_both_timed():
    interval = timing.epoch_ratio(STEP_TIMES, ("inceptionv3", "frozen"), ("alexnet", "frozen"),
                                  "balcony")
    assert interval.estimate == pytest.approx(2.0) and interval.low < 2.0 < interval.high
    assert timing.epoch_ratio(STEP_TIMES, ("alexnet", "finetune_all"), ("alexnet", "frozen"),
                              "rooms") is None
    assert timing.TIMED_MODES == {"alexnet": ("frozen",), "inceptionv3": ("frozen",),
                                  "densenet121": ("frozen", "finetune_all")}


def test_thumbnail_baseline_separates_what_a_colour_separates():
    class Part:
        def __init__(self, images, labels):
            self._images, self.labels = images, np.asarray(labels)
            self.class_names = ("bright", "dark")

        def __len__(self):
            return len(self.labels)

        def images(self, size, progress=False):
            return self._images[:, :size, :size]

    rng = np.random.default_rng(0)
    labels = np.tile([0, 1], 20)
    images = np.where(labels[:, None, None, None] == 0, 200, 40) + rng.integers(
        0, 30, (40, 8, 8, 3))
    data = tasks.TaskData(tasks.TASKS["balcony"], Part(images[:30], labels[:30]),
                          Part(images[30:], labels[30:]))
    assert findings.thumbnail_hits(data).mean() == 1.0


def test_a_stand_in_check_makes_the_claim_not_testable():
    from helpers import verdicts

    claim = next(c for c in claims.CLAIMS if c.metrics == ("balcony_best_frozen_val_acc",))
    hits = [1] * 118 + [0] * 2
    entry = {"value": float(np.mean(hits)), "paper": 0.9694, "scores": hits,
             "interval": {"low": 0.95, "high": 1.0}, "data": {"origin": "LOOKALIKE_DATA"},
             "weights": {"pretrained": True}}
    check = {"value": True, "note": "stand-in too easy: thumbnails score 0.963"}
    metrics = {"profile": "standard", "metrics": {"balcony_best_frozen_val_acc": entry,
                                                  "balcony_stand_in_too_easy": check}}
    found = verdicts.judge(claim, metrics)
    assert found.verdict == verdicts.NOT_TESTABLE and "thumbnails" in found.why
    metrics["metrics"]["balcony_stand_in_too_easy"] = {**check, "value": False}
    assert verdicts.judge(claim, metrics).verdict == verdicts.REPRODUCED


def _judge(claim_metric: str, entries: dict, kind: str | None = None):
    from helpers import verdicts

    claim = next(c for c in claims.CLAIMS if c.metrics == (claim_metric,)
                 and (kind is None or c.kind == kind))
    real = {"data": {"origin": "LOOKALIKE_DATA"}, "weights": {"pretrained": True}}
    metrics = {name: {**real, **entry} for name, entry in entries.items()}
    return verdicts.judge(claim, {"profile": "standard", "metrics": metrics}).verdict


def test_the_time_rules_are_the_reports_own_words():
    from helpers import verdicts

    def ratio(value, low, high, paper):
        return {"value": value, "paper": paper, "interval": {"low": low, "high": high}}

    # "three times" as the report uses it of its own 2.75: 2.5-3.5
    three = "inception_alexnet_time_ratio"
    assert _judge(three, {three: ratio(2.75, 2.6, 2.9, 3.0)}) == verdicts.REPRODUCED
    assert _judge(three, {three: ratio(2.0, 1.9, 2.1, 3.0)}) == verdicts.CONTRADICTED
    # two architectures timed on a CPU cannot test a ratio the report timed on a GPU
    cpu = {"value": True, "note": "the report timed a Tesla K80 GPU; timed here on the CPU only"}
    assert _judge(three, {three: ratio(2.0, 1.9, 2.1, 3.0), "timed_without_gpu": cpu}) == \
        verdicts.NOT_TESTABLE
    assert _judge(three, {three: ratio(2.0, 1.9, 2.1, 3.0),
                          "timed_without_gpu": {**cpu, "value": False}}) == verdicts.CONTRADICTED
    # "more than twice": above 2, no accuracy tolerance borrowed
    twice = "rooms_finetune_time_ratio"
    assert _judge(twice, {twice: ratio(2.3, 2.1, 2.5, 2.0)}) == verdicts.REPRODUCED
    assert _judge(twice, {twice: ratio(1.98, 1.9, 2.05, 2.0)}) == verdicts.INCONCLUSIVE
    assert _judge(twice, {twice: ratio(2.3, 2.1, 2.5, 2.0), "timed_without_gpu": cpu}) == \
        verdicts.REPRODUCED  # one architecture in two modes stays testable on a CPU


def test_about_three_points_admits_the_reports_own_spreads():
    from helpers import verdicts

    def spread(difference):  # worst - best on the same photos, a tight interval around it
        return {"rooms_worst_frozen_val_acc": {
                    "value": 0.9375, "interval": {"low": 0.90, "high": 0.97},
                    "intervals": {"rooms_best_frozen_val_acc": {
                        "low": difference - 0.002, "high": difference + 0.002}}},
                "rooms_best_frozen_val_acc": {"value": 0.9375 - difference},
                "rooms_stand_in_too_easy": {"value": False}}

    metric = "rooms_worst_frozen_val_acc"
    assert _judge(metric, spread(-0.0312), kind="beats") == verdicts.REPRODUCED  # 4.3.2's 3.12
    assert _judge(metric, spread(-0.040), kind="beats") == verdicts.CONTRADICTED  # 4 points
    over = spread(-0.01)
    assert _judge(metric, over, kind="at_least") == verdicts.NOT_TESTABLE  # no paper: 0.93
    over[metric]["paper"] = 0.93
    assert _judge(metric, over, kind="at_least") == verdicts.INCONCLUSIVE  # [0.90, 0.97]
