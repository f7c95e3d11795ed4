"""`cchc seed-dossiers --count N [--from DATE] [--to DATE] [--seed S]`: realistic bulk
dossiers over the home province (see ``cchc.onestop.seeding``)."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.errors import DomainError
from cchc.onestop.bulk import refresh_statistics
from cchc.onestop.seeding import seed_dossiers


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: “{value}” (dùng dạng YYYY-MM-DD).", returncode=2) from None


def _instant(value: str) -> datetime.datetime:
    try:
        instant = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Thời điểm không hợp lệ: “{value}” (ISO 8601).", returncode=2) from None
    if instant.tzinfo is None:
        instant = timezone.make_aware(instant)
    return instant


def _n(value) -> str:
    """Vietnamese thousands separator: 1.000.000."""
    return f"{value:,.0f}".replace(",", ".")


class Command(BaseCommand):
    help = (
        gettext_lazy("Tạo hồ sơ một cửa mẫu với số lượng lớn trên địa bàn tỉnh (các bộ phận một cửa, trung "
        "tâm phục vụ hành chính công có trong dữ liệu; thủ tục đang có hiệu lực vào ngày tiếp "
        "nhận; tiếp nhận trong giờ hành chính; hạn trả theo lịch làm việc; đa số đúng hạn, một "
        "phần trễ hạn, quá hạn, yêu cầu bổ sung, xin lỗi, rút, từ chối, đánh giá). Ghi theo "
        "từng đợt (--chunk-size hồ sơ, mỗi đợt một giao dịch): nếu bị lỗi giữa chừng, cơ sở dữ "
        "liệu chỉ giữ lại các đợt đã ghi trọn vẹn. Không chạy cho những ngày đang tiếp nhận hồ "
        "sơ thật: trùng số thứ tự sẽ làm đợt đó bị hủy.")
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        today = timezone.localdate()
        parser.add_argument("--count", type=int, required=True, help=gettext_lazy("Số hồ sơ cần tạo"))
        parser.add_argument("--from", dest="start", type=_date,
                            default=today - datetime.timedelta(days=365),
                            help=gettext_lazy("Ngày tiếp nhận đầu tiên, YYYY-MM-DD (mặc định: một năm trước)"))
        parser.add_argument("--to", dest="end", type=_date, default=today,
                            help=gettext_lazy("Ngày tiếp nhận cuối cùng, YYYY-MM-DD (mặc định: hôm nay)"))
        parser.add_argument("--seed", type=int, default=0,
                            help=gettext_lazy("Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)"))
        parser.add_argument("--now", type=_instant, default=None,
                            help=gettext_lazy("Thời điểm coi là hiện tại, ISO 8601 (mặc định: bây giờ)"))
        parser.add_argument("--chunk-size", type=int, default=100_000,
                            help=gettext_lazy("Số hồ sơ mỗi đợt ghi (mỗi đợt một giao dịch; mặc định 100000)"))
        parser.add_argument("--no-progress", action="store_true", help=gettext_lazy("Không hiện thanh tiến độ"))

    def handle(self, *args, count, start, end, seed, now, chunk_size, no_progress, **options):
        if count < 1:
            raise CommandError("--count phải là số nguyên dương.", returncode=2)
        if chunk_size < 1:
            raise CommandError("--chunk-size phải là số nguyên dương.", returncode=2)
        try:
            report = seed_dossiers(count, start, end, seed=seed, now=now, chunk_size=chunk_size,
                                   progress=not no_progress)
        except DomainError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        self.stdout.write(
            f"Đã tạo {_n(report.dossiers)} hồ sơ tiếp nhận từ {report.first_day:%d/%m/%Y} đến "
            f"{report.last_day:%d/%m/%Y} ({_n(report.events)} sự kiện, {_n(report.steps)} bước "
            f"xử lý, {_n(report.ratings)} đánh giá) trong {report.seconds:.1f} giây: "
            f"{_n(report.per_minute)} hồ sơ/phút; {report.chunks} đợt; {report.method}."
        )
        analysed = refresh_statistics()
        if analysed is not None:
            self.stdout.write(f"Đã cập nhật thống kê cho bộ lập kế hoạch truy vấn trong "
                              f"{analysed:.1f} giây.")
