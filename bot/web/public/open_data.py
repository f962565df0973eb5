"""The open data: /open-data/reports.csv and .json (streamed, one row per approved report), the
data dictionary page (/open-data/, /en/open-data/) and the dataset's metadata for data.go.th
(/open-data/metadata.json). Rows and metadata come from handlers/services/open_data.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache

from flask import Response, current_app, request, url_for
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime import runtime
from bot.web.public.core import now, page, public_blueprint, transaction, use_language
from handlers.catalog import t
from handlers.services import open_data
from handlers.services.campaigns import active_campaign
from handlers.services.thaitime import thai_date
from storage.db import make_read_session_factory
from storage.models.program import Campaign

# Downloads may be a minute old: the figures behind them refresh within a minute anyway.
CACHE_CONTROL = "public, max-age=60"
# Open data: any site may fetch the files from a browser (no cookies are involved).
OPEN_TO_ALL = {"Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"}
# The metadata fields shown on the dictionary page, in the portal's order.
PAGE_FIELDS = ("title", "notes", "objective", "maintainer", "maintainer_email", "tags", "update_frequency",
               "geo_coverage", "data_source", "data_format", "category", "data_category", "license",
               "unit_of_measure", "calculation_method", "last_updated_date")  # fmt: skip


def _absolute(endpoint: str) -> str:
    base = runtime(current_app).settings.public_base_url
    if base:
        return base.rstrip("/") + url_for(endpoint)
    return url_for(endpoint, _external=True)


def _links() -> open_data.Links:
    return open_data.Links(
        page=_absolute("public.open_data_page"),
        csv=_absolute("public.open_data_csv"),
        json=_absolute("public.open_data_json"),
        metadata=_absolute("public.open_data_metadata"),
    )


def _licence() -> tuple[str, str]:
    settings = runtime(current_app).settings
    return settings.open_data_licence_name, settings.open_data_licence_url


@cache
def _sqlite_reads(engine: Engine) -> sessionmaker[Session]:
    return make_read_session_factory(engine)


def _streaming_sessions() -> sessionmaker[Session]:
    """Where a download reads from for as long as it takes to send. SQLite: a deferred read, which
    neither takes nor waits for the writers' lock (a slow download must not stop the webhook's
    writes). PostgreSQL: an ordinary transaction, which never blocks writers and lets the rows
    come through a server-side cursor in batches."""
    factory = runtime(current_app).session_factory
    engine = factory.kw["bind"]
    return _sqlite_reads(engine) if engine.dialect.name == "sqlite" else factory


def _stream(chunks: Iterator[str], mimetype: str, filename: str, etag: str) -> Response:
    response = Response(chunks, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers.update(OPEN_TO_ALL)
    response.set_etag(etag)
    return response


def _download(kind: str) -> Response:
    """The rows streamed from a session of their own (it outlives this request's handler)."""
    with transaction() as session:
        campaign = active_campaign(session, now())
        if campaign is None:
            return page("public/open_data.html", status=404, campaign=None)
        etag = open_data.fingerprint(session, campaign)
        campaign_id, slug = campaign.id, campaign.slug
        about = None
        if kind == "json":
            licence_name, licence_url = _licence()
            about = {
                "title": open_data.metadata(session, campaign, _links(), licence_name, licence_url)["title"],
                "dictionary": _absolute("public.open_data_page"),
                "license_title": licence_name,
                "license_url": licence_url,
            }
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers.update(OPEN_TO_ALL)
        return response
    factory = _streaming_sessions()

    def chunks() -> Iterator[str]:
        with factory() as session:
            campaign = session.get(Campaign, campaign_id)
            rows = open_data.rows(session, campaign)
            if kind == "csv":
                yield from open_data.csv_chunks(rows)
            else:
                yield from open_data.json_chunks(rows, about)

    if kind == "csv":
        return _stream(chunks(), "text/csv", f"ruamjai-{slug}-reports.csv", etag)
    return _stream(chunks(), "application/json", f"ruamjai-{slug}-reports.json", etag)


@public_blueprint.get("/open-data/reports.csv")
def open_data_csv() -> Response:
    return _download("csv")


@public_blueprint.get("/open-data/reports.json")
def open_data_json() -> Response:
    return _download("json")


@public_blueprint.get("/open-data/metadata.json")
def open_data_metadata() -> Response:
    with transaction() as session:
        campaign = active_campaign(session, now())
        if campaign is None:
            return page("public/open_data.html", status=404, campaign=None)
        package = open_data.metadata(session, campaign, _links(), *_licence())
    response = Response(json.dumps(package, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers.update(OPEN_TO_ALL)
    return response


@public_blueprint.get("/open-data/", defaults={"lang": "th"}, endpoint="open_data_page")
@public_blueprint.get("/en/open-data/", defaults={"lang": "en"}, endpoint="open_data_page_en")
def open_data_page(lang: str) -> Response:
    use_language(lang)
    with transaction() as session:
        campaign = active_campaign(session, now())
        if campaign is None:
            return page("public/open_data.html", status=404, campaign=None)
        licence_name, licence_url = _licence()
        package = open_data.metadata(session, campaign, _links(), licence_name, licence_url, language=lang)
        count = open_data.report_count(session, campaign)
        updated = open_data.last_approved(session, campaign)
    fields = _page_fields(package, lang)
    if updated is not None:  # people read dates in the Buddhist era (Thai) or as words (English)
        fields[-1] = (fields[-1][0], thai_date(updated, lang))
    return page(
        "public/open_data.html",
        campaign=campaign,
        columns=open_data.COLUMNS,
        fields=fields,
        count=count,
        licence_name=licence_name,
        licence_url=licence_url,
    )


def _page_fields(package: dict, lang: str) -> list[tuple[str, str]]:
    values = {
        **package,
        "objective": package["objective_text"],
        "tags": ", ".join(tag["name"] for tag in package["tags"]),
        "update_frequency": t("opendata.field.update_frequency_text", lang),
        "geo_coverage": t("opendata.field.geo_coverage_text", lang),
        "data_format": ", ".join(package["data_format"]),
        "license": f"{package['license_title']} ({package['license_url']})",
    }
    return [(t(f"opendata.field.{key}", lang), str(values[key])) for key in PAGE_FIELDS]
