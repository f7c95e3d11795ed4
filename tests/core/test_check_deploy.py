"""`cchc check-deploy`: cchc's own checks one by one, and the whole command's report and
exit code on an unsafe and on a safe configuration."""

import io

import pytest
from django.core.management import call_command

from cchc.core import deploycheck

SAFE_KEY = "k3Y-" + "x7Qp2LmZ9vR4tN8wB6cD1fG5hJ0sA3eU" * 2


@pytest.fixture
def safe(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("CCHC_SECRET_KEY", SAFE_KEY)
    # The browser tests set it for their worker process; a deployment never has it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    monkeypatch.setattr(deploycheck, "database_engine", lambda: "django.db.backends.postgresql")
    settings.DEBUG = False
    settings.SECRET_KEY = SAFE_KEY
    settings.ALLOWED_HOSTS = ["cchc.dongthap.gov.vn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.AXES_ENABLED = True
    return settings


def codes():
    return sorted(f.code for f in deploycheck.cchc_findings())


def test_a_safe_configuration_has_no_finding(safe):
    assert codes() == []


@pytest.mark.parametrize("change, code", [
    (lambda s, m: setattr(s, "DEBUG", True), "cchc.D001"),
    (lambda s, m: m.delenv("CCHC_SECRET_KEY"), "cchc.D002"),
    (lambda s, m: setattr(s, "SECRET_KEY", deploycheck.DEVELOPMENT_KEY), "cchc.D002"),
    (lambda s, m: setattr(s, "SECRET_KEY", "ngan-qua"), "cchc.D002"),
    (lambda s, m: setattr(s, "ALLOWED_HOSTS", ["*"]), "cchc.D003"),
    (lambda s, m: setattr(s, "ALLOWED_HOSTS", []), "cchc.D003"),
    (lambda s, m: m.setattr(deploycheck, "database_engine",
                            lambda: "django.db.backends.sqlite3"), "cchc.D004"),
    (lambda s, m: setattr(s, "SESSION_COOKIE_SECURE", False), "cchc.D005"),
    (lambda s, m: setattr(s, "SECURE_HSTS_SECONDS", 0), "cchc.D005"),
    (lambda s, m: setattr(s, "EMAIL_BACKEND",
                          "django.core.mail.backends.console.EmailBackend"), "cchc.D007"),
    (lambda s, m: setattr(s, "AXES_ENABLED", False), "cchc.D008"),
    (lambda s, m: setattr(s, "CCHC_PUBLIC_LOOKUP_RATE", None), "cchc.D009"),
    (lambda s, m: setattr(s, "CCHC_PUBLIC_SUBMIT_RATE", "off"), "cchc.D009"),
])
def test_each_unsafe_setting_is_reported(safe, monkeypatch, change, code):
    change(safe, monkeypatch)
    assert codes() == [code]


def test_a_data_dir_that_cannot_be_written_is_reported(safe, tmp_path):
    blocker = tmp_path / "tep-thuong"
    blocker.write_text("không phải thư mục")
    safe.DATA_DIR = blocker  # a file where a directory should be: nothing can be created in it
    findings = deploycheck.cchc_findings()
    assert [f.code for f in findings] == ["cchc.D006"]
    assert "CCHC_DATA_DIR" in findings[0].message


def run():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check-deploy", stdout=out)
        raise SystemExit(0)
    return exit_info.value.code, out.getvalue()


def test_the_command_fails_on_the_test_settings(settings, monkeypatch):
    monkeypatch.delenv("CCHC_SECRET_KEY", raising=False)
    settings.DEBUG = True
    code, report = run()
    assert code == 1
    assert "KHÔNG AN TOÀN" in report
    assert "[cchc.D001] DEBUG đang bật" in report and "[cchc.D002]" in report
    assert "[security.W018]" in report  # Django's own deploy check


def test_the_command_passes_on_a_safe_configuration(safe):
    code, report = run()
    assert code == 0, report
    assert "An toàn: cấu hình sẵn sàng vận hành." in report
    assert "✗" not in report
