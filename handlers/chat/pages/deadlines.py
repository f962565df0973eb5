"""The rich menu's "กำหนดส่ง" (deadlines) page, answered from the active campaign: each deadline
with its Bangkok date and time (Buddhist-era year in Thai) and how far off it is; for a
coordinator of an approved agency, what the agency still lacks for the next deadline that applies
to it, with the button that starts on it (the reminders' own lines, handlers/services/reminders.py). With
no campaign loaded it is the catalog's general text."""

from __future__ import annotations

from datetime import datetime

from linebot.v3.messaging import Message, QuickReply, QuickReplyItem
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import label, t
from handlers.chat.engine import assemble
from handlers.services.authz import approved_agency_of
from handlers.services.campaigns import active_campaign
from handlers.services.deadlines import AGENCY_KINDS, missing_by_agency
from handlers.services.reminders import due_text, lacking
from handlers.services.thaitime import BANGKOK
from storage.models import LineUser
from storage.models.program import CampaignDeadline


def _line(deadline: CampaignDeadline, today, language: str) -> str:
    days = (deadline.due_at.astimezone(BANGKOK).date() - today).days
    if days < 0:
        state = t("deadlines.passed", language)
    elif days == 0:
        state = t("deadlines.today", language)
    else:
        state = t("deadlines.days_left", language, days=days)
    return t(
        "deadlines.line",
        language,
        label=deadline.label(language),
        when=due_text(deadline, language),
        state=state,
    )


def deadlines_answer(session: Session, line_user_id: str, language: str, now: datetime) -> list[Message]:
    campaign = active_campaign(session, now)
    if campaign is None or not campaign.deadlines:
        return assemble([t("info.deadlines", language)])
    today = now.astimezone(BANGKOK).date()
    ordered = sorted(campaign.deadlines, key=lambda d: d.due_at)
    lines = [
        t("deadlines.heading", language, campaign=label(campaign, language, field="name")),
        *(_line(d, today, language) for d in ordered),
    ]
    texts, buttons = ["\n".join(lines)], []
    agency = approved_agency_of(session, line_user_id)
    upcoming = [d for d in ordered if d.due_at > now and d.kind in AGENCY_KINDS]
    if agency is not None and agency.campaign_id == campaign.id and upcoming:
        nearest = upcoming[0]
        missing = missing_by_agency(session, campaign, nearest).get(agency.id)
        nearest_label = nearest.label(language)
        if missing:
            lacks, buttons = lacking(nearest, agency.name, missing, language)
            texts.append("\n".join([t("deadlines.for_next", language, label=nearest_label), *lacks]))
        else:
            texts.append(t("deadlines.on_track", language, agency=agency.name, label=nearest_label))
    own = session.scalar(select(LineUser.reminder_days).where(LineUser.line_user_id == line_user_id))
    texts.append(
        t("deadlines.reminded_own", language, days=own) if own else t("deadlines.reminded", language)
    )
    quick = QuickReply(items=[QuickReplyItem.from_dict(b) for b in buttons]) if buttons else None
    return assemble(texts, quick)
