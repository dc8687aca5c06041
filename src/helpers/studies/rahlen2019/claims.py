"""Råhlén & Sjöqvist (2019)'s headline claims, as rules on what notebook 03 records.

Each claim is stated as the report states it, with its section or table. Numbers rest on each
validation photo's correctness (over 3 head seeds for feature extraction in the standard
profile; fine-tuning runs once, so its interval is over the photos alone).
"""

from __future__ import annotations

import numpy as np

from helpers.uncertainty import classification_chance
from helpers.verdicts import Claim

TITLE = "03 · Råhlén & Sjöqvist 2019, attribute classifiers"
#: Within 3 points of the report's accuracy counts as reaching it: its five architectures
#: spread over 2-7 points per task. The notebook's sentences use the same number.
TOLERANCE = 0.03
#: "ungefär tre procentenheter" (about three points; 4.1.2, 4.3.2, 5.1): how far apart the
#: architectures may lie. The report calls its own spreads of 2.67, 2.68, 3.08 and 3.12 points
#: "about three" (balcony both modes, rooms fine-tuned): a spread that rounds to three points
#: or less, under 3.5.
SPREAD = 0.035
#: "tre gånger längre tid" (three times as long; 4.1.1) is said of the report's own 9m 04s
#: against 3m 18s, a ratio of 2.75: a ratio that rounds to three, within 0.5 of it.
THREE_TIMES = 0.5
#: "åtta procentenheter" (eight points; 4.2.2) is said of 8.18: a spread that rounds to eight.
EIGHT_POINTS = 0.005
#: The report treats about one point as a difference worth naming ("skillnaden är ungefär en
#: procentenhet", 4.3.2): "more training would not have helped" allows less than that.
ONE_POINT = 0.01
_TABLES = {("rooms", "frozen"): "4.5", ("rooms", "finetune"): "4.6",
           ("balcony", "frozen"): "4.1", ("balcony", "finetune"): "4.2",
           ("fireplace", "frozen"): "4.3", ("fireplace", "finetune"): "4.4"}

# Majority-class accuracy on each task's validation split (15 % of the stand-in data,
# stratified): rooms 60 kitchen, bathroom and bedroom photos each; balcony 60 exterior vs 60
# indoor; fireplace has no data here, so the report's own validation counts (96 vs 51, table
# 3.1) stand in.
_VAL_COUNTS = {"rooms": (60, 60, 60), "balcony": (60, 60), "fireplace": (96, 51)}
CHANCE = {task: classification_chance(np.repeat(np.arange(len(c)), c))["majority"]
          for task, c in _VAL_COUNTS.items()}
_CAVEATS = {"rooms": "Houses listing photos; MobileNetV2 / MobileNet / MobileNetV3Small (real "
                     "weights) against the report's five",
            "balcony": "Houses 'frontal' exterior vs indoor stands in for balcony vs indoor",
            "fireplace": "no public fireplace labels: runs only on a folder you supply"}
_TOO_EASY = "balcony_stand_in_too_easy"
# An accuracy on other photos with other models is shown beside the report's, not judged
# against it (issue 17); the relative claims below are. Fireplace runs only on the user's own
# folder, whose photos may be comparable: its rows are judged when it is given.
INCOMPARABLE = {"rooms": "Houses photos and MobileNets here, the report's listing photos and "
                          "its five architectures there",
                 "balcony": "", "fireplace": ""}


def _too_easy(task: str) -> str | None:
    """The recorded thumbnail check of a task's stand-in (balcony and rooms; the fireplace
    task runs only on a folder you supply)."""
    return f"{task}_stand_in_too_easy" if task in ("balcony", "rooms") else None


