"""The message catalog: every sentence the bot says, in Thai and English.

A typed catalog in TOML rather than gettext: keys are stable names (`welcome.greeting`) that
flows refer to, both languages live side by side in reviewable files, there is no compile step,
and the loader checks at start-up that every key exists in every language with the same
placeholders — a missing translation fails a test, not a user.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
_DIR = Path(__file__).parent


class CatalogError(ValueError):
    pass


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


class Catalog:
    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self.messages = messages

    @classmethod
    def load(cls, directory: Path = _DIR) -> Catalog:
        messages = {}
        for language in LANGUAGES:
            with open(directory / f"{language}.toml", "rb") as fh:
                messages[language] = _flatten(tomllib.load(fh))
        catalog = cls(messages)
        problems = catalog.problems()
        if problems:
            raise CatalogError("; ".join(problems))
        return catalog

    def problems(self) -> list[str]:
        """Keys missing in a language, or with different placeholders between languages."""
        problems = []
        reference = self.messages[DEFAULT_LANGUAGE]
        for language in LANGUAGES:
            texts = self.messages[language]
            for key in sorted(set(reference) ^ set(texts)):
                where = language if key not in texts else DEFAULT_LANGUAGE
                problems.append(f"{key} missing in {where}")
            for key in sorted(set(reference) & set(texts)):
                if placeholders(reference[key]) != placeholders(texts[key]):
                    problems.append(f"{key}: placeholders differ between th and {language}")
        return problems

    def text(self, key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
        lang = language if language in self.messages else DEFAULT_LANGUAGE
        try:
            template = self.messages[lang][key]
        except KeyError:
            raise KeyError(f"message catalog has no key {key!r}") from None
        return template.format(**params) if params else template


@cache
def default_catalog() -> Catalog:
    return Catalog.load()


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The sentence `key` in `language` (Thai when the language is unknown)."""
    return default_catalog().text(key, language, **params)
