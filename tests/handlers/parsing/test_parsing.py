"""Table tests for handlers.parsing: what coordinators actually type on a phone.

Every expected value is a literal worked out by hand (1 ไร่ = 4 งาน = 400 ตร.ว. = 1,600 m²).
"""

from __future__ import annotations

import ast
import pathlib
from datetime import date
from decimal import Decimal
from functools import partial

import pytest

from handlers.parsing import (
    ERROR_CODES,
    ParseError,
    Period,
    format_number,
    format_period_en,
    format_period_th,
    parse_number,
    parse_period,
    parse_quantity,
)
from handlers.parsing.phone import parse_thai_mobile
from tests.handlers.parsing.test_quantities import QUANTITIES_REFUSED

D = Decimal
TODAY = date(2025, 3, 10)  # 10 มี.ค. 2568

# ---------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------

NUMBERS_OK = [
    ("1250", D(1250)),
    ("1,250", D(1250)),
    ("๑,๒๕๐", D(1250)),
    ("๑๒๕๐", D(1250)),
    ("1,๒๕0", D(1250)),  # digits from both keyboards in one figure
    ("1 250", D(1250)),
    ("1 250 000", D(1250000)),
    ("12,500", D(12500)),
    ("1,234,567.891", D("1234567.891")),
    ("12.5", D("12.5")),
    ("๑๒.๕", D("12.5")),
    ("๑,๒๕๐.๕๐", D("1250.5")),
    ("  200  ", D(200)),
    ("２００", D(200)),  # full-width digits
    ("\u200b150\u200b", D(150)),  # zero-width spaces from a Thai keyboard
    ("150 🙏", D(150)),
    (".5", D("0.5")),
    ("5.", D(5)),
    ("+5", D(5)),
    ("1,,250", D(1250)),
    ("1,250.-", D(1250)),  # Thai way of writing a whole amount
    ("1.250.000", D(1250000)),  # dots that cannot be decimals
    ("1.2k", D(1200)),
    ("1.5K", D(1500)),
    ("2พัน", D(2000)),
    ("3หมื่น", D(30000)),
    ("๓ แสน", D(300000)),
    ("1.2 แสน", D(120000)),
    ("2 ล้าน", D(2000000)),
    ("2 พัน 500", D(2500)),
    ("1 ล้าน 2 แสน", D(1200000)),
    ("2 พันครึ่ง", D(2500)),
    ("5 ร้อย", D(500)),
    ("200 ค่ะ", D(200)),
    ("200ครับ", D(200)),
    ("200 นะคะ", D(200)),
    ("ประมาณ 200", D(200)),
    ("รวม 1,500", D(1500)),
    ("จำนวน ๔๕ ค่ะ", D(45)),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS_OK)
