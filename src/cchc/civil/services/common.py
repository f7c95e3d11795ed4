"""Shared by the civil-status services: the procedures, who may act where, the registry
checks, the one-stop steps of a same-day dossier."""

from __future__ import annotations

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.selectors import get_procedure
from cchc.core.permissions import has_role, visible_units
from cchc.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    OutsideJurisdiction,
)
from cchc.onestop import services as onestop
from cchc.org.models import AdministrativeUnit, Agency, AgencyKind, Era, Level, Role

from .. import rules, selectors
from ..models import (
    EntryKind,
    EventType,
    RegisterEntry,
)
from ..selectors import CIVIL_ROLES, Identity, local_date

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


def _lock_entry(entry) -> RegisterEntry:
    pk = entry.pk if isinstance(entry, RegisterEntry) else entry
    return (RegisterEntry.objects.select_for_update(of=("self",))
            .select_related("book", "unit").get(pk=pk))


def _check_sees(actor, entry: RegisterEntry):
    if actor is not None and not actor.is_superuser and not visible_units(actor).filter(
            pk=entry.unit_id).exists():
        raise OutsideJurisdiction(_("Không tìm thấy mục đăng ký hộ tịch."))
