"""The province map: every province drawn once, a value shades its own province, the SVG stands
alone (parses as XML, nothing from another host)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import geothai

from bot.web.public.province_map import NEUTRAL, OUTLINES, SHADES, outlines, province_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own output)


def provinces_drawn(root: ET.Element) -> dict[str, ET.Element]:
    return {p.get("data-province"): p for p in root.iter(f"{SVG}path")}


def centre(d: str) -> tuple[float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def test_every_province_of_geothai_is_drawn_once_within_the_view():
    root = parse(province_map_svg({}, "th", "แผนที่"))
    paths = [p.get("data-province") for p in root.iter(f"{SVG}path")]
    assert len(paths) == 77 == len(set(paths))
    assert set(paths) == {p.code for p in geothai.provinces()}
    _, _, width, height = (float(n) for n in root.get("viewBox").split())
    for code, d in outlines()[1].items():
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
        assert 0 <= min(numbers[0::2]) and max(numbers[0::2]) <= width, code
        assert 0 <= min(numbers[1::2]) and max(numbers[1::2]) <= height, code


def test_the_outlines_stay_small_enough_to_inline():
    assert OUTLINES.stat().st_size < 150_000


def test_provinces_sit_where_they_are_on_the_ground():
    paths = outlines()[1]
    chiang_mai, bangkok, songkhla = centre(paths["50"]), centre(paths["10"]), centre(paths["90"])
    ubon, kanchanaburi = centre(paths["34"]), centre(paths["71"])
    assert chiang_mai[1] < bangkok[1] < songkhla[1]  # north to south
    assert kanchanaburi[0] < bangkok[0] < ubon[0]  # west to east


def test_a_value_shades_its_own_province_and_names_it():
    root = parse(province_map_svg({"50": Decimal("1234.5"), "10": Decimal("0")}, "th", "ผลตามจังหวัด"))
    drawn = provinces_drawn(root)
    assert drawn["50"].get("fill") == SHADES[-1]
    assert drawn["50"].find(f"{SVG}title").text == "เชียงใหม่: 1,234.500 tCO2e"
    assert drawn["10"].get("fill") == NEUTRAL
    assert drawn["10"].find(f"{SVG}title").text == "กรุงเทพมหานคร: ยังไม่มีผล"
    assert {p.get("fill") for code, p in drawn.items() if code != "50"} == {NEUTRAL}


def test_steps_order_the_shades_and_the_legend_gives_their_ranges_in_english():
    values = {"10": Decimal("5000"), "50": Decimal("20"), "90": Decimal("300"), "34": Decimal("1")}
    root = parse(province_map_svg(values, "en", "Results by province"))
    drawn = provinces_drawn(root)
    order = [SHADES.index(drawn[c].get("fill")) for c in ("34", "50", "90", "10")]
    assert order == sorted(order) and len(set(order)) == 4
    assert drawn["90"].find(f"{SVG}title").text == "Songkhla: 300.000 tCO2e"
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert legend[0] == "Key (tCO2e)" and legend[1] == "No results yet"
    assert legend[2].startswith("0 – ") and legend[-1].endswith(" – 5,000")
    assert "Results by province" in root.get("aria-label") and "Bangkok" in root.get("aria-label")
    assert root.get("role") == "img"


def test_the_svg_needs_nothing_from_elsewhere():
    markup = str(province_map_svg({"10": Decimal("1")}, "th", 'ชื่อ "<b>"'))
    root = parse(markup)
    assert root.find(f"{SVG}title").text == 'ชื่อ "<b>"'
    attributes = [value for element in root.iter() for value in element.attrib.values()]
    assert not any("http" in value or "url(" in value for value in attributes)
    assert "href" not in markup and "style=" not in markup and "<script" not in markup
