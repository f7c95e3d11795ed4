"""CCHC inspections (kiểm tra cải cách hành chính) and the year-round CCHC plan they check.

An inspection of one unit moves planned -> in_progress -> finalised -> adopted; every move is
a history row. While in progress the evidence per criterion item is recomputed from the other
apps (read through their selectors); finalising freezes it as JSON snapshots (with the record
codes and links behind each figure) so that later changes in the data cannot alter a result.
Adoption at the results conference locks the inspection: no further edit is accepted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.org.models import AdministrativeUnit


class EvidenceKind(models.TextChoices):
    PLAN_TASKS = "plan_tasks", _("Kế hoạch, văn bản CCHC và nhiệm vụ đúng hạn")
    NEWS = "news", _("Tin bài CCHC trên cổng thông tin")
    POSTINGS = "postings", _("Niêm yết, công khai TTHC")
    TIMELINESS = "timeliness", _("Hồ sơ đúng hạn, trễ hạn, quá hạn")
    APOLOGY = "apology", _("Phiếu xin lỗi đối với hồ sơ trễ hạn")
    ONLINE = "online", _("Hồ sơ trực tuyến và số hóa")
    INTERAGENCY = "interagency", _("Hồ sơ liên thông giữa các cơ quan")
    DESK_FIELDS = "desk_fields", _("Lĩnh vực tiếp nhận qua Bộ phận một cửa")
    CIVIL_BOOKS = "civil_books", _("Sổ hộ tịch")
    STAFFING = "staffing", _("Bố trí công chức Bộ phận một cửa")
    MANUAL = "manual", _("Đánh giá của đoàn kiểm tra")


class CriteriaSet(models.Model):
    """Bộ tiêu chí kiểm tra. Editable only until an inspection uses it; after that a change
    is a new version (a copy, ``derived_from`` the set it was copied from)."""

    name = models.CharField(_("tên bộ tiêu chí"), max_length=200)
    is_default = models.BooleanField(_("mặc định"), default=False)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    derived_from = models.ForeignKey("self", verbose_name=_("sao chép từ"), null=True,
                                     blank=True, on_delete=models.SET_NULL,
                                     related_name="versions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")

    def __str__(self):
        return self.name

    @property
    def in_use(self) -> bool:
        """Used by an inspection (through a plan): never changed in place any more."""
        return Inspection.objects.filter(plan__criteria_set=self).exists()

    @property
    def total_points(self):
        return sum((i.max_points for i in CriterionItem.objects.filter(area__criteria_set=self)),
                   0)


class CriteriaArea(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("lĩnh vực"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criteria_set", "position"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "code"],
                                               name="criteria_area_unique")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class CriterionItem(models.Model):
    area = models.ForeignKey(CriteriaArea, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("mã"), max_length=12)
    name = models.CharField(_("tiêu chí"), max_length=300)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    evidence_kind = models.CharField(_("nguồn minh chứng"), max_length=20,
                                     choices=EvidenceKind.choices, default=EvidenceKind.MANUAL)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["area__position", "position"]

    def __str__(self):
        return f"{self.code} {self.name}"


class InspectionPlan(models.Model):
    """Kế hoạch kiểm tra CCHC năm: the decision, the units to inspect, the schedule, the team."""

    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    decision_date = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    province = models.ForeignKey(AdministrativeUnit, verbose_name=_("tỉnh"), on_delete=models.PROTECT,
                                 related_name="inspection_plans")
    criteria_set = models.ForeignKey(CriteriaSet, verbose_name=_("bộ tiêu chí"),
                                     on_delete=models.PROTECT, related_name="plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        ordering = ["-year", "-decision_date"]

    def __str__(self):
        return self.title


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Trưởng đoàn")
    DEPUTY = "deputy", _("Phó trưởng đoàn")
    MEMBER = "member", _("Thành viên")
    SECRETARY = "secretary", _("Thư ký")


class TeamMember(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspection_teams")
    name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ, đơn vị"), max_length=200, blank=True)
    role = models.CharField(_("vai trò trong đoàn"), max_length=10, choices=TeamRole.choices)

    class Meta:
        ordering = ["plan", "role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Đã lập kế hoạch")
    IN_PROGRESS = "in_progress", _("Đang kiểm tra")
    FINALISED = "finalised", _("Đã hoàn thành (chốt minh chứng)")
    ADOPTED = "adopted", _("Đã thông qua")


class Conference(models.Model):
    """Hội nghị thông qua kết quả kiểm tra, usually online with connected sites (điểm cầu)."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="conferences")
    held_on = models.DateField(_("ngày họp"))
    chair = models.CharField(_("chủ trì"), max_length=200)
    online = models.BooleanField(_("trực tuyến"), default=True)
    minutes = models.TextField(_("biên bản"), blank=True)
    adopted_at = models.DateTimeField(_("thông qua lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hội nghị thông qua kết quả")
        verbose_name_plural = _("hội nghị thông qua kết quả")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.plan} · {self.held_on:%d/%m/%Y}"


class ConferenceSite(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sites")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("điểm cầu"), max_length=200)
    participants = models.TextField(_("thành phần tham dự"), blank=True)

    class Meta:
        ordering = ["conference", "pk"]

    def __str__(self):
        return self.name


class Inspection(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị được kiểm tra"),
                             on_delete=models.PROTECT, related_name="inspections")
    period_start = models.DateField(_("kỳ kiểm tra từ"))
    period_end = models.DateField(_("kỳ kiểm tra đến"))
    scheduled_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=InspectionStatus.choices,
                              default=InspectionStatus.PLANNED)
    evidence_as_of = models.DateTimeField(_("minh chứng tính đến"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("chốt minh chứng lúc"), null=True, blank=True)
    conference = models.ForeignKey(Conference, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="inspections")
    adopted_at = models.DateTimeField(_("thông qua lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = ["plan", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"],
                                               name="inspection_plan_unit_unique")]

    def __str__(self):
        return f"{self.plan.year} · {self.unit.name}"

    @property
    def locked(self) -> bool:
        return self.status == InspectionStatus.ADOPTED

    @property
    def total_score(self):
        return sum((r.final_score or 0) for r in self.results.all())


