"""`cchc create-partitions [--months N] [--no-roll-up]`: the partitions of the dossier events
table and of the dossiers table (PostgreSQL; see ``cchc.onestop.partitions``).

Run it monthly (a systemd timer or cron, e.g. on the 1st at 01:00): it creates the months up
to N ahead and, the first time it runs in a new year, turns the closed year's twelve months
into one yearly partition. That roll-up copies the year under an exclusive lock on the table
(bench/README.md gives its duration); the 1st of January is a public holiday, so the January
run finds the desks closed. ``--no-roll-up`` leaves the months for a later run. A month
without its partition still works (its rows go to the default partition) but loses partition
pruning until this command moves them."""

from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.onestop import partitions


class Command(BaseCommand):
    help = (gettext_lazy("Tạo các phân vùng còn thiếu của bảng hồ sơ và bảng sự kiện hồ sơ (PostgreSQL): "
            "đến --months tháng sau tháng hiện tại, và gộp 12 tháng của năm đã qua thành một "
            "phân vùng năm; chuyển sang phân vùng mới những dòng đã nằm ở phân vùng mặc định. "
            "Trên SQLite không làm gì."))

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=partitions.MONTHS_AHEAD,
                            help=gettext_lazy("Số tháng tạo trước (mặc định %(default)s)"))
        parser.add_argument("--no-roll-up", action="store_true",
                            help=gettext_lazy("Không gộp các tháng của năm đã qua (việc gộp khóa bảng "
                                              "trong lúc chép dữ liệu của năm)"))

    def handle(self, *args, months, no_roll_up, **options):
        if not 0 <= months <= 120:
            raise CommandError("--months phải từ 0 đến 120.", returncode=2)
        if not partitions.is_partitioned(connection):
            self.stdout.write("Cơ sở dữ liệu này không dùng bảng phân vùng (chỉ PostgreSQL): "
                              "không có gì để tạo.")
            return
        created = partitions.ensure_event_partitions(months, roll_up=not no_roll_up)
        created += partitions.ensure_dossier_partitions(months, roll_up=not no_roll_up)
        total = sum(len(partitions.existing_partitions(connection, spec))
                    for spec in (partitions.EVENTS, partitions.DOSSIERS))
        if created:
            self.stdout.write(f"Đã tạo {len(created)} phân vùng: {', '.join(created)}. "
                              f"Tổng cộng {total} phân vùng.")
        else:
            self.stdout.write(f"Đã đủ phân vùng ({total}); không tạo thêm.")
        for spec in (partitions.EVENTS, partitions.DOSSIERS):
            years = partitions.months_to_roll_up(spec, connection=connection)
            if years:
                self.stdout.write(
                    f"Bảng {spec.table}: các tháng của năm {', '.join(map(str, years))} chưa gộp "
                    + ("(--no-roll-up)." if no_roll_up else
                       "(bảng đang bận, chờ khóa quá "
                       f"{partitions.LOCK_TIMEOUT}); lần chạy sau sẽ thử lại."))
