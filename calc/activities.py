"""Activity types and event footprint sources, declared as data.

Each field says enough for the chat to ask for it: Thai and English labels, accepted units, choices,
whether it is required and the plausible range (outside it the value is accepted and flagged for staff
review). The arithmetic for each activity lives in :mod:`calc.methods`.
"""

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


def _d(value: str | int) -> Decimal:
    return Decimal(value)


def _mass(name: str, label_th: str, label_en: str, maximum: str, required: bool = False) -> Field:
    return Field(
        name, label_th, label_en, units=("kg",), required=required, bounds=(Bounds(_d(0), _d(maximum), "kg"),)
    )


def _pkm(name: str, label_th: str, label_en: str, maximum: str, required: bool = True) -> Field:
    return Field(
        name,
        label_th,
        label_en,
        units=("pkm",),
        required=required,
        bounds=(Bounds(_d(0), _d(maximum), "pkm"),),
    )


# The plausible ranges below are generous ceilings for one agency's report (or one event); they exist to
# catch typing slips such as an extra zero or tonnes typed as kilograms, not to judge the activity.
_YEARS = Field(
    "years",
    "จำนวนปีที่นับผล",
    "Years counted",
    units=("year",),
    bounds=(Bounds(_d(0), _d(30), "year"),),
)

_SITE_SUITABILITY = Field(
    "site_suitability",
    "ความเหมาะสมของพื้นที่ปลูก",
    "Site suitability",
    short_th="ความเหมาะสมพื้นที่",
    choices=(
        Choice("high", "ความเหมาะสมสูง", "High"),
        Choice("moderate", "ความเหมาะสมปานกลาง", "Moderate"),
        Choice("low", "ความเหมาะสมต่ำ", "Low"),
    ),
)

OTHER_SPECIES = "other"

TREE_SPECIES = (
    Choice("teak", "สัก", "Teak"),
    Choice("eucalyptus", "ยูคาลิปตัส", "Eucalyptus"),
    Choice("acacia_mangium", "กระถินเทพา", "Acacia mangium"),
    Choice("acacia_auriculiformis", "กระถินณรงค์", "Acacia auriculiformis", short_en="A. auriculiformis"),
    Choice("leucaena", "กระถินยักษ์", "Leucaena"),
    # Any other species is taken by name; with no rate for it, the result waits for staff to add a factor.
    Choice(OTHER_SPECIES, "ชนิดอื่น", "Other species"),
)

FOREST_TYPES = (
    Choice("tropical_evergreen", "ป่าดิบชื้น", "Tropical evergreen forest", short_en="Tropical evergreen"),
    Choice("dry_evergreen", "ป่าดิบแล้ง", "Dry evergreen forest"),
    Choice("hill_evergreen", "ป่าดิบเขา", "Hill evergreen forest", short_en="Hill evergreen"),
    Choice("pine", "ป่าสนเขา", "Pine forest"),
    Choice("mixed_deciduous", "ป่าเบญจพรรณ", "Mixed deciduous forest", short_en="Mixed deciduous"),
    Choice("dry_dipterocarp", "ป่าเต็งรัง", "Dry dipterocarp forest", short_en="Dry dipterocarp"),
    Choice("mangrove", "ป่าชายเลน", "Mangrove forest"),
    Choice("peat_swamp", "ป่าพรุ", "Peat swamp forest"),
)

TRAVEL_MODES = (
    Choice("car", "รถยนต์ส่วนบุคคล", "Car"),
    Choice("motorbike", "รถจักรยานยนต์", "Motorbike"),
    Choice("local_bus", "รถโดยสารประจำทาง", "Local bus"),
    Choice("coach", "รถโดยสารระหว่างเมือง (รถทัวร์)", "Coach", short_th="รถทัวร์"),
    Choice("rail", "รถไฟ", "Rail"),
)

