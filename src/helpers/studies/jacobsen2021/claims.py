"""Jacobsen (2021)'s headline claims, as rules on what notebook 02 records."""

from __future__ import annotations

from helpers.uncertainty import topk_chance
from helpers.verdicts import Claim

TITLE = "02 · Jacobsen 2021, fine-tuning and SupCon"
_PLACES6 = "places6 stands in for DRE19 and MobileNetV2 (ImageNet) for the report's backbone"
_CNN = ("mobilenetv2",)
#: LOO top-1 over places6's test split (480 images, 80 per room), as in notebook 01.
_TOP1 = topk_chance((80,) * 6, 1, leave_one_out=True)
_RANKED = ("baseline_top1_mobilenetv2", "baseline_buggy_top1_mobilenetv2",
           "finetuned_top1_mobilenetv2", "supcon_top1_mobilenetv2")
_CHANCE = dict.fromkeys(_RANKED, _TOP1)

CLAIMS: list[Claim] = [
    Claim("With the preprocessing fixed, the pretrained baseline is far above the flawed "
          "one (ResNet50 0.656 vs 0.322)", "baseline_top1_mobilenetv2", kind="beats",
          baseline="baseline_buggy_top1_mobilenetv2", tolerance=0.2, caveat=_PLACES6,
          source="section 6.1, tables 2 and 3", chance=_CHANCE),
    Claim("Fine-tuning with a softmax head improves the encoder's LOO top-1 "
          "(ResNet50 0.656 -> 0.773)", "finetuned_top1_mobilenetv2", kind="beats",
          baseline="baseline_top1_mobilenetv2", caveat=_PLACES6, source="table 8",
          chance=_CHANCE),
    Claim("Each model does best with its own preprocessing scheme",
          "scheme_best_is_own_mobilenetv2", kind="true", uses=_CNN, exact=False, source="tables 4 and 6"),
    Claim("SupCon as the report ran it (no guards) goes NaN", "nan_unguarded_supcon",
          kind="true", needs_pretrained=False, source="section 6.2, figures 15 and 16"),
    Claim("The margin-based contrastive loss as the report ran it goes NaN",
          "nan_unguarded_margin", kind="true", needs_pretrained=False, source="section 6.2, figures 15 and 16"),
    Claim("Fixed (class-balanced batches, stable log-sum-exp, NaN guard): no variant goes "
          "NaN", "nan_with_fixes", kind="false", needs_pretrained=False, beyond_report=True,
          caveat="the course's fix, not the report's"),
    Claim("Fixed SupCon trains to a finite loss", "supcon_loss_finite_mobilenetv2",
          kind="true", uses=_CNN, beyond_report=True,
          caveat="the report's SupCon went NaN (paper: no); the finite loss is the course's fix"),
    Claim("SupCon beats cross-entropy fine-tuning (Khosla 2020; the report had no number)",
          "supcon_top1_mobilenetv2", kind="beats", baseline="finetuned_top1_mobilenetv2",
          uses=_CNN, chance=_CHANCE, beyond_report=True, caveat="Khosla et al.'s claim"),
]
