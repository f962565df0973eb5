"""`ruamjai less package AGENCY --period … --out FILE`: the agency's LESS package as a ZIP file, or
the list of what TGO would send back (exit 1, no file)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from bot.cli import bootstrap, main
from bot.runtime import runtime
from handlers.catalog import t
from tests.handlers.domain_helpers import NOW
from tests.handlers.less_helpers import EXAMPLES, add_report, seed_agency


class FixedClock:
    def now(self):
        return NOW


@pytest.fixture
def cli(database_url, settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RUAMJAI_INSTANCE", str(tmp_path))
    monkeypatch.setenv("MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setattr(bootstrap, "CLOCK", FixedClock())

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_the_package_is_written_and_opens(cli, app, tmp_path):
    seeded = seed_agency(app)
    target = tmp_path / "less.zip"
    code, out, err = cli(
        "less", "package", str(seeded.agency_id), "--period", "มิ.ย. 2567", "--out", str(target)
    )
    assert code == 0, err
    assert "4 reports, 8 photos" in out and "1.967 tCO2e" in out
    archive = zipfile.ZipFile(target)
    book = load_workbook(io.BytesIO(archive.read("less-summary.xlsx")))
    assert len(book.worksheets) == 3
    first = target.read_bytes()
    assert cli("less", "package", str(seeded.agency_id), "--period", "2024-06", "--out", str(target))[0] == 0
    assert target.read_bytes() == first


def test_a_report_under_review_is_listed_and_nothing_is_written(cli, app, tmp_path):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    rt = runtime(app)
    with rt.session_factory.begin() as session:
        waiting = add_report(session, rt.media, seeded.user, *EXAMPLES[1], status="submitted")
        bare = add_report(session, rt.media, seeded.user, *EXAMPLES[2], photos=0)
    target = tmp_path / "less.zip"
    code, out, err = cli(
        "less",
        "package",
        str(seeded.agency_id),
        "--period",
        "มิ.ย. 2567",
        "--out",
        str(target),
        "--lang",
        "th",
    )
    assert code == 1 and out == ""
    assert t("less.problem.under_review", "th", ref=waiting) in err
    assert t("less.problem.no_photos", "th", ref=bare) in err
    assert not target.exists() and list(tmp_path.glob(".less-*")) == []


def test_a_period_that_cannot_be_read_is_refused_before_anything_runs(cli, tmp_path):
    with pytest.raises(SystemExit) as exited:
        cli("less", "package", "1", "--period", "soon", "--out", str(tmp_path / "x.zip"))
    assert exited.value.code == 2


def test_without_a_period_the_package_covers_the_default_one(cli, app, tmp_path):
    seeded = seed_agency(app, reports=EXAMPLES[:1])
    target = tmp_path / "less.zip"
    code, out, err = cli("less", "package", str(seeded.agency_id), "--out", str(target))
    assert code == 0, err
    assert "2024-01-01..2024-12-31, 1 reports" in out  # no active campaign: the year in Bangkok
