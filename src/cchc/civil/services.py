"""Every write of the civil-status registers: verb-named, one transaction each.

Two ways into the book, both through a one-stop dossier:
- At the desk (``register_at_desk`` and the birth/marriage/death shorthands): the rules are
  checked, the dossier is received (``onestop.services.receive_dossier``) and the submitted
  facts are stored with it as a ``CivilRequest``, in one transaction. When the dossier is
  processed (status 9) onestop sends ``dossier_processed`` after commit and
  ``complete_civil_request`` writes the entry in its own transaction: idempotent (one entry per
  dossier) and, if a rule fails by then (someone married in between), the failure is recorded
  on the request in Vietnamese instead of breaking the approval.
- Directly by the civil-status officer (``register_directly``): the dossier is received and
  processed (same-day procedures) and the entry written in ONE transaction, so a rule failure
  leaves neither dossier nor entry. The one-stop steps the officer's own roles do not cover
  (a specialist does not approve) run as the system (actor ``None``): the officer's right to
  register in the unit is checked here first, and is recorded on the entry and request.

Numbers: ``_allocate`` locks the open volume (``select_for_update``) and bumps its counter in
the transaction that stores the entry; a rollback gives the number back, so the book has no
gap. A closed book takes no entry (``InvalidTransition``, 409); neither does the book of a unit
abolished on 1/7/2025 for a date after 30/6/2025.

Choices where the rules are silent:
- The entry's date is the processing (approval) time; the 60/15-day deadlines are measured at
  the reception of the dossier (the declaration), the marriage ages at the entry's date.
- Late registrations use the same procedures as timely ones (the national catalog has no
  separate late-birth or late-death procedure): ``PROCEDURES`` maps base codes to event types,
  and the kind follows from the dates.
- A book may be closed on or after the last day of its year (Art. 58), on or after the end of
  its abolished unit, or earlier only as a full volume, after which the next entry opens volume
  02/<year> continuing the numbers. Pages: ``ENTRIES_PER_PAGE`` entries to a printed page,
  unless the officer gives the count of the paper copy.
- Registry conflicts name the other unit's book, volume and number: civil-status officers need
  that to verify the case, and only they register.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import math

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.selectors import get_procedure
from cchc.core.permissions import has_role, visible_units
from cchc.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    OutsideJurisdiction,
)
from cchc.onestop import services as onestop
from cchc.onestop.models import DossierEvent, Status
from cchc.org.models import AdministrativeUnit, Agency, AgencyKind, Era, Level, Role
from cchc.textfold import fold

from . import rules, selectors
from .models import (
    MARRIAGE_ENDING_NOTES,
    NOTE_KINDS_WITH_DOSSIER,
    CivilRequest,
    EntryKind,
    EventType,
    ExtractCopy,
    MarginalNote,
    NoteKind,
    RegisterBook,
    RegisterEntry,
    RequestPurpose,
    RequestStatus,
    SearchAudit,
)
from .selectors import CIVIL_ROLES, Identity, local_date

logger = logging.getLogger(__name__)

B, M, D = rules.BIRTH, rules.MARRIAGE, rules.DEATH
# Base code -> (event type, fixed kind or None when the dates decide).
PROCEDURES = {
    "1.001193": (B, None),  # Đăng ký khai sinh (timely or late)
    "1.003583": (B, None),  # Đăng ký khai sinh lưu động
    "1.004772": (B, rules.LATE),  # Khai sinh cho người đã có hồ sơ, giấy tờ cá nhân
    "1.004884": (B, rules.REREGISTRATION),  # Đăng ký lại khai sinh
    "2.000528": (B, None),  # Khai sinh có yếu tố nước ngoài (at the commune since 1/7/2025)
    "1.000894": (M, None),  # Đăng ký kết hôn
    "1.000593": (M, None),  # Đăng ký kết hôn lưu động
    "1.004746": (M, rules.REREGISTRATION),  # Đăng ký lại kết hôn
    "2.000806": (M, None),  # Kết hôn có yếu tố nước ngoài
    "1.000656": (D, None),  # Đăng ký khai tử (timely or late)
    "1.000419": (D, None),  # Đăng ký khai tử lưu động
    "1.005461": (D, rules.REREGISTRATION),  # Đăng ký lại khai tử
}
DEFAULT_PROCEDURES = {
    (B, rules.NORMAL): "1.001193", (B, rules.LATE): "1.001193",
    (B, rules.REREGISTRATION): "1.004884",
    (M, rules.NORMAL): "1.000894", (M, rules.REREGISTRATION): "1.004746",
    (D, rules.NORMAL): "1.000656", (D, rules.LATE): "1.000656",
    (D, rules.REREGISTRATION): "1.005461",
}
NOTE_PROCEDURES = ("1.004859", "2.000748")  # thay đổi, cải chính, bổ sung (foreign element)
COPY_PROCEDURE = "2.000635"  # Cấp bản sao trích lục hộ tịch
ENTRIES_PER_PAGE = 2
MAX_COPIES = 20
FACT_COLUMNS = frozenset(selectors.ENTRY_COLUMNS) - {
    "id", "book", "unit", "event_type", "number", "registered_at", "kind", "dossier", "imported",
    "registered_by", "name_folded", "partner_name_folded", "created_at"}
DESK_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)


def _now(at):
    return at or timezone.now()


def _json(data) -> dict:
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


# -- who and where ------------------------------------------------------------------------------


def check_registering_unit(unit: AdministrativeUnit, on) -> None:
    """The unit keeps civil-status books and exists on ``on``."""
    registers = unit.level == Level.COMMUNE or (unit.level == Level.DISTRICT
                                                and unit.era == Era.PRE_2025)
    if not registers:
        raise InvalidInput(
            _("%(unit)s không phải cơ quan đăng ký hộ tịch: sổ hộ tịch do Ủy ban nhân dân cấp xã "
              "(trước 01/7/2025 cả cấp huyện) ghi.") % {"unit": unit.name},
            code="not_a_registry", fields={"unit": [_("Chọn xã, phường, đặc khu.")]})
    if unit.valid_to and on > unit.valid_to:
        successors = ", ".join(unit.successors.values_list("name", flat=True))
        raise InvalidTransition(
            _("%(unit)s chấm dứt hoạt động sau ngày %(end)s (sắp xếp đơn vị hành chính): sổ hộ "
              "tịch của đơn vị được lưu giữ để tra cứu, không ghi thêm việc đăng ký ngày "
              "%(day)s.%(where)s") % {
                "unit": unit.name, "end": rules.dmy(unit.valid_to), "day": rules.dmy(on),
                "where": (" " + _("Đăng ký tại: %(units)s.") % {"units": successors})
                if successors else ""},
            code="unit_abolished")
    if unit.valid_from and on < unit.valid_from:
        raise InvalidTransition(
            _("%(unit)s hoạt động từ ngày %(start)s; không ghi sổ việc đăng ký ngày %(day)s.")
            % {"unit": unit.name, "start": rules.dmy(unit.valid_from), "day": rules.dmy(on)},
            code="unit_not_yet")


def check_officer(actor, unit: AdministrativeUnit, roles=CIVIL_ROLES) -> None:
    """The actor keeps this unit's registers (404 outside their units, 403 without the role)."""
    if actor is None or actor.is_superuser:
        return
    if unit.pk in selectors.officer_unit_ids(actor, roles):
        return
    if not visible_units(actor).filter(pk=unit.pk).exists():
        raise OutsideJurisdiction(_("Không tìm thấy đơn vị hoặc sổ hộ tịch."))
    raise Forbidden(
        _("Chỉ %(roles)s của %(unit)s được thực hiện việc này.")
        % {"roles": ", ".join(str(Role(r).label).lower() for r in roles), "unit": unit.name})


