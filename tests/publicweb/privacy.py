"""What no public page, file or image may contain: every person's name, phone (as stored and as
people write it) and LINE id, every report's place, and the name of every agency that did not
agree to be named. Shared by the public pages' tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import LineUser
from storage.models.program import Agency, Coordinator, JoinRequest, StaffMember
from storage.models.reports import Report


def phone_spellings(e164: str) -> list[str]:
    """+66812345678 as written: +66812345678, 0812345678, 081-234-5678, 081 234 5678, 66812345678."""
    local = "0" + e164[3:] if e164.startswith("+66") else e164
    spelled = [e164, e164.lstrip("+"), local]
    if len(local) == 10:
        spelled += [f"{local[:3]}-{local[3:6]}-{local[6:]}", f"{local[:3]} {local[3:6]} {local[6:]}"]
    elif len(local) == 9:
        spelled += [f"{local[:2]}-{local[2:5]}-{local[5:]}", f"{local[:2]} {local[2:5]} {local[5:]}"]
    return spelled


def private_strings(session: Session) -> list[str]:
    found: list[str] = []
    for model in (Coordinator, JoinRequest):
        for name, phone, line_id in session.execute(select(model.name, model.phone_e164, model.line_user_id)):
            found += [value for value in (name, line_id) if value]
            found += phone_spellings(phone) if phone else []
    for name, line_id in session.execute(select(StaffMember.name, StaffMember.line_user_id)):
        found += [value for value in (name, line_id) if value]
    found += [line_id for line_id in session.scalars(select(LineUser.line_user_id)) if line_id]
    found += [place for place in session.scalars(select(Report.place_address)) if place]
    found += [uid for uid in session.scalars(select(Report.reporter_line_user_id)) if uid]
    found += list(session.scalars(select(Agency.name).where(Agency.show_name_publicly.is_(False))))
    return sorted({value for value in found if len(value) >= 3})


def assert_no_private_data(text: str, session: Session) -> None:
    """Fails naming the private strings that appear in `text`."""
    leaked = [value for value in private_strings(session) if value in text]
    assert not leaked, f"private data in public output: {leaked}"
