"""Thai mobile numbers as people type them become E.164; landlines and junk are refused."""

from __future__ import annotations

import pytest

from handlers.catalog import t
from handlers.parsing import ParseError
from handlers.parsing.phone import format_thai_mobile, parse_thai_mobile


@pytest.mark.parametrize(
    "typed",
    [
        "081-234-5678",
        "0812345678",
        "081 234 5678",
        "+66 81 234 5678",
        "+66812345678",
        "66812345678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "(081) 234-5678",
        " 081.234.5678 ",
    ],
)
def test_thai_ways_of_writing_a_mobile_number(typed):
    assert parse_thai_mobile(typed) == "+66812345678"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("02-123-4567", "phone.not_mobile"),
        ("081 234 567", "phone.unrecognised"),
        ("12345", "phone.unrecognised"),
        ("โทรหาได้เลย", "phone.unrecognised"),
        ("+1 415 555 2671", "phone.unrecognised"),
    ],
)
def test_landlines_and_junk_are_refused_with_a_message(typed, code):
    with pytest.raises(ParseError) as refused:
        parse_thai_mobile(typed)
    assert refused.value.code == code
    assert "081-234-5678" in t(f"parse.{code}", "th")


def test_shown_back_the_thai_way():
    assert format_thai_mobile("+66912345678") == "091 234 5678"
