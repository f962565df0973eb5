"""The conversation engine: flows declared as data, state in the database, global commands.

Steps never call LINE and never see a Flask request; the engine renders questions as LINE
messages (quick replies, paging, labels and text within LINE's limits), keeps the state per LINE
user in the `conversations` table, and handles what works everywhere:

- cancel / back / help / menu, typed (Thai or English) or tapped;
- stale buttons: every button carries the conversation id and the state it was shown for;
- an answer that is none of the question's choices, and a refusal a step raises;
- the wrong kind of input (a sticker when a number is expected, 3,000 characters, …);
- an idle timeout that closes the conversation and keeps a draft to offer back later;
- answers in people's own words (`matching`);
- "did you mean …?": a step may return `Outcome.check(value, question)` to say a typed value back
  with yes/no before its `on_choice` keeps it (provinces);
- a language chosen inside a flow (`Outcome.go(..., language=...)`) applies to the rest of it.

Modules: `declare` (what flows declare), `incoming` (an input from a LINE event), `matching`
(typed answers), `render` (LINE's limits), `sentences` (refusals in words), `conversation` (one
conversation's state and questions), `run` (the engine, and what an input does).
"""

from handlers.chat.engine.conversation import CONFIRM_KEY, LANGUAGE_KEY, YES_NO, new_conversation_id
from handlers.chat.engine.declare import Choice, Flow, Outcome, Question, Step, Turn
from handlers.chat.engine.incoming import INPUT_KINDS, Incoming
from handlers.chat.engine.matching import loose, match_choice, understood_choice
from handlers.chat.engine.render import (
    MAX_LABEL_UTF16,
    MAX_MESSAGES,
    MAX_POSTBACK_DATA,
    MAX_QUICK_REPLY,
    MAX_TEXT_UTF16,
    assemble,
    fit_label,
    postback_data,
    split_text,
    utf16_len,
)
from handlers.chat.engine.run import COMMANDS, MAX_ANSWER_CHARS, Engine
from handlers.chat.engine.sentences import parse_error_text, refusal_text

__all__ = [
    "COMMANDS",
    "CONFIRM_KEY",
    "INPUT_KINDS",
    "LANGUAGE_KEY",
    "MAX_ANSWER_CHARS",
    "MAX_LABEL_UTF16",
    "MAX_MESSAGES",
    "MAX_POSTBACK_DATA",
    "MAX_QUICK_REPLY",
    "MAX_TEXT_UTF16",
    "YES_NO",
    "Choice",
    "Engine",
    "Flow",
    "Incoming",
    "Outcome",
    "Question",
    "Step",
    "Turn",
    "assemble",
    "fit_label",
    "loose",
    "match_choice",
    "new_conversation_id",
    "parse_error_text",
    "postback_data",
    "refusal_text",
    "split_text",
    "understood_choice",
    "utf16_len",
]