def desk_of(unit: AdministrativeUnit) -> Agency:
    desk = (Agency.objects.filter(unit=unit, kind__in=DESK_KINDS, active=True)
            .order_by("kind", "code").first())
    if desk is None:
        raise InvalidInput(_("%(unit)s chưa có bộ phận tiếp nhận hồ sơ.") % {"unit": unit.name},
                           code="no_desk", fields={"agency": [_("Chưa có nơi tiếp nhận.")]})
    return desk


def _desk_for_entry(entry: RegisterEntry, actor, on) -> Agency:
    """Where a note or copy about an old entry is received: the entry's unit if it still
    exists, else the successor unit the actor works in."""
    candidates = [entry.unit, *entry.unit.successors.all()]
    mine = selectors.officer_unit_ids(actor) if actor is not None else set()
    for unit in candidates:
        if unit.is_valid_on(on) and (actor is None or actor.is_superuser or unit.pk in mine):
            desk = Agency.objects.filter(unit=unit, kind__in=DESK_KINDS, active=True).order_by(
                "kind", "code").first()
            if desk is not None:
                return desk
    raise InvalidInput(_("Không xác định được nơi tiếp nhận: hãy chọn bộ phận tiếp nhận."),
                       code="no_desk", fields={"agency": [_("Bắt buộc.")]})


