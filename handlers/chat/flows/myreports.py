"""My reports (รายงานของฉัน): the agency's recent reports; one not yet reviewed can be changed or
withdrawn (after a yes to "withdraw this report?"), and one staff sent back ("needs fix") re-asks
only the fields they named (photos: the ones they marked wrong are taken out and new ones asked
for), then goes back to the queue. It shares the report flow's steps (the same questions, the same
summary), so a change goes through exactly what a new report does.
"""

from __future__ import annotations

import json
from decimal import Decimal

import calc
from handlers.catalog import label, t
from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.chat.flows import report as report_flow
from handlers.chat.flows.report_summary import kg_text, period_text
from handlers.services.authz import require_coordinator
from handlers.services.refusals import Refused
from handlers.services.reports import (
    EDITABLE,
    agency_reports,
    fix_photo_numbers,
    own_report,
    reference,
    report_photos,
    withdraw_report,
)
from storage.models.reports import Report

EDIT, WITHDRAW, YES, NO = "_edit", "_withdraw", "_yes", "_no"


def report_line(report: Report, language: str) -> str:
    kind = calc.activity_type(report.activity_key)
    period = period_text(
        {"start": report.period_start.isoformat(), "end": report.period_end.isoformat()},
        language,
    )
    unit = t("reporting.unit_short.kgCO2e", language)  # "กก.CO2e" in Thai, as the summary card says
    result = f"{kg_text(Decimal(report.kg_co2e))} {unit}" if report.kg_co2e is not None else "-"
    status = t(f"reporting.status.{report.status}", language)
    return f"{reference(report)} · {label(kind, language)} · {period} · {result} · {status}"


def on_enter(turn: Turn) -> Outcome:
    agency = require_coordinator(turn.session, turn.line_user_id)
    reports = agency_reports(turn.session, agency.id)
    if not reports:
        return Outcome.end(turn.t("reporting.mine.none"))
    if not any(r.status in EDITABLE for r in reports):
        return Outcome.end(
            turn.t("reporting.mine.list", reports="\n".join(report_line(r, turn.language) for r in reports))
        )
    return Outcome.go("report:mine")


def ask_mine(turn: Turn) -> Question:
    agency = require_coordinator(turn.session, turn.line_user_id)
    reports = agency_reports(turn.session, agency.id)
    lines = "\n".join(report_line(r, turn.language) for r in reports)
    choices = [Choice(str(r.id), label=reference(r)) for r in reports if r.status in EDITABLE]
    return Question(turn.t("reporting.mine.pick", reports=lines), choices)


def mine_choices(turn: Turn) -> list[Choice]:
    """Every report of the agency: one changed since the list was shown is answered by
    `choose_report` (no longer editable), not taken for a wrong button."""
    agency = require_coordinator(turn.session, turn.line_user_id)
    return [Choice(str(r.id), label=reference(r)) for r in agency_reports(turn.session, agency.id)]


def choose_report(turn: Turn, value: str) -> Outcome:
    try:
        report = own_report(turn.session, turn.line_user_id, int(value))
    except (Refused, ValueError):
        return Outcome.again(turn.t("reporting.refused.unknown"))
    if report.status not in EDITABLE:
        return Outcome.again(turn.t("reporting.refused.not_editable"))
    turn.answers["report_id"] = report.id
    return Outcome.go("report:mine_action")


def ask_action(turn: Turn) -> Question:
    report = own_report(turn.session, turn.line_user_id, turn.answers["report_id"])
    edit_key = "reporting.mine.fix" if report.status == "needs_fix" else "reporting.mine.edit"
    text = report_line(report, turn.language)
    if report.status == "needs_fix" and report.review_reason:
        text += "\n" + turn.t("reporting.mine.fix_reason", reason=report.review_reason)
    return Question(
        text, [Choice(EDIT, label_key=edit_key), Choice(WITHDRAW, label_key="reporting.mine.withdraw")]
    )


def act(turn: Turn, value: str) -> Outcome:
    report = own_report(turn.session, turn.line_user_id, turn.answers["report_id"])
    if value == WITHDRAW:
        return Outcome.go("report:withdraw")
    if report.status not in EDITABLE:
        return Outcome.end(turn.t("reporting.refused.not_editable"))
    load(turn, report)
    fix = json.loads(report.fix_fields) if report.status == "needs_fix" and report.fix_fields else []
    if "photos" in fix:
        ask_for_photos(turn, report)
    if fix:
        turn.answers["fix"], turn.answers["changing"] = list(fix), fix[0]
        if fix[0] == "photos":
            turn.answers["photos_done"] = False
        return Outcome.go(report_flow.state_for(turn, fix[0]))
    return Outcome.go("report:summary")


def ask_for_photos(turn: Turn, report: Report) -> None:
    """Staff asked for photos: those they marked wrong out of the draft, at least one new one wanted."""
    numbers = fix_photo_numbers(turn.session, report)
    photos = turn.answers["photos"]
    wrong = [photos[number - 1] for number in numbers]
    turn.answers.update(
        photos=[i for i in photos if i not in wrong],
        replace_ids=wrong,
        replace_numbers=numbers,
        need_new=True,
        photos_done=False,
    )


WITHDRAW_CHOICES = (
    Choice(YES, label_key="review.withdraw.yes", words_key="words.yes"),
    Choice(NO, label_key="review.withdraw.no", words_key="words.no"),
)


def ask_withdraw(turn: Turn) -> Question:
    report = own_report(turn.session, turn.line_user_id, turn.answers["report_id"])
    return Question(
        turn.t("review.withdraw.ask", report=report_line(report, turn.language)), WITHDRAW_CHOICES
    )


def confirm_withdraw(turn: Turn, value: str) -> Outcome:
    report = own_report(turn.session, turn.line_user_id, turn.answers["report_id"])
    if value == NO:
        return Outcome.end(turn.t("review.withdraw.kept", ref=reference(report)))
    withdraw_report(turn.session, turn.line_user_id, report.id, turn.now)
    return Outcome.end(turn.t("reporting.mine.withdrawn", ref=reference(report)))


def load(turn: Turn, report: Report) -> None:
    """The stored report as the report flow's answers (photos and place stay as they are)."""
    photos = [photo.id for photo in report_photos(turn.session, report.id)]
    turn.answers.update(
        key=f"edit:{report.id}",
        activity=report.activity_key,
        inputs=json.loads(report.inputs),
        skipped=[],
        groups_done=list(range(len(calc.activity_type(report.activity_key).one_of))),
        period={
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        },
        photos=list(photos),
        original_photos=list(photos),
        photos_done=True,
        place={"lat": report.place_lat, "lon": report.place_lon, "address": report.place_address or ""}
        if report.place_lat is not None
        else None,
        place_done=True,
    )


FLOW = Flow(
    name="myreports",
    title_key="reporting.mine.title",
    words_key="reporting.mine.words",
    start="report:mine",
    steps={
        **report_flow.FLOW.steps,
        "report:mine": Step(
            ask=ask_mine, help_key="reporting.mine.help", on_choice=choose_report, choices=mine_choices
        ),
        "report:mine_action": Step(ask=ask_action, help_key="reporting.mine.help", on_choice=act),
        "report:withdraw": Step(
            ask=ask_withdraw,
            help_key="review.withdraw.help",
            on_choice=confirm_withdraw,
            choices=lambda turn: WITHDRAW_CHOICES,
        ),
    },
    keeps_draft=True,  # a fix left half-way (cancel, menu, a long break) is offered back
    on_enter=on_enter,
    menu_roles=("coordinator",),
)
