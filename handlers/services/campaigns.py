"""The program's campaigns as stored: the one active campaign and what it sets (activity types,
evidence photos per report, whom people contact). Campaign files are loaded by
handlers/services/campaign_files.py."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.program import Campaign

# Evidence photos per report when the campaign file says nothing (the program asks for at least one).
PHOTOS_MIN_DEFAULT, PHOTOS_MAX_DEFAULT = 1, 10


def active_campaign(session: Session, now: datetime) -> Campaign | None:
    """The one active campaign, or None (registration still works; agencies join the next one)."""
    return session.scalars(select(Campaign).where(Campaign.active.is_(True)).order_by(Campaign.id)).first()


def activity_types_of(campaign: Campaign) -> list[str]:
    return json.loads(campaign.activity_types)


def photo_limits(campaign: Campaign | None) -> tuple[int, int]:
    """(fewest, most) evidence photos a report takes in this campaign (the defaults without one)."""
    if campaign is None:
        return PHOTOS_MIN_DEFAULT, PHOTOS_MAX_DEFAULT
    return campaign.photos_min or PHOTOS_MIN_DEFAULT, campaign.photos_max or PHOTOS_MAX_DEFAULT


def campaign_contact(campaign: Campaign | None) -> dict[str, str] | None:
    """The campaign file's [contact] (name_th, name_en, phone, email, hours_th, hours_en), if any."""
    if campaign is None or not campaign.contact:
        return None
    return json.loads(campaign.contact)
