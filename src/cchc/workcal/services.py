"""Writes to the working calendar, one transaction each.

Ngày Văn hóa Việt Nam (24/11): the ``holidays`` package marks it a day off from 2026
(with a compensating day when it falls on a weekend), but its legal status for civil
servants is uncertain (RULES §6 [S]). The software ships **no override** for it, so the
package decides by default: off on 24/11/2026, not off in 2023-2025. ``set_cultural_day``
switches it per year, with the reference of the letter that decided it.
"""

from __future__ import annotations

from datetime import date

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput

from .calendar import MAX_YEAR, MIN_YEAR
from .models import CalendarOverride, OfficeHours, OverrideKind

CULTURAL_DAY_NAME = "Ngày Văn hóa Việt Nam"


def _clean_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("Cần ghi văn bản làm căn cứ (số, ký hiệu hoặc mô tả)."),
            code="missing_reference", fields={"reference": _("Bắt buộc.")},
        )
    if len(reference) > 255:
        raise InvalidInput(_("Văn bản căn cứ quá dài (tối đa 255 ký tự)."),
                           code="invalid_reference", fields={"reference": _("Quá dài.")})
    return reference


def _check_year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            _("Năm không hợp lệ (từ %(a)s đến %(b)s).") % {"a": MIN_YEAR, "b": MAX_YEAR},
            code="invalid_year", fields={"year": _("Năm không hợp lệ.")},
        )
    return year


def _upsert(day: date, kind: str, reference: str, note: str) -> CalendarOverride:
    override = CalendarOverride.objects.select_for_update().filter(date=day).first()
    if override is None:
        override = CalendarOverride(date=day)
    override.kind = kind
    override.reference = reference
    override.note = (note or "").strip()[:255]
    override.save()
    return override


@transaction.atomic
def set_override(day: date, kind: str, reference: str, note: str = "") -> CalendarOverride:
    """Make ``day`` a day off or a working day, citing ``reference``."""
    if kind not in OverrideKind.values:
        raise InvalidInput(_("Loại ngày không hợp lệ."), code="invalid_kind",
                           fields={"kind": _("Chọn ngày nghỉ hoặc ngày làm việc.")})
    _check_year(day.year)
    return _upsert(day, kind, _clean_reference(reference), note)


@transaction.atomic
def save_override(override: CalendarOverride) -> CalendarOverride:
    """Save an override edited as a whole (the admin form): validated, in one transaction."""
    override.reference = _clean_reference(override.reference)
    _check_year(override.date.year)
    try:
        override.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_override",
                           fields=exc.message_dict) from None
    override.save()
    return override


@transaction.atomic
def remove_override(day: date) -> bool:
    """Back to the national calendar for ``day``; True if there was an override."""
    deleted = False
    for override in CalendarOverride.objects.select_for_update().filter(date=day):
        override.delete()  # one by one, so that history and the signals see it
        deleted = True
    return deleted


@transaction.atomic
def set_cultural_day(year: int, off: bool, reference: str, note: str = "") -> list[CalendarOverride]:
    """Ngày Văn hóa Việt Nam (24/11) of ``year``: a day off (``off``) or not.

    Off: 24/11 becomes a day off; a compensating day that the ``holidays`` package gives
    for a weekend 24/11 is kept (any other compensating day is a separate override).
    Not off: 24/11 and the package's compensating day become working days if they fall
    Monday-Friday; on a weekend the override is removed (the weekend stays off).
    Returns the overrides now in force for those dates.
    """
    _check_year(year)
    reference = _clean_reference(reference)
    cultural = date(year, 11, 24)
    related = set(holidays.VN(years=year, language="vi").get_named(CULTURAL_DAY_NAME)) - {cultural}
    result = []
    if off:
        result.append(_upsert(cultural, OverrideKind.DAY_OFF, reference,
                              note or f"{CULTURAL_DAY_NAME} (24/11)"))
        for day in sorted(related):
            for override in CalendarOverride.objects.select_for_update().filter(
                date=day, kind=OverrideKind.WORKING_DAY
            ):
                override.delete()
    else:
        for day in sorted({cultural} | related):
            if day.weekday() < 5:
                result.append(_upsert(day, OverrideKind.WORKING_DAY, reference,
                                      note or f"{CULTURAL_DAY_NAME}: làm việc bình thường"))
            else:
                for override in CalendarOverride.objects.select_for_update().filter(date=day):
                    override.delete()
    return result


@transaction.atomic
def update_office_hours(**values) -> OfficeHours:
    """Change the office hours (morning_start, morning_end, afternoon_start, afternoon_end,
    same_day_cutoff: ``datetime.time``)."""
    allowed = {"morning_start", "morning_end", "afternoon_start", "afternoon_end",
               "same_day_cutoff"}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput(_("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))},
                           code="invalid_field")
    hours = OfficeHours.objects.select_for_update().filter(pk=1).first() or OfficeHours(pk=1)
    for name, value in values.items():
        setattr(hours, name, value)
    try:
        hours.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="invalid_office_hours",
                           fields=exc.message_dict) from None
    hours.save()
    return hours