def _as(actor, role):
    """The actor when they hold ``role``; otherwise the step runs as the system."""
    if actor is not None and (actor.is_superuser or has_role(actor, role)):
        return actor
    return None


def _procedure(code: str | None, event_type: str, kind: str | None, on):
    """The catalog procedure for the event, and the kind it fixes (if any)."""
    if code:
        procedure = get_procedure(code, on)
        mapped = PROCEDURES.get(procedure.base_code)
        if mapped is None or mapped[0] != event_type:
            raise InvalidInput(
                _("Thủ tục %(code)s không phải thủ tục đăng ký %(event)s.")
                % {"code": procedure.code, "event": EventType(event_type).label.lower()},
                fields={"procedure": [_("Không đúng loại việc.")]})
        fixed = mapped[1]
        if fixed and kind and kind != fixed:
            raise InvalidInput(_("Thủ tục %(code)s chỉ dùng cho loại đăng ký “%(kind)s”.")
                               % {"code": procedure.code, "kind": EntryKind(fixed).label},
                               fields={"kind": [_("Không khớp với thủ tục.")]})
        return procedure, fixed
    return None, None


def default_applicant(event_type: str, facts: dict) -> dict:
    if event_type == M:
        return {"name": facts["full_name"], "id_number": facts.get("id_number", "")}
    return {"name": facts.get("declarant_name") or facts["full_name"],
            "id_number": facts.get("declarant_id_number", "")}


def _request_text(event_type: str, facts: dict) -> str:
    if event_type == M:
        return _("Đăng ký kết hôn: %(a)s và %(b)s") % {"a": facts["full_name"],
                                                       "b": facts["partner_full_name"]}
    label = _("Đăng ký khai sinh") if event_type == B else _("Đăng ký khai tử")
    return f"{label}: {facts['full_name']}"


# -- the registry -------------------------------------------------------------------------------


def _where(entry: RegisterEntry) -> str:
    return _("%(book)s của %(unit)s, quyển %(volume)s, số %(number)s, ngày %(day)s") % {
        "book": entry.book.title, "unit": entry.unit.name, "volume": entry.book.volume,
        "number": entry.number, "day": rules.dmy(local_date(entry.registered_at))}


def check_registry(event_type: str, facts: dict) -> None:
    """The checks against what the registry already holds (all units: it is one registry)."""
    errors: dict[str, list[str]] = {}
    paths = rules.INPUT_PATHS[event_type]
    if event_type == M:
        for prefix, label in (("", _("Bên nam")), ("partner_", _("Bên nữ"))):
            person = Identity(facts[f"{prefix}full_name"], facts[f"{prefix}birth_date"],
                              facts.get(f"{prefix}id_number", ""))
            path = paths[f"{prefix}full_name"]
            dead = selectors.death_entry_of(person)
            if dead is not None:
                errors[path] = [_("%(who)s %(name)s đã được đăng ký khai tử (%(where)s): không "
                                  "đăng ký kết hôn cho người đã chết.")
                                % {"who": label, "name": person.full_name, "where": _where(dead)}]
                continue
            marriage = selectors.current_marriage_of(person)
            if marriage is not None:
                errors[path] = [_("%(who)s %(name)s đang có vợ, có chồng theo đăng ký kết hôn "
                                  "chưa chấm dứt (%(where)s): không được kết hôn với người khác "
                                  "(Điều 5 Luật Hôn nhân và gia đình).")
                                % {"who": label, "name": person.full_name,
                                   "where": _where(marriage)}]
    elif event_type == D:
        person = Identity(facts["full_name"], facts["birth_date"], facts.get("id_number", ""))
        dead = selectors.death_entry_of(person)
        if dead is not None:
            errors[paths["full_name"]] = [_("%(name)s đã được đăng ký khai tử (%(where)s).")
                                          % {"name": person.full_name, "where": _where(dead)}]
    elif event_type == B and facts.get("id_number"):
        if RegisterEntry.objects.filter(event_type=B, id_number=facts["id_number"]).exists():
            errors[paths["id_number"]] = [_("Số định danh cá nhân %(id)s đã được ghi cho một "
                                            "người khác trong sổ khai sinh.")
                                          % {"id": facts["id_number"]}]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], code="registry_conflict",
                           fields=errors)


# -- books and numbers --------------------------------------------------------------------------


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
    return entry


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
    return book


