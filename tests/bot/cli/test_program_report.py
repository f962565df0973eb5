"""`ruamjai program-report`: the workbook with the approved figures, the same bytes on a second run,
and the printable HTML page in Thai with Buddhist-era dates."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from bot.cli import main
from handlers.catalog import t
from tests.handlers.program_report_helpers import expected, seed_round


@pytest.fixture
def cli(database_url, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_the_workbook_holds_the_approved_figures_and_is_the_same_on_a_second_run(cli, app, tmp_path):
    seed_round(app)
    want = expected(app)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    code, out, err = cli("program-report", "--out", str(first))
    assert code == 0, err
    assert str(first) in out
    assert cli("program-report", "--out", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    summary = load_workbook(first).worksheets[0]
    values = {row[0].value: row[1].value for row in summary.iter_rows() if row[0].value}
    reports = f"{t('program_report.reports', 'th')}\n{t('program_report.reports', 'en')}"
    tonnes = f"{t('program_report.t_co2e', 'th')}\n{t('program_report.t_co2e', 'en')}"
    assert values[reports] == want.reports
    assert values[tonnes] == pytest.approx(float(want.kg / 1000))


def test_the_html_page_is_one_printable_file_in_thai(cli, app, tmp_path):
    now = seed_round(app)
    page = tmp_path / "report.html"
    assert cli("program-report", "--out", str(page), "--html")[0] == 0
    html = page.read_text(encoding="utf-8")
    assert t("program_report.title", "th") in html and "เชียงใหม่" in html
    assert t("program_report.lors_issued", "th") in html  # counted by the LOR tracking
    assert t("program_report.not_tracked", "th") not in html
    assert t("program_report.event_not_computed", "th") in html
    assert str(now.year + 543) in html and "@page" in html and "data:font/ttf;base64," in html
    assert "&#34;" not in html.split("</style>")[0]  # the styles are not escaped
    english = tmp_path / "report-en.html"
    assert cli("program-report", "--out", str(english), "--html", "--lang", "en")[0] == 0
    assert t("program_report.title", "en") in english.read_text(encoding="utf-8")


def test_without_a_campaign_there_is_no_workbook(cli, tmp_path):
    out = tmp_path / "none.xlsx"
    code, _, err = cli("program-report", "--out", str(out))
    assert code == 1 and "no campaign" in err and not out.exists()
    assert cli("program-report", "--out", str(tmp_path / "missing" / "x.xlsx"))[0] == 2
