"""``python -m helpers.bench all`` (``make bench``): every ratio issue 22 asks for, one run.

Sections (``--skip`` any of them by name):

``extraction``  helpers vs bare ``model.predict`` (MobileNetV2, 224 px);
``backends``    TensorFlow vs JAX (and torch where installed) extraction speed, same images;
``exact``       top-10 of ``--search-queries`` queries over a ``--gallery``-row gallery and LOO
                top-10 over ``--loo-items``: FAISS path / bare FAISS, NumPy path / bare FAISS;
``approximate`` IVF (and HNSW with ``--hnsw``) recall@10 against the exact top-10, speed-up;
``surf``        SURF / SIFT per 640x480 image on one thread (``helpers.surf.bench``);
``training``    one training step of notebook 01's costliest autoencoder through
                ``helpers.training.fit`` against the same step in NumPy and its matrix
                products alone (:mod:`helpers.bench.training`);
``decode``      decoding and resizing all of places6 to 224 px (needs ``$LOOKALIKE_DATA``).

The gallery (``--source``): ``standin`` is the MobileNetV2 features of every real stand-in
image (``$LOOKALIKE_DATA``, cached after the first run), PCA-projected to ``--dim`` and tiled
with ``--jitter`` to ``--gallery`` rows (:mod:`helpers.bench.realdata`); ``random`` is
Gaussian; ``auto`` (default) takes ``standin`` when ``$LOOKALIKE_DATA`` is set. Queries are
the real vectors, jittered afresh. The defaults take a few minutes on two cores; the figures in
benchmarks/README.md use ``--gallery 1000000``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from helpers.bench.realdata import STANDIN_SETS

SECTIONS = ("extraction", "backends", "exact", "approximate", "surf", "training", "decode")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("bench all")
    group.add_argument("--skip", default="", help=f"comma-separated sections of {SECTIONS}")
    group.add_argument("--gallery", type=int, default=200_000, help="gallery rows")
    group.add_argument("--search-queries", type=int, default=1000)
    group.add_argument("--loo-items", type=int, default=20_000, help="0 skips the LOO task")
    group.add_argument("--source", choices=("auto", "standin", "random"), default="auto")
    group.add_argument("--jitter", type=float, default=0.05)
    group.add_argument("--sets", default=",".join(STANDIN_SETS),
                       help="stand-in sets whose features make the gallery")
    group.add_argument("--nprobe", default="8,16,32,64", help="IVF cells probed, one row each")
    group.add_argument("--nlist", type=int, default=None, help="IVF cells (default ~sqrt(N))")
    group.add_argument("--hnsw", action="store_true", help="also build HNSW (slow: minutes)")
    group.add_argument("--backend-images", type=int, default=64)
    group.add_argument("--surf-images", type=int, default=4)
    group.add_argument("--surf-rounds", type=int, default=3)
    group.add_argument("--training-epochs", type=int, default=8)


def gallery_and_queries(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    from helpers.bench import realdata

    source = args.source
    if source == "auto":
        source = "standin" if os.environ.get("LOOKALIKE_DATA") else "random"
    rng = np.random.default_rng(args.seed)
    if source == "random":
        gallery = rng.standard_normal((args.gallery, args.dim), dtype=np.float32)
        queries = rng.standard_normal((args.search_queries, args.dim), dtype=np.float32)
        return gallery, queries, f"Gaussian {args.gallery:,} x {args.dim}"
    names = tuple(n.strip() for n in args.sets.split(",") if n.strip())
    real = realdata.project(realdata.standin_features(names=names), args.dim)
    gallery = realdata.tiled_gallery(real, args.gallery, args.jitter, args.seed)
    picks = rng.choice(len(real), size=min(args.search_queries, len(real)), replace=False)
    queries = realdata.tiled_gallery(real[picks], len(picks), args.jitter, args.seed + 1)
    return gallery, queries, (
        f"MobileNetV2 avg features of {len(real):,} real stand-in images "
        f"({', '.join(names)}), PCA to {args.dim}, "
        f"tiled with {args.jitter:g} jitter to {args.gallery:,}; {len(queries):,} queries")


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _surf_section(args: argparse.Namespace) -> list[str]:
    try:
        from helpers.surf.bench import surf_vs_sift
    except ImportError:
        return ["SURF / SIFT: not available in this checkout (helpers.surf.bench is missing)"]
    result = surf_vs_sift(n_images=args.surf_images, rounds=args.surf_rounds)
    ms = result.get("ms_per_image", {})
    lines = ["| method | ms / 640x480 image, 1 thread |", "|---|---:|"]
    lines += [f"| {m} | {v:.1f} |" for m, v in ms.items()]
    ratio = result.get("surf_over_sift")
    cpu = result.get("surf_over_sift_cpu")
    lines.append(f"SURF / SIFT: {ratio:.2f} (wall), {cpu:.2f} (CPU); {result.get('images')}"
                 if ratio is not None and cpu is not None else f"SURF / SIFT: {result}")
    return lines


def _decode_section(repeats: int) -> str:
    if not os.environ.get("LOOKALIKE_DATA"):
        return "decoding: skipped ($LOOKALIKE_DATA is not set)"
    from helpers import datasets
    from helpers.bench import best_time

    images = datasets.load("places6", synthetic=False, seed=0)
    rounds = max(1, repeats)
    best, pixels = best_time(lambda: images.images(size=224, progress=False), rounds)
    return (f"places6 decode + resize to 224 px: {len(pixels)} images in {best:.1f} s "
            f"({len(pixels) / best:.0f} img/s, best of {rounds})")


def run_all(args: argparse.Namespace) -> int:
    from helpers import bench
    from helpers.bench import backends, search

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(SECTIONS)
    if unknown:
        raise SystemExit(f"--skip: unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    started = time.perf_counter()
    out = [f"Measured on: {bench.machine()}; load average at start {_load()}"]
    ratios: list[str] = []
    if "extraction" not in skip:
        rows = bench.bench_extraction(("mobilenetv2",), args.images, args.batch_size,
                                      args.repeats, args.seed)
        out += ["", "Extraction, helpers vs bare predict:", bench.format_tables(rows, [], 0, 0)]
        ratios.append(f"extraction helpers / bare predict (speed): {rows[0]['ratio']:.2f}")
    if "backends" not in skip:
        rows = backends.bench_backends(args.backend_images, args.batch_size, args.repeats,
                                       args.seed)
        out += ["", "Extraction by Keras backend:", backends.format_backends(rows)]
        ratios += [f"extraction {r['backend']} / {rows[0]['backend']} (speed): "
                   f"{r['vs_first']:.2f}" for r in rows[1:] if "error" not in r]
    need_gallery = {"exact", "approximate"} - skip
    if need_gallery:
        gallery, queries, described = gallery_and_queries(args)
        out += ["", f"Gallery: {described}"]
        exact, reference = search.exact_rows(gallery, queries, args.loo_items, args.repeats)
        if "exact" not in skip:
            out += ["", search.format_exact(exact)]
            for r in exact:
                if r["method"] != "bare":
                    path = "FAISS path" if r["method"] == "faiss" else "NumPy path"
                    ratios.append(f"{r['task']} {path} / bare FAISS: {r['vs_bare']:.2f}")
        if "approximate" not in skip:
            nlist = args.nlist
            settings = [("ivf", {"nlist": nlist, "nprobe": int(p)} if nlist else
                         {"nprobe": int(p)}) for p in args.nprobe.split(",") if p.strip()]
            if args.hnsw:
                settings += [("hnsw", {"hnsw_m": 32, "ef_search": ef}) for ef in (32, 64, 128)]
            bare_s = next(r["seconds"] for r in exact if r["method"] == "bare")
            rows = search.approximate_rows(gallery, queries, reference, bare_s, settings,
                                           args.repeats)
            out += ["", search.format_approximate(rows, args.dim)]
            good = [r for r in rows if r["recall"] >= 0.95]
            best = max(good, key=lambda r: r["speedup"]) if good else None
            ratios.append(
                f"approximate recall@10 >= 0.95: {best['kind']} {best['params']} recall "
                f"{best['recall']:.3f} at {best['speedup']:.0f}x the bare exact search"
                if best else "approximate: no setting reached recall@10 0.95")
    if "surf" not in skip:
        lines = _surf_section(args)
        out += ["", *lines]
        ratios.append(lines[-1])
    if "training" not in skip:
        from helpers.bench import training

        row = training.bench_training(args.training_epochs, args.repeats, args.seed)
        out += ["", "Training step, the loop against its floor:", training.format_training(row)]
        ratios.append(f"training step fit / NumPy: {row['fit_over_numpy']:.2f}; "
                      f"fit / matrix products alone: {row['fit_over_matmul']:.2f}")
    if "decode" not in skip:
        line = _decode_section(args.repeats)
        out += ["", line]
        ratios.append(line)
    out += ["", "Ratios:", *[f"- {r}" for r in ratios],
            f"(bench all took {time.perf_counter() - started:.0f} s; load average at end "
            f"{_load()})"]
    print("\n".join(out))
    sys.stdout.flush()
    return 0
