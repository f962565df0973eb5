"""Thai time for the program's services: the Bangkok time zone (the program's days, deadlines and
schedules are Bangkok's) and Buddhist-era years (Thai dates and report references write them)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.catalog import t

BANGKOK = ZoneInfo("Asia/Bangkok")
BUDDHIST_ERA_OFFSET = 543  # Buddhist era = Common era + 543


def buddhist_year(year: int) -> int:
    """A Common-era year in the Buddhist era: 2024 → 2567."""
    return year + BUDDHIST_ERA_OFFSET


def bangkok_date(moment: datetime) -> date:
    """The day it is in Bangkok at `moment` (an aware time)."""
    return moment.astimezone(BANGKOK).date()


def fiscal_year_be(day: date) -> int:
    """The Thai government's fiscal year (Buddhist era) a day falls in: it starts on 1 October."""
    return buddhist_year(day.year + 1 if day.month >= 10 else day.year)


def format_bangkok(moment: datetime) -> str:
    """For people: Bangkok time with a Buddhist-era year, "2569-12-02 09:00"."""
    local = moment.astimezone(BANGKOK)
    return f"{buddhist_year(local.year)}-{local:%m-%d %H:%M}"


def thai_date(moment: datetime, language: str) -> str:
    """A date as people read it: Buddhist-era year in Thai, Common Era in English."""
    local = moment.astimezone(BANGKOK)
    year = buddhist_year(local.year) if language == "th" else local.year
    month = t(f"invite.month_{local.month}", language)
    return t("invite.date", language, day=local.day, month=month, year=year)
