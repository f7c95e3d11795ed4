"""Every change to a dossier, one function each, one transaction each.

Each action locks the dossier row (``select_for_update``), checks the transition table
and the actor, changes the dossier, writes a ``DossierEvent`` and schedules its side
effects so that nothing is sent for a change that did not happen: signals with
``transaction.on_commit``, notifications through ``notifications.schedule`` (a task row in the
same transaction with the database task backend, else on commit). A caller that read the dossier may pass
``expected_version``: if someone acted in between, the action fails with 409.

Choices where the rules are silent (see also ``timeliness``):
- An online submission gets its code on submission (the citizen needs it to follow the
  dossier); the processing clock starts when the desk accepts it.
- Only supplement requests pause the clock, as in the national scorecard; a request for
  financial obligations does not.
- The step budgets split the legal time by the internal process's shares; a step sent
  back is run again with its original budget.
"""

import datetime
import inspect
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import validate_email
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.models import Procedure
from cchc.catalog.selectors import version_for_intake
from cchc.core import statements
from cchc.core.permissions import has_role, visible_units
from cchc.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.org.models import Agency, AgencyKind, Role
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import (
    add_working_time,
    explain_due,
    working_days_to_timedelta,
    working_time_between,
)

from . import notifications, signals
from .bulk import reserve_keys
from .models import (
    Channel,
    DailySequence,
    Dossier,
    DossierEvent,
    DossierStep,
    Rating,
    ReceiptKey,
    Status,
)
from .selectors import actor_rights, process_template_steps
from .timeliness import Clock, classify, step_result
from .transitions import TRANSITIONS, Transition

RECEIVING_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)

# The default internal process: desk -> specialist -> leader -> desk, as shares of the time.
DEFAULT_PROCESS = [
    ("Tiếp nhận, chuyển hồ sơ", Role.DESK_OFFICER, Decimal("0.10")),
    ("Thẩm định, đề xuất", Role.SPECIALIST, Decimal("0.60")),
    ("Phê duyệt", Role.LEADER, Decimal("0.20")),
    ("Trả kết quả", Role.DESK_OFFICER, Decimal("0.10")),
]

ID_NUMBER = re.compile(r"^\d{12}$")
PHONE = re.compile(r"^\+?\d{9,12}$")


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @classmethod
    def from_dict(cls, data) -> "Applicant":
        if not isinstance(data, dict):
            raise InvalidInput(_("Thông tin người nộp không hợp lệ."), fields={"applicant": [
                _("Cần một đối tượng gồm name, id_number, phone, email, address.")]})
        clean = {k: str(data.get(k) or "").strip() for k in ("name", "id_number", "phone", "email", "address")}
        applicant = cls(**clean)
        applicant.validate()
        return applicant

    def validate(self):
        errors = {}
        if not self.name:
            errors["applicant.name"] = [_("Cần nhập họ và tên người nộp.")]
        elif len(self.name) > 200:
            errors["applicant.name"] = [_("Họ và tên quá dài (tối đa 200 ký tự).")]
        if self.id_number and not ID_NUMBER.match(self.id_number):
            errors["applicant.id_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
        phone = self.phone.replace(" ", "").replace(".", "")
        if self.phone and not PHONE.match(phone):
            errors["applicant.phone"] = [_("Số điện thoại không hợp lệ.")]
        if self.email:
            try:
                validate_email(self.email)
            except Exception:
                errors["applicant.email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
        if len(self.address) > 300:
            errors["applicant.address"] = [_("Địa chỉ quá dài (tối đa 300 ký tự).")]
        if errors:
            raise InvalidInput(_("Thông tin người nộp chưa đúng."), fields=errors)


# -- codes --------------------------------------------------------------------------------


def allocate_code(agency: Agency, day: datetime.date) -> str:
    """Next code of the agency's day: ``<agency code>-<YYMMDD>-<4-digit sequence>``.

    Must run inside the transaction that stores the dossier: the counter row stays locked
    until it commits, and a rollback gives the number back, so the sequence has no gaps.
    The increment and the read of the new number are one statement (``UPDATE ... RETURNING``,
    PostgreSQL and SQLite >= 3.35): one round trip per intake.
    """
    number = _increment_counter(agency.pk, day)
    if number is None:
        try:
            with transaction.atomic():
                DailySequence.objects.create(agency=agency, day=day, last=1)
            number = 1
        except IntegrityError:  # created by a concurrent intake in between
            number = _increment_counter(agency.pk, day)
    if number > 9999:
        raise InvalidInput(
            _("Nơi tiếp nhận %(agency)s đã dùng hết 9.999 số hồ sơ của ngày %(day)s.")
            % {"agency": agency.code, "day": day.strftime("%d/%m/%Y")},
            code="sequence_exhausted",
        )
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def _increment_counter(agency_id: int, day: datetime.date) -> int | None:
    """``last + 1`` of the agency's day counter, locking its row; None if it has no row."""
    meta = DailySequence._meta
    connection = connections[router.db_for_write(DailySequence)]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(meta.db_table)} SET {quote('last')} = {quote('last')} + 1 "
           f"WHERE {quote(meta.get_field('agency').column)} = %s AND {quote('day')} = %s "
           f"RETURNING {quote('last')}")
    day_value = meta.get_field("day").get_db_prep_value(day, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, day_value])
        row = cursor.fetchone()
    return None if row is None else row[0]


