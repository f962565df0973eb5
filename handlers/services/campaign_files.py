"""A campaign file: one round of the program as data (a TOML file), validated and loaded whole.

File format (see campaign_data/ruamjai-2567.toml, the program document's round):

    [campaign]   slug, name_th, name_en, year_be, target_agencies, activity_types (calc keys),
                 photos_min, photos_max (optional: evidence photos per report, default 1 and 10)
    [[phases]]   key, name_th, name_en, starts, ends            (TOML dates)
    [[deadlines]] kind, due (Bangkok local date-time), applies_to, label_th, label_en,
                  remind_days (optional: days before `due` to remind, default [7, 3, 1])
    [[posts]]    phase, day, time, post, segment (optional: the content calendar, see
                 handlers/services/campaign_posts.py)
    [contact]    name_th, name_en, and at least one of phone, email; hours_th with hours_en
                 (optional: who people reach with "ติดต่อเจ้าหน้าที่")

`load_campaign` lists every problem with its line and loads nothing when there is one; loading the
same content again changes nothing; the campaign loaded becomes the one active campaign, and
agencies registered while none was active join it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from calc import activity_types
from handlers.services.campaign_posts import sync_scheduled_posts, validate_posts
from handlers.services.campaigns import PHOTOS_MAX_DEFAULT, PHOTOS_MIN_DEFAULT
from handlers.services.thaitime import BANGKOK, BUDDHIST_ERA_OFFSET, buddhist_year, fiscal_year_be
from storage.models.program import Agency, Campaign, CampaignDeadline, CampaignPhase

EXAMPLE_CAMPAIGN = Path(__file__).parent.parent / "campaign_data" / "ruamjai-2567.toml"
DEADLINE_KINDS = ("registration", "report", "evidence", "event", "other")
AUDIENCES = ("all", "subscribers", "coordinators", "pending_agencies", "approved_agencies")
PHOTOS_CEILING = 30  # the most evidence photos a campaign file may ask for
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class LoadReport:
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False
    campaign_id: int | None = None
    slug: str | None = None
    posts_waiting: int = 0  # the file's posts scheduled and not yet gone out (when changed)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Lines:
    """Where each table and key sits in the file, for messages that point at a line."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.where: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = header.group(2)
                index = counts.get(table, 0)
                counts[table] = index + 1
                self.where[(table, index, "")] = number
                continue
            key = _KEY.match(line)
            if key:
                self.where.setdefault((table, index, key.group(1)), number)

    def of(self, table: str, index: int = 0, key: str = "") -> int | None:
        return self.where.get((table, index, key)) or self.where.get((table, index, ""))

    def of_item(self, table: str, index: int, key: str, item: object) -> int | None:
        """The line of one element of a list written over several lines."""
        start = self.of(table, index, key)
        if start is None:
            return None
        quoted = f'"{item}"'
        for number in range(start, len(self.lines) + 1):
            if quoted in self.lines[number - 1]:
                return number
            if "]" in self.lines[number - 1]:
                break
        return start


def _read_text(source: Path | str) -> tuple[str, str]:
    if isinstance(source, Path):
        return source.read_text(encoding="utf-8"), source.name
    return source, "<text>"


