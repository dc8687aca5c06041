"""Xu & Shi (2023)'s headline claims, as rules on what notebook 05 records."""

from __future__ import annotations

from helpers.uncertainty import candidates_chance
from helpers.verdicts import Claim

TITLE = "05 · Xu & Shi 2023, Totally Looks Like"
_PAIR = ("mobilenetv2", "mobilenet")
#: Top-2 of 20 candidates, one of them the true partner: 2 / 20.
TOP2_CHANCE = candidates_chance(20, 2)
_TOP2 = dict.fromkeys(("pair_mean_top2", "single_mean_top2", "fused_top2",
                       "fused_zero_shot_top2", "random_top2"), TOP2_CHANCE)
#: All-vs-all recall@20 over tll's 1500 pairs: the partner among 1500 candidates.
RECALL20_CHANCE = candidates_chance(1500, 20)

CLAIMS: list[Claim] = [
    Claim("Fusing two backbones beats a single one (about 0.61 vs 0.37 top-2)",
          "pair_mean_top2", kind="beats", baseline="single_mean_top2", uses=_PAIR,
          source="section 4, figures 3 and 4", chance=_TOP2,
          caveat="tll (1500 pairs) stands in for TLL; MobileNetV2 + MobileNet for the "
                 "report's pairs"),
    Claim("A fused pair reaches about 0.61 top-2 of 20 candidates", "fused_top2",
          tolerance=0.05, uses=_PAIR, source="section 4, figure 4", chance=TOP2_CHANCE),
    Claim("Training the fused ranker beats its zero-shot features", "fused_top2",
          kind="beats", baseline="fused_zero_shot_top2", uses=_PAIR, chance=_TOP2,
          beyond_report=True),
    Claim("Every model is far above random (0.10 top-2)", "fused_top2", kind="beats",
          baseline="random_top2", tolerance=0.2, uses=_PAIR, chance=_TOP2,
          beyond_report=True),
    Claim("All-vs-all recall@20 of pretrained features is about 0.196 (ResNet50, "
          "Rosenfeld 2018)", "recall_at_20_mobilenetv2", tolerance=0.02, uses=("mobilenetv2",),
          source="Rosenfeld et al. 2018, table 2", chance=RECALL20_CHANCE, beyond_report=True,
          caveat="1500 pairs here against 1828 there: fewer candidates make recall easier"),
]