# -- intake -------------------------------------------------------------------------------


def _now(at):
    return at or timezone.now()


def _procedure_for(procedure, on: datetime.date):
    """(procedure, its version in force on ``on``, that version's filing methods by channel);
    ``procedure``: a ``Procedure`` or a code (local or base)."""
    code = procedure if isinstance(procedure, str) else procedure.code
    procedure, version, methods = version_for_intake(code, on)
    if version is None:
        raise InvalidInput(
            _("Thủ tục %(code)s không có hiệu lực vào ngày %(day)s.")
            % {"code": procedure.code, "day": on.strftime("%d/%m/%Y")},
            code="procedure_not_in_force",
        )
    return procedure, version, methods


def legal_days(version, channel: int, methods: dict | None = None) -> Decimal:
    """The processing time of ``channel``'s filing method, else the direct one's, else the
    first one's. ``methods``: the version's methods by channel, when already read."""
    methods = version.methods_by_channel() if methods is None else methods
    method = methods.get(Channel(channel).catalog_channel) or methods.get("direct")
    if method is None:
        if methods:
            method = next(iter(methods.values()))
        else:
            raise InvalidInput(
                _("Thủ tục %(code)s chưa được công bố thời hạn giải quyết.") % {"code": version.procedure.code},
                code="procedure_without_time",
            )
    return method.days


def _check_receiving_agency(agency: Agency):
    if agency.kind not in RECEIVING_KINDS or not agency.active:
        raise InvalidInput(
            _("%(agency)s không phải là nơi tiếp nhận hồ sơ.") % {"agency": agency.name},
            code="not_a_reception_desk",
        )


def _check_can_see(actor, dossier_unit_ids):
    if actor is None or actor.is_superuser:
        return
    if not visible_units(actor).filter(pk__in=dossier_unit_ids).exists():
        raise OutsideJurisdiction()


def _process_steps(procedure: Procedure):
    """The procedure's internal process (its ``ProcessTemplate``'s steps), or the default one
    when it has none or its template has no steps."""
    plan = [(s.name, s.role, s.share, s.agency) for s in process_template_steps(procedure.pk)]
    return plan or [(name, role, share, None) for name, role, share in DEFAULT_PROCESS]


def _step_agency(dossier: Dossier, role: str, agency: Agency | None) -> Agency:
    if agency is not None:
        return agency
    if role == Role.DESK_OFFICER:
        return dossier.receiving_agency
    return dossier.procedure_version.implementing_agency or dossier.receiving_agency


def _next_step(dossier: Dossier, position: int, at: datetime.datetime, actor=None,
               plan=None, pk=None) -> DossierStep:
    """Step ``position`` of the dossier's process, not yet stored, made the dossier's current
    step; ``pk``: a key reserved for it."""
    plan = plan or _process_steps(dossier.procedure)
    name, role, share, agency = plan[position - 1]
    total = working_time_between(dossier.received_at, dossier.due_at)
    budget = total * float(share)
    step = DossierStep(
        pk=pk, dossier=dossier, position=position, name=name,
        agency=_step_agency(dossier, role, agency), role=role,
        budget_seconds=int(budget.total_seconds()), started_at=at,
        due_at=add_working_time(at, budget), received_by=actor if position == 1 else None,
    )
    dossier.current_step = step
    dossier.current_agency = step.agency
    dossier.current_role = role
    return step


