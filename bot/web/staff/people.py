"""`/staff/people`: the staff list (adding staff stays a CLI command, shown here), and erasing a
person on request (PDPA) in two steps: what would be erased, counted, then the erasure itself.

The LINE user id travels only in POST bodies (never in a URL, so never in an access log). The
erasure is the same service as `ruamjai person erase`, which audits it.
"""

from __future__ import annotations

from flask import Response, current_app, g, request

from bot.runtime import runtime
from bot.web.staff.core import language, now, page, say, staff_blueprint, transaction
from handlers.services.authz import list_staff
from handlers.services.erasure_preview import erasure_preview
from handlers.services.people import NoSuchPerson, check_line_user_id, erase_person
from handlers.services.staff_sessions import moment_words

# The kinds of records the confirmation step counts, in the order shown.
KINDS = (
    "profile",
    "staff",
    "memberships",
    "join_requests",
    "answers",
    "photos",
    "reports",
    "download_links",
    "messages",
)


def _staff_rows() -> list[dict[str, str]]:
    with transaction() as session:
        return [
            {"name": member.name or "–", "since": moment_words(member.created_at, language())}
            for member in list_staff(session)
        ]


def _people_page(status: int = 200, **context: object) -> Response:
    return page("staff/people.html", status=status, staff=_staff_rows(), **context)


@staff_blueprint.get("/people", endpoint="people")
def people_page() -> Response:
    return _people_page()


def _typed_id() -> str:
    return request.form.get("line_user_id", "").strip()


@staff_blueprint.post("/people/erase/check", endpoint="erase_check")
def erase_check() -> Response:
    """Step one: the id checked, and what erasing it would touch."""
    typed = _typed_id()
    try:
        line_user_id = check_line_user_id(typed)
        with transaction() as session:
            preview = erasure_preview(session, line_user_id)
    except ValueError:
        return _people_page(400, problem=say("staffweb.people.malformed"), typed=typed[:80])
    except NoSuchPerson:
        return _people_page(404, problem=say("staffweb.people.nobody"), typed=typed[:80])
    counts = [{"label": say(f"staffweb.people.kind_{kind}"), "count": preview.counts[kind]} for kind in KINDS]
    return _people_page(confirm=line_user_id, counts=counts)


@staff_blueprint.post("/people/erase", endpoint="erase")
def erase() -> Response:
    """Step two: erase, as `ruamjai person erase` does (the service audits it)."""
    typed = _typed_id()
    actor = f"staff:{g.visit.staff_member_id}"
    try:
        line_user_id = check_line_user_id(typed)
        with transaction() as session:
            reference = erase_person(
                session, line_user_id, now(), actor=actor, media=runtime(current_app).media
            )
    except ValueError:
        return _people_page(400, problem=say("staffweb.people.malformed"))
    except NoSuchPerson:
        return _people_page(404, problem=say("staffweb.people.nobody"))
    return _people_page(erased=say("staffweb.people.erased", reference=reference))
