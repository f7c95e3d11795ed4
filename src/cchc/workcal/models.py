"""The province's working calendar: overrides of the national holidays, and office hours.

The calendar is Monday-Friday + the ``holidays`` package's days off for Viet Nam + the
rows of ``CalendarOverride`` (an override always wins). Overrides carry the official
letter that decided them (``reference``), because every computed deadline must be able
to say why a day was skipped or worked.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_MORNING_START = datetime.time(7, 0)
DEFAULT_MORNING_END = datetime.time(11, 30)
DEFAULT_AFTERNOON_START = datetime.time(13, 30)
DEFAULT_AFTERNOON_END = datetime.time(17, 0)
DEFAULT_SAME_DAY_CUTOFF = datetime.time(15, 0)


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarOverride(models.Model):
    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    reference = models.CharField(
        _("văn bản"), max_length=255,
        help_text=_("Số, ký hiệu hoặc mô tả văn bản quyết định, ví dụ: CV 12729/VPCP-KGVX."),
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()}"


class OfficeHours(models.Model):
    """Office hours of this installation's province (a single row, id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    morning_start = models.TimeField(_("sáng: bắt đầu"), default=DEFAULT_MORNING_START)
    morning_end = models.TimeField(_("sáng: kết thúc"), default=DEFAULT_MORNING_END)
    afternoon_start = models.TimeField(_("chiều: bắt đầu"), default=DEFAULT_AFTERNOON_START)
    afternoon_end = models.TimeField(_("chiều: kết thúc"), default=DEFAULT_AFTERNOON_END)
    same_day_cutoff = models.TimeField(
        _("giờ chốt hồ sơ trong ngày"), default=DEFAULT_SAME_DAY_CUTOFF,
        help_text=_("Hồ sơ giải quyết trong ngày nhận sau giờ này được trả trong ngày làm việc tiếp theo."),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="officehours_singleton")]

    def __str__(self):
        return _("Sáng %(ms)s–%(me)s, chiều %(as)s–%(ae)s") % {
            "ms": f"{self.morning_start:%H:%M}", "me": f"{self.morning_end:%H:%M}",
            "as": f"{self.afternoon_start:%H:%M}", "ae": f"{self.afternoon_end:%H:%M}",
        }

    def save(self, *args, **kwargs):
        self.id = 1
        super().save(*args, **kwargs)

    def clean(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu "
                  "< chiều kết thúc.")
            )
        if not (self.morning_start <= self.same_day_cutoff <= self.afternoon_end):
            raise ValidationError(
                {"same_day_cutoff": _("Giờ chốt phải nằm trong giờ làm việc.")}
            )