def _start_step(dossier: Dossier, position: int, at: datetime.datetime, actor=None,
                plan=None) -> DossierStep:
    return statements.insert(_next_step(dossier, position, at, actor, plan))


def _finish_step(dossier: Dossier, at, actor, note=""):
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return None
    step.finished_at = at
    step.handed_by = actor
    step.result = step_result(step.started_at, at, step.due_at)
    step.note = note
    step.save(update_fields=["finished_at", "handed_by", "result", "note"])
    return step


def _event(dossier, action, actor, before, at, note="", **data) -> DossierEvent:
    """The event of ``action`` on the dossier, not yet stored."""
    return DossierEvent(dossier=dossier, action=action, actor=actor, at=at, status_before=before,
                        status_after=dossier.status, note=note, data=data)


def _record(dossier, action, actor, before, at, note="", **data):
    return statements.insert(_event(dossier, action, actor, before, at, note, **data))


def _start_clock(dossier: Dossier, at: datetime.datetime, days: Decimal | None = None):
    """``days``: the legal time when just read from the dossier's version (intake)."""
    dossier.received_at = at
    dossier.legal_days = (legal_days(dossier.procedure_version, dossier.channel)
                          if days is None else days)
    explanation = explain_due(at, dossier.legal_days)
    dossier.due_at = explanation.due
    dossier.due_explanation = explanation.as_dict()


def _new_dossier(*, agency, procedure, channel, applicant, request, sets, at, status) -> Dossier:
    """``procedure``: a ``Procedure``, a code, or ``_procedure_for``'s answer."""
    _check_receiving_agency(agency)
    if channel not in Channel.values:
        raise InvalidInput(_("Kênh nộp không hợp lệ."), fields={"channel": [_("Chọn 1, 2 hoặc 3.")]})
    if not isinstance(applicant, Applicant):
        applicant = Applicant.from_dict(applicant)
    if not 1 <= int(sets) <= 20:
        raise InvalidInput(_("Số bộ hồ sơ phải từ 1 đến 20."), fields={"sets": [_("Từ 1 đến 20.")]})
    local_day = at.astimezone(VN_TZ).date()
    if not isinstance(procedure, tuple):
        procedure = _procedure_for(procedure, local_day)
    procedure, version, methods = procedure
    dossier = Dossier(
        code=allocate_code(agency, local_day), receiving_agency=agency, unit=agency.unit,
        procedure=procedure, procedure_version=version, channel=channel, status=status,
        applicant_name=applicant.name, applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone, applicant_email=applicant.email,
        applicant_address=applicant.address, request=request or version.name, sets=sets,
        submitted_at=at, legal_days=legal_days(version, channel, methods),
    )
    return dossier


@transaction.atomic
def receive_dossier(*, agency: Agency, procedure, applicant, actor, channel: int = Channel.DIRECT,
                    request: str = "", sets: int = 1, at=None,
                    idempotency_key: str | None = None) -> Dossier:
    """A desk officer receives a dossier in person or by post (status 2, clock starts).

    With ``idempotency_key`` (the API's ``Idempotency-Key`` header) a repeated call by the
    same actor returns the dossier of the first call (``dossier.replayed`` is True) instead of
    receiving it again; two concurrent calls with one key: the second fails on the key's
    unique constraint and rolls back entirely (its code number included)."""
    at = _now(at)
    if idempotency_key and actor is not None:
        earlier = (ReceiptKey.objects.filter(user=actor, key=idempotency_key)
                   .select_related("dossier").first())
        if earlier is not None:
            earlier.dossier.replayed = True
            return earlier.dossier
    # The procedure first: an unknown or abolished one is bad input whoever sends it.
    resolved = _procedure_for(procedure, at.astimezone(VN_TZ).date())
    rights = None
    if actor is not None and not actor.is_superuser:
        # The role and the jurisdiction in one read (``has_role`` and ``_check_can_see``
        # would take five); kept on the dossier for the response (its actions, the contact).
        rights = actor_rights(actor, agency.unit)
        if Role.DESK_OFFICER not in rights.roles:
            raise Forbidden(_("Chỉ cán bộ một cửa được tiếp nhận hồ sơ."))
        if not rights.sees_unit:
            raise OutsideJurisdiction()
    dossier = _new_dossier(agency=agency, procedure=resolved, channel=channel, applicant=applicant,
                           request=request, sets=sets, at=at, status=Status.RECEIVED)
    _start_clock(dossier, at, dossier.legal_days)
    # The dossier's and its first step's keys are reserved, so that the dossier is written
    # once, already pointing at its step (updating it afterwards wrote a second version of
    # the row, with an entry in each of its indexes), and the dossier, the step and the event
    # in one statement (bench/README.md, intake). The event takes its key from its sequence
    # in that statement: after the counter's update, so with the transaction's id (audit.py).
    dossier.pk, step_key = reserve_keys(Dossier, DossierStep)
    step = _next_step(dossier, 1, at, actor, pk=step_key)
    statements.insert_all(dossier, step, _event(dossier, "receive", actor, None, at,
                                                channel=channel))
    if idempotency_key and actor is not None:
        ReceiptKey.objects.create(user=actor, key=idempotency_key, dossier=dossier)
    notifications.schedule(dossier.pk, "received")
    dossier.actor_rights = rights
    return dossier


