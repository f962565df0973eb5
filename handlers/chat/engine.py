"""The conversation engine: flows declared as data, state in the database, global commands.

A flow (`Flow`) names its entry words, its first state and its steps. A step (`Step`) asks one
question (`Question`: text + choices) and handles an answer, returning an `Outcome` (next state +
what to say). Steps never call LINE and never see a Flask request; the engine renders questions as
LINE messages (quick replies, paging, labels and text within LINE's limits), keeps the state per
LINE user in the `conversations` table, and handles what works everywhere:

- cancel / back / help / menu, typed (Thai or English) or tapped;
- stale buttons: every button carries the conversation id and the state it was shown for;
- the wrong kind of input (a sticker when a number is expected, 3,000 characters, …);
- an idle timeout that closes the conversation and keeps a draft to offer back later;
- answers in people's own words: a typed label (either language), value or catalog synonym is the
  button, whatever the case, spacing or polite particle ("ได้ค่ะ" is yes);
- "did you mean …?": a step may return `Outcome.check(value, question)` to say a typed value back
  with yes/no before its `on_choice` keeps it (provinces);
- a language chosen inside a flow (`Outcome.go(..., language=...)`) applies to the rest of it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from linebot.v3.messaging import (
    FlexContainer,
    FlexMessage,
    LocationAction,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)
from linebot.v3.webhooks import (
    AudioMessageContent,
    Event,
    FileMessageContent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    VideoMessageContent,
)
from sqlalchemy.orm import Session

from handlers.catalog import LANGUAGES, default_catalog, fold, t
from handlers.parsing import (
    ParseError,
    format_number,
    format_period_en,
    format_period_th,
    strip_unstorable,
)
from handlers.parsing.periods import Period
from storage.models import Conversation
from storage.repositories import ConversationRepository

BANGKOK = ZoneInfo("Asia/Bangkok")

# LINE limits the engine designs around (shared/domain/LINE.md).
MAX_MESSAGES = 5
MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY = 13
MAX_LABEL_UTF16 = 20
MAX_POSTBACK_DATA = 300
# Longer than any answer a question here expects; longer text is refused politely, not parsed.
MAX_ANSWER_CHARS = 1000

COMMANDS = ("cancel", "back", "help", "menu")
# Reserved keys in a conversation's answers (flows never use a leading underscore for their own).
LANGUAGE_KEY = "_language"
CONFIRM_KEY = "_confirm"


# --- what comes in ------------------------------------------------------------------------
@dataclass(frozen=True)
class Incoming:
    """One user input, whatever LINE event carried it."""

    kind: str  # text | postback | image | video | audio | file | location | sticker
    text: str = ""
    data: Mapping[str, str] = field(default_factory=dict)  # a postback's fields
    message_id: str | None = None
    # A shared location (LINE's location message): where, and the address LINE gives.
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""

    @classmethod
    def from_event(cls, event: Event) -> Incoming | None:
        """The input in `event`, its text and postback fields stripped of characters no column
        could store (a NUL, a lone surrogate): whatever a flow keeps of it fits the database."""
        if isinstance(event, PostbackEvent):
            fields = parse_qsl(strip_unstorable(event.postback.data or ""), keep_blank_values=True)
            return cls("postback", data={key: strip_unstorable(value) for key, value in fields})
        if not isinstance(event, MessageEvent):
            return None
        message = event.message
        kinds = {
            TextMessageContent: "text",
            ImageMessageContent: "image",
            VideoMessageContent: "video",
            AudioMessageContent: "audio",
            FileMessageContent: "file",
            LocationMessageContent: "location",
            StickerMessageContent: "sticker",
        }
        kind = next((k for cls_, k in kinds.items() if isinstance(message, cls_)), "other")
        text = message.text if isinstance(message, TextMessageContent) else ""
        if isinstance(message, LocationMessageContent):
            return cls(
                kind,
                message_id=message.id,
                latitude=message.latitude,
                longitude=message.longitude,
                address=strip_unstorable(message.address or message.title or "")[:300],
            )
        return cls(kind, text=strip_unstorable(text or ""), message_id=getattr(message, "id", None))


# --- what flows declare ----------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """A button. `label_key` is a catalog key; `label` a literal from data (a province name);
    `words_key` a catalog word list of other things people type for it ("ได้", "ok" for yes)."""

    value: str
    label_key: str | None = None
    label: str | None = None
    words_key: str | None = None
    # Other literal names for it: the long form of a short label, the label in the other language.
    also: tuple[str, ...] = ()

    def text(self, language: str) -> str:
        return t(self.label_key, language) if self.label_key else (self.label or self.value)

    def names(self) -> set[str]:
        """Everything a typed answer may say to mean this button (in either language, loosely folded)."""
        names = {loose(self.value), loose(self.label or "")}
        if self.label_key:
            names |= {loose(t(self.label_key, language)) for language in LANGUAGES}
        if self.words_key:
            names |= {loose(word) for word in default_catalog().words(self.words_key)}
        names |= {loose(name) for name in self.also}
        return names - {""}


def loose(text: str) -> str:
    """How a typed answer is compared with a button: case, spaces, punctuation and a polite
    particle at the end ("ใช่ค่ะ", "OK!") do not matter."""
    folded = "".join(char for char in fold(text) if char not in _IGNORED).strip(".")
    for particle in sorted(default_catalog().words("words.particles"), key=len, reverse=True):
        bare = "".join(particle.split())
        if folded.endswith(bare) and len(folded) > len(bare):
            return folded[: -len(bare)]
    return folded


# Spaces and marks that never change which button is meant ("O.K.!", "ใช่ ค่ะ"); a dot between
# digits stays, so "1.4" never becomes the button "14".
_IGNORED = frozenset(" \t\n!?\"'“”‘’()[]…~")


def match_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The one button a typed answer names (its label in either language, its value or a synonym)."""
    typed = loose(text)
    if not typed:
        return None
    found = [choice for choice in choices if typed in choice.names()]
    return found[0] if len({choice.value for choice in found}) == 1 else None


