"""Each notebook's parameters are declared once, as the fields of its study's ``profile.Settings``:
the parameters cell and the dataclass agree, and the cell after it resolves the profile's values
with what the parameters cell (or papermill) set."""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path

import pytest

from helpers import config, notebooks, tour

PROFILE_OF = {
    "00": "helpers.tour",
    "01": "helpers.studies.ingwersen2020.profile",
    "02": "helpers.studies.jacobsen2021.profile",
    "03": "helpers.studies.rahlen2019.profile",
    "04": "helpers.studies.fetz2021.profile",
    "05": "helpers.studies.xushi2023.profile",
    "06": "helpers.studies.own_photos.profile",
}


def _notebook(number: str) -> Path:
    return notebooks.discover([number])[0]


def _parameters_namespace(number: str) -> dict:
    """The globals after the parameters cell ran (it holds literals only)."""
    cell = notebooks.parameters_cell(json.loads(_notebook(number).read_text()))
    namespace: dict = {}
    exec(notebooks._source(cell), namespace)
    return namespace


def _settings_class(number: str) -> type[config.ProfileSettings]:
    return importlib.import_module(PROFILE_OF[number]).Settings


def test_every_notebook_has_a_profile_module():
    assert sorted(PROFILE_OF) == sorted(p.name[:2] for p in notebooks.discover([]))


@pytest.mark.parametrize("number", sorted(PROFILE_OF))
def test_parameters_cell_and_settings_fields_agree(number):
    """Every parameters-cell name is PROFILE, a field of the study's Settings (lower-cased) or
    one the notebook reads as it is; every field that is a parameter is in the cell."""
    settings = _settings_class(number)
    in_cell = set(notebooks.parameters_of(_notebook(number)))
    declared = set(settings.parameters()) | set(settings.READ_AS_IS) | {"PROFILE"}
    assert in_cell == declared, (f"in the parameters cell only: {sorted(in_cell - declared)}; "
                                 f"in {settings.__module__}.Settings only: "
                                 f"{sorted(declared - in_cell)}")


@pytest.mark.parametrize("number", sorted(PROFILE_OF))
def test_every_profile_resolves_to_its_own_instance(number):
    module = importlib.import_module(PROFILE_OF[number])
    assert tuple(module.PROFILES) == config.PROFILE_NAMES
    for name, instance in module.PROFILES.items():
        namespace = {**_parameters_namespace(number), "PROFILE": name}
        settings = module.from_notebook(namespace)
        assert settings == instance and settings.profile == name
        assert settings.synthetic is (name == "smoke")
        config.validate(settings.as_dict())


def test_a_typo_in_the_parameters_cell_fails(monkeypatch):
    cell = "PROFILE = 'smoke'\nEPOCS = None\nSEED = 1\nDATASET = 'x'\n"
    monkeypatch.setattr(notebooks, "parameters_of",
                        lambda _: {line.split(" = ")[0]: "" for line in cell.splitlines()})
    with pytest.raises(AssertionError, match="EPOCS"):
        test_parameters_cell_and_settings_fields_agree("04")


def test_injected_parameters_override_the_parameters_cell():
    from helpers.studies.ingwersen2020 import profile

    namespace = _parameters_namespace("01")
    namespace.update({"PROFILE": "smoke", "EPOCHS": 7, "TSNE_PERPLEXITIES": [3, 4]})
    settings = profile.from_notebook(namespace)
    assert settings.autoencoder_epochs == settings.epochs == 7  # EPOCHS caps the autoencoders
    assert settings.tsne_perplexities == (3, 4)  # papermill's JSON lists become tuples
    assert settings.patience == profile.SMOKE.patience  # None: the profile's value


def test_nested_lists_become_tuples():
    from helpers.studies.xushi2023 import profile

    namespace = {**_parameters_namespace("05"), "PROFILE": "smoke", "HEAD_CHOICES": [[], [512]]}
    assert profile.from_notebook(namespace).head_choices == ((), (512,))


def test_a_parameter_missing_from_the_notebook_is_named():
    from helpers.studies.fetz2021 import profile

    namespace = {**_parameters_namespace("04"), "PROFILE": "smoke"}
    del namespace["CNN_EPOCHS"]
    with pytest.raises(NameError, match="CNN_EPOCHS"):
        profile.from_notebook(namespace)


@pytest.mark.parametrize(("name", "value", "error", "message"), [
    ("PROFILE", "fast", ValueError, "PROFILE='fast' is not one of"),
    ("EPOCHS", 0, ValueError, "EPOCHS=0: epochs must be a whole number >= 1"),
    ("BATCH_SIZE", -1, ValueError, "BATCH_SIZE=-1: batch size must be"),
    ("IMAGE_SIZE", 4, ValueError, "IMAGE_SIZE=4: image size must be a whole number between 16"),
    ("IMAGE_SIZE", 2.5, TypeError, "IMAGE_SIZE=2.5: expected int"),
    ("BACKBONES", "mobilenetv2", TypeError, "BACKBONES='mobilenetv2': expected tuple"),
    ("CAE_NOISE", "high", TypeError, "CAE_NOISE='high'"),
    ("MAX_PER_CLASS", 0, ValueError, "MAX_PER_CLASS=0"),
])
def test_bad_values_fail_before_any_work(name, value, error, message):
    from helpers.studies.fetz2021 import profile

    namespace = {**_parameters_namespace("04"), "PROFILE": "smoke", name: value}
    with pytest.raises(error, match=message):
        profile.from_notebook(namespace)


def test_native_image_size_passes_validation_and_other_words_do_not():
    from helpers.studies.rahlen2019 import profile

    assert profile.PAPER.image_size == config.NATIVE_IMAGE_SIZE
    config.validate({"image_size": "native"})
    with pytest.raises(ValueError, match="IMAGE_SIZE"):
        config.validate({"image_size": "large"})


def test_settings_are_frozen_and_typos_fail_at_once():
    from helpers.studies.xushi2023 import profile

    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.STANDARD.epochs = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        _ = profile.STANDARD.epoch  # type: ignore[attr-defined]
    with pytest.raises(KeyError, match="epoch"):
        _ = profile.STANDARD["epoch"]


def test_profile_table_shows_every_profile():
    table = tour.profile_table()
    assert list(table) == list(config.PROFILE_NAMES)
    assert table["smoke"]["synthetic data"] == "True" and table["paper"]["weights"] == "imagenet"
    assert "05 backbones" in table["standard"]
