"""``cchc due --received ISO_DATETIME --days N [--json]``: the due instant under the
province's calendar (ISO 8601, +07:00). A received time without an offset is local time.
Works before the database is migrated (shipped schedules, default office hours).
Bad input: a Vietnamese message on stderr and exit code 2.
"""

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.errors import InvalidInput
from cchc.workcal.calendar import parse_days
from cchc.workcal.deadlines import explain_due, json_number, parse_instant
from cchc.workcal.selectors import get_calendar


class Command(BaseCommand):
    help = gettext_lazy("Tính ngày giờ hẹn trả kết quả theo lịch làm việc của tỉnh.")
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--received", help=gettext_lazy("Ngày giờ tiếp nhận, ISO 8601 (giờ địa phương nếu "
                                               "không ghi múi giờ), ví dụ 2025-01-24T09:00"))
        parser.add_argument("--days", help=gettext_lazy("Số ngày làm việc (bội số của 0,5; 0 = trong ngày)"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("In kết quả dạng JSON, kèm giải thích"))
        parser.add_argument("--explain", action="store_true",
                            help=gettext_lazy("In thêm phần giải thích bằng tiếng Việt"))

    def handle(self, *args, **options):
        if not options.get("received"):
            raise CommandError(_("Thiếu --received (ngày giờ tiếp nhận, ví dụ 2025-01-24T09:00)."),
                               returncode=2)
        if options.get("days") in (None, ""):
            raise CommandError(_("Thiếu --days (số ngày làm việc, ví dụ 5 hoặc 0,5)."), returncode=2)
        try:
            received = parse_instant(options["received"])
            days = parse_days(options["days"])
            explanation = explain_due(received, days, calendar=get_calendar())
        except InvalidInput as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        if options["json"]:
            payload = {
                "due": explanation.due.isoformat(),
                "received": explanation.received.isoformat(),
                "days": json_number(days),
                "explanation": explanation.as_dict(),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(explanation.due.isoformat())
            if options["explain"]:
                self.stdout.write(explanation.as_text())
