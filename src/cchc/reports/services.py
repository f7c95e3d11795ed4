"""Writes of the reports app, one transaction each: simplification proposals (draft ->
submitted -> approved or rejected, every step a ``ProposalEvent``) and the scorecard's
points and thresholds.

Who may do what (choices where the rules are silent): leaders and specialists of a unit, and
the Home Affairs administrators, draft and submit proposals for the units they belong to;
only a Home Affairs administrator (or a system administrator) whose units include the
proposing unit approves or rejects, and not a proposal they submitted themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.models import DossierComponent, Procedure
from cchc.catalog.selectors import version_in_force
from cchc.core.permissions import has_role, visible_units
from cchc.errors import Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.onestop.models import Dossier
from cchc.org.models import AdministrativeUnit, Role
from cchc.workcal.calendar import VN_TZ

from .models import (
    IndicatorSetting,
    ProposalEvent,
    ProposalKind,
    ProposalStatus,
    SimplificationProposal,
    TimelinessDay,
    TimelinessRollup,
)
from .selectors.common import Period, report_queries
from .selectors.review import estimate_saving, legal_days_of, yearly_volume
from .selectors.scorecard import INDICATOR_CODES
from .selectors.timeliness import DAY_NUMBERS, ROLLUP_FIRST_DAY, daily_numbers
from .selectors.worktime import LocalDayNumber, day_of

PROPOSER_ROLES = (Role.LEADER, Role.SPECIALIST, Role.HOME_AFFAIRS_ADMIN)
APPROVER_ROLES = (Role.HOME_AFFAIRS_ADMIN,)


def _check_unit(actor, unit: AdministrativeUnit):
    if actor is None or actor.is_superuser:
        return
    if not visible_units(actor).filter(pk=unit.pk).exists():
        raise OutsideJurisdiction()


def _decimal(value, field, *, required=False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("Cần nhập %(field)s.") % {"field": field}, fields={field: [_("Bắt buộc.")]})
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(_("%(field)s phải là một số.") % {"field": field},
                           fields={field: [_("Không phải là số.")]}) from None
    if not number.is_finite() or number < 0:
        raise InvalidInput(_("%(field)s không được âm.") % {"field": field},
                           fields={field: [_("Phải là số không âm.")]})
    return number


def _record(proposal, action, actor, before, at, note=""):
    return ProposalEvent.objects.create(proposal=proposal, action=action, actor=actor, at=at,
                                        status_before=before, status_after=proposal.status, note=note)


@transaction.atomic
def create_proposal(*, actor, procedure: Procedure, unit: AdministrativeUnit, kind: str,
                    justification: str, proposed_days=None, component: DossierComponent | None = None,
                    citizen_days_saved=None, cost_saved=None, at=None) -> SimplificationProposal:
    """A draft proposal. The saving, if not given, is estimated from the data (``review``)."""
    at = at or timezone.now()
    if actor is not None and not actor.is_superuser and not has_role(actor, *PROPOSER_ROLES):
        raise Forbidden(_("Chỉ lãnh đạo, chuyên viên hoặc cơ quan nội vụ được đề xuất đơn giản hóa thủ tục."))
    _check_unit(actor, unit)
    errors = {}
    if kind not in ProposalKind.values:
        errors["kind"] = [_("Chọn một trong: %(v)s.") % {"v": ", ".join(ProposalKind.values)}]
    justification = " ".join(str(justification or "").split())
    if not justification:
        errors["justification"] = [_("Cần nêu lý do, căn cứ của đề xuất.")]
    elif len(justification) > 5000:
        errors["justification"] = [_("Quá dài (tối đa 5.000 ký tự).")]
    if errors:
        raise InvalidInput(_("Đề xuất chưa đúng."), fields=errors)
    version = version_in_force(procedure) or procedure.versions.order_by("-number").first()
    if version is None:
        raise InvalidInput(_("Thủ tục %(code)s chưa có phiên bản nào.") % {"code": procedure.code},
                           fields={"procedure": [_("Không có phiên bản.")]})
    current = legal_days_of(version)
    proposed = _decimal(proposed_days, "proposed_days", required=kind == ProposalKind.CUT_TIME)
    if kind == ProposalKind.CUT_TIME:
        if proposed * 2 != (proposed * 2).to_integral_value():
            raise InvalidInput(_("Thời hạn tính theo ngày làm việc, bội số của 0,5."),
                               fields={"proposed_days": [_("Bội số của 0,5.")]})
        if current is not None and proposed >= current:
            raise InvalidInput(_("Thời hạn đề xuất phải ngắn hơn thời hạn hiện hành (%(d)s ngày).")
                               % {"d": current}, fields={"proposed_days": [_("Không ngắn hơn hiện hành.")]})
        component = None
    else:
        proposed = None
        if component is None or component.version.procedure_id != procedure.pk:
            raise InvalidInput(_("Chọn thành phần hồ sơ của thủ tục này."),
                               fields={"component": [_("Không thuộc thủ tục.")]})
    volume = yearly_volume(procedure, timezone.localdate(at))
    estimated_days, estimated_cost = estimate_saving(kind=kind, volume=volume, current_days=current,
                                                     proposed_days=proposed)
    days = _decimal(citizen_days_saved, "citizen_days_saved")
    cost = _decimal(cost_saved, "cost_saved")
    proposal = SimplificationProposal.objects.create(
        procedure=procedure, version=version, unit=unit, kind=kind, current_days=current,
        proposed_days=proposed, component=component, component_name=component.name if component else "",
        justification=justification, yearly_volume=volume,
        citizen_days_saved=estimated_days if days is None else days.quantize(Decimal("0.1")),
        cost_saved=estimated_cost if cost is None else int(cost),
        status=ProposalStatus.DRAFT, created_by=actor, created_at=at,
    )
    _record(proposal, "create", actor, "", at)
    return proposal


def _lock(proposal) -> SimplificationProposal:
    pk = proposal.pk if isinstance(proposal, SimplificationProposal) else proposal
    return SimplificationProposal.objects.select_for_update().select_related("unit").get(pk=pk)


@transaction.atomic
def submit_proposal(proposal, *, actor, note="", at=None) -> SimplificationProposal:
    at = at or timezone.now()
    proposal = _lock(proposal)
    if actor is not None and not actor.is_superuser and not has_role(actor, *PROPOSER_ROLES):
        raise Forbidden(_("Bạn không được trình đề xuất."))
    _check_unit(actor, proposal.unit)
    if proposal.status != ProposalStatus.DRAFT:
        raise InvalidTransition(_("Chỉ trình được đề xuất đang ở trạng thái dự thảo."), code="not_draft")
    before = proposal.status
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = at
    proposal.save(update_fields=["status", "submitted_at"])
    _record(proposal, "submit", actor, before, at, str(note or "").strip())
    return proposal


def _decide(proposal, *, actor, status, action, note, at) -> SimplificationProposal:
    at = at or timezone.now()
    proposal = _lock(proposal)
    if actor is not None and not actor.is_superuser:
        if not has_role(actor, *APPROVER_ROLES):
            raise Forbidden(_("Chỉ cơ quan nội vụ được phê duyệt đề xuất đơn giản hóa thủ tục."))
        _check_unit(actor, proposal.unit)
        submitted_by = proposal.events.filter(action="submit").values_list("actor_id", flat=True).last()
        if submitted_by == actor.pk:
            raise Forbidden(_("Người trình đề xuất không tự phê duyệt đề xuất của mình."))
    if proposal.status != ProposalStatus.SUBMITTED:
        raise InvalidTransition(_("Chỉ phê duyệt hoặc từ chối được đề xuất đã trình."), code="not_submitted")
    note = str(note or "").strip()
    if status == ProposalStatus.REJECTED and not note:
        raise InvalidInput(_("Cần nêu lý do không phê duyệt."), fields={"note": [_("Bắt buộc.")]})
    before = proposal.status
    proposal.status = status
    proposal.decided_at = at
    proposal.decided_by = actor
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _record(proposal, action, actor, before, at, note)
    return proposal


@transaction.atomic
def approve_proposal(proposal, *, actor, note="", at=None) -> SimplificationProposal:
    return _decide(proposal, actor=actor, status=ProposalStatus.APPROVED, action="approve", note=note, at=at)


@transaction.atomic
def reject_proposal(proposal, *, actor, note="", at=None) -> SimplificationProposal:
    return _decide(proposal, actor=actor, status=ProposalStatus.REJECTED, action="reject", note=note, at=at)


@transaction.atomic
def configure_indicator(*, actor, code: str, max_points, threshold) -> IndicatorSetting:
    """Change an indicator's points and threshold (system or Home Affairs administrators)."""
    if actor is not None and not actor.is_superuser and not has_role(actor, Role.HOME_AFFAIRS_ADMIN,
                                                                      Role.SYSTEM_ADMIN):
        raise Forbidden()
    if code not in INDICATOR_CODES:
        raise InvalidInput(_("Không có chỉ số %(code)s.") % {"code": code}, fields={"code": [_("Không có.")]})
    points = _decimal(max_points, "max_points", required=True)
    limit = _decimal(threshold, "threshold", required=True)
    if not 0 < limit <= 100:
        raise InvalidInput(_("Ngưỡng phải trong khoảng (0; 100]."), fields={"threshold": [_("Ngoài khoảng.")]})
    setting, _created = IndicatorSetting.objects.update_or_create(
        code=code, defaults={"max_points": points, "threshold": limit, "updated_by": actor})
    return setting


