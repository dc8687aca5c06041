"""Report 02's contrastive fine-tuning beside cross-entropy on the same trainable layers.

The report's contrastive run broke before giving a number (section 6.2); the course's fixed
run (the page's ``contrastive_finetune``) is set beside the cross-entropy run that trained
exactly the same layer groups, so the comparison is of the loss alone, not of the loss and the
layers together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from helpers.classifiers.model import Recipe
from helpers.studies.jacobsen2021.finetune import FineTunable, Run, TrunkCache

#: The page's contrastive training call:
#: ``(clf, cache, groups, recipe, loss, probe_epochs, label) -> Run``.
ContrastiveFinetune = Callable[..., Run]


def same_layers_run(layer_runs: Mapping[str, Run], best_run: Run, pick: int | None) -> Run:
    """The cross-entropy run a contrastive run is compared with: configuration ``pick`` of
    ``layer_runs`` (an index), or ``best_run`` (chosen on validation) when ``pick`` is None."""
    return best_run if pick is None else list(layer_runs.values())[pick]


def contrastive_runs(train: ContrastiveFinetune, models: Mapping[str, FineTunable],
                     caches: Mapping[str, TrunkCache], compared: Mapping[str, Run],
                     settings: Any, seed: int) -> dict[tuple[str, str], Run]:
    """Per backbone and loss of ``settings.contrastive_losses``: the page's contrastive
    training call ``train`` on the layers ``compared[backbone]`` trained, with the profile's
    SupCon recipe (SGD)."""
    recipe = Recipe(optimizer="sgd", learning_rate=settings.supcon_learning_rate,
                    epochs=settings.supcon_epochs, batch_size=settings.supcon_batch_size,
                    seed=seed)
    runs = {}
    for b, model in models.items():
        for loss in settings.contrastive_losses:
            runs[(b, loss)] = train(model, caches[b], compared[b].groups, recipe, loss,
                                    settings.probe_epochs, f"{loss} ({compared[b].label})")
    return runs


def comparison_rows(compared: Mapping[str, Run], runs: Mapping[tuple[str, str], Run],
                    paper: Mapping[str, float]) -> list[dict[str, Any]]:
    """The table: each cross-entropy run, then the contrastive runs on its layers."""
    rows = [{"backbone": b, "model": f"cross-entropy ({r.label})", "paper": paper.get(b),
             "here": r.scores["test_top1"], "head accuracy": r.scores["test_accuracy"]}
            for b, r in compared.items()]
    rows += [{"backbone": b, "model": run.label, "paper": None, "here": run.scores["test_top1"],
              "head accuracy": run.scores["test_accuracy"],
              "loss finite": bool(run.scores["loss_finite"])} for (b, _), run in runs.items()]
    return rows
