"""Reads of dossiers. Every list of dossiers goes through ``visible_dossiers``."""

import datetime
import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalog.models import ProcedureVersion
from cchc.core import statements
from cchc.core.permissions import memberships, visible_units
from cchc.core.privacy import CONTACT_ROLES
from cchc.errors import NotFound
from cchc.org.models import AdministrativeUnit, Agency, Membership, Role
from cchc.workcal.deadlines import add_working_time, working_days_to_timedelta

from . import partitions
from .models import (
    OPEN_STATUSES,
    Dossier,
    DossierStep,
    ProcessTemplate,
    ProcessTemplateStep,
    Rating,
    Status,
)


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers received in the user's units (and below), or held at some step by an agency
    of those units (inter-agency processing)."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    if user.is_superuser:
        return Dossier.objects.all()
    units = visible_units(user)
    held = DossierStep.objects.filter(dossier=OuterRef("pk"), agency__unit__in=units)
    return Dossier.objects.filter(Q(unit__in=units) | Exists(held))


def dossier_by_code(queryset: QuerySet[Dossier], code: str) -> Dossier | None:
    """The dossier of ``queryset`` with ``code``, or None.

    On PostgreSQL the dossiers may be partitioned by submission instant (docs/scaling.md 2.3),
    and a lookup by code alone plans every partition. A well-formed code names the day of
    the submission (``partitions.submission_day_bounds``), so the lookup first carries that
    day as literal bounds and is planned on one partition. Codes are unique: a dossier found
    so is the one; if none is (a code in another format, or written by hand), the lookup
    is made again without the bound, so the answer never depends on the hint."""
    def lookup(bounds):
        if bounds is None:
            return queryset.filter(code=code).first()
        return queryset.filter(code=code, submitted_at__gte=bounds[0],
                               submitted_at__lt=bounds[1]).first()

    return _within_the_code_day(code, connections[queryset.db], lookup)


def _within_the_code_day(code: str, connection, lookup):
    """``lookup(bounds)`` with the submission day ``code`` names (PostgreSQL, a well-formed
    code), then ``lookup(None)`` if that found nothing: the partition hint of
    ``dossier_by_code``."""
    bounds = (partitions.submission_day_bounds(code)
              if connection.vendor == "postgresql" else None)
    if bounds is not None:
        found = lookup(bounds)
        if found:
            return found
    return lookup(None)


def get_dossier(user, code: str) -> Dossier:
    """A dossier the user may see; another unit's dossier is simply not found."""
    dossier = dossier_by_code(visible_dossiers(user).select_related(
        "procedure", "procedure_version", "receiving_agency", "current_agency", "unit", "assignee"),
        code)
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code})
    return dossier


@dataclass(frozen=True)
class ActorRights:
    """What one read of a (non-superuser) user's memberships says about one unit: the
    user's roles (``core.permissions.roles_of``), whether the unit is among
    ``core.permissions.visible_units`` and, per unit of the user, the roles held there
    (``core.privacy.can_see_contact``). The intake checks and answers with it instead of
    reading the memberships five times."""

    roles: frozenset
    unit_id: int
    sees_unit: bool
    memberships: tuple  # (role, unit_id) pairs

    def handles(self, unit_id: int) -> bool:
        """``core.privacy.can_see_contact(user, unit_id)``."""
        return any(u == unit_id and role in CONTACT_ROLES for role, u in self.memberships)


def actor_rights(user, unit: AdministrativeUnit) -> ActorRights:
    """``ActorRights`` of ``user`` (authenticated, not a superuser) for ``unit``, in one query.

    ``unit`` is visible when one of the user's units, or a unit of the same level that one
    of them succeeded, is ``unit`` or above it in the same era: the rule of
    ``visible_units``, whose roots are the ancestors-or-self of ``unit`` (materialised
    paths: every prefix of its path that ends with "/"). Hand-written SQL: the intake runs
    it on every request, and compiling the same query with the ORM cost ten times more
    than running it (bench/README.md, "Intake through the API")."""
    parts = unit.path.split("/")[:-1]
    prefixes = ["/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    sql = _actor_rights_sql(len(prefixes))
    connection = connections[router.db_for_read(Membership)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.era, *prefixes, user.pk])
        rows = cursor.fetchall()
    return ActorRights(roles=frozenset(role for role, _u, _s in rows), unit_id=unit.pk,
                       sees_unit=any(sees for _r, _u, sees in rows),
                       memberships=tuple((role, u) for role, u, _s in rows))


