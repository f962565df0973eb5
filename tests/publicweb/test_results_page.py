"""The results page at / and /en: server-rendered figures equal to the approved reports' sums,
names only with consent, nothing personal, kind words when there is nothing to show."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select, update

from bot.cli.clock import run_once
from bot.runtime import runtime
from handlers.catalog import t
from handlers.services.public_results import mark_stale
from storage.models.program import Agency
from storage.models.reports import Report
from tests.publicweb.open_data_helpers import DROPPED, NAMED, UNNAMED, seed
from tests.publicweb.privacy import assert_no_private_data, phone_spellings


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def approved_total(app) -> Decimal:
    with runtime(app).session_factory() as session:
        approved = set(session.scalars(select(Agency.id).where(Agency.status == "approved")))
        return sum(
            (
                Decimal(r.kg_co2e)
                for r in session.scalars(select(Report).where(Report.status == "approved"))
                if r.agency_id in approved and r.kg_co2e is not None
            ),
            Decimal(0),
        )


def shown(kg: Decimal) -> str:
    return f"{(kg / 1000).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP):,.3f}"


def test_the_page_shows_the_approved_total_in_its_html(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert shown(approved_total(seeded)) in html
    assert "หน่วยงานที่เข้าร่วม 2 แห่ง จากเป้าหมาย 30 แห่ง" in html
    assert "<script" not in html and "style=" not in html
    english = client.get("/en").get_data(as_text=True)
    assert shown(approved_total(seeded)) in english and "2 agencies taking part, of a target of 30" in english


def test_nothing_private_and_only_consenting_names(seeded, client):
    html = client.get("/").get_data(as_text=True) + client.get("/en").get_data(as_text=True)
    assert NAMED in html
    assert DROPPED not in html and UNNAMED not in html
    with runtime(seeded).session_factory() as session:
        assert_no_private_data(html, session)


def test_withdrawn_consent_takes_the_name_off_once_the_clock_looks(seeded, client):
    assert NAMED in client.get("/").get_data(as_text=True)
    with runtime(seeded).session_factory.begin() as session:
        session.execute(update(Agency).where(Agency.name == NAMED).values(show_name_publicly=False))
        mark_stale(session)
    assert NAMED in client.get("/").get_data(as_text=True)  # served at once, not recomputed
    assert run_once(runtime(seeded), "public") == 1  # the clock, a few seconds later
    assert NAMED not in client.get("/").get_data(as_text=True)


def test_open_graph_and_open_data_links(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert 'property="og:image" content="http://localhost/og/results.png"' in html
    for link in ('href="/open-data/reports.csv"', 'href="/open-data/reports.json"', 'href="/open-data/"'):
        assert link in html


def test_no_line_account_set_is_said_politely(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert "line.me" not in html
    assert "ยังไม่ได้ตั้งค่าบัญชี LINE" in html


def test_no_campaign_is_said_kindly(client):
    html = client.get("/").get_data(as_text=True)
    assert "ยังไม่มีรอบโครงการที่เปิดอยู่" in html


def test_phone_spellings():
    assert phone_spellings("+66812345678") == [
        "+66812345678", "66812345678", "0812345678", "081-234-5678", "081 234 5678",
    ]  # fmt: skip


def test_the_line_account_as_qr_and_button(make_app, settings):
    import dataclasses

    app = make_app(dataclasses.replace(settings, line_basic_id="@ruamjai"))
    seed(app)
    html = app.test_client().get("/").get_data(as_text=True)
    assert 'href="https://line.me/R/ti/p/%40ruamjai"' in html
    assert '<svg class="segno"' in html or "<svg" in html.split('class="rs-qr"')[1][:200]


def test_counts_of_one_read_in_the_singular_in_english(seeded, client):
    english = t("results.total.needs_factor", "en", count=1)
    assert english == "(1 report waits for an emission factor and is not counted yet)"
    assert t("results.total.reports", "en", count=1234) == "From 1,234 reports approved by staff"
    assert t("results.joined.text", "en", count=1, target=30) == "1 agency taking part, of a target of 30"
    assert t("opendata.page.rows", "en", count=1) == "1 report so far"
    assert english in client.get("/en").get_data(as_text=True)  # the seeded round has one such report
