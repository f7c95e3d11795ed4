"""Registration at the desk and directly, and the completion of a processed dossier."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
)
from cchc.onestop import services as onestop
from cchc.onestop.models import Status
from cchc.onestop.partitions import dossier_events
from cchc.org.models import AdministrativeUnit, Agency, Role

from .. import rules
from ..models import (
    CivilRequest,
    ExtractCopy,
    MarginalNote,
    RegisterEntry,
    RequestPurpose,
    RequestStatus,
)
from ..selectors import local_date
from .books import _write_entry
from .common import (
    DEFAULT_PROCEDURES,
    B,
    D,
    M,
    _as,
    _json,
    _now,
    _procedure,
    _process_same_day,
    _request_text,
    check_officer,
    check_registering_unit,
    check_registry,
    default_applicant,
    desk_of,
    logger,
)
from .notes import _write_note, validate_note


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
    return (dossier_events(dossier).filter(action="approve").order_by("-at", "-pk")
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
