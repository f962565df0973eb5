"""Registering an agency (ลงทะเบียนหน่วยงาน): its name, type, province and district, the
coordinator's name, position and mobile phone, two optional consents, then a summary where each
answer can be edited before confirming.

A name close to an agency already in the province offers "ask to join that agency" instead; a
rejected registration comes back prefilled, to be corrected and resubmitted. Everything is decided
by handlers.services.agencies; nothing here trusts an id sent by the client (the agency a user may resubmit
or join is read from the database or from the server-side conversation state).
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.chat.engine import Choice, Flow, Outcome, Question, Step, Turn
from handlers.chat.flows.common import (
    district_name,
    district_step,
    in_bangkok,
    person_steps,
    province_name,
    province_step,
    text_step,
    yes_no_step,
)
from handlers.parsing.phone import format_thai_mobile
from handlers.services.agencies import (
    AGENCY_TYPES,
    Person,
    Registration,
    agency_summary,
    normalise_agency_name,
    register_agency,
    request_to_join,
    resubmit_agency,
    similar_agencies,
)
from handlers.services.authz import current_membership
from handlers.services.campaigns import active_campaign
from handlers.services.refusals import AgencyRefused
from handlers.services.thaitime import thai_date
from storage.models.program import Agency, JoinRequest
from storage.repositories import UserRepository

AGENCY_NAME_MAX = 200

START = "register:name"
SUMMARY = "register:summary"
SIMILAR = "register:similar"
# Summary buttons: what each "edit" re-asks (the province brings its district along).
EDITS = (
    ("name", "register:name"),
    ("type", "register:type"),
    ("province", "register:province"),
    ("person", "register:person_name"),
    ("position", "register:position"),
    ("phone", "register:phone"),
    ("public", "register:public"),
    ("news", "register:news"),
)


def after(state: str):
    """The next question, or the summary again when the user is editing one answer."""
    return lambda turn: SUMMARY if turn.answers.get("editing") else state


# -- entering -------------------------------------------------------------------------------------
def on_enter(turn: Turn) -> Outcome:
    membership = current_membership(turn.session, turn.line_user_id)
    if membership is None:
        waiting = select(JoinRequest.id).where(
            JoinRequest.line_user_id == turn.line_user_id, JoinRequest.status == "pending"
        )
        if turn.session.scalars(waiting).first() is not None:
            return Outcome.end(turn.t("agency.refused.join_pending"))
        late = late_note(turn)
        return Outcome.go(START, late) if late else Outcome.go(START)
    coordinator, agency = membership
    if agency.status == "rejected":
        turn.answers.update(
            agency_name=agency.name,
            agency_type=agency.agency_type,
            province_code=agency.province_code,
            district_code=agency.district_code,
            person_name=coordinator.name,
            position=coordinator.position,
            phone=coordinator.phone_e164,
            public=agency.show_name_publicly,
            news=True,
            resubmit=True,
        )
        return Outcome.go(SUMMARY)
    key = "register.already_pending" if agency.status == "pending" else "register.already_approved"
    return Outcome.end(turn.t(key, agency=agency.name))


# -- agency type ----------------------------------------------------------------------------------
TYPES = tuple(
    Choice(code, label_key=f"register.type_{code}", words_key=f"register.type_words.{code}")
    for code in AGENCY_TYPES
)


def ask_type(turn: Turn) -> Question:
    return Question(turn.t("register.ask_type"), TYPES)


def on_type(turn: Turn, value: str) -> Outcome:
    turn.answers["agency_type"] = value
    return Outcome.go(after("register:province")(turn))


def describe_type(turn: Turn) -> str | None:
    value = turn.answers.get("agency_type")
    return turn.t(f"register.type_{value}") if value in AGENCY_TYPES else None


# -- summary ----------------------------------------------------------------------------------------
def yes_no_text(turn: Turn, key: str, yes_key: str, no_key: str) -> str:
    return turn.t(yes_key if turn.answers.get(key) else no_key)


def summary_text(turn: Turn) -> str:
    a = turn.answers
    return turn.t(
        "register.summary",
        agency=a.get("agency_name", "-"),
        type=describe_type(turn) or "-",
        province=province_name(turn, a.get("province_code")) or "-",
        district=district_name(turn, a.get("district_code")) or turn.t("common.skip"),
        district_label=turn.t(
            "common.district_label_bangkok" if in_bangkok(a.get("province_code")) else "common.district_label"
        ),
        person=a.get("person_name", "-"),
        position=a.get("position", "-"),
        phone=format_thai_mobile(a["phone"]) if a.get("phone") else "-",
        public=yes_no_text(turn, "public", "register.public_yes", "register.public_no"),
        news=yes_no_text(turn, "news", "register.news_yes", "register.news_no"),
    )


def ask_summary(turn: Turn) -> Question:
    texts = []
    if turn.answers.get("resubmit"):
        membership = current_membership(turn.session, turn.line_user_id)
        reason = membership[1].reject_reason if membership else None
        texts.append(turn.t("register.resubmit_intro", reason=reason or "-"))
    texts.append(summary_text(turn))
    choices = [Choice("confirm", label_key="register.confirm", words_key="words.confirm")]
    choices += [Choice(f"edit_{field}", label_key=f"register.edit_{field}") for field, _ in EDITS]
    return Question("\n\n".join(texts), choices)


def on_summary(turn: Turn, value: str) -> Outcome:
    for field, state in EDITS:
        if value == f"edit_{field}":
            turn.answers["editing"] = True
            return Outcome.go(state)
    return submit(turn)


def registration(turn: Turn) -> Registration:
    a = turn.answers
    return Registration(
        agency_name=a["agency_name"],
        agency_type=a["agency_type"],
        province_code=a["province_code"],
        district_code=a.get("district_code"),
        person=Person(a["person_name"], a["position"], a["phone"]),
        show_name_publicly=bool(a.get("public")),
        news_opt_in=bool(a.get("news")),
    )


def submit(turn: Turn) -> Outcome:
    """Resubmit the rejected agency, or offer to join a similar one, or register a new one."""
    session, user = turn.session, turn.line_user_id
    try:
        membership = current_membership(session, user)
        if turn.answers.get("resubmit") and membership and membership[1].status == "rejected":
            agency = resubmit_agency(session, user, membership[1].id, registration(turn), turn.now)
            return Outcome.end(turn.t("register.resubmitted", agency=agency.name), next_steps(turn, agency))
        if not turn.answers.get("not_similar"):
            similar = similar_agencies(session, turn.answers["agency_name"], turn.answers["province_code"])
            if similar:
                # The same name (once normalised) cannot be registered twice: joining is the only way.
                same = normalise_agency_name(turn.answers["agency_name"]) == similar[0].normalised_name
                turn.answers.update(similar_id=similar[0].id, exact=same)
                return Outcome.go(SIMILAR)
        agency = register_agency(session, user, registration(turn), turn.now)
    except AgencyRefused as refusal:
        if refusal.code != "duplicate":
            raise
        turn.answers.update(similar_id=refusal.params["agency_id"], exact=True)
        return Outcome.go(SIMILAR)
    done = turn.t("register.done", agency=agency.name)
    return Outcome.end(*[text for text in (done, next_steps(turn, agency), late_note(turn)) if text])


def late_note(turn: Turn) -> str | None:
    """After the active campaign's registration deadline: that registering is late, and what it
    means (staff decide; the report deadline is close, or already past)."""
    campaign = active_campaign(turn.session, turn.now)
    deadlines = {d.kind: d for d in campaign.deadlines} if campaign else {}
    closed = deadlines.get("registration")
    if closed is None or closed.due_at > turn.now:
        return None
    report = deadlines.get("report")
    if report is None or report.due_at <= turn.now:
        return turn.t("register.late_after_reports", closed=thai_date(closed.due_at, turn.language))
    return turn.t(
        "register.late",
        closed=thai_date(closed.due_at, turn.language),
        report=thai_date(report.due_at, turn.language),
    )


def next_steps(turn: Turn, agency: Agency) -> str:
    campaign = agency_summary(turn.session, agency.id, turn.language).get("campaign")
    if campaign:
        return turn.t("register.campaign", campaign=campaign)
    return turn.t("register.next_campaign")


# -- a similar agency already exists ----------------------------------------------------------------
def similar_agency(turn: Turn) -> Agency | None:
    agency_id = turn.answers.get("similar_id")
    return turn.session.get(Agency, agency_id) if isinstance(agency_id, int) else None


def ask_similar(turn: Turn) -> Question:
    agency = similar_agency(turn)
    name = agency.name if agency else "-"
    place = province_name(turn, agency.province_code) if agency else "-"
    key = "register.duplicate" if turn.answers.get("exact") else "register.similar"
    choices = [Choice("join", label_key="register.ask_to_join", words_key="words.yes")]
    if not turn.answers.get("exact"):
        choices.append(Choice("new", label_key="register.not_that_one", words_key="words.no"))
    return Question(turn.t(key, agency=name, province=place or "-"), choices)


def on_similar(turn: Turn, value: str) -> Outcome:
    if value == "new" and not turn.answers.get("exact"):
        turn.answers["not_similar"] = True
        return submit(turn)
    agency = similar_agency(turn)
    if agency is None:
        return Outcome.end(turn.t("agency.refused.unknown_agency"))
    request_to_join(turn.session, turn.line_user_id, agency.id, registration(turn).person, turn.now)
    if turn.answers.get("news"):
        UserRepository(turn.session).get_or_create(turn.line_user_id, turn.now).news_opt_in = True
    return Outcome.end(turn.t("register.join_sent", agency=agency.name))


FLOW = Flow(
    name="register",
    title_key="register.title",
    words_key="register.words",
    start=START,
    keeps_draft=True,
    on_enter=on_enter,
    steps={
        "register:name": text_step(
            answer="agency_name",
            ask_key="register.ask_name",
            help_key="register.help_name",
            max_chars=AGENCY_NAME_MAX,
            then=after("register:type"),
        ),
        "register:type": Step(ask_type, "register.help_type", on_choice=on_type, describe=describe_type),
        "register:province": province_step(
            answer="province_code",
            ask_key="register.ask_province",
            help_key="register.help_province",
            then="register:district",
        ),
        "register:district": district_step(
            answer="district_code",
            province_answer="province_code",
            ask_key="register.ask_district",
            help_key="register.help_district",
            then=after("register:person_name"),
            optional=True,
        ),
        **person_steps("register", then=after("register:public"), route=after),
        "register:public": yes_no_step(
            answer="public",
            ask_key="register.ask_public",
            help_key="register.help_public",
            yes_key="register.public_yes",
            no_key="register.public_no",
            then=after("register:news"),
        ),
        "register:news": yes_no_step(
            answer="news",
            ask_key="register.ask_news",
            help_key="register.help_news",
            yes_key="register.news_yes",
            no_key="register.news_no",
            then=SUMMARY,
        ),
        SUMMARY: Step(ask_summary, "register.help_summary", on_choice=on_summary),
        SIMILAR: Step(ask_similar, "register.help_similar", on_choice=on_similar),
    },
    menu_roles=("subscriber",),
)
