"""`cchc import-articles PATH [--skip-bad]`: bring articles of an older portal into this one."""

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.news.importer import FileError, import_articles


class Command(BaseCommand):
    help = (
        gettext_lazy("Nạp bài viết cũ vào cổng tin CCHC từ tệp JSON Lines (mỗi dòng một bài) hoặc thư mục các "
        "tệp .json/.html. Trường: title, date (YYYY-MM-DD), category (mã hoặc tên chuyên mục), "
        "unit (thời kỳ:mã, ví dụ pre2025:868), body (văn bản hoặc HTML), tùy chọn summary, "
        "credits (\"BT: … + Ảnh: …\"), tags. Có lỗi thì không nạp gì và thoát với mã 2, trừ khi "
        "dùng --skip-bad. Nạp lại cùng dữ liệu không tạo thêm bài.")
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("Tệp .jsonl hoặc thư mục .json/.html"))
        parser.add_argument("--skip-bad", action="store_true",
                            help=gettext_lazy("Nạp các bài hợp lệ, báo cáo các bài lỗi"))

    def handle(self, *args, path, skip_bad, **options):
        try:
            report = import_articles(path, skip_bad=skip_bad)
        except FileError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors and not skip_bad:
            raise CommandError(
                f"Không nạp gì: {len(report.rejected)} bài lỗi ({', '.join(report.rejected[:20])}"
                f"{'…' if len(report.rejected) > 20 else ''}). Sửa dữ liệu hoặc dùng --skip-bad.",
                returncode=2)
        style = self.style.WARNING if report.errors else self.style.SUCCESS
        self.stdout.write(style(
            f"Đã nạp {report.created} bài, bỏ qua {report.skipped_existing} bài đã có, "
            f"{len(report.rejected)} bài lỗi."))
