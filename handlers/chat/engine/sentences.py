"""Sentences for what a step refuses: a parse error (`parse.<code>`) or a domain refusal
(`agency.refused.<code>`), from the catalog."""

from __future__ import annotations

from datetime import date

from handlers.catalog import default_catalog, placeholders, t
from handlers.parsing import ParseError, format_number
from handlers.parsing.periods import Period, format_period
from handlers.services.refusals import Refused


def parse_error_text(error: ParseError, language: str) -> str:
    """A polite sentence for a refused input, from the catalog (`parse.<code>`)."""
    params: dict[str, object] = {}
    for key, value in error.params.items():
        if isinstance(value, date):
            period = Period(value, value, "day")
            params[key] = format_period(period, language)
        elif key in ("expected", "entered", "unit") and isinstance(value, str):
            params[key] = t(f"unit.{value}", language) if default_catalog().has(f"unit.{value}") else value
        elif hasattr(value, "as_tuple"):
            params[key] = format_number(value)
        else:
            params[key] = value
    key = f"parse.{error.code}" if default_catalog().has(f"parse.{error.code}") else "parse.fallback"
    try:
        return t(key, language, **params)
    except (KeyError, IndexError):  # a message naming a param this error did not carry
        return t("parse.fallback", language)


def refusal_text(refusal: Refused, language: str) -> str:
    """The catalog sentence for a domain refusal (`agency.refused.<code>`, else a general one)."""
    key = refusal.catalog_key
    if not default_catalog().has(key):
        key = "common.refused"
    fits = placeholders(default_catalog().text(key)) <= set(refusal.params)
    return t(key, language, **refusal.params) if fits else t(key, language)
