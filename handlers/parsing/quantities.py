"""``parse_quantity``: a figure with an optional unit word, converted to the field's unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from handlers.parsing.errors import ParseError
from handlers.parsing.numbers import (
    DEED_SHAPE,
    Token,
    amount_value,
    check_value,
    literal_to_decimal,
    scan,
    tidy,
)
from handlers.parsing.units import COUNT_UNIT_CODES, KILO, KILO_BY_DIMENSION, UNIT_CODES, unit_info


@dataclass(frozen=True)
class Quantity:
    """A figure in the field's canonical ``unit``.

    ``entered_unit`` is the code of the unit the user typed (the largest one of a compound such as
    "3 ไร่ 2 งาน"), ``None`` when they typed a bare number. ``approximate`` is true when they wrote
    ประมาณ/ราวๆ/about: the figure is accepted, and the flow may ask them to confirm it.
    """

    value: Decimal
    unit: str
    entered_unit: str | None
    approximate: bool = False


@dataclass
class _Part:
    amount: list[Token]
    unit: Token | None
    half_after: bool = False  # "2 ไร่ครึ่ง", "ตันครึ่ง"


def parse_quantity(text: str, unit: str, *, allow_zero: bool = False,
                   max_value: Decimal | int | None = None) -> Quantity:  # fmt: skip
    """Parse a figure for a field measured in ``unit`` (a code from ``UNIT_CODES`` or ``COUNT_UNIT_CODES``).

    Accepts a unit word after or before the figure ("1.5ตัน", "กก. 200"), compound amounts from big
    to small ("3 ไร่ 2 งาน", "1 ตัน 200 กก."), land-deed notation for areas ("3-2-50" = 3 ไร่ 2 งาน
    50 ตร.ว.) and halves ("2 ไร่ครึ่ง"). "กิโล" means kg for a mass field and km for a length field.
    ``max_value`` is in ``unit`` and is checked after conversion. Litres are never turned into
    kilograms: that depends on the fuel, and belongs to ``calc``.
    """
    if unit not in UNIT_CODES and unit not in COUNT_UNIT_CODES:
        raise ValueError(f"field unit must be one of UNIT_CODES, not {unit!r}")
    field = unit_info(unit)
    found = scan(text, allow_deed=field.dimension == "area")
    with localcontext() as ctx:
        ctx.prec = 1000  # all factors are exact; a wide context makes sure nothing is rounded
        deed = _land_deed(found.tokens) if field.dimension == "area" else None
        if deed is not None:
            base, entered = deed, "rai"
        else:
            base, entered = _base_amount(_parts(found.tokens), unit)
        value = base / field.factor
    value = check_value(value, negative=found.negative, allow_zero=allow_zero,
                        max_value=None if max_value is None else Decimal(max_value), unit=unit)  # fmt: skip
    return Quantity(tidy(value), unit, entered, found.approximate)


def _parts(tokens: list[Token]) -> list[_Part]:
    """Group tokens into (amount, unit) parts; a leading unit ("กก. 200") takes the whole amount."""
    others = [t for t in tokens if t.kind == "other"]
    if others:
        word = others[0].text.rstrip(".")
        if not any(ch.isalpha() for ch in word):  # "1/2 ไร่", "5 * 20": symbols, not a unit word
            raise ParseError("number.not_a_number", text=word)
        raise ParseError("unit.unknown", entered_text=word)
    # "1,250 หน่วย (kWh)": the same unit said twice, as copied from a bill, is one unit.
    tokens = [
        t
        for i, t in enumerate(tokens)
        if not (i and t.kind == "unit" and tokens[i - 1].kind == "unit" and t.value == tokens[i - 1].value)
    ]
    leading_unit = tokens[0].kind == "unit" and not (len(tokens) > 1 and tokens[1].kind == "half")
    if leading_unit and not any(t.kind == "unit" for t in tokens[1:]):
        return [_Part(tokens[1:], tokens[0])]
    parts: list[_Part] = []
    amount: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "unit":
            part = _Part(amount, tok)
            if i + 1 < len(tokens) and tokens[i + 1].kind == "half":
                part.half_after = True
                i += 1
            parts.append(part)
            amount = []
        else:
            amount.append(tok)
        i += 1
    if amount:
        if parts:  # "3 ไร่ 2": two what?
            raise ParseError("quantity.bad_compound")
        parts.append(_Part(amount, None))
    return parts


def _resolve(tok: Token, field_unit: str) -> str:
    """The unit code a unit token stands for in a field measured in ``field_unit``."""
    code = str(tok.value)
    if code != KILO:
        return code
    resolved = KILO_BY_DIMENSION.get(unit_info(field_unit).dimension)
    if resolved is None:
        raise ParseError("unit.ambiguous", entered_text=tok.text.rstrip("."), candidates=("kg", "km"),
                         expected=field_unit)  # fmt: skip
    return resolved


def _base_amount(parts: list[_Part], field_unit: str) -> tuple[Decimal, str | None]:
    """Sum the parts in the field dimension's base unit; returns (amount, code of the first unit)."""
    field = unit_info(field_unit)
    total = Decimal(0)
    entered: str | None = None
    previous_factor: Decimal | None = None
    for part in parts:
        if part.unit is None:
            return amount_value(part.amount) * field.factor, None
        code = _resolve(part.unit, field_unit)
        info = unit_info(code)
        if info.dimension != field.dimension:
            raise ParseError("unit.incompatible", entered=code, entered_text=part.unit.text.rstrip("."),
                             expected=field_unit)  # fmt: skip
        if previous_factor is not None and info.factor >= previous_factor:  # "2 งาน 3 ไร่", "1 กก. 1 กก."
            raise ParseError("quantity.bad_compound")
        if not part.amount:
            if not part.half_after:  # a unit word with no figure at all
                raise ParseError("number.not_a_number", text=part.unit.text)
            amount = Decimal(1)  # "ไร่ครึ่ง" = one and a half rai
        else:
            amount = amount_value(part.amount)
        if part.half_after:
            amount += Decimal("0.5")
        if len(parts) > 1 and previous_factor is not None and amount * info.factor >= previous_factor:
            raise ParseError("quantity.bad_compound")  # "3 ไร่ 5 งาน": 5 งาน is more than a rai
        total += amount * info.factor
        entered = entered or code
        previous_factor = info.factor
    return total, entered


def _land_deed(tokens: list[Token]) -> Decimal | None:
    """Area in m² from title-deed notation ไร่-งาน-ตารางวา ("3-2-50", "3-2-50 ไร่"), else ``None``."""
    kinds = [t.kind for t in tokens]
    if kinds[:5] != DEED_SHAPE or not (
        len(tokens) == 5 or (len(tokens) == 6 and tokens[5].kind == "unit" and tokens[5].value == "rai")
    ):
        return None
    rai, ngan, wa = (literal_to_decimal(tokens[i].text) for i in (0, 2, 4))
    if rai != rai.to_integral_value() or ngan != ngan.to_integral_value() or ngan >= 4 or wa >= 100:
        raise ParseError("quantity.bad_compound")
    return rai * 1600 + ngan * 400 + wa * 4
