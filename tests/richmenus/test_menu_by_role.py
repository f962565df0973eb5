"""A person's rich menu follows their role on LINE (the fake platform): approval links the
coordinator menu; leaving the agency, or the agency's rejection after approval, gives back
LINE's default menu."""

from __future__ import annotations

from bot.runtime import runtime
from handlers.services.agencies import decide_join_request, leave_agency, reject_agency, request_to_join
from tests.handlers.domain_helpers import NOW, approved, db_fixture, person  # noqa: F401
from tests.richmenus.menu_helpers import menus_fixture  # noqa: F401


def send(app) -> None:
    runtime(app).outbox.send_due(limit=1000)


def test_leaving_and_a_rejection_after_approval_give_back_the_default_menu(app, db, fake_line, menus):
    assert fake_line.default_rich_menu == menus["subscriber"]
    coordinator, agency_id = approved(db)
    colleague = "U" + "c" * 32
    with db.begin() as session:
        request = request_to_join(session, colleague, agency_id, person(name="มานี มีนา"), NOW)
        decide_join_request(session, request.id, True, "cli", NOW)
    send(app)
    assert fake_line.rich_menu_for(coordinator) == fake_line.rich_menu_for(colleague) == menus["coordinator"]

    with db.begin() as session:
        leave_agency(session, colleague, NOW)
    send(app)
    assert fake_line.calls("DELETE", f"/v2/bot/user/{colleague}/richmenu")
    assert fake_line.rich_menu_for(colleague) == menus["subscriber"]
    assert fake_line.rich_menu_for(coordinator) == menus["coordinator"]

    with db.begin() as session:
        reject_agency(session, agency_id, "ไม่ใช่หน่วยงานที่เข้าร่วมโครงการ", "cli", NOW)
    send(app)
    assert fake_line.calls("DELETE", f"/v2/bot/user/{coordinator}/richmenu")
    assert fake_line.rich_menu_for(coordinator) == menus["subscriber"]
