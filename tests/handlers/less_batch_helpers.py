"""Seeding for the submission batch tests: four approved agencies for one period, two ready and two
not (a report under review and a report waiting for a factor; one without photos)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.runtime import runtime
from tests.handlers.domain_helpers import approved
from tests.handlers.less_helpers import EXAMPLES, add_report

NO_FACTOR = ("fuel_saving", {"fuel": "gasohol_e10", "fuel_saved": {"value": "100", "unit": "L"}})


@dataclass
class Program:
    ready: list[int]  # agency ids, ready to submit
    reviewing: int  # a report still under review
    factor: int  # a report waiting for an emission factor, another without photos
    refs: dict[int, list[str]]  # each agency's reports, in the order added
    users: dict[int, str]  # each agency's coordinator


def seed_program(app) -> Program:
    db = runtime(app).session_factory
    media = runtime(app).media
    plans = {
        "เทศบาลนครนนทบุรี": [(EXAMPLES[0], {}), (EXAMPLES[1], {})],
        "โรงเรียนบ้านบางพลี (ชั้น 2/3)": [(EXAMPLES[2], {}), (EXAMPLES[3], {}), (EXAMPLES[1], {})],
        "องค์การบริหารส่วนตำบลรอตรวจ": [(EXAMPLES[0], {}), (EXAMPLES[2], {"status": "submitted"})],
        "องค์การบริหารส่วนตำบลรอค่า": [(EXAMPLES[1], {}), (NO_FACTOR, {}), (EXAMPLES[3], {"photos": 0})],
    }
    ids, refs, users = [], {}, {}
    for number, (name, reports) in enumerate(plans.items()):
        user, agency_id = approved(db, name=name, province=("12", "11", "10", "11")[number], district=None)
        ids.append(agency_id)
        users[agency_id] = user
        with db.begin() as session:
            refs[agency_id] = [add_report(session, media, user, *example, **kw) for example, kw in reports]
    return Program(ready=ids[:2], reviewing=ids[2], factor=ids[3], refs=refs, users=users)
