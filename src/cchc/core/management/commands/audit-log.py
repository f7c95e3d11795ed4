"""``cchc audit-log verify [--file F] [--skip-seals]``, ``cchc audit-log export F [--from-seq N]``
and ``cchc audit-log seal``: the hash-chained audit log, for an inspection (core/auditlog.py).

``seal`` appends the seals of the records kept outside the chain (the dossier events, see
``onestop.audit``): run it from a timer, e.g. every 10 minutes. ``verify`` on the database
also recomputes every seal, so that a sealed record deleted or altered afterwards is
reported."""

import json

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.core import auditlog, audittrail
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
        export = sub.add_parser("export", help=gettext_lazy("Xuất nhật ký ra tệp JSON Lines"))
        export.add_argument("file")
        export.add_argument("--from-seq", type=int, default=1)
        verify = sub.add_parser("verify", help=gettext_lazy("Kiểm tra chuỗi mã băm"))
        verify.add_argument("--file", help=gettext_lazy("Tệp đã xuất (mặc định: cơ sở dữ liệu)"))
        verify.add_argument("--skip-seals", action="store_true",
                            help=gettext_lazy("Không tính lại các dấu niêm phong (sự kiện hồ sơ)"))
        sub.add_parser("seal", help=gettext_lazy("Niêm phong các sự kiện hồ sơ mới vào nhật ký"))

    def handle(self, *args, action, **options):
        if action == "export":
            return self.export(options["file"], options["from_seq"])
        if action == "seal":
            return self.seal()
        return self.verify(options.get("file"), skip_seals=options.get("skip_seals", False))

    def seal(self):
        for sealer in audittrail.SEALERS.values():
            seals = covered = 0
            while (record := sealer.seal()) is not None:
                seals += 1
                covered += record.data.get("count", 0)
            self.stdout.write(_("%(name)s: %(seals)d dấu niêm phong mới, %(n)d bản ghi được niêm "
                                "phong.") % {"name": sealer.name, "seals": seals, "n": covered})

    def export(self, path, from_seq):
        records = AuditRecord.objects.filter(seq__gte=from_seq).order_by("seq")
        count = 0
        with transaction.atomic(), open(path, "w", encoding="utf-8") as out:
            for record in records.iterator(chunk_size=2000):
                out.write(auditlog.export_line(record) + "\n")
                count += 1
        self.stdout.write(_("Đã xuất %(n)d bản ghi vào %(path)s.") % {"n": count, "path": path})

    def verify(self, path, *, skip_seals=False):
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
        if not path and not skip_seals:
            problems = [p for sealer in audittrail.SEALERS.values() for p in sealer.verify()]
            if problems:
                raise CommandError(_("Bản ghi đã niêm phong KHÔNG toàn vẹn:") + "\n"
                                   + "\n".join(problems))
        self.stdout.write(_("Nhật ký kiểm toán toàn vẹn: %(n)d bản ghi (số %(first)s đến "
                            "%(last)s), mã băm cuối %(hash)s.")
                          % {"n": result.count, "first": result.first_seq or "-",
                             "last": result.last_seq or "-", "hash": result.last_hash})
