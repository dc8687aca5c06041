"""helpers.results: claim rules on hand-made metrics, and RESULTS.md agreeing with metrics/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import results
from helpers.results import CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE, REPRODUCED, Claim

REPO = Path(__file__).resolve().parents[1]


def _metrics(**entries: dict) -> dict:
    return {"profile": "standard", "data": {"name": "places6", "origin": "LOOKALIKE_DATA"},
            "metrics": entries}


def test_at_least_uses_the_tolerance() -> None:
    claim = Claim("baseline reaches the paper", "top1", tolerance=0.05)
    sure = {"interval": [0.597, 0.603]}
    assert results.judge(claim, _metrics(top1={"value": 0.60, "paper": 0.644, **sure})
                         ).verdict == REPRODUCED
    assert results.judge(claim, _metrics(top1={"value": 0.58, "paper": 0.644,
                                               "interval": [0.57, 0.59]})).verdict == CONTRADICTED
    assert results.judge(claim, _metrics(top1={"value": 0.60, "paper": 0.644})
                         ).verdict == INCONCLUSIVE  # no interval recorded


def test_beats_and_below_compare_two_recorded_metrics() -> None:
    beats = Claim("AE beats baseline", "ae", kind="beats", baseline="base")
    below = Claim("bug collapses", "bug", kind="below", baseline="base", tolerance=0.1)
    m = _metrics(ae={"value": 0.70, "paper": 0.78, "intervals": {"base": [0.02, 0.08]}},
                 base={"value": 0.65, "paper": 0.64},
                 bug={"value": 0.26, "paper": 0.32, "intervals": {"base": [-0.45, -0.33]}})
    assert results.judge(beats, m).verdict == REPRODUCED
    assert results.judge(below, m).verdict == REPRODUCED
    m["metrics"]["ae"].update(value=0.65, intervals={"base": [-0.03, 0.03]})  # a tie
    assert results.judge(beats, m).verdict == INCONCLUSIVE
    m["metrics"]["ae"].update(value=0.60, intervals={"base": [-0.08, -0.02]})
    assert results.judge(beats, m).verdict == CONTRADICTED


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
    assert results.judge(claim, _metrics(loss={"value": None})).verdict == CONTRADICTED


def test_render_shows_every_notebook_and_claim() -> None:
    text = results.render({}, {"commit": "abc"})
    assert "commit: abc" in text
    for title in results.TITLES.values():
        assert title in text


def test_claims_name_known_notebooks_and_kinds() -> None:
    assert set(results.CLAIMS) <= set(results.TITLES)
    for claims in results.CLAIMS.values():
        for claim in claims:
            assert claim.kind in results.KINDS
            assert (claim.baseline is None) == (claim.kind not in {"beats", "below"})


def test_yes_no_findings() -> None:
    went_nan = Claim("unguarded loss goes NaN", "nan", kind="true", needs_pretrained=False)
    no_nan = Claim("fixed loss never NaN", "nan_fixed", kind="false", needs_pretrained=False)
    m = _metrics(nan={"value": True, "paper": True}, nan_fixed={"value": False})
    assert results.judge(went_nan, m).verdict == REPRODUCED
    assert results.judge(no_nan, m).verdict == REPRODUCED
    m["metrics"]["nan_fixed"]["value"] = True
    assert results.judge(no_nan, m).verdict == CONTRADICTED
    m["metrics"]["nan"]["value"] = 0.5  # a number is not a yes/no finding
    assert results.judge(went_nan, m).verdict == NOT_TESTABLE


def test_uses_checks_the_runs_weights_when_the_number_has_none() -> None:
    claim = Claim("AE beats baseline", "ae", kind="beats", baseline="base", uses=("mobilenetv2",))
    m = _metrics(ae={"value": 0.7, "intervals": {"base": [0.05, 0.15]}}, base={"value": 0.6})
    assert "no weights recorded for mobilenetv2" in results.judge(claim, m).why
    m["weights"] = {"by_backbone": {"mobilenetv2": {"pretrained": True},
                                    "resnet50": {"pretrained": False}}}
    assert results.judge(claim, m).verdict == REPRODUCED  # resnet50 is not used by this claim
    m["weights"]["by_backbone"]["mobilenetv2"]["pretrained"] = False
    assert results.judge(claim, m).verdict == NOT_TESTABLE


def test_smoke_profile_is_never_a_verdict_even_without_weights() -> None:
    claim = Claim("NaN shown", "nan", kind="true", needs_pretrained=False)
    m = _metrics(nan={"value": True})
    m["profile"] = "smoke"
    assert results.judge(claim, m).why == "smoke profile"


def test_a_missing_value_says_why_in_the_notebooks_words() -> None:
    claim = Claim("fireplace", "fire", tolerance=0.03, needs_pretrained=False)
    m = _metrics(fire={"value": None, "paper": 0.80, "note": "no fireplace folder given"})
    judged = results.judge(claim, m)
    assert judged.verdict == NOT_TESTABLE and "no fireplace folder given" in judged.why


def test_rendered_rows_show_paper_here_verdict_and_caveat(monkeypatch) -> None:
    claim = Claim("bug collapses", "bug", kind="below", baseline="base", tolerance=0.1,
                  needs_pretrained=False, caveat="stand-in data")
    m = _metrics(bug={"value": 0.26, "paper": 0.32, "intervals": {"base": [-0.45, -0.31]}},
                 base={"value": 0.64, "paper": 0.64, "interval": [0.60, 0.68]})
    m["notebook"] = "01_ingwersen_autoencoders"
    monkeypatch.setattr(results, "CLAIMS", {"01_ingwersen_autoencoders": [claim]})
    text = results.render({"01_ingwersen_autoencoders": m}, {"commit": "abc"})
    short, row = [line for line in text.splitlines() if line.startswith("| bug collapses")]
    assert "0.320" in row and "0.260" in row and "base = 0.640 [0.600, 0.680]" in row
    # the short table first: paper, ours with the difference's interval, the plain reason
    assert "| 0.320 vs 0.640 | 0.260 vs 0.640: -0.380 [-0.450, -0.310] |" in short
    assert "**reproduced**" in short and "interval of the difference lies wholly below" in short
    assert "**reproduced**" in row and "stand-in data" in row
    assert "| 01 · Ingwersen 2020, transfer-learned autoencoders | 1 | 1 | 0 | 0 | 0 | 0 |" in text
    beyond = Claim("our own finding", "bug", kind="below", baseline="base",
                   needs_pretrained=False, beyond_report=True)
    monkeypatch.setattr(results, "CLAIMS", {"01_ingwersen_autoencoders": [claim, beyond]})
    text = results.render({"01_ingwersen_autoencoders": m}, {"commit": "abc"})
    assert "| 01 · Ingwersen 2020, transfer-learned autoencoders | 1 | 1 | 0 | 0 | 0 | 1 |" in text
    assert text.index(results.BEYOND_HEADING) < text.index("| our own finding")


RESULTS_MD = REPO / "reports" / "RESULTS.md"


@pytest.mark.skipif(not RESULTS_MD.exists(), reason="reports/RESULTS.md not generated yet")
def test_committed_results_match_committed_metrics() -> None:
    """Every number in RESULTS.md is the one in reports/metrics (regenerating changes nothing)."""
    committed = RESULTS_MD.read_text()
    regenerated = results.render(results.load_all(REPO / "reports" / "metrics"),
                                 results.committed_header(committed))
    assert regenerated.strip() == committed.strip()


def test_compare_runs_within_tolerance_ignores_timings() -> None:
    ours = {"nb": _metrics(top1={"value": 0.600}, ok={"value": True}, runtime_s={"value": 10.0})}
    theirs = {"nb": _metrics(top1={"value": 0.605}, ok={"value": True}, runtime_s={"value": 99.0})}
    assert results.compare_runs(ours, theirs, tolerance=0.01) == []
    theirs["nb"]["metrics"]["top1"]["value"] = 0.63
    theirs["nb"]["metrics"]["ok"]["value"] = False
    theirs["nb"]["metrics"]["extra"] = {"value": 1.0}
    differences = results.compare_runs(ours, theirs, tolerance=0.01)
    assert differences == ["nb/extra: only in theirs", "nb/ok: yes vs no", "nb/top1: 0.600 vs 0.630"]
    assert results.compare_runs(ours, {}, tolerance=0.01) == ["nb: only in ours"]


def test_compare_command_exits_1_on_a_difference(tmp_path, monkeypatch, capsys) -> None:
    import json

    for run, value in (("ours", 0.6), ("theirs", 0.7)):
        (tmp_path / run / "metrics").mkdir(parents=True)
        (tmp_path / run / "metrics" / "nb.json").write_text(
            json.dumps(_metrics(top1={"value": value})))
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path / "ours"))
    assert results.main(["--compare", str(tmp_path / "theirs")]) == 1
    assert "nb/top1: 0.600 vs 0.700" in capsys.readouterr().out
    assert results.main(["--compare", str(tmp_path / "ours")]) == 0


@pytest.mark.skipif(not RESULTS_MD.exists(), reason="reports/RESULTS.md not generated yet")
def test_readme_shows_the_committed_summary_table() -> None:
    committed = RESULTS_MD.read_text().splitlines()
    start = committed.index(
        results.SUMMARY_HEADER)
    summary = committed[start:committed.index("", start)]
    readme = (REPO / "README.md").read_text()
    assert "reports/RESULTS.md" in readme
    for row in summary:
        assert row in readme, f"README's summary table is stale: {row}"


def test_write_reads_and_writes_only_its_profiles_files(tmp_path) -> None:
    import json

    (tmp_path / "metrics" / "smoke").mkdir(parents=True)
    standard = {"profile": "standard", "git_commit": "abc", "metrics": {}}
    (tmp_path / "metrics" / "01_ingwersen_autoencoders.json").write_text(json.dumps(standard))
    smoke = {**standard, "profile": "smoke", "git_commit": "smk"}
    (tmp_path / "metrics" / "smoke" / "01_ingwersen_autoencoders.json").write_text(json.dumps(smoke))
    path = results.write(tmp_path, profile="smoke")
    assert path == tmp_path / "RESULTS-smoke.md" and not (tmp_path / "RESULTS.md").exists()
    assert "commit: smk" in path.read_text()
    written = results.write(tmp_path).read_text()
    assert "commit: abc" in written and "reproducibility" not in written
    assert "GPU used: not recorded" in written and "machine: not recorded" in written


def test_the_header_says_only_what_the_runs_recorded(tmp_path) -> None:
    import json

    (tmp_path / "metrics").mkdir()
    run = {"profile": "standard", "git_commit": "abc", "backend": "jax", "seed": 3,
           "machine": "box", "devices": ["CPU: cpu0", "GPU: gpu0"],
           "started_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:06:00+00:00",
           "metrics": {"top1": {"value": 0.5}}}
    (tmp_path / "metrics" / "01_ingwersen_autoencoders.json").write_text(json.dumps(run))
    header = results.run_header(results.load_all(tmp_path / "metrics"), tmp_path, "standard")
    assert header["backend"] == "jax" and header["machine"] == "box" and header["GPU used"] == "yes"
    assert header["per notebook"] == "01 6.0 min" and "reproducibility" not in header
    results.record_comparison(tmp_path, "standard", results.load_all(tmp_path / "metrics"),
                              Path("other/reports"), [], 1, 0.01)
    header = results.run_header(results.load_all(tmp_path / "metrics"), tmp_path, "standard")
    assert header["reproducibility"].startswith("compared with another run (other/reports)")
    assert "0 differences beyond 0.01 absolute in 1 metrics" in header["reproducibility"]
    other = {"nb": {**run, "git_commit": "def", "metrics": {"top1": {"value": 0.5},
                                                           "top5": {"value": 0.9}}}}
    mine = {"nb": {**run, "metrics": {"top1": {"value": 0.5}, "top5": {"value": 0.7},
                                      "runtime_s": {"value": 1.0}}}}
    results.record_comparison(tmp_path, "standard", mine,
                              Path("other/reports"), results.compare_runs(mine, other), 3,
                              0.01, theirs=other)
    line = results.run_header(results.load_all(tmp_path / "metrics"), tmp_path,
                              "standard")["reproducibility"]
    assert line.startswith("compared with another run (commit def)")
    assert ("1 of 2 metrics (timings left out) identical to the bit, 1 differences beyond 0.01 "
            "absolute in 3 metrics (nb/top5)") in line


@pytest.mark.skipif(not RESULTS_MD.exists(), reason="reports/RESULTS.md not generated yet")
def test_every_number_the_readme_summary_quotes_is_in_the_committed_results() -> None:
    """The README's prose summary is written by hand from RESULTS.md: each of its numbers
    (0.xyz) must be one RESULTS.md shows, so a fresh run that moves a number makes this fail
    until the prose is rewritten."""

    readme = (REPO / "README.md").read_text()
    summary = readme.split("## Results at a glance", 1)[1].split("\n## ", 1)[0]
    quoted = set(re.findall(r"(?<![\d.])\d\.\d{3}(?!\d)", summary))
    assert quoted, "the README's results summary quotes no number"
    shown = RESULTS_MD.read_text()
    stale = sorted(n for n in quoted if n not in shown)
    assert not stale, f"README's results summary quotes numbers RESULTS.md does not show: {stale}"


def test_plain_sentences_and_short_rows_use_no_metric_names_or_jargon() -> None:
    """The at-a-glance words: the claim, the verdict, the numbers, why; no internal names."""
    import json

    from helpers import glance, method
    from helpers.verdicts import judge_notebook

    for notebook in results.CLAIMS:
        metrics = json.loads((REPO / "reports" / "metrics" / f"{notebook}.json").read_text())
        judged = judge_notebook(notebook, metrics)
        text = glance.sentences(judged)
        short = glance.short_table(judged, metrics, method.card(notebook))
        for claim in results.CLAIMS[notebook]:
            for name in claim.metrics + claim.baselines:
                assert f"`{name}`" not in text and f" {name} " not in short, (notebook, name)
        for jargon in ("BCa", "Welch", "Satterthwaite", "df "):
            assert jargon not in text and jargon not in short, (notebook, jargon)
        assert len(text.splitlines()) >= len(judged)
        assert short.splitlines()[0] == "| " + " | ".join(glance.SHORT_COLUMNS) + " |"


def test_a_notebook_closes_with_the_figure_and_the_sentences() -> None:
    import json

    from helpers import glance

    metrics = json.loads((REPO / "reports" / "metrics" / "05_totally_looks_like.json").read_text())
    shown = glance.notebook("05", metrics)
    html = shown._repr_html_()
    assert html.startswith('<img alt="verdicts"') and html.count("<li>") == len(
        results.CLAIMS["05_totally_looks_like"])
    assert "<b>reproduced</b>" in html and "**" not in str(shown)


def test_results_md_links_each_reports_figure_and_write_draws_it(tmp_path) -> None:
    import json
    import shutil

    shutil.copytree(REPO / "reports" / "metrics", tmp_path / "metrics")
    text = results.write(tmp_path).read_text()
    for notebook in results.TITLES:
        link = f"({results.FIGURES.as_posix()}/{notebook}.png)"
        assert link in text and (tmp_path / results.FIGURES / f"{notebook}.png").exists()
    assert text.count("<details>") == 2 * len(results.TITLES)
    assert "| claim | paper | here [95 %] | chance | verdict | why | method differs |" in text
    assert json.loads((tmp_path / "metrics" / "05_totally_looks_like.json").read_text())


def test_the_detailed_row_names_the_claims_controls() -> None:
    claim = Claim("a > b", "a", kind="beats", baseline="b", chance=0.1,
                  negative_control="random", positive_controls=("a", "b"))
    m = _metrics(a={"value": 0.7}, b={"value": 0.6}, random={"value": 0.12})
    assert results.controls(claim, m) == ("negative: chance 0.100, recorded random (0.120); "
                                          "positive: a, b above chance")
    timing = Claim("2x slower", "ratio", no_control="a ratio of times has no chance level")
    assert results.controls(timing, m) == "negative: none (a ratio of times has no chance level)"
    assert results.controls(Claim("NaN", "nan", kind="true"), m) == "—"
    built = Claim("about 1", "loss", kind="about", tolerance=0.3, by_construction="never zero")
    assert results.controls(built, m) == "holds by construction: never zero"
