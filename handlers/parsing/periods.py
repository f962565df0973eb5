"""Reporting periods: a day, a month, a year, or a range of those, typed in Thai or English.

Years: two digits are Buddhist era (67 → พ.ศ. 2567 → 2024 CE) because the program is Thai; four
digits are BE from 2400 and CE from 1900 to 2399; "พ.ศ."/"ค.ศ." decide when present.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from handlers.parsing.errors import ParseError
from handlers.parsing.text import prepare, squash, vocabulary_regex

Precision = Literal["day", "month", "year"]
_ORDER = {"day": 0, "month": 1, "year": 2}

#: Abbreviations shown back to users (and accepted, with or without dots).
TH_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
TH_MONTHS_FULL = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
                  "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")  # fmt: skip
# What people say aloud and type in chat ("ตุลา"), and frequent misspellings (ฏ for ฎ in กรกฎาคม,
# พ for ภ in กุมภาพันธ์, a dropped การันต์).
_TH_MONTHS_SPOKEN = ("มกรา", "กุมภา", "มีนา", "เมษา", "พฤษภา", "มิถุนา", "กรกฎา", "สิงหา", "กันยา", "ตุลา",
                     "พฤศจิกา", "ธันวา")  # fmt: skip
_TH_MONTHS_TYPOS = {"กรกฏาคม": 7, "กรกฏา": 7, "กุมพาพันธ์": 2, "กุมภาพันธ": 2, "กุมพา": 2, "พฤษภาค": 5,
                    "พฤศจิกาย": 11, "พฤสจิกายน": 11}  # fmt: skip
EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_MONTHS_FULL = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december")  # fmt: skip

#: Before this Buddhist-era year a period is certainly a typo (2500 BE = 1957 CE).
EARLIEST_YEAR_BE = 2500
_BE_OFFSET = 543
_SEPARATORS = ". "


@dataclass(frozen=True)
class Period:
    """Inclusive dates ``start``..``end``; ``precision`` says what the user named (a day, months, years)."""

    start: date
    end: date
    precision: Precision

    def __post_init__(self) -> None:
        if self.precision not in _ORDER:
            raise ValueError(f"precision must be day, month or year, not {self.precision!r}")
        if self.start > self.end:
            raise ValueError("start after end")


def _vocabulary() -> dict[str, tuple[str, object]]:
    vocab: dict[str, tuple[str, object]] = {}
    for n in range(12):
        for word in (TH_MONTHS_ABBR[n], TH_MONTHS_FULL[n], _TH_MONTHS_SPOKEN[n]):
            vocab[squash(word, _SEPARATORS)] = ("M", (n + 1, False))
        for word in (EN_MONTHS_ABBR[n].lower(), _EN_MONTHS_FULL[n]):
            vocab[word] = ("M", (n + 1, True))
    for word, n in _TH_MONTHS_TYPOS.items():
        vocab[word] = ("M", (n, False))
    vocab["sept"] = ("M", (9, True))
    for word in ("พศ", "be"):
        vocab[word] = ("B", None)
    for word in ("คศ", "ce", "ad"):
        vocab[word] = ("C", None)
    for word in ("ปี", "year"):
        vocab[word] = ("Y", None)
    vocab["เดือน"] = ("W", None)  # "เดือน 6" is June
    relative = {
        "this_month": ("เดือนนี้", "thismonth"),
        "last_month": ("เดือนที่แล้ว", "เดือนก่อน", "เดือนที่ผ่านมา", "lastmonth", "previousmonth"),
        "this_year": ("ปีนี้", "thisyear"),
        "last_year": ("ปีที่แล้ว", "ปีก่อน", "ปีที่ผ่านมา", "lastyear", "previousyear"),
        "today": ("วันนี้", "today"),
        "yesterday": ("เมื่อวาน", "เมื่อวานนี้", "yesterday"),
    }
    for name, words in relative.items():
        for word in words:
            vocab[word] = ("R", name)
    for word in ("ถึง", "จนถึง", "to", "until", "till", "through"):
        vocab[word] = ("T", None)
    for word in ("วันที่", "วัน", "ที่", "ของ", "ประจำ", "ช่วง", "ระหว่าง", "ตั้งแต่", "งวด", "of", "the",
                 "from", "in", "ทั้ง", "ค่ะ", "คะ", "ครับ", "คับ", "นะคะ", "นะครับ", "จ้า"):  # fmt: skip
        vocab[word] = ("skip", None)
    return vocab


_VOCAB = _vocabulary()
_VOCAB_RE = vocabulary_regex(_VOCAB, _SEPARATORS)
_DIGITS_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class _Tok:
    kind: str  # N M B C Y W R T - / . O, and Z: a year number with its era or ปี marker folded in
    text: str
    value: object = None
    era: str | None = None  # for Z: "B", "C" or None (ปี without an era)


def _tokenize(folded: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(folded):
        ch = folded[pos]
        if ch in " ,":
            pos += 1
            continue
        m = _DIGITS_RE.match(folded, pos)
        if m is None:
            m = _VOCAB_RE.match(folded, pos)
            if m:
                kind, value = _VOCAB[squash(m.group(), _SEPARATORS)]
                if kind != "skip":
                    toks.append(_Tok(kind, m.group(), value))
                pos = m.end()
                continue
            kind = ch if ch in "-/." else "O"
            if kind == "O" and toks and toks[-1].kind == "O" and folded[pos - 1] != " ":
                toks[-1] = _Tok("O", toks[-1].text + ch)
            else:
                toks.append(_Tok(kind, ch))
            pos += 1
            continue
        toks.append(_Tok("N", m.group()))
        pos = m.end()
    # A dot only separates numbers ("15.6.2567"); elsewhere it is a full stop or a stray abbreviation dot.
    toks = [t for i, t in enumerate(toks) if t.kind != "." or (
        0 < i < len(toks) - 1 and toks[i - 1].kind == "N" and toks[i + 1].kind == "N")]  # fmt: skip
    return _fold_markers(toks)


def _fold_markers(toks: list[_Tok]) -> list[_Tok]:
    """Fold "พ.ศ."/"ค.ศ."/"ปี" into the number after them, and "เดือน 6" into a month."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind in "BCY":
            j = i
            era = None
            while j < len(toks) and toks[j].kind in "BCY":
                era = toks[j].kind if toks[j].kind in "BC" else era
                j += 1
            if j < len(toks) and toks[j].kind == "N":
                out.append(_Tok("Z", toks[j].text, era=era))
                i = j + 1
                continue
            out.append(_Tok("O", tok.text))
        elif tok.kind == "W" and i + 1 < len(toks) and toks[i + 1].kind == "N" and len(toks[i + 1].text) <= 2:
            out.append(_Tok("M", toks[i + 1].text, (_month(toks[i + 1].text), False)))
            i += 1
        elif tok.kind != "W":  # "เดือน มิ.ย." is just June
            out.append(tok)
        i += 1
    return out


