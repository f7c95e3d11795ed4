"""Marginal notes (thay đổi, cải chính, bổ sung, ly hôn) and copies of extracts (2.000635)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.catalog.selectors import get_procedure
from cchc.core.services import append_audit
from cchc.errors import (
    InvalidInput,
    InvalidTransition,
)
from cchc.onestop import services as onestop
from cchc.org.models import Agency, Role
from cchc.textfold import fold

from .. import rules, selectors
from ..models import (
    MARRIAGE_ENDING_NOTES,
    NOTE_KINDS_WITH_DOSSIER,
    CivilRequest,
    ExtractCopy,
    MarginalNote,
    NoteKind,
    RegisterEntry,
    RequestPurpose,
    RequestStatus,
)
from ..selectors import local_date
from .common import (
    COPY_PROCEDURE,
    MAX_COPIES,
    NOTE_PROCEDURES,
    M,
    _as,
    _check_sees,
    _desk_for_entry,
    _json,
    _lock_entry,
    _now,
    _process_same_day,
    check_officer,
)


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
    note = MarginalNote.objects.create(
        entry=entry, kind=kind, text=text, changes=changes, basis=basis, dossier=dossier,
        registered_at=at, registered_by=actor, name_folded=fold(name or ""),
        birth_date=rules.parse_date(new("birth_date", "partner_birth_date")),
        id_number=new("id_number", "partner_id_number") or "")
    # Which facts were corrected, not their values (the book holds them).
    append_audit("civil.note_recorded", actor=actor, obj=note, data={
        "entry_id": entry.pk, "book_id": entry.book_id, "number": entry.number,
        "kind": kind, "fields": sorted(changes or {}), "dossier_id": note.dossier_id})
    return note




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
