"""Exceptions raised by ``calc``, each with a machine-readable ``code`` so callers can show a Thai message.

Values outside plausible bounds are *not* errors: they become warnings on the result for staff review.
"""

from __future__ import annotations

from dataclasses import dataclass


class CalcError(Exception):
    """Base class: ``code`` says what went wrong, ``field`` names the input concerned (or None)."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.code = code
        self.field = field
        self.message = message


class InputError(CalcError):
    """An input the user can fix.

    Codes: ``missing_field``, ``missing_one_of`` (field lists the alternatives, comma-separated),
    ``unknown_field``, ``invalid_number``, ``invalid_choice``, ``unknown_activity``, ``invalid_period``.
    """


class UnitError(CalcError):
    """A unit problem. Codes: ``unknown_unit``, ``missing_unit``, ``wrong_unit``, ``incompatible_units``."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a factor dataset file; ``line`` is 1-based, None when not tied to a line."""

    file: str
    line: int | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line if self.line is not None else '-'}: {self.message} [{self.code}]"


class FactorFileError(CalcError):
    """Factor dataset files failed validation; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            "invalid_factor_file", None, f"{len(self.problems)} problem(s) in factor data:\n{lines}"
        )