def _month(text: str) -> int:
    month = int(text)
    if not 1 <= month <= 12:
        raise ParseError("date.invalid", text=text)
    return month


def _year(tok: _Tok) -> int:
    """The CE year a year token stands for (see the module docstring for the rules)."""
    digits, era = tok.text, tok.era
    if len(digits) not in (2, 4):
        raise ParseError("date.unrecognised", text=digits)
    year = int(digits)
    if len(digits) == 2:
        return 2000 + year if era == "C" else 2500 + year - _BE_OFFSET
    if era == "B" or (era is None and year >= 2400):
        return year - _BE_OFFSET
    if era == "C" or year >= 1900:
        return year
    raise ParseError("date.too_old", earliest_year_be=EARLIEST_YEAR_BE, year_be=year + _BE_OFFSET)


def _day(year: int, month: int, day_text: str) -> date:
    try:
        return date(year, month, int(day_text))
    except (ValueError, OverflowError):
        raise ParseError("date.invalid", text=f"{day_text}/{month}/{year}") from None


def _month_period(year: int, month: int) -> Period:
    if not 1 <= year <= 9999:
        raise ParseError("date.invalid", text=str(year))
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")


def _year_period(year: int) -> Period:
    if not 1 <= year <= 9999:
        raise ParseError("date.invalid", text=str(year))
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def _day_period(d: date) -> Period:
    return Period(d, d, "day")


