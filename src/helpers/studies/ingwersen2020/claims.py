"""Ingwersen (2020)'s headline claims, as rules on what notebook 01 records."""

from __future__ import annotations

from helpers.verdicts import Claim

TITLE = "01 · Ingwersen 2020, transfer-learned autoencoders"
_PLACES6 = "places6 stands in for DRE19 and MobileNetV2 (ImageNet) for the report's backbone"
_CNN = ("mobilenetv2",)
_METRICS = ("test_top1", "val_top1", "test_top5", "val_top5")

CLAIMS: list[Claim] = [
    Claim("Pretrained CNN features retrieve rooms: LOO top-1 on test 0.769 (VGG16-Places365)",
          "baseline_test_top1", tolerance=0.05, caveat=_PLACES6, source="section 5.2"),
    Claim("... and top-5 on test 0.929", "baseline_test_top5", tolerance=0.05,
          caveat=_PLACES6, source="section 5.2"),
    Claim("Places preprocessing gives the best baseline for every pretrained backbone",
          "places_best_scheme", kind="true", needs_pretrained=False, source="section 5.2",
          caveat="judged on the pretrained backbones here, on validation top-1"),
    Claim("Dividing ImageNet-preprocessed images by 255 again costs about 0.30 top-1 "
          "(ResNet50 0.32 instead of 0.64)", "flawed_pipeline_drop_top1", tolerance=0.05,
          uses=_CNN, source="section 5.2, table 5"),
    Claim("An autoencoder on the features beats the plain features on test (0.782 vs 0.769)",
          "best_ae_test_top1", kind="beats", baseline="baseline_test_top1", uses=_CNN,
          caveat="the best autoencoder is picked on validation top-1", source="table 3"),
    Claim("... and on validation (0.773 vs 0.760)", "best_ae_val_top1", kind="beats",
          baseline="baseline_val_top1", uses=_CNN, source="table 3"),
    # Section 6.2: "The shallow AE-512 ... Furthermore, it outperforms the baseline on every
    # metric." Every metric means all four of table 3's columns.
    Claim("AE-512 (8x smaller) outperforms the baseline on every metric (4 of 4)",
          tuple(f"best_ae_4x_{m}" for m in _METRICS), kind="beats",
          baseline=tuple(f"baseline_{m}" for m in _METRICS), uses=_CNN, source="section 6.2",
          caveat="our best autoencoder at >= 4x compression, picked on validation top-1"),
    Claim("Shallow autoencoders without noise beat denoising and deep ones",
          "shallow_ae_best_kind", kind="true", uses=_CNN, source="section 6.1.0.4",
          caveat="best validation top-1 per kind of autoencoder"),
    *(Claim(f"The autoencoder's features have a lower t-SNE KL divergence (perplexity {p})",
            f"tsne_kl_autoencoder_p{p}", kind="below", baseline=f"tsne_kl_baseline_p{p}",
            uses=_CNN, source="appendix E, table 7") for p in (5, 20, 50)),
]
