"""One locked conversation during one event: its state (flow, question, answers, history, a
pending yes/no prompt) and its questions rendered with their buttons, the menu, closing."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from linebot.v3.messaging import LocationAction, PostbackAction, QuickReply, QuickReplyItem
from sqlalchemy.orm import Session

from handlers.catalog import t
from handlers.chat.engine.declare import Choice, Flow, Question, Step, Turn
from handlers.chat.engine.incoming import Incoming
from handlers.chat.engine.render import MAX_QUICK_REPLY, fit_label, postback_data
from storage.models import Conversation
from storage.repositories import ConversationRepository

if TYPE_CHECKING:
    from handlers.chat.engine.run import Engine

# Reserved keys in a conversation's answers (flows never use a leading underscore for their own).
LANGUAGE_KEY = "_language"
CONFIRM_KEY = "_confirm"
YES_NO = (
    Choice("yes", label_key="conv.confirm_yes", words_key="words.yes"),
    Choice("no", label_key="conv.confirm_no", words_key="words.no"),
)


def new_conversation_id() -> str:
    return secrets.token_hex(4)


@dataclass
class Reply:
    """What the engine says back: texts, the buttons under the last one, perhaps a card."""

    texts: list[str]
    quick_reply: QuickReply | None = None
    flex: tuple[Mapping[str, Any], str] | None = None  # a card shown after the texts: (contents, alt text)
    after_card: list[str] = field(default_factory=list)  # said after the card (with the buttons)


class LockedConversation:
    """One event's work on one locked conversation: its state and its questions."""

    def __init__(self, engine: Engine, session: Session, conv: Conversation, language: str, now: datetime):
        self.engine = engine
        self.session = session
        self.conv = conv
        self.now = now
        self.answers: dict[str, Any] = json.loads(conv.answers or "{}")
        self.history: list[str] = json.loads(conv.history or "[]")
        self.user_language = language
        self.after: list[Callable[[], object]] = []
        self.photo: object = None
        self.after_break = False

    @property
    def language(self) -> str:
        """The user's language, or one chosen inside this flow (it applies to the rest of the flow
        before it is saved anywhere)."""
        return self.answers.get(LANGUAGE_KEY) or self.user_language

    # -- helpers ------------------------------------------------------------------------------
    def t(self, key: str, /, **params: object) -> str:
        return t(key, self.language, **params)

    @property
    def flow(self) -> Flow | None:
        return self.engine.flows.get(self.conv.flow or "")

    def turn(self) -> Turn:
        return Turn(
            self.session,
            self.conv.line_user_id,
            self.language,
            self.now,
            self.answers,
            public_base_url=self.engine.public_base_url,
            photo=self.photo,
            media=self.engine.media,
            after_break=self.after_break,
        )

    def save(self) -> None:
        self.conv.answers = json.dumps(self.answers, ensure_ascii=False)
        self.conv.history = json.dumps(self.history)

    def marker(self) -> str:
        """What a button must carry to be current: the pending prompt, else the state."""
        return "!" + self.conv.pending if self.conv.pending else (self.conv.state or "")

    def button(self, label: str, **fields: str) -> QuickReplyItem:
        data = postback_data(c=self.conv.conversation_id, s=self.marker(), **fields)
        return QuickReplyItem(
            action=PostbackAction(label=fit_label(label), data=data, displayText=label[:300])
        )

    def menu_button(self, flow: Flow) -> QuickReplyItem:
        label = self.t(flow.title_key)
        return QuickReplyItem(
            action=PostbackAction(
                label=fit_label(label), data=postback_data(a="start", f=flow.name), displayText=label
            )
        )

    def start_conversation(self, flow: Flow, state: str, answers: dict, history: list[str]) -> None:
        self.conv.conversation_id = new_conversation_id()
        self.conv.flow, self.conv.state, self.conv.pending = flow.name, state, None
        self.answers, self.history = dict(answers), list(history)
        self.save()

    def close(self, *, keep_draft: bool) -> bool:
        """End the current flow; keep its answers as a draft when the flow wants that."""
        flow = self.flow
        kept = False
        self.answers.pop(CONFIRM_KEY, None)
        self.user_language = self.language  # what closes the flow is said in the flow's language
        if flow and keep_draft and flow.keeps_draft and self.conv.state:
            ConversationRepository(self.session).save_draft(
                self.conv.line_user_id,
                flow.name,
                self.conv.state,
                json.dumps(self.answers, ensure_ascii=False),
                json.dumps(self.history),
                self.now,
            )
            kept = True
        self.conv.flow = self.conv.state = self.conv.pending = None
        self.answers, self.history = {}, []
        self.save()
        return kept

    def takes_media(self, incoming: Incoming) -> bool:
        """Whether the current question (no prompt pending) takes this non-text input."""
        step = None if self.conv.pending else self.current_step()
        return step is not None and step.on_media is not None and incoming.kind in step.accepts

    def close_for_idle(self) -> str:
        kept = self.close(keep_draft=True)
        return self.t("conv.timed_out_kept" if kept else "conv.timed_out")

    # -- questions ----------------------------------------------------------------------------
    def ask(self, *, page: int = 0, show_previous: bool = False) -> Reply:
        """The current question (or pending prompt), with its buttons."""
        if self.conv.pending:
            return self.ask_pending()
        flow, step = self.flow, self.current_step()
        if flow is None or step is None:
            return self.menu()
        turn = self.turn()
        question = step.ask(turn)
        texts = [question.text] if question.flex is None else []
        if show_previous:
            previous = step.describe(turn)
            if previous:
                texts.insert(0, self.t("conv.previous_answer", answer=previous))
        nav = []
        if self.history:
            nav.append(self.button(self.t("command.back.label"), a="cmd", v="back"))
        nav.append(self.button(self.t("command.cancel.label"), a="cmd", v="cancel"))
        if question.location_key:
            label = self.t(question.location_key)
            nav.insert(0, QuickReplyItem(action=LocationAction(label=fit_label(label))))
        reply = self.paged(question, nav, texts, page)
        if question.flex is not None:
            reply.flex = (question.flex, question.alt_text or question.text)
        return reply

    def paged(self, question: Question, nav: list[QuickReplyItem], texts: list[str], page: int) -> Reply:
        """The question's buttons, a page at a time when they do not fit one quick reply."""
        choices = list(question.choices)
        room = MAX_QUICK_REPLY - len(nav)
        items: list[QuickReplyItem] = []
        if len(choices) > room:
            per_page = room - 1  # one slot for "more"
            pages = (len(choices) + per_page - 1) // per_page
            page = page % pages
            shown = choices[page * per_page : (page + 1) * per_page]
            items = [self.button(c.text(self.language), v=c.value) for c in shown]
            items.append(
                self.button(
                    self.t("conv.more", page=page + 2 if page + 1 < pages else 1), a="more", p=str(page + 1)
                )
            )
            if page == 0:
                texts.append(self.t("conv.more_hint"))
        else:
            items = [self.button(c.text(self.language), v=c.value) for c in choices]
        return Reply(texts, QuickReply(items=items + nav))

    def pending_question(self) -> tuple[str, tuple[Choice, Choice]]:
        """The yes/no question the engine itself is asking (leave? resume? did you mean …?)."""
        kind, _, flow_name = (self.conv.pending or "").partition(":")
        if kind == "confirm":
            return (self.answers.get(CONFIRM_KEY) or {}).get("question", ""), YES_NO
        if kind == "leave":
            current = self.flow
            text = self.t("conv.confirm_leave", flow=self.t(current.title_key) if current else "")
            yes, no = "conv.leave_yes", "conv.leave_no"
            words = ("words.yes", "words.no")
        else:
            flow = self.engine.flows.get(flow_name)
            text = self.t("conv.resume_offer", flow=self.t(flow.title_key) if flow else "")
            yes, no = "conv.resume_continue", "conv.resume_restart"
            words = ("words.resume", "words.restart")  # "ทำต่อ", "เริ่มใหม่" typed, as well as yes/no
        return text, (
            Choice("yes", label_key=yes, words_key=words[0]),
            Choice("no", label_key=no, words_key=words[1]),
        )

    def ask_pending(self) -> Reply:
        text, choices = self.pending_question()
        items = [self.button(choice.text(self.language), v=choice.value) for choice in choices]
        if self.conv.pending and self.conv.pending.startswith("confirm:"):
            items.append(self.button(self.t("command.cancel.label"), a="cmd", v="cancel"))
        return Reply([text], QuickReply(items=items))

    def menu(self, *texts: str) -> Reply:
        role = self.engine.role_of(self.session, self.conv.line_user_id) if self.engine.role_of else None
        items = [
            self.menu_button(flow)
            for flow in self.engine.flows.values()
            if flow.in_menu and (flow.menu_roles is None or role is None or role in flow.menu_roles)
        ]
        items.append(
            QuickReplyItem(
                action=PostbackAction(
                    label=fit_label(self.t("command.help.label")),
                    data=postback_data(a="cmd", v="help"),
                    displayText=self.t("command.help.label"),
                )
            )
        )
        return Reply([*texts, self.t("conv.menu")], QuickReply(items=items[:MAX_QUICK_REPLY]))

    def current_step(self) -> Step | None:
        flow = self.flow
        return flow.steps.get(self.conv.state or "") if flow else None
