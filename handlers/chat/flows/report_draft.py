"""Where a report draft stands: the activity being reported, the next thing it lacks, and where to
go after an answer (back to the summary, or the next field staff asked to fix). Shared by the
report flow's question steps (handlers/chat/flows/report.py) and its photo and place steps
(handlers/chat/flows/report_photos.py)."""

from __future__ import annotations

import calc
from handlers.chat.engine import Outcome, Turn

SKIP, DONE = "_skip", "_done"
PICK_GROUP_MIN = 3  # a one_of group this big is a pick loop; a smaller one is asked field by field


def activity(turn: Turn) -> calc.ActivityType:
    """The activity type the draft reports."""
    return calc.activity_type(turn.answers["activity"])


def pick_group(kind: calc.ActivityType, name: str) -> int | None:
    """The index of the big one_of group `name` belongs to (asked as a pick loop), if any."""
    for index, group in enumerate(kind.one_of):
        if name in group and len(group) >= PICK_GROUP_MIN:
            return index
    return None


def next_state(turn: Turn) -> str:
    """The first thing the draft still lacks (the summary when nothing is missing)."""
    answers, kind = turn.answers, activity(turn)
    for field in kind.fields:
        group = pick_group(kind, field.name)
        if group is not None:
            if group not in answers.setdefault("groups_done", []):
                return f"report:pick:{kind.key}:{group}"
            continue
        if field.kind == "text":
            continue  # given with another answer (a species' name)
        if field.name not in answers.setdefault("inputs", {}) and field.name not in answers.setdefault(
            "skipped", []
        ):
            return f"report:field:{field.name}"
    if "period" not in answers:
        return "report:period"
    if not answers.get("photos_done"):
        return "report:photos"
    if not answers.get("place_done"):
        return "report:place"
    return "report:summary"


def advance(turn: Turn, *say: str, answered: str | None = None) -> Outcome:
    """Where to go after an answer (to `answered`, the field, "period", "photos" or "place"): back
    to the summary when one answer was being changed; back to the one being changed when an
    earlier answer was given again after "back"."""
    if answered is not None and turn.answers.get("changing") not in (None, answered):
        return Outcome.go(state_for(turn, turn.answers["changing"]), *say)
    changing = turn.answers.pop("changing", None)
    fixing = turn.answers.get("fix") or []
    if changing in fixing:
        fixing.remove(changing)
        if fixing:  # staff asked for more than one field: the next of them
            turn.answers["changing"] = fixing[0]
            return Outcome.go(state_for(turn, fixing[0]), *say)
    if changing is not None:
        return Outcome.go("report:summary", *say)
    return Outcome.go(next_state(turn), *say)


def state_for(turn: Turn, name: str) -> str:
    """The state that asks `name` (a calc field, "period", "photos" or "place")."""
    return {"period": "report:period", "photos": "report:photos", "place": "report:place"}.get(
        name, f"report:field:{name}"
    )
