"""`ruamjai less batch` and `ruamjai less batches`: the program's submission batch written and
recorded (every ready agency by default), a choice with an agency not ready refused with the list
and nothing written or recorded, and the recorded batches listed with their hashes."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from handlers.catalog import t
from tests.bot.cli.test_less import cli  # noqa: F401 (the fixture)
from tests.handlers.less_batch_helpers import seed_program


def test_the_batch_of_every_ready_agency_is_written_recorded_and_listed(cli, app, tmp_path):  # noqa: F811
    program = seed_program(app)
    target = tmp_path / "batch.zip"
    code, out, err = cli("less", "batch", "--period", "มิ.ย. 2567", "--out", str(target))
    assert code == 0, err
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert "recorded as #1" in out and "2 agencies" in out and digest in out
    names = zipfile.ZipFile(target).namelist()
    assert [n for n in names if n.startswith("packages/")] == [
        n for n in names if n.startswith(tuple(f"packages/agency-{i:04d}-" for i in program.ready))
    ]
    assert len(names) == 4
    code, out, _ = cli("less", "batch", "--period", "2024-06", "--out", str(target))
    assert code == 0 and "already recorded as #1" in out
    code, listed, _ = cli("less", "batches")
    assert code == 0 and listed.count("\n#") == 0 and listed.startswith("#1 ") and digest in listed
    assert all(f"agency {i} " in listed for i in program.ready)


def test_an_agency_not_ready_is_refused_with_its_list_and_nothing_written(cli, app, tmp_path):  # noqa: F811
    program = seed_program(app)
    target = tmp_path / "batch.zip"
    argv = ["less", "batch", "--period", "มิ.ย. 2567", "--out", str(target), "--lang", "th"]
    code, out, err = cli(*argv, "--agency", str(program.ready[0]), "--agency", str(program.reviewing))
    assert code == 1 and out == ""
    waiting = program.refs[program.reviewing][1]
    assert f"agency {program.reviewing}: {t('less.problem.under_review', 'th', ref=waiting)}" in err
    assert not target.exists() and list(tmp_path.glob(".less-*")) == []
    assert cli("less", "batches")[1] == "no batches recorded\n"


def test_a_bad_agency_id_is_refused_before_anything_runs(cli, tmp_path):  # noqa: F811
    with pytest.raises(SystemExit) as exited:
        cli("less", "batch", "--agency", "x", "--out", str(tmp_path / "x.zip"))
    assert exited.value.code == 2
