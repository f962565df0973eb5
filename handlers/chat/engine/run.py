"""Running a turn: the engine takes one event's input on the user's locked conversation and
decides what it does (a command, a flow's entry words, an answer to the question or to a pending
yes/no prompt, a stale button), then renders the reply as LINE messages."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from linebot.v3.messaging import FlexContainer, FlexMessage, Message
from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, default_catalog, fold
from handlers.chat.engine.conversation import (
    CONFIRM_KEY,
    LANGUAGE_KEY,
    LockedConversation,
    Reply,
    new_conversation_id,
)
from handlers.chat.engine.declare import Choice, Flow, Outcome, Step
from handlers.chat.engine.incoming import INPUT_KINDS, Incoming
from handlers.chat.engine.matching import match_choice, understood_choice
from handlers.chat.engine.render import MAX_MESSAGES, assemble
from handlers.chat.engine.sentences import refusal_text
from handlers.services.refusals import Refused
from storage.repositories import ConversationRepository

COMMANDS = ("cancel", "back", "help", "menu")
# Longer than any answer a question here expects; longer text is refused politely, not parsed.
MAX_ANSWER_CHARS = 1000


class Engine:
    """Runs flows for one event at a time (the caller holds the event's transaction)."""

    def __init__(
        self,
        flows: Sequence[Flow],
        *,
        idle_timeout: timedelta = timedelta(hours=24),
        public_base_url: str | None = None,
        role_of: Callable[[Session, str], str] | None = None,
        media: object = None,
    ) -> None:
        self.flows = {flow.name: flow for flow in flows}
        self.role_of = role_of
        self.idle_timeout = idle_timeout
        self.public_base_url = public_base_url
        self.media = media

    # -- entry point --------------------------------------------------------------------------
    def handle(
        self,
        session: Session,
        line_user_id: str,
        language: str,
        now: datetime,
        incoming: Incoming,
        photo: object = None,
    ) -> list[Message]:
        conversation = ConversationRepository(session).lock(line_user_id, now, new_conversation_id())
        run = _Run(self, session, conversation, language, now)
        run.photo = photo
        texts: list[str] = []
        if conversation.flow and now - conversation.updated_at > self.idle_timeout:
            if photo is not None and run.takes_media(incoming):
                run.after_break = True  # an answer to the question left open: the step offers to go on
            else:
                texts.append(run.close_for_idle())
        reply = run.dispatch(incoming)
        conversation.updated_at = now
        conversation.version += 1  # an optimistic check for anything that bypasses the row lock
        if run.after:
            session.flush()
            for action in run.after:
                action()
        if reply.flex is not None:
            after = assemble(reply.after_card, reply.quick_reply) if reply.after_card else []
            room = MAX_MESSAGES - 1 - len(after)
            before = assemble(texts + reply.texts)[:room] if texts + reply.texts else []
            flex, alt = reply.flex
            contents = FlexContainer.from_dict(dict(flex))
            quick_reply = None if after else reply.quick_reply
            card = FlexMessage(alt_text=alt[:400], contents=contents, quick_reply=quick_reply)
            return [*before, card, *after]
        return assemble(texts + reply.texts, reply.quick_reply)

    def flow_for_words(self, text: str) -> Flow | None:
        folded = fold(text)
        for flow in self.flows.values():
            if folded in default_catalog().words(flow.words_key):
                return flow
        return None


class _Run(LockedConversation):
    """What one input does to the conversation."""

    # -- dispatch -----------------------------------------------------------------------------
    def dispatch(self, incoming: Incoming) -> Reply:
        if incoming.kind == "postback":
            return self.on_postback(incoming.data)
        if incoming.kind == "text":
            if len(incoming.text) > MAX_ANSWER_CHARS:
                return self.reask(self.t("conv.too_long", limit=MAX_ANSWER_CHARS))
            command = self.command_for(incoming.text)
            if command:
                return self.command(command)
            flow = self.engine.flow_for_words(incoming.text)
            if flow:
                return self.enter(flow)
        if self.conv.pending:
            if incoming.kind == "text":
                said = match_choice(incoming.text, self.pending_question()[1])
                if said is not None:
                    return self.answer_pending(said.value)
                if self.conv.pending.startswith("confirm:"):
                    # Not yes or no: a new answer to the question that was being confirmed.
                    self.drop_confirm()
                    return self.dispatch(incoming)
            return self.wrong_choice()
        step = self.current_step()
        if step is None:
            if incoming.kind in ("image", "video", "audio", "file", "location"):
                return self.menu(self.t(f"conv.got.{incoming.kind}"))
            return self.menu(self.t("help.capabilities"))
        if incoming.kind not in step.accepts:
            return self.reask(self.wrong_kind(incoming.kind, step))
        if incoming.kind not in ("text", "postback") and step.on_media is not None:
            return self.take(step.on_media, incoming)
        if step.on_choice and (step.typed_choices or not step.on_text):
            outcome = self.decide(lambda: self.typed_choice(step, incoming.text))
            if outcome is not None:
                return self.apply(outcome)
        if step.on_text:
            return self.take(step.on_text, incoming.text)
        return self.wrong_choice()

    def typed_choice(self, step: Step, text: str) -> Outcome | None:
        """The choice typed text names (to its `on_choice`), or one it seems to mean (said back
        first); None when it names none."""
        choices = self.choices_of(step)
        choice = match_choice(text, choices)
        if choice is not None and step.on_choice is not None:
            return step.on_choice(self.turn(), choice.value)
        guess = None if step.on_text else understood_choice(text, choices)
        if guess is None:
            return None
        return Outcome.check(guess.value, self.t("conv.understood_check", answer=guess.text(self.language)))

    def choices_of(self, step: Step) -> Sequence[Choice]:
        """The choices the current question takes, rendering it only when the step states none."""
        return step.choices(self.turn()) if step.choices else step.ask(self.turn()).choices

    def take(
        self, handler: Callable[..., Outcome | None], value: str | Incoming, among: Step | None = None
    ) -> Reply:
        """A step's handler run on `value` (first checked against the choices of `among`), and
        what it decided applied; None (not one of the choices) asks for a button."""

        def run() -> Outcome | None:
            if among is not None and value not in {choice.value for choice in self.choices_of(among)}:
                return None
            return handler(self.turn(), value)

        outcome = self.decide(run)
        return self.wrong_choice() if outcome is None else self.apply(outcome)

    def decide(self, step_code: Callable[[], Outcome | None]) -> Outcome | None:
        """What a flow's code decided; a refusal it raises ends the flow with its sentence."""
        try:
            return step_code()
        except Refused as refusal:
            return Outcome.end(refusal_text(refusal, self.language))

    def wrong_choice(self) -> Reply:
        """The answer to a tap or typed text that is none of the question's choices."""
        return self.reask(self.t("conv.choose_button"))

    def wrong_kind(self, kind: str, step: Step) -> str:
        got = self.t(f"conv.got.{kind}") if kind in INPUT_KINDS else self.t("conv.got.other")
        expected = "image" if "image" in step.accepts else ("text" if step.on_text else "choice")
        return f"{got} {self.t(f'conv.expect.{expected}')}"

    def on_postback(self, data: Mapping[str, str]) -> Reply:
        action = data.get("a", "")
        if "c" not in data:  # a button not tied to a question: the menu, a rich-menu tab
            if action == "start" and data.get("f") in self.engine.flows:
                return self.enter(self.engine.flows[data["f"]])
            if action == "cmd" and data.get("v") in COMMANDS:
                return self.command(data["v"])
            return self.reask(self.t("conv.expired"))
        if (
            data.get("c") != self.conv.conversation_id
            or data.get("s") != self.marker()
            or not (self.conv.flow or self.conv.pending)
        ):
            # An old or finished conversation's button, or the same button tapped twice.
            return self.reask(self.t("conv.expired"))
        if action == "cmd" and data.get("v") in COMMANDS:
            return self.command(data["v"])
        if action == "more":
            return self.ask(page=int(data.get("p", "0") or 0))
        if self.conv.pending:
            return self.answer_pending(data.get("v", ""))
        step = self.current_step()
        if step is None or step.on_choice is None:
            return self.reask(self.t("conv.expired"))
        return self.take(step.on_choice, data.get("v", ""), among=step)

    def command_for(self, text: str) -> str | None:
        folded = fold(text)
        for command in COMMANDS:
            if folded in default_catalog().words(f"command.{command}.words"):
                return command
        return None

    def command(self, command: str) -> Reply:
        flow = self.flow
        if command == "help":
            if self.current_step() is not None and not self.conv.pending:
                return self.reask(self.t(self.current_step().help_key))
            if self.conv.pending:
                return self.reask(self.t("conv.help_pending"))
            return self.menu(self.t("help.general"))
        if command == "menu":
            if flow is None:
                return self.menu()
            self.conv.pending = f"leave:{flow.name}"
            return self.ask_pending()
        if command == "cancel":
            if flow is None and not self.conv.pending:
                return self.menu(self.t("conv.nothing_to_cancel"))
            if flow is None:  # cancelling a resume offer
                self.conv.pending = None
                return self.menu(self.t("conv.cancelled"))
            kept = self.close(keep_draft=True)
            return self.menu(self.t("conv.cancelled_kept" if kept else "conv.cancelled"))
        # back
        if self.conv.pending and self.conv.pending.startswith("confirm:"):
            self.drop_confirm()  # "no, not that one": the same question again
            return self.ask(show_previous=True)
        if flow is None or self.conv.pending:
            return self.reask(self.t("conv.nothing_to_go_back_to"))
        if not self.history:
            return self.reask(self.t("conv.first_question"))
        self.conv.state = self.history.pop()
        self.save()
        return self.ask(show_previous=True)

    def enter(self, flow: Flow) -> Reply:
        if self.conv.flow == flow.name and not self.conv.pending:
            return self.ask()
        if self.conv.flow and self.conv.flow != flow.name:
            self.conv.pending = f"leave:{flow.name}"
            return self.ask_pending()
        self.conv.pending = None
        self.answers = {}
        first = self.entered(flow)
        if first is not None and first.next is None:  # refused, or a one-step action already done
            return self.done_at_entry(first)
        draft = ConversationRepository(self.session).get_draft(self.conv.line_user_id, flow.name)
        if draft is not None:
            self.conv.conversation_id = new_conversation_id()
            self.conv.flow = None
            self.conv.pending = f"resume:{flow.name}"
            self.answers = {}
            self.save()
            return self.ask_pending()
        return self.begin(flow, first)

    def entered(self, flow: Flow) -> Outcome | None:
        """What the flow's `on_enter` decided (a refusal ends the flow at once)."""
        on_enter = flow.on_enter
        return self.decide(lambda: on_enter(self.turn())) if on_enter else None

    def done_at_entry(self, outcome: Outcome) -> Reply:
        self.answers = {}
        self.save()
        if outcome.after is not None:
            self.after.append(outcome.after)
        if outcome.card is None:
            return self.menu(*outcome.say)
        # The card is the answer: the menu's prompt and its buttons come after it.
        menu = self.menu()
        return Reply(list(outcome.say), menu.quick_reply, outcome.card, after_card=menu.texts)

    def begin(self, flow: Flow, first: Outcome | None) -> Reply:
        """Start `flow` afresh, where its `on_enter` said (with the answers it filled in)."""
        self.start_conversation(flow, flow.start, self.answers, [])
        if first is not None and first.next is not None:
            return self.apply(first)
        return self.ask()

    def drop_confirm(self) -> str | None:
        """Forget a value waiting for "did you mean …?"; returns it."""
        self.conv.pending = None
        value = (self.answers.pop(CONFIRM_KEY, None) or {}).get("value")
        self.save()
        return value

    def answer_pending(self, value: str) -> Reply:
        kind, _, flow_name = (self.conv.pending or "").partition(":")
        target = self.engine.flows.get(flow_name)
        if kind == "confirm":
            kept = self.drop_confirm()
            step = self.current_step()
            if value == "yes" and kept is not None and step is not None and step.on_choice is not None:
                return self.take(step.on_choice, kept)
            return self.reask(self.t("conv.confirm_again"))
        self.conv.pending = None
        if kind == "leave":
            if value != "yes":
                return self.reask()
            current = self.flow
            kept = self.close(keep_draft=True)
            note = self.t("conv.left_kept") if kept else ""
            if target is not None and current is not None and target.name != current.name:
                reply = self.enter(target)
                return Reply([note, *reply.texts], reply.quick_reply, reply.flex, reply.after_card)
            return self.menu(note)
        # resume
        repo = ConversationRepository(self.session)
        draft = repo.get_draft(self.conv.line_user_id, flow_name) if target else None
        if target is None:
            return self.menu()
        if value == "yes" and draft is not None and draft.state in target.steps:
            self.start_conversation(target, draft.state, json.loads(draft.answers), json.loads(draft.history))
            repo.delete_draft(self.conv.line_user_id, flow_name)
            reply = self.ask(show_previous=True)
            return Reply([self.t("conv.resumed"), *reply.texts], reply.quick_reply, reply.flex)
        repo.delete_draft(self.conv.line_user_id, flow_name)
        self.answers = {}
        first = self.entered(target)
        if first is not None and first.next is None:
            return self.done_at_entry(first)
        return self.begin(target, first)

    def reask(self, *texts: str) -> Reply:
        reply = self.ask() if (self.conv.flow or self.conv.pending) else self.menu()
        return Reply([*texts, *reply.texts], reply.quick_reply, reply.flex)

    def apply(self, outcome: Outcome) -> Reply:
        texts = list(outcome.say)
        if outcome.after is not None:
            self.after.append(outcome.after)
        if outcome.language in LANGUAGES:
            self.answers[LANGUAGE_KEY] = outcome.language
        if outcome.confirm is not None and self.flow is not None:
            self.answers[CONFIRM_KEY] = {"value": outcome.confirm, "question": " ".join(texts)}
            # A fresh token per question, so a "yes" tapped under an earlier guess is stale.
            self.conv.pending = f"confirm:{self.flow.name}:{secrets.token_hex(2)}"
            self.save()
            return self.ask_pending()
        if outcome.retry:
            self.save()
            reply = self.ask()
            return Reply(texts + reply.texts, reply.quick_reply, reply.flex)
        if outcome.next is None:
            flow = self.flow
            self.close(keep_draft=False)
            if flow is not None:
                ConversationRepository(self.session).delete_draft(self.conv.line_user_id, flow.name)
            return self.menu(*texts)
        if outcome.next != self.conv.state and self.conv.state:
            self.history.append(self.conv.state)
        self.conv.state = outcome.next
        self.save()
        reply = self.ask()
        return Reply(texts + reply.texts, reply.quick_reply, reply.flex)