def validate_campaign(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The campaign's meaning as plain data, or None with every problem found (line numbers)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_ERROR_LINE.search(str(error))
        return None, [Problem(int(found.group(1)) if found else None, f"not valid TOML: {error}")]
    lines = _Lines(text)
    problems: list[Problem] = []

    def problem(table: str, index: int, key: str, message: str) -> None:
        problems.append(Problem(lines.of(table, index, key), message))

    for name in raw:
        if name not in ("campaign", "phases", "deadlines", "posts", "contact"):
            problems.append(Problem(lines.of(name), f"unknown table [{name}]"))

    def text_field(table: str, index: int, entry: dict, key: str, limit: int = 300) -> str | None:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problem(table, index, key, f"{table}: {key} must be non-empty text")
            return None
        if len(value) > limit:
            problem(table, index, key, f"{table}: {key} is longer than {limit} characters")
            return None
        return value.strip()

    def unknown_keys(table: str, index: int, entry: dict, allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                problem(table, index, key, f"{table}: unknown field {key!r}")

    campaign = raw.get("campaign")
    meaning: dict[str, Any] = {"phases": [], "deadlines": []}
    if not isinstance(campaign, dict):
        problems.append(Problem(None, "the [campaign] table is missing"))
        campaign = {}
    else:
        unknown_keys(
            "campaign",
            0,
            campaign,
            {
                "slug",
                "name_th",
                "name_en",
                "year_be",
                "target_agencies",
                "activity_types",
                "photos_min",
                "photos_max",
            },
        )
    slug = campaign.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        problem("campaign", 0, "slug", "campaign: slug must be lower-case letters, digits and dashes")
    meaning["slug"] = slug
    meaning["name_th"] = text_field("campaign", 0, campaign, "name_th")
    meaning["name_en"] = text_field("campaign", 0, campaign, "name_en")
    year = campaign.get("year_be")
    if not isinstance(year, int) or isinstance(year, bool) or not 2560 <= year <= 2700:
        problem("campaign", 0, "year_be", "campaign: year_be must be a Buddhist-era year such as 2567")
        year = None
    meaning["year_be"] = year
    target = campaign.get("target_agencies")
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= 100000:
        problem("campaign", 0, "target_agencies", "campaign: target_agencies must be a whole number ≥ 1")
    meaning["target_agencies"] = target
    known = {a.key for a in activity_types()}
    types = campaign.get("activity_types")
    if not isinstance(types, list) or not types:
        problem("campaign", 0, "activity_types", "campaign: activity_types must be a non-empty list")
        types = []
    for value in types:
        if value not in known:
            problems.append(
                Problem(
                    lines.of_item("campaign", 0, "activity_types", value),
                    f"campaign: unknown activity type {value!r} (known: {', '.join(sorted(known))})",
                )
            )
    if len(set(map(str, types))) != len(types):
        problem("campaign", 0, "activity_types", "campaign: an activity type is listed twice")
    meaning["activity_types"] = list(types)
    _photo_limits(campaign, meaning, problem)

    phases = raw.get("phases", [])
    if not isinstance(phases, list) or not phases:
        problems.append(Problem(None, "at least one [[phases]] entry is needed"))
        phases = []
    seen: set[str] = set()
    for index, phase in enumerate(phases):
        unknown_keys("phases", index, phase, {"key", "name_th", "name_en", "starts", "ends"})
        key = text_field("phases", index, phase, "key", 16)
        if key in seen:
            problem("phases", index, "key", f"phases: key {key!r} is used twice")
        seen.add(key or "")
        starts, ends = phase.get("starts"), phase.get("ends")
        for name, value in (("starts", starts), ("ends", ends)):
            if not isinstance(value, date) or isinstance(value, datetime):
                problem("phases", index, name, f"phases: {name} must be a date such as 2024-05-01")
        if isinstance(starts, date) and isinstance(ends, date) and starts > ends:
            problem("phases", index, "ends", "phases: ends is before starts")
        if year and isinstance(starts, date) and abs(buddhist_year(starts.year) - year) > 1:
            problem("phases", index, "starts", f"phases: {starts} is far from the campaign's year {year}")
        meaning["phases"].append(
            {
                "key": key,
                "name_th": text_field("phases", index, phase, "name_th"),
                "name_en": text_field("phases", index, phase, "name_en"),
                "starts": starts.isoformat() if isinstance(starts, date) else None,
                "ends": ends.isoformat() if isinstance(ends, date) else None,
            }
        )

    deadlines = raw.get("deadlines", [])
    if not isinstance(deadlines, list):
        problems.append(Problem(lines.of("deadlines"), "deadlines must be [[deadlines]] entries"))
        deadlines = []
    for index, deadline in enumerate(deadlines):
        unknown_keys(
            "deadlines", index, deadline, {"kind", "due", "applies_to", "label_th", "label_en", "remind_days"}
        )
        kind = deadline.get("kind")
        if kind not in DEADLINE_KINDS:
            problem("deadlines", index, "kind", f"deadlines: kind must be one of {', '.join(DEADLINE_KINDS)}")
        audience = deadline.get("applies_to")
        if audience not in AUDIENCES:
            problem(
                "deadlines",
                index,
                "applies_to",
                f"deadlines: applies_to must be one of {', '.join(AUDIENCES)}",
            )
        due = deadline.get("due")
        due_utc = None
        if not isinstance(due, datetime):
            problem(
                "deadlines",
                index,
                "due",
                "deadlines: due must be a date and time such as 2024-07-31T23:59:00",
            )
        else:
            # A time written without an offset is Bangkok time, as people in the program read it.
            due_utc = (due if due.tzinfo else due.replace(tzinfo=BANGKOK)).astimezone(ZoneInfo("UTC"))
        entry = {
            "kind": kind,
            "due": due_utc.isoformat() if due_utc else None,
            "applies_to": audience,
            "label_th": text_field("deadlines", index, deadline, "label_th"),
            "label_en": text_field("deadlines", index, deadline, "label_en"),
        }
        if "remind_days" in deadline:  # only when given, so files without it keep their hash
            days = deadline["remind_days"]
            if (
                not isinstance(days, list)
                or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 60 for d in days)
                or len(set(days)) != len(days)
            ):
                problem(
                    "deadlines",
                    index,
                    "remind_days",
                    "deadlines: remind_days must be a list of different whole days from 1 to 60",
                )
            else:
                entry["remind_days"] = sorted(days, reverse=True)
        meaning["deadlines"].append(entry)
    if "contact" in raw:  # only when given, so files without it keep their hash
        meaning["contact"] = _contact(raw["contact"], problem, text_field, unknown_keys)
    if "posts" in raw:  # only when given, so files without it keep their hash
        meaning["posts"] = validate_posts(raw["posts"], meaning["phases"], problem)
    problems.sort(key=lambda p: p.line or 0)
    return (None, problems) if problems else (meaning, [])


CONTACT_FIELDS = ("name_th", "name_en", "phone", "email", "hours_th", "hours_en")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{7,18}[0-9](\s*(ต่อ|ext\.?)\s*[0-9]{1,5})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def _contact(contact: object, problem, text_field, unknown_keys) -> dict[str, str] | None:
    """[contact]: the names are required, a phone or an e-mail address (or both), opening hours
    in both languages or neither."""
    if not isinstance(contact, dict):
        problem("contact", 0, "", "contact must be a [contact] table")
        return None
    unknown_keys("contact", 0, contact, set(CONTACT_FIELDS))
    found = {key: text_field("contact", 0, contact, key) for key in ("name_th", "name_en")}
    for key, pattern, example in (("phone", _PHONE, "02-265-6500"), ("email", _EMAIL, "team@example.org")):
        if key not in contact:
            continue
        value = text_field("contact", 0, contact, key, 100)
        if value is not None and not pattern.match(value):
            problem("contact", 0, key, f"contact: {key} does not look like one (e.g. {example})")
        found[key] = value
    if "phone" not in contact and "email" not in contact:
        problem("contact", 0, "", "contact: give a phone number or an e-mail address (or both)")
    if ("hours_th" in contact) != ("hours_en" in contact):
        problem("contact", 0, "hours_th", "contact: hours_th and hours_en go together")
    for key in ("hours_th", "hours_en"):
        if key in contact:
            found[key] = text_field("contact", 0, contact, key)
    return found


def _photo_limits(campaign: dict, meaning: dict[str, Any], problem) -> None:
    """photos_min / photos_max, in the meaning only when given, so files without them keep their hash."""
    given: dict[str, int] = {}
    for key in ("photos_min", "photos_max"):
        if key not in campaign:
            continue
        value = campaign[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= PHOTOS_CEILING:
            problem("campaign", 0, key, f"campaign: {key} must be a whole number from 1 to {PHOTOS_CEILING}")
            continue
        given[key] = meaning[key] = value
    least = given.get("photos_min", PHOTOS_MIN_DEFAULT)
    most = given.get("photos_max", PHOTOS_MAX_DEFAULT)
    if given and least > most:
        where = "photos_max" if "photos_max" in given else "photos_min"
        problem("campaign", 0, where, f"campaign: photos_min ({least}) is more than photos_max ({most})")


def shifted(meaning: dict[str, Any], days: int) -> dict[str, Any]:
    """A validated campaign moved `days` later in time: its phases and deadlines (the content
    calendar follows its phases), and its year with them: `year_be` becomes the fiscal year of the
    moved report deadline, and that year (Buddhist and Common era) is rewritten in the slug and
    the names ("ปีงบประมาณ 2567" → "ปีงบประมาณ 2570", "TCAC 2024" → "TCAC 2027"). The demo uses it
    to set the example round around today."""
    moved = dict(meaning)
    moved["phases"] = [
        {
            **p,
            "starts": (date.fromisoformat(p["starts"]) + timedelta(days=days)).isoformat(),
            "ends": (date.fromisoformat(p["ends"]) + timedelta(days=days)).isoformat(),
        }
        for p in meaning["phases"]
    ]
    moved["deadlines"] = [
        {**d, "due": (datetime.fromisoformat(d["due"]) + timedelta(days=days)).isoformat()}
        for d in meaning["deadlines"]
    ]
    report = next((d for d in moved["deadlines"] if d["kind"] == "report"), None)
    if report is None:
        return moved
    year = fiscal_year_be(datetime.fromisoformat(report["due"]).astimezone(BANGKOK).date())
    before = meaning["year_be"]
    before_ce, year_ce = before - BUDDHIST_ERA_OFFSET, year - BUDDHIST_ERA_OFFSET

    def renamed(text: str) -> str:
        return text.replace(str(before), str(year)).replace(str(before_ce), str(year_ce))

    moved["year_be"], moved["slug"] = year, renamed(meaning["slug"])
    moved["name_th"], moved["name_en"] = renamed(meaning["name_th"]), renamed(meaning["name_en"])
    moved["phases"] = [
        {**p, "name_th": renamed(p["name_th"]), "name_en": renamed(p["name_en"])} for p in moved["phases"]
    ]
    return moved


def load_campaign(session: Session, source: Path | str, now: datetime, *, shift_days: int = 0) -> LoadReport:
    """Validate and load a campaign file (a Path, or the file's text). With any problem nothing is
    written and the report lists them all. Loading the same content again changes nothing; a
    changed file updates the campaign with the same slug (its phases and deadlines replaced). The
    campaign loaded becomes the only active one; agencies waiting for a campaign join it.
    `shift_days` moves the whole round in time (`shifted`; the demo's example round)."""
    text, _name = _read_text(source)
    meaning, problems = validate_campaign(text)
    if meaning is None:
        return LoadReport(problems=problems)
    if shift_days:
        meaning = shifted(meaning, shift_days)
    digest = hashlib.sha256(json.dumps(meaning, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    campaign = session.scalars(select(Campaign).where(Campaign.slug == meaning["slug"])).first()
    others_active = session.scalars(
        select(Campaign.id).where(Campaign.active.is_(True), Campaign.slug != meaning["slug"])
    ).first()
    if campaign is not None and campaign.content_hash == digest and campaign.active and not others_active:
        return LoadReport(changed=False, campaign_id=campaign.id, slug=campaign.slug)
    if campaign is None:
        campaign = Campaign(slug=meaning["slug"])
        session.add(campaign)
    campaign.name_th, campaign.name_en = meaning["name_th"], meaning["name_en"]
    campaign.year_be, campaign.target_agencies = meaning["year_be"], meaning["target_agencies"]
    campaign.activity_types = json.dumps(meaning["activity_types"])
    campaign.photos_min, campaign.photos_max = meaning.get("photos_min"), meaning.get("photos_max")
    contact = meaning.get("contact")
    campaign.contact = json.dumps(contact, ensure_ascii=False) if contact else None
    campaign.content_hash, campaign.loaded_at = digest, now
    campaign.phases = [
        CampaignPhase(
            position=position,
            key=p["key"],
            name_th=p["name_th"],
            name_en=p["name_en"],
            starts_on=date.fromisoformat(p["starts"]),
            ends_on=date.fromisoformat(p["ends"]),
        )
        for position, p in enumerate(meaning["phases"])
    ]
    campaign.deadlines = [
        CampaignDeadline(
            kind=d["kind"],
            due_at=datetime.fromisoformat(d["due"]),
            applies_to=d["applies_to"],
            label_th=d["label_th"],
            label_en=d["label_en"],
            remind_days=json.dumps(d["remind_days"]) if "remind_days" in d else None,
        )
        for d in meaning["deadlines"]
    ]
    session.execute(update(Campaign).where(Campaign.active.is_(True)).values(active=False))
    campaign.active = True
    session.flush()
    session.execute(
        update(Agency)
        .where(Agency.campaign_id.is_(None), Agency.status != "rejected")
        .values(campaign_id=campaign.id)
        .execution_options(synchronize_session=False)
    )
    waiting = sync_scheduled_posts(session, campaign.slug, meaning, now)
    return LoadReport(changed=True, campaign_id=campaign.id, slug=campaign.slug, posts_waiting=waiting)
