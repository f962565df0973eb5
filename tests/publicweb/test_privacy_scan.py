"""Every public surface at once: the results page, the board, the open data and the share card's
words hold no person's name, phone or LINE id, no place or GPS, no free text, and no agency that
did not agree to be named."""

from __future__ import annotations

import pytest

from bot.cli.clock import run_once
from bot.runtime import runtime
from bot.web.public.share_card import card_words
from handlers.services.public_results import current, mark_stale
from tests.publicweb import open_data_helpers
from tests.publicweb.open_data_helpers import NAMED, UNNAMED, seed
from tests.publicweb.privacy import assert_no_private_data, private_strings

PUBLIC_PATHS = (
    "/",
    "/en",
    "/board",
    "/en/board",
    "/board.json",
    "/en/board.json",
    "/open-data/",
    "/en/open-data/",
    "/open-data/reports.csv",
    "/open-data/reports.json",
    "/open-data/metadata.json",
)


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def everything_public(app, client) -> str:
    pages = []
    for path in PUBLIC_PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        pages.append(response.get_data(as_text=True))
    with runtime(app).session_factory() as session:
        figures = current(session, runtime(app).clock.now())
    for lang in ("th", "en"):
        words = card_words(figures, lang)
        pages += [str(value) for value in vars(words).values()]
    return "\n".join(pages)


def test_no_public_surface_holds_a_person_or_an_agency_that_did_not_agree(seeded, client):
    text = everything_public(seeded, client)
    assert NAMED in text  # the scan reads real pages, with the agency that agreed named
    with runtime(seeded).session_factory() as session:
        assert UNNAMED in private_strings(session)
        assert_no_private_data(text, session)
    leaked = [value for value in open_data_helpers.private_strings(seeded) if value in text]
    assert leaked == []


def test_after_the_named_agency_withdraws_no_surface_names_it(seeded, client):
    open_data_helpers.set_consent(seeded, NAMED, False)
    with runtime(seeded).session_factory.begin() as session:
        mark_stale(session)
    run_once(runtime(seeded), "public")
    text = everything_public(seeded, client)
    assert NAMED not in text
    with runtime(seeded).session_factory() as session:
        assert_no_private_data(text, session)
