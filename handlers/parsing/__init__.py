"""Forgiving, pure parsers for what coordinators type on their phones, in Thai or English.

No Flask, SQLAlchemy or LINE here, and no clock: callers pass ``today``. Refusals are
``ParseError`` with a stable ``code`` (see ``ERROR_CODES``) and data ``params``; the chat layer
turns them into polite messages from its catalog. Modules:

- ``text``: normalisation (Thai and full-width digits, zero-width spaces, emoji, dashes, typos).
- ``numbers``: ``parse_number``, ``format_number``.
- ``units`` and ``quantities``: unit words and ``parse_quantity``.
- ``periods``: ``parse_period``, ``format_period`` (``format_period_th``, ``format_period_en``).

Decisions on ambiguous input are listed in ``DECISIONS`` below, so the catalog and flow authors can
read them in one place.
"""

from handlers.parsing.errors import ERROR_CODES, ParseError
from handlers.parsing.numbers import ABSURD_LIMIT, format_number, parse_number
from handlers.parsing.periods import (
    EARLIEST_YEAR_BE,
    Period,
    format_period,
    format_period_en,
    format_period_th,
    parse_period,
)
from handlers.parsing.quantities import Quantity, parse_quantity
from handlers.parsing.text import MAX_INPUT_CHARS, clean_free_text, normalise, strip_unstorable
from handlers.parsing.units import EXTRA_UNIT_CODES, UNIT_CODES

DECISIONS = """
Numbers
- A dot is always the decimal point (Thai usage): "1.250" is 1.25. Several dots in exact groups of
  three cannot be decimals and are thousands: "1.250.000" is 1,250,000.
- A comma followed by exactly three digits groups thousands ("1,250"); any other single comma
  ("12,5", "1,2500", "1250,50", "1.250,50") may be a decimal comma or a slip: number.ambiguous_decimal_comma.
  Several commas in wrong places ("1,25,000"): number.bad_grouping.
- A space groups thousands only before exactly three digits ("1 250", "12 500 000"); "15 6" is two
  figures (number.multiple).
- "1,250.-" (the Thai way of writing a whole amount) is 1250. "1,,250" is 1,250.
- Multipliers k/K, ร้อย, พัน, หมื่น, แสน, ล้าน, thousand, million are accepted; "m"/"M" is never
  million (it is metres). Compounds must fall strictly: "2 พัน 500" = 2,500, "1 ล้าน 2 แสน" = 1,200,000;
  "2 พัน 1500" is number.ambiguous_multiplier. "2 พันครึ่ง" = 2,500.
- "ประมาณ/ราวๆ/about/~ 200" is accepted as 200 and flagged Quantity.approximate (records are
  estimates anyway; the flow may confirm). "200 กว่า", "เกิน 200", "เกือบ 200", "200+" are refused
  (number.imprecise): they name a range, not a figure. "200-300"/"200 ถึง 300": number.range.
- "ไม่มี", "ศูนย์", "none" mean 0 (then number.zero unless the field allows zero).
- "-5", "ลบ 5", "ติดลบ 5": number.negative (after unit checks, so "-5 ลิตร" in a kg field reports the unit).
- Limit: ABSURD_LIMIT (10^12 in the field unit) unless the caller passes max_value.
Units
- "กิโล"/"โล" are kg in a mass field, km in a length field, else unit.ambiguous. English "kilo" is kg.
- "หน่วย"/"ยูนิต"/"หน่วยไฟ" are kWh (the unit on a Thai electricity bill).
- kW, m³, บาท, ห้อง (rooms), คน (persons) are recognised so a refusal can name them (unit.incompatible);
  m³ converts exactly to litres. Litres never convert to kilograms.
- Compounds from big to small in one dimension: "3 ไร่ 2 งาน 50 ตร.ว.", "1 ตัน 200 กก.". Each part
  must be smaller than one of the unit before ("3 ไร่ 5 งาน" is quantity.bad_compound), and "3 ไร่ 2"
  (no unit on the last part) is quantity.bad_compound. Land-deed notation "3-2-50" (ไร่-งาน-ตารางวา) is
  accepted for area fields only. "2 ไร่ครึ่ง" = 2.5 ไร่, "ไร่ครึ่ง" = 1.5 ไร่, "ครึ่งไร่" = 0.5 ไร่.
  entered_unit is the first (largest) unit typed. Fractions ("1/2 ไร่") are not accepted.
- A unit repeated ("1,250 หน่วย (kWh)") counts once.
Dates
- Two-digit years are BE (67 → 2567 → 2024), four-digit years ≥ 2400 are BE, 1900–2399 CE.
- "6/67" is June 2567 (no month 67), but "6-67" is refused so that "1-15" never becomes a year;
  "15/6" and "1/2" are day/month; "jun 24" is date.ambiguous
  (English puts the day there) while "มิ.ย. 24" is June 2524 (Thai writes month-year), which is old
  but not before 2500.
- A month or day without a year is the most recent one not after today; in a range the left end
  borrows the right end's year, and wraps to the year before when its month is later:
  "พ.ย.-ก.พ. 2568" is Nov 2567 – Feb 2568 (Thai fiscal years run Oct–Sep).
- Future: a day after today, a month after today's month, a year after today's year (date.future).
  "ปีนี้" and "เดือนนี้" are accepted though not yet over. Quarters (ไตรมาส, Q2) are not parsed yet.
"""

__all__ = [
    "ABSURD_LIMIT",
    "DECISIONS",
    "EARLIEST_YEAR_BE",
    "ERROR_CODES",
    "EXTRA_UNIT_CODES",
    "MAX_INPUT_CHARS",
    "UNIT_CODES",
    "ParseError",
    "Period",
    "Quantity",
    "clean_free_text",
    "format_number",
    "format_period",
    "format_period_en",
    "format_period_th",
    "normalise",
    "parse_number",
    "parse_period",
    "parse_quantity",
    "strip_unstorable",
]
