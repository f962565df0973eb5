"""Benchmark: server-side time of every staff web page on a round-sized database.

    PYTHONPATH=$PWD .venv/bin/python bench/staff_pages.py                      # SQLite in a temp dir
    PYTHONPATH=$PWD .venv/bin/python bench/staff_pages.py --postgres postgresql://postgres@127.0.0.1:5432/test

Seeds the example campaign, --agencies agencies (a third left pending, with join requests and
near-duplicate names so the similar-agency hints have work to do) and --reports reports with stored
calc results (a few submitted through the report service, the rest copies of those rows spread over
the approved agencies and every review status); PostgreSQL gets a fresh schema, dropped afterwards.
Signs a staff member in through the sign-in services (code, confirmation, collection; no LINE).
Then requests, through the Flask test client, every GET route of the staff blueprint found at run
time in `app.url_map` (those with arguments when the seeded data can fill them; static files and
fonts left out) --repeat times each, and prints per page the median and p95 in ms and the SQL
statements per request, against the target p95 < 300 ms, with /healthz measured in the same run
as the baseline.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from database import Database  # bench/database.py: a fresh SQLite file or PostgreSQL schema
from sqlalchemy import event, insert, select

from bot import create_app
from bot.demo import example_round_shift
from bot.demo_data import EXAMPLE_AGENCIES, last_month
from bot.runtime import runtime
from bot.settings import Settings
from bot.web.staff.core import SESSION_COOKIE
from handlers.services.agencies import Person, Registration, approve_agency, register_agency, request_to_join
from handlers.services.authz import add_staff
from handlers.services.campaign_files import EXAMPLE_CAMPAIGN, load_campaign
from handlers.services.reports import Draft, reference, submit_report
from handlers.services.staff_sessions import collect
from handlers.services.staff_sign_in import answer_card, offer, start_sign_in
from storage.models.reports import Report

TARGET_P95_MS = 300.0
STAFF_USER = "U" + "5" * 32
PROVINCES = (("10", "1001"), ("11", "1101"), ("50", "5001"), ("40", "4001"), ("55", "5501"))
# Agency names made of a kind and a place; every fifth pending one is one letter off an approved one.
KINDS = ("เทศบาลตำบล", "องค์การบริหารส่วนตำบล", "โรงเรียนบ้าน")
PLACES = ("หนองบัว", "ดอนแก้ว", "สันทราย", "บางพลี", "แม่ริม", "ท่าช้าง", "บ้านใหม่", "ห้วยทราย", "นาคำ", "โคกสูง")
STATUSES = ("submitted", "approved", "approved", "needs_fix", "rejected")
# Not pages: files, and the LESS package download (timed by bench/less_package.py).
SKIPPED_ENDPOINTS = {"staff.static", "staff.font", "staff.less_package"}


def user_id(n: int) -> str:
    return "U" + f"{n:032x}"


@dataclass
class Seeded:
    agency_id: int  # a pending one: its page has the most to show
    approved_id: int
    request_id: int
    report_id: int
    reference: str


def seed(app, agencies: int, reports: int) -> Seeded:
    rt = runtime(app)
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        load_campaign(session, EXAMPLE_CAMPAIGN, now, shift_days=example_round_shift(now))
        add_staff(session, STAFF_USER, "เจ้าหน้าที่ทดสอบ", now)
        approved, pending = [], []
        for n in range(agencies):
            province, district = PROVINCES[n % len(PROVINCES)]
            place = PLACES[n // len(KINDS) % len(PLACES)]
            name = f"{KINDS[n % len(KINDS)]}{place}{n // 30 or ''}"
            if n % 3 == 2 and n % 5 == 0 and approved:
                name = name[:-1]  # one letter off: a near-duplicate for the hints
            registration = Registration(
                name,
                "local_admin",
                province,
                district,
                Person(f"ผู้ประสานงาน {n}", "นักวิชาการ", "+66812345678"),
                show_name_publicly=True,
                news_opt_in=False,
            )
            agency = register_agency(session, user_id(n + 1), registration, now)
            if n % 3 == 2:
                pending.append(agency.id)
            else:
                approve_agency(session, agency.id, "bench", now)
                approved.append((agency.id, user_id(n + 1)))
        joins = [
            request_to_join(
                session,
                user_id(1000 + n),
                pending[n % len(pending)],
                Person(f"ผู้ขอ {n}", "ครู", "+66812345679"),
                now,
            )
            for n in range(5)
        ]
        start, end = last_month(now)
        templates = []
        examples = [r for example in EXAMPLE_AGENCIES for r in example.reports]
        for n, example in enumerate(examples):
            report, _ = submit_report(
                session,
                approved[0][1],
                Draft(f"bench:t{n}", example.activity_key, example.inputs, start, end),
                now,
            )
            templates.append(report)
        columns = [
            c.key
            for c in Report.__table__.columns
            if c.key not in ("id", "submit_key", "sequence", "agency_id", "status")
        ]
        rows = []
        for n in range(max(0, reports - len(templates))):
            template = templates[n % len(templates)]
            row = {name: getattr(template, name) for name in columns}
            row.update(
                submit_key=f"bench:{n}",
                sequence=10_000 + n,
                agency_id=approved[n % len(approved)][0],
                status=STATUSES[n % len(STATUSES)],
            )
            rows.append(row)
        for chunk in range(0, len(rows), 500):
            session.execute(insert(Report), rows[chunk : chunk + 500])
        first = session.scalars(select(Report).order_by(Report.id)).first()
        return Seeded(pending[0], approved[0][0], joins[0].id, first.id, reference(first))


def staff_token(app) -> str:
    """A staff web session opened through the sign-in services, as the LINE confirmation would."""
    rt = runtime(app)
    now = rt.clock.now()
    with rt.session_factory.begin() as session:
        code = start_sign_in(session, ip="127.0.0.1", user_agent="bench", now=now)
        card = offer(session, STAFF_USER, code.code, now)
        assert card is not None and card.code is not None, card
        assert answer_card(session, STAFF_USER, card.code.id, True, now) == "confirmed"
        token = collect(session, code.id, code.browser_secret, "bench|", now)
    assert token
    return token


def pages(app, seeded: Seeded) -> tuple[list[str], list[str]]:
    """The staff GET routes to time, filled in from the seeded data; and those that could not be."""
    fill = {
        "agency_id": seeded.agency_id,
        "request_id": seeded.request_id,
        "report_id": seeded.report_id,
        "reference": seeded.reference,
        "ref": seeded.reference,
        "key": seeded.reference,
    }
    paths, left = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if (
            not rule.rule.startswith("/staff")
            or "GET" not in rule.methods
            or rule.endpoint in SKIPPED_ENDPOINTS
        ):
            continue
        if not rule.arguments:
            paths.append(rule.rule)
        elif rule.arguments <= fill.keys():
            # LOR cases exist for approved agencies only; other agency pages show the pending one.
            values = {name: fill[name] for name in rule.arguments}
            if rule.rule.startswith("/staff/lor/"):
                values["agency_id"] = seeded.approved_id
            paths.append(rule.build(values, append_unknown=False)[1])
        else:
            left.append(f"{rule.rule} ({', '.join(sorted(rule.arguments - fill.keys()))} unknown)")
    return paths, left


def timed(client, path: str, repeat: int, statements: list[int]) -> tuple[list[float], int, int]:
    """Milliseconds per request, the status and the SQL statements of the last request."""
    times, status = [], 0
    for _ in range(repeat):
        statements[0] = 0
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return times, status, statements[0]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def run(database_url: str | None, agencies: int, reports: int, repeat: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = Database(database_url, work)
        app = None
        try:
            settings = Settings(
                line_channel_secret=secrets.token_hex(16),
                line_channel_access_token=secrets.token_hex(16),
                secret_key=secrets.token_hex(16),
                database_url=db.url,
                media_dir=work / "media",
                instance_dir=work,
                line_api_base_url="http://127.0.0.1:9",  # nothing is sent: no page here pushes
                sweep_interval_seconds=3600.0,
            )
            app = create_app(settings)
            started = time.perf_counter()
            seeded = seed(app, agencies, reports)
            print(
                f"{db.version()}: seeded {agencies} agencies, {reports} reports"
                f" in {time.perf_counter() - started:.1f} s"
            )
            client = app.test_client()
            client.set_cookie(SESSION_COOKIE, staff_token(app), path="/staff")
            statements = [0]
            event.listen(
                runtime(app).engine,
                "before_cursor_execute",
                lambda *_: statements.__setitem__(0, statements[0] + 1),
            )
            paths, left = pages(app, seeded)
            for path in ["/healthz", *paths]:  # one unmeasured request each: templates compiled, caches warm
                client.get(path)
            ok = True
            print(
                f"{'page':44} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}"
                f"  target p95 < {TARGET_P95_MS:.0f} ms"
            )
            for path in ["/healthz", *paths]:
                times, status, sql = timed(client, path, repeat, statements)
                over = p95(times) >= TARGET_P95_MS
                ok = ok and not over and status < 400
                mark = "  OVER" if over else ("  baseline" if path == "/healthz" else "")
                print(
                    f"{path:44} {status:>6} {statistics.median(times):>10.1f} {p95(times):>8.1f}"
                    f" {sql:>5}{mark}"
                )
            for rule in left:
                print(f"not measured: {rule}")
            return ok
        finally:
            if app is not None:
                runtime(app).close()
            db.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server (a fresh schema is made and dropped)"
    )
    parser.add_argument("--agencies", type=int, default=30)
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    ok = run(args.postgres, args.agencies, args.reports, args.repeat)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