_LEAST_GUESS = 2  # characters: a single letter names nothing


def _bare(name: str) -> str:
    """The name without a nominaliser people leave out when typing a label (words.nominalisers)."""
    for prefix in sorted(default_catalog().words("words.nominalisers"), key=len, reverse=True):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def understood_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The one button a typed answer means though it does not repeat it: the label without การ/ความ,
    or words found in one button's name only (the distinctive word: "ปานกลาง" for
    "ความเหมาะสมปานกลาง"). Say it back before keeping it; :func:`match_choice` is the exact test."""
    typed = _bare(loose(text))
    if len(typed) < _LEAST_GUESS:
        return None
    tests = (lambda name: _bare(name) == typed, lambda name: typed in name)
    for test in tests:
        found = [choice for choice in choices if any(test(name) for name in choice.names())]
        if len({choice.value for choice in found}) == 1:
            return found[0]
    return None


@dataclass(frozen=True)
class Question:
    """What a step asks. `flex` (a Flex container as a dict, with `alt_text` for notifications)
    is shown instead of `text` when given (a summary card): the engine still adds the buttons, as
    a quick reply on the card. `location_key` adds LINE's "share my location" button, labelled
    with that catalog key."""

    text: str
    choices: Sequence[Choice] = ()
    flex: Mapping[str, Any] | None = None
    alt_text: str = ""
    location_key: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a step decided: go to `next` (None ends the flow) or stay and ask again (`retry`).

    `confirm` (with `retry`) asks "did you mean …?" first: yes hands the value to the step's
    `on_choice`, no asks the question again. `language` switches the rest of the flow's language.
    """

    next: str | None
    say: tuple[str, ...] = ()
    retry: bool = False
    confirm: str | None = None
    language: str | None = None
    # Runs after the engine has written the conversation (erasing a person deletes that very row).
    after: Callable[[], object] | None = None
    # A Flex card shown after the texts when the flow ends here: (contents, alt text).
    card: tuple[Mapping[str, Any], str] | None = None

    @classmethod
    def go(cls, state: str, *say: str, language: str | None = None) -> Outcome:
        return cls(state, say, language=language)

    @classmethod
    def again(cls, *say: str) -> Outcome:
        return cls(None, say, retry=True)

    @classmethod
    def end(
        cls,
        *say: str,
        after: Callable[[], object] | None = None,
        card: tuple[Mapping[str, Any], str] | None = None,
    ) -> Outcome:
        return cls(None, say, after=after, card=card)

    @classmethod
    def check(cls, value: str, question: str) -> Outcome:
        """Say `question` (e.g. "จังหวัดเชียงใหม่ ใช่ไหมคะ") with yes/no before keeping `value`."""
        return cls(None, (question,), retry=True, confirm=value)


