"""The my-data download holds everything the bot keeps about the person: profile, agency and
membership, reports with inputs and results, photos with capture time and GPS (signed links that
work), the places they gave and the messages stored from and for them; in JSON and in CSV."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from bot.runtime import runtime
from storage.repositories import OutboxRepository
from tests.handlers.domain_helpers import NOW
from tests.handlers.erasure_helpers import NAME, PHONE_E164, POSITION, register_and_report, th
from tests.photo_samples import SAMPLE_LAT, SAMPLE_LON

BASE = "https://ruamjai.example.go.th"


@pytest.fixture
def app(make_app, settings):
    return make_app(dataclasses.replace(settings, public_base_url=BASE))


def download_links(chat) -> list[str]:
    chat.say("ข้อมูลของฉัน")
    chat.tap("ออก")  # the report in progress is kept as a draft
    return [word.removeprefix(BASE) for word in chat.text.split() if word.startswith(BASE)]


def test_the_download_holds_reports_photos_places_and_messages(app, fake_line):
    chat = register_and_report(app, fake_line=fake_line, db=runtime(app).session_factory)
    with runtime(app).session_factory.begin() as session:
        OutboxRepository(session).enqueue_push(
            to=chat.user, messages=[{"type": "text", "text": "ข่าวถึงท่าน"}], dedupe_key="for-them", now=NOW
        )
    json_link, csv_link = download_links(chat)
    assert th("mydata.line_reports", count=1) in chat.text and th("mydata.line_photos", count=2) in chat.text
    client = app.test_client()
    data = client.get(json_link).get_json()

    [membership] = data["coordinator_of"]
    assert (membership["name"], membership["position"], membership["phone"]) == (NAME, POSITION, PHONE_E164)
    assert membership["agency"] == "อบต.ทดสอบลบข้อมูล" and membership["agency_status"] == "approved"

    [report] = data["reports"]
    assert report["inputs"] == {"electricity_generated": {"value": "1250", "unit": "kWh"}}
    assert report["result"]["kg_co2e"] == report["kg_co2e"] and report["activity"] == "renewable_electricity"
    assert report["place"]["lat"] == 18.79 and NAME in report["place"]["address"]

    attached, loose = data["photos"]
    assert attached["report"] == report["reference"] and report["photo_ids"] == [attached["id"]]
    assert loose["report"] is None and loose["status"] == "received"
    for photo in (attached, loose):
        assert photo["captured_at"].startswith("2024-06-15T02:30")  # 09:30 in Bangkok, as the phone said
        assert abs(photo["gps_lat"] - SAMPLE_LAT) < 1e-4 and abs(photo["gps_lon"] - SAMPLE_LON) < 1e-4
        for link in (photo["url"], photo["thumbnail_url"]):
            shown = client.get(link.removeprefix(BASE))
            assert (
                shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data[:2] == b"\xff\xd8"
            )

    assert [place["given_in"] for place in data["places"]] == [report["reference"]]
    typed = [m["message"].get("text") for m in data["messages_from_you"] if "message" in m]
    assert NAME in typed and "๑,๒๕๐ หน่วย" in typed
    sent = [m["content"] for m in data["messages_to_you"]]
    assert {"messages": [{"type": "text", "text": "ข่าวถึงท่าน"}]} in sent

    rows = list(csv.reader(io.StringIO(client.get(csv_link).get_data(as_text=True).lstrip("\ufeff"))))
    fields = {(section, field): value for section, _, field, value in rows[1:]}
    assert fields[("photos", "url")].startswith(f"{BASE}/media/") and ("photos", "gps_lat") in fields
    assert fields[("reports", "reference")] == report["reference"]
    assert ("messages_from_you", "message") in fields and ("places", "address") in fields
