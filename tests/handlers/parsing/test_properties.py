"""Property tests (hypothesis) for handlers.parsing: never crash, and read back what we format."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.parsing import (
    ABSURD_LIMIT,
    UNIT_CODES,
    ParseError,
    Period,
    format_number,
    format_period_en,
    format_period_th,
    parse_number,
    parse_period,
    parse_quantity,
)
from handlers.parsing.units import UNIT_WORDS

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# Pieces of what people type, so the fuzzing reaches the grammar and not only "not a number".
SYMBOLS = list("0123456789๐๑๒๓๔๕๖๗๘๙,. -+−/kK\u200b")
WORDS = (
    "พัน หมื่น แสน ล้าน ครึ่ง ค่ะ ประมาณ กว่า ลบ ถึง ไม่มี inf nan "
    "กก. ก.ก. ตัน กิโล ไร่ งาน ตร.ว. ตร.ม. หน่วย ลิตร กม. ม. ต้น kWh m² "
    "มิ.ย. มิถุนายน jun พ.ศ. ปี เดือนนี้ 2567 67 2024 31 15"
).split()
PIECES = st.sampled_from([*SYMBOLS, *WORDS])
TYPED = st.lists(PIECES, max_size=12).map("".join)
# Five times the profile's number of examples: 500 normally, fewer in a mutation run (tests/conftest.py).
FUZZ_EXAMPLES = 5 * settings.default.max_examples
TODAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


# Arbitrary text (anything may be refused, but only with a ParseError), mixed with figures written the
# ways people write them, which must be read exactly: a parser that refused everything fails here.
ARBITRARY = st.tuples(st.text() | TYPED, st.none())
AMOUNTS = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10) ** 9, places=3)


@st.composite
def written_figures(draw: st.DrawFn) -> tuple[str, Decimal]:
    value = draw(AMOUNTS)
    text = format_number(value)
    if draw(st.booleans()):
        text = text.translate(THAI_DIGITS)
    before = draw(st.sampled_from(["", "ประมาณ ", "รวม ", "  "]))
    after = draw(st.sampled_from(["", " ค่ะ", "ครับ", " "]))
    return f"{before}{text}{after}", value


@given(ARBITRARY | written_figures())
@example(("1,250", Decimal(1250)))
@example(("๑,๒๕๐.๕ ค่ะ", Decimal("1250.5")))
@example(("1234,567", None))
@settings(max_examples=FUZZ_EXAMPLES)
def test_parse_number_only_raises_parse_error(case: tuple[str, Decimal | None]) -> None:
    text, expected = case
    if expected is not None:
        assert parse_number(text) == expected
        return
    try:
        value = parse_number(text)
    except ParseError:
        return
    assert isinstance(value, Decimal) and value.is_finite() and 0 < value <= ABSURD_LIMIT


@st.composite
def written_quantities(draw: st.DrawFn) -> tuple[str, str, Decimal]:
    value = draw(AMOUNTS)
    unit = draw(st.sampled_from(UNIT_CODES))
    word = draw(st.sampled_from(UNIT_WORDS[unit]))
    return f"{format_number(value)} {word}", unit, value


@given(st.tuples(st.text() | TYPED, st.sampled_from(UNIT_CODES), st.none()) | written_quantities(),
       st.booleans())  # fmt: skip
@example(("3 ไร่", "rai", Decimal(3)), False)
@example(("๒,๐๐๐ กก.", "kg", Decimal(2000)), True)
@settings(max_examples=FUZZ_EXAMPLES)
def test_parse_quantity_only_raises_parse_error(
    case: tuple[str, str, Decimal | None], allow_zero: bool
) -> None:
    text, unit, expected = case
    if expected is not None:
        q = parse_quantity(text, unit, allow_zero=allow_zero)
        assert (q.value, q.unit, q.entered_unit) == (expected, unit, unit)
        return
    try:
        q = parse_quantity(text, unit, allow_zero=allow_zero)
    except ParseError:
        return
    assert q.unit == unit and q.value.is_finite() and 0 <= q.value <= ABSURD_LIMIT


@st.composite
def written_periods(draw: st.DrawFn) -> tuple[str, date, Period]:
    period, today = draw(periods())
    text = draw(st.sampled_from([format_period_th, format_period_en]))(period)
    return text, today, period


@given(st.tuples(st.text() | TYPED, TODAYS, st.none()) | written_periods())
@example(("มิ.ย. 2567", date(2025, 3, 10), Period(date(2024, 6, 1), date(2024, 6, 30), "month")))
@example(("15 มิ.ย.", date(2025, 3, 10), Period(date(2024, 6, 15), date(2024, 6, 15), "day")))
@settings(max_examples=FUZZ_EXAMPLES)
def test_parse_period_only_raises_parse_error(case: tuple[str, date, Period | None]) -> None:
    text, today, expected = case
    if expected is not None:
        assert parse_period(text, today=today) == expected
        return
    try:
        period = parse_period(text, today=today)
    except ParseError:
        return
    assert date(1957, 1, 1) <= period.start <= period.end


@st.composite
def values_and_places(draw: st.DrawFn) -> tuple[Decimal, int]:
    places = draw(st.integers(min_value=0, max_value=6))
    value = draw(st.decimals(min_value=0, max_value=ABSURD_LIMIT, places=places))
    return value, places


@given(values_and_places())
@example((Decimal(1), 0))
@example((Decimal(1), 3))
@example((Decimal("1234.5"), 1))
@example((Decimal("0.001"), 3))
def test_format_number_round_trips(case: tuple[Decimal, int]) -> None:
    value, places = case
    text = format_number(value, max_decimals=places)
    assert parse_number(text, allow_zero=True) == value


@given(values_and_places())
@example((Decimal(1), 0))
@example((Decimal("1000"), 0))
def test_format_number_round_trips_in_thai_digits(case: tuple[Decimal, int]) -> None:
    value, places = case
    text = format_number(value, max_decimals=places).translate(THAI_DIGITS)
    assert parse_number(text, allow_zero=True) == value


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10) ** 9, places=3), st.data())
def test_quantity_with_own_unit_word_round_trips(value: Decimal, data: st.DataObject) -> None:
    unit = data.draw(st.sampled_from(UNIT_CODES))
    word = data.draw(st.sampled_from(UNIT_WORDS[unit]))
    separator = data.draw(st.sampled_from(["", " "]))
    q = parse_quantity(f"{format_number(value)}{separator}{word}", unit)
    assert (q.value, q.unit, q.entered_unit) == (value, unit, unit)


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10) ** 6, places=3))
def test_rai_ngan_wa_convert_exactly(value: Decimal) -> None:
    wa = parse_quantity(f"{format_number(value)} ตร.ว.", "rai").value
    assert wa * 400 == value
    assert parse_quantity(f"{format_number(value)} ไร่", "m2").value == value * 1600


@st.composite
def periods(draw: st.DrawFn) -> tuple[Period, date]:
    precision = draw(st.sampled_from(["day", "month", "year"]))
    first = draw(st.dates(min_value=date(1957, 1, 1), max_value=date(2090, 12, 31)))
    last = draw(st.dates(min_value=first, max_value=min(first + timedelta(days=900), date(2090, 12, 31))))
    if precision == "month":
        first = first.replace(day=1)
        last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    elif precision == "year":
        first, last = first.replace(month=1, day=1), last.replace(month=12, day=31)
    today = draw(st.dates(min_value=last, max_value=last + timedelta(days=3000)))
    return Period(first, last, precision), today


@given(periods())
def test_formatted_periods_parse_back(case: tuple[Period, date]) -> None:
    period, today = case
    assert parse_period(format_period_th(period), today=today) == period
    assert parse_period(format_period_en(period), today=today) == period
