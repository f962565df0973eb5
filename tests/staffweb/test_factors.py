"""/staff/factors: every dataset version with its source and each factor's confidence, and the
factor table that applies to a period, chosen as calculations choose it."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.catalog import t
from handlers.services.reports import factor_table
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, signed_in


@pytest.fixture
def browser(app, fake_line):
    add_staff_member(app)
    browser = Browser(app)
    signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
    return browser


def test_every_dataset_with_its_source_and_confidence(browser):
    page = browser.get("/staff/factors").get_data(as_text=True)
    for dataset in factor_table().datasets:
        assert dataset.ref in page
        assert dataset.source.title in page and dataset.source.publisher in page
        if dataset.source.url:
            assert f'href="{dataset.source.url}"' in page
    assert t("staffweb.factors.confidence_secondary", "th") in page
    assert t("staffweb.factors.confidence_proxy", "th") in page
    english = browser.get("/staff/factors?lang=en").get_data(as_text=True)
    assert "Emission factors" in english and "Proxy (review)" in english


def _grid_row(page: str) -> str:
    start = page.index('id="applying"')
    row = page.index("electricity.<wbr>grid_th</code>", start)
    return page[row : page.index("</tr>", row)]


def test_the_factor_applying_to_a_period_is_the_one_calculations_choose(browser):
    response = browser.get("/staff/factors?from=2026-02&to=2026-03")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    chosen = factor_table().select("electricity.grid_th", date(2026, 2, 1), date(2026, 3, 31)).factor
    assert chosen is not None and chosen.ref in _grid_row(page)
    older = factor_table().select("electricity.grid_th", date(2025, 2, 1), date(2025, 2, 28)).factor
    assert older is not None and older.ref != chosen.ref
    assert older.ref in _grid_row(browser.get("/staff/factors?from=2025-02").get_data(as_text=True))
    # A period across the change: the value valid at its end, and the warning.
    across = browser.get("/staff/factors?from=2025-12&to=2026-01").get_data(as_text=True)
    assert chosen.ref in _grid_row(across)
    assert t("staffweb.factors.spans_change", "th") in _grid_row(across)


@pytest.mark.parametrize("query", ["from=2026-13", "from=abc", "from=2026-05&to=2026-01", "from=1900-01"])
def test_a_bad_period_is_refused_politely(browser, query):
    response = browser.get(f"/staff/factors?{query}")
    assert response.status_code == 400
    assert t("staffweb.factors.bad_period", "th") in response.get_data(as_text=True)