def test_parse_number_accepts(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


NUMBERS_REFUSED = [
    ("12,5", "number.ambiguous_decimal_comma"),
    ("1250,50", "number.ambiguous_decimal_comma"),
    ("1,2500", "number.ambiguous_decimal_comma"),
    ("1.250,50", "number.ambiguous_decimal_comma"),
    ("1,25,000", "number.bad_grouping"),
    ("1.2.3", "number.bad_grouping"),
    ("-5", "number.negative"),
    ("−5", "number.negative"),  # U+2212 minus sign
    ("ลบ 5", "number.negative"),
    ("0", "number.zero"),
    ("๐", "number.zero"),
    ("0.00", "number.zero"),
    ("ไม่มี", "number.zero"),
    ("abc", "number.not_a_number"),
    ("ค่ะ", "number.not_a_number"),
    ("1e5", "number.not_a_number"),
    ("พัน", "number.not_a_number"),
    ("", "input.empty"),
    ("   \u200b ", "input.empty"),
    ("1" * 300, "input.too_long"),
    ("inf", "number.infinite"),
    ("∞", "number.infinite"),
    ("NaN", "number.nan"),
    ("200-300", "number.range"),
    ("200 ถึง 300", "number.range"),
    ("200 กว่า", "number.imprecise"),
    ("เกิน 200", "number.imprecise"),
    ("เกือบ 200", "number.imprecise"),
    ("200+", "number.imprecise"),
    ("15 6", "number.multiple"),
    ("2 พัน 1500", "number.ambiguous_multiplier"),
    ("1.5 พัน 200", "number.ambiguous_multiplier"),
    ("9,999,999,999,999", "number.too_large"),
    ("200 กก.", "unit.unexpected"),
]


@pytest.mark.parametrize(("text", "code"), NUMBERS_REFUSED)
def test_parse_number_refuses(text: str, code: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text)
    assert info.value.code == code


def test_parse_number_zero_when_allowed_and_limits() -> None:
    assert parse_number("0", allow_zero=True) == 0
    assert parse_number("ไม่มี", allow_zero=True) == 0
    assert parse_number("1,000", max_value=1000) == 1000
    with pytest.raises(ParseError) as info:
        parse_number("1,001", max_value=1000)
    assert info.value.params == {"limit": D(1000), "unit": None}


def test_error_params_carry_data() -> None:
    with pytest.raises(ParseError) as info:
        parse_number("12,5")
    assert info.value.params == {"text": "12,5"}
    with pytest.raises(ParseError) as info:
        parse_number("-1,250")
    assert info.value.params == {"value": D(1250)}


FORMATTED = [
    (D("1250.5"), 3, "1,250.5"),
    (D(1234567), 3, "1,234,567"),
    (D("2.50"), 3, "2.5"),
    (D(0), 3, "0"),
    (D("0.0005"), 3, "0.001"),  # half up
    (D("1.23456"), 2, "1.23"),
    (D("999.9996"), 3, "1,000"),
    (D("-1250"), 3, "-1,250"),
    (D("12.5"), 0, "13"),
]


@pytest.mark.parametrize(("value", "places", "expected"), FORMATTED)
def test_format_number(value: Decimal, places: int, expected: str) -> None:
    assert format_number(value, max_decimals=places) == expected


def test_format_number_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_number(D("NaN"))


# ---------------------------------------------------------------------------------------------------
# Periods (today is 10 มี.ค. 2568 = 10 March 2025)
# ---------------------------------------------------------------------------------------------------


def month(y: int, m: int) -> Period:
    last = (date(y + (m == 12), m % 12 + 1, 1) - date.resolution).day
    return Period(date(y, m, 1), date(y, m, last), "month")


def day(y: int, m: int, d: int) -> Period:
    return Period(date(y, m, d), date(y, m, d), "day")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year")


JUNE_2024 = month(2024, 6)
PERIODS_OK = [
    ("มิ.ย. 2567", JUNE_2024),
    ("มิย 67", JUNE_2024),
    ("มิ.ย 67", JUNE_2024),
    ("มิถุนายน 2567", JUNE_2024),
    ("มิถุนายน 67", JUNE_2024),
    ("มิถุนา 67", JUNE_2024),
    ("เดือน มิ.ย. 2567", JUNE_2024),
    ("เดือน 6 ปี 67", JUNE_2024),
    ("มิ.ย. พ.ศ. 2567", JUNE_2024),
    ("06/2567", JUNE_2024),
    ("6/67", JUNE_2024),
    ("๖/๒๕๖๗", JUNE_2024),
    ("2024-06", JUNE_2024),
    ("2567/06", JUNE_2024),
    ("June 2024", JUNE_2024),
    ("jun 2024", JUNE_2024),
    ("JUN 2024", JUNE_2024),
    ("มิ.ย. 2567 ค่ะ", JUNE_2024),
    ("กรกฏาคม 67", month(2024, 7)),  # ฏ for ฎ, the usual misspelling
    ("ก.ค. ๒๕๖๗", month(2024, 7)),
    ("ตุลา 67", month(2024, 10)),
    ("ธ.ค. 67", month(2024, 12)),
    ("ม.ค.68", month(2025, 1)),
    ("มี.ค.", month(2025, 3)),  # no year: the latest March, this month
    ("เม.ย.", month(2024, 4)),  # no year: April 2568 has not come yet, so April 2567
    ("15/6/2567", day(2024, 6, 15)),
    ("15/06/67", day(2024, 6, 15)),
    ("15.06.67", day(2024, 6, 15)),
    ("15 มิ.ย. 67", day(2024, 6, 15)),
    ("วันที่ 15 มิถุนายน พ.ศ. 2567", day(2024, 6, 15)),
    ("2024-06-15", day(2024, 6, 15)),
    ("June 15, 2024", day(2024, 6, 15)),
    ("15/6", day(2024, 6, 15)),  # no year: the latest 15 June
    ("29/2/2567", day(2024, 2, 29)),
    ("10/3/2568", day(2025, 3, 10)),  # today
    ("2567", year(2024)),
    ("พ.ศ. 2567", year(2024)),
    ("ปี 2567", year(2024)),
    ("ปี 67", year(2024)),
    ("ทั้งปี 2567", year(2024)),
    ("ค.ศ. 2024", year(2024)),
    ("2024", year(2024)),
    ("เดือนนี้", month(2025, 3)),
    ("เดือนที่แล้ว", month(2025, 2)),
    ("เดือนก่อน", month(2025, 2)),
    ("ปีนี้", year(2025)),
    ("ปีที่แล้ว", year(2024)),
    ("เมื่อวาน", day(2025, 3, 9)),
    ("มิ.ย.-ส.ค. 2567", Period(date(2024, 6, 1), date(2024, 8, 31), "month")),
    ("มิ.ย. 2567 - ส.ค. 2567", Period(date(2024, 6, 1), date(2024, 8, 31), "month")),
    ("มิ.ย. 67 ถึง ส.ค. 67", Period(date(2024, 6, 1), date(2024, 8, 31), "month")),
    ("06/2567-08/2567", Period(date(2024, 6, 1), date(2024, 8, 31), "month")),
    ("ต.ค.-ก.ย. 2567", Period(date(2023, 10, 1), date(2024, 9, 30), "month")),  # fiscal year 2567
    ("1-15 มิ.ย. 2567", Period(date(2024, 6, 1), date(2024, 6, 15), "day")),
    ("2566-2567", Period(date(2023, 1, 1), date(2024, 12, 31), "year")),
]


@pytest.mark.parametrize(("text", "expected"), PERIODS_OK)
def test_parse_period_accepts(text: str, expected: Period) -> None:
    assert parse_period(text, today=TODAY) == expected


PERIODS_REFUSED = [
    ("31/2/2567", "date.invalid"),
    ("29/2/2568", "date.invalid"),
    ("13/2567", "date.invalid"),
    ("2567-13", "date.invalid"),
    ("เม.ย. 2568", "date.future"),
    ("11/3/2568", "date.future"),
    ("2569", "date.future"),
    ("มิ.ย.-เม.ย. 2568", "date.future"),
    ("2499", "date.too_old"),
    ("มิ.ย. 2499", "date.too_old"),
    ("jun 24", "date.ambiguous"),
    ("ส.ค. 2567 - มิ.ย. 2567", "date.range_reversed"),
    ("พรุ่งนี้", "date.unrecognised"),
    ("67", "date.unrecognised"),
    ("6-67", "date.unrecognised"),  # "1-15" must not become January 2515
    ("ไตรมาส 2", "date.unrecognised"),  # quarters are not supported yet
    ("abc", "date.unrecognised"),
    ("", "input.empty"),
]


@pytest.mark.parametrize(("text", "code"), PERIODS_REFUSED)
def test_parse_period_refuses(text: str, code: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_period(text, today=TODAY)
    assert info.value.code == code


def test_date_error_params() -> None:
    with pytest.raises(ParseError) as info:
        parse_period("31/2/2567", today=TODAY)
    assert info.value.params == {"text": "31/2/2567"}
    with pytest.raises(ParseError) as info:
        parse_period("เม.ย. 2568", today=TODAY)
    assert info.value.params == {"latest": date(2025, 3, 31)}
    with pytest.raises(ParseError) as info:
        parse_period("2499", today=TODAY)
    assert info.value.params == {"earliest_year_be": 2500, "year_be": 2499}


FORMATTED_PERIODS = [
    (JUNE_2024, "มิ.ย. 2567", "Jun 2024"),
    (day(2024, 6, 15), "15 มิ.ย. 2567", "15 Jun 2024"),
    (year(2024), "พ.ศ. 2567", "2024"),
    (Period(date(2024, 6, 1), date(2024, 8, 31), "month"), "มิ.ย.–ส.ค. 2567", "Jun–Aug 2024"),
    (Period(date(2024, 11, 1), date(2025, 2, 28), "month"), "พ.ย. 2567 – ก.พ. 2568", "Nov 2024 – Feb 2025"),
    (Period(date(2024, 6, 1), date(2024, 6, 15), "day"), "1–15 มิ.ย. 2567", "1–15 Jun 2024"),
    (Period(date(2024, 6, 1), date(2024, 8, 15), "day"), "1 มิ.ย. – 15 ส.ค. 2567", "1 Jun – 15 Aug 2024"),
    (Period(date(2023, 1, 1), date(2024, 12, 31), "year"), "พ.ศ. 2566–2567", "2023–2024"),
]


@pytest.mark.parametrize(("period", "thai", "english"), FORMATTED_PERIODS)
def test_format_period(period: Period, thai: str, english: str) -> None:
    assert format_period_th(period) == thai
    assert format_period_en(period) == english
    assert parse_period(thai, today=TODAY) == period
    assert parse_period(english, today=TODAY) == period


# ---------------------------------------------------------------------------------------------------
# The contract with the chat layer
# ---------------------------------------------------------------------------------------------------


PHONES_REFUSED = [
    ("02-123-4567", "phone.not_mobile"),
    ("081 234 567", "phone.unrecognised"),
    ("โทรได้", "phone.unrecognised"),
]


@pytest.mark.parametrize(("text", "code"), PHONES_REFUSED)
def test_phone_errors(text: str, code: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_thai_mobile(text)
    assert info.value.code == code


def test_error_codes_are_stable_identifiers() -> None:
    assert len(ERROR_CODES) == len(set(ERROR_CODES))
    for code in ERROR_CODES:
        area, _, name = code.partition(".")
        assert area in {"input", "number", "unit", "quantity", "date", "phone"}
        assert name and name.replace("_", "").isalpha() and name.islower()


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        ParseError("number.typo")


def test_every_code_is_exercised_by_a_table() -> None:
    # Each code the catalog must translate is one a real input in the tables above produces.
    attempts = [
        *(partial(parse_number, text) for text, _ in NUMBERS_REFUSED),
        *(partial(parse_quantity, text, unit, max_value=1000) for text, unit, _, _ in QUANTITIES_REFUSED),
        *(partial(parse_period, text, today=TODAY) for text, _ in PERIODS_REFUSED),
        *(partial(parse_thai_mobile, text) for text, _ in PHONES_REFUSED),
    ]
    raised = set()
    for attempt in attempts:
        with pytest.raises(ParseError) as info:
            attempt()
        raised.add(info.value.code)
    assert set(ERROR_CODES) - raised == set()


def test_unit_codes_match_calc() -> None:
    # The parser hands quantities to calc; a code one side renamed would fail only at run time.
    from calc.units import UNIT_CODES as CALC_UNIT_CODES
    from handlers.parsing import UNIT_CODES

    assert set(UNIT_CODES) == set(CALC_UNIT_CODES)


def test_parsing_package_is_pure() -> None:
    package = pathlib.Path(__file__).resolve().parents[3] / "handlers" / "parsing"
    forbidden = ("flask", "sqlalchemy", "linebot", "bot", "storage", "time")
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
        source = path.read_text(encoding="utf-8")
        assert "date.today(" not in source and "datetime.now(" not in source, path.name
