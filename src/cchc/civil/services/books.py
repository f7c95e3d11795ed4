"""Books and entry numbers: the open volume locked, the counter bumped in the caller's
transaction; closing; imported history."""

from __future__ import annotations

import datetime
import math

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cchc.core.services import append_audit
from cchc.errors import (
    InvalidInput,
    InvalidTransition,
)
from cchc.org.models import Role
from cchc.textfold import fold

from .. import rules
from ..models import (
    RegisterBook,
    RegisterEntry,
)
from ..selectors import local_date
from .common import (
    ENTRIES_PER_PAGE,
    FACT_COLUMNS,
    _now,
    check_officer,
    check_registering_unit,
)


def _open_book(unit, event_type: str, year: int, at) -> RegisterBook:
    """The open volume of the unit's book for the year, locked; opened if there is none."""
    books = RegisterBook.objects.filter(unit=unit, event_type=event_type, year=year)
    book = books.select_for_update().filter(closed_at__isnull=True).first()
    if book is not None:
        return book
    last = books.order_by("-first_number", "-pk").first()
    if last is not None and not last.closed_full:
        raise InvalidTransition(
            _("%(book)s quyển %(volume)s của %(unit)s đã khóa ngày %(day)s: sổ đã khóa không "
              "ghi thêm.") % {"book": last.title, "volume": last.volume, "unit": unit.name,
                               "day": rules.dmy(local_date(last.closed_at))},
            code="book_closed")
    volume = int(last.volume.split("/")[0]) + 1 if last else 1
    first = last.last_number + 1 if last else 1
    try:
        with transaction.atomic():
            RegisterBook.objects.create(
                unit=unit, event_type=event_type, year=year, volume=f"{volume:02d}/{year}",
                first_number=first, last_number=first - 1, opened_at=at)
    except IntegrityError:
        pass  # opened by a concurrent registration: use theirs
    return books.select_for_update().filter(closed_at__isnull=True).get()


def _allocate(unit, event_type: str, at) -> tuple[RegisterBook, int]:
    """The next number of the year's book, taken inside the caller's transaction."""
    book = _open_book(unit, event_type, local_date(at).year, at)
    book.last_number += 1
    book.save(update_fields=["last_number"])
    return book, book.last_number


def _write_entry(*, unit, event_type, kind, facts, dossier, at, actor,
                 imported=False) -> RegisterEntry:
    book, number = _allocate(unit, event_type, at)
    entry = RegisterEntry(
        book=book, unit=unit, event_type=event_type, number=number, registered_at=at,
        kind=kind, dossier=dossier, imported=imported, registered_by=actor,
        **{column: ("" if value is None and _is_text(column) else value)
           for column, value in facts.items() if column in FACT_COLUMNS})
    entry.save()
    append_audit("civil.entry_registered", actor=actor, obj=entry, data=_entry_ref(entry))
    return entry


def _entry_ref(entry) -> dict:
    """Where an entry is in the books (no personal data: the book holds it)."""
    return {"book_id": entry.book_id, "unit_id": entry.unit_id, "event_type": entry.event_type,
            "year": entry.book.year, "volume": entry.book.volume, "number": entry.number,
            "kind": entry.kind, "dossier_id": entry.dossier_id}


def _is_text(column: str) -> bool:
    return RegisterEntry._meta.get_field(column).get_internal_type() == "CharField"  # noqa: SLF001


