"""Benchmark: building one agency's LESS package (handlers/services/less_package.py).

    PYTHONPATH=$PWD .venv/bin/python bench/less_package.py [--reports 300] [--photos-per-report 3] [--runs 3]

Seeds, in a temp dir (SQLite, local media store), one approved agency with --reports approved reports
(the example activities, each with its stored calculation) and --photos-per-report evidence photos
each: phone-sized display copies (1600×1200 JPEGs with Pillow, a few distinct pictures cycled), put
through the media store as the photo intake stores them. Then writes the package to a file --runs
times and prints the median build time and the peak RSS growth during a build (VmHWM reset through
/proc/self/clear_refs before each run, against VmRSS before it), against the target growth < 150 MB,
and checks that every run gave the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image

from bot import create_app
from bot.runtime import runtime
from bot.settings import Settings
from handlers.services.agencies import Person, Registration, approve_agency, register_agency
from handlers.services.less_package import write_package
from handlers.services.reports import Draft, approve_report, reference, submit_report
from storage.photo_repository import PhotoRepository

TARGET_GROWTH_MB = 150.0
NOW = datetime(2024, 9, 1, 3, 0, tzinfo=UTC)
PERIOD = (date(2024, 6, 1), date(2024, 8, 31))
USER = "U" + "7" * 32
EXAMPLES = (
    ("renewable_electricity", {"electricity_generated": {"value": "1250", "unit": "kWh"}}),
    ("recycling", {"pet": {"value": "120.5", "unit": "kg"}, "aluminium_cans": {"value": "33", "unit": "kg"}}),
    ("composting", {"organic_waste": {"value": "1500", "unit": "kg"}}),
    ("electricity_saving", {"baseline_electricity": {"value": "12000", "unit": "kWh"},
                            "actual_electricity": {"value": "9500", "unit": "kWh"}}),
)  # fmt: skip


def phone_photo(n: int) -> bytes:
    """A 1600×1200 JPEG with a phone photo's detail (gradient and noise), about what the intake keeps."""
    noise = Image.effect_noise((1600, 1200), 40 + n).convert("RGB")
    gradient = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    out = io.BytesIO()
    Image.blend(noise, gradient, 0.5).save(out, "JPEG", quality=85)
    return out.getvalue()


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def seed(app, reports: int, per_report: int) -> tuple[int, int]:
    rt = runtime(app)
    pictures = [phone_photo(n) for n in range(12)]
    stored = 0
    with rt.session_factory.begin() as session:
        person = Person("ผู้ประสานงาน", "นักวิชาการสิ่งแวดล้อม", "+66812345678")
        registration = Registration("เทศบาลตำบลหนองบัว", "local_admin", "50", "5001", person, True, False)
        agency = register_agency(session, USER, registration, NOW)
        approve_agency(session, agency.id, "bench", NOW)
        repository = PhotoRepository(session)
        for n in range(reports):
            ids = []
            for k in range(per_report):
                message = f"bench{n:05d}{k}"
                data = pictures[(n * per_report + k) % len(pictures)]
                display, thumb = f"photos/{message}/display.jpg", f"photos/{message}/thumb.jpg"
                rt.media.put(display, data, "image/jpeg")
                rt.media.put(thumb, data[:1000], "image/jpeg")
                stored += len(data)
                photo, _ = repository.add(
                    line_user_id=USER, line_message_id=message, display_key=display, thumb_key=thumb,
                    sha256=hashlib.sha256(data).hexdigest(), phash=f"{n * 10 + k:016x}", width=1600,
                    height=1200, captured_at=NOW, gps_lat=18.79, gps_lon=98.98, created_at=NOW,
                )  # fmt: skip
                ids.append(photo.id)
            activity, inputs = EXAMPLES[n % len(EXAMPLES)]
            draft = Draft(f"bench:{n}", activity, inputs, PERIOD[0], PERIOD[1], photo_ids=ids)
            report, _ = submit_report(session, USER, draft, NOW)
            approve_report(session, reference(report), "bench", NOW)
        return agency.id, stored


def run(reports: int, per_report: int, runs: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        settings = Settings(
            line_channel_secret=secrets.token_hex(16),
            line_channel_access_token=secrets.token_hex(16),
            secret_key=secrets.token_hex(16),
            database_url=f"sqlite:///{work / 'ruamjai.sqlite3'}",
            media_dir=work / "media",
            instance_dir=work,
            line_api_base_url="http://127.0.0.1:9",
            sweep_interval_seconds=3600.0,
        )
        from storage.migrate import upgrade

        upgrade(settings.database_url)
        app = create_app(settings)
        rt = runtime(app)
        try:
            started = time.perf_counter()
            agency_id, stored = seed(app, reports, per_report)
            print(
                f"seeded {reports} approved reports, {reports * per_report} photos "
                f"({stored / 1e6:.0f} MB of display copies) in {time.perf_counter() - started:.1f} s"
            )
            times, growths, digests, size = [], [], set(), 0
            for _ in range(runs):
                target = work / "package.zip"
                peak_reset = reset_peak()
                before = status_kb("VmRSS")
                started = time.perf_counter()
                with rt.session_factory.begin() as session, target.open("wb") as out:
                    write_package(session, agency_id, PERIOD, NOW, out, media=rt.media, actor="bench")
                times.append(time.perf_counter() - started)
                growths.append((status_kb("VmHWM") - before) / 1024)
                size = target.stat().st_size
                digests.add(hashlib.sha256(target.read_bytes()).hexdigest())
            growth = max(growths)
            print(f"package: {size / 1e6:.0f} MB; same bytes every run: {len(digests) == 1}")
            print(f"build time: median {statistics.median(times):.2f} s over {runs} runs "
                  f"({', '.join(f'{t:.2f}' for t in times)})")  # fmt: skip
            print(
                f"peak RSS growth during a build: {growth:.1f} MB (max of {runs}; "
                f"{'VmHWM reset before each' if peak_reset else 'VmHWM not resettable: includes seeding'})"
                f"  target < {TARGET_GROWTH_MB:.0f} MB{'  OVER' if growth >= TARGET_GROWTH_MB else ''}"
            )
            return growth < TARGET_GROWTH_MB and len(digests) == 1
        finally:
            rt.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--photos-per-report", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    return 0 if run(args.reports, args.photos_per_report, args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
