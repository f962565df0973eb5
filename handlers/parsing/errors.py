"""The one exception the parsers raise, and the stable list of its reason codes.

Codes are identifiers for the chat layer's message catalog; this package never builds a sentence for
the user. ``params`` carries what a message needs to be specific (the unit typed, the unit expected,
the limit), as plain values: ``str``, ``Decimal``, ``date`` or tuples of those.
"""

from __future__ import annotations

from typing import Any

ERROR_CODES: tuple[str, ...] = (
    # The message as a whole.
    "input.empty",  # nothing left after removing spaces, emoji and polite particles
    "input.too_long",  # params: limit (characters); a figure is never this long
    # Numbers.
    "number.not_a_number",  # no figure found; params: text
    "number.multiple",  # two separate figures, e.g. "15 6"; params: count
    "number.range",  # "200-300", "200 ถึง 300": asks for one figure
    "number.imprecise",  # "200 กว่า", "เกิน 200", "200+": not a figure that can be recorded
    "number.negative",  # params: value (absolute value as typed)
    "number.zero",
    "number.too_large",  # params: limit, unit (canonical code or None)
    "number.infinite",
    "number.nan",
    "number.ambiguous_decimal_comma",  # "12,5", "1,2500", "1.250,50": decimal comma or slip; params: text
    "number.bad_grouping",  # "1,25,000", "1.2.3": separators in impossible places; params: text
    "number.ambiguous_multiplier",  # "2 พัน 1500", "พัน" alone: multiplier words that do not add up
    # Units.
    "unit.unknown",  # params: entered_text, expected
    "unit.incompatible",  # params: entered (code), entered_text, expected (code)
    "unit.ambiguous",  # "กิโล" for a field that is neither mass nor length; params: entered_text,
    #                    candidates, expected
    "unit.unexpected",  # a unit word where only a plain number is asked; params: entered_text
    "quantity.bad_compound",  # "3 ไร่ 2", "2 งาน 3 ไร่", "3-5-10": parts that do not form one amount
    # Dates and periods.
    "date.unrecognised",  # params: text
    "date.invalid",  # 31/2, month 13; params: text
    "date.future",  # params: latest (the last date that could be accepted)
    "date.too_old",  # params: earliest_year_be, year_be
    "date.ambiguous",  # "jun 24": 24 June or June 2524 BE?; params: text
    "date.range_reversed",  # "ส.ค.-มิ.ย. 2567"
    # Phone numbers (parsing.phone).
    "phone.unrecognised",  # not a Thai phone number at all
    "phone.not_mobile",  # a valid Thai number, but a landline: we ask for a mobile
)

_KNOWN = frozenset(ERROR_CODES)


class ParseError(ValueError):
    """Input that cannot be accepted. ``code`` is one of ``ERROR_CODES``; ``params`` is data, not prose.

    A subclass of ``ValueError`` so generic callers treating bad input as a value error keep working.
    """

    def __init__(self, code: str, **params: Any) -> None:
        if code not in _KNOWN:  # a typo here would surface as a missing catalog message much later
            raise AssertionError(f"unknown parse error code {code!r}")
        super().__init__(code, params)
        self.code = code
        self.params: dict[str, Any] = params

    def __str__(self) -> str:  # for logs only
        return f"{self.code} {self.params}" if self.params else self.code
