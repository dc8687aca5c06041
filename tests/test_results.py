"""helpers.results: claim rules on hand-made metrics, and RESULTS.md agreeing with metrics/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import results
from helpers.results import NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, Claim

REPO = Path(__file__).resolve().parents[1]


def _metrics(**entries: dict) -> dict:
    return {"profile": "standard", "data": {"name": "places6", "origin": "LOOKALIKE_DATA"},
            "metrics": entries}


def test_at_least_uses_the_tolerance() -> None:
    claim = Claim("baseline reaches the paper", "top1", tolerance=0.05)
    assert results.judge(claim, _metrics(top1={"value": 0.60, "paper": 0.644})).verdict == REPRODUCED
    assert results.judge(claim, _metrics(top1={"value": 0.58, "paper": 0.644})).verdict == NOT_REPRODUCED


def test_beats_and_below_compare_two_recorded_metrics() -> None:
    beats = Claim("AE beats baseline", "ae", kind="beats", baseline="base")
    below = Claim("bug collapses", "bug", kind="below", baseline="base", tolerance=0.1)
    m = _metrics(ae={"value": 0.70, "paper": 0.78}, base={"value": 0.65, "paper": 0.64},
                 bug={"value": 0.26, "paper": 0.32})
    assert results.judge(beats, m).verdict == REPRODUCED
    assert results.judge(below, m).verdict == REPRODUCED
    m["metrics"]["ae"]["value"] = 0.65  # a tie does not beat
    assert results.judge(beats, m).verdict == NOT_REPRODUCED


def test_random_weights_synthetic_data_and_missing_metrics_are_not_testable() -> None:
    claim = Claim("ResNet50 baseline", "resnet", tolerance=0.05)
    random_init = _metrics(resnet={"value": 0.9, "paper": 0.644,
                                   "weights": {"source": "random init", "pretrained": False}})
    assert results.judge(claim, random_init).verdict == NOT_TESTABLE
    by_backbone = _metrics(resnet={"value": 0.9, "paper": 0.644, "weights": {
        "by_backbone": {"resnet50": {"pretrained": False}}}})
    assert "resnet50" in results.judge(claim, by_backbone).why
    synthetic = _metrics(resnet={"value": 0.9, "paper": 0.644})
    synthetic["data"] = {"name": "places6", "origin": "synthetic"}
    assert results.judge(claim, synthetic).verdict == NOT_TESTABLE
    assert results.judge(claim, _metrics()).verdict == NOT_TESTABLE


def test_finite_claim() -> None:
    claim = Claim("SupCon trains without NaN", "loss", kind="finite")
    assert results.judge(claim, _metrics(loss={"value": 1.2})).verdict == REPRODUCED
    assert results.judge(claim, _metrics(loss={"value": None})).verdict == NOT_REPRODUCED


def test_render_shows_every_notebook_and_claim() -> None:
    text = results.render({}, {"commit": "abc"})
    assert "commit: abc" in text
    for title in results.TITLES.values():
        assert title in text


def test_claims_name_known_notebooks_and_kinds() -> None:
    assert set(results.CLAIMS) <= set(results.TITLES)
    for claims in results.CLAIMS.values():
        for claim in claims:
            assert claim.kind in {"at_least", "beats", "below", "finite"}
            assert (claim.baseline is None) == (claim.kind in {"at_least", "finite"})


RESULTS_MD = REPO / "reports" / "RESULTS.md"


@pytest.mark.skipif(not RESULTS_MD.exists(), reason="reports/RESULTS.md not generated yet")
def test_committed_results_match_committed_metrics() -> None:
    """Every number in RESULTS.md is the one in reports/metrics (regenerating changes nothing)."""
    committed = RESULTS_MD.read_text()
    header = dict(re.findall(r"^- ([^:]+): (.*)$", committed, flags=re.M))
    regenerated = results.render(results.load_all(REPO / "reports" / "metrics"), header)
    assert regenerated.strip() == committed.strip()