FUELS = (
    Choice("diesel_mobile", "น้ำมันดีเซล (ยานพาหนะ)", "Diesel (vehicles)", short_th="ดีเซล (ยานพาหนะ)"),
    Choice(
        "diesel_stationary",
        "น้ำมันดีเซล (เครื่องจักร เครื่องกำเนิดไฟฟ้า)",
        "Diesel (machines, generators)",
        short_th="ดีเซล (เครื่องจักร)",
        short_en="Diesel (machines)",
    ),
    Choice("gasoline", "น้ำมันเบนซิน", "Gasoline (petrol)"),
    Choice("gasohol_e10", "แก๊สโซฮอล์ E10", "Gasohol E10"),
    Choice("gasohol_e20", "แก๊สโซฮอล์ E20", "Gasohol E20"),
    Choice("gasohol_e85", "แก๊สโซฮอล์ E85", "Gasohol E85"),
    Choice("lpg", "ก๊าซปิโตรเลียมเหลว (LPG)", "LPG", short_th="ก๊าซ LPG"),
    Choice("cng", "ก๊าซธรรมชาติสำหรับยานยนต์ (NGV)", "CNG / NGV", short_th="ก๊าซ NGV"),
)

RECYCLABLE_MATERIALS = (
    Choice("aluminium_cans", "กระป๋องอะลูมิเนียม", "Aluminium cans"),
    Choice("steel_cans", "กระป๋องเหล็ก", "Steel cans"),
    Choice("corrugated_cardboard", "กระดาษลังลูกฟูก", "Corrugated cardboard"),
    Choice("mixed_paper", "กระดาษคละ", "Mixed paper"),
    Choice("office_paper", "กระดาษสำนักงาน", "Office paper"),
    Choice("glass", "แก้ว", "Glass"),
    Choice("pet", "พลาสติก PET", "PET plastic"),
    Choice("hdpe", "พลาสติก HDPE", "HDPE plastic"),
    Choice("pp", "พลาสติก PP", "PP plastic"),
)

_ELECTRICITY_BOUNDS = (Bounds(_d(0), _d(50_000_000), "kWh"),)

# No agency plants an area the size of a whole province in one reporting period: the limit is the
# smallest province, Samut Songkhram, 414 km² = 258,750 rai ("Provinces of Thailand", Wikipedia, from
# the National Statistical Office). The province list in use (geothai) carries no areas.
PLANTING_AREA_LIMIT_RAI = _d(258_750)

