"""/open-data/: the approved reports as CSV and JSON, their dictionary, the dataset's metadata for
data.go.th; names only with consent, nothing personal, ever."""

from __future__ import annotations

import csv
import io
import json
import threading
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import select

import calc
from bot.runtime import runtime
from handlers.catalog import label, t
from handlers.services.open_data import COLUMN_NAMES, COLUMNS, DGA_LICENCE_URL, csv_chunks
from handlers.services.thaitime import thai_date
from storage.models.reports import Report
from tests.publicweb.open_data_helpers import (
    DROPPED,
    NAMED,
    SPECIES_NAME,
    UNNAMED,
    counted_references,
    private_strings,
    seed,
    set_consent,
)

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def read_csv(response) -> list[dict[str, str]]:
    text = response.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_json(response) -> dict:
    return json.loads(response.data.decode("utf-8"))


def test_the_rows_are_the_approved_reports_of_approved_agencies(seeded, client):
    want = counted_references(seeded)
    assert len(want) == 4  # of 8 reports: submitted, rejected and a dropped agency's left out
    csv_rows = read_csv(client.get("/open-data/reports.csv"))
    json_rows = read_json(client.get("/open-data/reports.json"))["rows"]
    assert [row["reference"] for row in csv_rows] == want
    assert [row["reference"] for row in json_rows] == want
    assert DROPPED not in {row["agency"] for row in csv_rows}
    with runtime(seeded).session_factory() as session:
        kg = {f"R-{r.year_be}-{r.sequence:05d}": r.kg_co2e for r in session.scalars(select(Report))}
    for row in json_rows:
        if kg[row["reference"]] is None:  # approved while its factor is awaited: no figure yet
            assert row["t_co2e"] is None and row["kg_co2e"] is None
            continue
        assert Decimal(row["kg_co2e"]) == Decimal(kg[row["reference"]])
        assert Decimal(str(row["t_co2e"])) == (Decimal(kg[row["reference"]]) / 1000).quantize(
            Decimal("0.001")
        )
        assert row["factors"] and all("@" in factor for factor in row["factors"])