def _year_end(book: RegisterBook) -> datetime.date:
    end = datetime.date(book.year, 12, 31)
    if book.unit.valid_to and book.unit.valid_to.year == book.year:
        end = min(end, book.unit.valid_to)
    return end


# -- registration -------------------------------------------------------------------------------


def _validated(unit, event_type, data, *, declared_on, registered_on, kind, procedure_code):
    check_registering_unit(unit, registered_on)
    procedure, fixed = _procedure(procedure_code, event_type, kind, declared_on)
    facts, kind = rules.validate(event_type, data, declared_on=declared_on,
                                 registered_on=registered_on, requested_kind=kind or fixed)
    check_registry(event_type, facts)
    procedure = procedure or DEFAULT_PROCEDURES[(event_type, kind)]
    return facts, kind, procedure


@transaction.atomic
def register_at_desk(*, agency: Agency, event_type: str, data: dict, actor, applicant=None,
                     kind: str | None = None, procedure: str | None = None, at=None
                     ) -> CivilRequest:
    """The desk receives a registration: rules checked, dossier received, facts stored."""
    at = _now(at)
    on = local_date(at)
    unit = agency.unit
    facts, kind, procedure = _validated(unit, event_type, data, declared_on=on,
                                        registered_on=on, kind=kind, procedure_code=procedure)
    dossier = onestop.receive_dossier(
        agency=agency, procedure=procedure, applicant=applicant or default_applicant(event_type, facts),
        actor=actor, at=at, request=_request_text(event_type, facts))
    return CivilRequest.objects.create(dossier=dossier, unit=unit, purpose=RequestPurpose.REGISTER,
                                       event_type=event_type, kind=kind, data=_json(data),
                                       created_by=actor)


def register_birth_at_desk(**kwargs) -> CivilRequest:
    return register_at_desk(event_type=B, **kwargs)


def register_marriage_at_desk(**kwargs) -> CivilRequest:
    return register_at_desk(event_type=M, **kwargs)


def register_death_at_desk(**kwargs) -> CivilRequest:
    return register_at_desk(event_type=D, **kwargs)


def _process_same_day(dossier, actor, at, result: str):
    """Hand the dossier through the internal process and approve it (status 9)."""
    for _step in range(20):
        try:
            dossier = onestop.transfer_dossier(dossier, actor=_as(actor, dossier.current_role),
                                               at=at)
        except InvalidTransition as exc:
            if exc.code != "use_approve":
                raise
            break
    return onestop.approve_dossier(dossier, actor=_as(actor, Role.LEADER), at=at, result=result)


def _entry_result(entry: RegisterEntry) -> str:
    return _("Đã ghi vào %(book)s quyển %(volume)s, số %(number)s.") % {
        "book": entry.book.title, "volume": entry.book.volume, "number": entry.number}


@transaction.atomic
def register_directly(*, event_type: str, data: dict, actor, agency: Agency | None = None,
                      unit: AdministrativeUnit | None = None, applicant=None,
                      kind: str | None = None, procedure: str | None = None, at=None
                      ) -> RegisterEntry:
    """The civil-status officer registers at once: dossier received and processed, entry
    written, all in one transaction."""
    at = _now(at)
    on = local_date(at)
    if agency is None:
        if unit is None:
            raise InvalidInput(_("Cần chọn đơn vị đăng ký."), fields={"unit": [_("Bắt buộc.")]})
        check_officer(actor, unit)
        check_registering_unit(unit, on)
        agency = desk_of(unit)
    unit = agency.unit
    check_officer(actor, unit)
    facts, kind, procedure = _validated(unit, event_type, data, declared_on=on,
                                        registered_on=on, kind=kind, procedure_code=procedure)
    dossier = onestop.receive_dossier(
        agency=agency, procedure=procedure,
        applicant=applicant or default_applicant(event_type, facts),
        actor=_as(actor, Role.DESK_OFFICER), at=at, request=_request_text(event_type, facts))
    entry = _write_entry(unit=unit, event_type=event_type, kind=kind, facts=facts,
                         dossier=dossier, at=at, actor=actor)
    CivilRequest.objects.create(dossier=dossier, unit=unit, purpose=RequestPurpose.REGISTER,
                                event_type=event_type, kind=kind, data=_json(data),
                                status=RequestStatus.DONE, completed_at=at, created_by=actor)
    entry.dossier = _process_same_day(dossier, actor, at, _entry_result(entry))
    return entry


# -- completion when the dossier is processed ---------------------------------------------------