@transaction.atomic
def submit_online(*, agency: Agency, procedure, applicant, request: str = "", at=None) -> Dossier:
    """A citizen files online (status 1): the desk accepts or refuses it."""
    at = _now(at)
    dossier = _new_dossier(agency=agency, procedure=procedure, channel=Channel.ONLINE,
                           applicant=applicant, request=request, sets=1, at=at, status=Status.NEW)
    dossier.current_agency = agency
    dossier.current_role = Role.DESK_OFFICER
    dossier.save()
    _record(dossier, "submit", None, None, at, channel=Channel.ONLINE)
    return dossier


# -- actions ------------------------------------------------------------------------------


def _lock(dossier, action: str, actor, expected_version) -> tuple[Dossier, Transition]:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidInput(_("Thao tác không tồn tại: %(action)s.") % {"action": action},
                           code="unknown_action", fields={"action": [_("Thao tác không hợp lệ.")]})
    query = (Dossier.objects.select_for_update(of=("self",))
             .select_related("procedure", "procedure_version", "receiving_agency", "current_step"))
    if isinstance(dossier, Dossier):
        # The submission instant never changes: it names the dossier's partition on
        # PostgreSQL (docs/scaling.md 2), which a lookup by id alone cannot.
        query, dossier = query.filter(submitted_at=dossier.submitted_at), dossier.pk
    locked = query.get(pk=dossier)
    _check_actor(actor, locked, transition)
    if expected_version is not None and int(expected_version) != locked.version:
        raise Conflict(_("Hồ sơ %(code)s vừa được người khác xử lý; hãy tải lại trang.")
                       % {"code": locked.code}, code="stale_version")
    if locked.status not in transition.sources:
        raise InvalidTransition(
            _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": transition.label, "status": locked.get_status_display()},
            code="invalid_transition",
        )
    return locked, transition


def _check_actor(actor, dossier: Dossier, transition: Transition):
    if actor is None or actor.is_superuser:
        return
    units = [dossier.unit_id]
    if dossier.current_agency_id:
        units.append(Agency.objects.filter(pk=dossier.current_agency_id).values_list("unit_id", flat=True).get())
    _check_can_see(actor, units)
    if not has_role(actor, *transition.roles):
        raise Forbidden(_("Vai trò của bạn không được thực hiện “%(action)s”.") % {"action": transition.label})
    if transition.holder_only and dossier.current_role and not has_role(actor, dossier.current_role):
        raise InvalidTransition(
            _("Hồ sơ đang ở bước của %(role)s; bạn không thể “%(action)s”.")
            % {"role": Role(dossier.current_role).label, "action": transition.label},
            code="not_holder",
        )


def _save(dossier: Dossier, action, actor, before, at, note="", **data):
    dossier.version += 1
    dossier.save()
    return _record(dossier, action, actor, before, at, note, **data)


def _finish(dossier: Dossier, at):
    dossier.finished_at = at
    dossier.timeliness = classify(Clock.of(dossier))


def _text(value, field, *, required=True, limit=2000) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise InvalidInput(_("Cần nhập %(field)s.") % {"field": field}, fields={field: [_("Bắt buộc.")]})
    if len(value) > limit:
        raise InvalidInput(_("%(field)s quá dài.") % {"field": field}, fields={field: [_("Quá dài.")]})
    return value


