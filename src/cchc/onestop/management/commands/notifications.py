"""``cchc notifications failed [--all]`` lists the messages to citizens that could not be
delivered (given up, waiting for a retry, or interrupted while sending: check those by hand
before sending again); ``cchc notifications retry-due`` enqueues the retries whose time has
come but that no task picked up (a backend that cannot defer, a lost task). Run
``retry-due`` from a timer next to the task worker (e.g. every 10 minutes)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.commands import BaseCommand
from cchc.onestop import notifications
from cchc.onestop.models import DeliveryStatus, NotificationDelivery

# A retry enqueued with run_after runs on time; one still due this long after is orphaned.
GRACE = datetime.timedelta(minutes=10)
# A delivery still "sending" after this long was interrupted (the worker died mid-send).
STUCK = datetime.timedelta(minutes=30)


class Command(BaseCommand):
    help = gettext_lazy("Danh sách thông báo gửi công dân không thành công; gửi lại các lượt "
                        "đến hạn thử lại.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse formats the description as a str
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        failed = sub.add_parser("failed", help=gettext_lazy(
            "Liệt kê các lượt gửi thất bại, chờ gửi lại hoặc bị gián đoạn"))
        failed.add_argument("--all", action="store_true", help=gettext_lazy(
            "Cả các lượt đang chờ gửi lại"))
        sub.add_parser("retry-due", help=gettext_lazy("Gửi lại các lượt đã đến hạn thử lại"))

    def handle(self, *args, action, **options):
        if action == "retry-due":
            return self.retry_due()
        return self.failed(options.get("all", False))

    def failed(self, everything):
        now = timezone.now()
        shown = [DeliveryStatus.FAILED] + ([DeliveryStatus.RETRYING] if everything else [])
        rows = (NotificationDelivery.objects.select_related("dossier")
                .filter(status__in=shown)
                | NotificationDelivery.objects.select_related("dossier")
                .filter(status=DeliveryStatus.SENDING, updated_at__lt=now - STUCK))
        count = 0
        for d in rows.order_by("updated_at"):
            count += 1
            self.stdout.write(f"{d.dossier.code}\t{d.kind}#{d.occurrence}\t{d.status}\t"
                              f"{d.attempts}\t{timezone.localtime(d.updated_at):%Y-%m-%d %H:%M}\t"
                              f"{d.channels}\t{d.last_error}")
        self.stdout.write(_("%(n)d lượt gửi cần xem lại.") % {"n": count})

    def retry_due(self):
        due = NotificationDelivery.objects.filter(
            status=DeliveryStatus.RETRYING, next_attempt_at__lte=timezone.now() - GRACE)
        count = 0
        for delivery in due.iterator():
            delivery.next_attempt_at = timezone.now()
            if notifications.schedule_retry(delivery, defer=False):
                count += 1
        self.stdout.write(_("Đã đưa %(n)d lượt gửi lại vào hàng đợi.") % {"n": count})
