"""``cchc report rollup [--rebuild]``: bring the per-unit, per-day rollup of the timeliness
report up to yesterday (``services.rollup_timeliness``; run by the periodic timer).

``cchc report timeliness --from DATE --to DATE [--unit CODE] [--format json|xlsx|pdf]
[--output FILE] [--mode as_was|successors] [--group unit|field|procedure] [--level LEVEL]``

The periodic report on handling administrative procedures, province-wide (the command line
is not scoped to a user). JSON goes to stdout unless ``--output`` is given; XLSX and PDF go to
``--output`` or, without it, to stdout as bytes. Bad input: a Vietnamese message on stderr
and exit code 2.
"""

import json
import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.errors import DomainError
from cchc.reports import exports, services
from cchc.reports.selectors import build_filters, timeliness_report

FORMATS = ("json", "xlsx", "pdf")


def _fail(message: str):
    raise CommandError(message, returncode=2)


class Command(BaseCommand):
    help = gettext_lazy("Báo cáo thống kê: cchc report timeliness --from YYYY-MM-DD --to YYYY-MM-DD ...")
    requires_system_checks: list = []

    def add_arguments(self, parser):
        reports = parser.add_subparsers(dest="report", metavar="BÁO_CÁO")
        timeliness = reports.add_parser(
            "timeliness", help=gettext_lazy("Tình hình, kết quả giải quyết thủ tục hành chính theo kỳ"))
        # Checked here rather than by argparse, so that every error is in Vietnamese.
        timeliness.add_argument("--from", dest="start", help=gettext_lazy("Ngày đầu kỳ, YYYY-MM-DD"))
        timeliness.add_argument("--to", dest="end", help=gettext_lazy("Ngày cuối kỳ, YYYY-MM-DD"))
        timeliness.add_argument("--unit", help=gettext_lazy("Mã đơn vị (ví dụ 82, 2025:30280, pre2025:868): "
                                               "đơn vị đó và các đơn vị trực thuộc"))
        timeliness.add_argument("--format", default="json", help=gettext_lazy("json (mặc định), xlsx hoặc pdf"))
        timeliness.add_argument("--output", help=gettext_lazy("Ghi ra tệp thay vì đầu ra chuẩn"))
        timeliness.add_argument("--mode", default="as_was",
                                help=gettext_lazy("as_was (theo đơn vị tiếp nhận, mặc định) hoặc successors "
                                     "(gộp đơn vị cũ vào đơn vị kế thừa)"))
        timeliness.add_argument("--group", default="unit", help=gettext_lazy("unit (mặc định), field hoặc procedure"))
        timeliness.add_argument("--level", default=None,
                                help=gettext_lazy("Gộp theo cấp: province, district hoặc commune"))
        rollup = reports.add_parser(
            "rollup", help=gettext_lazy("Tổng hợp số liệu theo ngày của báo cáo đúng hạn (các ngày đã qua)"))
        rollup.add_argument("--rebuild", action="store_true",
                            help=gettext_lazy("Tổng hợp lại toàn bộ từ đầu"))

    def handle(self, *args, **options):
        if options.get("report") == "rollup":
            return self.rollup(rebuild=options.get("rebuild", False))
        if options.get("report") != "timeliness":
            _fail(_("Cần chọn loại báo cáo, ví dụ: cchc report timeliness --from 2026-01-01 "
                    "--to 2026-12-31 --format json"))
        fmt = (options.get("format") or "json").lower()
        if fmt not in FORMATS:
            _fail(_("Định dạng “%(f)s” không hỗ trợ: chọn json, xlsx hoặc pdf.") % {"f": fmt})
        if not options.get("start") or not options.get("end"):
            _fail(_("Cần --from và --to (ngày đầu và cuối kỳ, dạng YYYY-MM-DD)."))
        try:
            filters = build_filters(start=options["start"], end=options["end"], unit=options.get("unit"),
                                    mode=options.get("mode"), group=options.get("group"),
                                    level=options.get("level"))
            report = timeliness_report(filters)
        except DomainError as exc:
            details = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                                for field, messages in exc.fields.items())
            _fail(f"{exc.message}" + (f" ({details})" if details else ""))
        if fmt == "json":
            data = json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"
            payload = data.encode()
        elif fmt == "xlsx":
            payload = exports.timeliness_xlsx(report)
        else:
            payload = exports.timeliness_pdf(report)
        output = options.get("output")
        if output:
            try:
                with open(output, "wb") as handle:
                    handle.write(payload)
            except OSError as exc:
                _fail(_("Không ghi được tệp %(path)s: %(error)s") % {"path": output, "error": exc.strerror})
            self.stderr.write(_("Đã ghi %(path)s.") % {"path": output})
        elif fmt == "json":
            self.stdout.write(data, ending="")
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(payload)
            sys.stdout.buffer.flush()

    def rollup(self, *, rebuild: bool):
        def progress(first, last, rows):
            self.stderr.write(_("%(first)s – %(last)s: %(rows)d dòng") % {
                "first": first.isoformat(), "last": last.isoformat(), "rows": rows})

        result = services.rollup_timeliness(rebuild=rebuild, progress=progress)
        self.stdout.write(_("Đã tổng hợp đến hết ngày %(day)s: %(days)d ngày tính lại, %(rows)d dòng "
                            "(hồ sơ đến mã %(mark)d).") % {
            "day": result.through_day.isoformat(), "days": result.days, "rows": result.rows,
            "mark": result.dossier_mark})
