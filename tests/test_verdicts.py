"""helpers.verdicts: every rule kind, intervals and chance, the studies' declarations, and the
notebook table agreeing with RESULTS.md row for row."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from helpers import report, results, verdicts
from helpers.verdicts import CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE, REPRODUCED, Claim

REPO = Path(__file__).resolve().parents[1]


def _metrics(**entries: dict) -> dict:
    return {"profile": "standard", "data": {"name": "places6", "origin": "LOOKALIKE_DATA"},
            "metrics": entries}


def test_at_least_holds_within_the_declared_tolerance_and_not_beyond() -> None:
    m = _metrics(top1={"value": 0.60, "paper": 0.644, "interval": [0.597, 0.603]})
    assert verdicts.judge(Claim("s", "top1", tolerance=0.05), m).verdict == REPRODUCED
    assert verdicts.judge(Claim("s", "top1", tolerance=0.04), m).verdict == CONTRADICTED
    judged = verdicts.judge(Claim("s", "top1", tolerance=0.05), m)
    assert judged.holds is True and judged.comparisons[0].reference == 0.644
    assert "tolerance 0.050" in judged.why


def test_a_number_without_an_interval_is_inconclusive_with_its_point_side() -> None:
    m = _metrics(top1={"value": 0.60, "paper": 0.644}, a={"value": 0.7}, b={"value": 0.6})
    judged = verdicts.judge(Claim("s", "top1", tolerance=0.05), m)
    assert judged.verdict == INCONCLUSIVE and verdicts.NO_INTERVAL in judged.why
    assert judged.point_holds is True and judged.holds is None
    assert verdicts.judge(Claim("s", "top1", tolerance=0.04), m).point_holds is False
    beaten = verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b"), m)
    assert beaten.verdict == INCONCLUSIVE and beaten.point_holds is True
    assert "inconclusive (no interval recorded)" in results.row(beaten, m)["verdict"]


def test_beats_below_finite_true_false() -> None:
    m = _metrics(a={"value": 0.7, "intervals": {"b": [0.05, 0.15]}},
                 b={"value": 0.6, "intervals": {"a": [-0.15, -0.05]}},
                 loss={"value": 1.0}, nan={"value": True})
    assert verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b"), m).holds is True
    assert verdicts.judge(Claim("b > a", "b", kind="beats", baseline="a"), m).holds is False
    assert verdicts.judge(Claim("a < b", "a", kind="below", baseline="b"), m).holds is False
    assert verdicts.judge(Claim("by 0.2", "a", kind="beats", baseline="b", tolerance=0.2),
                          m).holds is False
    assert verdicts.judge(Claim("finite", "loss", kind="finite"), m).holds is True
    assert verdicts.judge(Claim("went NaN", "nan", kind="true"), m).holds is True
    assert verdicts.judge(Claim("no NaN", "nan", kind="false"), m).holds is False


def test_a_missing_metric_is_not_measured() -> None:
    judged = verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b"),
                            _metrics(a={"value": 0.7}))
    assert judged.verdict == NOT_TESTABLE and judged.why == "b not recorded"
    assert judged.holds is None


def test_several_metrics_must_all_clear_the_rule() -> None:
    claim = Claim("4 of 4", ("x1", "x2"), kind="beats", baseline=("y1", "y2"))
    m = _metrics(x1={"value": 0.7, "intervals": {"y1": [0.05, 0.15], "y2": [0.05, 0.15]}},
                 x2={"value": 0.5, "intervals": {"y2": [-0.15, -0.05]}},
                 y1={"value": 0.6}, y2={"value": 0.6})
    judged = verdicts.judge(claim, m)
    assert judged.verdict == CONTRADICTED and judged.why.startswith("1 of 2")
    m["metrics"]["x2"].update(value=0.65, intervals={"y2": [0.01, 0.09]})
    assert verdicts.judge(claim, m).verdict == REPRODUCED
    one_vs_many = Claim("best", "x1", kind="beats", baseline=("y1", "y2"))
    assert [c.against for c in verdicts.judge(one_vs_many, m).comparisons] == ["y1", "y2"]
    with pytest.raises(ValueError):
        Claim("2 vs 3", ("a", "b"), kind="beats", baseline=("c", "d", "e")).pairs()


def test_an_interval_that_spans_the_threshold_is_inconclusive() -> None:
    claim = Claim("a > b", "a", kind="beats", baseline="b")
    m = _metrics(a={"value": 0.70, "intervals": {"b": [-0.02, 0.08]}}, b={"value": 0.67})
    assert verdicts.judge(claim, m).verdict == INCONCLUSIVE
    m["metrics"]["a"]["intervals"]["b"] = [0.01, 0.05]
    assert verdicts.judge(claim, m).verdict == REPRODUCED
    below = Claim("a < b", "a", kind="below", baseline="b")
    m["metrics"]["a"].update(value=0.60, intervals={"b": [-0.10, 0.02]})
    assert verdicts.judge(below, m).verdict == INCONCLUSIVE
    paper = Claim("reaches 0.644", "top1", tolerance=0.01)
    m = _metrics(top1={"value": 0.64, "paper": 0.644, "interval": [0.60, 0.68]})
    assert verdicts.judge(paper, m).verdict == INCONCLUSIVE


def test_a_rule_chance_already_passes_is_not_testable() -> None:
    m = _metrics(top10={"value": 1.0, "paper": 0.867})
    judged = verdicts.judge(Claim("top-10", "top10", tolerance=0.05, chance=0.90), m)
    assert judged.verdict == NOT_TESTABLE and "chance (0.900) already meets" in judged.why
    m["metrics"]["top10"]["interval"] = [0.99, 1.0]  # however sure, chance passes it too
    assert verdicts.judge(Claim("top-10", "top10", tolerance=0.05, chance=0.90),
                          m).verdict == NOT_TESTABLE


_RATE = re.compile(r"top\d|acc|recall")


def _at_chance(claim: Claim, metrics: dict) -> dict:
    """The run with each claimed-better number replaced by its chance level, sure to the
    third decimal: what the rule would say if a random ranking / the majority class stood in."""
    out = copy.deepcopy(metrics)
    entries = out["metrics"]
    if claim.kind == "at_least":
        for name in claim.metrics:
            c = claim.chance_for(name)
            entries[name].update(value=c, interval=[c - 1e-3, c + 1e-3])
    for name, base in claim.pairs() if claim.kind in verdicts.COMPARED else ():
        if claim.kind == "beats":
            c, ref = claim.chance_for(name), verdicts.number(entries[base]["value"])
            entries[name].update(value=c, intervals={base: [c - ref - 1e-3, c - ref + 1e-3]})
        else:
            c, value = claim.chance_for(base), verdicts.number(entries[name]["value"])
            entries[base].update(value=c)
            entries[name]["intervals"] = {base: [value - c - 1e-3, value - c + 1e-3]}
    return out


def test_every_claims_rule_is_checked_against_its_chance_row() -> None:
    """Every claim on a retrieval or classification metric declares its chance level, and no
    rule that chance alone passes is "reproduced" on the committed runs."""
    for notebook, claims in verdicts.all_claims().items():
        metrics = json.loads((REPO / "reports" / "metrics" / f"{notebook}.json").read_text())
        for claim in claims:
            rates = [n for n in claim.metrics + claim.baselines if _RATE.search(n)]
            assert all(claim.chance_for(n) is not None for n in rates), claim.statement
            if not rates or any(verdicts.number((metrics["metrics"].get(n) or {}).get("value"))
                                is None for n in claim.metrics + claim.baselines):
                continue
            judged = verdicts.judge(claim, _at_chance(claim, metrics))
            assert judged.verdict != REPRODUCED, (notebook, claim.statement, judged.why)


def test_the_issues_chance_examples_are_declared() -> None:
    # Every flower test image a query against the other 199 (39 of its class): the chance that
    # a random ranking puts one of them in the top k is 1 - C(160, k) / C(199, k).
    from math import comb

    from helpers.studies.fetz2021 import claims as fetz
    from helpers.studies.xushi2023 import claims as xushi

    assert [round(fetz.TOPK_CHANCE[k], 3) for k in (1, 3, 10)] == [
        round(1 - comb(160, k) / comb(199, k), 3) for k in (1, 3, 10)] == [0.196, 0.482, 0.893]
    assert round(fetz.CNN_CHANCE, 2) == 0.20 and round(xushi.TOP2_CHANCE, 2) == 0.10
    top5 = next(c for c in verdicts.study("01").CLAIMS if c.metric == "baseline_test_top5")
    assert round(top5.chance_for("baseline_test_top5"), 2) == 0.60


def test_claims_beyond_the_report_are_apart_and_one_measurement_is_one_row() -> None:
    claims = verdicts.all_claims()
    beyond = {n: [c.statement for c in cs if c.beyond_report] for n, cs in claims.items()}
    assert len(beyond["05_totally_looks_like"]) == 4  # concat vs average is ours, not the report's
    assert any("SupCon beats cross-entropy" in s for s in beyond["02_jacobsen_finetuning_supcon"])
    assert any("finite loss" in s for s in beyond["02_jacobsen_finetuning_supcon"])
    drops = [c for cs in claims.values() for c in cs
             if {"flawed_pipeline_drop_top1", "baseline_buggy_top1_mobilenetv2"}
             & set(c.metrics + c.baselines)]
    assert len(drops) == 1
    metrics = json.loads((REPO / "reports" / "metrics" / "05_totally_looks_like.json").read_text())
    text = str(results.notebook_table("05", metrics))
    mine, apart = text.split(verdicts_beyond_heading())
    assert "Fusing two backbones" in mine and "zero-shot" in apart and "zero-shot" not in mine


def verdicts_beyond_heading() -> str:
    return results.BEYOND_HEADING


def test_yes_no_summaries_of_noisy_comparisons_wait_for_their_interval() -> None:
    m = _metrics(best={"value": True}, nan={"value": True})
    judged = verdicts.judge(Claim("Places best", "best", kind="true", exact=False), m)
    assert judged.verdict == INCONCLUSIVE and judged.point_holds is True
    assert verdicts.judge(Claim("went NaN", "nan", kind="true"), m).verdict == REPRODUCED
    with pytest.raises(ValueError):
        Claim("s", "a", exact=False)


def test_a_claim_declares_a_consistent_rule() -> None:
    with pytest.raises(ValueError):
        Claim("s", "a", kind="beats")  # a comparison needs a baseline
    with pytest.raises(ValueError):
        Claim("s", "a", kind="at_least", baseline="b")
    with pytest.raises(ValueError):
        Claim("s", "a", kind="roughly")


def test_every_study_declares_its_claims_and_titles() -> None:
    claims = verdicts.all_claims()
    assert list(claims) == list(verdicts.STUDIES)
    assert all(claims.values())
    assert verdicts.notebook_name("03") == "03_swedish_attribute_classifiers"
    with pytest.raises(KeyError):
        verdicts.notebook_name("09")
    # the tolerance comes from the study's declaration, the one its sentences use too (a
    # claim whose rule is the report's own threshold, "more than twice", "over 93 %", has none)
    from helpers.studies.rahlen2019 import claims as rahlen

    assert {c.tolerance for c in rahlen.CLAIMS if c.kind == "at_least" and c.tolerance} == {
        rahlen.TOLERANCE}


def test_against_paper_words() -> None:
    assert verdicts.against_paper(0.95, 0.94, 0.03).startswith("agrees with")
    assert verdicts.against_paper(0.90, 0.94, 0.03).startswith("is below")
    assert verdicts.against_paper(0.99, 0.94, 0.03).startswith("is above")


def test_notebook_table_and_results_give_the_same_rows() -> None:
    """The closing table of a notebook and its RESULTS.md section, on the same metrics."""
    metrics = json.loads((REPO / "reports" / "metrics" / "04_query_gallery_challenge.json")
                         .read_text())
    table = str(results.notebook_table("04", metrics)).splitlines()
    text = results.render({"04_query_gallery_challenge": metrics}, {"commit": "abc"})
    assert table[0].startswith("| claim | metric | paper | here | chance |")
    lines = text.splitlines()
    start = lines.index(table[0])
    assert lines[start:start + len(table)] == table
    reported = [c for c in results.CLAIMS["04_query_gallery_challenge"] if not c.beyond_report]
    assert all(line.startswith("|") for line in table[:2 + len(reported)])
    assert table[2 + len(reported):3 + len(reported)] in ([], [""])  # then the beyond section


def test_the_committed_runs_paper_numbers_come_from_the_paper_modules() -> None:
    """Moving the numbers out of the cells changed none of them (notebooks 01, 02, 05 record
    by name; 03 and 04 pass theirs from helpers that read the same modules)."""
    for name in ("01_ingwersen_autoencoders", "02_jacobsen_finetuning_supcon",
                 "05_totally_looks_like"):
        recorded = json.loads((REPO / "reports" / "metrics" / f"{name}.json").read_text())
        for metric, entry in recorded["metrics"].items():
            assert verdicts.paper_number(name, metric) == entry.get("paper"), (name, metric)


def test_record_takes_the_papers_number_from_the_study(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("05_totally_looks_like", {"profile": "smoke"}, seed=0)
    assert report.record("recall_at_20_mobilenetv2", 0.25) == 0.25
    report.record("fused_top2", 0.5, paper=0.7)  # an explicit number wins
    report.record("not_a_paper_metric", 1.0)
    metrics = report.current().data["metrics"]
    assert metrics["recall_at_20_mobilenetv2"]["paper"] == 0.1958
    assert metrics["fused_top2"]["paper"] == 0.7
    assert metrics["not_a_paper_metric"]["paper"] is None
    assert verdicts.paper_number("99_not_a_study", "x") is None


def test_an_interval_recorded_through_report_record_is_read(tmp_path, monkeypatch) -> None:
    """``report.record(..., interval=Interval)`` keeps it in the context; the engine reads it."""
    from helpers import uncertainty

    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("04_query_gallery_challenge", {"profile": "standard"}, seed=0)
    hits = [1.0] * 30 + [0.0] * 10
    report.record("top1", 0.75, paper=0.533, interval=uncertainty.item_interval(hits, seed=0))
    m = {**report.current().data, "data": {"name": "flowers", "origin": "LOOKALIKE_DATA"}}
    judged = verdicts.judge(Claim("s", "top1", tolerance=0.05, chance=0.2), m)
    assert judged.verdict == REPRODUCED and judged.comparisons[0].interval.n == 40
    assert "[0." in results.row(judged, m)["here"]


def test_per_item_scores_give_the_interval_and_the_paired_difference(tmp_path, monkeypatch) -> None:
    """``report.record_scores`` saves the hits and their interval; two metrics scored on the
    same items are compared with the paired interval of their difference, with no
    ``intervals`` recorded by hand."""
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("04_query_gallery_challenge", {"profile": "standard"}, seed=0)
    better = [1] * 30 + [0] * 10
    worse = [1] * 12 + [0] * 28
    assert report.record_scores("a", better) == pytest.approx(0.75)
    report.record_scores("b", worse)
    report.record_scores("close", [1] * 29 + [0] * 11)
    report.record_scores("other_items", [1, 0] * 30)
    m = {**report.current().data, "data": {"name": "flowers", "origin": "LOOKALIKE_DATA"}}
    entry = m["metrics"]["a"]
    assert entry["scores"] == better and entry["n_items"] == 40 and entry["n_seeds"] == 1
    assert entry["interval"]["low"] < 0.75 < entry["interval"]["high"]
    beats = verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b"), m)
    assert beats.verdict == REPRODUCED and "paired" in beats.comparisons[0].interval.method
    assert verdicts.judge(Claim("a > close", "a", kind="beats", baseline="close"),
                          m).verdict == INCONCLUSIVE
    unpaired = verdicts.judge(Claim("a > other", "a", kind="beats", baseline="other_items"), m)
    assert unpaired.verdict == INCONCLUSIVE and verdicts.NO_INTERVAL in unpaired.why


def test_scores_over_seeds_and_a_value_that_is_not_their_mean(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("04_query_gallery_challenge", {"profile": "standard"}, seed=0)
    seeds = [[1] * 30 + [0] * 10, [1] * 28 + [0] * 12, [1] * 31 + [0] * 9]
    report.record_scores("head", seeds)
    entry = report.current().data["metrics"]["head"]
    assert entry["n_seeds"] == 3 and "3 seeds" in entry["interval"]["method"]
    with pytest.raises(ValueError, match="not the mean"):
        report.record("wrong", 0.9, scores=[1, 0, 1, 0])
    with pytest.raises(ValueError, match="at least 2 items"):
        report.record_scores("one", [1])
    loss = report.record_scores("loss", [2.5, 3.0, 1.0], score_bounds=None)
    assert loss == pytest.approx(6.5 / 3)


def test_about_reads_both_sides_and_incomparable_numbers_are_shown_not_judged() -> None:
    m = _metrics(loss={"value": 0.99, "paper": 1.0, "interval": [0.975, 1.005]},
                 high={"value": 1.5, "paper": 1.0, "interval": [1.4, 1.6]},
                 wide={"value": 1.2, "paper": 1.0, "interval": [0.9, 1.5]})
    about = dict(kind="about", tolerance=0.3)
    assert verdicts.judge(Claim("s", "loss", **about), m).verdict == REPRODUCED
    assert verdicts.judge(Claim("s", "high", **about), m).verdict == CONTRADICTED  # at_least: yes
    assert verdicts.judge(Claim("s", "wide", **about), m).verdict == INCONCLUSIVE
    with pytest.raises(ValueError, match="tolerance"):
        Claim("s", "loss", kind="about")
    shown = verdicts.judge(Claim("s", "loss", incomparable="other photos, other models"), m)
    assert shown.verdict == NOT_TESTABLE and "other photos" in shown.why
    assert "0.990" in results.row(shown, m)["here"]
    with pytest.raises(ValueError, match="absolute"):
        Claim("s", "loss", kind="beats", baseline="high", incomparable="x")


def test_two_models_tied_on_every_item_get_the_binomial_bound_not_certainty(tmp_path,
                                                                          monkeypatch) -> None:
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("04_query_gallery_challenge", {"profile": "standard"}, seed=0)
    report.record_scores("a", [1] * 14)
    report.record_scores("b", [1] * 14)
    m = {**report.current().data, "data": {"name": "ukbench", "origin": "LOOKALIKE_DATA"}}
    judged = verdicts.judge(Claim("a within 0.05 of b", "a", kind="beats", baseline="b",
                                  tolerance=-0.05), m)
    interval = judged.comparisons[0].interval
    assert judged.verdict == INCONCLUSIVE and interval.low < -0.2 and interval.high > 0.2
    old = {k: {kk: vv for kk, vv in v.items() if kk != "score_bounds"}
           for k, v in m["metrics"].items()}  # a record saved before the range was
    again = verdicts.judge(Claim("s", "a", kind="beats", baseline="b", tolerance=-0.05),
                           {**m, "metrics": old})
    assert again.comparisons[0].interval.low == pytest.approx(interval.low)


# -- controls (issue 29, item 7) -----------------------------------------------------------------


def _compared(**extra: dict) -> dict:
    """a beats b by 0.1 with a sure interval; both well above a chance of 0.1."""
    return _metrics(a={"value": 0.7, "interval": [0.6, 0.8], "intervals": {"b": [0.05, 0.15]}},
                    b={"value": 0.6, "interval": [0.5, 0.7]}, **extra)


def test_a_recorded_negative_control_that_meets_the_rule_makes_it_untestable() -> None:
    claim = Claim("a > b", "a", kind="beats", baseline="b", chance=0.1, negative_control="trivial")
    passing = verdicts.judge(claim, _compared(trivial={"value": 0.65}))
    assert passing.verdict == NOT_TESTABLE and "negative control trivial (0.650)" in passing.why
    assert passing.reason == "a trivial baseline (0.650) already meets the rule"
    assert verdicts.judge(claim, _compared(trivial={"value": 0.2})).verdict == REPRODUCED
    missing = verdicts.judge(claim, _compared())
    assert missing.verdict == NOT_TESTABLE and "trivial not recorded" in missing.why
    # "below": the control stands in the baseline's (the claimed-better) place, as chance does
    below = Claim("b < a", "b", kind="below", baseline="a", negative_control="trivial")
    m = _compared(trivial={"value": 0.7})  # a trivial score above b: "b below it" shows nothing
    m["metrics"]["b"]["intervals"] = {"a": [-0.15, -0.05]}
    assert verdicts.judge(below, m).verdict == NOT_TESTABLE
    m["metrics"]["trivial"]["value"] = 0.5
    assert verdicts.judge(below, m).verdict == REPRODUCED
    # an absolute rule: the control read against the report's number
    top = Claim("top-1", "a", tolerance=0.05, negative_control="trivial")
    m = _compared(trivial={"value": 0.6})
    m["metrics"]["a"]["paper"] = 0.62
    assert verdicts.judge(top, m).verdict == NOT_TESTABLE
    m["metrics"]["trivial"]["value"] = 0.3
    assert verdicts.judge(top, m).verdict == REPRODUCED
    with pytest.raises(ValueError):
        Claim("went NaN", "nan", kind="true", negative_control="trivial")


def test_a_positive_control_not_shown_above_chance_makes_a_comparison_untestable() -> None:
    claim = Claim("a > b", "a", kind="beats", baseline="b", chance=0.1,
                  positive_controls=("a", "b", "works"))
    works = {"value": 0.4, "interval": [0.3, 0.5]}
    assert verdicts.judge(claim, _compared(works=works)).verdict == REPRODUCED
    at_chance = verdicts.judge(claim, _compared(works={"value": 0.15, "interval": [0.05, 0.25]}))
    assert at_chance.verdict == NOT_TESTABLE and "positive control failed" in at_chance.why
    assert "not shown above chance (0.100)" in at_chance.reason and "works" not in at_chance.reason
    no_interval = verdicts.judge(claim, _compared(works={"value": 0.4}))
    assert no_interval.verdict == NOT_TESTABLE  # no interval: not shown above chance
    assert verdicts.judge(claim, _compared()).reason.startswith("the evidence that each method")
    said_no = verdicts.judge(claim, _compared(works={"value": False}))
    assert said_no.verdict == NOT_TESTABLE and "check says no" in said_no.reason
    assert verdicts.judge(claim, _compared(works={"value": True})).verdict == REPRODUCED
    noted = verdicts.judge(claim, _compared(works={"value": None, "note": "no weights offline"}))
    assert noted.verdict == NOT_TESTABLE and noted.reason == "no weights offline"
    with pytest.raises(ValueError, match="no chance level"):
        verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b", positive_controls=("a",)),
                       _compared())


def test_a_rule_that_holds_by_construction_is_not_testable_whatever_the_data() -> None:
    claim = Claim("loss about 1", "loss", kind="about", tolerance=0.3,
                  by_construction="the hinge never switches off")
    judged = verdicts.judge(claim, _metrics(loss={"value": 1.0, "paper": 1.0, "interval": [0.9, 1.1]}))
    assert judged.verdict == NOT_TESTABLE
    assert judged.reason == "holds by construction: the hinge never switches off"
    assert verdicts.judge(claim, {"profile": "smoke", "metrics": {}}).verdict == NOT_TESTABLE


def test_every_judged_claim_names_its_negative_control() -> None:
    """A number's rule is read against chance, a recorded trivial baseline or a stand-in check,
    or the claim says why none applies; positive controls have a chance level to beat."""
    for notebook, claims in verdicts.all_claims().items():
        for claim in claims:
            if claim.kind in verdicts.YES_NO or claim.incomparable or claim.by_construction:
                continue
            assert claim.negative_controls or claim.no_control, (notebook, claim.statement)
            assert all(claim.chance_for(n) is not None for n in claim.positive_controls), \
                (notebook, claim.statement)


def test_a_not_testable_verdict_carries_a_plain_reason() -> None:
    judged = verdicts.judge(Claim("a > b", "a", kind="beats", baseline="b"),
                            _metrics(a={"value": 0.7}))
    assert judged.reason == "this run recorded no number for it" and "a" not in judged.reason
    smoke = verdicts.judge(Claim("s", "a"), {"profile": "smoke", "metrics": {"a": {"value": 1}}})
    assert smoke.reason == "smoke profile"
    assert verdicts.judge(Claim("s", "a", kind="beats", baseline="b"),
                          _compared()).reason == ""
