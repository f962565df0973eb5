"""The door to reporting (รายงานกิจกรรม): only coordinators of an approved agency may report
(handlers.authz); anyone else is told how to register or join. Reporting itself is another issue's
flow; until it lands, coordinators are told it opens soon."""

from __future__ import annotations

from handlers.authz import require_coordinator
from handlers.engine import Flow, Outcome, Turn
from handlers.flows.common import refusal_text
from handlers.refusals import NotAllowed


def on_enter(turn: Turn) -> Outcome:
    try:
        agency = require_coordinator(turn.session, turn.line_user_id)
    except NotAllowed as refusal:
        return Outcome.end(refusal_text(turn, refusal))
    return Outcome.end(turn.t("report.soon", agency=agency.name))


FLOW = Flow(
    name="report",
    title_key="report.title",
    words_key="report.words",
    start="report:none",
    steps={},
    in_menu=False,
    on_enter=on_enter,
)
