"""`/board` (and `/en/board`): the exhibition board for the booth's big screen (1920×1080): the
campaign's verified total counting up as reports are approved, agencies joined against the
target, one approved activity at a time (its photo only where the agency agreed) and a large QR
code to add the LINE account.

The page is complete as served (figures drawn on the server, a `<noscript>` refresh every minute).
With JavaScript, `board.js` polls `/board.json` and updates it in place, never reloading; when the
network drops it keeps the last figures and retries with backoff. Figures come from
handlers.services.public_results: approved reports only, names and photos only by consent.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Response, current_app, jsonify, url_for

import calc
from bot.runtime import runtime
from bot.web.headers import content_security_policy, media_origin
from bot.web.public.core import (
    language,
    line_account,
    now,
    page,
    public_blueprint,
    say,
    transaction,
    use_language,
)
from handlers.catalog import label
from handlers.parsing import format_number
from handlers.parsing.periods import Period, format_period
from handlers.services import public_results
from handlers.services.agencies import province_name
from handlers.services.public_results import Highlight, PublicFigures
from handlers.services.thaitime import BANGKOK

# How often the page asks for new figures (seconds), and how long a photo link it gets lasts: a
# link outlives several rotations, and every poll brings fresh ones.
POLL_SECONDS = 12
PHOTO_URL_SECONDS = 900
# Without JavaScript the page reloads itself this often (the highlight moves on each time).
NOSCRIPT_REFRESH_SECONDS = 60
HIGHLIGHTS_SHOWN = 12
BANGKOK_CODE = "10"


def tonnes(kg: Decimal) -> str:
    return format_number(kg / 1000, max_decimals=2)


def period_text(start: date, end: date, lang: str) -> str:
    """ "มิ.ย. 2567" for whole months, "1–15 มิ.ย. 2567" otherwise (Buddhist era in Thai)."""
    precision = "month" if start.day == 1 and _last_day(end) else "day"
    return format_period(Period(start, end, precision), lang)


def _last_day(day: date) -> bool:
    return date.fromordinal(day.toordinal() + 1).month != day.month


def photo_url(key: str | None) -> str | None:
    store = runtime(current_app).media
    if key is None or store is None:
        return None
    return store.signed_url(key, PHOTO_URL_SECONDS)


def place(code: str, lang: str) -> str:
    """ "จังหวัดเชียงใหม่", but "กรุงเทพมหานคร" (never จังหวัด); "Chiang Mai province" in English."""
    key = "public.board.bangkok" if code == BANGKOK_CODE else "public.board.province"
    return say(key, province=province_name(code, lang))


def highlight_view(item: Highlight, lang: str) -> dict[str, object]:
    """What the board shows of one approved activity: no person, a name only by consent."""
    kind = calc.activity_type(item.activity_key)
    return {
        "id": item.report_id,
        "activity": label(kind, lang),
        "province": place(item.province_code, lang),
        "agency": item.agency_name,
        "tonnes": say("public.board.tonnes", tonnes=tonnes(item.kg)),
        "period": period_text(item.period_start, item.period_end, lang),
        "photo": photo_url(item.photo_key),
    }


def board_view(figures: PublicFigures | None, lang: str, moment: datetime) -> dict[str, object]:
    """Everything the board shows, as the page renders it and as `/board.json` sends it."""
    if figures is None:
        return {"ready": False, "updated": "", "total_kg": "0", "total": "0", "agencies": 0, "target": 0}
    highlights = [highlight_view(item, lang) for item in figures.highlights[:HIGHLIGHTS_SHOWN]]
    updated = figures.computed_at.astimezone(BANGKOK).strftime("%H:%M")
    return {
        "ready": True,
        "campaign": figures.campaign_name_th if lang == "th" else figures.campaign_name_en,
        "total_kg": str(figures.total_kg),
        "total": tonnes(figures.total_kg),
        "reports": figures.reports,
        "reports_text": say("public.board.reports", count=format_number(figures.reports)),
        "agencies": figures.agencies,
        "target": figures.target,
        "percent": min(100, round(100 * figures.agencies / figures.target)) if figures.target else 0,
        "highlights": highlights,
        # Without JavaScript, each refresh shows the next activity.
        "first": (int(moment.timestamp()) // NOSCRIPT_REFRESH_SECONDS) % len(highlights) if highlights else 0,
        "updated": say("public.board.updated", time=updated),
    }


def _figures() -> tuple[PublicFigures | None, datetime]:
    moment = now()
    with transaction() as session:
        return public_results.current(session, moment), moment


@public_blueprint.get("/board", endpoint="board")
@public_blueprint.get("/en/board", endpoint="board_en", defaults={"lang": "en"})
def board_page(lang: str = "th") -> Response:
    use_language(lang)
    figures, moment = _figures()
    view = board_view(figures, language(), moment)
    _link, qr = line_account()
    response = page(
        "public/board.html",
        board=view,
        qr=qr,
        basic_id=runtime(current_app).settings.line_basic_id,
        poll_seconds=POLL_SECONDS,
        refresh_seconds=NOSCRIPT_REFRESH_SECONDS,
        json_url=url_for("public.board_json_en" if language() == "en" else "public.board_json"),
    )
    # Photos may come from object storage on another host.
    origin = media_origin(current_app)
    response.headers["Content-Security-Policy"] = content_security_policy([origin] if origin else [])
    response.headers["Cache-Control"] = "no-store"
    return response


@public_blueprint.get("/board.json", endpoint="board_json")
@public_blueprint.get("/en/board.json", endpoint="board_json_en", defaults={"lang": "en"})
def board_json(lang: str = "th") -> Response:
    use_language(lang)
    figures, moment = _figures()
    response = jsonify(board_view(figures, language(), moment))
    response.headers["Cache-Control"] = "no-store"
    return response
