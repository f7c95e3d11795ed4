"""`cchc import-dossiers FILE.jsonl [--skip-bad]`: historical dossiers with their events
(format and rules in ``cchc.onestop.importer``)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.onestop.bulk import refresh_statistics
from cchc.onestop.importer import import_dossiers


def _n(value) -> str:
    return f"{value:,.0f}".replace(",", ".")


class Command(BaseCommand):
    help = (
        gettext_lazy("Nhập hồ sơ một cửa từ hệ thống cũ: tệp JSON Lines, mỗi dòng một hồ sơ kèm các sự kiện "
        "xử lý. Mỗi dòng được kiểm tra (lỗi ghi rõ số dòng và trường); hồ sơ nhập được tính "
        "hạn, tạm dừng, đúng hạn/trễ hạn như hồ sơ tiếp nhận trực tiếp. Mặc định nhập tất cả "
        "hoặc không nhập gì (mã thoát 2 nếu có dòng lỗi); với --skip-bad, các dòng đúng được "
        "nhập và các dòng lỗi được liệt kê.")
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("Tệp .jsonl (UTF-8), mỗi dòng một hồ sơ"))
        parser.add_argument("--skip-bad", action="store_true",
                            help=gettext_lazy("Bỏ qua các dòng lỗi, vẫn nhập các dòng đúng"))
        parser.add_argument("--max-errors", type=int, default=200,
                            help=gettext_lazy("Số lỗi in ra tối đa (mặc định 200)"))
        parser.add_argument("--no-progress", action="store_true", help=gettext_lazy("Không hiện thanh tiến độ"))

    def handle(self, *args, file, skip_bad, max_errors, no_progress, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.", returncode=2)
        report = import_dossiers(path, skip_bad=skip_bad, progress=not no_progress,
                                 max_errors=max(max_errors, 0))
        for error in report.errors:
            self.stderr.write(str(error))
        if report.loaded == 0 and report.rejected == 0:
            raise CommandError(f"Tệp {path.name} không có dòng hồ sơ nào.", returncode=2)
        hidden = report.rejected - len({e.line for e in report.errors})
        if hidden > 0:
            self.stderr.write(f"… và {_n(hidden)} dòng lỗi khác.")
        if report.committed:
            self.stdout.write(
                f"Đã nhập {_n(report.loaded)} hồ sơ ({_n(report.events)} sự kiện, "
                f"{_n(report.allocated_codes)} mã cấp mới) từ {_n(report.lines)} dòng trong "
                f"{report.seconds:.1f} giây" + (f"; bỏ qua {_n(report.rejected)} dòng lỗi."
                                               if report.rejected else ".")
            )
            refresh_statistics()
            return
        raise CommandError(
            f"Không nhập hồ sơ nào: {_n(report.rejected)}/{_n(report.lines)} dòng bị lỗi. Sửa các "
            f"dòng trên rồi chạy lại, hoặc dùng --skip-bad để chỉ nhập các dòng đúng.",
            returncode=2,
        )
