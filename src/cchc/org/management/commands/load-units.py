"""`cchc load-units --province CODE`: load a post-2025 province's units and their history.

The file name carries the hyphen so that the command is called ``load-units``; Django finds
commands by file name and imports them with ``importlib``, which accepts it.
"""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.errors import InvalidInput
from cchc.org.services import load_units, province_codes


class Command(BaseCommand):
    help = gettext_lazy(
        "Nạp đơn vị hành chính của một tỉnh sau 01/7/2025 (tỉnh và xã, phường) cùng cây 3 cấp "
        "của các tỉnh cũ hợp nhất vào tỉnh đó và quan hệ kế thừa. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--province", action="append", metavar="CODE",
            help=gettext_lazy("Mã tỉnh sau 01/7/2025, ví dụ 82 (Đồng Tháp); có thể lặp lại."),
        )
        target.add_argument(
            "--all", action="store_true", help=gettext_lazy("Nạp cả 34 tỉnh, thành phố."),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help=gettext_lazy("Không hiện thanh tiến độ."),
        )

    def handle(self, *args, **options):
        codes = province_codes() if options["all"] else options["province"]
        progress = not options["no_progress"] and options["verbosity"] > 0
        started = time.monotonic()
        for code in codes:
            try:
                result = load_units(code, progress=progress)
            except InvalidInput as exc:
                raise CommandError(str(exc.message), returncode=2) from exc
            if options["verbosity"] > 0:
                self.stdout.write(self.style.SUCCESS(result.summary()))
        if len(codes) > 1 and options["verbosity"] > 0:
            self.stdout.write(
                _("Đã nạp %(count)s tỉnh trong %(seconds).1f giây.")
                % {"count": len(codes), "seconds": time.monotonic() - started}
            )
