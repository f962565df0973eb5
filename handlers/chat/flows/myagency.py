"""My agency (หน่วยงานของฉัน): where the person's agency stands, who coordinates it and which
campaign it is in (handlers.services.agencies.agency_summary); anyone without one is told how to register
or join. A coordinator of an approved agency sees its results card (handlers.chat.flows.agency_card)."""

from __future__ import annotations

from handlers.chat.engine import Flow, Outcome, Turn
from handlers.chat.flows.agency_card import agency_card
from handlers.chat.flows.common import place_text
from handlers.services.agencies import agency_summary
from handlers.services.agency_results import agency_results
from handlers.services.authz import current_membership
from handlers.services.contact import contact_sentence


def on_enter(turn: Turn) -> Outcome:
    membership = current_membership(turn.session, turn.line_user_id)
    if membership is None:
        return Outcome.end(turn.t("agency.refused.not_registered"))
    if membership[1].status == "approved":
        results = agency_results(turn.session, membership[1], turn.now)
        return Outcome.end(card=agency_card(turn, results))
    summary = agency_summary(turn.session, membership[1].id, turn.language)
    people = "\n".join(
        turn.t("myagency.coordinator", name=c["name"] or "-", position=c["position"] or "-")
        for c in summary["coordinators"]
    )
    text = turn.t(
        "myagency.summary",
        agency=summary["name"],
        type=turn.t(f"register.type_{summary['type']}"),
        place=place_text(turn, summary["province_code"], summary["district_code"]),
        status=turn.t(f"myagency.status_{summary['status']}"),
        campaign=summary["campaign"] or turn.t("myagency.no_campaign"),
        coordinators=people or "-",
    )
    if summary["status"] == "rejected":
        contact = contact_sentence(turn.session, turn.language, turn.now)
        text += "\n" + turn.t("myagency.rejected", reason=summary["reject_reason"] or "-", contact=contact)
    return Outcome.end(text)


FLOW = Flow(
    name="myagency",
    title_key="myagency.title",
    words_key="myagency.words",
    start="myagency:none",
    steps={},
    on_enter=on_enter,
    menu_roles=("subscriber", "coordinator"),
)