# -- the rollup of the timeliness report's closed days ---------------------------------------

ROLLUP_LOCK = 8_766_001  # PostgreSQL advisory lock: one rollup at a time


@dataclass
class RollupResult:
    through_day: datetime.date
    dossier_mark: int
    days: int  # days (re)computed
    rows: int  # TimelinessDay rows written


def _dossier_mark() -> int:
    """The highest dossier id, once every write in flight on the dossiers has committed: a
    transaction that took a lower id (or stamped a finish before midnight) and commits later
    would otherwise be below the mark and counted nowhere. On PostgreSQL a SHARE lock waits
    for them (new writes wait the few milliseconds it is held)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Dossier._meta.db_table} IN SHARE MODE")
        return Dossier.objects.aggregate(m=Max("id"))["m"] or 0


def _day_ranges(days) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as the fewest ranges of consecutive days."""
    ranges: list[list[datetime.date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + datetime.timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def _touched_days(low: int, high: int, through: datetime.date) -> set[datetime.date]:
    """Closed days (up to ``through``) on which a dossier with ``low < id <= high`` was received
    or finished."""
    rows = Dossier.objects.filter(id__gt=low, id__lte=high, received_at__isnull=False)
    days = set()
    for column in ("received_at", "finished_at"):
        numbers = (rows.filter(**{f"{column}__isnull": False}).annotate(d=LocalDayNumber(column))
                   .order_by().values_list("d", flat=True).distinct())
        days.update(day for day in map(day_of, numbers) if ROLLUP_FIRST_DAY <= day <= through)
    return days


def rollup_timeliness(*, today: datetime.date | None = None, rebuild: bool = False,
                      progress=None) -> RollupResult:
    """Bring ``TimelinessDay`` up to the day before ``today`` (local, default: now): the days
    after the last rollup, and the earlier days that dossiers created since its mark fall on
    (an import with old dates), counted over the dossiers up to the new mark. ``rebuild``:
    every day from scratch. Idempotent: a second run finds nothing to do. One transaction for
    the counts and the rows (after the short one that takes the mark); ``progress`` is called
    with each range of days done."""
    today = today or timezone.localdate(timezone=VN_TZ)
    through = today - datetime.timedelta(days=1)
    mark = _dossier_mark()
    with report_queries():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        state = TimelinessRollup.objects.select_for_update().filter(pk=1).first()
        if state is None or rebuild or state.through_day > through or state.dossier_mark > mark:
            TimelinessDay.objects.all().delete()
            first = (Dossier.objects.filter(received_at__isnull=False).order_by("received_at")
                     .values_list("received_at", flat=True).first())
            start = max(ROLLUP_FIRST_DAY, first.astimezone(VN_TZ).date()) if first else through
            ranges = [(start, through)] if start <= through else []
        else:
            days = _touched_days(state.dossier_mark, mark, state.through_day)
            ranges = _day_ranges(days)
            if state.through_day < through:
                ranges.append((state.through_day + datetime.timedelta(days=1), through))
        computed = written = 0
        for first, last in _split_by_year(ranges):
            span = Period(first, last)
            numbers = daily_numbers(Dossier.objects.filter(id__lte=mark), span)
            TimelinessDay.objects.filter(day__gte=first, day__lte=last).delete()
            rows = [TimelinessDay(unit_id=unit_id, day=day_of(number), **dict(zip(DAY_NUMBERS, values, strict=True)))
                    for (unit_id, number), values in numbers.items() if any(values)]
            TimelinessDay.objects.bulk_create(rows, batch_size=5000)
            computed += (last - first).days + 1
            written += len(rows)
            if progress:
                progress(first, last, len(rows))
        TimelinessRollup.objects.update_or_create(
            pk=1, defaults={"through_day": through, "dossier_mark": mark, "updated_at": timezone.now()})
    return RollupResult(through_day=through, dossier_mark=mark, days=computed, rows=written)


def _split_by_year(ranges):
    """Ranges cut at year ends, so that a rebuild counts a year of rows per step."""
    for first, last in ranges:
        while first.year < last.year:
            year_end = datetime.date(first.year, 12, 31)
            yield first, year_end
            first = year_end + datetime.timedelta(days=1)
        yield first, last
