"""Dossiers (hồ sơ) of the one-stop mechanism: intake, steps, events, timeliness.

Status codes are the national portal's (RULES.md §2) and are kept on every dossier.
Nothing here is deleted: a dossier is changed only by the services, each change leaves
a ``DossierEvent`` (actor, time, status before and after), and corrections are new events.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.catalog.models import Procedure, ProcedureVersion
from cchc.org.models import AdministrativeUnit, Agency, Role


class Status(models.IntegerChoices):
    NEW = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    NOT_RECEIVED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


OPEN_STATUSES = (Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
# PROCESSED is finished for timeliness (the result exists) but still waits to be handed over.
FINISHED_STATUSES = (Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.PROCESSED,
                     Status.RETURNED)


class Channel(models.IntegerChoices):
    DIRECT = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Bưu chính công ích")

    @property
    def catalog_channel(self) -> str:
        return {1: "direct", 2: "online", 3: "postal"}[self.value]


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Trễ hạn")
    WITHIN = "within", _("Trong hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    PAUSED = "paused", _("Tạm dừng (chờ bổ sung)")


class DailySequence(models.Model):
    """Gap-free daily counter per receiving agency, bumped inside the intake transaction."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last}"


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=25, unique=True)
    receiving_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="received_dossiers"
    )
    # The receiving agency's unit, kept on the row: every scoped query filters on it.
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT,
                             related_name="dossiers", db_index=False)
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT,
                                  related_name="dossiers", db_index=False)
    # The version in force at reception: later amendments do not change this dossier's rules.
    procedure_version = models.ForeignKey(ProcedureVersion, verbose_name=_("phiên bản thủ tục"),
                                          on_delete=models.PROTECT, related_name="dossiers")
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, db_index=True)

    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    request = models.TextField(_("nội dung yêu cầu"), blank=True)
    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)

    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    legal_days = models.DecimalField(_("thời hạn giải quyết (ngày làm việc)"), max_digits=5,
                                     decimal_places=1)
    due_at = models.DateTimeField(_("hẹn trả lúc"), null=True, blank=True, db_index=True)
    due_explanation = models.JSONField(_("cách tính hạn"), default=dict, blank=True)

    # Supplement requests pause the clock (RULES.md §2): open pause + total paused office time.
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    paused_since = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(_("thời gian tạm dừng (giây làm việc)"), default=0)

    # End of processing for timeliness: processed, else returned, else stopped/refused/withdrawn.
    finished_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    timeliness = models.CharField(_("kết quả đúng hạn"), max_length=10, choices=Timeliness.choices,
                                  blank=True)

    apology_issued_at = models.DateTimeField(_("ngày xin lỗi"), null=True, blank=True)
    apology_reason = models.TextField(_("lý do xin lỗi"), blank=True)
    apology_new_due_at = models.DateTimeField(_("hẹn lại ngày trả"), null=True, blank=True)

    current_agency = models.ForeignKey(
        Agency, verbose_name=_("đơn vị đang xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="held_dossiers", db_index=False,
    )
    current_role = models.CharField(_("vai trò đang xử lý"), max_length=24, choices=Role.choices,
                                    blank=True)
    current_step = models.ForeignKey("DossierStep", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người được giao"),
                                 null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 db_index=False)
    result_note = models.TextField(_("kết quả giải quyết"), blank=True)
    imported = models.BooleanField(_("nhập từ hệ thống cũ"), default=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received_idx"),
            models.Index(fields=["current_agency", "status", "due_at"], name="dossier_queue_idx"),
            models.Index(fields=["procedure", "received_at"], name="dossier_procedure_idx"),
            models.Index(fields=["finished_at"], name="dossier_finished_idx"),
            # Lean indexes (bench/README.md "Seeding 1,000,000 dossiers"): no single-column
            # index where a composite one above starts with the column (unit, procedure,
            # current_agency), no LIKE index on a code column, and partial indexes for the
            # foreign keys that are NULL on most rows.
            models.Index(fields=["timeliness"], name="dossier_timeliness_idx"),
            models.Index(fields=["current_step"], condition=Q(current_step__isnull=False),
                         name="dossier_current_step_idx"),
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False),
                         name="dossier_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__gte=1, status__lte=10), name="dossier_status_range"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def promised_at(self):
        """The return date the citizen holds: the apology's new date once one was issued."""
        return self.apology_new_due_at or self.due_at


class DossierStep(models.Model):
    """One hand-over on the control sheet (form 06): who held the dossier, for how long."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("tên bước"), max_length=200)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT,
                               related_name="+")
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)
    budget_seconds = models.PositiveBigIntegerField(_("thời gian được giao (giây làm việc)"))
    started_at = models.DateTimeField(_("nhận lúc"))
    due_at = models.DateTimeField(_("hạn của bước"))
    finished_at = models.DateTimeField(_("giao lúc"), null=True, blank=True)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+", db_index=False)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    result = models.CharField(_("kết quả"), max_length=10, choices=Timeliness.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["dossier", "started_at", "id"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        indexes = [
            models.Index(fields=["handed_by"], condition=Q(handed_by__isnull=False),
                         name="dossierstep_handed_by_idx"),
            models.Index(fields=["received_by"], condition=Q(received_by__isnull=False),
                         name="dossierstep_received_by_idx"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"


class DossierEvent(models.Model):
    # No index of its own: ``event_dossier_action_idx`` starts with it (onestop 0009).
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events",
                                db_index=False)
    action = models.CharField(_("thao tác"), max_length=32)
    at = models.DateTimeField(_("lúc"), db_index=True)
    # PROTECT: events are append-only and sealed into the audit chain; an officer who acted
    # is deactivated, never deleted (deleting would rewrite the events' actor).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    status_before = models.PositiveSmallIntegerField(choices=Status.choices, null=True)
    status_after = models.PositiveSmallIntegerField(choices=Status.choices)
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        indexes = [
            # A dossier's events, and its last event of an action (documents, civil
            # registration). On PostgreSQL partitions.EVENTS creates it with the partitions.
            models.Index(fields=["dossier", "action", "at"], name="event_dossier_action_idx"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False),
                         name="dossierevent_actor_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class ReceiptKey(models.Model):
    """A client's ``Idempotency-Key`` for a dossier it received through the API.

    Written in the intake transaction: a client that lost the answer (timeout, restarted
    server or database) sends the same request with the same key again and gets the dossier
    created the first time, never a second one with a new code."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="receipt_key_unique")]

    def __str__(self):
        return self.key


class DossierDocument(models.Model):
    """A document in the dossier (uploaded online, scanned at the desk, or a supplement)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("tên giấy tờ"), max_length=300)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, default="original")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Rating(models.Model):
    class Level(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
        SATISFIED = "satisfied", _("Hài lòng")
        DISSATISFIED = "dissatisfied", _("Không hài lòng")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    level = models.CharField(_("mức độ hài lòng"), max_length=16, choices=Level.choices)
    comment = models.TextField(_("góp ý"), blank=True)
    at = models.DateTimeField(_("lúc"))

    def __str__(self):
        return self.get_level_display()


class ProcessTemplate(models.Model):
    """The province's approved internal process (quy trình nội bộ) of a procedure."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="process")
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")

    def __str__(self):
        return str(self.procedure)


class ProcessTemplateStep(models.Model):
    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("tên bước"), max_length=200)
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)
    # Empty: the receiving agency (or the procedure's implementing agency for specialists).
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("tỷ lệ thời gian"), max_digits=5, decimal_places=4,
                                help_text=_("Phần của tổng thời hạn; tổng các bước bằng 1."))

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_step_unique"),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    RETRYING = "retrying", _("Lỗi tạm thời, sẽ gửi lại")
    FAILED = "failed", _("Gửi không được")


class NotificationDelivery(models.Model):
    """One message to the citizen (``kind``, the ``occurrence``-th of that kind for the
    dossier) and what became of it per channel: ``channels`` maps email/sms to
    ``sending`` (claimed, outcome unknown), ``sent`` or ``failed``. Each channel is marked
    ``sending`` (committed) before the message leaves and ``sent`` after, so that a retry
    never sends a channel again once it may have left; a worker killed in between leaves
    ``sending`` for an operator to check (``notifications.deliver``)."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("loại thông báo"), max_length=16)
    occurrence = models.PositiveSmallIntegerField(_("lần"), default=1)
    status = models.CharField(_("tình trạng"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    channels = models.JSONField(_("kênh"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lượt gửi thông báo")
        verbose_name_plural = _("lượt gửi thông báo")
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "occurrence"],
                                               name="notification_delivery_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="notification_status_idx")]

    def __str__(self):
        return f"{self.dossier_id} {self.kind}#{self.occurrence}: {self.status}"
