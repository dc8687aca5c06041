"""Retrieval speed and recall on one gallery: the issue's ratios in one pass.

* top-10 of ``queries`` over the gallery: bare FAISS (``IndexFlatIP`` add + search on
  already unit-length float32 arrays, the least any caller could do), the project's FAISS
  path and its NumPy path (:func:`helpers.retrieval.topk_neighbours`, from the raw vectors:
  they also check and normalise); every method's indices are compared with bare FAISS's;
* leave-one-out top-10 over the first ``loo_items`` items the same three ways;
* approximate indexes (:class:`helpers.faiss_index.ApproximateIndex`): build time, search
  time, recall@10 against the exact top-10, speed-up over the bare exact search, memory held.

Times are best of ``repeats``, methods alternating, so load that comes and goes hits all.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from helpers import faiss_index, retrieval
from helpers.bench import best_time


def _bare_faiss(queries: np.ndarray, gallery: np.ndarray, k: int) -> np.ndarray:
    import faiss

    index = faiss.IndexFlatIP(gallery.shape[1])
    index.add(gallery)
    return index.search(queries, k)[1]


def exact_rows(gallery: np.ndarray, queries: np.ndarray, loo_items: int, repeats: int,
               k: int = 10) -> tuple[list[dict], np.ndarray]:
    """Exact top-k timings; returns the rows and bare FAISS's top-k (the recall reference)."""
    unit_g, unit_q = retrieval.normalize(gallery), retrieval.normalize(queries)
    rows, reference = [], None
    _bare_faiss(unit_q[:10], unit_g[:1000], k)  # warm-up: FAISS's and BLAS's thread pools
    retrieval.topk_neighbours(queries[:10], gallery[:1000], k, use_faiss=False)
    cases = [("top-10", queries, gallery, unit_q, unit_g, False)]
    if loo_items:
        sub = np.ascontiguousarray(gallery[:loo_items])
        cases.append(("LOO top-10", sub, sub, unit_g[:loo_items], unit_g[:loo_items], True))
    for task, q, g, uq, ug, loo in cases:
        times: dict[str, list[float]] = {"bare": [], "faiss": [], "numpy": []}
        results: dict[str, np.ndarray] = {}
        for _ in range(repeats):
            for method in times:
                start = time.perf_counter()
                if method == "bare":
                    results[method] = _bare_faiss(uq, ug, k + int(loo))
                else:
                    results[method] = retrieval.topk_neighbours(
                        g if loo else q, g, k, exclude_self=loo, use_faiss=method == "faiss")[0]
                times[method].append(time.perf_counter() - start)
        bare = results["bare"]
        if loo:  # bare FAISS returns each item itself first: drop it for the comparison
            own = bare == np.arange(len(bare))[:, None]
            bare = results["bare"] = np.where(own[:, :1], bare[:, 1:], bare[:, :k])
        elif reference is None:
            reference = bare
        best = {m: min(t) for m, t in times.items()}
        for method in ("bare", "faiss", "numpy"):
            rows.append({"task": task, "n": len(g), "queries": len(q) if not loo else len(g),
                         "method": method, "seconds": best[method],
                         "vs_bare": best[method] / best["bare"],
                         "same_as_bare": faiss_index.recall_at_k(results[method][:, :k], bare),
                         "same_order": float((results[method][:, :k] == bare).mean())})
        print(f"  {task} {len(g):,}: bare {best['bare']:.2f} s, faiss path "
              f"{best['faiss']:.2f} s, numpy {best['numpy']:.2f} s", file=sys.stderr)
    return rows, reference


def approximate_rows(gallery: np.ndarray, queries: np.ndarray, exact_top: np.ndarray,
                     bare_seconds: float, settings: list[tuple[str, dict]], repeats: int,
                     k: int = 10) -> list[dict]:
    """One row per (kind, parameters): build s, search s, recall@k, speed-up, memory."""
    rows: list[dict] = []
    built: dict[tuple, faiss_index.ApproximateIndex] = {}
    for kind, params in settings:
        build_keys = {key: v for key, v in params.items() if key not in ("nprobe", "ef_search")}
        key = (kind, tuple(sorted(build_keys.items())))
        build_s = 0.0
        if key not in built:
            start = time.perf_counter()
            built[key] = faiss_index.ApproximateIndex(gallery, kind, "cosine",
                                                      faiss_index.IndexParams(**build_keys))
            build_s = time.perf_counter() - start
        index = built[key]
        if kind == "ivf":
            index.index.nprobe = int(params.get("nprobe", index.index.nprobe))
        else:
            index.index.hnsw.efSearch = int(params.get("ef_search", index.index.hnsw.efSearch))
        seconds, (approx, _) = best_time(lambda index=index: index.search(queries, k), repeats)
        rows.append({"kind": kind, "params": params, "n": len(gallery), "build_s": build_s,
                     "seconds": seconds, "recall": faiss_index.recall_at_k(approx, exact_top),
                     "speedup": bare_seconds / seconds,
                     "memory_mib": index.memory_bytes() / 2**20})
        print(f"  {kind} {params}: recall@{k} {rows[-1]['recall']:.3f}, "
              f"{rows[-1]['speedup']:.0f}x", file=sys.stderr)
    return rows


def format_exact(rows: list[dict]) -> str:
    lines = ["| task | gallery | queries | method | seconds | / bare FAISS | bare's top-10 "
             "found | same order |", "|---|---:|---:|---|---:|---:|---:|---:|"]
    names = {"bare": "bare FAISS IndexFlatIP", "faiss": "helpers, FAISS path",
             "numpy": "helpers, NumPy path"}
    for r in rows:
        lines.append(f"| {r['task']} | {r['n']:,} | {r['queries']:,} | {names[r['method']]} | "
                     f"{r['seconds']:.2f} | {r['vs_bare']:.2f} | {r['same_as_bare']:.4f} | "
                     f"{r['same_order']:.4f} |")
    return "\n".join(lines)


def format_approximate(rows: list[dict], dim: int) -> str:
    flat_mib = rows[0]["n"] * dim * 4 / 2**20 if rows else 0.0
    lines = [f"| index | settings | build s | search s | recall@10 | speed-up vs exact | "
             f"memory MiB (exact flat: {flat_mib:.0f}) |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        settings = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        lines.append(f"| {r['kind']} | {settings} | {r['build_s']:.1f} | {r['seconds']:.3f} | "
                     f"{r['recall']:.3f} | {r['speedup']:.0f}x | {r['memory_mib']:.0f} |")
    return "\n".join(lines)