@transaction.atomic
def accept_dossier(dossier, *, actor, at=None, expected_version=None) -> Dossier:
    at = _now(at)
    dossier, _t = _lock(dossier, "accept", actor, expected_version)
    before = dossier.status
    dossier.status = Status.RECEIVED
    _start_clock(dossier, at)
    dossier.save()
    _start_step(dossier, 1, at, actor)
    _save(dossier, "accept", actor, before, at)
    notifications.schedule(dossier.pk, "received")
    return dossier


@transaction.atomic
def refuse_dossier(dossier, *, actor, reason, at=None, expected_version=None) -> Dossier:
    """Form 03: the desk refuses to receive an online submission, with the reason."""
    at = _now(at)
    reason = _text(reason, "reason")
    dossier, _t = _lock(dossier, "refuse", actor, expected_version)
    before = dossier.status
    dossier.status = Status.NOT_RECEIVED
    dossier.finished_at = at
    dossier.current_agency = None
    dossier.current_role = ""
    _save(dossier, "refuse", actor, before, at, reason)
    notifications.schedule(dossier.pk, "refused")
    return dossier


@transaction.atomic
def transfer_dossier(dossier, *, actor, note="", at=None, expected_version=None) -> Dossier:
    """Hand the dossier on to the next step of the internal process."""
    at = _now(at)
    dossier, _t = _lock(dossier, "transfer", actor, expected_version)
    plan = _process_steps(dossier.procedure)
    position = dossier.current_step.position if dossier.current_step else 0
    if position + 1 >= len(plan):
        raise InvalidTransition(_("Đây là bước phê duyệt: hãy dùng “Phê duyệt, hoàn thành xử lý”."),
                                code="use_approve")
    before = dossier.status
    finished = _finish_step(dossier, at, actor, _text(note, "note", required=False))
    dossier.status = Status.PROCESSING
    step = _start_step(dossier, position + 1, at, plan=plan)
    _save(dossier, "transfer", actor, before, at, note, to_step=step.position,
          step_result=finished.result if finished else "")
    return dossier


@transaction.atomic
def send_back_dossier(dossier, *, actor, reason, at=None, expected_version=None) -> Dossier:
    at = _now(at)
    reason = _text(reason, "reason")
    dossier, _t = _lock(dossier, "send_back", actor, expected_version)
    position = dossier.current_step.position if dossier.current_step else 1
    if position <= 1:
        raise InvalidTransition(_("Hồ sơ đang ở bước đầu tiên, không có bước trước."), code="first_step")
    before = dossier.status
    _finish_step(dossier, at, actor, reason)
    _start_step(dossier, position - 1, at)
    _save(dossier, "send_back", actor, before, at, reason, to_step=position - 1)
    return dossier


def supplement_warning(dossier: Dossier) -> str:
    """Shown before a supplement request: a second one makes the dossier late (QĐ 766)."""
    if dossier.supplement_count >= 1:
        return _("Hồ sơ đã được yêu cầu bổ sung %(n)s lần. Theo cách tính của Bộ chỉ số phục vụ "
                 "(QĐ 766), yêu cầu bổ sung lần thứ hai trở đi làm hồ sơ bị tính là trễ hạn.") % {
            "n": dossier.supplement_count}
    return ""


@transaction.atomic
def request_supplement(dossier, *, actor, reason, documents=(), at=None, expected_version=None) -> Dossier:
    """Form 02: ask the citizen for missing documents. The clock pauses until they come."""
    at = _now(at)
    reason = _text(reason, "reason")
    documents = [_text(d, "documents", limit=300) for d in (documents or [])]
    dossier, _t = _lock(dossier, "request_supplement", actor, expected_version)
    before = dossier.status
    warning = supplement_warning(dossier)
    dossier.status = Status.SUPPLEMENT
    dossier.supplement_count += 1
    dossier.paused_since = at
    _save(dossier, "request_supplement", actor, before, at, reason, documents=documents,
          counts_late=bool(warning))
    notifications.schedule(dossier.pk, "supplement")
    return dossier


