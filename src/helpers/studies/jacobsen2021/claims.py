"""Jacobsen (2021)'s headline claims, as rules on what notebook 02 records."""

from __future__ import annotations

from helpers.verdicts import Claim

TITLE = "02 · Jacobsen 2021, fine-tuning and SupCon"
_PLACES6 = "places6 stands in for DRE19 and MobileNetV2 (ImageNet) for the report's backbone"
_CNN = ("mobilenetv2",)

CLAIMS: list[Claim] = [
    Claim("With the preprocessing fixed, the pretrained baseline is far above the flawed "
          "one (ResNet50 0.656 vs 0.322)", "baseline_top1_mobilenetv2", kind="beats",
          baseline="baseline_buggy_top1_mobilenetv2", tolerance=0.2, caveat=_PLACES6,
          source="section 6.1, tables 2 and 3"),
    Claim("Fine-tuning with a softmax head improves the encoder's LOO top-1 "
          "(ResNet50 0.656 -> 0.773)", "finetuned_top1_mobilenetv2", kind="beats",
          baseline="baseline_top1_mobilenetv2", caveat=_PLACES6, source="table 8"),
    Claim("Each model does best with its own preprocessing scheme",
          "scheme_best_is_own_mobilenetv2", kind="true", uses=_CNN, source="tables 4 and 6"),
    Claim("SupCon as the report ran it (no guards) goes NaN", "nan_unguarded_supcon",
          kind="true", needs_pretrained=False, source="section 6.2, figures 15 and 16"),
    Claim("The margin-based contrastive loss as the report ran it goes NaN",
          "nan_unguarded_margin", kind="true", needs_pretrained=False, source="section 6.2, figures 15 and 16"),
    Claim("Fixed (class-balanced batches, stable log-sum-exp, NaN guard): no variant goes "
          "NaN", "nan_with_fixes", kind="false", needs_pretrained=False),
    Claim("Fixed SupCon trains to a finite loss", "supcon_loss_finite_mobilenetv2",
          kind="true", uses=_CNN),
    Claim("SupCon beats cross-entropy fine-tuning (Khosla 2020; the report had no number)",
          "supcon_top1_mobilenetv2", kind="beats", baseline="finetuned_top1_mobilenetv2",
          uses=_CNN),
]