ACTIVITY_TYPES: tuple[ActivityType, ...] = (
    ActivityType(
        "recycling",
        "การคัดแยกขยะเพื่อนำไปรีไซเคิล",
        "Waste sorting for recycling",
        short_th="คัดแยกขยะรีไซเคิล",
        short_en="Recycling",
        fields=tuple(
            _mass(material.key, material.label_th, material.label_en, "100000")
            for material in RECYCLABLE_MATERIALS
        ),
        one_of=(tuple(material.key for material in RECYCLABLE_MATERIALS),),
    ),
    ActivityType(
        "composting",
        "การทำปุ๋ยหมัก",
        "Composting organic waste",
        short_en="Composting",
        fields=(
            Field(
                "organic_waste",
                "ขยะอินทรีย์ที่นำไปทำปุ๋ยหมัก",
                "Organic waste composted",
                units=("kg",),
                bounds=(Bounds(_d(0), _d(500000), "kg"),),
                short_th="ขยะอินทรีย์",
                short_en="Organic waste",
            ),
        ),
    ),
    ActivityType(
        "tree_planting",
        "การปลูกต้นไม้",
        "Tree planting",
        fields=(
            Field("species", "ชนิดต้นไม้", "Tree species", choices=TREE_SPECIES),
            Field("species_name", "ชื่อชนิดต้นไม้", "Species name", required=False, free_text=True),
            _SITE_SUITABILITY,
            Field(
                "area",
                "พื้นที่ปลูก",
                "Planted area",
                units=("rai",),
                required=False,
                bounds=(Bounds(_d(0), _d(10_000), "rai"),),
                most=PLANTING_AREA_LIMIT_RAI,
            ),
            Field(
                "tree_count",
                "จำนวนต้นไม้ที่ปลูก",
                "Number of trees planted",
                short_en="Trees planted",
                units=("trees",),
                required=False,
                bounds=(Bounds(_d(0), _d(1_000_000), "trees"),),
            ),
            _YEARS,
        ),
        one_of=(("area", "tree_count"),),
    ),
    ActivityType(
        "forest_conservation",
        "การอนุรักษ์ป่า / การฟื้นฟูป่า",
        "Forest conservation / restoration",
        short_th="อนุรักษ์/ฟื้นฟูป่า",
        short_en="Forest care",
        fields=(
            Field(
                "work",
                "ลักษณะกิจกรรม",
                "Kind of work",
                choices=(
                    Choice("conservation", "การอนุรักษ์ป่า", "Forest conservation"),
                    Choice("restoration", "การฟื้นฟูป่า", "Forest restoration"),
                ),
            ),
            Field("forest_type", "ประเภทป่า", "Forest type", choices=FOREST_TYPES),
            Field(
                "area",
                "พื้นที่ป่า",
                "Forest area",
                units=("rai",),
                bounds=(Bounds(_d(0), _d(100_000), "rai"),),
            ),
            _YEARS,
        ),
    ),
    ActivityType(
        "electricity_saving",
        "การประหยัดพลังงานไฟฟ้า",
        "Electricity saving",
        short_th="ประหยัดไฟฟ้า",
        fields=(
            Field(
                "baseline_electricity",
                "ปริมาณการใช้ไฟฟ้าก่อนทำกิจกรรม",
                "Electricity used before the activity (baseline)",
                units=("kWh",),
                bounds=_ELECTRICITY_BOUNDS,
                short_th="ไฟฟ้าที่ใช้ก่อนทำ",
                short_en="Electricity before",
            ),
            Field(
                "actual_electricity",
                "ปริมาณการใช้ไฟฟ้าระหว่างทำกิจกรรม",
                "Electricity used during the activity",
                units=("kWh",),
                bounds=_ELECTRICITY_BOUNDS,
                short_th="ไฟฟ้าที่ใช้ระหว่างทำ",
                short_en="Electricity during",
            ),
        ),
    ),
    ActivityType(
        "renewable_electricity",
        "พลังงานทดแทน (เช่น โซลาร์รูฟท็อป)",
        "Renewable electricity (e.g. rooftop solar)",
        short_th="พลังงานทดแทน/โซลาร์",
        short_en="Renewable/solar",
        fields=(
            Field(
                "electricity_generated",
                "ปริมาณไฟฟ้าที่ผลิตได้",
                "Electricity generated",
                units=("kWh",),
                bounds=_ELECTRICITY_BOUNDS,
                short_th="ไฟฟ้าที่ผลิตได้",
                short_en="Power generated",
            ),
        ),
    ),
    ActivityType(
        "fuel_saving",
        "การประหยัดน้ำมันเชื้อเพลิง",
        "Fuel saving",
        short_th="ประหยัดน้ำมัน",
        fields=(
            Field("fuel", "ชนิดเชื้อเพลิง", "Fuel", choices=FUELS),
            Field(
                "fuel_saved",
                "ปริมาณเชื้อเพลิงที่ลดได้",
                "Fuel saved",
                short_th="เชื้อเพลิงที่ลดได้",
                units=("L", "kg"),
                bounds=(Bounds(_d(0), _d(1_000_000), "L"), Bounds(_d(0), _d(1_000_000), "kg")),
            ),
        ),
    ),
    ActivityType(
        "transport_mode_shift",
        "การขนส่งและการเดินทาง (เปลี่ยนรูปแบบการเดินทาง)",
        "Transport mode shift",
        short_th="เปลี่ยนวิธีเดินทาง",
        fields=(
            Field(
                "baseline_mode",
                "รูปแบบการเดินทางเดิม",
                "Mode of travel before",
                choices=TRAVEL_MODES,
                short_th="วิธีเดินทางเดิม",
                short_en="Travel before",
            ),
            Field(
                "project_mode",
                "รูปแบบการเดินทางใหม่",
                "Mode of travel after",
                choices=TRAVEL_MODES,
                short_th="วิธีเดินทางใหม่",
                short_en="Travel after",
            ),
            Field(
                "passenger_distance",
                "ระยะทางรวมของผู้เดินทาง (คน-กิโลเมตร)",
                "Passenger-kilometres",
                units=("pkm",),
                bounds=(Bounds(_d(0), _d(10000000), "pkm"),),
                short_th="ระยะทาง (คน-กม.)",
            ),
        ),
    ),
)