def test_the_csv_opens_in_excel_with_thai_intact(seeded, client):
    response = client.get("/open-data/reports.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(BOM)
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.data[len(BOM) :].split(b"\r\n")
    assert lines[0].decode() == ",".join(COLUMN_NAMES)
    assert b"\n" not in response.data.replace(b"\r\n", b"")  # Windows line ends only
    rows = read_csv(response)
    compost = next(row for row in rows if row["activity_type"] == "composting")
    assert compost["activity_th"] == label(calc.activity_type("composting"), "th")
    assert json.loads(compost["inputs"]) == {"organic_waste": {"value": "1500", "unit": "kg"}}
    assert compost["province_th"] == "เชียงใหม่" and compost["province_code"] == "50"
    # the inputs' JSON (commas and quotes) is one quoted cell: the raw line shows the doubled quotes
    assert '"{""organic_waste"": {""unit"": ""kg"", ""value"": ""1500""}}"' in response.data.decode(
        "utf-8-sig"
    )


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    row = dict.fromkeys(COLUMN_NAMES, "")
    row |= {"agency": '=HYPERLINK("http://x","y")', "t_co2e": Decimal("-1.500"), "factors": [], "inputs": {}}
    text = "".join(csv_chunks(iter([row])))
    parsed = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert parsed["agency"] == '\'=HYPERLINK("http://x","y")'
    assert parsed["t_co2e"] == "-1.500"  # numbers stay numbers


def test_agencies_are_named_only_with_their_consent_and_withdrawing_it_shows_at_once(seeded, client):
    first = client.get("/open-data/reports.csv")
    rows = read_csv(first)
    named = [row for row in rows if row["province_code"] == "50"]
    unnamed = [row for row in rows if row["province_code"] == "40"]
    assert {row["agency"] for row in named} == {NAMED} and {row["agency_named"] for row in named} == {"true"}
    described = t("opendata.agency_unnamed", "th", type=t("register.type_education", "th"), province="ขอนแก่น")
    assert {row["agency"] for row in unnamed} == {described} and unnamed[0]["agency_named"] == "false"
    assert UNNAMED not in first.data.decode("utf-8-sig")

    set_consent(seeded, NAMED, False)
    again = client.get("/open-data/reports.csv", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert NAMED not in again.data.decode("utf-8-sig")
    assert NAMED not in client.get("/open-data/reports.json").data.decode()


def test_an_unchanged_download_is_not_sent_again(seeded, client):
    first = client.get("/open-data/reports.json")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Access-Control-Allow-Origin"] == "*"  # other sites' pages may fetch it
    again = client.get("/open-data/reports.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_nothing_personal_is_in_the_data_the_page_or_the_metadata(seeded, client):
    texts = [
        client.get("/open-data/reports.csv").data.decode("utf-8-sig"),
        client.get("/open-data/reports.json").data.decode(),
        client.get("/open-data/metadata.json").data.decode(),
        client.get("/open-data/").data.decode(),
        client.get("/en/open-data/").data.decode(),
    ]
    everything = "\n".join([*texts, json.dumps(json.loads(texts[1]), ensure_ascii=False)])
    for private in private_strings(seeded):
        assert private not in everything, private
    trees = next(row for row in json.loads(texts[1])["rows"] if row["activity_type"] == "tree_planting")
    assert "species_name" not in trees["inputs"] and trees["inputs"]["species"] == "other"
    assert SPECIES_NAME not in everything


def test_every_json_value_is_a_documented_column_of_its_documented_type(seeded, client):
    data = read_json(client.get("/open-data/reports.json"))
    kinds = {column.name: column.kind for column in COLUMNS}
    assert data["columns"] == list(kinds)
    checks = {
        "string": lambda v: isinstance(v, str) and v,
        "boolean": lambda v: isinstance(v, bool),
        "date": lambda v: isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-",
        "decimal": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "decimal_text": lambda v: isinstance(v, str) and Decimal(v).is_finite(),
        "object": lambda v: isinstance(v, dict) and v,
        "array": lambda v: isinstance(v, list) and all(isinstance(x, str) and "@" in x for x in v),
    }
    awaited = {"t_co2e", "kg_co2e"}  # empty while a report's emission factor is awaited
    for row in data["rows"]:
        assert set(row) == set(kinds)
        for name, value in row.items():
            assert (value is None and name in awaited) or checks[kinds[name]](value), (name, value)
    page = client.get("/open-data/").data.decode()
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in page
        assert str(escape(t(f"opendata.column.{column.name}", "th"))) in page
    assert data["about"]["license_url"] == DGA_LICENCE_URL


def test_the_metadata_has_every_field_data_go_th_asks_for(seeded, client):
    package = read_json(client.get("/open-data/metadata.json"))
    asked = ("name", "title", "notes", "url", "license_id", "license_title", "license_url", "maintainer",
             "maintainer_email", "objective", "update_frequency_unit", "geo_coverage", "data_source",
             "data_format", "data_category", "category", "unit_of_measure", "calculation_method")  # fmt: skip
    for key in asked:
        assert package[key], key
    assert package["tags"] and all(tag["name"] for tag in package["tags"])
    assert package["license_id"] == "Open Data Common" and package["license_url"] == DGA_LICENCE_URL
    assert package["maintainer_email"] == "ruamjai@example.org"  # the program's, from the campaign file
    formats = {resource["format"]: resource["url"] for resource in package["resources"]}
    assert formats["CSV"].endswith("/open-data/reports.csv") and formats["CSV"].startswith("http")
    assert formats["JSON"].endswith("/open-data/reports.json") and formats["HTML"].endswith("/open-data/")
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["geo_coverage"] == package["geo_coverage"] and extras["data_format"] == '["CSV", "JSON"]'
    assert package["name"].isascii() and " " not in package["name"]


def test_the_licence_comes_from_the_settings(make_app, settings, client):
    app = make_app(
        settings.with_(open_data_licence_name="CC BY 4.0", open_data_licence_url="https://cc.example/by")
    )
    seed(app)
    own = app.test_client()
    package = read_json(own.get("/open-data/metadata.json"))
    assert (package["license_title"], package["license_url"], package["license_id"]) == (
        "CC BY 4.0",
        "https://cc.example/by",
        "อื่นๆ",
    )
    assert "CC BY 4.0" in own.get("/open-data/").data.decode()


def test_the_dictionary_page_in_thai_and_english(app, client):
    now = seed(app)
    thai = client.get("/open-data/")
    assert thai.status_code == 200 and 'lang="th"' in thai.data.decode()
    page = thai.data.decode()
    assert t("opendata.page.title", "th") in page and "DGA Open Government License" in page
    assert DGA_LICENCE_URL in page
    for path in ("/open-data/reports.csv", "/open-data/reports.json", "/open-data/metadata.json"):
        assert f'href="{path}"' in page
    assert t("opendata.page.rows", "th", count=4) in page
    assert thai_date(now, "th") in page and str(now.year + 543) in thai_date(now, "th")  # Buddhist era
    english = client.get("/en/open-data/").data.decode()
    assert 'lang="en"' in english and t("opendata.page.title", "en") in english
    assert str(escape(t("opendata.column.agency", "en"))) in english
    assert (
        "style=" not in page and "<script" not in page and "http://" not in page.replace(DGA_LICENCE_URL, "")
    )


def test_without_an_active_campaign_there_is_nothing_to_download(client):
    assert client.get("/open-data/reports.csv").status_code == 404
    response = client.get("/open-data/")
    assert response.status_code == 404 and t("opendata.page.no_campaign", "th") in response.data.decode()


def test_a_download_being_sent_does_not_hold_up_the_bots_writes(seeded, client):
    response = client.get("/open-data/reports.csv", buffered=False)  # started, not yet read
    done = threading.Event()

    def write() -> None:
        set_consent(seeded, UNNAMED, True)
        done.set()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    assert done.wait(5), "a write waited for a download to finish"
    assert UNNAMED not in response.get_data().decode("utf-8-sig")  # the download's own snapshot
    response.close()
    assert UNNAMED in client.get("/open-data/reports.csv").data.decode("utf-8-sig")