@functools.cache
def _actor_rights_sql(prefixes: int) -> str:
    """Per membership of a user: its role, its unit, and whether that unit (or a unit of
    the same level it succeeded) is a root among the given era and ancestor paths."""
    units = AdministrativeUnit._meta.db_table
    memberships_table = Membership._meta.db_table
    through = AdministrativeUnit.successors.through._meta
    older = through.get_field("from_administrativeunit").column
    newer = through.get_field("to_administrativeunit").column
    member = Membership._meta
    paths = ", ".join(["%s"] * prefixes)
    return f"""
        SELECT m.{member.get_field("role").column}, m.{member.get_field("unit").column},
               EXISTS (
                   SELECT 1 FROM {units} r
                   WHERE r.era = %s AND r.path IN ({paths})
                     AND (r.id = m.{member.get_field("unit").column}
                          OR EXISTS (SELECT 1 FROM {through.db_table} s
                                     JOIN {units} n ON n.id = s.{newer}
                                     WHERE s.{older} = r.id
                                       AND s.{newer} = m.{member.get_field("unit").column}
                                       AND n.level = r.level))
               )
        FROM {memberships_table} m
        WHERE m.{member.get_field("user").column} = %s"""


QUEUES = ("mine", "due_soon", "overdue", "supplement", "all")


def work_queue(user, queue: str = "mine", *, now: datetime.datetime | None = None) -> QuerySet[Dossier]:
    """The dossiers a user works on, soonest due first.

    ``mine``: open dossiers held by one of the user's agencies at a step of one of their roles;
    ``due_soon``/``overdue``: those within one working day of their due / past it;
    ``supplement``: waiting for the citizen's documents; ``all``: everything open they may see.
    """
    now = now or timezone.now()
    if not user.is_authenticated:
        return Dossier.objects.none()
    # A processed dossier (9) still waits at the desk to be handed over.
    base = Dossier.objects.filter(status__in=(*OPEN_STATUSES, Status.PROCESSED))
    held = Q(pk__in=[])
    for membership in memberships(user):
        if membership.agency_id:
            held |= Q(current_agency_id=membership.agency_id, current_role=membership.role)
        else:
            held |= Q(current_agency__unit_id=membership.unit_id, current_role=membership.role)
    mine = base.filter(held) if not user.is_superuser else base
    if queue == "mine":
        queryset = mine.exclude(status=Status.SUPPLEMENT)
    elif queue == "due_soon":
        soon = add_working_time(now, working_days_to_timedelta(1))
        queryset = mine.filter(due_at__gt=now, due_at__lte=soon, paused_since__isnull=True).exclude(
            status=Status.PROCESSED)
    elif queue == "overdue":
        queryset = mine.filter(due_at__lt=now, paused_since__isnull=True).exclude(status=Status.PROCESSED)
    elif queue == "supplement":
        queryset = visible_dossiers(user).filter(status=Status.SUPPLEMENT)
    elif queue == "all":
        queryset = visible_dossiers(user).filter(status__in=(*OPEN_STATUSES, Status.PROCESSED))
    else:
        raise NotFound(_("Không có hàng đợi %(queue)s.") % {"queue": queue})
    return queryset.select_related("procedure_version", "current_agency").order_by("due_at", "pk")


@dataclass(frozen=True)
class PublicDossier:
    """What anyone holding the code may see: no ID number, phone or address; initials only."""

    code: str
    procedure: str
    status: int
    status_label: str
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    new_due_at: datetime.datetime | None
    result_ready: bool
    returned_at: datetime.datetime | None
    applicant_initials: str
    steps_done: list
    can_rate: bool


