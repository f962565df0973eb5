"""Emission-factor datasets: TOML files with provenance, a validating loader and the factor table.

A dataset file looks like this (see ``calc/factors/*.toml`` for the shipped ones)::

    [dataset]
    name = "tgo-cfo-2022"            # lowercase, digits, "-" or "_"
    version = 1                      # a positive integer; a new version supersedes the older ones
    published = 2026-11-26           # when this dataset version was published (a TOML date)
    description = "..."              # optional

    [dataset.source]
    title = "..."
    publisher = "..."
    url = "https://..."              # optional
    date = "2022-04"                 # optional: the source's own date, as precisely as known
    obtained_via = "..."             # optional: e.g. which secondary copy the values were read from

    [[factor]]
    key = "electricity.grid_th"
    value = 0.4999                   # read as an exact Decimal
    unit = "kgCO2e/kWh"
    confidence = "secondary"         # official | secondary | proxy
    note = "..."                     # optional
    valid_from = 2016-01-01          # optional, inclusive
    valid_to = 2025-12-31            # optional, inclusive

Never edit a published dataset version: add a file with a higher ``version``. The content hash of every
shipped version is recorded in ``calc/published_factors.toml`` and the loader refuses a file whose
content no longer matches (whitespace and comments do not count). Deployments drop more files into
the directory named by the ``FACTOR_DIR`` setting.

How a factor is chosen for an activity period (:meth:`FactorTable.select`):

1. only the newest version of each dataset name counts (older versions stay loaded for provenance), so
   a new version must list every factor again, not just the changed ones;
2. a factor must be valid for the whole period; if none is, the one valid on the period's last day is
   used and the caller is told (a period that spans a factor change should be split into two reports);
3. among several datasets: official before secondary before proxy, then the most recently published,
   then the dataset name, so the choice never depends on file order.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from calc.errors import FactorFileError, Problem, UnitError
from calc.units import parse_factor_unit

CONFIDENCE_LEVELS: tuple[str, ...] = ("official", "secondary", "proxy")
_CONFIDENCE_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEY_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_DATASET_KEYS = {"name", "version", "published", "description", "source"}
_SOURCE_KEYS = {"title", "publisher", "url", "date", "obtained_via"}
_FACTOR_KEYS = {"key", "value", "unit", "confidence", "note", "valid_from", "valid_to"}


@dataclass(frozen=True)
class Source:
    """Where a dataset's values come from."""

    title: str
    publisher: str
    url: str | None = None
    date: str | None = None
    obtained_via: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Plain JSON-able form."""
        return {
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "date": self.date,
            "obtained_via": self.obtained_via,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        """Inverse of :meth:`to_dict`."""
        return cls(**{name: data.get(name) for name in ("title", "publisher", "url", "date", "obtained_via")})


@dataclass(frozen=True)
class Factor:
    """One emission factor with everything needed to show where it came from."""

    key: str
    value: Decimal
    unit: str
    confidence: str
    dataset: str
    version: int
    source: Source
    note: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def ref(self) -> str:
        """``dataset@version`` of the dataset this factor belongs to."""
        return f"{self.dataset}@{self.version}"

    def valid_on(self, day: date) -> bool:
        """True if the factor applies on ``day`` (both ends inclusive, open ends unbounded)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form; the value is an exact decimal string."""
        return {
            "key": self.key,
            "value": str(self.value),
            "unit": self.unit,
            "confidence": self.confidence,
            "dataset": self.dataset,
            "version": self.version,
            "source": self.source.to_dict(),
            "note": self.note,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Factor:
        """Inverse of :meth:`to_dict`."""
        return cls(
            key=data["key"],
            value=Decimal(data["value"]),
            unit=data["unit"],
            confidence=data["confidence"],
            dataset=data["dataset"],
            version=data["version"],
            source=Source.from_dict(data["source"]),
            note=data.get("note"),
            valid_from=date.fromisoformat(data["valid_from"]) if data.get("valid_from") else None,
            valid_to=date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
        )


@dataclass(frozen=True)
class Dataset:
    """One version of a named dataset, as read from ``file``."""

    name: str
    version: int
    published: date
    source: Source
    factors: tuple[Factor, ...]
    file: str
    sha256: str
    description: str | None = None

    @property
    def ref(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class Selection:
    """What :meth:`FactorTable.select` found: the factor (or None) and whether the period spans a change."""

    factor: Factor | None
    spans_change: bool = False


class FactorTable:
    """All loaded datasets; lookups use the newest version of each dataset name."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets: tuple[Dataset, ...] = tuple(sorted(datasets, key=lambda d: (d.name, d.version)))
        newest: dict[str, Dataset] = {}
        for dataset in self.datasets:
            newest[dataset.name] = dataset  # sorted by version, so the last one wins
        self._published = {d.ref: d.published for d in self.datasets}
        self._by_key: dict[str, list[Factor]] = {}
        for dataset in newest.values():
            for factor in dataset.factors:
                self._by_key.setdefault(factor.key, []).append(factor)

    def dataset(self, ref: str) -> Dataset:
        """Return a loaded dataset by ``name@version`` (older versions included); KeyError if absent."""
        for dataset in self.datasets:
            if dataset.ref == ref:
                return dataset
        raise KeyError(ref)

    def keys(self) -> list[str]:
        """Every factor key available from the newest dataset versions, sorted."""
        return sorted(self._by_key)

    def select(self, key: str, start: date, end: date) -> Selection:
        """Choose the factor ``key`` for an activity running from ``start`` to ``end`` (see module doc)."""

        def rank(factor: Factor) -> tuple[int, int, str]:
            published = self._published[factor.ref]
            return (_CONFIDENCE_RANK[factor.confidence], -published.toordinal(), factor.dataset)

        candidates = self._by_key.get(key, [])
        whole_period = [f for f in candidates if f.valid_on(start) and f.valid_on(end)]
        if whole_period:
            return Selection(min(whole_period, key=rank))
        at_end = [f for f in candidates if f.valid_on(end)]
        if at_end:
            return Selection(min(at_end, key=rank), spans_change=True)
        return Selection(None)


