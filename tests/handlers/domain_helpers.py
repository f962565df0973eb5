"""Shared pieces of the domain tests (agencies, invitations, people, campaigns, CLI)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.fakeline.events import new_user_id
from bot.runtime import runtime
from handlers.services.agencies import Person, Registration, approve_agency, register_agency
from handlers.services.authz import add_staff

NOW = datetime(2024, 6, 10, 3, 0, tzinfo=UTC)


@pytest.fixture(name="db")
def db_fixture(app):
    """The app's session factory: `with db.begin() as session:` is one transaction."""
    return runtime(app).session_factory


def person(name: str = "สมชาย ใจดี", phone: str = "+66812345678", position: str = "นักวิชาการ") -> Person:
    return Person(name=name, position=position, phone_e164=phone)


def registration(
    name: str = "องค์การบริหารส่วนตำบลบางพลี",
    province: str = "11",
    who: Person | None = None,
    agency_type: str = "local_admin",
    district: str | None = "1101",
) -> Registration:
    return Registration(
        agency_name=name,
        agency_type=agency_type,
        province_code=province,
        district_code=district,
        person=who or person(),
        show_name_publicly=True,
        news_opt_in=True,
    )


def registered(db, user: str | None = None, **kwargs) -> tuple[str, int]:
    """A pending agency registered by `user` (new if None); returns (user, agency id)."""
    user = user or new_user_id()
    with db.begin() as session:
        agency = register_agency(session, user, registration(**kwargs), NOW)
        return user, agency.id


def approved(db, user: str | None = None, **kwargs) -> tuple[str, int]:
    user, agency_id = registered(db, user, **kwargs)
    with db.begin() as session:
        approve_agency(session, agency_id, "cli", NOW)
    return user, agency_id


def staff(db) -> str:
    user = new_user_id()
    with db.begin() as session:
        add_staff(session, user, "เจ้าหน้าที่", NOW)
    return user


def pushed_texts(app, fake_line, user: str) -> list[str]:
    """Send what is due in the outbox (the clock's normal pass) and return what `user` received."""
    runtime(app).outbox.send_due()
    return [m.get("text", "") for d in fake_line.delivered_to(user) for m in d.messages]