def _recent_year(month: int, day: int | None, anchor: date) -> int:
    """The year that puts month (and day) at or before ``anchor``: "มิ.ย." alone is the last June."""
    if (month, day or 1) <= (anchor.month, anchor.day if day else 1):
        return anchor.year
    return anchor.year - 1


def _recent_day(month: int, day_text: str, anchor: date) -> date:
    year = _recent_year(month, int(day_text), anchor)
    if (month, int(day_text)) == (2, 29):  # the latest 29 February that exists
        while not calendar.isleap(year):
            year -= 1
    return _day(year, month, day_text)


def _relative(name: str, today: date) -> Period:
    first = today.replace(day=1)
    if name == "this_month":
        return _month_period(today.year, today.month)
    if name == "last_month":
        prev = first - timedelta(days=1)
        return _month_period(prev.year, prev.month)
    if name == "this_year":
        return _year_period(today.year)
    if name == "last_year":
        return _year_period(today.year - 1)
    if name == "today":
        return _day_period(today)
    return _day_period(today - timedelta(days=1))  # yesterday


def _single(toks: list[_Tok], today: date, right: Period | None = None) -> Period:
    """One day, month or year. ``right`` is the other end of a range, which lends its year (and
    month) to this end: "มิ.ย.-ส.ค. 2567", "1-15 มิ.ย. 2567"."""
    shape = "".join(t.kind for t in toks)
    anchor = right.start if right is not None else today
    n = [t for t in toks if t.kind in "NZ"]
    if shape == "R":
        return _relative(str(toks[0].value), today)
    if shape == "Z" or (shape == "N" and len(toks[0].text) == 4):
        return _year_period(_year(toks[0]))
    if shape == "N" and right is not None and right.precision == "day" and len(toks[0].text) <= 2:
        return _day_period(_day(right.start.year, right.start.month, toks[0].text))
    if shape in ("M", "NM"):
        month = toks[-1].value[0]  # type: ignore[index]
        if shape == "M":
            return _month_period(_recent_year(month, None, anchor), month)
        if right is not None:
            return _day_period(_day(_recent_year(month, int(toks[0].text), anchor), month, toks[0].text))
        return _day_period(_recent_day(month, toks[0].text, today))
    if re.fullmatch(r"N?M[NZ]", shape):
        month, english = toks[-2].value  # type: ignore[misc]
        last = toks[-1]
        if (
            shape == "MN"
            and len(last.text) <= 2
            and int(last.text) <= 31
            and (english or len(last.text) == 1)
        ):
            if len(last.text) == 2:  # "jun 24": 24 June, or June 2524 BE? English puts the day there.
                raise ParseError("date.ambiguous", text=" ".join(t.text for t in toks))
            return _day_period(_recent_day(month, last.text, today))  # "june 5"
        year = _year(last)
        if shape.startswith("N"):
            return _day_period(_day(year, month, toks[0].text))
        return _month_period(year, month)
    if shape == "MNN" and len(n[0].text) <= 2 and len(n[1].text) == 4:  # "June 15, 2024"
        return _day_period(_day(_year(n[1]), toks[0].value[0], n[0].text))  # type: ignore[index]
    return _numeric(toks, shape, today, right)


