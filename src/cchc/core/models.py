from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataSearch(models.Model):
    """Every search of people outside the civil registers (which keep their own
    ``civil.SearchAudit``): who searched, when, where, with what and how many results —
    the access record Nghị định 13/2023 asks a controller of personal data to keep."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(_("lúc"), db_index=True)
    source = models.CharField(_("nơi tra cứu"), max_length=40)
    params = models.JSONField(_("điều kiện tìm"), default=dict)
    result_count = models.PositiveIntegerField(_("số kết quả"))

    class Meta:
        verbose_name = _("nhật ký tra cứu dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký tra cứu dữ liệu cá nhân")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user_id} {self.source} {self.at:%Y-%m-%d %H:%M}: {self.result_count}"
