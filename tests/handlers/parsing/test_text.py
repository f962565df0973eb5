"""Tests for handlers.parsing.text: free text kept in columns (agency names, positions, reasons)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st


def test_free_text_loses_what_no_column_takes_and_keeps_the_words():
    from handlers.parsing import clean_free_text

    typed = "  อบต.\x00 หนองบัว\ud800   ลำภู \n\n  งานสิ่งแวดล้อม\t "
    assert clean_free_text(typed, 100) == "อบต. หนองบัว ลำภู\nงานสิ่งแวดล้อม"
    # NFC: a decomposed Latin letter is stored as one character.
    assert clean_free_text("Cafe\u0301", 10) == "Caf\u00e9"


def test_free_text_that_is_empty_or_too_long_is_refused_not_cut():
    from handlers.parsing import ParseError, clean_free_text

    with pytest.raises(ParseError) as empty:
        clean_free_text(" \x00\u200b ", 50)
    assert empty.value.code == "input.empty"
    with pytest.raises(ParseError) as long:
        clean_free_text("ก" * 201, 200)
    assert (long.value.code, long.value.params) == ("input.too_long", {"limit": 200})


@given(st.text())
def test_free_text_is_always_storable(text):
    from handlers.parsing import ParseError, clean_free_text

    try:
        cleaned = clean_free_text(text, 10_000)
    except ParseError:
        return
    cleaned.encode("utf-8")  # no lone surrogate
    assert "\x00" not in cleaned and cleaned == cleaned.strip()
