"""What the `ruamjai` command accepts: argument types that refuse bad input in one line (exit 2),
and `shown` for printing text someone typed without letting it rewrite the terminal."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from handlers.parsing import ParseError, clean_free_text

# Database ids are 64-bit signed integers on both databases.
ROW_ID_MAX = 2**63 - 1
LIMIT_MAX = 10_000
_SHOWN_CHARS = 60


class Parser(argparse.ArgumentParser):
    """argparse with errors on one line (no usage block) and never echoing input at length."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {shown(message, 300)} (see --help)\n")


def shown(text: str, limit: int = _SHOWN_CHARS) -> str:
    """`text` safe to print on one line: control, format and bidi characters become "?", and
    anything past `limit` characters becomes "…"."""
    safe = "".join("?" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _whole_number(text: str, low: int, high: int, what: str) -> int:
    digits = text.strip()
    if not re.fullmatch(r"\d{1,19}", digits):
        raise argparse.ArgumentTypeError(
            f"{what} must be a whole number from {low:,} to {high:,}, got {shown(text)!r}"
        )
    number = int(digits)  # \d also takes Thai digits, which int() reads
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(f"{what} must be from {low:,} to {high:,}, got {shown(text)!r}")
    return number


def row_id(text: str) -> int:
    """An id as `list` commands print it (1 to 2**63 − 1)."""
    return _whole_number(text, 1, ROW_ID_MAX, "an id")


def limit(text: str) -> int:
    """How many rows to show (1 to 10,000)."""
    return _whole_number(text, 1, LIMIT_MAX, "a limit")


def free_text(max_chars: int, what: str) -> Callable[[str], str]:
    """A type for text a person typed (a name, a reason): control and bidi characters removed,
    spaces collapsed; empty or longer than `max_chars` is refused, never cut short."""

    def parse(text: str) -> str:
        try:
            return clean_free_text(text, max_chars)
        except ParseError as error:
            if error.code == "input.empty":
                raise argparse.ArgumentTypeError(f"{what} is empty") from None
            raise argparse.ArgumentTypeError(
                f"{what} is {len(text):,} characters; at most {max_chars:,} fit"
            ) from None

    parse.__name__ = what
    return parse


def output_file(text: str) -> Path:
    """A file to write: its folder must exist, and it must not be a folder or an impossible name
    (ValueError saying which)."""
    path = Path(text)
    if len(path.name.encode()) > 255 or len(text.encode()) > 4000:
        raise ValueError("the file name is too long (255 bytes at most)")
    if not text.strip() or path.is_dir():
        raise ValueError(f"{shown(text)!r} is a folder: give a file name")
    if not path.parent.is_dir():
        raise ValueError(f"no folder {shown(str(path.parent))!r} to write into")
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` beside `path` and rename it over `path` once complete: a failure leaves no partial
    file (OSError is the caller's to report)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def fail(message: str, status: int = 2) -> int:
    """Print one line on stderr and return `status` (2: bad input; 1: it could not be done)."""
    print(f"ruamjai: {shown(message, 300)}", file=sys.stderr)
    return status