class InspectionStatusChange(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="history")
    status_before = models.CharField(max_length=12, choices=InspectionStatus.choices, blank=True)
    status_after = models.CharField(max_length=12, choices=InspectionStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # The transition taken (see ``transitions.TRANSITIONS``); blank for the creation row.
    action = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["inspection", "at", "pk"]

    def __str__(self):
        return f"{self.inspection} → {self.status_after}"


class ItemResult(models.Model):
    """Evidence and score of one criterion item in one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(CriterionItem, on_delete=models.PROTECT, related_name="results")
    evidence = models.JSONField(_("minh chứng"), default=dict, blank=True)
    suggested_score = models.DecimalField(_("điểm gợi ý"), max_digits=5, decimal_places=2,
                                          null=True, blank=True)
    score = models.DecimalField(_("điểm chấm"), max_digits=5, decimal_places=2, null=True,
                                blank=True)
    override_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    collected_at = models.DateTimeField(null=True, blank=True)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["inspection", "item__area__position", "item__position"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"],
                                               name="item_result_unique")]

    def __str__(self):
        return f"{self.inspection} · {self.item.code}"

    @property
    def final_score(self):
        return self.score if self.score is not None else self.suggested_score


class EvidenceSnapshot(models.Model):
    """Evidence and scores as frozen at an earlier finalisation, kept when the team leader
    reopened the inspection (the current ``ItemResult`` rows then thaw and may change)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="snapshots")
    number = models.PositiveSmallIntegerField(_("lần chốt"))
    frozen_at = models.DateTimeField(_("chốt minh chứng lúc"), null=True, blank=True)
    evidence_as_of = models.DateTimeField(_("minh chứng tính đến"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("mở lại lúc"), default=timezone.now)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do mở lại"))
    total = models.DecimalField(_("tổng điểm"), max_digits=6, decimal_places=2, default=0)
    # [{item_id, code, name, area, max_points, evidence, suggested_score, score,
    #   override_reason}] as they were when frozen.
    results = models.JSONField(_("minh chứng và điểm"), default=list)

    class Meta:
        verbose_name = _("bản chốt minh chứng trước")
        verbose_name_plural = _("bản chốt minh chứng trước")
        ordering = ["inspection", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "number"],
                                               name="evidence_snapshot_unique")]

    def __str__(self):
        return f"{self.inspection} · {self.number}"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", _("Ưu điểm")
    LIMITATION = "limitation", _("Hạn chế, thiếu sót")


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(CriterionItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="findings")
    kind = models.CharField(_("loại"), max_length=10, choices=FindingKind.choices)
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "kind", "pk"]

    def __str__(self):
        return self.text[:80]


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Chưa khắc phục")
    REPORTED = "reported", _("Đã báo cáo khắc phục")
    VERIFIED = "verified", _("Đã xác nhận khắc phục")
    REOPENED = "reopened", _("Yêu cầu khắc phục lại")


class Recommendation(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="recommendations")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="recommendations")
    item = models.ForeignKey(CriterionItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="recommendations")
    text = models.TextField(_("kiến nghị"))
    responsible_unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị thực hiện"),
                                         on_delete=models.PROTECT, related_name="recommendations")
    deadline = models.DateField(_("thời hạn"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=RecommendationStatus.choices,
                              default=RecommendationStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kiến nghị")
        verbose_name_plural = _("kiến nghị")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.text[:80]

    def is_overdue(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.status in (RecommendationStatus.OPEN, RecommendationStatus.REOPENED) \
            and self.deadline < on


class RemediationReport(models.Model):
    """A unit's report on remediation, or Home Affairs' verification / reopening of it."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE,
                                       related_name="reports")
    status_after = models.CharField(max_length=10, choices=RecommendationStatus.choices)
    text = models.TextField(_("nội dung"))
    attachment = models.FileField(_("tệp đính kèm"), upload_to="inspection/%Y/", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "at", "pk"]

    def __str__(self):
        return f"{self.recommendation} · {self.status_after}"


class ReformPlan(models.Model):
    """Kế hoạch CCHC năm của tỉnh."""

    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    number = models.CharField(_("số văn bản"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year"]

    def __str__(self):
        return self.title


class ReformTask(models.Model):
    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="tasks")
    area = models.CharField(_("lĩnh vực"), max_length=200)
    content = models.TextField(_("nội dung nhiệm vụ"))
    lead_unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị chủ trì"),
                                  on_delete=models.PROTECT, related_name="reform_tasks")
    deadline = models.DateField(_("thời hạn"))
    expected_output = models.CharField(_("sản phẩm"), max_length=300, blank=True)
    completed_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.content[:80]

    def is_overdue(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.completed_on is None and self.deadline < on

    @property
    def on_time(self) -> bool:
        return self.completed_on is not None and self.completed_on <= self.deadline


class TaskOutput(models.Model):
    """Progress or an output of a task: a plan, report or directive document."""

    task = models.ForeignKey(ReformTask, on_delete=models.CASCADE, related_name="outputs")
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nội dung"))
    document_number = models.CharField(_("số văn bản"), max_length=50, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to="cchc-plan/%Y/", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "at", "pk"]

    def __str__(self):
        return self.text[:80]
