"""helpers.sweep: configurations x seeds, the same calls and numbers as the plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import report
from helpers.sweep import Runs, Sweep, training_seeds

CONFIGS = ("narrow", "wide")


def _trainer():
    """A training function whose result depends on the order of the calls as well as on the
    seed (one random stream shared by every call), and the list of calls made."""
    stream = np.random.default_rng(7)
    calls = []

    def train(config: str, seed: int) -> dict[str, np.ndarray]:
        calls.append((config, seed))
        rate = 0.3 if config == "narrow" else 0.6
        noise = stream.random(20)
        rng = np.random.default_rng(seed)
        return {"test": (rng.random(20) + 0.1 * noise < rate).astype(int),
                "val": (rng.random(12) < rate).astype(int)}

    return train, calls


def test_training_seeds_follow_the_notebooks_seed():
    assert training_seeds(42, 3) == (42, 43, 44)
    assert training_seeds(42, 1) == (42,)
    with pytest.raises(ValueError, match="at least one seed"):
        training_seeds(42, 0)


def test_a_sweep_makes_the_plain_loops_calls_and_gives_its_numbers_to_the_bit(tmp_path,
                                                                                monkeypatch):
    seeds = training_seeds(42, 3)
    train, loop_calls = _trainer()
    plain = {c: [train(c, s) for s in seeds] for c in CONFIGS}  # the loop a Sweep replaces
    train, sweep_calls = _trainer()
    results = Sweep(train, seeds, hits=lambda r: r, verbose=False).run(CONFIGS)
    assert sweep_calls == loop_calls == [(c, s) for c in CONFIGS for s in seeds]
    monkeypatch.setenv("LOOKALIKE_REPORTS", str(tmp_path))
    report.start("sweep_test", {"profile": "smoke"}, seed=42)
    for c in CONFIGS:
        runs = results[c]
        assert runs.seeds == list(seeds) and runs.first is runs.results[0]
        for split in ("test", "val"):
            expected = np.stack([r[split] for r in plain[c]])
            np.testing.assert_array_equal(runs.hits(split), expected)
            assert runs.hits(split).dtype == expected.dtype
            assert runs.mean(split) == float(expected.mean())
            np.testing.assert_array_equal(runs.per_seed(split), expected.mean(axis=1))
        by_sweep = runs.record(f"{c}_sweep", "test", items="test")
        by_hand = report.record_scores(f"{c}_plain", np.stack([r["test"] for r in plain[c]]),
                                       seeds=list(seeds), items="test")
        assert by_sweep == by_hand
        recorded = report.current().data["metrics"]
        sweep_record, plain_record = (dict(recorded[f"{c}_{how}"]) for how in ("sweep", "plain"))
        for record in (sweep_record, plain_record):
            record.pop("elapsed_s")  # when it was recorded
        assert sweep_record == plain_record


def test_more_seeds_into_earlier_results_train_only_the_missing_ones(capsys):
    train, calls = _trainer()
    sweep = Sweep(train, training_seeds(0, 3), hits=lambda r: r)
    results = sweep.run(CONFIGS, seeds=[0])
    assert len(capsys.readouterr().out.splitlines()) == 2  # one line per configuration
    again = sweep.run(["wide", "wide", "narrow"], into=results, seeds=[0, 1])
    assert again is results and list(results) == list(CONFIGS)
    assert calls == [("narrow", 0), ("wide", 0), ("wide", 1), ("narrow", 1)]
    assert results["wide"].seeds == [0, 1] and results["wide"].hits("test").shape == (2, 20)
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("wide") and "(seeds: " in line and "2 seeds" in line


def test_runs_say_what_is_missing():
    with pytest.raises(ValueError, match="at least one seed"):
        Sweep(lambda c, s: None, [])
    runs = Sweep(lambda c, s: s, [1, 2], verbose=False).one("plain")
    assert isinstance(runs, Runs) and runs.results == [1, 2] and runs.splits == []
    with pytest.raises(KeyError, match="no hits function"):
        runs.hits("test")
    assert runs.summary().startswith("plain") and "2 seeds" in runs.summary()
