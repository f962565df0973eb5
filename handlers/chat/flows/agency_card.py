"""The "my agency" card of an approved agency (handlers.services.agency_results): totals by activity type
and by report status, the five latest reports and what is missing before the next deadline, with
a "share our results" button; and the share image message that button asks for."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from linebot.v3.messaging import ImageMessage, Message, TextMessage
from sqlalchemy.orm import Session

import calc
from handlers.catalog import label, t
from handlers.chat.cards import MAX_ALT_TEXT, bubble, button_footer, card_row, card_text
from handlers.chat.engine import postback_data, refusal_text
from handlers.chat.flows.report_summary import tonnes_text
from handlers.services.agency_results import COUNTED, SHARE_URL_SECONDS, AgencyResults, Total, verified_kg
from handlers.services.authz import require_coordinator
from handlers.services.refusals import Refused
from handlers.services.reports import reference
from handlers.services.thaitime import thai_date
from storage.media import MediaStore, public_https_base

MAX_REFS = 10  # references named per missing item
SHARE_POSTBACK = {"a": "share", "k": "agency"}
DrawShare = Callable[[str, str, str, str], bytes]  # (title, agency, total, unit) -> JPEG bytes


def total_text(total: Total, language: str) -> str:
    """1.234 tCO2e; a result that waits for an emission factor is said so, never shown as 0."""
    if total.reports == 0:
        return "-"
    if total.needs_factor == total.reports:
        return t("agencyresults.needs_factor_only", language, count=total.needs_factor)
    tonnes = tonnes_text(total.kg)
    if total.needs_factor:
        return t("agencyresults.plus_needs_factor", language, tonnes=tonnes, count=total.needs_factor)
    return t("agencyresults.tonnes", language, tonnes=tonnes)


def _heading(text: str) -> dict[str, Any]:
    return card_text(text, weight="bold", margin="lg")


def _missing_lines(results: AgencyResults, language: str) -> list[str]:
    if not results.missing:
        return [t("agencyresults.on_track", language)]
    return [
        t(f"agencyresults.missing_{item.code}", language, refs=refs_text(item.references, language))
        for item in results.missing
    ]


def refs_text(references: tuple[str, ...], language: str) -> str:
    """R-2567-00001, R-2567-00002 … and how many more (the card stays within LINE's size limit)."""
    shown = ", ".join(references[:MAX_REFS])
    if len(references) > MAX_REFS:
        shown += " " + t("agencyresults.and_more", language, count=len(references) - MAX_REFS)
    return shown


def agency_card(turn, results: AgencyResults) -> tuple[dict[str, Any], str]:
    """(bubble, alt text) for `results`, in the turn's language."""
    language = turn.language
    body: list[dict[str, Any]] = [_heading(t("agencyresults.by_type", language))]
    if not results.by_type:
        body.append(card_text(t("agencyresults.none_yet", language)))
    for key, total in results.by_type.items():
        kind = calc.activity_type(key)
        body.append(card_row(label(kind, language), total_text(total, language)))
    body.append(_heading(t("agencyresults.by_status", language)))
    for status in COUNTED:
        status_words = t(f"reporting.status.{status}", language)
        body.append(card_row(status_words, total_text(results.by_status[status], language)))
    if results.latest:
        body.append(_heading(t("agencyresults.latest", language)))
    for report in results.latest:
        kind = calc.activity_type(report.activity_key)
        line = t(
            "agencyresults.report_line",
            language,
            ref=reference(report),
            type=label(kind, language),
            status=t(f"reporting.status.{report.status}", language),
            date=thai_date(report.created_at, turn.language),
        )
        body.append(card_text(line, size="xs"))
    body.append({"type": "separator", "margin": "lg"})
    deadline = results.deadline
    if deadline is None:
        body.append(card_text(t("agencyresults.no_deadline", language), margin="md"))
    else:
        when = thai_date(deadline.due_at, turn.language)
        body.append(
            _heading(t("agencyresults.deadline", language, label=label(deadline, language), date=when))
        )
        body += [card_text(line, size="xs") for line in _missing_lines(results, language)]
    lor = t("lor.card.status_line", language, status=t(f"lor.status.{results.lor_status}", language))
    body.append(card_text(lor, size="sm", margin="md"))
    shown = {
        "name": t(f"publicity.name_{'yes' if results.agency.show_name_publicly else 'no'}", language),
        "photos": t(f"publicity.photos_{'yes' if results.agency.show_photos_publicly else 'no'}", language),
    }
    body.append(card_text(t("publicity.card_line", language, **shown), size="xs", color="#666666"))
    share = t("agencyresults.share", language)
    action = {
        "type": "postback",
        "label": share[:40],
        "data": postback_data(**SHARE_POSTBACK),
        "displayText": share,
    }
    # Whether the agency is named and its photos shown publicly, chosen in the "publicity" flow.
    public = t("publicity.title", language)
    publicity = {"type": "postback", "label": public[:40], "data": postback_data(a="start", f="publicity")}
    publicity["displayText"] = public
    card = bubble(
        t("agencyresults.title", language),
        body,
        subtitle=results.agency.name,
        footer=button_footer(action, publicity),
    )
    verified = total_text(results.by_status["approved"], language)
    alt = t("agencyresults.alt", language, agency=results.agency.name, verified=verified)
    return card, alt[:MAX_ALT_TEXT]


def is_share_tap(data: dict[str, str]) -> bool:
    return all(data.get(key) == value for key, value in SHARE_POSTBACK.items())


def share_messages(
    session: Session,
    line_user_id: str,
    language: str,
    media: MediaStore | None,
    draw: DrawShare | None,
    links_base_url: str | None = None,
) -> list[Message]:
    """The agency's share image (its approved total), stored in the media store under a key named
    by its content (tapping twice stores nothing new), sent with signed URLs. LINE opens only
    public HTTPS links (or the demo's own address, `links_base_url`); without one the coordinator
    is told plainly that sharing is not set up (staff are told at start-up), never to try later."""
    try:
        agency = require_coordinator(session, line_user_id)
    except Refused as refusal:
        return [TextMessage(text=refusal_text(refusal, language))]
    if media is None or draw is None:
        return [TextMessage(text=t("agencyresults.share_not_set_up", language))]
    total = verified_kg(session, agency.id)
    shown = tonnes_text(total.kg)
    title, unit = t("agencyresults.share_title", language), t("agencyresults.share_unit", language)
    digest = hashlib.sha256(json.dumps([title, agency.name, shown, unit]).encode()).hexdigest()[:16]
    key = f"shares/agency-{agency.id}-{digest}.jpg"
    url = media.signed_url(key, SHARE_URL_SECONDS)
    opens = public_https_base(url) or (links_base_url and url.startswith(links_base_url + "/"))
    if not opens:
        return [TextMessage(text=t("agencyresults.share_not_set_up", language))]
    if media.get(key) is None:
        media.put(key, draw(title, agency.name, shown, unit), "image/jpeg")
    return [
        ImageMessage(originalContentUrl=url, previewImageUrl=url),
        TextMessage(text=t("agencyresults.share_ready", language)),
    ]
