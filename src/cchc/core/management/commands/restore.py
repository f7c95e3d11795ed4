"""`cchc restore ARCHIVE [--force]`: verify an archive of `cchc backup` (every SHA-256 of its
manifest) and restore the database and the uploaded files (core/backup.py). Stop the web
server and the task worker first."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = gettext_lazy("Kiểm tra và khôi phục một bản sao lưu của cchc backup.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help=gettext_lazy("Tệp sao lưu (.tar.gz)"))
        parser.add_argument("--force", action="store_true",
                            help=gettext_lazy("Ghi đè cả khi cơ sở dữ liệu hiện tại đã có dữ liệu"))

    def handle(self, *args, archive, force, **options):
        try:
            report = restore_backup(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        manifest = report["manifest"]
        self.stdout.write(_("Đã kiểm tra %(n)d tệp trong bản sao lưu: mã SHA-256 khớp.")
                          % {"n": len(manifest["files"])})
        self.stdout.write(_("Bản sao lưu lúc %(at)s, cơ sở dữ liệu %(vendor)s (%(method)s); "
                            "%(media)d tệp tải lên đã khôi phục.")
                          % {"at": manifest["created_at"], "vendor": manifest["database"]["vendor"],
                             "method": manifest["database"]["method"], "media": report["media"]})
        if report["counts_differ"]:
            for table, (expected, found) in sorted(report["counts_differ"].items()):
                self.stderr.write(_("Bảng %(table)s: bản sao lưu có %(expected)s dòng, sau khôi "
                                    "phục có %(found)s dòng.")
                                  % {"table": table, "expected": expected, "found": found})
            raise CommandError(_("Số dòng sau khôi phục không khớp với bản sao lưu."))
        self.stdout.write(_("Số dòng của %(n)d bảng khớp với bản sao lưu.")
                          % {"n": len(manifest["counts"])})
        if report["migrated"]:
            self.stdout.write(_("Đã áp dụng các migration mới hơn bản sao lưu."))
        self.stdout.write(self.style.SUCCESS(_("Khôi phục xong.")))