@dataclass
class Turn:
    """What a step may use: the user's language, the answers so far, the time, the session."""

    session: Session
    line_user_id: str
    language: str
    now: datetime
    answers: dict[str, Any]
    # Where links the bot sends (a data download) start; None when the operator set none.
    public_base_url: str | None = None
    # What the executor did with this event's photo (handlers.chat.media_steps.ReceivedPhoto), if any.
    photo: Any = None
    # Where photos live (storage.media.MediaStore), to delete them; None if not wired.
    media: Any = None
    # The conversation had gone idle and this input is one its question takes (a photo): the
    # step decides what to offer instead of the conversation being closed.
    after_break: bool = False

    def t(self, key: str, /, **params: object) -> str:
        return t(key, self.language, **params)

    @property
    def today(self) -> date:
        """Today in Thailand (people report by Thai calendar days)."""
        return self.now.astimezone(BANGKOK).date()


@dataclass(frozen=True)
class Step:
    """One question. `on_choice` gets a tapped (or typed) choice value, `on_text` free text."""

    ask: Callable[[Turn], Question]
    help_key: str
    on_choice: Callable[[Turn, str], Outcome] | None = None
    on_text: Callable[[Turn, str], Outcome] | None = None
    # The earlier answer, shown when the user comes back to this question.
    describe: Callable[[Turn], str | None] = lambda turn: None
    accepts: frozenset[str] = frozenset({"text", "postback"})
    # Gets an accepted input that is neither text nor a button (an image, a location).
    on_media: Callable[[Turn, Incoming], Outcome] | None = None
    # False: typed text always goes to `on_text` (which may say the value back to confirm it),
    # even when it spells a button exactly (provinces: typed names are always confirmed).
    typed_choices: bool = True


@dataclass(frozen=True)
class Flow:
    name: str
    title_key: str  # catalog key: the flow's name on the menu
    words_key: str  # catalog key of the words that start it
    start: str
    steps: Mapping[str, Step]
    keeps_draft: bool = False
    # Runs when the flow starts (who may use it, a one-step action); its Outcome is applied as a
    # step's would be: go to a state, or end at once with what it says.
    on_enter: Callable[[Turn], Outcome] | None = None
    in_menu: bool = True
    # Who sees it on the menu (Engine's `role_of` names the person's role); None: everyone.
    # An approved coordinator is offered "report", never "register an agency" again.
    menu_roles: tuple[str, ...] | None = None


# --- rendering within LINE's limits ----------------------------------------------------------
def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fit_label(text: str) -> str:
    """A button label LINE accepts (≤ 20 characters, counted the strictest way)."""
    if utf16_len(text) <= MAX_LABEL_UTF16:
        return text
    out = ""
    for char in text:
        if utf16_len(out + char) > MAX_LABEL_UTF16 - 1:
            break
        out += char
    return out + "…"


