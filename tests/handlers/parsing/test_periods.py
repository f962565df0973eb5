"""Periods at the edges of the grammar: a day and month without a year, today, December, 29 February,
ranges that borrow a year, two-digit CE years, and the vocabulary word by word.

Today is 10 มี.ค. 2568 (10 March 2025) unless a row says otherwise; expected dates are worked out by hand.
"""

from __future__ import annotations

from datetime import date

import pytest

from handlers.parsing import ParseError, Period, parse_period, periods
from handlers.parsing.text import squash

TODAY = date(2025, 3, 10)


def month(y: int, m: int, last: int) -> Period:
    return Period(date(y, m, 1), date(y, m, last), "month")


def day(y: int, m: int, d: int) -> Period:
    return Period(date(y, m, d), date(y, m, d), "day")


def year(y: int) -> Period:
    return Period(date(y, 1, 1), date(y, 12, 31), "year")


EDGES_OK = [
    ("15 มิ.ย.", day(2024, 6, 15)),  # no year: the latest 15 June
    ("10 มี.ค.", day(2025, 3, 10)),  # today's own date is this year's
    ("11 มี.ค.", day(2024, 3, 11)),  # tomorrow's date is last year's
    ("1 มี.ค.", day(2025, 3, 1)),
    ("มี.ค.", month(2025, 3, 31)),
    ("ธันวาคม", month(2024, 12, 31)),
    ("วันนี้", day(2025, 3, 10)),
    ("today", day(2025, 3, 10)),
    ("yesterday", day(2025, 3, 9)),
    ("เมื่อวานนี้", day(2025, 3, 9)),
    ("last month", month(2025, 2, 28)),
    ("this month", month(2025, 3, 31)),
    ("this year", year(2025)),
    ("previous year", year(2024)),
    ("ปีก่อน", year(2024)),
    ("ปีที่ผ่านมา", year(2024)),
    ("เดือนที่ผ่านมา", month(2025, 2, 28)),
    ("12/2567", month(2024, 12, 31)),  # a numeric December
    ("1/2567", month(2024, 1, 31)),
    ("12/67", month(2024, 12, 31)),
    ("เดือน 12 ปี 67", month(2024, 12, 31)),
    ("2567/6/15", day(2024, 6, 15)),
    ("29/2", day(2024, 2, 29)),  # the latest 29 February that exists
    ("29 ก.พ.", day(2024, 2, 29)),
    ("1-15 มิ.ย.", Period(date(2024, 6, 1), date(2024, 6, 15), "day")),  # a range without a year
    ("5-15/6", Period(date(2024, 6, 5), date(2024, 6, 15), "day")),
    ("5/6-15/6", Period(date(2024, 6, 5), date(2024, 6, 15), "day")),
    ("30 มิ.ย.-5 มิ.ย.", Period(date(2023, 6, 30), date(2024, 6, 5), "day")),  # the start borrows a year back
    ("15/6-5/6/2567", Period(date(2023, 6, 15), date(2024, 6, 5), "day")),
    ("ม.ค. - มี.ค.", Period(date(2025, 1, 1), date(2025, 3, 31), "month")),
    ("15 มิ.ย. 67 ถึง 20 มิ.ย. 67", Period(date(2024, 6, 15), date(2024, 6, 20), "day")),
    ("2567 ถึง 2568", Period(date(2024, 1, 1), date(2025, 12, 31), "year")),
    ("ค.ศ. 24", year(2024)),  # a two-digit CE year
    ("คศ 2024", year(2024)),
    ("ce 2024", year(2024)),
    ("ad 2024", year(2024)),
    ("be 2567", year(2024)),
    ("พ.ศ. 67", year(2024)),
    ("ค.ศ. 1999", year(1999)),
    ("1999", year(1999)),
    ("sept 2024", month(2024, 9, 30)),
    ("sep 2024", month(2024, 9, 30)),
    ("september 2024", month(2024, 9, 30)),
    ("jun 5", day(2024, 6, 5)),  # English puts a one-digit day after the month
    ("mar 5", day(2025, 3, 5)),
    ("15 jun", day(2024, 6, 15)),
    ("15 march 2024", day(2024, 3, 15)),
    ("march 15, 2024", day(2024, 3, 15)),
    ("ก.พ. 29", month(1986, 2, 28)),  # two digits after a Thai month are a BE year (2529)
    ("พ.ศ. 2500", year(1957)),  # the earliest year accepted
    ("jun 32", month(1989, 6, 30)),  # no 32nd day: a BE year (2532)
    ("6/12", day(2024, 12, 6)),  # month 12 exists: the latest 6 December
    ("6/13", month(1970, 6, 30)),  # no month 13: a BE year (2513)
    ("เดือน 6 2567", month(2024, 6, 30)),
    ("เดือน 6 30", month(1987, 6, 30)),  # a Thai month takes two digits as a BE year, never a day
    ("มิ.ย. - เดือน 8 2567", Period(date(2024, 6, 1), date(2024, 8, 31), "month")),
    ("มิ.ย. 2567 เดือน", month(2024, 6, 30)),  # a trailing "เดือน" is ignored
    ("เดือนที่แล้ว-เดือนนี้", Period(date(2025, 2, 1), date(2025, 3, 31), "month")),
    ("2024-06-15 - 2024-06-20", Period(date(2024, 6, 15), date(2024, 6, 20), "day")),  # the middle dash
    # Stray dots: a full stop, or a dot next to a word, is not a date separator.
    ("มิ.ย. 2567.", month(2024, 6, 30)),
    ("June. 2024", month(2024, 6, 30)),
    (".2567", year(2024)),
    ("June .15 2024", day(2024, 6, 15)),
    ("15. มิ.ย. 2567", day(2024, 6, 15)),
]