@transaction.atomic
def close_book(book, *, actor, at=None, total_pages: int | None = None,
               volume_full: bool = False) -> RegisterBook:
    """Khóa sổ (Art. 58(2)): totals of entries and pages, who closed it. On or after the last
    day of the year (or of an abolished unit); before that only as a full volume."""
    at = _now(at)
    pk = book.pk if isinstance(book, RegisterBook) else book
    book = (RegisterBook.objects.select_for_update(of=("self",)).select_related("unit")
            .get(pk=pk))
    check_officer(actor, book.unit, roles=(Role.LEADER,))
    if book.is_closed:
        raise InvalidTransition(_("%(book)s quyển %(volume)s đã khóa ngày %(day)s.") % {
            "book": book.title, "volume": book.volume,
            "day": rules.dmy(local_date(book.closed_at))}, code="book_closed")
    on = local_date(at)
    year_end = on >= _year_end(book)
    if not year_end and not volume_full:
        raise InvalidTransition(
            _("Sổ hộ tịch khóa vào ngày cuối cùng của năm (Điều 58 Luật Hộ tịch): %(book)s quyển "
              "%(volume)s khóa được từ ngày %(day)s, trừ khi quyển sổ đã hết trang.")
            % {"book": book.title, "volume": book.volume, "day": rules.dmy(_year_end(book))},
            code="book_not_due")
    entries = book.entries.count()
    if entries != book.entry_count:  # pragma: no cover - the numbering guarantees it
        raise InvalidTransition(_("Số mục trong sổ không khớp bộ đếm; không khóa được."),
                                code="book_inconsistent")
    if total_pages is not None:
        try:
            total_pages = int(total_pages)
        except (TypeError, ValueError):
            total_pages = -1
        if total_pages < 0 or total_pages > 100000:
            raise InvalidInput(_("Tổng số trang không hợp lệ."),
                               fields={"total_pages": [_("Số nguyên không âm.")]})
    book.closed_at = at
    book.closed_by = actor
    book.closed_full = volume_full and not year_end
    book.total_entries = entries
    book.total_pages = total_pages if total_pages is not None else math.ceil(
        entries / ENTRIES_PER_PAGE)
    book.save(update_fields=["closed_at", "closed_by", "closed_full", "total_entries",
                             "total_pages"])
    append_audit("civil.book_closed", actor=actor, obj=book, data={
        "unit_id": book.unit_id, "event_type": book.event_type, "year": book.year,
        "volume": book.volume, "total_entries": book.total_entries,
        "total_pages": book.total_pages, "closed_full": book.closed_full})
    return book


def _year_end(book: RegisterBook) -> datetime.date:
    end = datetime.date(book.year, 12, 31)
    if book.unit.valid_to and book.unit.valid_to.year == book.year:
        end = min(end, book.unit.valid_to)
    return end


# -- registration -------------------------------------------------------------------------------


@transaction.atomic
def import_entries(*, unit, event_type: str, records: list[dict], actor=None) -> int:
    """Load entries of the books kept before this system (no dossier): ``records`` are facts
    with ``registered_at`` and ``kind``, in order of registration; numbers follow the book."""
    created = 0
    batch = []
    numbers: dict[int, tuple[int, int]] = {}  # book -> first and last number imported
    for record in records:
        at = record["registered_at"]
        check_registering_unit(unit, local_date(at))
        book, number = _allocate(unit, event_type, at)
        low, _high = numbers.get(book.pk, (number, number))
        numbers[book.pk] = (low, number)
        entry = RegisterEntry(
            book=book, unit=unit, event_type=event_type, number=number, registered_at=at,
            kind=record.get("kind", rules.NORMAL), imported=True, registered_by=actor,
            **{c: v for c, v in record.items() if c in FACT_COLUMNS})
        entry.name_folded = fold(entry.full_name)
        entry.partner_name_folded = fold(entry.partner_full_name)
        batch.append(entry)
        if len(batch) >= 500:
            RegisterEntry.objects.bulk_create(batch)
            created += len(batch)
            batch = []
    RegisterEntry.objects.bulk_create(batch)
    created += len(batch)
    if created:
        append_audit("civil.entries_imported", actor=actor, data={
            "unit_id": unit.pk, "event_type": event_type, "count": created,
            "books": {str(book_id): {"first": low, "last": high}
                      for book_id, (low, high) in numbers.items()}})
    return created
