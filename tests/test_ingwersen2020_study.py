"""Notebook 01's study code: claim rows, the paper's flaw pair, recording with intervals, the
seeded grid and the tables 4-5 sweep (tiny data, a few epochs)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import report, verdicts
from helpers.studies.ingwersen2020 import claims, families, paper, profile, recording, saved
from helpers.studies.ingwersen2020 import grid as study
from helpers.sweep import Runs
from helpers.uncertainty import CONTRADICTED, NOT_TESTABLE, REPRODUCED

PAGE = study.PageCode(saved.AESpec, saved.train_autoencoder, saved.retrieval_hits)
TINY = saved.AE_RECIPE.replace(optimizer="adam", epochs=2, batch_size=32, patience=2, seed=0)


def _data(n: int = 120, dim: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n // 3)
    x = np.abs(rng.normal(size=(n, dim)) + 2.0 * np.eye(3, dim)[y]).astype(np.float32)
    return x, y


def test_each_headline_claim_has_exactly_one_row() -> None:
    statements = [c.statement for c in claims.CLAIMS]
    for words in ("Places preprocessing boosts", "every metric (4 of 4)", "Shallow autoencoders",
                  "take longer to converge", "t-SNE KL", "on par", "up to 30 points",
                  "Places-pretrained", "out of the box", "Broader bottlenecks", "Adding noise"):
        assert sum(words in s for s in statements) == 1, words
    places = next(c for c in claims.CLAIMS if "Places preprocessing boosts" in c.statement)
    expected = [(claims.scheme_metric("places", b), claims.scheme_metric(s, b))
                for b in claims.CAFFE_BACKBONES for s in ("simple", "imagenet")]
    assert places.pairs() == expected  # the report's Caffe-mode backbones only
    assert places.not_testable_if == "places_scheme_range_mismatch"
    four = next(c for c in claims.CLAIMS if "4 of 4" in c.statement)
    assert len(four.pairs()) == 4 and four.tolerance == 0.0  # 4 of 4, no "within 0.01"
    assert all(m.startswith("ae_8x_") for m in four.metrics)  # the report's AE-512, not a pick
    shallow = next(c for c in claims.CLAIMS if "Shallow" in c.statement)
    assert len(shallow.pairs()) == 3
    tsne = next(c for c in claims.CLAIMS if "t-SNE" in c.statement)
    assert len(tsne.pairs()) == 3 and tsne.not_testable_if == "tsne_kl_scales_differ"
    assert places.chance_for(expected[0][0]) == pytest.approx(79 / 479)  # top-1, 6 x 80 rooms
    assert [c.statement for c in claims.CLAIMS if c.beyond_report] == [
        "The autoencoder chosen on validation (any family) beats the plain features on test"]


def test_every_claims_paper_number_and_card_line_exists() -> None:
    from helpers.studies.ingwersen2020 import method

    keys = {s.key for s in method.CARD.settings}
    for claim in claims.CLAIMS:
        assert set(claim.card) <= keys, claim.statement
        if claim.kind in ("at_least", "about") and not claim.beyond_report:
            assert paper.paper_for(claim.metric) is not None, claim.statement
    assert paper.paper_for("ae_2x_test_top1") == 0.782 and paper.paper_for("ae_8x_val_top1") == 0.783
    assert paper.paper_for("deep_minus_denoising_test_top1") == pytest.approx(-0.003)
    assert paper.paper_for("scheme_spread_test_top1") == pytest.approx(0.313)


def test_a_tie_two_random_rankings_also_meet_is_not_testable() -> None:
    # "On par" is met by chance (two random rankings differ by 0): the row says so.
    on_par = {"deep_minus_denoising_test_top1": {"value": 0.001, "interval": [-0.005, 0.007]}}
    assert _judge("on par", on_par) == NOT_TESTABLE
    spread = {"scheme_spread_test_top1": {"value": 0.30, "interval": [0.27, 0.33], "paper": 0.313}}
    assert _judge("up to 30 points", spread) == REPRODUCED


def _judge(statement: str, metrics: dict) -> str:
    claim = next(c for c in claims.CLAIMS if statement in c.statement)
    run = {"profile": "standard", "metrics": metrics,
           "weights": {"by_backbone": {"mobilenetv2": {"pretrained": True}}}}
    return verdicts.judge(claim, run).verdict


@pytest.mark.parametrize(("statement", "check"), [
    ("Places preprocessing boosts", "places_scheme_range_mismatch"),
    ("Places-pretrained", "no_places365_weights"),
    ("t-SNE KL", "tsne_kl_scales_differ"),
])
def test_a_row_whose_stand_in_cannot_test_it_is_not_testable(statement, check) -> None:
    # The check recorded True (a MobileNet, no Places365 weights, a built-in drop, KLs of two
    # widths): not testable here, whatever numbers stand beside it.
    assert _judge(statement, {check: {"value": True, "note": "why"}}) == NOT_TESTABLE


def test_the_flaws_paper_cost_comes_from_one_comparable_pair() -> None:
    assert ("resnet50", "imagenet_then_255_bug") not in paper.PAPER_BASELINES  # an AE row
    places, flawed = paper.FLAWED_PIPELINE["resnet50"]
    assert (places, flawed) == (paper.TABLE5_RESNET50_DAE["places"]["test_top1"],
                                paper.TABLE5_RESNET50_DAE["imagenet_then_255_bug"]["test_top1"])
    assert paper.paper_for("flawed_pipeline_drop_top1") == pytest.approx(0.309)


def test_chance_row_is_the_exact_level_beside_a_measured_one() -> None:
    y = np.repeat(np.arange(6), 80)
    row = recording.chance_row({"test": y}, label_column="backbone")
    assert row["backbone"].startswith("chance")
    assert row["test_top1"] == pytest.approx(79 / 479, abs=1e-3)
    assert round(row["test_top5"], 2) == 0.60 and "measured" in row["note"]


def _grid(best_epochs: dict[str, list[int]] | None = None) -> study.SeededGrid:
    """A grid as a sweep leaves it, without training: each spec's first-seed validation top-1
    as given, and its epochs to the best validation MSE per seed (one seed unless given)."""
    specs = [saved.AESpec(hidden=(6,)), saved.AESpec(hidden=(3,)), saved.AESpec(hidden=(3,), noise=0.3),
             saved.AESpec(hidden=(6, 3))]
    val_top1 = (0.5, 0.6, 0.4, 0.3)
    runs = {}
    for spec, v in zip(specs, val_top1, strict=True):
        epochs = (best_epochs or {}).get(spec.name, [5])
        models = [SimpleNamespace(optimizer="adam", epochs_run=e, best_epoch=e, best_val_loss=0.1,
                                  seconds=1.0, input_dim=12) for e in epochs]
        hits = {"val_top1": (np.arange(10) < round(10 * v)).astype(np.int8)}
        runs[spec] = Runs(spec, spec.name, seeds=list(range(len(epochs))), results=models,
                          split_hits=[hits] * len(epochs), seconds=[1.0] * len(epochs))
    return study.SeededGrid(runs)


def test_claim_entries_choose_on_validation_and_pair_tables_4_and_5() -> None:
    entries = study.paper_grid(saved.AESpec, 12)
    roles = recording.claim_entries(_grid(), entries)
    # The report's own table-3 models are fixed by its layer sizes, never chosen.
    widths = {role: saved.AESpec((w,)).name for role, w in
              (("ae_2x", 6), ("ae_8x", 2), ("ae_widest", 9), ("ae_narrowest", 2))}
    assert {r: roles[r] for r in widths} == widths
    assert roles["best_ae"] == "AE 3" and roles["best_ae_4x"] == "AE 3"
    assert roles["family denoising"] == "DAE 3 noise 0.3" and roles["family deep"] == "deep AE 6-3"
    assert (roles["deep_ae"], roles["denoising_ae"]) == ("deep AE 6-3", "DAE 3 noise 0.3")


@pytest.mark.parametrize(("deep", "verdict"), [((30, 28, 35), REPRODUCED), ((5, 6, 4), CONTRADICTED)])
def test_convergence_is_judged_on_the_seeds_paired_difference(tmp_path, monkeypatch, deep,
                                                              verdict) -> None:
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("01_ingwersen_autoencoders", {"profile": "standard"}, seed=0)
    grid = _grid({"deep AE 6-3": list(deep), "DAE 3 noise 0.3": [10, 11, 9]})
    recording.record_convergence(grid, recording.claim_entries(grid, []))
    run = report.current().data
    run["weights"] = {"by_backbone": {"mobilenetv2": {"pretrained": True}}}
    claim = next(c for c in claims.CLAIMS if "converge" in c.statement)
    assert verdicts.judge(claim, run).verdict == verdict


def test_seeded_grid_stacks_hits_over_seeds_and_judges_with_intervals(tmp_path, monkeypatch) -> None:
    x, y = _data()
    splits = {"test": (x[60:90], y[60:90]), "val": (x[90:], y[90:])}
    specs = [saved.AESpec(hidden=(4,)), saved.AESpec(hidden=(4,), noise=0.3, noise_type="mask")]
    sweep = study.autoencoder_sweep(PAGE, x[:60], splits, TINY, (0, 1), scaling="max")
    grid = study.SeededGrid(sweep.run(specs, seeds=[0]))  # every entry at the first seed
    sweep.run([specs[0], specs[0]], into=grid.runs)  # the second seed for one, trained once
    assert grid.seeds[specs[0].name] == [0, 1] and grid.seeds[specs[1].name] == [0]
    assert grid.hits[specs[0].name]["test_top1"].shape == (2, 30)
    row = grid.mean_row(specs[0].name)
    assert row["test_top1"] == pytest.approx(grid.hits[specs[0].name]["test_top1"].mean())
    assert grid.rows[0]["test_top1"] == pytest.approx(grid.hits[specs[0].name]["test_top1"][0].mean())


class _FakeSweep:
    """What :func:`families.family_sweep` reads of a baseline sweep, on random features."""

    def __init__(self, y: np.ndarray) -> None:
        rng = np.random.default_rng(0)
        self.vectors = {("b", s, split): np.abs(rng.normal(size=(30, 8))).astype(np.float32)
                        for s in ("simple", "places") for split in ("test", "val")}
        self.labels = {("b", split): y[:30] for split in ("test", "val")}

    def extract(self, backbone, imageset, scheme, image_size, batch_size=32):
        return np.abs(np.random.default_rng(1).normal(size=(len(imageset), 8))).astype(np.float32)

    def row(self, backbone, scheme):
        return {"weights": "RANDOM init", "test_top1": 0.3}


class _FakeImages:
    def __init__(self, labels: np.ndarray) -> None:
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, index):
        return _FakeImages(self.labels[index])


def test_family_sweep_runs_tables_4_and_5_per_backbone_and_scheme() -> None:
    y = np.repeat(np.arange(3), 20)
    settings = dataclasses.replace(profile.SMOKE, family_backbones=("b",),
                                   family_schemes=("simple", "places"), family_train_per_class=10,
                                   image_size=32, batch_size=8)
    rows = families.family_sweep(PAGE, _FakeSweep(y), _FakeImages(y), settings, TINY, progress=None)
    assert [(r["table"], r["scheme"]) for r in rows] == [
        ("Table 5", "simple"), ("Table 4", "simple"), ("Table 5", "places"), ("Table 4", "places")]
    assert {r["train images"] for r in rows} == {30}  # 10 per class of 3
    assert families.family_summary(rows).shape == (2, 2)
    assert all("not run" in r["here"] for r in families.table6_rows())
