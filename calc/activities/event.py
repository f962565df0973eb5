"""The Carbon Neutral Event footprint sources, declared like an activity type (fields = sources)."""

from __future__ import annotations

from decimal import Decimal

from calc.activities.fields import ActivityType, Bounds, Choice, Field, quantity_field
from calc.activities.reductions import TRAVEL_MODES

_EVENT_TRAVEL_MODES = (
    *TRAVEL_MODES,
    Choice("flight_international", "เครื่องบิน (ระหว่างประเทศ)", "International flight"),
)

# Every source of emissions; at least one must be given.
_SOURCES: tuple[Field, ...] = (
    quantity_field("venue_electricity", "ไฟฟ้าที่ใช้ในสถานที่จัดงาน", "Venue electricity", "kWh", 1_000_000),
    quantity_field("generator_diesel", "น้ำมันดีเซลสำหรับเครื่องกำเนิดไฟฟ้า", "Generator diesel", "L", 100_000),
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
        quantity_field(
            f"travel_{mode.key}",
            f"การเดินทางของผู้ร่วมงานโดย{mode.label_th} (คน-กิโลเมตร)",
            f"Participant travel by {mode.label_en.lower()}",
            "pkm",
            "50000000",
        )
        for mode in _EVENT_TRAVEL_MODES
    ),
    quantity_field(
        "accommodation", "ที่พักของผู้ร่วมงาน (ห้อง-คืน)", "Accommodation (room-nights)", "room_night", 100_000
    ),
    quantity_field("waste_general", "ขยะทั่วไปที่ส่งฝังกลบ", "General waste to landfill", "kg", "500000"),
    quantity_field("waste_food", "เศษอาหารที่ส่งฝังกลบ", "Food waste to landfill", "kg", "500000"),
    quantity_field("waste_food_composted", "เศษอาหารที่นำไปทำปุ๋ยหมัก", "Food waste composted", "kg", "500000"),
)

EVENT_FOOTPRINT = ActivityType(
    "event_footprint",
    "การจัดงานแบบคาร์บอนนิวทรัล (Carbon Neutral Event)",
    "Carbon Neutral Event footprint",
    fields=(
        *_SOURCES,
        quantity_field(
            "offsets",
            "คาร์บอนเครดิตที่ใช้ชดเชย (T-VER)",
            "Carbon credits cancelled to offset (T-VER)",
            "tCO2e",
            1_000_000,
        ),
    ),
    one_of=(tuple(field.name for field in _SOURCES),),
    basis="net_emissions",
)