def complete_civil_request(dossier_id: int) -> CivilRequest | None:
    """Write what a processed dossier asked for. Idempotent; never raises: a failure is
    recorded on the request (and logged) so that the approval itself stands."""
    try:
        return _complete(dossier_id)
    except DomainError as exc:
        _record_failure(dossier_id, str(exc.message), exc.fields)
    except Exception as exc:  # noqa: BLE001 - the approval must not fail because of the book
        logger.exception("Civil request of dossier %s failed", dossier_id)
        _record_failure(dossier_id, _("Lỗi khi ghi vào sổ: %(error)s") % {"error": exc}, {})
    return CivilRequest.objects.filter(dossier_id=dossier_id).first()


def _record_failure(dossier_id, message: str, fields: dict):
    CivilRequest.objects.filter(dossier_id=dossier_id).exclude(status=RequestStatus.DONE).update(
        status=RequestStatus.FAILED, error=message,
        error_fields=_json({k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
                            for k, v in (fields or {}).items()}))


def _approver(dossier):
    return (DossierEvent.objects.filter(dossier=dossier, action="approve").order_by("-at", "-pk")
            .select_related("actor").first())


@transaction.atomic
def _complete(dossier_id: int) -> CivilRequest | None:
    request = (CivilRequest.objects.select_for_update(of=("self",))
               .select_related("dossier", "unit", "target_entry").filter(dossier_id=dossier_id)
               .first())
    if request is None or request.status == RequestStatus.DONE:
        return request
    dossier = request.dossier
    if dossier.status not in (Status.PROCESSED, Status.RETURNED):
        return request
    at = dossier.finished_at or timezone.now()
    approval = _approver(dossier)
    actor = approval.actor if approval else None
    if request.purpose == RequestPurpose.REGISTER:
        if not RegisterEntry.objects.filter(dossier=dossier).exists():
            facts, kind, _code = _validated(
                request.unit, request.event_type, request.data,
                declared_on=local_date(dossier.received_at or dossier.submitted_at),
                registered_on=local_date(at), kind=request.kind or None, procedure_code=None)
            _write_entry(unit=request.unit, event_type=request.event_type, kind=kind,
                         facts=facts, dossier=dossier, at=at, actor=actor)
    elif request.purpose == RequestPurpose.NOTE:
        if not MarginalNote.objects.filter(dossier=dossier).exists():
            data = request.data
            entry = RegisterEntry.objects.select_for_update().get(pk=request.target_entry_id)
            changes, text, basis = validate_note(entry, data.get("kind"), data.get("changes"),
                                                 data.get("text"), data.get("basis"))
            _write_note(entry, data["kind"], changes, text, basis, dossier, at, actor)
    elif request.purpose == RequestPurpose.COPY:
        if not ExtractCopy.objects.filter(dossier=dossier).exists():
            ExtractCopy.objects.create(entry_id=request.target_entry_id, dossier=dossier,
                                       copies=int(request.data.get("copies") or 1),
                                       issued_at=at, issued_by=actor)
    request.status = RequestStatus.DONE
    request.error, request.error_fields = "", {}
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "error", "error_fields", "completed_at"])
    return request


def retry_civil_request(request: CivilRequest, *, actor) -> CivilRequest:
    """Try again to write a failed request (e.g. after a conflicting entry was corrected)."""
    check_officer(actor, request.unit)
    if request.status != RequestStatus.FAILED:
        raise InvalidTransition(_("Yêu cầu này không ở trạng thái lỗi."), code="not_failed")
    return complete_civil_request(request.dossier_id)


# -- marginal notes -----------------------------------------------------------------------------


