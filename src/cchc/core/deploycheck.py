"""`cchc check-deploy`: is this configuration safe to serve the public?

Runs Django's ``check --deploy`` (every system check plus the security ones) and cchc's own
checks below, prints a report in Vietnamese and exits 1 when anything is unsafe. Each
finding has a stable code (``cchc.D001``...) so that a deployment script can grep for it.
The checks read the settings of the process that runs them: run it with the same
environment as the web server (the systemd unit's EnvironmentFile).
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

# The key settings.py falls back to in debug and tests; never acceptable in production.
DEVELOPMENT_KEY = "cchc-insecure-development-key-do-not-use-in-production"
CONSOLE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
# The public endpoints' throttles (onestop/api.py reads these settings by name).
THROTTLE_SETTINGS = {"CCHC_PUBLIC_LOOKUP_RATE": "30/min", "CCHC_PUBLIC_MISS_RATE": "10/10min",
                     "CCHC_PUBLIC_SUBMIT_RATE": "20/h"}


@dataclass
class Finding:
    code: str
    message: str


def _rate_disabled(value) -> bool:
    return value is None or str(value).strip().lower() in ("", "none", "off", "0")


def _writable(directory: Path) -> str | None:
    """None if a file can be created in directory, else the reason."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".cchc-check-"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def database_engine() -> str:
    return settings.DATABASES["default"]["ENGINE"]


def cchc_findings() -> list[Finding]:
    found: list[Finding] = []

    def add(code, message):
        found.append(Finding(code, message))

    if settings.DEBUG:
        add("cchc.D001", _("DEBUG đang bật (CCHC_DEBUG=1): trang lỗi sẽ lộ mã nguồn và cấu hình. "
                           "Hãy bỏ CCHC_DEBUG."))
    key = settings.SECRET_KEY or ""
    if (not os.environ.get("CCHC_SECRET_KEY") or key == DEVELOPMENT_KEY
            or key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5):
        add("cchc.D002", _("Khóa bí mật CCHC_SECRET_KEY chưa đặt, là khóa mặc định hoặc quá ngắn "
                           "(cần ít nhất 50 ký tự ngẫu nhiên)."))
    if "*" in settings.ALLOWED_HOSTS:
        add("cchc.D003", _("CCHC_ALLOWED_HOSTS chứa '*': hãy liệt kê đúng tên miền của hệ thống."))
    elif not settings.ALLOWED_HOSTS:
        add("cchc.D003", _("CCHC_ALLOWED_HOSTS trống: máy chủ sẽ từ chối mọi yêu cầu."))
    if database_engine() == "django.db.backends.sqlite3":
        add("cchc.D004", _("Đang dùng SQLite: khi vận hành hãy dùng PostgreSQL (DATABASE_URL)."))
    missing_https = [name for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                                       "CSRF_COOKIE_SECURE") if not getattr(settings, name, False)]
    if not getattr(settings, "SECURE_HSTS_SECONDS", 0):
        missing_https.append("SECURE_HSTS_SECONDS")
    if missing_https:
        add("cchc.D005", _("Chưa bật các thiết lập HTTPS: %(names)s.")
            % {"names": ", ".join(missing_https)})
    for label, directory in (("CCHC_DATA_DIR", Path(settings.DATA_DIR)),
                             ("MEDIA_ROOT", Path(settings.MEDIA_ROOT))):
        reason = _writable(directory)
        if reason:
            add("cchc.D006", _("Không ghi được vào %(label)s (%(path)s): %(reason)s.")
                % {"label": label, "path": directory, "reason": reason})
    if settings.EMAIL_BACKEND in CONSOLE_EMAIL_BACKENDS:
        add("cchc.D007", _("Thư điện tử chỉ được in ra màn hình (%(backend)s): công dân sẽ không "
                           "nhận được thông báo. Hãy đặt CCHC_EMAIL_BACKEND và máy chủ SMTP.")
            % {"backend": settings.EMAIL_BACKEND})
    if not getattr(settings, "AXES_ENABLED", True):
        add("cchc.D008", _("Khóa tài khoản khi đăng nhập sai nhiều lần (axes) đang tắt "
                           "(CCHC_AXES_ENABLED)."))
    disabled = [name for name, default in THROTTLE_SETTINGS.items()
                if _rate_disabled(getattr(settings, name, default))]
    if disabled:
        add("cchc.D009", _("Giới hạn tần suất của tra cứu công khai đang tắt: %(names)s.")
            % {"names": ", ".join(disabled)})
    return found


def django_findings() -> tuple[list[Finding], list[Finding]]:
    """Django's own checks with --deploy: (unsafe, other). Unsafe are the security checks
    and every error; the other warnings (e.g. drf-spectacular's notes on schema naming) are
    counted in the report but do not make the configuration unsafe."""
    from django.core import checks

    unsafe, other = [], []
    for m in checks.run_checks(include_deployment_checks=True):
        if m.level < checks.WARNING or m.is_silenced():
            continue
        finding = Finding(m.id or "?", str(m.msg))
        if (m.id or "").startswith("security.") or m.level >= checks.ERROR:
            unsafe.append(finding)
        else:
            other.append(finding)
    return unsafe, other
