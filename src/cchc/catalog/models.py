"""The procedure catalog (danh mục thủ tục hành chính): fields, procedures and their versions,
announcement decisions, and postings at the desks.

A ``Procedure`` is an identity: a base code of the national database (``d.dddddd``) in the
catalog of one agency, whose e-ID completes the local code (``1.001612.000.00.00.H48``).
Everything the law asks to publish about it (ND 63/2010 Art. 8(2) as amended) lives on a
``ProcedureVersion``, valid over ``[effective_from, effective_to]``. Versions of a procedure
never overlap; each one is opened by an ``AnnouncementItem`` of an ``AnnouncementDecision``
(or, for data loaded from the national database, by an import, ``item`` empty). An abolished
procedure has no version in force from ``abolished_on``. Dossiers keep a foreign key to the
version that was in force when they were received.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cchc.org.models import Agency
from cchc.textfold import fold

BASE_CODE_PATTERN = r"^\d\.\d{6}$"
LOCAL_CODE_PATTERN = r"^\d\.\d{6}\.\d{3}\.\d{2}\.\d{2}\.H\d{2}$"

base_code_validator = RegexValidator(
    BASE_CODE_PATTERN,
    _("Mã thủ tục phải có dạng d.dddddd (một chữ số, dấu chấm, sáu chữ số), ví dụ 1.001193."),
    code="invalid_base_code",
)
local_code_validator = RegexValidator(
    LOCAL_CODE_PATTERN,
    _("Mã thủ tục tại địa phương phải có dạng d.dddddd.xxx.xx.xx.Hnn, "
      "ví dụ 1.001612.000.00.00.H48."),
    code="invalid_local_code",
)


def validate_half_days(value: Decimal):
    """Processing time in working days: 0 means the same day; halves are allowed (0.5, 1.5)."""
    if value is None:
        return
    if value < 0:
        raise ValidationError(_("Thời hạn giải quyết không được âm."), code="negative_time")
    if (value * 2) != (value * 2).to_integral_value():
        raise ValidationError(
            _("Thời hạn giải quyết tính theo ngày làm việc, chỉ cho phép số nguyên hoặc nửa ngày."),
            code="invalid_time",
        )


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class Channel(models.TextChoices):
    """Ways of filing; the numbers the national portal uses are 1, 2, 3 (RULES.md §2)."""

    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Dịch vụ bưu chính công ích")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class VersionStatus(models.TextChoices):
    """The national database's statuses: đang công khai / đang công khai sửa đổi, bổ sung / bãi bỏ.
    A version is never "abolished" itself: abolition ends the last version (see ``Procedure``)."""

    IN_FORCE = "in_force", _("Đang công khai")
    AMENDED = "amended", _("Đang công khai (sửa đổi, bổ sung)")
    ABOLISHED = "abolished", _("Bãi bỏ")


class Field(models.Model):
    """Lĩnh vực (e.g. Hộ tịch, Chứng thực)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class Procedure(models.Model):
    base_code = models.CharField(
        _("mã thủ tục"), max_length=8, validators=[base_code_validator], db_index=True
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan công bố mã"), on_delete=models.PROTECT,
        related_name="catalog_procedures",
        help_text=_("Cơ quan có mã định danh tạo nên mã thủ tục tại địa phương."),
    )
    code = models.CharField(_("mã thủ tục tại địa phương"), max_length=22, unique=True,
                            editable=False)
    abolished_on = models.DateField(_("bãi bỏ từ ngày"), null=True, blank=True, editable=False)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("được thay thế bởi"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="replaces", editable=False,
    )
    receiving_agencies = models.ManyToManyField(
        Agency, verbose_name=_("nơi tiếp nhận"), blank=True, related_name="received_procedures",
        help_text=_("Để trống: các bộ phận một cửa cùng cấp trong tỉnh tiếp nhận (và Trung tâm "
                    "Phục vụ hành chính công của tỉnh từ 01/7/2025)."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[receiving_agencies])

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["base_code", "agency"], name="procedure_base_agency_unique")
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = f"{self.base_code}.{self.agency.code}"
        super().save(*args, **kwargs)


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=VersionStatus.choices,
                              default=VersionStatus.IN_FORCE)
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    item = models.ForeignKey(
        "AnnouncementItem", verbose_name=_("theo quyết định công bố"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="versions",
    )

    name = models.CharField(_("tên thủ tục"), max_length=500)
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=ProcedureLevel.choices)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT,
                              related_name="versions")
    implementing_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thực hiện"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="implemented_versions",
    )
    implementing_agency_name = models.CharField(
        _("cơ quan thực hiện (như công bố)"), max_length=300, blank=True,
        help_text=_("Ví dụ: Ủy ban nhân dân cấp xã."),
    )
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    subjects = models.TextField(_("đối tượng thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    online_level = models.CharField(_("mức độ dịch vụ công trực tuyến"), max_length=8,
                                    choices=OnlineLevel.choices, blank=True)

    # The (name_folded, id) index serves broad searches (a page read in name order, and the
    # cursor of deep pages); a narrow search orders by an expression the index does not match,
    # so that it keeps the trigram index (selectors.search_page, bench/catalog_search.py).
    name_folded = models.CharField(max_length=500, editable=False)
    # Local code and folded name: one column, one LIKE for "khai sinh" and "1.001193" alike.
    search_folded = models.TextField(editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="version_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["effective_from", "effective_to"], name="version_period_idx"),
                   models.Index(fields=["name_folded", "id"], name="version_name_seek_idx")]

    def __str__(self):
        return f"{self.procedure.code} v{self.number} — {self.name}"

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        self.search_folded = f"{self.procedure.code} {self.name_folded}"
        super().save(*args, **kwargs)

    def is_in_force_on(self, date: datetime.date) -> bool:
        return self.effective_from <= date and (self.effective_to is None or date <= self.effective_to)

    def methods_by_channel(self) -> dict:
        return {m.channel: m for m in self.methods.all()}


class FilingMethod(models.Model):
    """Cách thức thực hiện: one way of filing with its processing time and fee."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="methods")
    channel = models.CharField(_("hình thức nộp"), max_length=8, choices=Channel.choices)
    days = models.DecimalField(
        _("thời hạn giải quyết (ngày làm việc)"), max_digits=5, decimal_places=1,
        validators=[validate_half_days], help_text=_("0 = trong ngày; cho phép nửa ngày (0,5)."),
    )
    fee = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("cách thức thực hiện")
        verbose_name_plural = _("cách thức thực hiện")
        ordering = ["version", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["version", "channel"], name="method_channel_unique"),
            models.CheckConstraint(condition=models.Q(days__gte=0), name="method_days_not_negative"),
        ]

    def __str__(self):
        return self.get_channel_display()


class DossierComponent(models.Model):
    """Thành phần hồ sơ: one document with the number of originals, certified copies and copies."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE,
                                related_name="components")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("bản sao chứng thực"), default=0)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    form_template = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "position"]

    def __str__(self):
        return self.name


