import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.org.models import AdministrativeUnit


def test_loads_and_summarises(db):
    out = StringIO()
    call_command("load-units", "--province", "82", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Tỉnh Đồng Tháp (82)" in text
    assert "1 tỉnh, 102 xã (từ 01/7/2025)" in text
    assert "2 tỉnh, 23 huyện, 305 xã (trước 01/7/2025)" in text
    assert AdministrativeUnit.objects.count() == 433

    out = StringIO()
    call_command("load-units", "--province", "82", stdout=out, stderr=StringIO())
    assert "tạo mới 0" in out.getvalue() and "giữ nguyên 433" in out.getvalue()
    assert AdministrativeUnit.objects.count() == 433


def test_several_provinces(db):
    out = StringIO()
    call_command("load-units", "--province", "82", "--province", "96", "--no-progress",
                 stdout=out)
    assert "Tỉnh Cà Mau (96)" in out.getvalue()
    assert "Đã nạp 2 tỉnh" in out.getvalue()


@pytest.mark.parametrize("code", ["99", "abc"])
def test_bad_code_exit_2(db, code):
    with pytest.raises(CommandError) as caught:
        call_command("load-units", "--province", code)
    assert caught.value.returncode == 2
    assert "phải là mã của một trong 34 tỉnh" in str(caught.value)


def test_console_script(tmp_path):
    """The hyphenated name works through the real `cchc` entry point."""
    env = {**os.environ, "CCHC_DATA_DIR": str(tmp_path), "CCHC_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "cchc.cli", "load-units", "--province", "99"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "Mã tỉnh “99” không đúng" in done.stderr
    listed = subprocess.run([sys.executable, "-m", "cchc.cli", "help"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert "load-units" in listed.stdout


def test_progress_bar_on_stderr(db, capsys):
    out = StringIO()
    call_command("load-units", "--province", "82", stdout=out)
    err = capsys.readouterr().err
    assert "Tỉnh Đồng Tháp" in err and "đơn vị" in err
    assert "Tỉnh Đồng Tháp" not in call_command_quiet()


def call_command_quiet() -> str:
    out = StringIO()
    call_command("load-units", "--province", "82", "-v", "0", stdout=out)
    return out.getvalue()