_EVENT_TRAVEL_MODES = (
    *TRAVEL_MODES,
    Choice("flight_international", "เครื่องบิน (ระหว่างประเทศ)", "International flight"),
)

EVENT_FOOTPRINT = ActivityType(
    "event_footprint",
    "การจัดงานแบบคาร์บอนนิวทรัล (Carbon Neutral Event)",
    "Carbon Neutral Event footprint",
    fields=(
        Field(
            "venue_electricity",
            "ไฟฟ้าที่ใช้ในสถานที่จัดงาน",
            "Venue electricity",
            units=("kWh",),
            required=False,
            bounds=(Bounds(_d(0), _d(1_000_000), "kWh"),),
        ),
        Field(
            "generator_diesel",
            "น้ำมันดีเซลสำหรับเครื่องกำเนิดไฟฟ้า",
            "Generator diesel",
            units=("L",),
            required=False,
            bounds=(Bounds(_d(0), _d(100_000), "L"),),
        ),
        Field(
            "cooking_lpg",
            "ก๊าซหุงต้ม (LPG) สำหรับประกอบอาหาร",
            "Cooking LPG",
            units=("kg", "L"),
            required=False,
            bounds=(Bounds(_d(0), _d(50_000), "kg"),),
            substance="lpg",
        ),
        *(
            _pkm(
                f"travel_{mode.key}",
                f"การเดินทางของผู้ร่วมงานโดย{mode.label_th} (คน-กิโลเมตร)",
                f"Participant travel by {mode.label_en.lower()}",
                "50000000",
                required=False,
            )
            for mode in _EVENT_TRAVEL_MODES
        ),
        Field(
            "accommodation",
            "ที่พักของผู้ร่วมงาน (ห้อง-คืน)",
            "Accommodation (room-nights)",
            units=("room_night",),
            required=False,
            bounds=(Bounds(_d(0), _d(100_000), "room_night"),),
        ),
        _mass("waste_general", "ขยะทั่วไปที่ส่งฝังกลบ", "General waste to landfill", "500000"),
        _mass("waste_food", "เศษอาหารที่ส่งฝังกลบ", "Food waste to landfill", "500000"),
        _mass("waste_food_composted", "เศษอาหารที่นำไปทำปุ๋ยหมัก", "Food waste composted", "500000"),
        Field(
            "offsets",
            "คาร์บอนเครดิตที่ใช้ชดเชย (T-VER)",
            "Carbon credits cancelled to offset (T-VER)",
            units=("tCO2e",),
            required=False,
            bounds=(Bounds(_d(0), _d(1_000_000), "tCO2e"),),
        ),
    ),
    one_of=(
        tuple(
            name
            for name in (
                "venue_electricity",
                "generator_diesel",
                "cooking_lpg",
                *(f"travel_{mode.key}" for mode in _EVENT_TRAVEL_MODES),
                "accommodation",
                "waste_general",
                "waste_food",
                "waste_food_composted",
            )
        ),
    ),
    basis="net_emissions",
)