class IssuerKind(models.TextChoices):
    """Who announces (ND 63/2010 Art. 13): the lead time depends on it (Art. 15)."""

    MINISTRY = "ministry", _("Bộ trưởng, Thủ trưởng cơ quan ngang bộ")
    PROVINCE = "province", _("Chủ tịch Ủy ban nhân dân cấp tỉnh")
    DELEGATED = "delegated", _("Người đứng đầu cơ quan được giao, ủy quyền")


# ND 63/2010 Art. 15 (as amended by ND 92/2017): the decision is issued at the latest 20 days
# (ministries) or 5 days (provinces, Art. 13(2)-(3)) before the legal text takes effect, or
# within 3 days after a text passed under the shortened procedure is signed.
PUBLICATION_LEAD_DAYS = {IssuerKind.MINISTRY: 20, IssuerKind.PROVINCE: 5, IssuerKind.DELEGATED: 5}
EXPEDITED_PUBLICATION_DAYS = 3
# Art. 24(2): entered in the national database within 10 working days (ministries), 5 (provinces),
# 2 (shortened procedure) from the signing of the decision.
DATABASE_ENTRY_WORKING_DAYS = {IssuerKind.MINISTRY: 10, IssuerKind.PROVINCE: 5,
                               IssuerKind.DELEGATED: 5}
EXPEDITED_DATABASE_ENTRY_WORKING_DAYS = 2


