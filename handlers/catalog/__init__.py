"""The message catalog: every sentence the bot says, in Thai and English.

A typed catalog in TOML rather than gettext: keys are stable names (`welcome.greeting`) that
flows refer to, both languages live side by side in reviewable files, there is no compile step,
and the loader checks at start-up that every key exists in every language with the same
placeholders — a missing translation fails a test, not a user.

Files: `th.toml` / `en.toml` hold the shared sentences; each flow or feature may keep its own pair,
`<topic>.th.toml` / `<topic>.en.toml` (e.g. `registration.th.toml`). A key defined in two files is
an error.
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


def _flatten(table: dict, prefix: str = "") -> dict[str, str | list[str]]:
    flat: dict[str, str | list[str]] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = [str(v) for v in value]
        else:
            flat[name] = str(value)
    return flat


def fold(text: str) -> str:
    """How typed words are compared: case, surrounding and repeated spaces do not matter, and SARA E
    typed twice (เเ) counts as the SARA AE (แ) it looks like, as the parsers read it."""
    return " ".join(text.strip().lower().replace("เเ", "แ").split())


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


class Catalog:
    def __init__(self, messages: dict[str, dict[str, str]], words: dict[str, dict[str, list[str]]]) -> None:
        self.messages = messages
        # Word lists (commands people type, yes/no) are matched in either language.
        self.word_lists = words
        self._words = {
            key: frozenset(fold(w) for language in LANGUAGES for w in words[language].get(key, ()))
            for key in set().union(*(words[language] for language in LANGUAGES))
        }

    @classmethod
    def load(cls, directory: Path = _DIR) -> Catalog:
        messages: dict[str, dict[str, str]] = {}
        words: dict[str, dict[str, list[str]]] = {}
        for language in LANGUAGES:
            flat: dict[str, str | list[str]] = {}
            files = [directory / f"{language}.toml", *sorted(directory.glob(f"*.{language}.toml"))]
            for path in files:
                with open(path, "rb") as fh:
                    part = _flatten(tomllib.load(fh))
                clash = sorted(set(flat) & set(part))
                if clash:
                    raise CatalogError(f"{path.name}: keys defined in another file too: {', '.join(clash)}")
                flat.update(part)
            messages[language] = {k: v for k, v in flat.items() if isinstance(v, str)}
            words[language] = {k: v for k, v in flat.items() if isinstance(v, list)}
        catalog = cls(messages, words)
        problems = catalog.problems()
        if problems:
            raise CatalogError("; ".join(problems))
        return catalog

    def problems(self) -> list[str]:
        """Keys missing in a language, or with different placeholders between languages."""
        problems = []
        reference_words = self.word_lists[DEFAULT_LANGUAGE]
        for language in LANGUAGES:
            for key in sorted(set(reference_words) ^ set(self.word_lists[language])):
                problems.append(f"{key} (words) missing in one language")
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

    def words(self, key: str) -> frozenset[str]:
        """The folded words (both languages) listed under `key`."""
        try:
            return self._words[key]
        except KeyError:
            raise KeyError(f"message catalog has no word list {key!r}") from None

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANGUAGE]

    def text(self, key: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
        lang = language if language in self.messages else DEFAULT_LANGUAGE
        try:
            template = self.messages[lang][key]
        except KeyError:
            raise KeyError(f"message catalog has no key {key!r}") from None
        # A key may have a singular form, `<key>_one`, said when the count is 1 ("1 photo").
        if params.get("count") == 1 and f"{key}_one" in self.messages[lang]:
            template = self.messages[lang][f"{key}_one"]
        return template.format(**params) if params else template


@cache
def default_catalog() -> Catalog:
    return Catalog.load()


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The sentence `key` in `language` (Thai when the language is unknown)."""
    return default_catalog().text(key, language, **params)


def label(item: object, language: str, field: str = "label") -> str:
    """An item's own words in `language`: its `<field>_th`, or `<field>_en` for any other language
    (activity types, choices, provinces, campaigns, deadlines all carry both)."""
    return getattr(item, f"{field}_th" if language == DEFAULT_LANGUAGE else f"{field}_en")