CLAIMS: list[Claim] = [
    *(Claim(f"{task.capitalize()}: best validation accuracy, {mode} ({paper})",
            f"{task}_best_{mode}_val_acc", tolerance=TOLERANCE, caveat=_CAVEATS[task],
            chance=CHANCE[task], source=f"table {_TABLES[(task, mode)]}",
            not_testable_if=_too_easy(task), incomparable=INCOMPARABLE[task],
            card=("data", "backbones", "modes", "learning rate", "epochs", "augmentation",
                  "selection"))
      for task in ("rooms", "balcony", "fireplace")
      for mode, paper in (("frozen", "feature extraction"), ("finetune", "all layers"))),
    *(Claim(f"{task.capitalize()}: fine-tuning reaches a higher maximum than feature extraction",
            f"{task}_finetune_same_backbone_val_acc", kind="beats",
            baseline=f"{task}_frozen_same_backbone_val_acc", source=source, chance=CHANCE[task],
            caveat="ours: one backbone (the one fine-tuned here, MobileNetV2) in both modes on "
                   "the same validation photos, paired; the report's best per mode sets "
                   "different architectures against each other (rooms: 97.91 against 96.87, "
                   "2 photos of 192)",
            not_testable_if=_too_easy(task),
            card=("backbones", "modes", "learning rate", "epochs", "augmentation", "seeds",
                  "head start"),
            positive_controls=(f"{task}_finetune_same_backbone_val_acc",
                               f"{task}_frozen_same_backbone_val_acc"))
      for task, source in (("rooms", "section 4.3.2, tables 4.5-4.6"),
                           ("fireplace", "section 4.2.2, tables 4.3-4.4"),
                           ("balcony", "section 5.1, tables 4.1-4.2"))),
    Claim("Fireplaces are harder to classify than balconies (85.5 % against 98.1 %)",
          "fireplace_best_finetune_val_acc", kind="below",
          baseline="balcony_best_finetune_val_acc", source="summary, section 5.2",
          chance={"fireplace_best_finetune_val_acc": CHANCE["fireplace"],
                  "balcony_best_finetune_val_acc": CHANCE["balcony"]},
          caveat="needs a fireplace folder and a balcony stand-in that is not too easy",
          not_testable_if=_TOO_EASY, card=("data", "split")),
    Claim("Fine-tuning takes more than twice as long to train as feature extraction "
          "(DenseNet on rooms: 9m 53s against 4m 20s)", "rooms_finetune_time_ratio",
          needs_pretrained=False, source="section 4.3.2, tables 4.5-4.6",
          caveat="ours: DenseNet-121 with random weights, an epoch of the report's rooms photos "
                 "estimated from timed training steps, forward passes and photo loading on this "
                 "machine's CPU (the report: a K80 GPU); the rule is the text's 'more than "
                 "twice' (its table: 2.28); one architecture in two modes, so the ratio is "
                 "mostly one of passes through the same layers (a backward pass costs about two "
                 "forward ones on any device), testable on a CPU, unlike the next row",
          card=("timing", "modes"),
          no_control="a ratio of training times has no chance level"),
    Claim("Inception v3 takes three times as long to train as AlexNet (feature extraction, "
          "balcony)", "inception_alexnet_time_ratio", kind="about", tolerance=THREE_TIMES,
          needs_pretrained=False, source="section 4.1.1, table 4.1",
          caveat="ours: Inception v3 (299 px) and AlexNet written on the page (224 px), random "
                 "weights, an epoch of the report's balcony photos from timed steps and photo "
                 "loading on this machine's CPU (the report: a K80 GPU); 'three times' as the "
                 "report uses it (its table: 2.75): 2.5-3.5; not testable without a GPU (a "
                 "ratio of two architectures depends on the device)",
          not_testable_if="timed_without_gpu", card=("timing", "backbones"),
          no_control="a ratio of training times has no chance level"),
    Claim("The architectures lie within about three points of each other",
          "rooms_worst_frozen_val_acc", kind="beats", baseline="rooms_best_frozen_val_acc",
          tolerance=-SPREAD, source="sections 4.1.2, 4.3.2, 5.1", chance=CHANCE["rooms"],
          caveat="ours: the three real-weight backbones with feature extraction on rooms (the "
                 "one task here with several of them and a stand-in not too easy), the weakest "
                 "against the best on the same photos; 'about three' as the report uses it "
                 "(its spreads of 2.67-3.12 points): worst - best > -0.035",
          not_testable_if="rooms_stand_in_too_easy",
          card=("backbones", "modes", "seeds"), positive_controls=("rooms_worst_frozen_val_acc",)),
    Claim("Rooms: every model's accuracy is over 93 % with feature extraction",
          "rooms_worst_frozen_val_acc", source="section 4.3.1, table 4.5", chance=CHANCE["rooms"],
          caveat="ours: the weakest of the three real-weight backbones on Houses rooms photos "
                 "(the report's weakest, AlexNet: 93.22)", not_testable_if="rooms_stand_in_too_easy",
          card=("data", "backbones", "modes", "augmentation", "selection")),
    Claim("DenseNet is the best architecture with feature extraction on rooms (about three "
          "points above the others)", "rooms_densenet_best_frozen", kind="true", exact=False,
          source="section 4.3.1, table 4.5", caveat="needs DenseNet-121's ImageNet weights",
          card=("backbones", "modes")),
    Claim("Fine-tuning overfits: in its last epochs training accuracy rises above validation "
          "accuracy, unlike with frozen layers", "rooms_finetune_train_val_gap", kind="beats",
          baseline="rooms_frozen_train_val_gap", source="section 5.1 (balcony)",
          caveat="ours on rooms (the balcony stand-in is too easy): one backbone's kept weights "
                 "in each mode, training minus validation accuracy, the fine-tuned gap against "
                 "the frozen one (training photos: a sample as large as validation)",
          not_testable_if="rooms_stand_in_too_easy",
          no_control="a difference of two train-validation gaps has no chance level: a model "
                     "that learned nothing has no gap in either mode",
          card=("modes", "epochs", "learning rate", "augmentation", "head start")),
    Claim("The models converge within a few epochs (3-5): more training would not have helped "
          "(feature extraction)", "rooms_best_frozen_test_acc", kind="below",
          baseline="rooms_best_frozen_short_test_acc", tolerance=-ONE_POINT,
          source="sections 4.1.1, 4.1.2, 5.1 (balcony)", chance=CHANCE["rooms"],
          caveat="ours on rooms (the balcony stand-in is too easy): the best frozen backbone's "
                 "heads trained 30 epochs against the same heads (same seeds) trained 5, each "
                 "with its best validation epoch kept, on the held-out test photos, paired; "
                 "'would not have helped': 30 epochs gain less than one point",
          not_testable_if="rooms_stand_in_too_easy",
          positive_controls=("rooms_best_frozen_short_test_acc",),
          card=("epochs", "augmentation", "seeds", "selection")),
    Claim("Fireplace: the architectures spread over eight points with fine-tuning (DenseNet "
          "best, AlexNet worst)", "fireplace_finetune_spread", kind="about",
          tolerance=EIGHT_POINTS, source="section 4.2.2, table 4.4",
          caveat="the best fine-tuned backbone minus the weakest, paired on the same photos; "
                 "needs a fireplace folder and several fine-tuned backbones with real weights",
          no_control="a spread between models has no chance level",
          card=("data", "backbones", "modes")),
    Claim("Best-epoch validation accuracy overstates the held-out accuracy of the same "
          "weights (rooms, feature extraction)", "rooms_best_frozen_val_acc", kind="beats",
          baseline="rooms_best_frozen_test_acc", beyond_report=True, chance=CHANCE["rooms"],
          source="the notebook's test split (the report had none)",
          caveat="different photos (validation vs test): unpaired interval",
          card=("selection", "split")),
]
