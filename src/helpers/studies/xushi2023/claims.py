"""Xu & Shi (2023)'s headline claims, as rules on what notebook 05 records."""

from __future__ import annotations

from helpers.verdicts import Claim

TITLE = "05 · Xu & Shi 2023, Totally Looks Like"
_PAIR = ("mobilenetv2", "mobilenet")

CLAIMS: list[Claim] = [
    Claim("Fusing two backbones beats a single one (about 0.61 vs 0.37 top-2)",
          "pair_mean_top2", kind="beats", baseline="single_mean_top2", uses=_PAIR,
          source="section 4, figures 3 and 4",
          caveat="tll (1500 pairs) stands in for TLL; MobileNetV2 + MobileNet for the "
                 "report's pairs"),
    Claim("A fused pair reaches about 0.61 top-2 of 20 candidates", "fused_top2",
          tolerance=0.05, uses=_PAIR, source="section 4, figure 4"),
    Claim("Training the fused ranker beats its zero-shot features", "fused_top2",
          kind="beats", baseline="fused_zero_shot_top2", uses=_PAIR),
    Claim("Every model is far above random (0.10 top-2)", "fused_top2", kind="beats",
          baseline="random_top2", tolerance=0.2, uses=_PAIR),
    Claim("All-vs-all recall@20 of pretrained features is about 0.196 (ResNet50, "
          "Rosenfeld 2018)", "recall_at_20_mobilenetv2", tolerance=0.02, uses=("mobilenetv2",),
          source="Rosenfeld et al. 2018, table 2",
          caveat="1500 pairs here against 1828 there: fewer candidates make recall easier"),
]