@pytest.mark.parametrize(("text", "expected"), EDGES_OK)
def test_edges_accepted(text: str, expected: Period) -> None:
    assert parse_period(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("29/2", date(2026, 3, 1), day(2024, 2, 29)),  # 2025 and 2026 have none
        ("29 ก.พ.", date(2024, 2, 28), day(2020, 2, 29)),  # 2024's is tomorrow: 2020's
        ("29/2", date(2024, 2, 29), day(2024, 2, 29)),
        ("วันนี้", date(2024, 2, 29), day(2024, 2, 29)),
        ("เดือนที่แล้ว", date(2024, 1, 15), month(2023, 12, 31)),  # across a new year
        ("ปีที่แล้ว", date(2024, 1, 1), year(2023)),
        ("1-15 ม.ค.", date(2025, 1, 20), Period(date(2025, 1, 1), date(2025, 1, 15), "day")),
        ("1-15 ม.ค.", date(2025, 1, 10), Period(date(2024, 1, 1), date(2024, 1, 15), "day")),
    ],
)
def test_without_a_year_is_the_latest_one(text: str, today: date, expected: Period) -> None:
    assert parse_period(text, today=today) == expected


EDGES_REFUSED = [
    ("2567-1-2567", "date.ambiguous", {"text": "2567-1-2567"}),  # January 2567, or all of 2567?
    ("31-5 มิ.ย.", "date.invalid", {"text": "31-5 มิ.ย."}),
    ("13/67", "date.invalid", {"text": "13/67"}),
    ("เดือน 13", "date.invalid", {"text": "เดือน 13"}),
    ("2567/13/1", "date.invalid", {"text": "2567/13/1"}),
    ("2400", "date.too_old", {"earliest_year_be": 2500, "year_be": 2400}),  # BE from 2400: 1857
    ("1899", "date.too_old", {"earliest_year_be": 2500, "year_be": 2442}),  # not CE either
    ("ปี 1900", "date.too_old", {"earliest_year_be": 2500, "year_be": 2443}),
    ("2399", "date.future", {"latest": date(2025, 12, 31)}),  # CE up to 2399
    ("มิ.ย. 67 - 2567", "date.range_reversed", {}),
    ("พ.ศ. 1", "date.unrecognised", {"text": "พ.ศ. 1"}),
    ("ปี 567", "date.unrecognised", {"text": "ปี 567"}),
    ("มิ.ย. 567", "date.unrecognised", {"text": "มิ.ย. 567"}),
    ("1/6/2567 - 3", "date.unrecognised", {"text": "1/6/2567 - 3"}),
    ("15062567", "date.unrecognised", {"text": "15062567"}),
    ("1 - 15", "date.unrecognised", {"text": "1 - 15"}),
    ("2024 ad", "date.unrecognised", {"text": "2024 ad"}),
    ("มิ.ย. มิ.ย.", "date.unrecognised", {"text": "มิ.ย. มิ.ย."}),
    ("ไม่รู้", "date.unrecognised", {"text": "ไม่รู้"}),
    ("jun 24", "date.ambiguous", {"text": "jun 24"}),
    ("jun 31", "date.ambiguous", {"text": "jun 31"}),
    ("JUN 24", "date.ambiguous", {"text": "JUN 24"}),  # quoted as typed, not as folded
    ("ค่ะ", "input.empty", {}),
    ("ค.ศ. 0000", "date.invalid", {"text": "ค.ศ. 0000"}),
    ("ม.ค. ค.ศ. 0000", "date.invalid", {"text": "ม.ค. ค.ศ. 0000"}),
    ("ค.ศ. 0001", "date.too_old", {"earliest_year_be": 2500, "year_be": 544}),
    ("ม.ค. ค.ศ. 0001", "date.too_old", {"earliest_year_be": 2500, "year_be": 544}),
    ("ค.ศ. 9999", "date.future", {"latest": date(2025, 12, 31)}),
    ("ม.ค. ค.ศ. 9999", "date.future", {"latest": date(2025, 3, 31)}),
    # Three-digit parts are no day, month or year in any form.
    ("123/6/2567", "date.unrecognised", {"text": "123/6/2567"}),
    ("15/123/2567", "date.unrecognised", {"text": "15/123/2567"}),
    ("2024-123", "date.unrecognised", {"text": "2024-123"}),
    ("123/2567", "date.unrecognised", {"text": "123/2567"}),
    ("123/67", "date.unrecognised", {"text": "123/67"}),
    ("123/6", "date.unrecognised", {"text": "123/6"}),
    ("15/123", "date.unrecognised", {"text": "15/123"}),
    ("123-15 มิ.ย. 2567", "date.unrecognised", {"text": "123-15 มิ.ย. 2567"}),
    ("june 005", "date.unrecognised", {"text": "june 005"}),
    ("June 015, 2024", "date.unrecognised", {"text": "June 015, 2024"}),
    ("เดือน 006 2567", "date.unrecognised", {"text": "เดือน 006 2567"}),
    ("เดือน 6 2567 2567", "date.unrecognised", {"text": "เดือน 6 2567 2567"}),
    # Words or a bare era beside a date are not understood, even when the date itself is impossible.
    ("ab-31/2/2567", "date.unrecognised", {"text": "ab-31/2/2567"}),
    ("12345-31/2/2567", "date.unrecognised", {"text": "12345-31/2/2567"}),
    ("พ.ศ. ถึง 31/2/2567", "date.unrecognised", {"text": "พ.ศ. ถึง 31/2/2567"}),
]