def validate_note(entry: RegisterEntry, kind, changes, text, basis=""
                  ) -> tuple[dict, str, str]:
    """(changes as {column: {"old", "new"}}, text, basis) for a note on the entry, or
    ``InvalidInput``. The entry as corrected must still satisfy the rules on its content."""
    if kind not in NoteKind.values:
        raise InvalidInput(_("Loại ghi chú không hợp lệ."), fields={"kind": [
            _("Chọn: %(kinds)s.") % {"kinds": ", ".join(NoteKind.values)}]})
    text = str(text or "").strip()
    basis = str(basis or "").strip()
    if len(text) > rules.NOTE_LIMIT or len(basis) > 300:
        raise InvalidInput(_("Nội dung ghi chú quá dài."), fields={"text": [_("Quá dài.")]})
    notes = selectors.notes_of(entry)
    if kind in MARRIAGE_ENDING_NOTES:
        if entry.event_type != M:
            raise InvalidInput(_("Chỉ ghi chú ly hôn, hủy kết hôn vào mục đăng ký kết hôn."),
                               fields={"kind": [_("Không áp dụng cho loại sổ này.")]})
        if any(n.kind in MARRIAGE_ENDING_NOTES for n in notes):
            raise InvalidTransition(_("Việc kết hôn này đã được ghi chú chấm dứt."),
                                    code="already_ended")
        if not basis:
            raise InvalidInput(_("Cần ghi căn cứ: số, ngày bản án hoặc quyết định của Tòa án."),
                               fields={"basis": [_("Bắt buộc.")]})
        if changes:
            raise InvalidInput(_("Ghi chú ly hôn không thay đổi thông tin của mục."),
                               fields={"changes": [_("Để trống.")]})
        label = NoteKind(kind).label
        return {}, text or _("%(label)s theo %(basis)s.") % {"label": label, "basis": basis}, basis
    if kind == NoteKind.OTHER:
        if not text:
            raise InvalidInput(_("Cần nhập nội dung ghi chú."), fields={"text": [_("Bắt buộc.")]})
        if changes:
            raise InvalidInput(_("Ghi chú khác không thay đổi thông tin của mục; hãy dùng cải "
                                 "chính hoặc bổ sung."), fields={"changes": [_("Để trống.")]})
        return {}, text, basis
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput(_("Cần ít nhất một thông tin thay đổi."),
                           fields={"changes": [_("Bắt buộc.")]})
    paths = rules.INPUT_PATHS[entry.event_type]
    by_path = {path: column for column, path in paths.items()}
    kinds = rules.COLUMN_KINDS[entry.event_type]
    current = selectors.current_facts(entry, notes)
    errors: dict[str, list[str]] = {}
    parsed: dict[str, tuple] = {}
    for key, raw in changes.items():
        column = by_path.get(key) or (key if key in paths else None)
        if column is None or (entry.event_type == M and column in ("sex", "partner_sex")):
            errors[key] = [_("Không có thông tin này trong sổ.")]
            continue
        try:
            value = rules.parse_value(kinds[column], raw)
        except (TypeError, ValueError):
            errors[key] = [rules.bad_value_message(kinds[column])]
            continue
        old = current.get(column)
        empty_old = old in (None, "")
        if value in (None, ""):
            errors[key] = [_("Cần giá trị mới.")]
        elif value == old:
            errors[key] = [_("Giống thông tin đang ghi trong sổ.")]
        elif kind == NoteKind.ADDITION and not empty_old:
            errors[key] = [_("Thông tin này đã có trong sổ; sửa thì dùng cải chính.")]
        elif kind in (NoteKind.CORRECTION, NoteKind.CHANGE) and empty_old:
            errors[key] = [_("Sổ chưa có thông tin này; ghi thêm thì dùng bổ sung.")]
        else:
            parsed[column] = (old, value)
    if errors:
        raise InvalidInput(_("Thông tin thay đổi chưa đúng."), fields=errors)
    registered_on = local_date(entry.registered_at)
    resulting = {**current, **{column: new for column, (_old, new) in parsed.items()}}
    rules.check_content(entry.event_type, resulting, declared_on=registered_on,
                        registered_on=registered_on)
    encoded = _json({column: {"old": old, "new": new} for column, (old, new) in parsed.items()})
    if not text:
        text = "; ".join(
            _("%(field)s: “%(old)s” thành “%(new)s”") % {
                "field": str(RegisterEntry._meta.get_field(c).verbose_name),  # noqa: SLF001
                "old": _show(o), "new": _show(n)} if o not in (None, "") else
            _("%(field)s: “%(new)s”") % {
                "field": str(RegisterEntry._meta.get_field(c).verbose_name),  # noqa: SLF001
                "new": _show(n)}
            for c, (o, n) in parsed.items())
        text = f"{text[:1].upper()}{text[1:]}."
    return encoded, text, basis


def _show(value) -> str:
    if hasattr(value, "strftime") and hasattr(value, "year"):
        return rules.dmy(value)
    return {rules.MALE: _("Nam"), rules.FEMALE: _("Nữ")}.get(value, str(value))


def _write_note(entry, kind, changes, text, basis, dossier, at, actor) -> MarginalNote:
    def new(*columns):
        for column in columns:
            if column in changes:
                return changes[column]["new"]
        return None

    name = new("full_name", "partner_full_name")
    return MarginalNote.objects.create(
        entry=entry, kind=kind, text=text, changes=changes, basis=basis, dossier=dossier,
        registered_at=at, registered_by=actor, name_folded=fold(name or ""),
        birth_date=rules.parse_date(new("birth_date", "partner_birth_date")),
        id_number=new("id_number", "partner_id_number") or "")


