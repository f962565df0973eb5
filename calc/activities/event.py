"""The Carbon Neutral Event footprint sources, declared like an activity type (fields = sources)."""

from __future__ import annotations

from decimal import Decimal

from calc.activities.fields import ActivityType, Bounds, Choice, Field, mass_field
from calc.activities.reductions import TRAVEL_MODES


def _pkm(name: str, label_th: str, label_en: str, maximum: str, required: bool = True) -> Field:
    return Field(
        name,
        label_th,
        label_en,
        units=("pkm",),
        required=required,
        bounds=(Bounds(Decimal(0), Decimal(maximum), "pkm"),),
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
            bounds=(Bounds(Decimal(0), Decimal(1_000_000), "kWh"),),
        ),
        Field(
            "generator_diesel",
            "น้ำมันดีเซลสำหรับเครื่องกำเนิดไฟฟ้า",
            "Generator diesel",
            units=("L",),
            required=False,
            bounds=(Bounds(Decimal(0), Decimal(100_000), "L"),),
        ),
        Field(
            "cooking_lpg",
            "ก๊าซหุงต้ม (LPG) สำหรับประกอบอาหาร",
            "Cooking LPG",
            units=("kg", "L"),
            required=False,
            bounds=(Bounds(Decimal(0), Decimal(50_000), "kg"),),
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
            bounds=(Bounds(Decimal(0), Decimal(100_000), "room_night"),),
        ),
        mass_field("waste_general", "ขยะทั่วไปที่ส่งฝังกลบ", "General waste to landfill", "500000"),
        mass_field("waste_food", "เศษอาหารที่ส่งฝังกลบ", "Food waste to landfill", "500000"),
        mass_field("waste_food_composted", "เศษอาหารที่นำไปทำปุ๋ยหมัก", "Food waste composted", "500000"),
        Field(
            "offsets",
            "คาร์บอนเครดิตที่ใช้ชดเชย (T-VER)",
            "Carbon credits cancelled to offset (T-VER)",
            units=("tCO2e",),
            required=False,
            bounds=(Bounds(Decimal(0), Decimal(1_000_000), "tCO2e"),),
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
