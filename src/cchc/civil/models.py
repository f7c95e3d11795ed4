"""Civil-status register books (sổ hộ tịch) and their entries, kept electronically.

- A ``RegisterBook`` is one volume of one event type (birth, marriage, death) of one
  registering unit (a commune; before 1/7/2025 also a district) for one year, written
  "01/2026" (Luật Hộ tịch Art. 58: one book per event type, closed on the last day of the
  year with the totals, kept permanently).
- Entry numbers run from 1 each year per unit and event type, with no gap: the number is
  taken from the open volume's counter (``last_number``), locked in the transaction that
  stores the entry, so a rollback gives it back. A second volume of the same year (the
  first was full) continues the numbering (``first_number``).
- A ``RegisterEntry`` is never changed once written. Corrections, changes and additions
  (thay đổi, cải chính, bổ sung: Art. 28-29) and divorces written in the margin (Art.
  30-31) are ``MarginalNote`` rows with their own dossier.
- ``CivilRequest`` carries the facts submitted with a one-stop dossier until the dossier is
  processed; the entry, note or copy is then written by ``services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.onestop.models import Dossier
from cchc.org.models import AdministrativeUnit

from . import rules


class EventType(models.TextChoices):
    BIRTH = rules.BIRTH, _("Khai sinh")
    MARRIAGE = rules.MARRIAGE, _("Kết hôn")
    DEATH = rules.DEATH, _("Khai tử")


class EntryKind(models.TextChoices):
    NORMAL = rules.NORMAL, _("Đúng hạn")
    LATE = rules.LATE, _("Quá hạn")
    REREGISTRATION = rules.REREGISTRATION, _("Đăng ký lại")


class Sex(models.TextChoices):
    MALE = rules.MALE, _("Nam")
    FEMALE = rules.FEMALE, _("Nữ")


BOOK_TITLES = {
    EventType.BIRTH: _("Sổ đăng ký khai sinh"),
    EventType.MARRIAGE: _("Sổ đăng ký kết hôn"),
    EventType.DEATH: _("Sổ đăng ký khai tử"),
}


class RegisterBook(models.Model):
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị đăng ký"),
                             on_delete=models.PROTECT, related_name="register_books")
    event_type = models.CharField(_("loại sổ"), max_length=10, choices=EventType.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    volume = models.CharField(_("quyển số"), max_length=10)
    first_number = models.PositiveIntegerField(_("số đầu tiên"), default=1)
    # The counter: the last number given in this volume (first_number - 1 while empty).
    last_number = models.PositiveIntegerField(_("số cuối cùng"), default=0)
    opened_at = models.DateTimeField(_("mở sổ lúc"))
    closed_at = models.DateTimeField(_("khóa sổ lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người khóa sổ"),
                                  null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Closed before the year's end because the volume is full: the next volume continues.
    closed_full = models.BooleanField(_("khóa vì hết sổ"), default=False)
    total_entries = models.PositiveIntegerField(_("tổng số sự kiện"), null=True, blank=True)
    total_pages = models.PositiveIntegerField(_("tổng số trang"), null=True, blank=True)

    class Meta:
        verbose_name = _("sổ hộ tịch")
        verbose_name_plural = _("sổ hộ tịch")
        ordering = ["unit__path", "event_type", "-year", "volume"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "event_type", "year", "volume"],
                                    name="civil_book_volume_unique"),
            models.UniqueConstraint(fields=["unit", "event_type", "year"],
                                    condition=Q(closed_at__isnull=True),
                                    name="civil_book_one_open_per_year"),
        ]

    def __str__(self):
        return f"{self.title} {self.volume} — {self.unit}"

    @property
    def title(self) -> str:
        return str(BOOK_TITLES[self.event_type])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def entry_count(self) -> int:
        return self.last_number - self.first_number + 1


class RegisterEntry(models.Model):
    """One registered event. Columns are the facts of Luật Hộ tịch Art. 14 (birth), 17
    (marriage) and 34 (death); the subject is the child, the husband or the deceased, the
    partner the wife. ``name_folded``/``partner_name_folded`` are the search keys."""

    book = models.ForeignKey(RegisterBook, verbose_name=_("sổ"), on_delete=models.PROTECT,
                             related_name="entries")
    # The book's unit and type, kept on the row: every scoped search filters on them.
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị đăng ký"),
                             on_delete=models.PROTECT, related_name="register_entries")
    event_type = models.CharField(_("loại việc"), max_length=10, choices=EventType.choices)
    number = models.PositiveIntegerField(_("số"))
    registered_at = models.DateTimeField(_("ngày đăng ký"))
    kind = models.CharField(_("loại đăng ký"), max_length=16, choices=EntryKind.choices,
                            default=EntryKind.NORMAL)
    dossier = models.OneToOneField(Dossier, verbose_name=_("hồ sơ"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="register_entry")
    imported = models.BooleanField(_("nhập từ sổ cũ"), default=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi sổ"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    original_registered_on = models.DateField(_("ngày đăng ký trước đây"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    # Subject: the child, the husband, the deceased.
    full_name = models.CharField(_("họ, chữ đệm và tên"), max_length=100)
    name_folded = models.CharField(max_length=100, editable=False)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_place = models.CharField(_("nơi sinh"), max_length=300, blank=True)
    hometown = models.CharField(_("quê quán"), max_length=300, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=100, blank=True)
    nationality = models.CharField(_("quốc tịch"), max_length=100, blank=True)
    residence = models.CharField(_("nơi cư trú"), max_length=300, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)

    # Partner: the wife (marriage).
    partner_full_name = models.CharField(_("họ tên bên nữ"), max_length=100, blank=True)
    partner_name_folded = models.CharField(max_length=100, blank=True, editable=False)
    partner_sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    partner_birth_date = models.DateField(_("ngày sinh bên nữ"), null=True, blank=True)
    partner_ethnicity = models.CharField(_("dân tộc bên nữ"), max_length=100, blank=True)
    partner_nationality = models.CharField(_("quốc tịch bên nữ"), max_length=100, blank=True)
    partner_residence = models.CharField(_("nơi cư trú bên nữ"), max_length=300, blank=True)
    partner_id_number = models.CharField(_("số định danh bên nữ"), max_length=12, blank=True)

    # Parents (birth).
    father_name = models.CharField(_("họ tên cha"), max_length=100, blank=True)
    father_birth_year = models.PositiveSmallIntegerField(_("năm sinh cha"), null=True, blank=True)
    father_ethnicity = models.CharField(_("dân tộc cha"), max_length=100, blank=True)
    father_nationality = models.CharField(_("quốc tịch cha"), max_length=100, blank=True)
    father_residence = models.CharField(_("nơi cư trú cha"), max_length=300, blank=True)
    father_id_number = models.CharField(_("số định danh cha"), max_length=12, blank=True)
    mother_name = models.CharField(_("họ tên mẹ"), max_length=100, blank=True)
    mother_birth_year = models.PositiveSmallIntegerField(_("năm sinh mẹ"), null=True, blank=True)
    mother_ethnicity = models.CharField(_("dân tộc mẹ"), max_length=100, blank=True)
    mother_nationality = models.CharField(_("quốc tịch mẹ"), max_length=100, blank=True)
    mother_residence = models.CharField(_("nơi cư trú mẹ"), max_length=300, blank=True)
    mother_id_number = models.CharField(_("số định danh mẹ"), max_length=12, blank=True)

    # Death.
    death_date = models.DateField(_("ngày chết"), null=True, blank=True)
    death_time = models.TimeField(_("giờ chết"), null=True, blank=True)
    death_place = models.CharField(_("nơi chết"), max_length=300, blank=True)
    death_cause = models.CharField(_("nguyên nhân chết"), max_length=300, blank=True)

    # The person who declared the birth or death.
    declarant_name = models.CharField(_("người đi đăng ký"), max_length=100, blank=True)
    declarant_id_number = models.CharField(_("số định danh người đi đăng ký"), max_length=12,
                                           blank=True)
    declarant_relationship = models.CharField(_("quan hệ với người được đăng ký"), max_length=100,
                                              blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mục đăng ký hộ tịch")
        verbose_name_plural = _("mục đăng ký hộ tịch")
        ordering = ["book", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="civil_entry_book_number"),
            models.CheckConstraint(condition=Q(dossier__isnull=False) | Q(imported=True),
                                   name="civil_entry_dossier_unless_imported"),
        ]
        indexes = [
            models.Index(fields=["unit", "registered_at"], name="civil_entry_unit_reg_idx"),
            models.Index(fields=["id_number"], name="civil_entry_id_idx"),
            models.Index(fields=["partner_id_number"], name="civil_entry_partner_id_idx"),
            models.Index(fields=["birth_date"], name="civil_entry_dob_idx"),
            models.Index(fields=["partner_birth_date"], name="civil_entry_partner_dob_idx"),
        ]

    def __str__(self):
        return f"{self.get_event_type_display()} số {self.number}, quyển {self.book.volume}: {self.full_name}"

    def save(self, *args, **kwargs):
        from cchc.textfold import fold

        self.name_folded = fold(self.full_name)
        self.partner_name_folded = fold(self.partner_full_name)
        super().save(*args, **kwargs)


class NoteKind(models.TextChoices):
    CORRECTION = "correction", _("Cải chính hộ tịch")
    CHANGE = "change", _("Thay đổi hộ tịch")
    ADDITION = "addition", _("Bổ sung hộ tịch")
    DIVORCE = "divorce", _("Ghi chú ly hôn")
    ANNULMENT = "annulment", _("Hủy việc kết hôn trái pháp luật")
    OTHER = "other", _("Ghi chú khác")


# Notes that need the citizen's own dossier (Art. 28-29); the others come from a court.
NOTE_KINDS_WITH_DOSSIER = (NoteKind.CORRECTION, NoteKind.CHANGE, NoteKind.ADDITION)
# Notes that end a marriage.
MARRIAGE_ENDING_NOTES = (NoteKind.DIVORCE, NoteKind.ANNULMENT)


class MarginalNote(models.Model):
    """A note written beside an entry; ``changes`` maps a column to {"old": ..., "new": ...}.

    The subject's corrected name, date of birth and ID number are copied to their own
    indexed columns so that a search finds the entry under the corrected values too."""

    entry = models.ForeignKey(RegisterEntry, verbose_name=_("mục"), on_delete=models.PROTECT,
                              related_name="notes")
    kind = models.CharField(_("loại ghi chú"), max_length=12, choices=NoteKind.choices)
    text = models.TextField(_("nội dung"))
    changes = models.JSONField(_("thông tin thay đổi"), default=dict, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    dossier = models.OneToOneField(Dossier, verbose_name=_("hồ sơ"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="marginal_note")
    registered_at = models.DateTimeField(_("ngày ghi"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    name_folded = models.CharField(max_length=100, blank=True, editable=False)
    birth_date = models.DateField(null=True, blank=True, db_index=True, editable=False)
    id_number = models.CharField(max_length=12, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("ghi chú bên lề")
        verbose_name_plural = _("ghi chú bên lề")
        ordering = ["entry", "registered_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class RequestPurpose(models.TextChoices):
    REGISTER = "register", _("Đăng ký vào sổ")
    NOTE = "note", _("Ghi chú bên lề (thay đổi, cải chính, bổ sung)")
    COPY = "copy", _("Cấp bản sao trích lục")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xử lý xong hồ sơ")
    DONE = "done", _("Đã ghi vào sổ")
    FAILED = "failed", _("Không ghi được vào sổ")


class CivilRequest(models.Model):
    """The structured facts submitted with a one-stop dossier (stored in the intake
    transaction), turned into an entry, a note or a copy when the dossier is processed."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="civil_request")
    unit = models.ForeignKey(AdministrativeUnit, verbose_name=_("đơn vị đăng ký"),
                             on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("mục đích"), max_length=10, choices=RequestPurpose.choices)
    event_type = models.CharField(_("loại việc"), max_length=10, choices=EventType.choices)
    kind = models.CharField(_("loại đăng ký"), max_length=16, choices=EntryKind.choices,
                            blank=True)
    data = models.JSONField(_("thông tin đăng ký"), default=dict)
    target_entry = models.ForeignKey(RegisterEntry, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("tình trạng"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    error = models.TextField(_("lỗi"), blank=True)
    error_fields = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu hộ tịch")
        verbose_name_plural = _("yêu cầu hộ tịch")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.dossier_id}"


class ExtractCopy(models.Model):
    """A copy of an extract issued from the book (procedure 2.000635, Art. 63-64)."""

    entry = models.ForeignKey(RegisterEntry, verbose_name=_("mục"), on_delete=models.PROTECT,
                              related_name="copies")
    dossier = models.OneToOneField(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT,
                                   related_name="extract_copy")
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    issued_at = models.DateTimeField(_("cấp lúc"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("bản sao trích lục")
        verbose_name_plural = _("bản sao trích lục")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.entry} ({self.issued_at:%d/%m/%Y})"

