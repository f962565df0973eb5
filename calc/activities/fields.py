"""How an activity type and its fields are declared: labels, units, choices, plausible ranges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from calc.units import convert, dimension

# LINE cuts a button label after 20 characters: a label longer than that carries a short form.
BUTTON_CHARS = 20


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enumerated field; ``short_*`` is its button label when the label is long."""

    key: str
    label_th: str
    label_en: str
    short_th: str = ""
    short_en: str = ""

    def button(self, language: str) -> str:
        """The label for a button (the short form when there is one)."""
        return _button(self, language)


@dataclass(frozen=True)
class Bounds:
    """Plausible range of a quantity, in ``unit``; values outside it are flagged, never refused."""

    minimum: Decimal
    maximum: Decimal
    unit: str


@dataclass(frozen=True)
class Field:
    """One input of an activity type.

    A quantity field lists its accepted ``units`` (the first is the one to ask in; any unit of the same
    dimension is accepted and converted); a choice field lists ``choices`` instead; a ``free_text`` field
    holds words given with another answer (the name of a species not in the list). ``substance`` allows
    volume <-> mass conversion for that substance (``"lpg"``). ``most`` is the largest value possible,
    in the first unit: beyond it a value is refused (not merely flagged).
    """

    name: str
    label_th: str
    label_en: str
    units: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    required: bool = True
    bounds: tuple[Bounds, ...] = ()
    substance: str | None = None
    short_th: str = ""
    short_en: str = ""
    most: Decimal | None = None
    free_text: bool = False

    @property
    def kind(self) -> str:
        """``"choice"``, ``"text"`` or ``"quantity"``."""
        return "choice" if self.choices else "text" if self.free_text else "quantity"

    def button(self, language: str) -> str:
        """The label for a button (the short form when there is one)."""
        return _button(self, language)

    def within_limit(self, value: Decimal, unit: str) -> bool:
        """False when ``value unit`` is more than is possible for this field (see ``most``)."""
        if self.most is None:
            return True
        return convert(value, unit, self.units[0], substance=self.substance) <= self.most

    def choice(self, key: str) -> Choice | None:
        """The choice with this key, or None."""
        return next((c for c in self.choices if c.key == key), None)

    def accepts_unit(self, unit: str) -> bool:
        """True if a value in ``unit`` can be used for this field."""
        dimensions = {dimension(u) for u in self.units}
        if self.substance and dimensions & {"mass", "volume"}:
            dimensions |= {"mass", "volume"}
        return dimension(unit) in dimensions


@dataclass(frozen=True)
class ActivityType:
    """An activity type: what it is called, what it asks for and how its result reads.

    ``one_of`` lists groups of optional fields of which at least one must be given. ``basis`` says what
    ``kg_co2e`` means for it: ``"reduction"`` (reduced or removed) or ``"net_emissions"`` (event footprint).
    """

    key: str
    label_th: str
    label_en: str
    fields: tuple[Field, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    basis: str = "reduction"
    short_th: str = ""
    short_en: str = ""

    def button(self, language: str) -> str:
        """The label for a button (the short form when there is one)."""
        return _button(self, language)

    def field(self, name: str) -> Field:
        """The field called ``name``; KeyError if there is none."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)


def _button(item: Choice | Field | ActivityType, language: str) -> str:
    if language == "th":
        return item.short_th or item.label_th
    return item.short_en or item.label_en


def quantity_field(
    name: str, label_th: str, label_en: str, unit: str, maximum: str | int, required: bool = False
) -> Field:
    """A quantity asked in ``unit``, plausible from 0 to ``maximum``; optional unless ``required``."""
    return Field(
        name,
        label_th,
        label_en,
        units=(unit,),
        required=required,
        bounds=(Bounds(Decimal(0), Decimal(maximum), unit),),
    )