def _lock_entry(entry) -> RegisterEntry:
    pk = entry.pk if isinstance(entry, RegisterEntry) else entry
    return (RegisterEntry.objects.select_for_update(of=("self",))
            .select_related("book", "unit").get(pk=pk))


def _note_applicant(entry, applicant):
    return applicant or {"name": entry.full_name}


@transaction.atomic
def record_note_at_desk(*, entry, kind: str, changes=None, text="", basis="", agency: Agency,
                        applicant=None, actor, procedure: str | None = None, at=None
                        ) -> CivilRequest:
    """The desk receives a request to correct, change or add to an entry (1.004859)."""
    at = _now(at)
    entry = _lock_entry(entry)
    if kind not in NOTE_KINDS_WITH_DOSSIER:
        raise InvalidInput(_("Tại bộ phận một cửa chỉ tiếp nhận yêu cầu thay đổi, cải chính, "
                             "bổ sung hộ tịch."), fields={"kind": [_("Không hợp lệ.")]})
    _check_sees(actor, entry)
    _check_note_procedure(procedure, local_date(at))
    changes_json, text, basis = validate_note(entry, kind, changes, text, basis)
    dossier = onestop.receive_dossier(
        agency=agency, procedure=procedure or NOTE_PROCEDURES[0],
        applicant=_note_applicant(entry, applicant), actor=actor, at=at,
        request=_("%(kind)s — %(entry)s") % {"kind": NoteKind(kind).label, "entry": entry})
    return CivilRequest.objects.create(
        dossier=dossier, unit=agency.unit, purpose=RequestPurpose.NOTE,
        event_type=entry.event_type, target_entry=entry, created_by=actor,
        data=_json({"kind": kind, "changes": changes or {}, "text": text, "basis": basis}))


def _check_note_procedure(code, on):
    if code and get_procedure(code, on).base_code not in NOTE_PROCEDURES:
        raise InvalidInput(_("Thủ tục %(code)s không phải thủ tục thay đổi, cải chính, bổ sung "
                             "hộ tịch.") % {"code": code}, fields={"procedure": [_("Không hợp lệ.")]})


def _check_sees(actor, entry: RegisterEntry):
    if actor is not None and not actor.is_superuser and not visible_units(actor).filter(
            pk=entry.unit_id).exists():
        raise OutsideJurisdiction(_("Không tìm thấy mục đăng ký hộ tịch."))


@transaction.atomic
def record_note_directly(*, entry, kind: str, actor, changes=None, text="", basis="",
                         agency: Agency | None = None, applicant=None, at=None) -> MarginalNote:
    """A marginal note written at once. Corrections, changes and additions get their own
    dossier (received and processed in this transaction); divorces and annulments come from a
    court and are written on its judgment (``basis``)."""
    at = _now(at)
    entry = _lock_entry(entry)
    check_officer(actor, entry.unit)
    changes_json, text, basis = validate_note(entry, kind, changes, text, basis)
    dossier = None
    if kind in NOTE_KINDS_WITH_DOSSIER:
        agency = agency or _desk_for_entry(entry, actor, local_date(at))
        check_officer(actor, agency.unit)
        dossier = onestop.receive_dossier(
            agency=agency, procedure=NOTE_PROCEDURES[0], applicant=_note_applicant(entry, applicant),
            actor=_as(actor, Role.DESK_OFFICER), at=at,
            request=_("%(kind)s — %(entry)s") % {"kind": NoteKind(kind).label, "entry": entry})
    note = _write_note(entry, kind, changes_json, text, basis, dossier, at, actor)
    if dossier is not None:
        CivilRequest.objects.create(
            dossier=dossier, unit=agency.unit, purpose=RequestPurpose.NOTE,
            event_type=entry.event_type, target_entry=entry, created_by=actor,
            status=RequestStatus.DONE, completed_at=at,
            data=_json({"kind": kind, "changes": changes or {}, "text": text, "basis": basis}))
        note.dossier = _process_same_day(
            dossier, actor, at, _("Đã ghi chú vào %(book)s quyển %(volume)s, số %(number)s.")
            % {"book": entry.book.title, "volume": entry.book.volume, "number": entry.number})
    return note


# -- copies of extracts (2.000635) --------------------------------------------------------------


