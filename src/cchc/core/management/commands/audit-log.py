"""``cchc audit-log verify [--file F]`` and ``cchc audit-log export F [--from-seq N]``: the
hash-chained audit log, for an inspection (core/auditlog.py)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import auditlog
from cchc.core.models import AuditChainHead, AuditRecord

PROBLEMS = {
    "gap": gettext_lazy("thiếu hoặc thừa bản ghi (số thứ tự không liên tục)"),
    "broken_link": gettext_lazy("mã băm bản ghi trước không khớp (bản ghi bị xóa, chèn hoặc đổi chỗ)"),
    "altered": gettext_lazy("nội dung bản ghi đã bị sửa sau khi ghi"),
}


class Command(BaseCommand):
    help = gettext_lazy("Xuất hoặc kiểm tra nhật ký kiểm toán có chuỗi mã băm.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help=_("Xuất nhật ký ra tệp JSON Lines"))
        export.add_argument("file")
        export.add_argument("--from-seq", type=int, default=1)
        verify = sub.add_parser("verify", help=_("Kiểm tra chuỗi mã băm"))
        verify.add_argument("--file", help=_("Tệp đã xuất (mặc định: cơ sở dữ liệu)"))

    def handle(self, *args, action, **options):
        if action == "export":
            return self.export(options["file"], options["from_seq"])
        return self.verify(options.get("file"))

    def export(self, path, from_seq):
        records = AuditRecord.objects.filter(seq__gte=from_seq).order_by("seq")
        count = 0
        with transaction.atomic(), open(path, "w", encoding="utf-8") as out:
            for record in records.iterator(chunk_size=2000):
                out.write(auditlog.export_line(record) + "\n")
                count += 1
        self.stdout.write(_("Đã xuất %(n)d bản ghi vào %(path)s.") % {"n": count, "path": path})

    def verify(self, path):
        if path:
            try:
                with open(path, encoding="utf-8") as source:
                    lines = [json.loads(line) for line in source if line.strip()]
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(_("Không đọc được tệp nhật ký %(path)s: %(error)s")
                                   % {"path": path, "error": exc}) from exc
            if not all(isinstance(line, dict) and {"seq", "hash", "prev_hash"} <= line.keys()
                       for line in lines):
                raise CommandError(_("Tệp %(path)s không phải nhật ký kiểm toán đã xuất.")
                                   % {"path": path})
            starts_at_one = bool(lines) and lines[0]["seq"] == 1
            result = auditlog.verify(lines, expected_prev=auditlog.GENESIS if starts_at_one
                                     else None)
            head = None
        else:
            with transaction.atomic():
                result = auditlog.verify(AuditRecord.objects.order_by("seq").iterator(2000))
                head = AuditChainHead.objects.filter(pk=1).first()
        if result.ok and head is not None and (head.seq, head.hash) != (
                result.last_seq or 0, result.last_hash or auditlog.GENESIS):
            result.problem, result.problem_seq = "gap", head.seq
        if not result.ok:
            raise CommandError(_("Nhật ký kiểm toán KHÔNG toàn vẹn tại bản ghi số %(seq)s: "
                                 "%(problem)s.") % {"seq": result.problem_seq,
                                                     "problem": PROBLEMS[result.problem]})
        self.stdout.write(_("Nhật ký kiểm toán toàn vẹn: %(n)d bản ghi (số %(first)s đến "
                            "%(last)s), mã băm cuối %(hash)s.")
                          % {"n": result.count, "first": result.first_seq or "-",
                             "last": result.last_seq or "-", "hash": result.last_hash})
