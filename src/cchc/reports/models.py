"""What the reports app keeps itself: proposals to simplify procedures (rà soát, đơn giản
hóa thủ tục hành chính) with their history, and the scorecard's configurable points.

Everything else it shows is read from the one-stop records (``selectors``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.catalog.models import DossierComponent, Procedure, ProcedureVersion
from cchc.org.models import AdministrativeUnit


class ProposalKind(models.TextChoices):
    CUT_TIME = "cut_time", _("Cắt giảm thời gian giải quyết")
    CUT_COMPONENT = "cut_component", _("Cắt giảm thành phần hồ sơ")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã trình")
    APPROVED = "approved", _("Đã phê duyệt")
    REJECTED = "rejected", _("Không phê duyệt")


class SimplificationProposal(models.Model):
    """A unit's proposal to cut a procedure's processing time or one of its dossier components,
    with the justification and the estimated yearly saving; approved ones are the input of
    the next announcement decision (quyết định công bố)."""

    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT,
                                  related_name="simplification_proposals")
    # The version reviewed: the one in force when the proposal was made.
    version = models.ForeignKey(ProcedureVersion, verbose_name=_("phiên bản thủ tục"),
                                on_delete=models.PROTECT, related_name="simplification_proposals")
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị đề xuất"),
                             on_delete=models.PROTECT, related_name="simplification_proposals")
    kind = models.CharField(_("nội dung đề xuất"), max_length=16, choices=ProposalKind.choices)
    current_days = models.DecimalField(_("thời hạn hiện hành (ngày làm việc)"), max_digits=5,
                                       decimal_places=1, null=True, blank=True)
    proposed_days = models.DecimalField(_("thời hạn đề xuất (ngày làm việc)"), max_digits=5,
                                        decimal_places=1, null=True, blank=True)
    component = models.ForeignKey(DossierComponent, verbose_name=_("thành phần hồ sơ"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    # Kept as written: the component may be renamed or dropped by a later version.
    component_name = models.CharField(_("tên thành phần hồ sơ"), max_length=500, blank=True)
    justification = models.TextField(_("lý do, căn cứ"))
    yearly_volume = models.PositiveIntegerField(_("số hồ sơ một năm (dữ liệu)"), default=0)
    citizen_days_saved = models.DecimalField(_("số ngày công tiết kiệm mỗi năm"), max_digits=12,
                                             decimal_places=1, default=0)
    cost_saved = models.PositiveBigIntegerField(_("chi phí tuân thủ tiết kiệm mỗi năm (đồng)"),
                                                default=0)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"))
    submitted_at = models.DateTimeField(_("trình lúc"), null=True, blank=True)
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("ý kiến phê duyệt"), blank=True)

    class Meta:
        verbose_name = _("đề xuất đơn giản hóa thủ tục")
        verbose_name_plural = _("đề xuất đơn giản hóa thủ tục")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="cut_component") | Q(proposed_days__isnull=False),
                name="proposal_time_has_days",
            ),
        ]

    def __str__(self):
        return f"{self.procedure.code}: {self.get_kind_display()}"


class ProposalEvent(models.Model):
    proposal = models.ForeignKey(SimplificationProposal, on_delete=models.PROTECT,
                                 related_name="events")
    action = models.CharField(_("thao tác"), max_length=16)
    at = models.DateTimeField(_("lúc"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status_before = models.CharField(max_length=10, choices=ProposalStatus.choices, blank=True)
    status_after = models.CharField(max_length=10, choices=ProposalStatus.choices)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["proposal", "at", "id"]
        verbose_name = _("lịch sử đề xuất")
        verbose_name_plural = _("lịch sử đề xuất")

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class IndicatorSetting(models.Model):
    """Points and threshold of one scorecard indicator, overriding the defaults of
    ``scorecard.INDICATORS`` (RULES.md §7: below the threshold, score = rate x max / threshold)."""

    code = models.CharField(_("mã chỉ số"), max_length=8, unique=True)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    threshold = models.DecimalField(_("ngưỡng đạt điểm tối đa (%)"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("cấu hình chỉ số")
        verbose_name_plural = _("cấu hình chỉ số")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=0), name="indicator_points_not_negative"),
            models.CheckConstraint(condition=Q(threshold__gt=0, threshold__lte=100),
                                   name="indicator_threshold_range"),
        ]

    def __str__(self):
        return self.code


class TimelinessDay(models.Model):
    """The additive numbers of the timeliness report for one receiving unit and one closed
    local day (Asia/Ho_Chi_Minh), over the dossiers whose id is at most the rollup's mark
    (``TimelinessRollup``): received that day by channel, finished that day by stored
    timeliness. Filled by ``services.rollup_timeliness``; read by the timeliness selector."""

    day = models.DateField(_("ngày"))
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị tiếp nhận"),
                             on_delete=models.PROTECT, related_name="+")
    online = models.PositiveIntegerField(_("tiếp nhận trực tuyến"), default=0)
    direct_postal = models.PositiveIntegerField(_("tiếp nhận trực tiếp, bưu chính"), default=0)
    on_time = models.PositiveIntegerField(_("giải quyết trước hạn, đúng hạn"), default=0)
    late = models.PositiveIntegerField(_("giải quyết quá hạn"), default=0)
    # Finished without a stored timeliness (an import that did not classify): classified by
    # the selector, under the calendar of the day the report is read, as the live query does.
    unclassified = models.PositiveIntegerField(_("giải quyết, chưa phân loại"), default=0)

    class Meta:
        verbose_name = _("tổng hợp ngày (báo cáo đúng hạn)")
        verbose_name_plural = _("tổng hợp ngày (báo cáo đúng hạn)")
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="timeliness_day_unit_unique")]

    def __str__(self):
        return f"{self.day} {self.unit_id}"


class TimelinessRollup(models.Model):
    """How far ``TimelinessDay`` goes (one row): every local day up to ``through_day``, counting
    the dossiers with ``id <= dossier_mark``; rows above the mark are counted live."""

    through_day = models.DateField(_("tổng hợp đến hết ngày"))
    dossier_mark = models.BigIntegerField(_("mã hồ sơ lớn nhất đã tổng hợp"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("trạng thái tổng hợp ngày")
        verbose_name_plural = _("trạng thái tổng hợp ngày")

    def __str__(self):
        return f"{self.through_day} <= {self.dossier_mark}"