def load_factors(extra_dir: str | Path | None = None) -> FactorTable:
    """Load the shipped datasets plus every ``*.toml`` in ``extra_dir`` (the ``FACTOR_DIR`` setting).

    Raises :class:`~calc.errors.FactorFileError` listing every problem in every file: invalid fields,
    unknown units, duplicate keys, a published version whose content changed, or two files claiming the
    same ``dataset@version`` with different content. Identical copies of a dataset are loaded once.
    """
    files: list[tuple[str, str]] = []
    shipped = resources.files("calc.factors")
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            files.append((str(entry), entry.read_text(encoding="utf-8")))
    problems: list[Problem] = []
    if extra_dir is not None:
        directory = Path(extra_dir)
        if not directory.is_dir():
            problems.append(Problem(str(directory), None, "missing_directory", "factor directory not found"))
        else:
            for path in sorted(directory.glob("*.toml")):
                files.append((str(path), path.read_text(encoding="utf-8")))

    published = _published_hashes()
    seen: dict[str, Dataset] = {}
    for file, text in files:
        dataset, file_problems = _parse(file, text, published)
        problems.extend(file_problems)
        if dataset is None:
            continue
        earlier = seen.get(dataset.ref)
        if earlier is None:
            seen[dataset.ref] = dataset
        elif earlier.sha256 != dataset.sha256:
            line = _line_map(text).get(("dataset", "version"))
            problems.append(
                Problem(
                    file,
                    line,
                    "conflicting_version",
                    f"{dataset.ref} is also defined in {earlier.file} with different content;"
                    " give one of them a new version",
                )
            )
    if problems:
        raise FactorFileError(problems)
    return FactorTable(seen.values())


def check_factor_file(path: str | Path) -> list[Problem]:
    """Validate one dataset file and return every problem found (an empty list means it is fine)."""
    path = Path(path)
    return _parse(str(path), path.read_text(encoding="utf-8"), _published_hashes())[1]


def content_sha256(text: str) -> str:
    """Hash of a dataset file's parsed content: comments and layout do not change it, any value does."""
    data = tomllib.loads(text, parse_float=Decimal)
    return _sha256(data)


