"""Benchmark: the public figures at a million reports, and the results page.

    PYTHONPATH=$PWD .venv/bin/python bench/public.py                       # SQLite in a temp dir
    PYTHONPATH=$PWD .venv/bin/python bench/public.py --reports 20000       # a quick run
    PYTHONPATH=$PWD .venv/bin/python bench/public.py --database-url postgresql://postgres@127.0.0.1:5432/test

Seeds the example campaign, --agencies agencies (four in five approved, spread over provinces,
half agreeing to be named) and --reports reports written in bulk (executemany in batches, not the
ORM per row) in every review status, a few waiting for a factor. Then prints:

- the figures' computation (handlers/services/public_results.py) median over --repeat runs, next
  to ONE hand-written SQL statement doing the same work (the same sums by activity type, province
  and month, the agency count and the newest approved reports) in the same run, and their ratio
  (goal <= 1.5);
- the results page's p50 and p95 through the Flask test client: warm (memo and snapshot fresh),
  cold (a new process: the memo empty, the snapshot stored) and stale (a report was approved: the
  stored figures are served until the clock recomputes them), against the goals p95 < 50 ms warm
  and < 300 ms cold; and the clock's recomputation that follows (no visitor waits for it).
PostgreSQL gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from database import Database  # bench/database.py: a fresh SQLite file or PostgreSQL schema
from sqlalchemy import insert, select, text

from bot import create_app
from bot.demo import example_round_shift
from bot.runtime import runtime
from bot.settings import Settings
from handlers.services import public_results
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.campaigns import active_campaign
from storage.models.program import Agency
from storage.models.reports import Report

BATCH = 20_000
PROVINCES = ("10", "11", "12", "13", "20", "30", "34", "40", "41", "50", "57", "65", "80", "83", "90")
ACTIVITIES = ("composting", "recycling", "renewable_electricity", "electricity_saving", "tree_planting")
# Weighted: most reports approved, as late in a round.
STATUSES = ("approved",) * 6 + ("submitted", "needs_fix", "rejected", "withdrawn")


def seed_agencies(session, campaign_id: int, count: int, now: datetime) -> list[int]:
    rows = [
        {
            "name": f"หน่วยงานทดสอบที่ {n}",
            "normalised_name": f"หน่วยงานทดสอบที่ {n}",
            "agency_type": ("local_admin", "education", "government")[n % 3],
            "province_code": PROVINCES[n % len(PROVINCES)],
            "status": "approved" if n % 5 else "pending",
            "show_name_publicly": n % 2 == 0,
            "show_photos_publicly": n % 4 == 0,
            "campaign_id": campaign_id,
            "created_at": now,
        }
        for n in range(count)
    ]
    session.execute(insert(Agency), rows)
    return list(session.scalars(select(Agency.id).order_by(Agency.id)))


def seed_reports(engine, agency_ids: list[int], count: int, now: datetime) -> None:
    """`count` reports in batches of BATCH, one executemany per batch."""
    chooser = random.Random(25)
    start = date(now.year, 1, 1)
    sequence = 0
    with engine.begin() as conn:
        while sequence < count:
            rows = []
            for _ in range(min(BATCH, count - sequence)):
                sequence += 1
                day = start + timedelta(days=chooser.randrange(300))
                status = chooser.choice(STATUSES)
                waiting = sequence % 997 == 0
                rows.append(
                    {
                        "submit_key": f"bench-{sequence}",
                        "year_be": now.year + 543,
                        "sequence": sequence,
                        "agency_id": chooser.choice(agency_ids),
                        "reporter_line_user_id": None,
                        "activity_key": chooser.choice(ACTIVITIES),
                        "period_start": day,
                        "period_end": day + timedelta(days=chooser.randrange(30)),
                        "inputs": "{}",
                        "result": "{}",
                        "calc_status": "needs_factor" if waiting else "ok",
                        "kg_co2e": None if waiting else f"{chooser.randrange(1, 5_000_000) / 1000:.3f}",
                        "warnings": "[]",
                        "flags": "[]",
                        "status": status,
                        "reviewed_at": now - timedelta(seconds=sequence) if status != "submitted" else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            conn.execute(insert(Report), rows)


def hand_written(kind: str) -> str:
    """The same work in one statement: the counted reports' sums by activity type, province and
    month, the approved agencies by province and the newest approved reports, as one result."""
    kg = (
        "SUM(CAST(r.kg_co2e AS NUMERIC))"
        if kind == "postgresql"
        else "SUM(CAST(ROUND(CAST(r.kg_co2e AS REAL) * 1000000) AS INTEGER))"
    )
    year = (
        "EXTRACT(YEAR FROM r.period_end)"
        if kind == "postgresql"
        else "CAST(STRFTIME('%Y', r.period_end) AS INTEGER)"
    )
    month = (
        "EXTRACT(MONTH FROM r.period_end)"
        if kind == "postgresql"
        else "CAST(STRFTIME('%m', r.period_end) AS INTEGER)"
    )
    counted = (
        "FROM reports r JOIN agencies a ON a.id = r.agency_id "
        "WHERE a.campaign_id = :campaign AND a.status = 'approved' AND r.status = 'approved'"
    )
    return f"""
        SELECT 'groups' AS part, r.activity_key AS k1, a.province_code AS k2, {year} AS y, {month} AS m,
               COUNT(r.id) AS n, COUNT(r.kg_co2e) AS priced, {kg} AS kg
        {counted} GROUP BY r.activity_key, a.province_code, {year}, {month}
        UNION ALL
        SELECT 'agencies', a.province_code, NULL, NULL, NULL, COUNT(a.id), 0, NULL FROM agencies a
        WHERE a.campaign_id = :campaign AND a.status = 'approved' GROUP BY a.province_code
        UNION ALL
        SELECT * FROM (
            SELECT 'newest', CAST(r.id AS VARCHAR(20)), a.name,
                CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), 0, 0, CAST(NULL AS NUMERIC)
            {counted} AND r.kg_co2e IS NOT NULL
            ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 20
        ) newest
    """  # noqa: S608 (no outside input: the dialect picks between two fixed texts)


def timed(run, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def line(name: str, times: list[float], goal: float | None = None) -> str:
    verdict = "" if goal is None else ("  ok" if p95(times) < goal else "  OVER")
    target = f" (goal p95 < {goal:.0f} ms)" if goal else ""
    return (
        f"{name:44} n={len(times):<4} p50 {statistics.median(times):8.1f} ms  p95 {p95(times):8.1f} ms"
        f"{target}{verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a postgresql:// URL (default: SQLite in a temp folder)")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each computation")
    parser.add_argument("--requests", type=int, default=200, help="warm page requests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-public-") as folder:
        work = Path(folder)
        db = Database(args.database_url, work)
        try:
            settings = Settings(
                line_channel_secret=secrets.token_hex(16),
                line_channel_access_token=secrets.token_hex(16),
                secret_key=secrets.token_hex(16),
                database_url=db.url,
                media_dir=work / "media",
                instance_dir=work,
                line_api_base_url="http://127.0.0.1:9",  # nothing is sent
                sweep_interval_seconds=3600.0,
                line_basic_id="@ruamjai",
            )
            app = create_app(settings)
            factory = runtime(app).session_factory
            now = datetime.now(UTC)
            started = time.perf_counter()
            with factory.begin() as session:
                load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
                agency_ids = seed_agencies(session, active_campaign(session, now).id, args.agencies, now)
            seed_reports(db.engine, agency_ids, args.reports, now)
            if db.kind == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
            print(f"{db.version()}: seeded {args.agencies} agencies, {args.reports:,} reports in "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip

            with factory() as session:
                campaign = active_campaign(session, now)
                query = text(hand_written(db.kind))
                ours, theirs = [], []
                # One untimed run of each first (the file's pages into the cache), then turns.
                for run in range(args.repeat + 1):
                    took = timed(lambda: public_results._compute(session, campaign, now), 1)
                    ours += took if run else []
                    took = timed(lambda: session.execute(query, {"campaign": campaign.id}).all(), 1)
                    theirs += took if run else []
                figures = public_results._compute(session, campaign, now)
            ratio = statistics.median(ours) / statistics.median(theirs)
            print(line("figures computed (public_results)", ours))
            print(line("one hand-written SQL statement", theirs))
            print(f"{'ratio (goal <= 1.5)':44} {ratio:.2f}x  {'ok' if ratio <= 1.5 else 'OVER'}")
            print(f"  counted {figures.reports:,} approved reports, {figures.total_kg / 1000:,.3f} tCO2e")

            client = app.test_client()
            assert client.get("/").status_code == 200
            warm = timed(lambda: client.get("/"), args.requests)

            def cold() -> None:
                public_results._memo.clear()
                client.get("/")

            cold_times = timed(cold, max(20, args.requests // 10))
            stale_times, clock_times = [], []
            for _ in range(max(3, args.repeat)):
                with factory.begin() as session:
                    public_results.mark_stale(session)
                stale_times += timed(lambda: client.get("/"), 1)

                def clock_run() -> None:
                    with factory.begin() as session:
                        assert public_results.refresh_if_due(session, runtime(app).clock.now())

                clock_times += timed(clock_run, 1)
            print(line("GET / warm (memo and snapshot fresh)", warm, 50))
            print(line("GET / cold (new process: snapshot stored)", cold_times, 300))
            print(line("GET / stale (report approved: served)", stale_times, 300))
            print(line("the clock's recomputation after it", clock_times))
            size = len(client.get("/").data)
            print(f"  page size {size / 1024:.0f} KB; snapshot {_snapshot_size(factory):,} bytes")
        finally:
            db.close()
    return 0


def _snapshot_size(factory) -> int:
    from storage.models.public import PublicSnapshot

    with factory() as session:
        return len(session.scalar(select(PublicSnapshot.figures)) or "")


if __name__ == "__main__":
    sys.exit(main())
