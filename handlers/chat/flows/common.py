"""Pieces several flows share: province and district questions, whole numbers with a unit word,
free text cleaned before it reaches a column, a coordinator's name, position and phone, and
"edit one answer then come back" navigation."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

import geothai
from geothai import District, Province

from handlers.catalog import default_catalog, label
from handlers.chat.engine import (
    MAX_LABEL_UTF16,
    Choice,
    Outcome,
    Question,
    Step,
    Turn,
    match_choice,
    parse_error_text,
    utf16_len,
)
from handlers.parsing import ParseError, clean_free_text, parse_quantity
from handlers.parsing.phone import format_thai_mobile, parse_thai_mobile

# How alike a misspelt name must be to a real one (difflib ratio), and how close to the best
# match another must be to be offered as well ("เชียงใม่" is เชียงใหม่, not เชียงราย too).
FUZZY_CUTOFF = 0.75
FUZZY_BAND = 0.08
MAX_OPTIONS = 10
BANGKOK_PROVINCE_CODE = "10"

NextState = str | Callable[[Turn], str]
SKIP = Choice("skip", label_key="common.skip", words_key="words.skip")
RETURN_TO = "return_to"


# --- navigation -----------------------------------------------------------------------------
def next_state(turn: Turn, state: NextState) -> str:
    """Where to go after an answer: back to the summary when the user is editing one answer."""
    back = turn.answers.pop(RETURN_TO, None)
    if back:
        return back
    return state(turn) if callable(state) else state


# --- whole numbers ------------------------------------------------------------------------------
def whole_number(
    turn: Turn, text: str, *, unit: str, low: int, high: int, range_key: str, example: int
) -> int | str:
    """A whole number from `low` to `high`, typed bare or with its unit word ("7 วัน"); else the
    sentence saying what is wanted, with an example that fits this question."""
    try:
        quantity = parse_quantity(text, unit, allow_zero=True)
    except ParseError as error:
        if error.code.startswith("unit.") or error.code == "input.empty":
            return parse_error_text(error, turn.language)
        return turn.t(range_key, low=low, high=high, example=example)
    value = quantity.value
    if value != value.to_integral_value() or not low <= value <= high:
        return turn.t(range_key, low=low, high=high, example=example)
    return int(Decimal(value))


# --- provinces and districts ----------------------------------------------------------------
def _closest(query: str, areas: list, is_name: Callable[[object, str], bool]) -> list:
    q = geothai.normalize(query)
    if not q:
        return []
    exact = [a for a in areas if is_name(a, q)]
    if exact:
        return exact
    names = {a.code: (geothai.normalize(a.name_th), geothai.normalize(a.name_en)) for a in areas}
    if len(q) >= 2:
        starts = [a for a in areas if any(n.startswith(q) for n in names[a.code])]
        contains = [a for a in areas if a not in starts and any(q in n for n in names[a.code])]
        if starts or contains:
            return (starts + contains)[:MAX_OPTIONS]
    scored = []
    for area in areas:
        score = max(difflib.SequenceMatcher(None, q, n).ratio() for n in names[area.code])
        if score >= FUZZY_CUTOFF:
            scored.append((score, area))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    scored.sort(key=lambda pair: -pair[0])
    return [area for score, area in scored if score >= best - FUZZY_BAND][:MAX_OPTIONS]


def find_provinces(text: str) -> list[Province]:
    """Provinces a typed name may mean (Thai or English, short forms, misspellings), best first."""
    return _closest(text, geothai.provinces(), geothai.is_province)


def find_districts(province_code: str, text: str) -> list[District]:
    """Districts of one province a typed name may mean, best first."""
    return _closest(text, geothai.districts(province_code), geothai.is_district)


def area_name(turn: Turn, area: Province | District | None) -> str | None:
    if area is None:
        return None
    return label(area, turn.language, field="name")


def area_button(turn: Turn, area: Province | District) -> Choice:
    """A province or district button within LINE's 20 characters: a long name has a short one in the
    catalog, else a capital district is "Mueang" (one per province's list); the full name counts typed."""
    name = area_name(turn, area) or area.code
    label = name
    if utf16_len(name) > MAX_LABEL_UTF16:
        short = f"common.area_short.{area.code}"
        label = turn.t(short) if default_catalog().has(short) else name.split(" ", 1)[0]
    return Choice(area.code, label=label, also=(area.name_th, area.name_en))


def area_buttons(turn: Turn, areas: Sequence[Province | District | None]) -> list[Choice]:
    """Buttons for a list of areas; two spelt alike in English (Bang Sai, Bang Sai) carry the Thai name."""
    buttons = [area_button(turn, a) for a in areas if a]
    alike = {label for label, count in Counter(b.label for b in buttons).items() if count > 1}
    return [replace(b, label=f"{b.label} ({b.also[0]})") if b.label in alike else b for b in buttons]


def province_name(turn: Turn, code: str | None) -> str | None:
    return area_name(turn, geothai.province(code) if code else None)


def district_name(turn: Turn, code: str | None) -> str | None:
    return area_name(turn, geothai.district(code) if code else None)


def in_bangkok(province_code: str | None) -> bool:
    """Bangkok is a special administrative area: not called จังหวัด, its districts are เขต."""
    return province_code == BANGKOK_PROVINCE_CODE


def district_word(turn: Turn, province_code: str | None) -> str:
    """What a district is called there: อำเภอ in a province, เขต in Bangkok ("district" in English)."""
    return turn.t("common.district_word_bangkok" if in_bangkok(province_code) else "common.district_word")


def in_province(turn: Turn, province_code: str | None) -> str:
    """The province as a sentence names it: "จังหวัดเชียงใหม่", but "กรุงเทพมหานคร" (never จังหวัด)."""
    key = "common.place_bangkok" if in_bangkok(province_code) else "common.place_province"
    return turn.t(key, province=province_name(turn, province_code) or "-")


def place_text(turn: Turn, province_code: str | None, district_code: str | None) -> str:
    """Where an agency is: "จังหวัดเชียงใหม่ อำเภอแม่ริม", "กรุงเทพมหานคร เขตบางรัก" (Bangkok's
    district names carry เขต already), or the province alone without a district."""
    district = district_name(turn, district_code)
    if district is None:
        return in_province(turn, province_code)
    key = "common.place_bangkok_district" if in_bangkok(province_code) else "common.place_district"
    return turn.t(key, province=in_province(turn, province_code), district=district)


def province_step(*, answer: str, ask_key: str, help_key: str, then: NextState) -> Step:
    """A province question: 77 paged buttons, or typed in Thai or English (misspellings forgiven);
    a typed name is said back for a yes/no before it is kept; several matches become the buttons.
    The code is stored in `answers[answer]`."""
    options = f"{answer}_options"

    def ask(turn: Turn) -> Question:
        codes = turn.answers.get(options) or [p.code for p in geothai.provinces()]
        areas = [geothai.province(code) for code in codes]
        return Question(turn.t(ask_key), area_buttons(turn, areas))

    def on_choice(turn: Turn, code: str) -> Outcome:
        turn.answers.pop(options, None)
        turn.answers[answer] = code
        return Outcome.go(next_state(turn, then))

    def on_text(turn: Turn, text: str) -> Outcome:
        found = find_provinces(text)
        if len(found) == 1:
            key = "common.bangkok_check" if in_bangkok(found[0].code) else "common.province_check"
            return Outcome.check(found[0].code, turn.t(key, name=area_name(turn, found[0])))
        if found:
            turn.answers[options] = [p.code for p in found]
            return Outcome.again(turn.t("common.province_several"))
        turn.answers.pop(options, None)
        return Outcome.again(turn.t("common.province_unknown"))

    return Step(
        ask,
        help_key,
        on_choice=on_choice,
        on_text=on_text,
        # Any province: a button from the whole list still counts after the list was narrowed.
        choices=lambda turn: [Choice(p.code) for p in geothai.provinces()],
        describe=lambda turn: province_name(turn, turn.answers.get(answer)),
        typed_choices=False,
    )


def district_step(
    *, answer: str, province_answer: str, ask_key: str, help_key: str, then: NextState, optional: bool
) -> Step:
    """A district question within the province answered before (`answers[province_answer]`);
    with `optional`, a "skip" button stores None. Typed names are said back like provinces."""
    options = f"{answer}_options"

    def districts(turn: Turn) -> list[District]:
        return geothai.districts(turn.answers.get(province_answer) or "")

    def ask(turn: Turn) -> Question:
        shown = turn.answers.get(options)
        areas = [geothai.district(c) for c in shown] if shown else districts(turn)
        choices = area_buttons(turn, areas)
        if optional:
            choices.insert(0, SKIP)
        code = turn.answers.get(province_answer)
        words = {"province": in_province(turn, code), "district_word": district_word(turn, code)}
        return Question(turn.t(ask_key, **words), choices)

    def on_choice(turn: Turn, value: str) -> Outcome:
        if value == "skip" and optional:
            turn.answers.pop(options, None)
            turn.answers[answer] = None
            return Outcome.go(next_state(turn, then))
        turn.answers.pop(options, None)
        turn.answers[answer] = value
        return Outcome.go(next_state(turn, then))

    def on_text(turn: Turn, text: str) -> Outcome:
        if optional and match_choice(text, [SKIP]) is not None:
            return on_choice(turn, "skip")
        province = turn.answers.get(province_answer) or ""
        found = find_districts(province, text)
        if len(found) == 1:
            # Bangkok's districts are เขต and carry the word in their names already.
            key = "common.bangkok_check" if in_bangkok(province) else "common.district_check"
            return Outcome.check(found[0].code, turn.t(key, name=area_name(turn, found[0])))
        if found:
            turn.answers[options] = [d.code for d in found]
            return Outcome.again(
                turn.t("common.district_several", district_word=district_word(turn, province))
            )
        turn.answers.pop(options, None)
        words = {"province": in_province(turn, province), "district_word": district_word(turn, province)}
        return Outcome.again(turn.t("common.district_unknown", **words))

    def describe(turn: Turn) -> str | None:
        if answer in turn.answers and turn.answers[answer] is None:
            return turn.t("common.skip")
        return district_name(turn, turn.answers.get(answer))

    def choices(turn: Turn) -> list[Choice]:
        """Any district of the province (a button from the whole list still counts)."""
        return [*([SKIP] if optional else []), *(Choice(d.code) for d in districts(turn))]

    return Step(
        ask,
        help_key,
        on_choice=on_choice,
        on_text=on_text,
        choices=choices,
        describe=describe,
        typed_choices=False,
    )


# --- plain questions ------------------------------------------------------------------------------
def text_step(*, answer: str, ask_key: str, help_key: str, max_chars: int, then: NextState) -> Step:
    """Free text (a name, a position), cleaned and length-checked, kept in `answers[answer]`."""

    def on_text(turn: Turn, text: str) -> Outcome:
        try:
            turn.answers[answer] = clean_free_text(text, max_chars)
        except ParseError as error:
            return Outcome.again(parse_error_text(error, turn.language))
        return Outcome.go(next_state(turn, then))

    return Step(
        lambda turn: Question(turn.t(ask_key)),
        help_key,
        on_text=on_text,
        describe=lambda turn: turn.answers.get(answer),
    )


def phone_step(*, answer: str, ask_key: str, help_key: str, then: NextState) -> Step:
    """A Thai mobile number, kept in E.164; a malformed one is explained with an example."""

    def on_text(turn: Turn, text: str) -> Outcome:
        try:
            turn.answers[answer] = parse_thai_mobile(text)
        except ParseError as error:
            return Outcome.again(parse_error_text(error, turn.language))
        return Outcome.go(next_state(turn, then))

    def describe(turn: Turn) -> str | None:
        value = turn.answers.get(answer)
        return format_thai_mobile(value) if value else None

    return Step(lambda turn: Question(turn.t(ask_key)), help_key, on_text=on_text, describe=describe)


def yes_no_step(
    *, answer: str, ask_key: str, help_key: str, yes_key: str, no_key: str, then: NextState
) -> Step:
    """A yes/no question with its own button labels; everyday yes/no words work too."""
    choices = (
        Choice("yes", label_key=yes_key, words_key="words.yes"),
        Choice("no", label_key=no_key, words_key="words.no"),
    )

    def on_choice(turn: Turn, value: str) -> Outcome:
        turn.answers[answer] = value == "yes"
        return Outcome.go(next_state(turn, then))

    def describe(turn: Turn) -> str | None:
        if answer not in turn.answers:
            return None
        return turn.t(yes_key if turn.answers[answer] else no_key)

    def ask(turn: Turn) -> Question:
        return Question(turn.t(ask_key), choices)

    return Step(ask, help_key, on_choice=on_choice, describe=describe)


def then_do(step: Step, action: Callable[[Turn], Outcome]) -> Step:
    """`step`, but once it has accepted an answer, `action` decides what happens (the last
    question of a flow that then acts: join with the phone number just given)."""

    def wrap(handler):
        if handler is None:
            return None

        def handle(turn: Turn, value: str) -> Outcome:
            outcome = handler(turn, value)
            return outcome if outcome is None or outcome.retry else action(turn)

        return handle

    return replace(step, on_choice=wrap(step.on_choice), on_text=wrap(step.on_text))


# --- a coordinator ---------------------------------------------------------------------------------
PERSON_NAME_MAX = 100
POSITION_MAX = 100


def person_steps(
    flow: str,
    *,
    then: NextState = "",
    route: Callable[[str], NextState] = lambda state: state,
    act: Callable[[Turn], Outcome] | None = None,
) -> dict[str, Step]:
    """A coordinator's name, position and mobile phone, asked as `<flow>:person_name`,
    `<flow>:position` and `<flow>:phone`, then `then` (or `act` decides, once the phone is given);
    `route` says where a state's answer goes (back to a summary when one answer is being edited)."""
    phone = phone_step(
        answer="phone", ask_key="register.ask_phone", help_key="register.help_phone", then=then
    )
    return {
        f"{flow}:person_name": text_step(
            answer="person_name",
            ask_key="register.ask_person_name",
            help_key="register.help_person_name",
            max_chars=PERSON_NAME_MAX,
            then=route(f"{flow}:position"),
        ),
        f"{flow}:position": text_step(
            answer="position",
            ask_key="register.ask_position",
            help_key="register.help_position",
            max_chars=POSITION_MAX,
            then=route(f"{flow}:phone"),
        ),
        f"{flow}:phone": then_do(phone, act) if act else phone,
    }
