"""The emission-factor datasets as staff read them: every dataset version with its source, and the
factor that applies to a period (the same choice a report's calculation makes, calc.FactorTable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import calc
from handlers.services.reports import factor_table


@dataclass(frozen=True)
class DatasetVersion:
    dataset: calc.Dataset
    current: bool  # the newest version of its name: the one calculations use


@dataclass(frozen=True)
class Applying:
    key: str
    factor: calc.Factor | None
    spans_change: bool


def dataset_versions() -> list[DatasetVersion]:
    """Every loaded dataset version, by name then newest version first."""
    table = factor_table()
    newest: dict[str, int] = {}
    for dataset in table.datasets:
        newest[dataset.name] = max(newest.get(dataset.name, 0), dataset.version)
    ordered = sorted(table.datasets, key=lambda d: (d.name, -d.version))
    return [DatasetVersion(d, d.version == newest[d.name]) for d in ordered]


def factors_for_period(start: date, end: date) -> list[Applying]:
    """For each factor key, the factor a calculation for `start`–`end` would use (None: none
    applies), and whether the period spans a change of it."""
    table = factor_table()
    applying = []
    for key in table.keys():
        selection = table.select(key, start, end)
        applying.append(Applying(key, selection.factor, selection.spans_change))
    return applying