def _numeric(toks: list[_Tok], shape: str, today: date, right: Period | None) -> Period:
    """All-number forms: 06/2567, 6/67, 15/6, 2024-06, 15/6/2567, 2024-06-15, 15.06.67."""
    m = re.fullmatch(r"N([/.-])N(?:\1N)?", shape)
    if m is None:
        raise ParseError("date.unrecognised", text=" ".join(t.text for t in toks))
    sep = m.group(1)
    parts = [t for t in toks if t.kind == "N"]
    a, b = parts[0].text, parts[1].text
    if len(parts) == 3:
        c = parts[2].text
        if len(a) == 4:  # ISO order, 2024-06-15 or 2567/06/15
            return _day_period(_day(_year(parts[0]), _month(b), c))
        if len(a) <= 2 and len(b) <= 2:
            return _day_period(_day(_year(parts[2]), _month(b), a))
        raise ParseError("date.unrecognised", text=f"{a}{sep}{b}{sep}{c}")
    if len(a) == 4 and len(b) <= 2:  # 2024-06, 2567/06
        return _month_period(_year(parts[0]), _month(b))
    if len(a) <= 2 and len(b) == 4:  # 06/2567, 6-2567, 6.2567
        return _month_period(_year(parts[1]), _month(a))
    if sep == "/" and len(a) <= 2 and len(b) == 2 and int(b) > 12:  # 6/67: no month 67, so a BE year
        return _month_period(_year(parts[1]), _month(a))
    if sep == "/" and len(a) <= 2 and len(b) <= 2:  # 15/6: the latest 15 June
        month = _month(b)
        if right is not None:
            return _day_period(_day(_recent_year(month, int(a), right.start), month, a))
        return _day_period(_recent_day(month, a, today))
    raise ParseError("date.unrecognised", text=f"{a}{sep}{b}")


def _ceiling(today: date, precision: Precision) -> date:
    if precision == "day":
        return today
    if precision == "month":
        return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    return date(today.year, 12, 31)


def _check(period: Period, today: date) -> Period:
    if period.start.year < EARLIEST_YEAR_BE - _BE_OFFSET:
        raise ParseError("date.too_old", earliest_year_be=EARLIEST_YEAR_BE,
                         year_be=period.start.year + _BE_OFFSET)  # fmt: skip
    latest = _ceiling(today, period.precision)
    if period.end > latest:
        raise ParseError("date.future", latest=latest)
    return period


def _range(toks: list[_Tok], today: date) -> list[Period]:
    found: list[Period] = []
    errors: list[ParseError] = []
    for i, tok in enumerate(toks):
        if tok.kind not in "T-" or i == 0 or i == len(toks) - 1:
            continue
        try:
            right = _single(toks[i + 1 :], today)
            left = _single(toks[:i], today, right)
        except ParseError as exc:
            errors.append(exc)
            continue
        if left.start > right.start:
            raise ParseError("date.range_reversed")
        precision = min(left.precision, right.precision, key=_ORDER.__getitem__)
        found.append(Period(left.start, right.end, precision))
    if not found and errors:
        raise _best(errors)
    return found


def _best(errors: list[ParseError]) -> ParseError:
    # A specific complaint (31 February, a year in the future) helps more than "not understood".
    specific = [e for e in errors if e.code != "date.unrecognised"]
    return specific[0] if specific else errors[0]


def parse_period(text: str, *, today: date) -> Period:
    """Parse a reporting period: a day, a month, a year, relative words, or a range of those.

    Accepts e.g. ``มิ.ย. 2567``, ``มิย 67``, ``มิถุนายน 67``, ``06/2567``, ``6/67``, ``2024-06``,
    ``June 2024``, ``15/6/2567``, ``15 มิ.ย. 67``, ``2024-06-15``, ``2567``, ``พ.ศ. 2567``, ``ปี 67``,
    ``เดือนนี้``, ``เดือนที่แล้ว``, ``ปีนี้``, ``มิ.ย.-ส.ค. 2567``, ``1-15 มิ.ย. 2567``. A month or day
    without a year is the most recent one not after ``today``. Refuses periods that end after
    ``today`` (days), after ``today``'s month (months) or after ``today``'s year (years), dates that
    do not exist, and years before พ.ศ. 2500.
    """
    folded = prepare(text)
    try:
        return _parse(folded, today)
    except ParseError as exc:
        if exc.code in ("date.invalid", "date.unrecognised", "date.ambiguous"):
            # Quote the user's whole input rather than the fragment (or CE date) the grammar saw.
            exc.params = {"text": text.strip()}
        raise


