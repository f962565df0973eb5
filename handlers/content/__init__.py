"""Knowledge and news posts as data: one TOML file per post in `posts/`, Thai and English.

A post file (its name, without `.toml`, is the post's key):

    kind = "knowledge"            # knowledge | news (news goes only to people who opted in)
    topic = "climate"             # see TOPICS
    phase = "outreach"            # the campaign phase it belongs to, see PHASES
    published = 2024-05-20        # newest first in the knowledge carousel
    image = "https://…"           # optional, HTTPS (LINE shows only HTTPS images)
    [th]  title = "…"  body = \"\"\"…\"\"\"
    [en]  title = "…"  body = \"\"\"…\"\"\"

A date that depends on the round is never written out: `{month}` (the month and year, Buddhist era
in Thai) and `{year}` (the Common Era year, as in "TCAC 2024") are filled by `dated()` from when
the active campaign's calendar puts the post, else from `published`.

`load_posts()` checks every file and raises ContentError listing every problem at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

POSTS_DIR = Path(__file__).parent / "posts"
KINDS = ("knowledge", "news")
# royal environmental work, climate knowledge, how to join, how to report, results
TOPICS = ("royal", "climate", "join", "report", "results")
# The program's phases (PROGRAM.md, section 4): a post names the one it belongs to.
PHASES = ("outreach", "support", "collect", "certify", "exhibit", "report")
LANGUAGES = ("th", "en")
MAX_TITLE = 60  # one or two lines on a phone
MAX_BODY = 1200  # a bubble stays far below LINE's 30 KB and reads in under a minute
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PLACEHOLDERS = ("{month}", "{year}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Month names as a post's sentence needs them ("ในเดือนตุลาคม 2567").
MONTHS = {
    "th": ("มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม").split(),
    "en": "January February March April May June July August September October November December".split(),
}


class ContentError(ValueError):
    """Problems in the content files, one per line."""


@dataclass(frozen=True)
class Post:
    key: str
    kind: str
    topic: str
    phase: str
    published: date
    image: str | None
    title: dict[str, str]
    body: dict[str, str]
    # Buttons under the post (posts staff write on the web): {"label", "uri"} or {"label", "text"}
    buttons: tuple[dict[str, str], ...] = ()
    # An image in the media store (posts written on the web): its address is signed when sent
    image_key: str | None = None


def _check(key: str, data: dict) -> list[str]:
    problems = []
    if not _KEY.match(key):
        problems.append("the file name must be lowercase letters, digits and dashes (it is the post's key)")
    for field, allowed in (("kind", KINDS), ("topic", TOPICS), ("phase", PHASES)):
        if data.get(field) not in allowed:
            problems.append(f"{field} must be one of {', '.join(allowed)}, not {data.get(field)!r}")
    if not isinstance(data.get("published"), date):
        problems.append("published must be a date such as 2024-05-20")
    image = data.get("image")
    if image is not None and not (isinstance(image, str) and image.startswith("https://")):
        problems.append("image must be an https:// address")
    for language in LANGUAGES:
        part = data.get(language)
        if not isinstance(part, dict):
            problems.append(f"[{language}] with a title and a body is missing")
            continue
        for field, limit in (("title", MAX_TITLE), ("body", MAX_BODY)):
            text = part.get(field)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"[{language}] {field} is missing")
            elif len(text) > limit:
                problems.append(f"[{language}] {field} has {len(text)} characters; at most {limit}")
            else:
                unknown_marks = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
                if unknown_marks:
                    known = " and ".join(PLACEHOLDERS)
                    problems.append(
                        f"[{language}] {field}: {', '.join(unknown_marks)} (only {known} are filled)"
                    )
    unknown = sorted(set(data) - {"kind", "topic", "phase", "published", "image", *LANGUAGES})
    if unknown:
        problems.append(f"unknown fields: {', '.join(unknown)}")
    return problems


def load_posts(directory: Path = POSTS_DIR) -> dict[str, Post]:
    """Every post in `directory`, by key; raises ContentError listing every problem found."""
    posts: dict[str, Post] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as error:
            problems.append(f"{path.name}: not valid TOML: {error}")
            continue
        found = _check(path.stem, data)
        if found:
            problems.extend(f"{path.name}: {problem}" for problem in found)
            continue
        posts[path.stem] = Post(
            key=path.stem,
            kind=data["kind"],
            topic=data["topic"],
            phase=data["phase"],
            published=data["published"],
            image=data.get("image"),
            title={language: data[language]["title"].strip() for language in LANGUAGES},
            body={language: data[language]["body"].strip() for language in LANGUAGES},
        )
    if problems:
        raise ContentError("\n".join(problems))
    return posts


@cache
def posts() -> dict[str, Post]:
    """The shipped posts (loaded once per process)."""
    return load_posts()


def latest(kind: str | None = None, limit: int = 10) -> list[Post]:
    """The newest posts first (of one kind, if given)."""
    chosen = [post for post in posts().values() if kind is None or post.kind == kind]
    return sorted(chosen, key=lambda post: (post.published, post.key), reverse=True)[:limit]


def dated(post: Post, when: date | None = None) -> Post:
    """The post with `{month}` and `{year}` filled from `when` (else its `published` date)."""
    when = when or post.published

    def fill(text: str, language: str) -> str:
        year = when.year + 543 if language == "th" else when.year
        month = f"{MONTHS[language][when.month - 1]} {year}"
        return text.replace("{month}", month).replace("{year}", str(when.year))

    return replace(
        post,
        title={language: fill(text, language) for language, text in post.title.items()},
        body={language: fill(text, language) for language, text in post.body.items()},
    )
