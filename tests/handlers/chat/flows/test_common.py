"""The pieces flows share, tested directly: how a typed answer names a button, how a typed place
name is found, and how free text is cleaned before it reaches a column."""

from __future__ import annotations

import pytest

from handlers.chat.engine import YES_NO, Choice, loose, match_choice
from handlers.chat.flows.common import clean_free_text, find_districts, find_provinces
from handlers.parsing import ParseError

LANGUAGES = (
    Choice("th", label_key="prefs.language_th", words_key="prefs.language_th_words"),
    Choice("en", label_key="prefs.language_en", words_key="prefs.language_en_words"),
)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("ไทย", "th"),
        ("ภาษาไทย", "th"),
        ("  ภาษา ไทย ค่ะ ", "th"),
        ("THAI!", "th"),
        ("english", "en"),
        ("ภาษาอังกฤษครับ", "en"),
        ("ญี่ปุ่น", None),
        ("", None),
    ],
)
def test_a_typed_answer_names_its_button(typed, value):
    found = match_choice(typed, LANGUAGES)
    assert (found.value if found else None) == value


@pytest.mark.parametrize("typed", ["ใช่", "ได้ค่ะ", "ค่ะ", "ครับ", "OK", "okay.", "ตกลงค่ะ", "ถูกต้องนะคะ"])
def test_everyday_yes(typed):
    assert match_choice(typed, YES_NO).value == "yes"


@pytest.mark.parametrize("typed", ["ไม่", "ไม่ใช่ค่ะ", "no", "ไม่เอาครับ"])
def test_everyday_no(typed):
    assert match_choice(typed, YES_NO).value == "no"


def test_a_number_is_never_folded_into_another_button():
    days = (Choice("3", label="3"), Choice("14", label="14"))
    assert match_choice("1.4", days) is None and match_choice("14", days).value == "14"
    assert loose("1,4") != loose("14")


def test_an_answer_naming_two_buttons_names_none():
    assert (
        match_choice("ok", (Choice("a", words_key="words.yes"), Choice("b", words_key="words.confirm")))
        is None
    )


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("เชียงใหม่", ["50"]),
        ("จังหวัดเชียงใหม่", ["50"]),
        ("จ. เชียงใหม่", ["50"]),
        ("เชียงใม่", ["50"]),
        ("chiang mai", ["50"]),
        ("Chiangmai", ["50"]),
        ("chaing mai", ["50"]),
        ("กทม", ["10"]),
        ("Bangkok", ["10"]),
        ("โคราช", []),
        ("qqqqqq", []),
    ],
)
def test_provinces_are_found_however_they_are_typed(typed, codes):
    assert [p.code for p in find_provinces(typed)] == codes


def test_a_partial_name_offers_every_province_it_fits():
    found = [p.code for p in find_provinces("นคร")]
    assert set(found[:6]) == {"26", "30", "48", "60", "73", "80"}  # names that start so come first
    assert set(found[6:]) == {"10", "14", "47"}  # then กรุงเทพมหานคร, พระนครศรีอยุธยา, สกลนคร
    assert {"50", "57"} == {p.code for p in find_provinces("เชียง")}


def test_districts_are_found_within_their_province():
    assert [d.code for d in find_districts("50", "เมือง")] == ["5001"]
    assert [d.code for d in find_districts("50", "san sai")] == ["5014"]
    assert [d.code for d in find_districts("50", "สันทราบ")] == ["5014"]  # one letter off
    assert find_districts("52", "สันทราย") == []  # not in Lampang


def test_free_text_is_cleaned_and_refused_rather_than_cut():
    assert clean_free_text("  อบต.\u200b  บ้าน\tใหม่\x00 ", 50) == "อบต. บ้าน ใหม่"
    assert clean_free_text("บ้าน\u200bใหม่", 50) == "บ้านใหม่"
    with pytest.raises(ParseError) as empty:
        clean_free_text(" \u200b\u2060 ", 50)
    assert empty.value.code == "input.empty"
    with pytest.raises(ParseError) as long:
        clean_free_text("ก" * 51, 50)
    assert (long.value.code, long.value.params) == ("input.too_long", {"limit": 50})
