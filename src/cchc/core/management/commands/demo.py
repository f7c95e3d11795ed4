"""`cchc demo`: the embedded database with the demo province, ready to click through.

Creates/migrates the SQLite database under CCHC_DATA_DIR, loads the demo province
(idempotently: running it again changes nothing), prints the demo accounts and serves.
Each app contributes its own part of the demo through a ``demo`` module with
``load(stdout)``, discovered in INSTALLED_APPS order so that lower apps load first.
"""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand


class Command(BaseCommand):
    help = gettext_lazy("Tạo cơ sở dữ liệu nhúng, nạp tỉnh mẫu, in tài khoản mẫu và chạy máy chủ.")

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help=gettext_lazy("HOST:PORT (mặc định 127.0.0.1:8000)"))
        parser.add_argument("--reset", action="store_true", help=gettext_lazy("Xóa cơ sở dữ liệu mẫu và tạo lại"))
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("Chỉ nạp dữ liệu, không chạy máy chủ"))

    def handle(self, *args, addr, reset, no_serve, **options):
        self._check_addr(addr)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        if reset:
            self._reset()
        self.stdout.write("Đang chuẩn bị cơ sở dữ liệu…")
        call_command("migrate", interactive=False, verbosity=0)
        for module in demo_modules():
            module.load(self.stdout)
        self._print_accounts()
        if not no_serve:
            self.stdout.write(self.style.SUCCESS(f"Mở trình duyệt tại http://{addr}/  (Ctrl+C để dừng)"))
            call_command("runserver", addr, use_reloader=False)

    def _check_addr(self, addr: str):
        host, sep, port = addr.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(
                f"Địa chỉ không hợp lệ: {addr!r}. Hãy dùng dạng HOST:PORT, ví dụ 127.0.0.1:8000.",
                returncode=2,
            )

    def _reset(self):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "--reset chỉ dùng cho cơ sở dữ liệu nhúng (SQLite); không xóa PostgreSQL.", returncode=2
            )
        connection.close()
        from pathlib import Path

        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        self.stdout.write("Đã xóa cơ sở dữ liệu mẫu cũ.")

    def _print_accounts(self):
        from cchc.core.demo import DEMO_PASSWORD, demo_accounts

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD})"))
        for username, role, where in demo_accounts():
            self.stdout.write(f"  {username:<22} {role:<28} {where}")
        self.stdout.write("")


def demo_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("cchc."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
