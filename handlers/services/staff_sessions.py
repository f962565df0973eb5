"""Staff web sessions: opened by collecting a confirmed sign-in code, kept server-side, ended by
signing out, by inactivity, or by the staff member's removal (the rows go with the member).

The browser holds a random token; only its hash is stored. Every session opened is announced to
the staff member in LINE, so a sign-in they did not make does not go unnoticed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.services.audit import audit
from handlers.services.notices import push
from handlers.services.staff_sign_in import browser_code, code_state, sha256
from handlers.services.thaitime import BANGKOK, thai_date
from storage.models.program import StaffMember
from storage.models.staff import StaffWebSession

# After a confirmation, the browser that showed the code has this long to collect its session.
COLLECT_WITHIN = timedelta(minutes=5)
# A session's last-seen time is written at most this often (not on every page).
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class StaffVisit:
    """Who is signed in on this browser."""

    session_id: int
    staff_member_id: int
    name: str | None


def browser_words(browser: str, language: str) -> str:
    """ "Chrome|Windows" said in `language`: "Chrome บน Windows"."""
    name, _, system = browser.partition("|")
    name = name or t("staffweb.browser.unknown", language)
    if not system:
        return name
    return t("staffweb.browser.on", language, browser=name, system=system)


def moment_words(moment: datetime, language: str) -> str:
    """A date and time in Bangkok: "7 ธ.ค. 2569 เวลา 18:05 น." (Buddhist era in Thai)."""
    local = moment.astimezone(BANGKOK)
    return t("staffweb.moment", language, date=thai_date(moment, language), time=f"{local:%H:%M}")


def collect(
    session: Session, code_id: int, browser_secret: str, user_agent_browser: str, now: datetime
) -> str | None:
    """The new session's token when this browser's code was confirmed and is still fresh; None
    otherwise (not confirmed, another browser, used, too late, the staff member gone)."""
    row = browser_code(session, code_id, browser_secret)
    if row is None or code_state(row, now) != "confirmed" or row.staff_member_id is None:
        return None
    if row.confirmed_at is None or now - row.confirmed_at > COLLECT_WITHIN:
        return None
    member = session.get(StaffMember, row.staff_member_id)
    if member is None:
        return None
    row.status = "collected"
    token = secrets.token_urlsafe(32)
    visit = StaffWebSession(
        token_sha256=sha256(token),
        staff_member_id=member.id,
        browser=user_agent_browser,
        created_at=now,
        last_seen_at=now,
    )
    session.add(visit)
    session.flush()
    audit(session, f"staff:{member.id}", "staff_sign_in", f"staff_session:{visit.id}", now)
    push(
        session,
        member.line_user_id,
        "staffweb.signed_in_notice",
        f"staff_session:{visit.id}:signed_in",
        now,
        browser=lambda language: browser_words(row.browser, language),
        place=row.place,
        when=lambda language: moment_words(now, language),
    )
    return token


def visit_of(session: Session, token: str, now: datetime, idle: timedelta) -> StaffVisit | None:
    """Who this session token signs in, if the session is live: not ended, used within `idle`,
    and its staff member still staff. Seeing it keeps it alive."""
    if not token:
        return None
    row = session.scalars(
        select(StaffWebSession).where(StaffWebSession.token_sha256 == sha256(token))
    ).first()
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle:
        row.ended_at = now
        return None
    member = session.get(StaffMember, row.staff_member_id)
    if member is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return StaffVisit(row.id, member.id, member.name)


def sign_out(session: Session, token: str, now: datetime) -> bool:
    """End the session this token opened; False when there was none to end."""
    row = session.scalars(
        select(StaffWebSession).where(
            StaffWebSession.token_sha256 == sha256(token), StaffWebSession.ended_at.is_(None)
        )
    ).first()
    if row is None:
        return False
    row.ended_at = now
    audit(session, f"staff:{row.staff_member_id}", "staff_sign_out", f"staff_session:{row.id}", now)
    return True
