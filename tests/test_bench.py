"""The benchmark script runs end to end on tiny sizes (its figures go in the README)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from helpers import bench


def test_retrieval_one_measures_time_and_memory() -> None:
    row = bench.retrieval_one(2_000, "numpy", n_queries=5, dim=16, seed=0)
    assert row["n"] == 2_000 and row["method"] == "numpy"
    assert row["seconds"] > 0 and row["extra_peak_mib"] >= 0 and row["base_mib"] > 0


def test_main_prints_retrieval_table_from_subprocesses(capsys: pytest.CaptureFixture) -> None:
    assert bench.main(["--only", "retrieval", "--sizes", "300", "--queries", "3", "--dim", "8"]) == 0
    out = capsys.readouterr().out
    assert "Measured on:" in out and "| 300 | numpy |" in out
    if bench.retrieval_rows_methods() == ["numpy", "faiss"]:
        assert "| 300 | faiss |" in out


def test_format_tables_reports_failures() -> None:
    table = bench.format_tables(
        [{"backbone": "mobilenetv2", "helpers_ips": 20.0, "bare_ips": 21.0, "ratio": 0.952}],
        [{"n": 10, "method": "faiss", "error": "boom"}], dim=4, n_queries=2)
    assert "| mobilenetv2 | 20.0 | 21.0 | 0.95 |" in table and "failed: boom" in table


@pytest.mark.slow
def test_extraction_bench_agrees_with_bare_predict() -> None:
    rows = bench.bench_extraction(("mobilenetv2",), n_images=4, batch_size=2, repeats=1, seed=0)
    assert rows[0]["helpers_ips"] > 0 and rows[0]["bare_ips"] > 0 and rows[0]["ratio"] > 0


def test_bench_all_prints_every_ratio_on_a_tiny_random_gallery(capsys, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "helpers.surf.bench", None)  # as on a checkout without it
    args = ["all", "--skip", "extraction,backends,training,decode", "--source", "random", "--gallery", "3000",
            "--search-queries", "20", "--loo-items", "500", "--dim", "16", "--repeats", "1",
            "--nprobe", "2,54", "--nlist", "54"]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    for line in ("- top-10 FAISS path / bare FAISS:", "- top-10 NumPy path / bare FAISS:",
                 "- LOO top-10 FAISS path / bare FAISS:", "- LOO top-10 NumPy path / bare FAISS:",
                 "- SURF / SIFT: not available in this checkout"):
        assert line in out, out
    # Probing all 54 cells is exact, so one setting reaches the 0.95 floor.
    assert "approximate recall@10 >= 0.95: ivf" in out and "recall 1.000" in out
    # Every exact method agrees with bare FAISS on tie-free random data.
    rows = [r for r in out.splitlines() if r.startswith("| top-10 |") or r.startswith("| LOO")]
    assert len(rows) == 6 and all(r.rstrip(" |").endswith("1.0000 | 1.0000") for r in rows), rows


def test_bench_all_rejects_unknown_sections() -> None:
    with pytest.raises(SystemExit, match="unknown sections"):
        bench.main(["all", "--skip", "everything"])


def test_tiled_gallery_repeats_real_vectors_with_jitter() -> None:
    import numpy as np

    from helpers.bench import realdata

    real = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)
    tiled = realdata.tiled_gallery(real, 20, jitter=0.01, seed=1)
    assert tiled.shape == (20, 5) and tiled.dtype == np.float32
    assert np.allclose(tiled[7:14], real, atol=0.1) and not np.array_equal(tiled[7:14], real)
    assert len(np.unique(tiled, axis=0)) == 20  # jitter leaves no exact ties
    projected = realdata.project(real, 3)
    assert projected.shape == (7, 3)
    # PCA keeps the pairwise geometry of the leading components: the first has most variance.
    assert projected.var(axis=0)[0] >= projected.var(axis=0)[2]


def test_format_backends_lists_each_backend_against_the_first() -> None:
    from helpers.bench import backends

    table = backends.format_backends([
        {"backend": "tensorflow", "ips": 18.0, "vs_first": 1.0, "max_abs_diff": 0.0,
         "weights": "file"},
        {"backend": "jax", "ips": 6.0, "vs_first": 1 / 3, "max_abs_diff": 1e-5,
         "weights": "file"},
        {"backend": "torch", "error": "no module named torch"}])
    assert "| jax | 6.0 | 0.33 | 1.0e-05 | file |" in table and "failed: no module" in table


def test_numpy_autoencoder_gradients_match_finite_differences() -> None:
    """The NumPy step times the real work: its hand-written gradients are the loss's."""
    import numpy as np

    from helpers.bench import training

    rng = np.random.default_rng(0)
    x = rng.random((4, 5))
    params = [rng.standard_normal((5, 3)) * 0.5, rng.standard_normal(3) * 0.1,
              rng.standard_normal((3, 5)) * 0.5, rng.standard_normal(5) * 0.1]
    _, grads = training.ae_loss_and_gradients(x, *params)
    for which, grad in enumerate(grads):
        numeric = np.zeros_like(grad)
        for index in np.ndindex(grad.shape):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[which][index] += 1e-6
            down[which][index] -= 1e-6
            numeric[index] = (training.ae_loss_and_gradients(x, *up)[0]
                              - training.ae_loss_and_gradients(x, *down)[0]) / 2e-6
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-8)


def test_training_bench_times_fit_numpy_and_products(capsys) -> None:
    from helpers.bench import training

    row = training.bench_training(epochs=1, repeats=1, widths=(24, 8), rows=80)
    assert row["fit_steps"] == 3  # 72 training rows after the 10 % hold-out, batch 32
    assert row["fit_ms"] > 0 and row["numpy_ms"] > 0 and row["matmul_ms"] > 0
    table = training.format_training(row)
    assert "| helpers.training.fit (over 3 steps) |" in table and "AE 24 -> 8 -> 24" in table
