"""Thai mobile numbers as people type them, to E.164 (``+66812345678``).

Accepted: ``081-234-5678``, ``0812345678``, ``081 234 5678``, ``+66 81 234 5678``, ``+66812345678``,
``66812345678``, ``๐๘๑-๒๓๔-๕๖๗๘`` (Thai digits), with spaces, dashes, dots or brackets. The checking
is Google's ``phonenumbers`` (libphonenumber's number plan for Thailand), not a hand-written pattern,
so new mobile ranges are picked up when the library is updated.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from handlers.parsing.errors import ParseError
from handlers.parsing.text import prepare

_ALLOWED = re.compile(r"^[+0-9 ().\-]+$")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def parse_thai_mobile(text: str) -> str:
    """The E.164 form of a Thai mobile number typed in ``text``.

    Raises ``ParseError("phone.unrecognised")`` for anything that is not a valid Thai number and
    ``ParseError("phone.not_mobile")`` for a valid landline (coordinators are reached by mobile).
    """
    folded = prepare(text)  # Thai digits → ASCII, dashes unified, spaces collapsed
    if not _ALLOWED.match(folded):
        raise ParseError("phone.unrecognised")
    digits = re.sub(r"[^0-9+]", "", folded)
    if digits.startswith("66") and len(digits) == 11:  # "66812345678" typed without the plus
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "TH")
    except NumberParseException:
        raise ParseError("phone.unrecognised") from None
    if number.country_code != 66 or not phonenumbers.is_valid_number(number):
        raise ParseError("phone.unrecognised")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ParseError("phone.not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_thai_mobile(e164: str) -> str:
    """How a stored number is shown back to a Thai reader: ``081 234 5678``."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "TH"), PhoneNumberFormat.NATIONAL)