def split_text(text: str, limit: int = MAX_TEXT_UTF16) -> list[str]:
    """Split long text into pieces LINE accepts, at paragraph, line or space boundaries."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = len(rest)
        while utf16_len(rest[:cut]) > limit:
            cut = int(cut * 0.9)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > cut // 2:
                cut = position + len(separator)
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def postback_data(**fields: str) -> str:
    data = urlencode(fields)
    if len(data) > MAX_POSTBACK_DATA:
        raise ValueError("postback data too long")
    return data


def assemble(texts: Sequence[str], quick_reply: QuickReply | None = None) -> list[Message]:
    """Texts as at most 5 LINE messages, the quick reply on the last one."""
    joined = "\n\n".join(text for text in texts if text)
    parts = split_text(joined) or [""]
    if len(parts) > MAX_MESSAGES:
        # Over 20,000 characters: never written by us; keep the start and the question at the end.
        parts = [*parts[: MAX_MESSAGES - 1], parts[-1]]
    messages: list[Message] = [TextMessage(text=part) for part in parts[:-1]]
    messages.append(TextMessage(text=parts[-1], quick_reply=quick_reply))
    return messages


# --- the engine ------------------------------------------------------------------------------
def new_conversation_id() -> str:
    return secrets.token_hex(4)


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


@dataclass
class _Reply:
    texts: list[str]
    quick_reply: QuickReply | None = None
    flex: tuple[Mapping[str, Any], str] | None = None  # a card shown after the texts: (contents, alt text)
    after_card: list[str] = field(default_factory=list)  # said after the card (with the buttons)


class _Run:
    """One event's work on one locked conversation."""

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
    def ask(self, *, page: int = 0, show_previous: bool = False) -> _Reply:
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

    def paged(self, question: Question, nav: list[QuickReplyItem], texts: list[str], page: int) -> _Reply:
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
        return _Reply(texts, QuickReply(items=items + nav))

    def pending_question(self) -> tuple[str, tuple[Choice, Choice]]:
        """The yes/no question the engine itself is asking (leave? resume? did you mean …?)."""
        kind, _, flow_name = (self.conv.pending or "").partition(":")
        if kind == "confirm":
            return (self.answers.get(CONFIRM_KEY) or {}).get("question", ""), YES_NO
        if kind == "leave":
            current = self.flow
            text = self.t("conv.confirm_leave", flow=self.t(current.title_key) if current else "")
            yes, no = "conv.leave_yes", "conv.leave_no"
        else:
            flow = self.engine.flows.get(flow_name)
            text = self.t("conv.resume_offer", flow=self.t(flow.title_key) if flow else "")
            yes, no = "conv.resume_continue", "conv.resume_restart"
        return text, (
            Choice("yes", label_key=yes, words_key="words.yes"),
            Choice("no", label_key=no, words_key="words.no"),
        )

    def ask_pending(self) -> _Reply:
        text, choices = self.pending_question()
        items = [self.button(choice.text(self.language), v=choice.value) for choice in choices]
        if self.conv.pending and self.conv.pending.startswith("confirm:"):
            items.append(self.button(self.t("command.cancel.label"), a="cmd", v="cancel"))
        return _Reply([text], QuickReply(items=items))

    def menu(self, *texts: str) -> _Reply:
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
        return _Reply([*texts, self.t("conv.menu")], QuickReply(items=items[:MAX_QUICK_REPLY]))

    def current_step(self) -> Step | None:
        flow = self.flow
        return flow.steps.get(self.conv.state or "") if flow else None

    # -- dispatch -----------------------------------------------------------------------------
    def dispatch(self, incoming: Incoming) -> _Reply:
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
            return self.reask(self.t("conv.choose_button"))
        step = self.current_step()
        if step is None:
            if incoming.kind in ("image", "video", "audio", "file", "location"):
                return self.menu(self.t(f"conv.got.{incoming.kind}"))
            return self.menu(self.t("help.capabilities"))
        if incoming.kind not in step.accepts:
            return self.reask(self.wrong_kind(incoming.kind, step))
        if incoming.kind not in ("text", "postback") and step.on_media is not None:
            return self.apply(step.on_media(self.turn(), incoming))
        question = step.ask(self.turn())
        if step.on_choice and (step.typed_choices or not step.on_text):
            choice = match_choice(incoming.text, question.choices)
            if choice is not None:
                return self.apply(step.on_choice(self.turn(), choice.value))
            guess = None if step.on_text else understood_choice(incoming.text, question.choices)
            if guess is not None:
                said = self.t("conv.understood_check", answer=guess.text(self.language))
                return self.apply(Outcome.check(guess.value, said))
        if step.on_text:
            return self.apply(step.on_text(self.turn(), incoming.text))
        return self.reask(self.t("conv.choose_button"))

    def wrong_kind(self, kind: str, step: Step) -> str:
        got = self.t(f"conv.got.{kind}") if kind in _INPUT_KINDS else self.t("conv.got.other")
        expected = "image" if "image" in step.accepts else ("text" if step.on_text else "choice")
        return f"{got} {self.t(f'conv.expect.{expected}')}"

    def on_postback(self, data: Mapping[str, str]) -> _Reply:
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
        return self.apply(step.on_choice(self.turn(), data.get("v", "")))

    def command_for(self, text: str) -> str | None:
        folded = fold(text)
        for command in COMMANDS:
            if folded in default_catalog().words(f"command.{command}.words"):
                return command
        return None

    def command(self, command: str) -> _Reply:
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

    def enter(self, flow: Flow) -> _Reply:
        if self.conv.flow == flow.name and not self.conv.pending:
            return self.ask()
        if self.conv.flow and self.conv.flow != flow.name:
            self.conv.pending = f"leave:{flow.name}"
            return self.ask_pending()
        self.conv.pending = None
        self.answers = {}
        first = flow.on_enter(self.turn()) if flow.on_enter else None
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

    def done_at_entry(self, outcome: Outcome) -> _Reply:
        self.answers = {}
        self.save()
        if outcome.after is not None:
            self.after.append(outcome.after)
        if outcome.card is None:
            return self.menu(*outcome.say)
        # The card is the answer: the menu's prompt and its buttons come after it.
        menu = self.menu()
        return _Reply(list(outcome.say), menu.quick_reply, outcome.card, after_card=menu.texts)

    def begin(self, flow: Flow, first: Outcome | None) -> _Reply:
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

    def answer_pending(self, value: str) -> _Reply:
        kind, _, flow_name = (self.conv.pending or "").partition(":")
        target = self.engine.flows.get(flow_name)
        if kind == "confirm":
            kept = self.drop_confirm()
            step = self.current_step()
            if value == "yes" and kept is not None and step is not None and step.on_choice is not None:
                return self.apply(step.on_choice(self.turn(), kept))
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
                return _Reply([note, *reply.texts], reply.quick_reply, reply.flex, reply.after_card)
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
            return _Reply([self.t("conv.resumed"), *reply.texts], reply.quick_reply, reply.flex)
        repo.delete_draft(self.conv.line_user_id, flow_name)
        self.answers = {}
        first = target.on_enter(self.turn()) if target.on_enter else None
        if first is not None and first.next is None:
            return self.done_at_entry(first)
        return self.begin(target, first)

    def reask(self, *texts: str) -> _Reply:
        reply = self.ask() if (self.conv.flow or self.conv.pending) else self.menu()
        return _Reply([*texts, *reply.texts], reply.quick_reply, reply.flex)

    def apply(self, outcome: Outcome) -> _Reply:
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
            return _Reply(texts + reply.texts, reply.quick_reply, reply.flex)
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
        return _Reply(texts + reply.texts, reply.quick_reply, reply.flex)


YES_NO = (
    Choice("yes", label_key="conv.confirm_yes", words_key="words.yes"),
    Choice("no", label_key="conv.confirm_no", words_key="words.no"),
)
_INPUT_KINDS = ("text", "postback", "image", "video", "audio", "file", "location", "sticker")


# --- turning parse errors into sentences -----------------------------------------------------
def parse_error_text(error: ParseError, language: str) -> str:
    """A polite sentence for a refused input, from the catalog (`parse.<code>`)."""
    params: dict[str, object] = {}
    for key, value in error.params.items():
        if isinstance(value, date):
            period = Period(value, value, "day")
            params[key] = format_period_th(period) if language == "th" else format_period_en(period)
        elif key in ("expected", "entered", "unit") and isinstance(value, str):
            params[key] = t(f"unit.{value}", language) if default_catalog().has(f"unit.{value}") else value
        elif hasattr(value, "as_tuple"):
            params[key] = format_number(value)
        else:
            params[key] = value
    key = f"parse.{error.code}" if default_catalog().has(f"parse.{error.code}") else "parse.fallback"
    try:
        return t(key, language, **params)
    except (KeyError, IndexError):  # a message naming a param this error did not carry
        return t("parse.fallback", language)
