"""Level colours are admin data: the text on them is chosen for WCAG contrast (at least 4.5:1)."""

import itertools

import pytest

from lms_risk.matrix.models import RiskLevel, contrast_ratio, text_colour_for


@pytest.mark.parametrize("colour", ["#e53935", "#43a047", "#fdd835", "#fb8c00", "#b71c1c",
                                    "#1e88e5", "#777777", "#808080", "#ffffff", "#000000"])
def test_text_on_a_level_colour_reaches_4_5_to_1(colour):
    assert contrast_ratio(colour, RiskLevel(colour=colour).text_colour) >= 4.5


def test_every_colour_gets_readable_text():
    for r, g, b in itertools.product(range(0, 256, 17), repeat=3):
        colour = f"#{r:02x}{g:02x}{b:02x}"
        assert contrast_ratio(colour, text_colour_for(colour)) >= 4.5, colour


def test_the_known_failure_is_fixed():
    # white on #e53935 is 4.22:1 (the old rule chose it); black reaches 4.97:1
    assert 4.2 < contrast_ratio("#e53935", "#ffffff") < 4.5
    assert text_colour_for("#e53935") == "#000000"
