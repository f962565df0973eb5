"""The factor table: loaded datasets with their provenance, and how a factor is chosen.

How a factor is chosen for an activity period (:meth:`FactorTable.select`):

1. only the newest version of each dataset name counts (older versions stay loaded for provenance), so
   a new version must list every factor again, not just the changed ones;
2. a factor must be valid for the whole period; if none is, the one valid on the period's last day is
   used and the caller is told (a period that spans a factor change should be split into two reports);
3. among several datasets: official before secondary before proxy, then the most recently published,
   then the dataset name, so the choice never depends on file order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

CONFIDENCE_LEVELS: tuple[str, ...] = ("official", "secondary", "proxy")
CONFIDENCE_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}


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
            return (CONFIDENCE_RANK[factor.confidence], -published.toordinal(), factor.dataset)

        candidates = self._by_key.get(key, [])
        whole_period = [f for f in candidates if f.valid_on(start) and f.valid_on(end)]
        if whole_period:
            return Selection(min(whole_period, key=rank))
        at_end = [f for f in candidates if f.valid_on(end)]
        if at_end:
            return Selection(min(at_end, key=rank), spans_change=True)
        return Selection(None)
