"""Signing in to the staff web through LINE: a browser shows a one-time code, a staff member sends
it to the bot from their phone and confirms on a card, and only then is the code theirs.

Modelled on RFC 8628's user codes (section 6.1): short, random, from an alphabet without look-alike
characters, single use, valid minutes, and rate limited both where codes are made (per address) and
where they are entered (per LINE user). The browser that showed a code also holds a secret of its
own (a cookie), so a confirmed code opens a session for that browser only (staff_sessions.collect).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from handlers.services.audit import audit
from handlers.services.refusals import Refused
from storage.models.program import StaffMember
from storage.models.staff import StaffSignInAttempt, StaffSignInCode

# No 0/O, 1/I/L: what a person reads off a screen and types on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=5)
# Codes one address may make in LIMIT_WINDOW, and wrong codes one LINE user may send in it.
CODES_PER_ADDRESS = 10
WRONG_CODES_PER_USER = 5
LIMIT_WINDOW = timedelta(minutes=15)
_SEPARATORS = re.compile(r"[\s\-–—_.]+")
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
# Browser and system names as a User-Agent gives them, most specific first.
_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Line/", "LINE"),
             ("CriOS", "Chrome"), ("FxiOS", "Firefox"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
             ("Safari", "Safari"))  # fmt: skip
_SYSTEMS = (("iPad", "iPadOS"), ("iPhone", "iOS"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))  # fmt: skip


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def has_code_shape(code: str) -> bool:
    """Eight characters of the alphabet with at least one digit and one letter: every code made
    here, and few words people type (an 8-letter English word is not a code)."""
    return bool(_CODE.fullmatch(code)) and any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


def new_code() -> str:
    while not has_code_shape(code := "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))):
        pass
    return code


def normalise_code(text: str) -> str | None:
    """The code in a typed message ("abcd-2345", "ABCD 2345"), or None when it is not one."""
    folded = _SEPARATORS.sub("", text.strip()).upper()
    return folded if has_code_shape(folded) else None


def grouped(code: str) -> str:
    """How a code is shown: "ABCD-2345"."""
    return f"{code[:4]}-{code[4:]}"


def describe_browser(user_agent: str) -> str:
    """ "Chrome|Windows": the browser and the system, either "" when unknown (no version numbers,
    nothing else of the User-Agent is kept)."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return f"{browser}|{system}"


def rough_address(ip: str) -> str:
    """An address with its last part hidden: "203.0.113.x", "2001:db8:85a3::/48"."""
    try:
        address = ip_address(ip)
    except ValueError:
        return "?"
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".x"
    groups = address.exploded.split(":")[:3]
    return ":".join(g.lstrip("0") or "0" for g in groups) + "::/48"


@dataclass(frozen=True)
class NewCode:
    id: int
    code: str
    browser_secret: str  # goes into the browser's cookie; only its hash is stored
    expires_at: datetime


