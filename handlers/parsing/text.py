"""Normalisation shared by the number, quantity and date parsers, and the word matcher they use.

Phones produce many spellings of the same thing: Thai or Arabic or full-width digits, zero-width
spaces that LINE keyboards insert between Thai words, emoji, several kinds of dash, and keyboard
habits such as typing SARA E twice for SARA AE. Everything is folded to one form here so the parsers
only see ASCII digits, single spaces and lower-case Latin letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from handlers.parsing.errors import ParseError

# Longer than any figure, date or period anyone types; longer input is a paste or a mistake and is
# refused before any regular expression sees it.
MAX_INPUT_CHARS = 200

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, small
# hyphen-minus, small em dash. (Full-width hyphen-minus is already folded by NFKC.)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\ufe58", "-"))
# Control, format (zero-width space/joiner, BOM, bidi marks), private use, unassigned, surrogate, and
# "other symbol" (emoji, 🙏, ✅) characters carry no meaning for a figure or a date.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "So"})
_SPACE_RE = re.compile(r"\s+")
# Thai combining marks (MAI HAN-AKAT, upper/lower vowels, tone marks, ...): a word never ends just
# before one of these, so a vocabulary match must not either.
THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"


def _keep(ch: str) -> bool:
    if "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":  # emoji variation/skin tone
        return False
    return unicodedata.category(ch) not in _DROPPED_CATEGORIES


def normalise(text: str) -> str:
    """Fold ``text`` to the form the parsers read: NFKC, ASCII digits, one space, lower case.

    NFKC turns full-width digits and letters, ``m²`` and ``㎏`` into plain ones; it also splits
    SARA AM (ำ) into NIKHAHIT + SARA AA, which is put back (and users who type the split form by
    mistake get the same fix).
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    text = text.replace("เเ", "แ")  # SARA E typed twice looks like SARA AE and is a common habit
    text = text.translate(_THAI_DIGITS).translate(_DASHES)
    text = _SPACE_RE.sub(" ", text)  # before dropping control characters: tabs and newlines are spaces
    text = "".join(ch for ch in text if _keep(ch))
    text = _SPACE_RE.sub(" ", text).strip()
    return text.casefold()


def prepare(text: str) -> str:
    """Normalise ``text`` and refuse empty or over-long input (``input.empty``, ``input.too_long``)."""
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    if len(text) > MAX_INPUT_CHARS * 4:  # cheap guard before normalising a pasted essay
        raise ParseError("input.too_long", limit=MAX_INPUT_CHARS)
    folded = normalise(text)
    if len(folded) > MAX_INPUT_CHARS:
        raise ParseError("input.too_long", limit=MAX_INPUT_CHARS)
    if not folded:
        raise ParseError("input.empty")
    return folded


def squash(word: str, separators: str) -> str:
    """Remove the characters in ``separators`` from ``word`` (the vocabulary's lookup key)."""
    return word.translate(str.maketrans("", "", separators))


def vocabulary_regex(keys: Iterable[str], separators: str) -> re.Pattern[str]:
    """One regex matching any key, tolerating ``separators`` between its characters and a final dot.

    ``ก.ก.``, ``กก``, ``กก.`` and ``ก ก`` all match the key ``กก``; ``ตร.ว`` (no final dot) matches
    ``ตรว``. Keys are tried longest first so ``กิโลกรัม`` wins over ``กิโล`` and ``kwh`` over ``k``.
    Latin keys must not touch other Latin letters; Thai keys must not end before a combining mark.
    """
    sep = f"[{re.escape(separators)}]?"
    parts = []
    for key in sorted(set(keys), key=lambda k: (-len(k), k)):
        body = sep.join(re.escape(ch) for ch in key)
        if key[0].isascii() and key[0].isalpha():
            body = r"(?<![a-z])" + body
        if key[-1].isascii() and key[-1].isalpha():
            body += r"(?![a-z])"
        elif "\u0e00" <= key[-1] <= "\u0e7f":
            body += f"(?![{THAI_MARKS}])"
        parts.append(body + r"\.?")
    return re.compile("|".join(parts))


# Characters no column should receive: NUL and other C0/C1 controls except tab and newline
# (PostgreSQL's text refuses NUL outright), lone surrogates (not encodable as UTF-8, so neither
# database takes them), and the noncharacters U+FFFE/U+FFFF.
_UNSTORABLE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_SPACE_RE = re.compile(r"[^\S\n]+")
# Zero-width spaces that LINE keyboards put between Thai words, the word joiner, the BOM, and the
# bidirectional marks, embeddings, overrides and isolates (they can make text read backwards).
_INVISIBLE_RE = re.compile("[\u200b\u2060\ufeff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_unstorable(text: str) -> str:
    """`text` without the characters a database column would refuse (see _UNSTORABLE_RE)."""
    return _UNSTORABLE_RE.sub("", text)


def clean_free_text(text: str, max_chars: int) -> str:
    """Free text a person typed (an agency's name, a position, a reason), ready for a column of
    `max_chars` characters: unstorable characters removed, NFC, spaces within a line collapsed,
    blank lines and the ends trimmed. Refuses what is then empty (``input.empty``) or longer than
    the column (``input.too_long``) rather than cutting someone's words short."""
    text = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", strip_unstorable(text)))
    lines = (_LINE_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        raise ParseError("input.empty")
    if len(cleaned) > max_chars:
        raise ParseError("input.too_long", limit=max_chars)
    return cleaned
