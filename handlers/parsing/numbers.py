"""Figures typed on a phone: tokens, the amount grammar, ``parse_number`` and ``format_number``.

The tokenizer is shared with ``parse_quantity``: it splits normalised text into numbers, multiplier
words (พัน, หมื่น, แสน, ล้าน, k), unit words, and the small words people wrap a figure in
(ประมาณ, รวม, ค่ะ). The grammar then decides what a sequence of tokens means, or refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from handlers.parsing.errors import ParseError
from handlers.parsing.text import prepare, squash, vocabulary_regex
from handlers.parsing.units import UNIT_WORDS

#: Above this, any activity figure is a typo (10¹² kg is a gigatonne; 10¹² m² is twice Thailand).
ABSURD_LIMIT = Decimal(10) ** 12

_SEPARATORS = ".- "  # tolerated between the letters of a vocabulary word

_MULTIPLIERS = {
    "k": 10**3, "thousand": 10**3, "พัน": 10**3, "ร้อย": 10**2, "hundred": 10**2,
    "หมื่น": 10**4, "แสน": 10**5, "ล้าน": 10**6, "million": 10**6, "billion": 10**9,
    "พันล้าน": 10**9, "หมื่นล้าน": 10**10, "แสนล้าน": 10**11, "ล้านล้าน": 10**12,
}  # fmt: skip
# Words that carry no figure. Particles and fillers are dropped; a hedge marks the figure approximate
# (accepted); a qualifier makes it imprecise (refused: "200 กว่า" is anything from 201 to 299).
_WORDS: dict[str, tuple[str, ...]] = {
    "particle": ("ค่ะ", "คะ", "ค่า", "ครับ", "คับ", "ครัช", "นะคะ", "นะครับ", "นะ", "จ้า", "จ้ะ", "ฮะ",
                 "ka", "kha", "krub", "krab", "khrap"),
    "filler": ("จำนวน", "รวม", "ทั้งหมด", "ยอด", "ได้", "เป็น", "คือ", "total", "เท่ากับ"),
    "hedge": ("ประมาณ", "โดยประมาณ", "ราว", "ราวๆ", "about", "approx", "approximately", "around",
              "~", "≈"),
    "vague": ("กว่า", "มากกว่า", "เกิน", "ไม่เกิน", "น้อยกว่า", "ต่ำกว่า", "ไม่ถึง", "อย่างน้อย", "เกือบ",
              "ขึ้นไป", "morethan", "over", "atleast", "almost", "under", "lessthan", "upto"),
    "inf": ("inf", "infinity", "infinite", "∞", "ไม่จำกัด", "อนันต์", "ไม่สิ้นสุด"),
    "nan": ("nan",),
    "zero": ("ไม่มี", "ศูนย์", "none", "zero", "nil"),
    "neg": ("ลบ", "ติดลบ", "minus", "negative"),
    "range": ("ถึง", "จนถึง", "to"),
    "half": ("ครึ่ง",),
}  # fmt: skip


@dataclass(frozen=True)
class Token:
    """One piece of the input. ``value`` is the multiplier, the unit code or ``None``."""

    kind: str  # num mult unit half particle filler hedge vague inf nan zero neg range dash plus punct other
    text: str
    start: int
    end: int
    value: object = None


def _build_vocabulary() -> dict[str, tuple[str, object]]:
    vocab: dict[str, tuple[str, object]] = {}
    for code, words in UNIT_WORDS.items():
        for word in words:
            vocab[word] = ("unit", code)
    for word, factor in _MULTIPLIERS.items():
        vocab[word] = ("mult", Decimal(factor))
    for kind, words in _WORDS.items():
        for word in words:
            vocab[word] = (kind, None)
    return vocab


_VOCAB = _build_vocabulary()
_VOCAB_RE = vocabulary_regex(_VOCAB, _SEPARATORS)
# Digits with "," or "." between groups; a space only when exactly three digits follow ("1 250").
_NUM_RE = re.compile(r"[0-9]+(?:(?:[.,]|[ ](?=[0-9]{3}(?![0-9])))[0-9]+)*|\.[0-9]+")
# "1,250.-" and "1,250,-" are how Thai prices and totals say "no satang": not a decimal, not a range.
_WHOLE_MARK_RE = re.compile(r"(?<=[0-9])[.,]-(?![0-9])")
_DOUBLE_COMMA_RE = re.compile(r"(?<=[0-9]),{2,}(?=[0-9])")


def tokenize(folded: str) -> list[Token]:
    """Split normalised text into tokens; unknown runs become ``other`` tokens (never an error here)."""
    folded = _DOUBLE_COMMA_RE.sub(",", _WHOLE_MARK_RE.sub("", folded))
    tokens: list[Token] = []
    pos = 0
    while pos < len(folded):
        ch = folded[pos]
        if ch == " ":
            pos += 1
            continue
        m = _NUM_RE.match(folded, pos) if (ch.isascii() and ch.isdigit()) or ch == "." else None
        if m:
            tokens.append(Token("num", m.group(), pos, m.end()))
            pos = m.end()
            continue
        m = _VOCAB_RE.match(folded, pos)
        if m:
            kind, value = _VOCAB[squash(m.group(), _SEPARATORS)]
            tokens.append(Token(kind, m.group(), pos, m.end(), value))
            pos = m.end()
            continue
        simple = {"-": "dash", "+": "plus"}.get(ch) or ("punct" if ch in ".,!?;:=()" else None)
        if simple:
            tokens.append(Token(simple, ch, pos, pos + 1))
            pos += 1
            continue
        _append_other(tokens, folded, pos)
        pos += 1
    return _merge_unknown_words(tokens, folded)


def _append_other(tokens: list[Token], folded: str, pos: int) -> None:
    last = tokens[-1] if tokens else None
    if last is not None and last.kind == "other" and last.end == pos:
        tokens[-1] = Token("other", folded[last.start : pos + 1], last.start, pos + 1)
    else:
        tokens.append(Token("other", folded[pos], pos, pos + 1))


def _merge_unknown_words(tokens: list[Token], folded: str) -> list[Token]:
    # Thai has no spaces, so "มัด" (bundle) starts like "ม" (metre). A word the vocabulary matched
    # that touches an unknown run is part of that unknown word, and the refusal should quote it whole.
    merged: list[Token] = []
    for tok in tokens:
        prev = merged[-1] if merged else None
        if prev is not None and prev.end == tok.start and {prev.kind, tok.kind} == {"other", "unit"}:
            merged[-1] = Token("other", folded[prev.start : tok.end], prev.start, tok.end)
        else:
            merged.append(tok)
    return merged


def literal_to_decimal(literal: str) -> Decimal:
    """Turn one number literal (ASCII digits, "," "." and grouping spaces) into a ``Decimal``.

    A dot is the decimal point (Thai usage); commas and spaces group thousands in threes. A comma
    that cannot be a thousands separator might be a decimal comma or a slip, so it is refused.
    """
    text = literal.replace(" ", ",")
    if text.startswith("."):
        text = "0" + text
    commas, dots = text.count(","), text.count(".")
    if commas == 0 and dots <= 1:
        return Decimal(text)
    if commas == 0:
        # Several dots cannot be decimals; with exact groups of three they are thousands ("1.250.000").
        if _grouped(text.split(".")):
            return Decimal(text.replace(".", ""))
        raise ParseError("number.bad_grouping", text=literal)
    whole, dot, fraction = text.rpartition(".") if dots else (text, "", "")
    if dots and "," in fraction:  # "1.250,50": a decimal comma after dot-grouping
        raise ParseError("number.ambiguous_decimal_comma", text=literal)
    if dots > 1 or (dots and not whole):
        raise ParseError("number.bad_grouping", text=literal)
    groups = whole.split(",")
    if _grouped(groups):
        return Decimal("".join(groups) + dot + fraction)
    if commas == 1 and not dots:  # "12,5", "1250,50", "1234,567"
        raise ParseError("number.ambiguous_decimal_comma", text=literal)
    raise ParseError("number.bad_grouping", text=literal)


def _grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def amount_value(tokens: list[Token]) -> Decimal:
    """The value of an amount: ``12.5``, ``1.2k``, ``2 พัน 500``, ``1 ล้าน 2 แสน``, ``2 พันครึ่ง``, ``ครึ่ง``.

    Several terms must be whole numbers with strictly falling multipliers, each smaller than the
    one before ("2 พัน 1500" is refused: 3,500 or a typo of 2,150?).
    """
    if [t.kind for t in tokens] == ["half"]:
        return Decimal("0.5")
    terms: list[tuple[Decimal, Decimal, bool]] = []  # (number, multiplier, has a decimal point)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind != "num":
            raise ParseError("number.ambiguous_multiplier" if tok.kind in ("mult", "half")
                             else "number.not_a_number", text=tok.text)  # fmt: skip
        number = literal_to_decimal(tok.text)
        mult = Decimal(1)
        i += 1
        if i < len(tokens) and tokens[i].kind == "mult":
            mult = tokens[i].value  # type: ignore[assignment]
            i += 1
            while i < len(tokens) and tokens[i].kind == "mult":  # "2 พัน ล้าน": thousands of millions
                mult *= tokens[i].value  # type: ignore[operator]
                i += 1
            if i < len(tokens) and tokens[i].kind == "half":  # "2 พันครึ่ง" = 2,500
                number += Decimal("0.5")
                i += 1
        terms.append((number, mult, "." in tok.text or number != number.to_integral_value()))
    if not terms:
        raise ParseError("number.not_a_number", text="")
    if len(terms) == 1:
        number, mult, _ = terms[0]
        return number * mult
    if all(mult == 1 for _, mult, _ in terms):
        raise ParseError("number.multiple", count=len(terms))
    total = Decimal(0)
    previous_mult: Decimal | None = None
    for number, mult, fractional in terms:
        if fractional or (
            previous_mult is not None and (mult >= previous_mult or number * mult >= previous_mult)
        ):
            raise ParseError("number.ambiguous_multiplier", text=" ".join(t.text for t in tokens))
        total += number * mult
        previous_mult = mult
    return total


@dataclass
class Scan:
    """Tokens that may form a quantity, with what the words around the figure said about it."""

    tokens: list[Token]
    negative: bool = False
    approximate: bool = False


DEED_SHAPE = ["num", "dash", "num", "dash", "num"]


def scan(text: str, *, allow_deed: bool = False) -> Scan:
    """Normalise and tokenize ``text``, drop particles and fillers, and refuse what can never be a
    figure: ∞, NaN, ranges, imprecise qualifiers, stray symbols. Negative signs are recorded, not
    refused, so that a unit mistake in "-5 ลิตร" is reported before the sign. With ``allow_deed``
    the dashes of land-deed notation ("3-2-50") are left for the caller."""
    tokens = tokenize(prepare(text))
    kinds = {t.kind for t in tokens}
    if "inf" in kinds:
        raise ParseError("number.infinite")
    if "nan" in kinds:
        raise ParseError("number.nan")
    result = Scan([])
    for tok in tokens:
        if tok.kind in ("particle", "filler", "punct"):
            continue
        if tok.kind == "hedge":
            result.approximate = True
        elif tok.kind == "zero":
            result.tokens.append(Token("num", "0", tok.start, tok.end))
        else:
            result.tokens.append(tok)
    toks = result.tokens
    if not toks:
        raise ParseError("number.not_a_number", text=text.strip()[:40])
    # A sign in front: "-5", "ลบ 5", "กก. -5". A "+" in front is harmless; after a figure it is "200+".
    lead = 1 if toks[0].kind == "unit" and len(toks) > 1 else 0
    if toks[lead].kind in ("neg", "dash") and lead + 1 < len(toks) and toks[lead + 1].kind == "num":
        result.negative = True
        del toks[lead]
    elif toks[lead].kind == "plus" and lead + 1 < len(toks):
        del toks[lead]
    if allow_deed and [t.kind for t in toks[:5]] == DEED_SHAPE:
        return result
    for i, tok in enumerate(toks):
        if tok.kind == "vague" or tok.kind == "plus":
            raise ParseError("number.imprecise")
        if tok.kind in ("range", "dash") and 0 < i < len(toks) - 1:
            raise ParseError("number.range")
        if tok.kind in ("range", "dash", "neg"):
            raise ParseError("number.not_a_number", text=text.strip()[:40])
    if not any(t.kind == "num" for t in toks) and not any(t.kind == "half" for t in toks):
        others = [t for t in toks if t.kind == "other"]
        raise ParseError("number.not_a_number", text=(others[0].text if others else text.strip()[:40]))
    return result


def check_value(value: Decimal, *, negative: bool, allow_zero: bool, max_value: Decimal | None,
                unit: str | None) -> Decimal:  # fmt: skip
    """Apply the refusals every figure shares: negative, zero, too large. Returns the tidied value."""
    if value == 0:
        if not allow_zero:
            raise ParseError("number.zero")
        return Decimal(0)
    if negative:
        raise ParseError("number.negative", value=tidy(value))
    limit = ABSURD_LIMIT if max_value is None else Decimal(max_value)
    if value > limit:
        raise ParseError("number.too_large", limit=limit, unit=unit)
    return tidy(value)


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (1200.0 → 1200, 12.50 → 12.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_number(text: str, *, allow_zero: bool = False, max_value: Decimal | int | None = None) -> Decimal:
    """Parse one figure typed by a user: ``"๑,๒๕๐"``, ``"1 250"``, ``"12.5"``, ``"1.2k"``, ``"3 หมื่น"``.

    Refuses (``ParseError``) zero unless ``allow_zero``, negatives, words and symbols, ∞ and NaN,
    values above ``max_value`` (default ``ABSURD_LIMIT``), ambiguous separators and unit words.
    "ประมาณ 200" is accepted as 200 (use ``parse_quantity`` to learn that it was approximate).
    """
    found = scan(text)
    units = [t for t in found.tokens if t.kind == "unit"]
    if units:
        raise ParseError("unit.unexpected", entered_text=units[0].text.rstrip("."))
    others = [t for t in found.tokens if t.kind == "other"]
    if others:
        raise ParseError("number.not_a_number", text=others[0].text)
    with localcontext() as ctx:
        ctx.prec = 1000  # inputs are at most MAX_INPUT_CHARS long, so nothing is ever rounded
        value = amount_value(found.tokens)
    return check_value(value, negative=found.negative, allow_zero=allow_zero,
                       max_value=None if max_value is None else Decimal(max_value), unit=None)  # fmt: skip


def format_number(value: Decimal | int, *, max_decimals: int = 3) -> str:
    """Show ``value`` with thousands separators and at most ``max_decimals`` decimals: ``1,250.5``.

    Rounds half up (what people expect on a receipt) and drops trailing zeros. ``parse_number``
    reads the result back to the same value when ``value`` has no more than ``max_decimals``.
    """
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError("cannot format a non-finite number")
    if max_decimals < 0:
        raise ValueError("max_decimals must be >= 0")
    with localcontext() as ctx:
        ctx.prec = max(28, value.adjusted() + max_decimals + 5)
        rounded = value.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "0"
    text = f"{abs(rounded):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("-" if rounded < 0 else "") + text
