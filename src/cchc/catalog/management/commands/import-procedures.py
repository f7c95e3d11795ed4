"""`cchc import-procedures FILE [--skip-bad] [--format csv|json|xlsx]`."""

import datetime
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from cchc.catalog.importer import FORMATS, FileError, import_procedures, read_rows
from cchc.commands import BaseCommand


class Command(BaseCommand):
    help = (
        gettext_lazy("Nạp thủ tục hành chính từ tệp CSV, JSON (mảng hoặc JSON Lines) hoặc XLSX theo các thuộc "
        "tính của Cơ sở dữ liệu quốc gia. Cột: base_code, name, level (province|district|commune), "
        "agency_code, field (mã hoặc tên lĩnh vực), time_direct, time_online, time_postal (ngày "
        "làm việc, 0 = trong ngày, cho phép nửa ngày; để trống = không áp dụng), fee (đồng), "
        "components (danh sách JSON hoặc \"tên|bản chính|bản sao chứng thực|bản sao;...\"), "
        "subjects, conditions, result, legal_basis, online_level (full|partial); tùy chọn: steps, "
        "fee_note, time_note, implementing_agency, implementing_agency_name, effective_from. "
        "Có lỗi thì không ghi gì và thoát với mã 2, trừ khi dùng --skip-bad. Nạp lại cùng tệp "
        "không tạo thêm gì.")
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("Đường dẫn tệp CSV, JSON hoặc XLSX"))
        parser.add_argument("--format", choices=FORMATS, help=gettext_lazy("Định dạng (mặc định: theo đuôi tệp)"))
        parser.add_argument("--skip-bad", action="store_true",
                            help=gettext_lazy("Nạp các dòng hợp lệ, báo cáo các dòng lỗi"))
        parser.add_argument("--effective-from", type=datetime.date.fromisoformat,
                            help=gettext_lazy("Ngày hiệu lực của các thủ tục mới khi tệp không ghi (YYYY-MM-DD)"))

    def handle(self, *args, file, format, skip_bad, effective_from, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.", returncode=2)
        try:
            report = import_procedures(read_rows(path, format), skip_bad=skip_bad,
                                       effective_from=effective_from)
        except FileError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if not (report.created or report.updated or report.unchanged or report.rejected_rows):
            raise CommandError(f"Tệp {path.name} không có thủ tục nào để nạp.", returncode=2)
        summary = (f"Tạo mới {report.created}, cập nhật {report.updated}, không đổi "
                   f"{report.unchanged}, dòng lỗi {len(report.rejected_rows)}.")
        if report.errors and not skip_bad:
            raise CommandError(
                f"Không nạp gì: {len(report.rejected_rows)} dòng lỗi "
                f"({', '.join(map(str, report.rejected_rows[:20]))}"
                f"{'…' if len(report.rejected_rows) > 20 else ''}). "
                "Sửa tệp hoặc dùng --skip-bad để nạp các dòng hợp lệ.",
                returncode=2,
            )
        style = self.style.WARNING if report.errors else self.style.SUCCESS
        self.stdout.write(style(summary))
