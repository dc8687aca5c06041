"""Report tables 4 and 5 across backbones x schemes, and why table 6 is not run here.

Tables 4 (deep AEs) and 5 (denoising AEs, noise 0.3) ran one autoencoder family on several
pretrained backbones under several preprocessing schemes. :func:`family_sweep` does the same:
for each backbone the baseline sweep kept and each scheme, it trains table 4's deep AE and
table 5's denoising AE (widths rescaled to the backbone's feature width, as in
:func:`helpers.studies.ingwersen2020.grid.paper_grid`) on that backbone's train features and
scores their codes beside the plain features. One training seed per cell: these tables feed
no claim (the claims rest on the main grid, over seeds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.studies.ingwersen2020.grid import PageCode, paper_grid
from helpers.studies.ingwersen2020.profile import Settings
from helpers.training import Recipe

#: The report's test top-1 of tables 4 and 5, by (table, backbone, our scheme name). Its
#: "ImageNet" column is the flawed pipeline as we reconstruct it (see ``paper.py``).
PAPER_TABLES_4_5: dict[tuple[str, str, str], float] = {
    ("Table 4", "resnet50", "simple"): 0.324,
    ("Table 4", "resnet50", "places"): 0.659,
    ("Table 4", "vgg16", "simple"): 0.541,
    ("Table 4", "vgg16", "places"): 0.775,
    ("Table 5", "resnet50", "simple"): 0.337,
    ("Table 5", "resnet50", "imagenet_then_255_bug"): 0.341,
    ("Table 5", "resnet50", "places"): 0.650,
    ("Table 5", "vgg16", "simple"): 0.528,
    ("Table 5", "vgg16", "places"): 0.778,
}

#: Table 6 (VGG16 flatten / fc2 deep denoising AEs): the report's rows, with why not here.
TABLE6_WHY_NOT = (
    "not run: VGG16 has no genuine weights on this machine (ImageNet or Places365), so its "
    "flatten (25088-d) and fc2 codes would be random-init features, which say nothing about "
    "the report's; and a 25088-12544 layer alone holds 315 M weights, beyond a CPU profile")
TABLE6 = (
    ("VGG16 (flatten)", "6272, 3136, 1568", 0.3, 0.68),
    ("VGG16 (flatten)", "25088, 12544, 6272, 3136", 0.3, 0.163),
    ("VGG16 (fc_2)", "4096, 2048, 1028", 0.5, 0.762),
    ("VGG16 (fc_2)", "5000, 3000, 1600", 0.3, 0.764),
)


def table6_rows() -> list[dict[str, Any]]:
    """Table 6 as the report printed it (test top-1), each row saying why it is not run here."""
    return [{"pretrained": p, "architecture": a, "noise": n, "paper test top-1": v,
             "here": TABLE6_WHY_NOT} for p, a, n, v in TABLE6]


def family_sweep(
    page: PageCode,
    sweep: Any,
    train: Any,
    settings: Settings,
    recipe: Recipe,
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = print,
) -> list[dict[str, Any]]:
    """Tables 4 and 5's autoencoders (the page's, ``page``) on each of
    ``settings.family_backbones`` (kept by the
    sweep) under each of ``settings.family_schemes``, one row per (backbone, scheme, AE).

    ``train`` is the train ImageSet; ``settings.family_train_per_class`` caps it per room
    (seeded) to keep the standard profile's extraction time down (None: all of it).
    """
    from helpers.studies.ingwersen2020.experiments import cap_per_class

    index = cap_per_class(train.labels, settings.family_train_per_class, seed)
    subset = train.subset(index) if settings.family_train_per_class else train
    rows: list[dict[str, Any]] = []
    for backbone in settings.family_backbones:
        for scheme in settings.family_schemes:
            train_x = sweep.extract(backbone, subset, scheme, settings.image_size,
                                    settings.batch_size)
            evals = {s: (sweep.vectors[(backbone, scheme, s)], sweep.labels[(backbone, s)])
                     for s in ("test", "val")}
            entries = [e for e in paper_grid(page.spec, train_x.shape[1], extra_noise=())
                       if e.table in ("Table 4", "Table 5")]
            base = sweep.row(backbone, scheme)
            for entry in entries:
                model = page.train(train_x, entry.spec, recipe, scaling="max")
                rows.append({"table": entry.table, "backbone": backbone,
                             "weights": base["weights"], "scheme": scheme,
                             "ours": entry.spec.layers(train_x.shape[1]),
                             "train images": len(train_x), "epochs_run": model.epochs_run,
                             "paper test_top1": PAPER_TABLES_4_5.get(
                                 (entry.table, backbone, scheme)),
                             "baseline test_top1": base["test_top1"],
                             **page.scores(model.encode, evals)})
            if progress is not None:
                progress(f"tables 4-5: {backbone} / {scheme} done ({len(train_x)} train images)")
    return rows


def family_summary(rows: list[dict[str, Any]]) -> Any:
    """Test top-1 pivoted: one row per (table, backbone), one column per scheme."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    return frame.pivot_table(index=["table", "backbone", "weights"], columns="scheme",
                             values="test_top1", aggfunc=np.mean).round(3)