def _copies(value) -> int:
    try:
        copies = int(value)
    except (TypeError, ValueError):
        copies = 0
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput(_("Số bản sao từ 1 đến %(n)s.") % {"n": MAX_COPIES},
                           fields={"copies": [_("Từ 1 đến %(n)s.") % {"n": MAX_COPIES}]})
    return copies


@transaction.atomic
def request_extract_copy_at_desk(*, entry, agency: Agency, applicant, actor, copies=1,
                                 at=None) -> CivilRequest:
    at = _now(at)
    _check_sees(actor, entry)
    copies = _copies(copies)
    dossier = onestop.receive_dossier(
        agency=agency, procedure=COPY_PROCEDURE, applicant=applicant, actor=actor, at=at,
        request=_("Cấp %(n)s bản sao trích lục — %(entry)s") % {"n": copies, "entry": entry})
    return CivilRequest.objects.create(
        dossier=dossier, unit=agency.unit, purpose=RequestPurpose.COPY,
        event_type=entry.event_type, target_entry=entry, data={"copies": copies},
        created_by=actor)


@transaction.atomic
def issue_extract_copy(*, entry, actor, applicant, agency: Agency | None = None, copies=1,
                       at=None) -> ExtractCopy:
    """A copy of the extract from the book, issued at once (dossier received and processed)."""
    at = _now(at)
    entry = _lock_entry(entry)
    check_officer(actor, entry.unit)
    copies = _copies(copies)
    agency = agency or _desk_for_entry(entry, actor, local_date(at))
    check_officer(actor, agency.unit)
    dossier = onestop.receive_dossier(
        agency=agency, procedure=COPY_PROCEDURE, applicant=applicant,
        actor=_as(actor, Role.DESK_OFFICER), at=at,
        request=_("Cấp %(n)s bản sao trích lục — %(entry)s") % {"n": copies, "entry": entry})
    copy = ExtractCopy.objects.create(entry=entry, dossier=dossier, copies=copies, issued_at=at,
                                      issued_by=actor)
    CivilRequest.objects.create(
        dossier=dossier, unit=agency.unit, purpose=RequestPurpose.COPY,
        event_type=entry.event_type, target_entry=entry, data={"copies": copies},
        status=RequestStatus.DONE, completed_at=at, created_by=actor)
    copy.dossier = _process_same_day(dossier, actor, at,
                                     _("Đã cấp %(n)s bản sao trích lục.") % {"n": copies})
    return copy


# -- history and search -------------------------------------------------------------------------


@transaction.atomic
def import_entries(*, unit, event_type: str, records: list[dict], actor=None) -> int:
    """Load entries of the books kept before this system (no dossier): ``records`` are facts
    with ``registered_at`` and ``kind``, in order of registration; numbers follow the book."""
    created = 0
    batch = []
    for record in records:
        at = record["registered_at"]
        check_registering_unit(unit, local_date(at))
        book, number = _allocate(unit, event_type, at)
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
    return created + len(batch)


@dataclasses.dataclass
class SearchResult:
    """The ids of the matching entries, newest first (at most ``selectors.MAX_RESULTS``):
    one query finds and orders them, pages are then loaded by primary key."""

    criteria: selectors.Criteria
    ids: list[int]
    count: int
    truncated: bool

    def load(self, ids) -> list[RegisterEntry]:
        return selectors.entries_by_ids(ids)

    @property
    def entries(self) -> list[RegisterEntry]:
        return self.load(self.ids)


def search_register(user, params, *, source: str = "page") -> SearchResult:
    """Search the registers the user may see, and write the audit row of the search (one
    INSERT, its own transaction).

    The matches are read unordered up to ``MAX_RESULTS`` + 1 and sorted newest first here:
    the database stops after that many rows instead of sorting every match of a common name.
    When there are more (``truncated``), the page asks to narrow the search, and the rows
    shown are the first found rather than the newest."""
    criteria = params if isinstance(params, selectors.Criteria) else selectors.parse_criteria(params)
    rows = list(selectors.search_entries(user, criteria).order_by()
                .values_list("pk", "registered_at")[: selectors.MAX_RESULTS + 1])
    truncated = len(rows) > selectors.MAX_RESULTS
    rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
    ids = [pk for pk, _at in rows[: selectors.MAX_RESULTS]]
    SearchAudit.objects.create(user=user if user.is_authenticated else None, at=timezone.now(),
                               params=criteria.as_params(), result_count=len(ids),
                               truncated=truncated, source=source)
    return SearchResult(criteria, ids, len(ids), truncated)
