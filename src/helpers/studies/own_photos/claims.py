"""The course's findings, as rules judged on a student's labelled photos (notebook 06).

Notebook 06 reproduces no report: its rows ask whether what the course found on its stand-in
data sets carries over to the student's photos. They are judged by the same engine as the
reports' claims (:func:`helpers.verdicts.judge`), on leave-one-out top-1 over the student's
photos, each recorded with its per-photo hits (so a comparison on the same photos gets a paired
interval), beside the chance level of those very class sizes and a random ranking of the same
photos (the negative control). The rows are built per run because chance depends on the folder.
"""

from __future__ import annotations

from helpers.verdicts import Claim

TITLE = "06 · your own photos: do the course's findings carry over?"
#: The metrics notebook 06 records (leave-one-out top-1 over the photos, per photo).
METRICS = ("top1_best", "top1_runner_up", "top1_fused", "random_top1")


def for_photos(chance_top1: float, best: str, runner_up: str) -> list[Claim]:
    """The rows for this folder: ``chance_top1`` from its class sizes, ``best`` and
    ``runner_up`` the backbones the course's standard results ranked first and second."""
    chance = dict.fromkeys(METRICS, float(chance_top1))
    where = "leave-one-out top-1 over your labelled photos"
    return [
        Claim(f"Frozen ImageNet features ({best}) put a photo of the same class first more often "
              "than chance (as every frozen baseline of the report notebooks did)",
              "top1_best", kind="beats", baseline="random_top1", uses=(best,),
              source="notebooks 01, 02, 04 and 05: frozen baselines",
              caveat=where + f"; against a random ranking of the same photos (exact chance "
                             f"{chance_top1:.3f} from your class sizes)",
              no_control="the baseline is the negative control itself: a random ranking of "
                         "the same photos, paired photo by photo"),
        Claim(f"The course's choice carries over: {best} beats {runner_up} (ranked by notebooks "
              "01 and 05's standard results)", "top1_best", kind="beats",
              baseline="top1_runner_up", chance=chance, uses=(best, runner_up),
              source="notebooks 01 and 05, committed standard results", caveat=where,
              negative_control="random_top1",
              positive_controls=("top1_best", "top1_runner_up")),
        Claim(f"Fusing two backbones beats the better one alone: {best} + {runner_up} "
              f"concatenated against {best} (reproduced in notebook 05 for trained rankers; "
              "here zero-shot, nothing trained)", "top1_fused", kind="beats",
              baseline="top1_best", chance=chance, uses=(best, runner_up),
              source="notebook 05, section 6", caveat=where + "; the fusion is untrained "
              "(unit vectors concatenated), notebook 05's was trained on pairs",
              negative_control="random_top1", positive_controls=("top1_fused", "top1_best")),
    ]
