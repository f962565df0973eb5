"""The program's results (ผลการดำเนินงาน) as a card: the active campaign's verified tCO2e in all
and by activity type, and the agencies taking part against the campaign's target. When the public
results page exists, its address (`page_url`) adds a button to it under the same figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from linebot.v3.messaging import FlexContainer, FlexMessage, Message
from sqlalchemy.orm import Session

import calc
from handlers.catalog import label, t
from handlers.chat.cards import MAX_ALT_TEXT, bubble, button_footer, card_row, card_text
from handlers.chat.engine import assemble, fit_label
from handlers.chat.flows.agency_card import total_text
from handlers.services.agency_results import CampaignResults, campaign_results


def results_card(results: CampaignResults, language: str, page_url: str | None = None) -> dict[str, Any]:
    """The bubble for `results`, in `language`; with `page_url`, a button to the public page."""
    counted = {key: total for key, total in results.by_type.items() if total.reports}
    body: list[dict[str, Any]] = [
        card_text(t("agencyresults.campaign_total", language), color="#666666"),
        card_text(
            total_text(results.total, language)
            if results.total.reports
            else t("agencyresults.none_verified", language),
            weight="bold",
            size="xl",
            color="#06563E",
        ),
        card_text(t("agencyresults.by_type", language), weight="bold", margin="lg"),
    ]
    if not counted:
        body.append(card_text(t("agencyresults.none_verified", language)))
    for key, total in counted.items():
        kind = calc.activity_type(key)
        body.append(card_row(label(kind, language), total_text(total, language)))
    target = results.campaign.target_agencies
    body += [
        {"type": "separator", "margin": "lg"},
        card_text(
            t("agencyresults.agencies", language, count=results.agencies, target=target),
            weight="bold",
            margin="md",
        ),
        card_text(
            t("agencyresults.reporting_agencies", language, count=results.reporting_agencies), size="xs"
        ),
        card_text(t("agencyresults.verified_only", language), size="xs", color="#666666", margin="md"),
    ]
    footer = None
    if page_url:
        words = t("agencyresults.open_page", language)
        footer = button_footer({"type": "uri", "label": fit_label(words), "uri": page_url})
    name = label(results.campaign, language, field="name")
    return bubble(t("agencyresults.campaign_title", language), body, subtitle=name, footer=footer)


def results_answer(
    session: Session, language: str, now: datetime, page_url: str | None = None
) -> list[Message]:
    """The answer to "ผลการดำเนินงาน": the card, or how results are made while no round is active."""
    results = campaign_results(session, now)
    if results is None:
        return assemble([t("info.results", language)])
    total = total_text(results.total, language) if results.total.reports else "-"
    alt = t(
        "agencyresults.campaign_alt",
        language,
        total=total,
        count=results.agencies,
        target=results.campaign.target_agencies,
    )
    card = results_card(results, language, page_url)
    return [FlexMessage(alt_text=alt[:MAX_ALT_TEXT], contents=FlexContainer.from_dict(card))]
