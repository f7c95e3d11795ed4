"""Administrative units (with their history across the 1/7/2025 reorganisation) and agencies.

Two trees live side by side, told apart by ``era``:
- ``pre2025``: province -> district -> commune, valid until 30/6/2025;
- ``2025``: province -> commune, valid from 1/7/2025.
Unit codes are the General Statistics Office codes carried by ``vietnam-provinces``;
they are unique only inside an era (old code 82 is Tiền Giang, new 82 is Đồng Tháp).
Records made before the reform keep their original unit; ``successors`` maps each old
unit to the new unit(s) that took over its territory.
"""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = datetime.date(2025, 7, 1)
OLD_TREE_END = datetime.date(2025, 6, 30)


class Era(models.TextChoices):
    PRE_2025 = "pre2025", _("Trước 01/7/2025 (3 cấp)")
    CURRENT = "2025", _("Từ 01/7/2025 (2 cấp)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận, thị xã, thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã, phường, thị trấn, đặc khu")


class UnitQuerySet(models.QuerySet):
    def valid_on(self, date: datetime.date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=date)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=date)
        )


class AdministrativeUnit(models.Model):
    era = models.CharField(_("thời kỳ"), max_length=8, choices=Era.choices)
    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=120)
    division_type = models.CharField(_("loại"), max_length=40, blank=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Materialised path "82/" , "82/30280/" ... for "unit and everything below" in one indexed LIKE.
    path = models.CharField(max_length=64, db_index=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self", verbose_name=_("đơn vị kế thừa"), symmetrical=False, blank=True,
        related_name="predecessors",
    )
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [models.UniqueConstraint(fields=["era", "code"], name="unit_era_code_unique")]
        indexes = [models.Index(fields=["era", "level"], name="unit_era_level_idx")]
        ordering = ["era", "path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from cchc.textfold import fold

        self.name_folded = fold(self.name)
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        return f"{self.era}:{self.code}"

    def is_valid_on(self, date: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_to is None or date <= self.valid_to
        )


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "ubnd", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    OFFICE = "office", _("Phòng chuyên môn")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    RECEPTION_DESK = "reception_desk", _("Bộ phận Tiếp nhận và Trả kết quả")


agency_code_validator = RegexValidator(
    r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}$",
    _("Mã định danh cơ quan phải có dạng xxx.xx.xx.Hnn (13 ký tự), ví dụ 000.00.53.H48."),
    code="invalid_agency_code",
)


class Agency(models.Model):
    """An agency inside a unit, with its 13-character electronic agency code (mã định danh)."""

    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("cơ quan chủ quản"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    code = models.CharField(
        _("mã định danh"), max_length=13, unique=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("tên cơ quan"), max_length=200)
    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=AgencyKind.choices)
    is_home_affairs = models.BooleanField(
        _("cơ quan nội vụ"), default=False,
        help_text=_("Sở Nội vụ hoặc Phòng Nội vụ: cơ quan theo dõi, kiểm tra CCHC."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["unit__path", "name"]
        constraints = [
            # One Sở/Phòng Nội vụ per unit: it is the agency that follows and inspects CCHC there.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_home_affairs=True, active=True),
                name="agency_one_home_affairs_per_unit",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from cchc.textfold import fold

        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    """Roles of staff. Citizens need no account: public pages and lookups are open."""

    DESK_OFFICER = "desk_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    INSPECTOR = "inspector", _("Thành viên đoàn kiểm tra")
    HOME_AFFAIRS_ADMIN = "home_affairs_admin", _("Quản trị Nội vụ")
    PORTAL_EDITOR = "portal_editor", _("Biên tập viên cổng tin")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class Membership(models.Model):
    """A user's role in a unit (optionally in one agency of it). A user may have several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        # Two constraints rather than nulls_distinct=False, which SQLite does not support.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "agency", "role"], name="membership_unique",
                condition=Q(agency__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_without_agency",
                condition=Q(agency__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