def initials(name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.'"""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


_PUBLIC_FIELDS = ("code", "status", "received_at", "due_at", "apology_new_due_at", "returned_at",
                  "applicant_name")
_PUBLIC_STEP_FIELDS = ("name", "finished_at")


def public_lookup(code: str) -> PublicDossier:
    code = (code or "").strip().upper()
    rows, using = _public_rows(code) if 0 < len(code) <= 25 else ([], None)
    if not rows:
        raise NotFound(_("Không tìm thấy hồ sơ có mã “%(code)s”. Vui lòng kiểm tra lại mã trên giấy "
                         "tiếp nhận.") % {"code": code})
    first = rows[0]
    dossier = statements.values(Dossier, _PUBLIC_FIELDS, first, 0, using)
    procedure_name, rated = first[len(_PUBLIC_FIELDS)], first[len(_PUBLIC_FIELDS) + 1]
    step_at = len(_PUBLIC_FIELDS) + 2
    steps = [statements.values(DossierStep, _PUBLIC_STEP_FIELDS, row, step_at + 1, using)
             for row in rows if row[step_at] is not None]
    status = Status(dossier["status"])
    return PublicDossier(
        code=dossier["code"], procedure=procedure_name, status=status,
        status_label=str(status.label), received_at=dossier["received_at"],
        due_at=dossier["due_at"], new_due_at=dossier["apology_new_due_at"],
        result_ready=status in (Status.PROCESSED, Status.RETURNED),
        returned_at=dossier["returned_at"], applicant_initials=initials(dossier["applicant_name"]),
        steps_done=steps,
        can_rate=status == Status.RETURNED and not rated,
    )


def _public_rows(code: str) -> tuple[list, str]:
    """The dossier ``code`` names, its procedure's name, whether it was rated and its finished
    steps in order, one row per step (at least one row), in a statement written once: the
    public lookup is the most frequent request and the ORM's compiling cost more than the
    query (bench/README.md, public lookup). The day the code names bounds the search first."""
    using = router.db_for_read(Dossier)
    connection = connections[using]
    submitted = Dossier._meta.get_field("submitted_at")

    def lookup(bounds):
        params = [code]
        if bounds is not None:
            params += [submitted.get_db_prep_value(b, connection) for b in bounds]
        with connection.cursor() as cursor:
            cursor.execute(_public_lookup_sql(bounded=bounds is not None), params)
            return cursor.fetchall()

    return _within_the_code_day(code, connection, lookup), using


@functools.cache
def _public_lookup_sql(bounded: bool) -> str:
    dossier, step = Dossier._meta, DossierStep._meta
    version, rating = ProcedureVersion._meta, Rating._meta
    where = "d.code = %s"
    if bounded:
        where += " AND d.submitted_at >= %s AND d.submitted_at < %s"
    return (
        f"SELECT {statements.select_list(Dossier, 'd', _PUBLIC_FIELDS)}, v.name, "
        f"r.id IS NOT NULL, s.id, "
        f"{statements.select_list(DossierStep, 's', _PUBLIC_STEP_FIELDS)} "
        f"FROM {dossier.db_table} d "
        f"JOIN {version.db_table} v ON v.id = d.procedure_version_id "
        # One rating per dossier (a unique key): a join, not EXISTS, which PostgreSQL may
        # plan as a hashed scan of every rating when it expects many steps.
        f"LEFT JOIN {rating.db_table} r ON r.dossier_id = d.id "
        f"LEFT JOIN {step.db_table} s ON s.dossier_id = d.id AND s.finished_at IS NOT NULL "
        f"WHERE {where} ORDER BY s.finished_at, s.id"
    )


def available_actions(user, dossier: Dossier, roles=None) -> list:
    """The transitions this user could try on this dossier now (pages and API show them).
    ``roles``: the user's roles (``roles_of``) when the caller has read them already."""
    from cchc.core.permissions import roles_of

    from .transitions import TRANSITIONS

    roles = set(roles_of(user) if roles is None else roles)
    result = []
    for transition in TRANSITIONS.values():
        if dossier.status not in transition.sources:
            continue
        if not (user.is_superuser or roles & set(transition.roles)):
            continue
        if transition.holder_only and dossier.current_role and not (
                user.is_superuser or dossier.current_role in roles):
            continue
        if transition.action == "apologize" and dossier.apology_issued_at:
            continue
        result.append(transition)
    return result


ROLE_QUEUE_TITLES = {
    Role.DESK_OFFICER: gettext_lazy("Hồ sơ tại bộ phận một cửa"),
    Role.SPECIALIST: gettext_lazy("Hồ sơ được giao xử lý"),
    Role.LEADER: gettext_lazy("Hồ sơ chờ phê duyệt"),
}


def process_template_steps(procedure_id: int) -> list[ProcessTemplateStep]:
    """The steps of the procedure's internal process in order, each with its agency (or
    None), in a statement written once: every intake reads them (cchc.core.statements)."""
    using = router.db_for_read(ProcessTemplateStep)
    with connections[using].cursor() as cursor:
        cursor.execute(_process_template_steps_sql(), [procedure_id])
        rows = cursor.fetchall()
    agency_at = len(ProcessTemplateStep._meta.concrete_fields)
    steps = []
    for row in rows:
        step = statements.instance(ProcessTemplateStep, row, 0, using)
        step.agency = statements.instance(Agency, row, agency_at, using)
        steps.append(step)
    return steps


@functools.cache
def _process_template_steps_sql() -> str:
    step = ProcessTemplateStep._meta
    template = ProcessTemplate._meta
    return (
        f"SELECT {statements.select_list(ProcessTemplateStep, 's')}, "
        f"{statements.select_list(Agency, 'a')} "
        f"FROM {step.db_table} s "
        f"JOIN {template.db_table} t ON t.id = s.{step.get_field('template').column} "
        f"LEFT JOIN {Agency._meta.db_table} a ON a.id = s.{step.get_field('agency').column} "
        f"WHERE t.{template.get_field('procedure').column} = %s ORDER BY s.position"
    )
