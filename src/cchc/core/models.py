from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataSearch(models.Model):
    """Every search of people, in one place for the whole platform (the one-stop queue, the
    civil-status registers, ...): who searched, when, where (``source``, e.g.
    ``onestop.queue``, ``civil.page``, ``civil.api``), with what and how many results, and
    whether the results were cut at the search's limit — the access record Nghị định 13/2023
    asks a controller of personal data to keep. Written by ``services.record_personal_search``
    only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    at = models.DateTimeField(_("lúc"), db_index=True)
    source = models.CharField(_("nơi tra cứu"), max_length=40)
    params = models.JSONField(_("điều kiện tìm"), default=dict)
    result_count = models.PositiveIntegerField(_("số kết quả"))
    truncated = models.BooleanField(_("vượt giới hạn"), default=False)

    class Meta:
        verbose_name = _("nhật ký tra cứu dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký tra cứu dữ liệu cá nhân")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user_id} {self.source} {self.at:%Y-%m-%d %H:%M}: {self.result_count}"


class AuditRecord(models.Model):
    """One line of the append-only audit log. Each record carries the SHA-256 of the one before
    it, so that an inspection can export the log and prove that no line was changed, removed
    or inserted afterwards (``cchc audit-log verify``). Never updated or deleted: the model
    refuses it, and on PostgreSQL a trigger refuses it too (migration 0002)."""

    seq = models.PositiveBigIntegerField(_("số thứ tự"), unique=True)
    at = models.DateTimeField(_("lúc"))
    # The id and name are kept as written. A user who appears here as the actor cannot be
    # deleted (deactivate the account): history is not rewritten and backups made with
    # natural keys never meet a dangling actor. No database constraint: the chain is append-only.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+", db_constraint=False)
    actor_name = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=60)
    object_type = models.CharField(_("loại đối tượng"), max_length=60, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    data = models.JSONField(_("chi tiết"), default=dict)
    prev_hash = models.CharField(_("mã băm bản ghi trước"), max_length=64)
    hash = models.CharField(_("mã băm"), max_length=64)

    class Meta:
        verbose_name = _("bản ghi nhật ký kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit records are append-only")


class AuditChainHead(models.Model):
    """The single row locked while a record is appended: it serialises writers, so that the
    sequence has no gaps and every record chains to the one before it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"
