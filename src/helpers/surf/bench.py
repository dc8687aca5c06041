"""How fast our SURF is next to OpenCV's SIFT and ORB, on one thread (issue 22).

:func:`surf_vs_sift` times ``detect_and_compute`` of SURF, U-SURF, SIFT and ORB (through
:func:`helpers.local_features.make`, default parameters) on the same 640x480 images: the
UKBench images under ``$LOOKALIKE_DATA/ukbench`` when they are there, else scikit-image's
bundled photographs. Each round times every method once on every image, the methods
alternating, so a load that comes and goes on a shared machine hits all of them alike; a
method's figure is the mean over images of its best round. BLAS, OpenMP and OpenCV are held to
one thread while it runs. The ratio SURF / SIFT is what the issue's check reads (<= 1.0).

Run: ``python -m helpers.surf.bench [--images 8] [--rounds 5] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

from .. import config
from .. import local_features as lf

METHODS = ("surf", "surf_upright", "sift", "orb")
SIZE = (640, 480)  # width, height
PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry",
          "hubble_deep_field", "coins")


def bench_images(n_images: int = 8, root: Path | None = None) -> tuple[list[np.ndarray], str]:
    """``n_images`` RGB uint8 images resized to 640x480, and where they came from."""
    if root is None:
        data_root = config.user_data_root()
        root = (data_root if data_root else config.data_dir()) / "ukbench"
    files = sorted(Path(root).glob("ukbench*.jpg"))[:n_images] if Path(root).is_dir() else []
    if files:
        images = [cv2.cvtColor(cv2.imread(str(f), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB) for f in files]
        source = f"{len(files)} UKBench images from {root}"
    else:
        from skimage import color, data

        images = []
        for name in PHOTOS[:n_images]:
            image = getattr(data, name)()
            images.append(color.gray2rgb(image) if image.ndim == 2 else image[..., :3])
        source = f"{len(images)} scikit-image photographs ({', '.join(PHOTOS[:n_images])})"
    # Linear, as benchmarks/local_features.py always did (UKBench is 480x360: this upscales).
    resized = [cv2.resize(im, SIZE, interpolation=cv2.INTER_LINEAR) for im in images]
    return resized, f"{source}, resized to {SIZE[0]}x{SIZE[1]}"


def surf_vs_sift(
    n_images: int = 8,
    rounds: int = 5,
    methods: Sequence[str] = METHODS,
    images: Sequence[np.ndarray] | None = None,
) -> dict:
    """Milliseconds per 640x480 image of each method on one thread, and SURF / SIFT.

    Returns ``{"ms_per_image": {method: wall ms}, "cpu_ms_per_image": {method: thread CPU ms},
    "keypoints": {method: mean count}, "surf_over_sift": wall ratio, "surf_over_sift_cpu":
    CPU ratio, "images": description, "rounds": rounds, "load": 1-min load average}`` (the
    ratios only when both ``surf`` and ``sift`` are among ``methods``). On a loaded machine
    the CPU times are the steadier figure: preemption inflates wall time, not thread time.
    """
    if images is None:
        images, source = bench_images(n_images)
    else:
        images, source = list(images), f"{len(images)} given images"
    extractors = {name: lf.make(name) for name in methods}
    best = {name: np.full(len(images), np.inf) for name in methods}
    best_cpu = {name: np.full(len(images), np.inf) for name in methods}
    counts = {name: np.zeros(len(images)) for name in methods}
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        with threadpool_limits(limits=1):
            for name in methods:  # warm-up: first calls allocate and fill caches
                extractors[name].detect_and_compute(images[0])
            for _ in range(rounds):
                for i, image in enumerate(images):
                    for name in methods:
                        start, start_cpu = time.perf_counter(), time.thread_time()
                        keypoints, _ = extractors[name].detect_and_compute(image)
                        best_cpu[name][i] = min(best_cpu[name][i], time.thread_time() - start_cpu)
                        best[name][i] = min(best[name][i], time.perf_counter() - start)
                        counts[name][i] = len(keypoints)
    finally:
        cv2.setNumThreads(threads)
    result: dict = {
        "ms_per_image": {name: float(best[name].mean() * 1e3) for name in methods},
        "cpu_ms_per_image": {name: float(best_cpu[name].mean() * 1e3) for name in methods},
        "keypoints": {name: float(counts[name].mean()) for name in methods},
        "images": source,
        "rounds": rounds,
        "surf_implementation": lf.which_surf(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    if "surf" in methods and "sift" in methods:
        result["surf_over_sift"] = result["ms_per_image"]["surf"] / result["ms_per_image"]["sift"]
        result["surf_over_sift_cpu"] = result["cpu_ms_per_image"]["surf"] / result["cpu_ms_per_image"]["sift"]
    return result


def format_table(result: dict) -> str:
    """The result as the README's Markdown table."""
    names = {"surf": "SURF (ours)", "surf_upright": "U-SURF (ours)", "sift": "SIFT (OpenCV)", "orb": "ORB (OpenCV)"}
    lines = ["| method | keypoints / image | ms / image (wall), 1 thread | CPU ms / image |",
             "|---|---|---|---|"]
    for name, ms in result["ms_per_image"].items():
        lines.append(f"| {names.get(name, name)} | {result['keypoints'][name]:.0f} | {ms:.1f} | "
                     f"{result['cpu_ms_per_image'][name]:.1f} |")
    if "surf_over_sift" in result:
        lines.append(f"\nSURF / SIFT = {result['surf_over_sift']:.2f} wall, {result['surf_over_sift_cpu']:.2f} CPU "
                     f"(target <= 1.0); {result['images']}; best of {result['rounds']} alternating rounds; "
                     f"1-min load {result['load']:.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m helpers.surf.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=8, help="how many images (default 8)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating timing rounds (best counts)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args(argv)
    result = surf_vs_sift(args.images, args.rounds, tuple(args.methods.split(",")))
    print(format_table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