def _sha256(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _published_hashes() -> dict[str, str]:
    text = resources.files("calc").joinpath("published_factors.toml").read_text(encoding="utf-8")
    return dict(tomllib.loads(text)["sha256"])


def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Map ("dataset",), ("dataset", "name"), ("factor", 0), ("factor", 0, "unit"), ... to 1-based lines.

    tomllib does not report positions, so this scans the simple layout dataset files use; anything it
    cannot place falls back to its table's header line.
    """
    lines: dict[tuple[Any, ...], int] = {}
    section: tuple[Any, ...] = ()
    factor_index = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("[["):
            name = stripped.strip("[] ")
            if name == "factor":
                factor_index += 1
                section = ("factor", factor_index)
            else:
                section = (name,)
            lines.setdefault(section, number)
        elif stripped.startswith("["):
            section = tuple(stripped.split("]")[0].strip("[ ").split("."))
            lines.setdefault(section, number)
        else:
            match = re.match(r'^"?([A-Za-z0-9_-]+)"?\s*=', stripped)
            if match:
                lines.setdefault((*section, match.group(1)), number)
    return lines


def _parse(file: str, text: str, published: dict[str, str]) -> tuple[Dataset | None, list[Problem]]:
    """Parse and validate one file; the dataset is None when any problem was found."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return None, [Problem(file, int(match.group(1)) if match else None, "syntax", f"invalid TOML: {exc}")]

    lines = _line_map(text)
    problems: list[Problem] = []

    def report(where: tuple[Any, ...], code: str, message: str) -> None:
        line = lines.get(where)
        while line is None and len(where) > 1:
            where = where[:-1]
            line = lines.get(where)
        problems.append(Problem(file, line, code, message))

    for key in data:
        if key not in ("dataset", "factor"):
            report((key,), "unknown_key", f"unknown top-level entry {key!r}")

    header = data.get("dataset")
    if not isinstance(header, dict):
        report(("dataset",), "missing_field", "missing [dataset] table")
        header = {}
    for key in header:
        if key not in _DATASET_KEYS:
            report(("dataset", key), "unknown_key", f"unknown dataset field {key!r}")
    name = header.get("name")
    if "name" not in header:
        report(("dataset",), "missing_field", "dataset: missing 'name'")
    elif not isinstance(name, str) or not _NAME_RE.match(name):
        report(
            ("dataset", "name"),
            "invalid_value",
            f"dataset: name {name!r} must be lowercase letters, digits, - or _",
        )
    version = header.get("version")
    if "version" not in header:
        report(("dataset",), "missing_field", "dataset: missing 'version'")
    elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
        report(
            ("dataset", "version"),
            "invalid_value",
            f"dataset: version {version!r} must be a positive integer",
        )
    published_on = header.get("published")
    if "published" not in header:
        report(("dataset",), "missing_field", "dataset: missing 'published' (a date such as 2026-11-26)")
    elif type(published_on) is not date:
        report(
            ("dataset", "published"), "invalid_value", f"dataset: published {published_on!r} must be a date"
        )
    description = header.get("description")
    if description is not None and not isinstance(description, str):
        report(("dataset", "description"), "invalid_value", "dataset: description must be text")

    source_data = header.get("source")
    if not isinstance(source_data, dict):
        report(("dataset", "source"), "missing_field", "dataset: missing [dataset.source] table")
        source_data = {}
    for key in source_data:
        if key not in _SOURCE_KEYS:
            report(("dataset", "source", key), "unknown_key", f"unknown source field {key!r}")
    for key in ("title", "publisher"):
        if key not in source_data and header.get("source") is not None:
            report(("dataset", "source"), "missing_field", f"source: missing {key!r}")
    for key in _SOURCE_KEYS:
        if key in source_data and (not isinstance(source_data[key], str) or not source_data[key].strip()):
            report(("dataset", "source", key), "invalid_value", f"source: {key} must be non-empty text")

    raw_factors = data.get("factor")
    if raw_factors is None:
        report(("dataset",), "missing_field", "no [[factor]] entries")
        raw_factors = []
    elif not isinstance(raw_factors, list):
        report(("factor",), "invalid_value", "factors must be written as [[factor]] tables")
        raw_factors = []

    valid_entries: list[dict[str, Any]] = []
    first_seen: dict[str, list[tuple[int, date | None, date | None]]] = {}
    for index, entry in enumerate(raw_factors):
        where = ("factor", index)
        label = f"factor #{index + 1}"
        if not isinstance(entry, dict):
            report(where, "invalid_value", f"{label}: must be a [[factor]] table")
            continue
        for key in entry:
            if key not in _FACTOR_KEYS:
                report((*where, key), "unknown_key", f"{label}: unknown field {key!r}")
        valid = True
        for key in ("key", "value", "unit", "confidence"):
            if key not in entry:
                report(where, "missing_field", f"{label}: missing {key!r}")
                valid = False
        key = entry.get("key")
        if key is not None:
            label = f"factor {key!r}"
            if not isinstance(key, str) or not _KEY_RE.match(key):
                report((*where, "key"), "invalid_value", f"{label}: key must be dotted lowercase words")
                valid = False
        value = entry.get("value")
        if "value" in entry and (isinstance(value, bool) or not isinstance(value, int | Decimal)):
            report((*where, "value"), "invalid_value", f"{label}: value {value!r} must be a number")
            valid = False
        unit = entry.get("unit")
        if "unit" in entry:
            try:
                parse_factor_unit(unit)
            except UnitError:
                report((*where, "unit"), "unknown_unit", f"{label}: unknown unit {unit!r}")
                valid = False
        confidence = entry.get("confidence")
        if "confidence" in entry and confidence not in _CONFIDENCE_RANK:
            report(
                (*where, "confidence"),
                "invalid_confidence",
                f"{label}: confidence {confidence!r} must be one of {', '.join(CONFIDENCE_LEVELS)}",
            )
            valid = False
        note = entry.get("note")
        if note is not None and not isinstance(note, str):
            report((*where, "note"), "invalid_value", f"{label}: note must be text")
            valid = False
        bounds = {}
        for key_name in ("valid_from", "valid_to"):
            day = entry.get(key_name)
            if day is not None and type(day) is not date:
                report((*where, key_name), "invalid_value", f"{label}: {key_name} {day!r} must be a date")
                valid = False
                day = None
            bounds[key_name] = day
        valid_from, valid_to = bounds["valid_from"], bounds["valid_to"]
        if valid_from and valid_to and valid_from > valid_to:
            report((*where, "valid_to"), "invalid_value", f"{label}: valid_to is before valid_from")
            valid = False
        if isinstance(key, str):
            for other_index, other_from, other_to in first_seen.get(key, []):
                if _overlap(valid_from, valid_to, other_from, other_to):
                    other_line = lines.get(("factor", other_index, "key"), lines.get(("factor", other_index)))
                    report(
                        (*where, "key"),
                        "duplicate_key",
                        f"{label}: duplicate key, already at line {other_line} for an overlapping period",
                    )
                    valid = False
                    break
            first_seen.setdefault(key, []).append((index, valid_from, valid_to))
        if valid:
            valid_entries.append(entry)

    sha256 = _sha256(data)
    if isinstance(name, str) and isinstance(version, int):
        expected = published.get(f"{name}@{version}")
        if expected is not None and expected != sha256:
            report(
                ("dataset", "version"),
                "changed_published_version",
                f"{name}@{version} was published with different content (sha256 {expected[:12]}…);"
                " never edit a published version, add a new version instead",
            )
    if problems:
        return None, problems
    source = Source(**source_data)
    factors = tuple(
        Factor(
            key=entry["key"],
            value=Decimal(entry["value"]),
            unit=entry["unit"],
            confidence=entry["confidence"],
            dataset=name,
            version=version,
            source=source,
            note=entry.get("note"),
            valid_from=entry.get("valid_from"),
            valid_to=entry.get("valid_to"),
        )
        for entry in valid_entries
    )
    dataset = Dataset(
        name=name,
        version=version,
        published=published_on,
        source=source,
        factors=factors,
        file=file,
        sha256=sha256,
        description=description,
    )
    return dataset, []


def _overlap(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )
