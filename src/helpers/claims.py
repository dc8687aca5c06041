"""Each report's headline claims, and the rule that judges each on our recorded numbers.

:data:`CLAIMS` maps a notebook to its claims, keyed by the metric names that notebook records
with ``report.record``; :mod:`helpers.results` applies the rules and writes RESULTS.md. Paper
numbers come from the metrics files, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """One headline claim of a report and the rule that judges it on our numbers.

    ``kind``:
    - ``"at_least"``: ours reaches the paper's number within ``tolerance`` (absolute).
    - ``"beats"``: metric ``metric`` is higher than metric ``baseline`` (by more than
      ``tolerance``), in our run. The paper's number for each is shown beside.
    - ``"below"``: metric ``metric`` is lower than ``baseline`` by more than ``tolerance``
      (a flaw that collapses a score).
    - ``"finite"``: the metric was recorded and is a finite number (e.g. a loss that the report
      saw go NaN).
    - ``"true"`` / ``"false"``: a recorded yes/no finding (e.g. "the unguarded loss went NaN").

    ``uses`` names the backbones a number depends on when its own record does not say which
    weights it came from; any of them at random init in the run makes the claim untestable.
    ``caveat`` is shown beside the verdict: what differs from the report (data, model).
    """

    statement: str
    metric: str
    kind: str = "at_least"
    baseline: str | None = None
    tolerance: float = 0.0
    needs_pretrained: bool = True
    uses: tuple[str, ...] = ()
    caveat: str = ""


KINDS = ("at_least", "beats", "below", "finite", "true", "false")


_PLACES6 = "places6 stands in for DRE19 and MobileNetV2 (ImageNet) for the report's backbone"
_CNN = ("mobilenetv2",)
_PAIR = ("mobilenetv2", "mobilenet")

CLAIMS: dict[str, list[Claim]] = {
    "01_ingwersen_autoencoders": [
        Claim("Pretrained CNN features retrieve rooms: LOO top-1 on test 0.769 (VGG16-Places365)",
              "baseline_test_top1", tolerance=0.05, caveat=_PLACES6),
        Claim("... and top-5 on test 0.929", "baseline_test_top5", tolerance=0.05,
              caveat=_PLACES6),
        Claim("Dividing ImageNet-preprocessed images by 255 again costs about 0.30 top-1 "
              "(ResNet50 0.32 instead of 0.64)", "flawed_pipeline_drop_top1", tolerance=0.05,
              uses=_CNN),
        Claim("An autoencoder on the features beats the plain features on test (0.782 vs 0.769)",
              "best_ae_test_top1", kind="beats", baseline="baseline_test_top1", uses=_CNN,
              caveat="the best autoencoder is picked on validation top-1"),
        Claim("... and on validation (0.773 vs 0.760)", "best_ae_val_top1", kind="beats",
              baseline="baseline_val_top1", uses=_CNN),
        Claim("A 4x-or-smaller code loses nothing on test (AE-512: 0.771, 8x smaller)",
              "best_ae_4x_test_top1", kind="beats", baseline="baseline_test_top1",
              tolerance=-0.01, uses=_CNN, caveat="'loses nothing' read as within 0.01"),
        *(Claim(f"The autoencoder's features have a lower t-SNE KL divergence (perplexity {p})",
                f"tsne_kl_autoencoder_p{p}", kind="below", baseline=f"tsne_kl_baseline_p{p}",
                uses=_CNN) for p in (5, 20, 50)),
    ],
    "02_jacobsen_finetuning_supcon": [
        Claim("With the preprocessing fixed, the pretrained baseline is far above the flawed "
              "one (ResNet50 0.656 vs 0.322)", "baseline_top1_mobilenetv2", kind="beats",
              baseline="baseline_buggy_top1_mobilenetv2", tolerance=0.2, caveat=_PLACES6),
        Claim("Fine-tuning with a softmax head improves the encoder's LOO top-1 "
              "(ResNet50 0.656 -> 0.773)", "finetuned_top1_mobilenetv2", kind="beats",
              baseline="baseline_top1_mobilenetv2", caveat=_PLACES6),
        Claim("Each model does best with its own preprocessing scheme",
              "scheme_best_is_own_mobilenetv2", kind="true", uses=_CNN),
        Claim("SupCon as the report ran it (no guards) goes NaN", "nan_unguarded_supcon",
              kind="true", needs_pretrained=False),
        Claim("The margin-based contrastive loss as the report ran it goes NaN",
              "nan_unguarded_margin", kind="true", needs_pretrained=False),
        Claim("Fixed (class-balanced batches, stable log-sum-exp, NaN guard): no variant goes "
              "NaN", "nan_with_fixes", kind="false", needs_pretrained=False),
        Claim("Fixed SupCon trains to a finite loss", "supcon_loss_finite_mobilenetv2",
              kind="true", uses=_CNN),
        Claim("SupCon beats cross-entropy fine-tuning (Khosla 2020; the report had no number)",
              "supcon_top1_mobilenetv2", kind="beats", baseline="finetuned_top1_mobilenetv2",
              uses=_CNN),
    ],
    "03_swedish_attribute_classifiers": [
        *(Claim(f"{task.capitalize()}: best validation accuracy, {mode} ({paper})",
                f"{task}_best_{mode}_val_acc", tolerance=0.03, caveat=caveat)
          for task, caveat in (
              ("rooms", "houses listing photos; Keras backbones stand in for the report's"),
              ("balcony", "houses 'frontal' exterior vs indoor stands in for balcony vs indoor"),
              ("fireplace", "no public fireplace labels: runs on a folder you supply"))
          for mode, paper in (("frozen", "feature extraction"), ("finetune", "all layers"))),
        Claim("Rooms: fine-tuning all layers beats feature extraction (same model)",
              "rooms_mobilenetv2_finetune_val_acc", kind="beats",
              baseline="rooms_mobilenetv2_frozen_val_acc",
              caveat="MobileNetV2 both ways; the report's best models differ per mode"),
        Claim("Balcony: fine-tuning all layers beats feature extraction (same model)",
              "balcony_mobilenetv2_finetune_val_acc", kind="beats",
              baseline="balcony_mobilenetv2_frozen_val_acc",
              caveat="MobileNetV2 both ways; a ceiling of 1.0 leaves nothing to beat"),
    ],
    "04_query_gallery_challenge": [
        Claim("Pretrained CNN features + Euclidean distance: top-1 0.533", "pretrained_top1",
              tolerance=0.05,
              caveat="flowers stands in for the challenge; MobileNetV2 for ResNet50"),
        Claim("... top-3 0.733", "pretrained_top3", tolerance=0.05),
        Claim("... top-10 0.867", "pretrained_top10", tolerance=0.05),
        Claim("SURF keypoint matching is almost as good as the CNN (0.557 vs 0.533 top-1)",
              "surf_top1", kind="beats", baseline="pretrained_top1", tolerance=-0.05, uses=_CNN,
              caveat="flowers are categories, not the same place: see the UKBench table"),
        Claim("The convolutional autoencoder is far behind the CNN features (0.067 top-1)",
              "cae_top1", kind="below", baseline="pretrained_top1", tolerance=0.1, uses=_CNN),
        Claim("The Siamese network did not learn useful features (worse than the CNN it wraps)",
              "siamese_top1", kind="below", baseline="pretrained_top1", uses=_CNN),
        Claim("The small CNN classifier reaches about 40% accuracy", "small_cnn_val_accuracy",
              tolerance=0.05, needs_pretrained=False),
    ],
    "05_totally_looks_like": [
        Claim("Fusing two backbones beats a single one (about 0.61 vs 0.37 top-2)",
              "pair_mean_top2", kind="beats", baseline="single_mean_top2", uses=_PAIR,
              caveat="tll (1500 pairs) stands in for TLL; MobileNetV2 + MobileNet for the "
                     "report's pairs"),
        Claim("A fused pair reaches about 0.61 top-2 of 20 candidates", "fused_top2",
              tolerance=0.05, uses=_PAIR),
        Claim("Training the fused ranker beats its zero-shot features", "fused_top2",
              kind="beats", baseline="fused_zero_shot_top2", uses=_PAIR),
        Claim("Every model is far above random (0.10 top-2)", "fused_top2", kind="beats",
              baseline="random_top2", tolerance=0.2, uses=_PAIR),
        Claim("All-vs-all recall@20 of pretrained features is about 0.196 (ResNet50, "
              "Rosenfeld 2018)", "recall_at_20_mobilenetv2", tolerance=0.02, uses=_CNN,
              caveat="1500 pairs here against 1828 there: fewer candidates make recall easier"),
    ],
}

TITLES = {
    "01_ingwersen_autoencoders": "01 · Ingwersen 2020, transfer-learned autoencoders",
    "02_jacobsen_finetuning_supcon": "02 · Jacobsen 2021, fine-tuning and SupCon",
    "03_swedish_attribute_classifiers": "03 · Råhlén & Sjöqvist 2019, attribute classifiers",
    "04_query_gallery_challenge": "04 · Fetz et al. 2021, the query/gallery challenge",
    "05_totally_looks_like": "05 · Xu & Shi 2023, Totally Looks Like",
}