@transaction.atomic
def receive_supplement(dossier, *, actor, note="", at=None, expected_version=None) -> Dossier:
    at = _now(at)
    dossier, _t = _lock(dossier, "receive_supplement", actor, expected_version)
    if at < dossier.paused_since:
        raise InvalidInput(_("Thời điểm nhận bổ sung không được trước thời điểm yêu cầu bổ sung."),
                           code="before_request")
    before = dossier.status
    paused = working_time_between(dossier.paused_since, at)
    dossier.paused_seconds += int(paused.total_seconds())
    dossier.paused_since = None
    dossier.status = Status.PROCESSING
    _save(dossier, "receive_supplement", actor, before, at, _text(note, "note", required=False),
          paused_seconds=int(paused.total_seconds()))
    return dossier


@transaction.atomic
def request_financial(dossier, *, actor, amount=None, note="", at=None, expected_version=None) -> Dossier:
    at = _now(at)
    if amount is not None:
        try:
            amount = int(amount)
        except (TypeError, ValueError):
            amount = -1
        if amount < 0:
            raise InvalidInput(_("Số tiền phải là số nguyên không âm (đồng)."), fields={"amount": [_("Không hợp lệ.")]})
    dossier, _t = _lock(dossier, "request_financial", actor, expected_version)
    before = dossier.status
    dossier.status = Status.FINANCIAL
    _save(dossier, "request_financial", actor, before, at, _text(note, "note", required=False), amount=amount)
    return dossier


@transaction.atomic
def receive_financial(dossier, *, actor, note="", at=None, expected_version=None) -> Dossier:
    at = _now(at)
    dossier, _t = _lock(dossier, "receive_financial", actor, expected_version)
    before = dossier.status
    dossier.status = Status.PROCESSING
    _save(dossier, "receive_financial", actor, before, at, _text(note, "note", required=False))
    return dossier


@transaction.atomic
def approve_dossier(dossier, *, actor, result="", at=None, expected_version=None) -> Dossier:
    """The leader approves: processing is complete (status 9) and the result goes to the desk."""
    at = _now(at)
    dossier, _t = _lock(dossier, "approve", actor, expected_version)
    plan = _process_steps(dossier.procedure)
    position = dossier.current_step.position if dossier.current_step else 0
    if position != len(plan) - 1:
        raise InvalidTransition(_("Hồ sơ chưa đến bước phê duyệt."), code="not_at_approval")
    before = dossier.status
    _finish_step(dossier, at, actor)
    dossier.status = Status.PROCESSED
    dossier.result_note = _text(result, "result", required=False)
    _finish(dossier, at)
    _start_step(dossier, len(plan), at, plan=plan)
    _save(dossier, "approve", actor, before, at, dossier.result_note)
    notifications.schedule(dossier.pk, "result")
    transaction.on_commit(lambda: signals.dossier_processed.send(sender=Dossier, dossier_id=dossier.pk))
    return dossier


@transaction.atomic
def stop_processing(dossier, *, actor, reason, at=None, expected_version=None) -> Dossier:
    """Form 05: processing stops (e.g. the request falls outside the law)."""
    at = _now(at)
    reason = _text(reason, "reason")
    dossier, _t = _lock(dossier, "stop", actor, expected_version)
    before = dossier.status
    _finish_step(dossier, at, actor, reason)
    dossier.status = Status.STOPPED
    _finish(dossier, at)
    dossier.current_agency, dossier.current_role, dossier.current_step = None, "", None
    _save(dossier, "stop", actor, before, at, reason)
    return dossier


@transaction.atomic
def withdraw_dossier(dossier, *, actor, reason="", at=None, expected_version=None) -> Dossier:
    at = _now(at)
    dossier, _t = _lock(dossier, "withdraw", actor, expected_version)
    before = dossier.status
    _finish_step(dossier, at, actor, reason)
    dossier.status = Status.WITHDRAWN
    if dossier.received_at is None:
        dossier.finished_at = at
    else:
        _finish(dossier, at)
    dossier.current_agency, dossier.current_role, dossier.current_step = None, "", None
    _save(dossier, "withdraw", actor, before, at, _text(reason, "reason", required=False))
    return dossier


@transaction.atomic
def return_result(dossier, *, actor, note="", at=None, expected_version=None) -> Dossier:
    at = _now(at)
    dossier, _t = _lock(dossier, "return_result", actor, expected_version)
    before = dossier.status
    _finish_step(dossier, at, actor, note)
    dossier.status = Status.RETURNED
    dossier.returned_at = at
    dossier.current_agency, dossier.current_role, dossier.current_step = None, "", None
    _save(dossier, "return_result", actor, before, at, _text(note, "note", required=False))
    return dossier