class AnnouncementDecision(models.Model):
    """Quyết định công bố thủ tục hành chính."""

    number = models.CharField(_("số quyết định"), max_length=60, unique=True)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("người ký, cơ quan ban hành"), max_length=200)
    issuer_kind = models.CharField(_("thẩm quyền công bố"), max_length=10,
                                   choices=IssuerKind.choices, default=IssuerKind.PROVINCE)
    issuing_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan ban hành"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="announcements",
    )
    effective_on = models.DateField(_("ngày có hiệu lực"))
    legal_text = models.CharField(_("văn bản quy phạm pháp luật quy định thủ tục"), max_length=300,
                                  blank=True)
    legal_effective_on = models.DateField(
        _("ngày văn bản quy phạm pháp luật có hiệu lực"), null=True, blank=True,
        help_text=_("Để trống khi quyết định chỉ công bố lại danh mục đang thực hiện."),
    )
    legal_expedited = models.BooleanField(
        _("văn bản ban hành theo trình tự rút gọn"), default=False,
        help_text=_("Có hiệu lực từ ngày thông qua hoặc ký ban hành."),
    )
    legal_signed_on = models.DateField(_("ngày ký văn bản quy phạm pháp luật"), null=True,
                                       blank=True)
    database_entered_on = models.DateField(_("ngày nhập Cơ sở dữ liệu quốc gia"), null=True,
                                           blank=True)
    published_late = models.BooleanField(_("công bố chậm"), null=True, editable=False)
    database_entry_late = models.BooleanField(_("nhập CSDL quốc gia chậm"), null=True,
                                              editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quyết định công bố")
        verbose_name_plural = _("quyết định công bố")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        deadline = self.publication_deadline
        self.published_late = None if deadline is None else self.issued_on > deadline
        self.database_entry_late = (
            None if self.database_entered_on is None
            else self.database_entered_on > self.database_entry_deadline
        )
        super().save(*args, **kwargs)

    @property
    def publication_deadline(self) -> datetime.date | None:
        if self.legal_expedited:
            signed = self.legal_signed_on or self.legal_effective_on
            return signed + datetime.timedelta(days=EXPEDITED_PUBLICATION_DAYS) if signed else None
        if self.legal_effective_on is None:
            return None
        lead = PUBLICATION_LEAD_DAYS[IssuerKind(self.issuer_kind)]
        return self.legal_effective_on - datetime.timedelta(days=lead)

    @property
    def database_entry_deadline(self) -> datetime.date:
        days = (EXPEDITED_DATABASE_ENTRY_WORKING_DAYS if self.legal_expedited
                else DATABASE_ENTRY_WORKING_DAYS[IssuerKind(self.issuer_kind)])
        from cchc.workcal.deadlines import add_working_days

        return add_working_days(self.issued_on, days)


class ItemAction(models.TextChoices):
    NEW = "new", _("Ban hành mới")
    AMENDED = "amended", _("Sửa đổi, bổ sung")
    REPLACED = "replaced", _("Thay thế")
    ABOLISHED = "abolished", _("Bãi bỏ")


class AnnouncementItem(models.Model):
    decision = models.ForeignKey(AnnouncementDecision, verbose_name=_("quyết định"),
                                 on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    action = models.CharField(_("nội dung công bố"), max_length=10, choices=ItemAction.choices)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="items",
        help_text=_("Thủ tục mới, được sửa đổi, bị thay thế hoặc bị bãi bỏ."),
    )
    replacement = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục thay thế"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="replacing_items",
    )
    effective_on = models.DateField(_("ngày có hiệu lực"))
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nội dung quyết định công bố")
        verbose_name_plural = _("nội dung quyết định công bố")
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="item_position_unique")
        ]

    def __str__(self):
        return f"{self.decision.number} #{self.position}: {self.get_action_display()} {self.procedure}"


class DeskPosting(models.Model):
    """Niêm yết: one procedure version posted at one desk (reception desk or service centre)."""

    agency = models.ForeignKey(Agency, verbose_name=_("nơi niêm yết"), on_delete=models.PROTECT,
                               related_name="postings")
    version = models.ForeignKey(ProcedureVersion, verbose_name=_("phiên bản niêm yết"),
                                on_delete=models.PROTECT, related_name="postings")
    posted_on = models.DateField(_("ngày niêm yết"))
    removed_on = models.DateField(_("ngày gỡ"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("niêm yết thủ tục")
        verbose_name_plural = _("niêm yết thủ tục")
        ordering = ["agency", "-posted_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_on__isnull=True)
                | models.Q(removed_on__gte=models.F("posted_on")),
                name="posting_period_ordered",
            )
        ]
        indexes = [models.Index(fields=["agency", "posted_on", "removed_on"], name="posting_desk_idx")]

    def __str__(self):
        return f"{self.agency} — {self.version.procedure.code} v{self.version.number}"

