"""Who people can reach about the program: the active campaign file's [contact], said in the
reader's language (the "ติดต่อเจ้าหน้าที่" answer, and the last line of a refusal that needs a person)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.services.campaigns import active_campaign, campaign_contact


def _ways(contact: dict[str, str], language: str) -> str:
    ways = []
    if contact.get("phone"):
        ways.append(t("info.contact_phone", language, phone=contact["phone"]))
    if contact.get("email"):
        ways.append(t("info.contact_email", language, email=contact["email"]))
    return t("info.contact_or", language).join(ways)


def contact_answer(session: Session, language: str, now: datetime) -> str:
    """The answer to "ติดต่อเจ้าหน้าที่": the team's name, phone and e-mail, and opening hours."""
    contact = campaign_contact(active_campaign(session, now))
    if contact is None:
        return t("info.contact_none", language)
    text = t("info.contact", language, name=contact[f"name_{language}"], ways=_ways(contact, language))
    if contact.get(f"hours_{language}"):
        text += "\n" + t("info.contact_hours", language, hours=contact[f"hours_{language}"])
    return text


def contact_sentence(session: Session, language: str, now: datetime) -> str:
    """One sentence naming how to reach the team ("" when the campaign names no contact)."""
    contact = campaign_contact(active_campaign(session, now))
    if contact is None:
        return ""
    return t("info.contact_short", language, ways=_ways(contact, language))
