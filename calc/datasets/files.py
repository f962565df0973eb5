"""Emission-factor dataset files: the TOML format with provenance, and the validating loader.

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
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from calc.datasets.table import CONFIDENCE_LEVELS, CONFIDENCE_RANK, Dataset, Factor, FactorTable, Source
from calc.errors import FactorFileError, Problem, UnitError
from calc.units import parse_factor_unit

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEY_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_DATASET_KEYS = {"name", "version", "published", "description", "source"}
_SOURCE_KEYS = {"title", "publisher", "url", "date", "obtained_via"}
_FACTOR_KEYS = {"key", "value", "unit", "confidence", "note", "valid_from", "valid_to"}


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


_Report = Callable[[tuple[Any, ...], str, str], None]

# The required [dataset] fields: name, is the value valid, a hint when missing, the rule when invalid.
_HEADER_RULES: tuple[tuple[str, Callable[[Any], bool], str, str], ...] = (
    (
        "name",
        lambda v: isinstance(v, str) and bool(_NAME_RE.match(v)),
        "",
        "must be lowercase letters, digits, - or _",
    ),
    (
        "version",
        lambda v: not isinstance(v, bool) and isinstance(v, int) and v >= 1,
        "",
        "must be a positive integer",
    ),
    ("published", lambda v: type(v) is date, " (a date such as 2026-11-26)", "must be a date"),
)


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
    _check_header(header, report)
    source_data = _check_source(header, report)
    valid_entries = _check_factors(data, lines, report)

    name, version = header.get("name"), header.get("version")
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
        published=header["published"],
        source=source,
        factors=factors,
        file=file,
        sha256=sha256,
        description=header.get("description"),
    )
    return dataset, []


def _check_header(header: dict[str, Any], report: _Report) -> None:
    for key in header:
        if key not in _DATASET_KEYS:
            report(("dataset", key), "unknown_key", f"unknown dataset field {key!r}")
    for key, valid, hint, rule in _HEADER_RULES:
        if key not in header:
            report(("dataset",), "missing_field", f"dataset: missing {key!r}{hint}")
        elif not valid(header[key]):
            report(("dataset", key), "invalid_value", f"dataset: {key} {header[key]!r} {rule}")
    description = header.get("description")
    if description is not None and not isinstance(description, str):
        report(("dataset", "description"), "invalid_value", "dataset: description must be text")


def _check_source(header: dict[str, Any], report: _Report) -> dict[str, Any]:
    """The [dataset.source] table ({} when it is missing), its problems reported."""
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
    return source_data


def _check_factors(
    data: dict[str, Any], lines: dict[tuple[Any, ...], int], report: _Report
) -> list[dict[str, Any]]:
    """The [[factor]] entries without problems, every problem reported."""
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
        if "confidence" in entry and confidence not in CONFIDENCE_RANK:
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
    return valid_entries


def _overlap(a_from: date | None, a_to: date | None, b_from: date | None, b_to: date | None) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (
        b_from is None or a_to is None or b_from <= a_to
    )
