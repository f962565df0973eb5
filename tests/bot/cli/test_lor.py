"""`ruamjai lor …`: the same LOR changes as the staff web, from the command line; the coordinators
hear each in LINE, and a refused change exits 1 and changes nothing."""

from __future__ import annotations

from handlers.catalog import t
from tests.bot.cli.test_program import cli  # noqa: F401
from tests.handlers.domain_helpers import approved, db_fixture, pushed_texts  # noqa: F401

BANG_PHLI = "องค์การบริหารส่วนตำบลบางพลี"


def test_an_lor_walked_from_the_command_line(cli, db, app, fake_line, tmp_path):  # noqa: F811
    user, agency_id = approved(db)
    code, _, err = cli("lor", "submitted", str(agency_id), "--date", "2024-09-30")
    assert code == 1 and "not_now" in err
    assert cli("lor", "ready", str(agency_id))[0] == 0
    code, out, _ = cli("lor", "submitted", str(agency_id), "--date", "2024-09-30")
    assert code == 0 and "submitted" in out
    certificate = tmp_path / "lor.pdf"
    certificate.write_bytes(b"<html>not a pdf</html>")
    args = ("lor", "issued", str(agency_id), "--number", "LOR-9", "--date", "2024-11-01")
    code, _, err = cli(*args, "--certificate", str(certificate))
    assert code == 1 and "certificate_type" in err
    assert cli(*args, "--certificate", str(tmp_path / "missing.pdf"))[0] == 2
    certificate.write_bytes(b"%PDF-1.4\n" + b"0" * 50)
    assert cli(*args, "--certificate", str(certificate))[0] == 0
    code, out, _ = cli("lor", "status", str(agency_id))
    assert (
        code == 0 and "issued" in out and "LOR LOR-9 issued 2024-11-01" in out and out.count(" by cli") == 3
    )
    texts = [text for text in pushed_texts(app, fake_line, user) if "LOR" in text]
    assert texts[0] == t("lor.notice.package_ready", "th", agency=BANG_PHLI) and len(texts) == 3
    assert cli("lor", "status", "999")[0] == 1