def _parse(folded: str, today: date) -> Period:
    toks = _tokenize(folded)
    if not toks:
        raise ParseError("input.empty")
    # No part of a date has more than four digits ("15062567" without separators is not accepted).
    others = [t for t in toks if t.kind == "O" or (t.kind in "NZ" and len(t.text) > 4)]
    if others:
        raise ParseError("date.unrecognised", text=others[0].text)
    errors: list[ParseError] = []
    try:
        return _check(_single(toks, today), today)
    except ParseError as exc:
        errors.append(exc)
    try:
        candidates = _range(toks, today)
    except ParseError as exc:
        candidates = []
        errors.append(exc)
    if len(candidates) > 1:
        raise ParseError("date.ambiguous", text=folded)  # "2024-06-2024-08"-like input
    if candidates:
        return _check(candidates[0], today)
    raise _best(errors)


def _th_month(d: date) -> str:
    return f"{TH_MONTHS_ABBR[d.month - 1]} {d.year + _BE_OFFSET}"


def _th_day(d: date) -> str:
    return f"{d.day} {_th_month(d)}"


def format_period_th(period: Period) -> str:
    """Show a period the Thai way, Buddhist-era years: ``มิ.ย. 2567``, ``15 มิ.ย. 2567``,
    ``มิ.ย.–ส.ค. 2567``, ``1–15 มิ.ย. 2567``, ``พ.ศ. 2567``. ``parse_period`` reads it back."""
    s, e = period.start, period.end
    if period.precision == "year":
        if s.year == e.year:
            return f"พ.ศ. {s.year + _BE_OFFSET}"
        return f"พ.ศ. {s.year + _BE_OFFSET}–{e.year + _BE_OFFSET}"
    if period.precision == "month":
        if (s.year, s.month) == (e.year, e.month):
            return _th_month(s)
        if s.year == e.year:
            return f"{TH_MONTHS_ABBR[s.month - 1]}–{_th_month(e)}"
        return f"{_th_month(s)} – {_th_month(e)}"
    if s == e:
        return _th_day(s)
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{_th_day(e)}"
    if s.year == e.year:
        return f"{s.day} {TH_MONTHS_ABBR[s.month - 1]} – {_th_day(e)}"
    return f"{_th_day(s)} – {_th_day(e)}"


def _en_month(d: date) -> str:
    return f"{EN_MONTHS_ABBR[d.month - 1]} {d.year}"


def _en_day(d: date) -> str:
    return f"{d.day} {_en_month(d)}"


def format_period_en(period: Period) -> str:
    """Show a period in English with CE years: ``Jun 2024``, ``15 Jun 2024``, ``Jun–Aug 2024``."""
    s, e = period.start, period.end
    if period.precision == "year":
        return str(s.year) if s.year == e.year else f"{s.year}–{e.year}"
    if period.precision == "month":
        if (s.year, s.month) == (e.year, e.month):
            return _en_month(s)
        if s.year == e.year:
            return f"{EN_MONTHS_ABBR[s.month - 1]}–{_en_month(e)}"
        return f"{_en_month(s)} – {_en_month(e)}"
    if s == e:
        return _en_day(s)
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{_en_day(e)}"
    if s.year == e.year:
        return f"{s.day} {EN_MONTHS_ABBR[s.month - 1]} – {_en_day(e)}"
    return f"{_en_day(s)} – {_en_day(e)}"


def format_period(period: Period, language: str) -> str:
    """A period in `language`: Thai (Buddhist-era years) for "th", English for any other."""
    return format_period_th(period) if language == "th" else format_period_en(period)
