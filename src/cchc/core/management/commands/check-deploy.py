"""`cchc check-deploy`: Django's ``check --deploy`` plus cchc's own checks of the settings
(core/deploycheck.py); a Vietnamese report, exit code 1 if anything is unsafe."""

import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.core.deploycheck import cchc_findings, django_findings


class Command(BaseCommand):
    help = gettext_lazy("Kiểm tra cấu hình trước khi vận hành (an toàn, HTTPS, cơ sở dữ liệu, thư mục dữ "
             "liệu); trả mã 1 nếu có điểm không an toàn.")
    requires_system_checks = []  # the checks are what this command reports

    def handle(self, *args, **options):
        own = cchc_findings()
        django, other = django_findings()
        self.stdout.write(_("Kiểm tra cấu hình vận hành cchc"))
        self.stdout.write("")
        self.stdout.write(_("Kiểm tra của cchc:"))
        for finding in own:
            self.stdout.write(self.style.ERROR(f"  ✗ [{finding.code}] {finding.message}"))
        if not own:
            self.stdout.write(self.style.SUCCESS("  ✓ " + _("Không có điểm nào không an toàn.")))
        self.stdout.write(_("Kiểm tra của Django (check --deploy):"))
        for finding in django:
            self.stdout.write(self.style.ERROR(f"  ✗ [{finding.code}] {finding.message}"))
        if not django:
            self.stdout.write(self.style.SUCCESS("  ✓ " + _("Không có điểm nào không an toàn.")))
        if other:
            self.stdout.write(_("  (%(n)d cảnh báo khác không ảnh hưởng an toàn, xem "
                                "`cchc check --deploy`.)") % {"n": len(other)})
        self.stdout.write("")
        total = len(own) + len(django)
        if total:
            self.stdout.write(self.style.ERROR(
                _("KHÔNG AN TOÀN: %(n)d điểm cần sửa trước khi vận hành.") % {"n": total}))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(_("An toàn: cấu hình sẵn sàng vận hành.")))
