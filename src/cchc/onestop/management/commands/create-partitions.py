"""`cchc create-partitions [--months N]`: the monthly partitions of the dossier events table
and of the dossiers table for the coming months (PostgreSQL; see ``cchc.onestop.partitions``). Run it monthly (a
systemd timer or cron): a month without its partition still works (its rows go to the
default partition) but loses partition pruning until this command moves them."""

from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.onestop import partitions


class Command(BaseCommand):
    help = (gettext_lazy("Tạo các phân vùng theo tháng còn thiếu của bảng hồ sơ và bảng sự kiện hồ sơ (PostgreSQL), đến "
            "--months tháng sau tháng hiện tại; chuyển sang phân vùng mới những dòng đã nằm ở "
            "phân vùng mặc định. Trên SQLite không làm gì."))

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=partitions.MONTHS_AHEAD,
                            help=gettext_lazy("Số tháng tạo trước (mặc định %(default)s)"))

    def handle(self, *args, months, **options):
        if not 0 <= months <= 120:
            raise CommandError("--months phải từ 0 đến 120.", returncode=2)
        if not partitions.is_partitioned(connection):
            self.stdout.write("Cơ sở dữ liệu này không dùng bảng phân vùng (chỉ PostgreSQL): "
                              "không có gì để tạo.")
            return
        created = partitions.ensure_event_partitions(months)
        created += partitions.ensure_dossier_partitions(months)
        total = sum(len(partitions.existing_partitions(connection, spec))
                    for spec in (partitions.EVENTS, partitions.DOSSIERS))
        if created:
            self.stdout.write(f"Đã tạo {len(created)} phân vùng: {', '.join(created)}. "
                              f"Tổng cộng {total} phân vùng.")
        else:
            self.stdout.write(f"Đã đủ phân vùng ({total}); không tạo thêm.")