def start_sign_in(session: Session, *, ip: str, user_agent: str, now: datetime) -> NewCode:
    """A new code for a browser. Raises Refused("too_many_codes") past the per-address limit."""
    ip_hash = sha256(f"ip:{ip}")
    made = session.scalar(
        select(func.count(StaffSignInCode.id)).where(
            StaffSignInCode.ip_sha256 == ip_hash, StaffSignInCode.created_at > now - LIMIT_WINDOW
        )
    )
    if (made or 0) >= CODES_PER_ADDRESS:
        raise Refused("too_many_codes")
    # Codes long gone are of no use to anyone: keep the table small.
    session.execute(delete(StaffSignInCode).where(StaffSignInCode.expires_at < now - LIMIT_WINDOW))
    code, browser_secret = new_code(), secrets.token_urlsafe(32)
    while session.scalar(select(StaffSignInCode.id).where(StaffSignInCode.code_sha256 == sha256(code))):
        code = new_code()
    row = StaffSignInCode(
        code_sha256=sha256(code),
        browser_sha256=sha256(browser_secret),
        ip_sha256=ip_hash,
        browser=describe_browser(user_agent),
        place=rough_address(ip),
        status="waiting",
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(row)
    session.flush()
    return NewCode(row.id, code, browser_secret, row.expires_at)


def browser_code(session: Session, code_id: int, browser_secret: str) -> StaffSignInCode | None:
    """The code this browser made, if `browser_secret` is the one it was given."""
    row = session.get(StaffSignInCode, code_id)
    if row is None or not secrets.compare_digest(row.browser_sha256, sha256(browser_secret)):
        return None
    return row


def code_state(row: StaffSignInCode | None, now: datetime) -> str:
    """What the sign-in page shows: waiting | confirmed | cancelled | expired | collected | none."""
    if row is None:
        return "none"
    if row.status in ("waiting", "asked") and now >= row.expires_at:
        return "expired"
    return "waiting" if row.status == "asked" else row.status


@dataclass(frozen=True)
class Offer:
    """What the bot answers a code sent in the chat: `outcome` is card (ask to confirm), not_staff,
    unknown, used, expired or too_many; `code` is the row for a card."""

    outcome: str
    code: StaffSignInCode | None = None


def _staff_member(session: Session, line_user_id: str) -> StaffMember | None:
    return session.scalars(select(StaffMember).where(StaffMember.line_user_id == line_user_id)).first()


def _wrong(session: Session, sender: str, now: datetime) -> None:
    session.execute(delete(StaffSignInAttempt).where(StaffSignInAttempt.at < now - LIMIT_WINDOW))
    session.add(StaffSignInAttempt(sender_sha256=sender, at=now, ok=False))


def offer(session: Session, line_user_id: str, code: str, now: datetime) -> Offer | None:
    """A code-shaped message from `line_user_id`. None when the sender is not staff and no such
    code exists (an ordinary message that happens to look like a code): the chat goes on as usual.
    """
    member = _staff_member(session, line_user_id)
    row = session.scalars(select(StaffSignInCode).where(StaffSignInCode.code_sha256 == sha256(code))).first()
    if member is None:
        return None if row is None else Offer("not_staff")
    sender = sha256(f"line:{line_user_id}")
    wrong = session.scalar(
        select(func.count(StaffSignInAttempt.id)).where(
            StaffSignInAttempt.sender_sha256 == sender,
            StaffSignInAttempt.ok.is_(False),
            StaffSignInAttempt.at > now - LIMIT_WINDOW,
        )
    )
    if (wrong or 0) >= WRONG_CODES_PER_USER:
        return Offer("too_many")
    state = code_state(row, now)
    if row is None or state not in ("waiting", "expired"):
        _wrong(session, sender, now)
        return Offer("unknown" if row is None else "used")
    if state == "expired":
        _wrong(session, sender, now)
        return Offer("expired")
    row.status = "asked"
    row.staff_member_id = member.id  # whom the card was shown to; the one who confirms binds it
    return Offer("card", row)


def card_waiting(session: Session, line_user_id: str, now: datetime) -> bool:
    """Whether a confirm card shown to this staff member still waits for their tap."""
    member = _staff_member(session, line_user_id)
    if member is None:
        return False
    waiting = select(StaffSignInCode.id).where(
        StaffSignInCode.staff_member_id == member.id,
        StaffSignInCode.status == "asked",
        StaffSignInCode.expires_at > now,
    )
    return session.scalars(waiting.limit(1)).first() is not None


def answer_card(session: Session, line_user_id: str, code_id: int, confirm: bool, now: datetime) -> str:
    """The confirm or cancel button of the card: confirmed | cancelled | stale | not_staff.
    Confirming binds the code to the staff member who tapped; the browser then collects it."""
    member = _staff_member(session, line_user_id)
    if member is None:
        return "not_staff"
    row = session.get(StaffSignInCode, code_id)
    if row is None or row.status != "asked" or now >= row.expires_at:
        return "stale"
    if not confirm:
        row.status = "cancelled"
        audit(session, f"staff:{member.id}", "staff_sign_in_cancelled", f"sign_in_code:{row.id}", now)
        return "cancelled"
    row.status = "confirmed"
    row.staff_member_id = member.id
    row.confirmed_at = now
    audit(session, f"staff:{member.id}", "staff_sign_in_confirmed", f"sign_in_code:{row.id}", now)
    return "confirmed"
