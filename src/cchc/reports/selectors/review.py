"""Procedure review (rà soát, đơn giản hóa thủ tục hành chính) from the real data: per
procedure, the yearly volume, how long dossiers actually took against their legal time, and
which dossier components triggered supplement requests; and the proposals made from it.

Choices where the rules are silent:
- Actual processing time and legal time are office time (``worktime``): the share "finished
  within half of the legal time" is of the dossiers resolved in the year with a known time.
- A supplement request names documents (``data["documents"]`` of the ``request_supplement``
  event). Each name is matched to the components of the version the dossier was received
  under by folded name (diacritics and case ignored): equal, else one contained in the other
  (names of at least 6 characters); unmatched names are listed as they were written.
- Estimated yearly saving of a proposal (it can be overwritten by the unit): the volume is
  the dossiers received in the 365 days before today across the province; cutting time saves
  volume x days cut citizen-days, dropping a component ``COMPONENT_DAYS`` citizen-day per
  dossier (the time to obtain and copy a document); the compliance cost is citizen-days x
  ``CCHC_CITIZEN_DAY_COST_VND`` (default ``DEFAULT_DAY_COST`` đồng, about one day of the
  2024 region-I minimum wage).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Value
from django.db.models.functions import ExtractYear
from django.utils import timezone

from cchc.catalog.models import DossierComponent, Procedure, ProcedureVersion
from cchc.catalog.selectors import version_in_force
from cchc.onestop.models import Dossier, DossierEvent, Timeliness
from cchc.textfold import fold
from cchc.workcal.calendar import VN_TZ

from ..models import ProposalStatus, SimplificationProposal
from .common import Filters, Period, scoped_dossiers
from .timeliness import ON_TIME_VALUES, _procedure_names
from .worktime import processing_times

COMPONENT_DAYS = Decimal("0.5")
DEFAULT_DAY_COST = 190_000
VOLUME_YEARS = 5


def day_cost() -> int:
    return int(getattr(settings, "CCHC_CITIZEN_DAY_COST_VND", DEFAULT_DAY_COST))


def legal_days_of(version: ProcedureVersion | None) -> Decimal | None:
    if version is None:
        return None
    methods = version.methods_by_channel()
    method = methods.get("direct") or next(iter(methods.values()), None)
    return method.days if method else None


def _received_in(queryset, period: Period):
    return queryset.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)


def _resolved_in(queryset, period: Period):
    return queryset.filter(received_at__isnull=False, finished_at__gte=period.start_at,
                           finished_at__lt=period.end_at)


def procedure_overview(filters: Filters, limit: int = 200) -> list[dict]:
    """Procedures with dossiers received in the period, most asked for first."""
    base = scoped_dossiers(filters)
    period = filters.period
    received = {r["procedure_id"]: r for r in _received_in(base, period).values("procedure_id").annotate(
        n=Count("pk"), supplemented=Count("pk", filter=Q(supplement_count__gt=0)),
        online=Count("pk", filter=Q(channel=2))).order_by("-n")[:limit]}
    resolved = {r["procedure_id"]: r for r in _resolved_in(base, period).filter(
        procedure_id__in=list(received)).values("procedure_id").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(timeliness=Timeliness.LATE))).order_by()}
    names = _procedure_names(list(received))
    rows = []
    for pid, r in received.items():
        done = resolved.get(pid, {"n": 0, "late": 0})
        rows.append({
            "procedure": names[pid][0], "procedure_name": names[pid][1], "received": r["n"],
            "online": r["online"], "supplemented": r["supplemented"], "resolved": done["n"],
            "late": done["late"],
            "late_rate": round(100 * done["late"] / done["n"], 1) if done["n"] else None,
        })
    rows.sort(key=lambda x: (-x["received"], x["procedure"]))
    return rows


def match_component(name: str, components: list[tuple[str, str]]) -> str | None:
    """The folded component name a requested document refers to (module docstring)."""
    folded = fold(name)
    if not folded:
        return None
    for component_folded, _display in components:
        if component_folded == folded:
            return component_folded
    if len(folded) >= 6:
        for component_folded, _display in components:
            if len(component_folded) >= 6 and (folded in component_folded or component_folded in folded):
                return component_folded
    return None


@dataclass
class ProcedureReview:
    procedure: Procedure
    name: str
    year: int
    legal_days: Decimal | None
    volumes: list[dict]
    resolved: int
    on_time: int
    late: int
    timing: dict
    components: list[dict]
    unmatched: list[dict]
    received: int
    proposals: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "procedure": self.procedure.code, "procedure_name": self.name, "year": self.year,
            "legal_days": float(self.legal_days) if self.legal_days is not None else None,
            "yearly_volume": self.volumes,
            "resolved": {"total": self.resolved, "on_time": self.on_time, "late": self.late},
            "processing_time": self.timing,
            "supplement_triggers": self.components,
            "unmatched_documents": self.unmatched,
            "proposals": [proposal_json(p) for p in self.proposals],
        }


def procedure_review(procedure: Procedure, year: int, filters: Filters) -> ProcedureReview:
    base = scoped_dossiers(filters).filter(procedure=procedure)
    period = Period.year(year)
    first = year - VOLUME_YEARS + 1
    volumes = {r["y"]: r["n"] for r in base.filter(
        received_at__gte=Period.year(first).start_at, received_at__lt=period.end_at)
        .annotate(y=ExtractYear("received_at", tzinfo=VN_TZ)).values("y").annotate(n=Count("pk")).order_by()}
    resolved_qs = _resolved_in(base, period)
    counts = resolved_qs.aggregate(n=Count("pk"), ok=Count("pk", filter=Q(timeliness__in=ON_TIME_VALUES)),
                                   late=Count("pk", filter=Q(timeliness=Timeliness.LATE)))
    stats = processing_times(resolved_qs, Value(1), (period.start, period.end)).get(1)
    timed = stats["count"] if stats else 0

    def share(n):
        return round(100 * n / timed, 1) if timed else None

    if stats:
        buckets = [stats["within_quarter"], stats["within_half"] - stats["within_quarter"],
                   stats["within_three_quarters"] - stats["within_half"],
                   stats["within_legal"] - stats["within_three_quarters"], timed - stats["within_legal"]]
    else:
        buckets = [0] * 5
    labels = ["≤ 25%", "25–50%", "50–75%", "75–100%", "> 100%"]
    timing = {
        "count": timed,
        "average_days": round(stats["average_days"], 2) if stats else None,
        "average_legal_days": round(stats["average_legal_days"], 2) if stats else None,
        "within_half": stats["within_half"] if stats else 0,
        "within_half_rate": share(stats["within_half"]) if stats else None,
        "distribution": [{"share_of_legal_time": label, "count": n, "rate": share(n)}
                         for label, n in zip(labels, buckets, strict=True)],
    }
    received_qs = _received_in(base, period)
    received = received_qs.count()
    components, unmatched = supplement_triggers(procedure, base, period, received)
    version = version_in_force(procedure) or procedure.versions.order_by("-number").first()
    # Only the proposals of the units the user may see (another unit's are not shown).
    shown = list(proposals(user=filters.user, procedure=procedure))
    return ProcedureReview(
        procedure=procedure, name=version.name if version else procedure.code, year=year,
        legal_days=legal_days_of(version),
        volumes=[{"year": y, "received": volumes.get(y, 0)} for y in range(first, year + 1)],
        resolved=counts["n"], on_time=counts["ok"], late=counts["late"], timing=timing,
        components=components, unmatched=unmatched, received=received, proposals=shown,
    )


def supplement_triggers(procedure: Procedure, base, period: Period, received: int):
    """How often each component was asked for again, from the supplement requests of the year."""
    versions = list(procedure.versions.values_list("pk", flat=True))
    by_version: dict = defaultdict(list)
    display: dict = {}
    for version_id, name in (DossierComponent.objects.filter(version_id__in=versions)
                                     .order_by("version__number", "position")
                                     .values_list("version_id", "name")):
        folded = fold(name)
        by_version[version_id].append((folded, name))
        display[folded] = name  # the latest version's wording wins
    requests = (DossierEvent.objects.filter(dossier__in=base.values("pk"), action="request_supplement",
                                            at__gte=period.start_at, at__lt=period.end_at)
                .values_list("dossier_id", "dossier__procedure_version_id", "data"))
    asked: dict = defaultdict(int)
    dossiers: dict = defaultdict(set)
    stray: dict = defaultdict(int)
    for dossier_id, version_id, data in requests.iterator(5000):
        documents = data.get("documents") if isinstance(data, dict) else None
        for document in documents or []:
            key = match_component(str(document), by_version.get(version_id, []))
            if key is None:
                stray[" ".join(str(document).split())] += 1
            else:
                asked[key] += 1
                dossiers[key].add(dossier_id)
    order = {folded: i for i, folded in enumerate(display)}
    components = [{
        "component": display[key], "requests": asked.get(key, 0), "dossiers": len(dossiers.get(key, ())),
        "rate": round(100 * len(dossiers.get(key, ())) / received, 1) if received else None,
    } for key in display]
    components.sort(key=lambda c: (-c["requests"], order[fold(c["component"])]))
    unmatched = [{"document": name, "requests": n} for name, n in sorted(stray.items(), key=lambda x: -x[1])]
    return components, unmatched


def yearly_volume(procedure: Procedure, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    start = datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time(0), tzinfo=VN_TZ)
    end = datetime.datetime.combine(today, datetime.time(0), tzinfo=VN_TZ)
    return Dossier.objects.filter(procedure=procedure, received_at__gte=start, received_at__lt=end).count()


def estimate_saving(*, kind: str, volume: int, current_days: Decimal | None = None,
                    proposed_days: Decimal | None = None) -> tuple[Decimal, int]:
    """(citizen-days, compliance cost in đồng) saved per year (module docstring)."""
    if kind == "cut_time":
        per_dossier = max(Decimal(0), Decimal(current_days or 0) - Decimal(proposed_days or 0))
    else:
        per_dossier = COMPONENT_DAYS
    days = (per_dossier * volume).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return days, int((days * day_cost()).to_integral_value(rounding=ROUND_HALF_UP))


def proposals(*, user=None, status: str | None = None, procedure: Procedure | None = None):
    """Proposals of the units the user may see (all from the command line)."""
    from cchc.core.permissions import scope

    queryset = SimplificationProposal.objects.select_related("procedure", "unit", "version", "component")
    if user is not None:
        queryset = scope(queryset, user)
    if status:
        queryset = queryset.filter(status=status)
    if procedure is not None:
        queryset = queryset.filter(procedure=procedure)
    return queryset.order_by("-created_at", "-pk")


def approved_for_announcement(user=None):
    """The approved proposals, by procedure: the input of the next announcement decision."""
    return proposals(user=user, status=ProposalStatus.APPROVED).order_by("procedure__code", "decided_at")


def proposal_json(p: SimplificationProposal) -> dict:
    return {
        "id": p.pk, "procedure": p.procedure.code, "unit": f"{p.unit.era}:{p.unit.code}",
        "unit_name": p.unit.name, "kind": p.kind, "kind_label": str(p.get_kind_display()),
        "current_days": float(p.current_days) if p.current_days is not None else None,
        "proposed_days": float(p.proposed_days) if p.proposed_days is not None else None,
        "component": p.component_name, "justification": p.justification,
        "yearly_volume": p.yearly_volume, "citizen_days_saved": float(p.citizen_days_saved),
        "cost_saved": p.cost_saved, "status": p.status, "status_label": str(p.get_status_display()),
        "created_at": p.created_at.isoformat(),
        "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
        "decided_at": p.decided_at.isoformat() if p.decided_at else None,
        "decision_note": p.decision_note,
    }
