"""helpers.method: the method cards of the five reports and the claims that point at them."""

from __future__ import annotations

import pytest

from helpers import method, verdicts
from helpers.method import NOT_STATED, MethodCard, Setting


def test_every_claim_names_card_lines_that_exist() -> None:
    for notebook, claims in verdicts.all_claims().items():
        card = method.card(notebook)
        for claim in claims:
            assert not card.missing(claim.card), (notebook, claim.statement, card.missing(claim.card))


def test_a_claim_naming_a_line_the_card_lacks_is_caught() -> None:
    card = method.card("05")
    claim = verdicts.Claim("s", "a", card=("pooling", "no such line"))
    assert card.missing(claim.card) == ["no such line"]
    with pytest.raises(KeyError, match="no card line 'no such line'"):
        card.differing(claim.card)
    with pytest.raises(TypeError):
        verdicts.Claim("s", "a", card="pooling")


def test_every_card_covers_every_topic_and_every_claim_points_at_it() -> None:
    for notebook, claims in verdicts.all_claims().items():
        card = method.card(notebook)
        assert card.uncovered() == [], (notebook, card.uncovered())
        assert all(claim.card for claim in claims), notebook


def test_the_cards_lines_are_checked_as_they_are_written() -> None:
    with pytest.raises(ValueError, match="our reconstruction"):
        Setting("lr", "learning rate", NOT_STATED, "1e-3", "Adam's default", None)
    with pytest.raises(ValueError, match="names its section"):
        Setting("lr", "learning rate", "0.001", "1e-3", "as the report", False)
    with pytest.raises(ValueError, match="unknown topic"):
        Setting("lr", "speed", "0.001", "1e-3", "as the report", False, "section 3")
    line = Setting("lr", "learning rate", "0.001", "1e-3", "as the report", False, "section 3")
    with pytest.raises(ValueError, match="appear twice"):
        MethodCard("t", (line, line))


def test_the_05_card_states_what_referees_found() -> None:
    card = method.card("05")
    assert card["pooling"].differs and "flattened" in card["pooling"].paper
    assert card["pooling"].source == "section 3.4" and "global average" in card["pooling"].ours
    assert card["frozen"].paper == NOT_STATED and card["frozen"].differs is None
    assert "1,050" in card["split"].ours and "1,500" in card["data"].ours
    assert card["pairs"].differs and "ResNet50" in card["pairs"].paper
    fusion = next(c for c in verdicts.study("05").CLAIMS if c.statement.startswith("Fusing"))
    shown = method.short(card, fusion.card, with_values=False)
    assert "pooling" in shown and "frozen?" in shown and "optimizer" not in shown


def test_a_card_renders_for_a_notebook() -> None:
    card = method.card("05")
    text = card._repr_markdown_()
    assert text.startswith("**Method card: 05") and "| setting | report | here | why | differs |" in text
    assert "\u201cThe feature maps were then flattened" in text
    frame = card.frame(["pooling", "optimizer"])
    assert list(frame.index) == ["pooling", "optimizer"]
    assert list(frame.columns) == ["report", "here", "why", "differs"]
