"""Phone numbers to E.164 (bot/handoff/phone.py)."""

import pytest

from bot.handoff.phone import normalise


@pytest.mark.parametrize(
    "text, e164",
    [
        ("(212) 555-0123", "+12125550123"),
        ("my number is 415-555-2671, call after 5", "+14155552671"),
        ("mi número es +52 55 1234 5678", "+525512345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_us_by_default_other_countries_with_their_code(text, e164):
    assert normalise(text) == e164


@pytest.mark.parametrize("text", ["", "12345", "555 123 4567", "call me maybe", "1" * 40])
def test_invalid_numbers_are_refused(text):
    assert normalise(text) is None

