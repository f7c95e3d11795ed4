import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cchc.workcal import selectors

from .conftest import run_due, run_due_json


@pytest.mark.django_db
def test_due_prints_one_iso_line():
    out = io.StringIO()
    call_command("due", "--received", "2025-01-24T09:00", "--days", "5", stdout=out)
    assert out.getvalue() == "2025-02-07T09:00:00+07:00\n"


@pytest.mark.django_db
def test_due_json():
    data = run_due_json("2025-01-24T09:00", 5)
    assert data["due"] == "2025-02-07T09:00:00+07:00"
    assert data["received"] == "2025-01-24T09:00:00+07:00"
    assert data["days"] == 5
    assert data["explanation"]["working_hours"] == 40
    assert len(data["explanation"]["skipped_days"]) == 9
    assert data["explanation"]["calendar_source"] == "database"


@pytest.mark.django_db
def test_received_with_an_offset_and_explain():
    assert run_due("2025-01-24T02:00:00Z", 5) == "2025-02-07T09:00:00+07:00"
    lines = run_due("2025-01-24T09:00:00+07:00", "1,5", "--explain").splitlines()
    assert lines[0] == "2025-02-03T15:00:00+07:00"  # 6 h on Friday, 6 h after Tết
    assert "Các ngày nghỉ không tính:" in lines
    assert lines[-1] == "Hạn trả kết quả: 15:00 Thứ Hai 03/02/2025"


@pytest.mark.django_db
@pytest.mark.parametrize("args,fragment", [
    (["--received", "hôm qua", "--days", "1"], "Ngày giờ tiếp nhận không hợp lệ"),
    (["--received", "2025-02-30T09:00", "--days", "1"], "không hợp lệ"),
    (["--received", "2025-01-24T09:00", "--days", "-1"], "không được âm"),
    (["--received", "2025-01-24T09:00", "--days", "0.3"], "bội số của 0,5"),
    (["--received", "2025-01-24T09:00", "--days", "năm"], "phải là một số"),
    (["--received", "2025-01-24T09:00", "--days", "100000"], "quá lớn"),
    (["--received", "2025-01-24T09:00", "--days", "inf"], "hữu hạn"),
    (["--received", "9999-01-24T09:00", "--days", "1"], "ngoài phạm vi"),
    (["--received", "1900-01-24T09:00", "--days", "1"], "ngoài phạm vi"),
    (["--days", "1"], "Thiếu --received"),
    (["--received", "2025-01-24T09:00"], "Thiếu --days"),
])
def test_bad_input_exits_2_with_a_vietnamese_message(args, fragment):
    with pytest.raises(CommandError) as exc:
        call_command("due", *args, stdout=io.StringIO())
    assert exc.value.returncode == 2
    assert fragment in str(exc.value)


def _cli(args, env_overrides, cwd):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CCHC_TESTING", "CCHC_DEBUG", "CCHC_SECRET_KEY",
                        "CCHC_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "-m", "cchc.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize("prepare", ["missing_dir", "empty_dir", "empty_database_file"])
def test_due_on_a_fresh_unmigrated_data_directory(tmp_path, prepare):
    data_dir = tmp_path / "var"
    if prepare != "missing_dir":
        data_dir.mkdir()
    if prepare == "empty_database_file":
        (data_dir / "cchc.sqlite3").touch()
    result = _cli(["due", "--received", "2025-01-24T09:00", "--days", "5"],
                  {"CCHC_DATA_DIR": str(data_dir)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2025-02-07T09:00:00+07:00\n"
    assert "Traceback" not in result.stderr
    # The 2026 letter that the package alone misses comes from the shipped file.
    result = _cli(["due", "--received", "2025-12-31T09:00", "--days", "1", "--json"],
                  {"CCHC_DATA_DIR": str(data_dir)}, tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["due"] == "2026-01-05T09:00:00+07:00"
    assert data["explanation"]["calendar_source"] == "shipped"
    if prepare == "missing_dir":
        assert not data_dir.exists()  # nothing was created on disk


def test_bad_input_from_the_real_command_line(tmp_path):
    result = _cli(["due", "--received", "2025-01-24T09:00", "--days", "-3"],
                  {"CCHC_DATA_DIR": str(tmp_path / "var")}, tmp_path)
    assert result.returncode == 2
    assert "Số ngày làm việc không được âm" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_fallback_when_the_tables_are_missing(monkeypatch):
    """A database without the workcal tables (not migrated yet): the shipped data is used."""
    real_table_names = connection.introspection.table_names
    monkeypatch.setattr(
        connection.introspection, "table_names",
        lambda *a, **k: [t for t in real_table_names(*a, **k) if not t.startswith("workcal_")],
    )
    assert selectors.database_has_calendar() is False
    calendar = selectors.get_calendar()
    assert calendar.source == "shipped"
    assert len(calendar.overrides) == 79
    assert run_due("2025-12-31T09:00", 1) == "2026-01-05T09:00:00+07:00"
    assert run_due_json("2025-01-24T09:00", 5)["explanation"]["calendar_source"] == "shipped"


def test_fallback_when_the_database_cannot_be_reached(settings, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection.introspection, "table_names", broken)
    assert selectors.database_has_calendar() is False
    assert selectors.get_calendar().source == "shipped"


def test_sqlite_file_that_does_not_exist_is_not_created(tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    path = tmp_path / "nothing-here.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(path))
    assert selectors.database_has_calendar() is False
    assert not Path(path).exists()


@pytest.mark.postgres
def test_due_on_an_empty_postgresql_database(tmp_path):
    import uuid

    import psycopg

    params = connection.settings_dict
    name = f"workcal_fresh_{uuid.uuid4().hex[:8]}"
    conninfo = dict(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
                    user=params["USER"], password=params["PASSWORD"] or None, dbname="postgres")
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        url = f"postgres://{auth}@{conninfo['host']}:{conninfo['port']}/{name}"
        result = _cli(["due", "--received", "2025-12-31T09:00", "--days", "1"],
                      {"DATABASE_URL": url, "CCHC_DATA_DIR": str(tmp_path / "var")}, tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "2026-01-05T09:00:00+07:00\n"
        assert "Traceback" not in result.stderr
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
