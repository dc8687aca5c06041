"""Xu & Shi (2023)'s headline claims, as rules on what notebook 05 records.

One row per claim of the report, stated as the report states it; the course's own findings
(trained beats zero-shot, above random, Rosenfeld's recall@20) are ``beyond_report``. Every
top-k number is recorded with its per-item hits (``report.record_scores``; ``(seeds, items)``
for the rankers), so a comparison of two models on the same rows is a paired interval.
"""

from __future__ import annotations

from helpers.uncertainty import candidates_chance
from helpers.verdicts import Claim

TITLE = "05 · Xu & Shi 2023, Totally Looks Like"
#: Top-2 of 20 candidates, one of them the true partner: 2 / 20.
TOP2_CHANCE = candidates_chance(20, 2)
_TOP2 = dict.fromkeys(("val_pair_mean_top2", "val_single_mean_top2", "pair_concat_mean_top2",
                       "fused_pairs_top2", "better_members_top2", "top2_pick_top2", "loss_pick_top2",
                       "pair_average_mean_top2", "fused_top2", "fused_zero_shot_top2",
                       "random_top2", "val_top2_resnet50_mobilenetv3small",
                       "val_top2_resnet50_mobilenetv3large"), TOP2_CHANCE)
#: All-vs-all recall@20 over tll's 1500 pairs: the partner among 1500 candidates.
RECALL20_CHANCE = candidates_chance(1500, 20)
_STAND_IN = ("tll (1500 pairs) stands in for TLL (6016); MobileNetV2, MobileNet and "
             "MobileNetV3Small (the only backbones with ImageNet weights here) for the report's "
             "ResNet50-based pairs; heads trained on cached frozen features")

CLAIMS: list[Claim] = [
    Claim("Fusing two backbones beats a single one: single models average about 0.37, "
          "pairs about 0.61 (every pair holds ResNet50, the best single model at about 0.40)",
          "fused_pairs_top2", kind="beats", baseline="better_members_top2",
          source="section 4(a), figures 3 and 4 (validation)", chance=_TOP2,
          caveat=_STAND_IN + "; judged pair by pair: each pair of backbones (concatenated, the first "
                 "fusion) against the better of its own two backbones alone (chosen on validation top-2), on the test split, the gains "
                 "averaged over the pairs (the report's mean of every single model against the "
                 "mean of the pairs would credit fusion with the weak singles); here every pair "
                 "of the three MobileNets",
          card=("data", "split", "candidates", "backbones", "frozen", "pairs", "pooling", "fusion",
                "head", "loss", "learning rate", "epochs", "checkpoint", "seeds"),
          negative_control="random_top2",
          positive_controls=("fused_pairs_top2", "better_members_top2")),
    Claim("ResNet50/VGG19 and ResNet50/MobileNetV3Large are the best pairs (validation about "
          "0.68; test 0.623 and 0.631)", "report_best_pairs", kind="true", exact=False,
          source="section 4(b), section 5, figure 4", card=("backbones", "weights", "pairs")),
    Claim("MobileNetV3Small (paired with ResNet50) did not surpass MobileNetV3Large",
          "val_top2_resnet50_mobilenetv3small", kind="below",
          baseline="val_top2_resnet50_mobilenetv3large", source="section 4(b)", chance=_TOP2,
          card=("backbones", "weights", "pairs", "checkpoint"), negative_control="random_val_top2",
          positive_controls=("val_top2_resnet50_mobilenetv3small",
                             "val_top2_resnet50_mobilenetv3large")),
    Claim("The loss of every model hovers around 1.0", "hinge_final_loss", kind="about",
          tolerance=0.3, source="section 5, figure 5",
          caveat="the report's hinge, last epoch's training loss over every model and seed; "
                 "'about 1.0' read as within 0.3 either side (the notebook prints the range)",
          card=("loss", "similarity", "candidates", "epochs", "batch size"),
          by_construction="with scores in [0, 1] and m = 1 each row's loss is 1 + (hardest "
                          "negative - partner) until the partner wins by the whole margin, which "
                          "a cosine ranker almost never does: any model, good or bad, sits near "
                          "1.0 (exercise 05.loss_floor shows a perfectly ranked row at 0.2)"),
    Claim("The loss values of all the models are too similar to tell which model is best",
          "top2_pick_top2", kind="beats", baseline="loss_pick_top2", chance=_TOP2,
          source="section 5",
          caveat="our reconstruction of a test: among the pooled hinge models, the one with the "
                 "best validation top-2 (figure 4's reading) against the one with the lowest "
                 "final training loss (figure 5's), both on the test split; if the loss could "
                 "pick the best model the two would score alike",
          card=("loss", "checkpoint", "epochs", "seeds"), negative_control="random_top2",
          positive_controls=("top2_pick_top2",)),
    Claim("More parameters improve accuracy, up to a point (ResNet50/InceptionV3, the largest, "
          "did badly)", "params_help_up_to_a_point", kind="true", exact=False,
          source="section 5, figure 6", card=("backbones", "frozen", "head")),
    Claim("Concatenating the two backbones' features beats averaging them (the report's primary "
          "objective, for which it gives no result: not its claim, so the row is ours)",
          "pair_concat_mean_top2", kind="beats", baseline="pair_average_mean_top2",
          source="abstract, section 3.4", chance=_TOP2, beyond_report=True,
          caveat=_STAND_IN + "; the pairs trained both ways (standard: MobileNetV2+MobileNet), "
                             "test split; our reconstruction averages vectors of different "
                             "widths after a learned linear projection of each (the report does "
                             "not say how it averaged), and a mean of learned linear projections "
                             "is itself a linear map of the concatenation, so with the layers "
                             "that follow both fusions can represent the same rankers: the row "
                             "compares how two parametrisations train, not what each can "
                             "express",
          card=("fusion", "pooling", "head", "data", "split", "backbones", "seeds"),
          negative_control="random_top2",
          positive_controls=("pair_concat_mean_top2", "pair_average_mean_top2")),
    Claim("Training the fused ranker beats its zero-shot features", "fused_top2",
          kind="beats", baseline="fused_zero_shot_top2", chance=_TOP2, beyond_report=True,
          card=("frozen", "head", "epochs", "checkpoint"), negative_control="random_top2",
          positive_controls=("fused_zero_shot_top2",)),
    Claim("Every model is far above random (0.10 top-2)", "fused_top2", kind="beats",
          baseline="random_top2", tolerance=0.2, chance=_TOP2, beyond_report=True,
          card=("candidates", "metric")),
    Claim("All-vs-all recall@20 of pretrained features is about 0.196 (ResNet50, "
          "Rosenfeld 2018)", "recall_at_20_mobilenetv2", tolerance=0.02, uses=("mobilenetv2",),
          source="Rosenfeld et al. 2018, table 2", chance=RECALL20_CHANCE, beyond_report=True,
          incomparable="MobileNetV2 here, ResNet50 there; 1500 pairs here against 1828 there "
                       "(fewer candidates make recall easier)",
          card=("data", "backbones", "pooling")),
]