def _parse_instant(value, field):
    if isinstance(value, datetime.datetime):
        instant = value
    else:
        try:
            instant = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(_("Thời điểm không hợp lệ (ISO 8601)."), fields={field: [_("Không hợp lệ.")]}) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=VN_TZ)
    return instant


@transaction.atomic
def issue_apology(dossier, *, actor, reason, new_due_at, at=None, expected_version=None) -> Dossier:
    """Form 04: apology with the reason and a new return date; once per dossier.

    The citizen is shown the new date; the scorecard still measures against the original
    due (RULES.md §2). The rule asks for it no later than one working day before the due:
    a later apology is still recorded, marked as late.
    """
    at = _now(at)
    reason = _text(reason, "reason")
    new_due_at = _parse_instant(new_due_at, "new_due_at")
    dossier, _t = _lock(dossier, "apologize", actor, expected_version)
    if dossier.apology_issued_at is not None:
        raise InvalidTransition(_("Hồ sơ đã có văn bản xin lỗi; ngày hẹn chỉ được điều chỉnh một lần."),
                                code="apology_already_issued")
    if new_due_at <= max(dossier.due_at, at):
        raise InvalidInput(_("Ngày hẹn mới phải sau ngày hẹn cũ và sau thời điểm hiện tại."),
                           fields={"new_due_at": [_("Phải sau ngày hẹn cũ.")]})
    timely = at <= add_working_time(dossier.due_at, -working_days_to_timedelta(1))
    dossier.apology_issued_at = at
    dossier.apology_reason = reason
    dossier.apology_new_due_at = new_due_at
    _save(dossier, "apologize", actor, dossier.status, at, reason,
          new_due_at=new_due_at.isoformat(), timely=timely)
    notifications.schedule(dossier.pk, "apology")
    return dossier


@transaction.atomic
def rate_dossier(dossier, *, level, comment="", at=None) -> Rating:
    """The citizen's satisfaction after the result was returned; once per dossier."""
    at = _now(at)
    if level not in Rating.Level.values:
        raise InvalidInput(_("Mức độ hài lòng không hợp lệ."), fields={"level": [
            _("Chọn một trong: %(values)s.") % {"values": ", ".join(Rating.Level.values)}]})
    comment = _text(comment, "comment", required=False, limit=2000)
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    locked = Dossier.objects.select_for_update().get(pk=pk)
    if locked.status != Status.RETURNED:
        raise InvalidTransition(_("Chỉ đánh giá được sau khi đã nhận kết quả."), code="not_returned")
    if Rating.objects.filter(dossier=locked).exists():
        raise InvalidTransition(_("Hồ sơ này đã được đánh giá."), code="already_rated")
    rating = Rating.objects.create(dossier=locked, level=level, comment=comment, at=at)
    _record(locked, "rate", None, locked.status, at, comment, level=level)
    return rating


ACTIONS = {
    "accept": accept_dossier,
    "refuse": refuse_dossier,
    "transfer": transfer_dossier,
    "send_back": send_back_dossier,
    "request_supplement": request_supplement,
    "receive_supplement": receive_supplement,
    "request_financial": request_financial,
    "receive_financial": receive_financial,
    "approve": approve_dossier,
    "stop": stop_processing,
    "withdraw": withdraw_dossier,
    "return_result": return_result,
    "apologize": issue_apology,
}


def perform(dossier, action: str, *, actor, **params) -> Dossier:
    """Dispatch an action by name (API, forms); unknown parameters are refused."""
    service = ACTIONS.get(action)
    if service is None:
        raise InvalidInput(_("Thao tác không tồn tại: %(action)s.") % {"action": action},
                           code="unknown_action", fields={"action": [_("Thao tác không hợp lệ.")]})
    accepted = set(inspect.signature(service).parameters) - {"dossier", "actor", "at"}
    unknown = set(params) - accepted
    if unknown:
        raise InvalidInput(_("Tham số không dùng cho thao tác này: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                           fields={name: [_("Không dùng cho thao tác này.")] for name in unknown})
    return service(dossier, actor=actor, **params)


def open_timeliness(dossier: Dossier, as_of=None) -> str:
    """Within / due soon / paused / overdue now (or at ``as_of``) for an open dossier."""
    if dossier.timeliness:
        return dossier.timeliness
    return classify(Clock.of(dossier), as_of or timezone.now())

