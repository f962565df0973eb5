"""The program's open data: one row per approved report of an approved agency in the active
campaign, as CSV (UTF-8 with a BOM, for Excel) and JSON, streamed; its data dictionary and the
dataset's metadata in the fields Thailand's open-data portal (data.go.th, CKAN) asks for.

Nothing personal leaves here: no person's name, phone or LINE id, no place address or GPS, no
reviewer, no free text from a report (free-text inputs such as a species' name are left out). An
agency is named only when it agreed (`show_name_publicly`); otherwise its type and province say
what it is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import calc
from handlers.catalog import default_catalog, label, t
from handlers.services.agencies import province_name
from handlers.services.campaigns import campaign_contact
from handlers.services.less_workbook import t_co2e
from handlers.services.report_reference import reference
from handlers.services.thaitime import bangkok_date
from storage.models.program import Agency, Campaign
from storage.models.reports import Report

BOM = "\ufeff"
# Rows fetched from the database at a time, and written out at a time.
BATCH = 1000
# Bumped when the columns change, so caches keyed by the ETag do not serve the old shape.
SCHEMA_VERSION = "1"
# A text cell starting with one of these is a formula to a spreadsheet: it gets a leading "'".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the data: its name, its JSON type and its unit (None: none)."""

    name: str
    # string | boolean | date (ISO) | decimal (a number) | decimal_text (exact digits as text) |
    # object | array
    kind: str
    unit: str | None = None


