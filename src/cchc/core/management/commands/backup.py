"""`cchc backup [--output FILE] [--method auto|sqlite-backup|pg_dump|dumpdata]`: one archive
with the database, the uploaded files and a manifest of SHA-256 checksums (core/backup.py)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.core.backup import BackupError, create_backup

METHODS = ["auto", "sqlite-backup", "pg_dump", "dumpdata"]


class Command(BaseCommand):
    help = gettext_lazy("Sao lưu cơ sở dữ liệu và tệp tải lên vào một tệp nén kèm mã kiểm tra SHA-256.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, default=None,
                            help=gettext_lazy("Tệp đích (mặc định CCHC_DATA_DIR/backups/cchc-NGÀY-GIỜ.tar.gz)"))
        parser.add_argument("--method", choices=METHODS, default="auto",
                            help=gettext_lazy("Cách sao lưu cơ sở dữ liệu (mặc định: tự chọn)"))

    def handle(self, *args, output, method, **options):
        try:
            manifest = create_backup(output, method)
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        db = manifest["database"]
        media = sum(1 for m in manifest["files"] if m.startswith("media/"))
        rows = sum(manifest["counts"].values())
        self.stdout.write(_("Cơ sở dữ liệu: %(vendor)s, cách sao lưu: %(method)s")
                          % {"vendor": db["vendor"], "method": db["method"]})
        self.stdout.write(_("%(tables)d bảng, %(rows)d dòng; %(media)d tệp tải lên")
                          % {"tables": len(manifest["counts"]), "rows": rows, "media": media})
        self.stdout.write(self.style.SUCCESS(_("Đã sao lưu vào %(path)s") % {"path": manifest["path"]}))
