"""Figures at the edges of the grammar: thousands groups, chains of multipliers, signs after a unit,
the absurd limit, and how a figure is shown back. Every expected value is worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.parsing import ParseError, format_number, numbers, parse_number, parse_quantity

D = Decimal

EDGES_OK = [
    ("1,234", D(1234)),
    ("1,234,567,890", D(1234567890)),
    ("12 345", D(12345)),
    ("1 234 567", D(1234567)),
    ("1,234.", D(1234)),
    ("2,,,,500", D(2500)),
    ("2 ร้อยล้าน", D(200_000_000)),  # ร้อย then ล้าน: hundreds of millions
    ("2 ร้อย ล้าน", D(200_000_000)),
    ("3 พัน แสน", D(300_000_000)),
    ("2 ล้าน 3 พัน 4", D(2_003_004)),
    ("1 แสน 2 หมื่น", D(120_000)),
    ("1 หมื่น 2 พัน 3 ร้อย 45", D(12_345)),
    ("2 พัน 999", D(2999)),  # the last term just under the multiplier before it
    ("0.5k", D(500)),
    (".5 พัน", D(500)),
    ("1 billion", D(1_000_000_000)),
    ("1 ล้านล้าน", D(10) ** 12),  # exactly the absurd limit
    ("1000000000000", D(10) ** 12),
    ("ราว 5", D(5)),
    ("~5", D(5)),
    ("(5)", D(5)),
    ("= 5", D(5)),
    ("200 total", D(200)),
    ("ครึ่ง", D("0.5")),
]


@pytest.mark.parametrize(("text", "expected"), EDGES_OK)
def test_edges_accepted(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


EDGES_REFUSED = [
    ("1234,567", "number.ambiguous_decimal_comma", {"text": "1234,567"}),  # not 1,234,567
    ("123,4567", "number.ambiguous_decimal_comma", {"text": "123,4567"}),
    ("12,34", "number.ambiguous_decimal_comma", {"text": "12,34"}),
    ("1,234,5678", "number.bad_grouping", {"text": "1,234,5678"}),
    ("1.234.56", "number.bad_grouping", {"text": "1.234.56"}),
    ("1.2345.678", "number.bad_grouping", {"text": "1.2345.678"}),
    ("1,234.5.6", "number.bad_grouping", {"text": "1,234.5.6"}),
    ("1 2345", "number.multiple", {"count": 2}),
    ("2 พัน 3 พัน", "number.ambiguous_multiplier", {"text": "2 พัน 3 พัน"}),  # a repeated multiplier
    ("2 หมื่น 3 แสน", "number.ambiguous_multiplier", {"text": "2 หมื่น 3 แสน"}),  # rising multipliers
    ("2 พัน 1000", "number.ambiguous_multiplier", {"text": "2 พัน 1000"}),  # a term as big as the one before
    ("2 พัน 0.5", "number.ambiguous_multiplier", {"text": "2 พัน 0.5"}),
    ("2 ครึ่ง", "number.ambiguous_multiplier", {"text": "ครึ่ง"}),
    ("พันครึ่ง", "number.ambiguous_multiplier", {"text": "พัน"}),
    ("1000000000000.5", "number.too_large", {"limit": D(10) ** 12, "unit": None}),
    ("2 ล้านล้าน", "number.too_large", {"limit": D(10) ** 12, "unit": None}),
    ("minus 5", "number.negative", {"value": D(5)}),
    ("--5", "number.not_a_number", {"text": "--5"}),
    ("5 -", "number.not_a_number", {"text": "5 -"}),
    ("ถึง 5", "number.not_a_number", {"text": "ถึง 5"}),
    ("5ห้า", "number.not_a_number", {"text": "ห้า"}),
    ("1kk", "number.not_a_number", {"text": "kk"}),
    ("5+5", "number.imprecise", {}),
    ("5 to 6", "number.range", {}),
    ("nan 5", "number.nan", {}),
    ("5 ∞", "number.infinite", {}),
    ("ประมาณ 0", "number.zero", {}),
    ("200 กก.", "unit.unexpected", {"entered_text": "กก"}),
]


@pytest.mark.parametrize(("text", "code", "params"), EDGES_REFUSED)
def test_edges_refused(text: str, code: str, params: dict[str, object]) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text)
    assert (info.value.code, info.value.params) == (code, params)


@pytest.mark.parametrize(
    ("text", "unit"),
    [("กก. -5", "kg"), ("กก. ลบ 5", "kg"), ("ลิตร -5", "L"), ("-5 กก.", "kg")],
)
def test_a_sign_after_a_leading_unit_is_still_negative(text: str, unit: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_quantity(text, unit)
    assert (info.value.code, info.value.params) == ("number.negative", {"value": D(5)})


@pytest.mark.parametrize(
    ("text", "shown"),
    [("12.50", "12.5"), ("1200.0", "1200"), ("1,200.00", "1200"), ("0.10", "0.1"), ("2 พัน", "2000")],
)
def test_figures_come_back_tidy(text: str, shown: str) -> None:
    assert str(parse_number(text)) == shown  # never "1.2E+3"


def test_zero_limits_and_negative_zero() -> None:
    assert parse_number("4.5", max_value=D("4.5")) == D("4.5")
    assert str(parse_number("0.0", allow_zero=True)) == "0"
    assert parse_number("ลบ 0", allow_zero=True) == 0
    with pytest.raises(ParseError) as info:
        parse_number("5", max_value=4)
    assert info.value.params == {"limit": D(4), "unit": None}


FORMATTED = [
    (D(1), 3, "1"),
    (1250, 3, "1,250"),
    (D("0.0004"), 3, "0"),
    (D("-0.0004"), 3, "0"),
    (D("-0.0005"), 3, "-0.001"),
    (D("0.5"), 0, "1"),
    (D("9.9995"), 3, "10"),
    (D("1E+3"), 0, "1,000"),
    (D("123456789012.125"), 2, "123,456,789,012.13"),
    (D(10) ** 30, 3, "1," + ",".join(["000"] * 10)),  # more digits than the default context holds
    (D(10) ** 25 + D("0.5"), 0, "10,000,000,000,000,000,000,000,001"),
]


@pytest.mark.parametrize(("value", "places", "expected"), FORMATTED)
def test_format_number_edges(value: Decimal, places: int, expected: str) -> None:
    assert format_number(value, max_decimals=places) == expected


def test_format_number_refuses_negative_places() -> None:
    with pytest.raises(ValueError, match=r"^max_decimals must be >= 0$"):
        format_number(D(1), max_decimals=-1)
    with pytest.raises(ValueError, match=r"^cannot format a non-finite number$"):
        format_number(D("Infinity"))


# The vocabulary is built once at import; checking what it builds word by word shows a word that
# went missing, which no parse through the already built table could.
VOCABULARY = [
    ("พัน", ("mult", D(1000))),
    ("k", ("mult", D(1000))),
    ("ร้อย", ("mult", D(100))),
    ("ล้าน", ("mult", D(10**6))),
    ("ล้านล้าน", ("mult", D(10**12))),
    ("ค่ะ", ("particle", None)),
    ("รวม", ("filler", None)),
    ("ประมาณ", ("hedge", None)),
    ("กว่า", ("vague", None)),
    ("inf", ("inf", None)),
    ("nan", ("nan", None)),
    ("ไม่มี", ("zero", None)),
    ("ลบ", ("neg", None)),
    ("ถึง", ("range", None)),
    ("ครึ่ง", ("half", None)),
    ("กก", ("unit", "kg")),
    ("ไร่", ("unit", "rai")),
    ("หน่วย", ("unit", "kWh")),
]


@pytest.mark.parametrize(("word", "meaning"), VOCABULARY)
def test_vocabulary_word_by_word(word: str, meaning: tuple[str, object]) -> None:
    assert numbers._build_vocabulary()[word] == meaning