COLUMNS: tuple[Column, ...] = (
    Column("reference", "string"),
    Column("agency", "string"),
    Column("agency_named", "boolean"),
    Column("agency_type", "string"),
    Column("agency_type_th", "string"),
    Column("agency_type_en", "string"),
    Column("province_code", "string"),
    Column("province_th", "string"),
    Column("province_en", "string"),
    Column("activity_type", "string"),
    Column("activity_th", "string"),
    Column("activity_en", "string"),
    Column("period_start", "date"),
    Column("period_end", "date"),
    Column("inputs", "object"),
    Column("t_co2e", "decimal", "tCO2e"),
    Column("kg_co2e", "decimal_text", "kgCO2e"),
    Column("factors", "array"),
    Column("method_th", "string"),
    Column("method_en", "string"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


def _approved(campaign_id: int) -> tuple:
    return (Agency.campaign_id == campaign_id, Agency.status == "approved")


def fingerprint(session: Session, campaign: Campaign) -> str:
    """Changes whenever the data would: a report approved or changed, an agency's name, type,
    province or consent changed, the campaign reloaded. The downloads' ETag."""
    reports = session.execute(
        select(func.count(Report.id), func.max(Report.id), func.max(Report.updated_at))
        .join(Agency, Agency.id == Report.agency_id)
        .where(*_approved(campaign.id), Report.status == "approved")
    ).one()
    agencies = session.execute(
        select(Agency.id, Agency.name, Agency.show_name_publicly, Agency.agency_type, Agency.province_code)
        .where(*_approved(campaign.id))
        .order_by(Agency.id)
    ).all()
    digest = hashlib.sha256()
    for part in (SCHEMA_VERSION, campaign.id, campaign.content_hash, *reports, *agencies):
        digest.update(repr(part).encode())
    return digest.hexdigest()[:32]


def report_count(session: Session, campaign: Campaign) -> int:
    """How many reports the data holds."""
    return session.scalar(
        select(func.count(Report.id))
        .join(Agency, Agency.id == Report.agency_id)
        .where(*_approved(campaign.id), Report.status == "approved")
    )


def last_approved(session: Session, campaign: Campaign) -> datetime | None:
    """When the latest counted report was approved (None: none yet)."""
    return session.scalar(
        select(func.max(Report.reviewed_at))
        .join(Agency, Agency.id == Report.agency_id)
        .where(*_approved(campaign.id), Report.status == "approved")
    )


def _agency_columns(agency: Agency) -> dict[str, Any]:
    types = {language: t(f"register.type_{agency.agency_type}", language) for language in ("th", "en")}
    province = {language: province_name(agency.province_code, language) for language in ("th", "en")}
    if agency.show_name_publicly:
        shown = agency.name
    else:
        shown = t("opendata.agency_unnamed", "th", type=types["th"], province=province["th"])
    return {
        "agency": shown,
        "agency_named": bool(agency.show_name_publicly),
        "agency_type": agency.agency_type,
        "agency_type_th": types["th"],
        "agency_type_en": types["en"],
        "province_code": agency.province_code,
        "province_th": province["th"],
        "province_en": province["en"],
    }


@dataclass(frozen=True)
class _Activity:
    columns: dict[str, str]
    public_fields: frozenset[str]  # quantity and choice fields: never free text


def _activity(key: str) -> _Activity:
    try:
        activity = calc.activity_type(key)
    except calc.InputError:
        return _Activity(
            {"activity_th": key, "activity_en": key, "method_th": "", "method_en": ""}, frozenset()
        )
    method = f"less.method.{key}"
    columns = {
        "activity_th": label(activity, "th"),
        "activity_en": label(activity, "en"),
        "method_th": t(method, "th") if _has(method) else "",
        "method_en": t(method, "en") if _has(method) else "",
    }
    return _Activity(columns, frozenset(f.name for f in activity.fields if f.kind != "text"))


def _has(key: str) -> bool:
    return default_catalog().has(key)


def public_inputs(inputs: dict[str, Any], public_fields: frozenset[str]) -> dict[str, Any]:
    """The declared quantity and choice inputs only: free text and anything undeclared stay out."""
    shown: dict[str, Any] = {}
    for name, value in inputs.items():
        if name not in public_fields:
            continue
        if isinstance(value, dict):
            shown[name] = {"value": str(value["value"]), "unit": str(value["unit"])}
        elif isinstance(value, str):
            shown[name] = value
    return shown


def _factors(result_json: str) -> list[str]:
    result = json.loads(result_json)
    return list(dict.fromkeys(f"{f['dataset']}@{f['version']}" for f in result.get("factors_used", ())))


def rows(session: Session, campaign: Campaign) -> Iterator[dict[str, Any]]:
    """Every counted report as a row (COLUMNS' names), oldest reference first, fetched in batches."""
    agencies = {
        agency.id: _agency_columns(agency)
        for agency in session.scalars(select(Agency).where(*_approved(campaign.id)))
    }
    activities: dict[str, _Activity] = {}
    query = (
        select(
            Report.agency_id,
            Report.year_be,
            Report.sequence,
            Report.activity_key,
            Report.period_start,
            Report.period_end,
            Report.inputs,
            Report.result,
            Report.kg_co2e,
        )
        .join(Agency, Agency.id == Report.agency_id)
        .where(*_approved(campaign.id), Report.status == "approved")
        .order_by(Report.year_be, Report.sequence)
        .execution_options(yield_per=BATCH)
    )
    for report in session.execute(query):
        activity = activities.get(report.activity_key)
        if activity is None:
            activity = activities[report.activity_key] = _activity(report.activity_key)
        kg = Decimal(report.kg_co2e) if report.kg_co2e is not None else None
        yield {
            "reference": reference(report),
            **agencies[report.agency_id],
            "activity_type": report.activity_key,
            "activity_th": activity.columns["activity_th"],
            "activity_en": activity.columns["activity_en"],
            "period_start": report.period_start,
            "period_end": report.period_end,
            "inputs": public_inputs(json.loads(report.inputs), activity.public_fields),
            "t_co2e": t_co2e(kg) if kg is not None else None,
            "kg_co2e": kg,
            "factors": _factors(report.result),
            "method_th": activity.columns["method_th"],
            "method_en": activity.columns["method_en"],
        }


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Any) -> str:
    if type(value) is str:  # most cells: checked first
        return _safe_text(value) if value else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        return "; ".join(value)
    return _safe_text(str(value))


def csv_chunks(data: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The rows as CSV for Excel: a BOM, a header, CRLF line ends, quoted where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMN_NAMES)
    for number, row in enumerate(data, start=1):
        writer.writerow([_csv_cell(row[name]) for name in COLUMN_NAMES])
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # tCO2e has three decimals, which a float keeps exactly; kgCO2e's exact digits stay text.
        return float(value) if name == "t_co2e" else format(value, "f")
    return value


def json_chunks(data: Iterator[dict[str, Any]], about: dict[str, Any]) -> Iterator[str]:
    """{"about": …, "columns": [...], "rows": [...]} written a batch of rows at a time."""
    head = json.dumps({"about": about, "columns": list(COLUMN_NAMES)}, ensure_ascii=False)
    parts = [head[:-1] + ', "rows": [\n']
    for number, row in enumerate(data):
        line = json.dumps({name: _json_value(name, row[name]) for name in COLUMN_NAMES}, ensure_ascii=False)
        parts.append(("," if number else "") + line + "\n")
        if len(parts) >= BATCH:
            yield "".join(parts)
            parts = []
    parts.append("]}\n")
    yield "".join(parts)


# data.go.th's dataset schema (ckanext-thai_gdc, ckan_dataset.json): these values are the
# portal's own choices, in Thai as the portal stores them.
PORTAL_DATA_TYPE = "ข้อมูลสถิติ"
PORTAL_OBJECTIVE = "พันธกิจหน่วยงาน"
PORTAL_UPDATE_UNIT = "ตามเวลาจริง"
PORTAL_GEO_COVERAGE = "ประเทศ"
PORTAL_DATA_CATEGORY = "ข้อมูลสาธารณะ"
PORTAL_CLASSIFICATION = "เปิดเผย"
PORTAL_LANGUAGES = ("ไทย", "อังกฤษ")
PORTAL_DISAGGREGATE = "ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่"
PORTAL_MULTIPLIER = "หน่วย"
PORTAL_NO_CONDITION = "ไม่มี"
# The portal's licence choice for its own Open Government licence, and any other licence.
PORTAL_DGA_LICENCE_ID, PORTAL_OTHER_LICENCE_ID = "Open Data Common", "อื่นๆ"
# The default licence (OPEN_DATA_LICENCE_NAME / _URL): DGA's terms for open government data.
DGA_LICENCE_NAME = "DGA Open Government License (ข้อกำหนดและเงื่อนไขการอนุญาตให้ใช้ข้อมูลภาครัฐแบบเปิดของ สพร.)"
DGA_LICENCE_URL = "https://data.go.th/pages/dga-open-government-license"


@dataclass(frozen=True)
class Links:
    """Where the data and its dictionary are served (absolute when the public address is known)."""

    page: str
    csv: str
    json: str
    metadata: str


def metadata(
    session: Session,
    campaign: Campaign,
    links: Links,
    licence_name: str,
    licence_url: str,
    language: str = "th",
) -> dict[str, Any]:
    """The dataset's description as CKAN's package_create takes it, with data.go.th's own fields
    both at the top level (how the portal's schema stores them) and as `extras`. The portal's
    fixed choices stay in Thai; the texts are in `language`."""
    contact = campaign_contact(campaign) or {}
    approved_at = last_approved(session, campaign)
    names = {"campaign": label(campaign, language, field="name"), "year": campaign.year_be}
    portal = {
        "data_type": PORTAL_DATA_TYPE,
        "objective": [PORTAL_OBJECTIVE],
        "objective_text": t("opendata.meta.objective", language, **names),
        "update_frequency_unit": PORTAL_UPDATE_UNIT,
        "update_frequency_interval": "",
        "geo_coverage": PORTAL_GEO_COVERAGE,
        "data_source": t("opendata.meta.source", language, **names),
        "data_format": ["CSV", "JSON"],
        "data_category": PORTAL_DATA_CATEGORY,
        "data_classification": PORTAL_CLASSIFICATION,
        "data_language": list(PORTAL_LANGUAGES),
        "category": t("opendata.meta.category", language),
        "disaggregate": [PORTAL_DISAGGREGATE],
        "unit_of_measure": t("opendata.meta.unit", language),
        "unit_of_multiplier": PORTAL_MULTIPLIER,
        "calculation_method": t("opendata.meta.calculation", language),
        "accessible_condition": PORTAL_NO_CONDITION,
        "first_year_of_data": str(campaign.year_be),
        "last_year_of_data": str(campaign.year_be),
        "last_updated_date": bangkok_date(approved_at).isoformat() if approved_at else "",
        "allow_harvest": "True",
    }
    package: dict[str, Any] = {
        "name": f"ruamjai-{campaign.slug}-reports".lower(),
        "title": t("opendata.meta.title", language, **names),
        "notes": t("opendata.meta.notes", language, **names),
        "url": links.page,
        "tags": [{"name": tag} for tag in t("opendata.meta.tags", language).split(", ")],
        "license_id": PORTAL_DGA_LICENCE_ID if licence_url == DGA_LICENCE_URL else PORTAL_OTHER_LICENCE_ID,
        "license_title": licence_name,
        "license_url": licence_url,
        "maintainer": contact.get(f"name_{language}", contact.get("name_th", "")),
        "maintainer_email": contact.get("email", ""),
        "resources": [
            {"url": links.csv, "format": "CSV", "name": t("opendata.meta.resource_csv", language)},
            {"url": links.json, "format": "JSON", "name": t("opendata.meta.resource_json", language)},
            {"url": links.page, "format": "HTML", "name": t("opendata.meta.resource_dictionary", language)},
        ],
        **portal,
        "extras": [
            {"key": key, "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}
            for key, value in portal.items()
        ],
    }
    return package