@pytest.mark.parametrize(("text", "code", "params"), EDGES_REFUSED)
def test_edges_refused(text: str, code: str, params: dict[str, object]) -> None:
    with pytest.raises(ParseError) as info:
        parse_period(text, today=TODAY)
    assert (info.value.code, info.value.params) == (code, params)


def test_a_period_checks_its_own_shape() -> None:
    with pytest.raises(ValueError, match="precision must be day, month or year, not 'week'"):
        Period(date(2024, 6, 1), date(2024, 6, 7), "week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^start after end$"):
        Period(date(2024, 6, 2), date(2024, 6, 1), "day")
    assert Period(date(2024, 6, 1), date(2024, 6, 1), "day").start == date(2024, 6, 1)


# The vocabulary is built once at import; checking what it builds word by word shows a word that
# went missing, which no parse through the already built table could.
VOCABULARY = [
    ("ม.ค.", ("M", (1, False))),
    ("มกราคม", ("M", (1, False))),
    ("ตุลา", ("M", (10, False))),
    ("ธ.ค.", ("M", (12, False))),
    ("กรกฏาคม", ("M", (7, False))),
    ("กุมพา", ("M", (2, False))),
    ("jan", ("M", (1, True))),
    ("december", ("M", (12, True))),
    ("sept", ("M", (9, True))),
    ("พ.ศ.", ("B", None)),
    ("be", ("B", None)),
    ("ค.ศ.", ("C", None)),
    ("ce", ("C", None)),
    ("ad", ("C", None)),
    ("ปี", ("Y", None)),
    ("year", ("Y", None)),
    ("เดือน", ("W", None)),
    ("เดือนนี้", ("R", "this_month")),
    ("thismonth", ("R", "this_month")),
    ("เดือนที่แล้ว", ("R", "last_month")),
    ("เดือนก่อน", ("R", "last_month")),
    ("เดือนที่ผ่านมา", ("R", "last_month")),
    ("lastmonth", ("R", "last_month")),
    ("previousmonth", ("R", "last_month")),
    ("ปีนี้", ("R", "this_year")),
    ("thisyear", ("R", "this_year")),
    ("ปีที่แล้ว", ("R", "last_year")),
    ("ปีก่อน", ("R", "last_year")),
    ("ปีที่ผ่านมา", ("R", "last_year")),
    ("lastyear", ("R", "last_year")),
    ("previousyear", ("R", "last_year")),
    ("วันนี้", ("R", "today")),
    ("today", ("R", "today")),
    ("เมื่อวาน", ("R", "yesterday")),
    ("เมื่อวานนี้", ("R", "yesterday")),
    ("yesterday", ("R", "yesterday")),
    ("ถึง", ("T", None)),
    ("จนถึง", ("T", None)),
    ("to", ("T", None)),
    ("until", ("T", None)),
    ("till", ("T", None)),
    ("through", ("T", None)),
    *[
        (word, ("skip", None))
        for word in (
            "วันที่",
            "วัน",
            "ที่",
            "ของ",
            "ประจำ",
            "ช่วง",
            "ระหว่าง",
            "ตั้งแต่",
            "งวด",
            "of",
            "the",
            "from",
            "in",
            "ทั้ง",
            "ค่ะ",
            "คะ",
            "ครับ",
            "คับ",
            "นะคะ",
            "นะครับ",
            "จ้า",
        )
    ],
]


@pytest.mark.parametrize(("word", "meaning"), VOCABULARY)
def test_vocabulary_word_by_word(word: str, meaning: tuple[str, object]) -> None:
    assert periods._vocabulary()[squash(word, ". ")] == meaning
