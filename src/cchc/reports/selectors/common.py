"""What every report shares: the period, the filters given by people (checked, with errors
naming the fields), the dossiers a report may read (scoped through ``core.permissions``) and
the mapping of receiving units to the rows of a report across the 1/7/2025 reorganisation.

Unit modes:
- ``as_was``: a dossier counts for the unit it was received in (an old district's desk
  until 30/6/2025, a new commune's centre after);
- ``successors``: old units are shown as the post-2025 unit that took over from them. An old
  unit may have several successors (a commune split between two new communes, a district
  spread over many): it goes to the successor that received the largest share of its
  communes, where an old commune split between k new communes gives 1/k to each; ties go to
  the lowest code. A unit without successor links of its own (the package links communes
  and provinces, not districts) is mapped through its communes, and failing that through
  its parent. Deterministic, and for the usual 1:1 or n:1 merges it is simply "the successor".
Rollup ``level``: each row is the unit's ancestor at that level (a unit above it keeps its
own row: a province's service centre stays a province row when rolling up to districts).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.core.permissions import has_role, visible_units
from cchc.errors import Forbidden, InvalidInput, NotFound
from cchc.onestop.models import Dossier
from cchc.org.models import AdministrativeUnit, Era, Level, Role
from cchc.org.selectors import province_roots, unit_by_key, units_under
from cchc.workcal.calendar import VN_TZ

MODES = ("as_was", "successors")
GROUPS = ("unit", "field", "procedure")
LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
MAX_PERIOD_DAYS = 3 * 366 + 1
REPORT_ROLES = (Role.HOME_AFFAIRS_ADMIN, Role.INSPECTOR, Role.LEADER, Role.SYSTEM_ADMIN)


@dataclass(frozen=True)
class Period:
    """[start, end] in local dates; as instants [start_at, end_at) (end_at: midnight after end)."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(0), tzinfo=VN_TZ)

    @property
    def end_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0),
                                         tzinfo=VN_TZ)

    def months(self) -> list[tuple[int, int]]:
        months, (year, month) = [], (self.start.year, self.start.month)
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = datetime.date(year, month, 1)
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, nxt - datetime.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def parse_date(value, field_name: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(_("Thiếu ngày “%(field)s”.") % {"field": field_name},
                           fields={field_name: [_("Bắt buộc, dạng YYYY-MM-DD.")]})
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        try:
            day = datetime.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise InvalidInput(
                _("Ngày “%(value)s” không hợp lệ (dùng dạng YYYY-MM-DD, ví dụ 2026-01-31).")
                % {"value": text[:40]},
                fields={field_name: [_("Không đúng dạng YYYY-MM-DD.")]}) from None
    if not 2000 <= day.year <= 2100:
        raise InvalidInput(_("Ngày nằm ngoài phạm vi 2000–2100."),
                           fields={field_name: [_("Ngoài phạm vi 2000–2100.")]})
    return day


def parse_period(start, end) -> Period:
    errors, days = {}, {}
    for name, value in (("from", start), ("to", end)):
        try:
            days[name] = parse_date(value, name)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput(_("Kỳ báo cáo không hợp lệ."), fields=errors)
    if days["to"] < days["from"]:
        raise InvalidInput(_("Ngày cuối kỳ phải sau hoặc bằng ngày đầu kỳ."),
                           fields={"to": [_("Trước ngày đầu kỳ.")]})
    if (days["to"] - days["from"]).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(_("Kỳ báo cáo dài tối đa 3 năm."), fields={"to": [_("Kỳ quá dài.")]})
    return Period(days["from"], days["to"])


def parse_month(value, field_name: str = "month") -> Period:
    text = str(value or "").strip()
    try:
        year, month = (int(part) for part in text.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(text)
    except ValueError:
        raise InvalidInput(_("Tháng “%(value)s” không hợp lệ (dùng dạng YYYY-MM, ví dụ 2026-04).")
                           % {"value": text[:20]},
                           fields={field_name: [_("Không đúng dạng YYYY-MM.")]}) from None
    return Period.month(year, month)


def parse_choice(value, choices, field_name: str, default=None):
    """One of ``choices``; empty gives ``default``."""
    if value in (None, ""):
        return default
    if value not in choices:
        raise InvalidInput(
            _("Giá trị “%(value)s” không hợp lệ cho %(field)s.") % {"value": str(value)[:40],
                                                                   "field": field_name},
            fields={field_name: [_("Chọn một trong: %(values)s.") % {"values": ", ".join(choices)}]})
    return value


def resolve_unit(key) -> AdministrativeUnit | None:
    """``"82"``, ``"2025:82"``, ``"pre2025:868"`` (a bare code is the post-2025 tree)."""
    if key in (None, ""):
        return None
    if isinstance(key, AdministrativeUnit):
        return key
    try:
        return unit_by_key(str(key).strip())
    except (InvalidInput, NotFound) as exc:
        raise InvalidInput(str(exc.message), fields={"unit": [str(exc.message)]}) from None


@dataclass(frozen=True)
class Filters:
    """What a report is asked for. ``user`` None: unscoped (the command line)."""

    period: Period
    user: object = None
    unit: AdministrativeUnit | None = None
    mode: str = "as_was"
    group: str = "unit"
    level: str | None = None

    def __post_init__(self):
        if self.mode == "successors" and self.level == Level.DISTRICT:
            raise InvalidInput(_("Từ 01/7/2025 không còn cấp huyện: không thể gộp theo đơn vị kế thừa "
                                 "ở cấp huyện."), fields={"level": [_("Không dùng với mode=successors.")]})


def build_filters(*, start, end, user=None, unit=None, mode=None, group=None, level=None) -> Filters:
    """Filters from untrusted input (query string, command line); errors name the fields."""
    errors = {}
    values = {}
    try:
        values["period"] = parse_period(start, end)
    except InvalidInput as exc:
        errors.update(exc.fields)
    for name, raw, choices, default in (("mode", mode, MODES, "as_was"), ("group", group, GROUPS, "unit"),
                                        ("level", level, LEVELS, None)):
        try:
            values[name] = parse_choice(raw, choices, name, default)
        except InvalidInput as exc:
            errors.update(exc.fields)
    try:
        values["unit"] = resolve_unit(unit)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(_("Tham số báo cáo không hợp lệ."), fields=errors)
    return Filters(user=user, **values)


REPORT_WORK_MEM = "64MB"


@contextmanager
def report_queries(*, snapshot: bool = False):
    """The report's statements in one read transaction; on PostgreSQL without JIT compilation,
    which costs more than these short aggregates take (seconds on a busy two-core server), and
    with more memory per sort or hash than the server's default (4 MB): the planner's guess of
    the groups (e.g. step name x role x month) is far too high, and with the default it sorted
    a year of rows on disk instead of hashing a few dozen groups. ``snapshot``: every
    statement sees the same snapshot (REPEATABLE READ, when this is the outermost
    transaction), e.g. the rollup's state and its rows (a rollup committing in between would
    count the rows above the old mark twice)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if snapshot and outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        yield


def can_view_reports(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or has_role(user, *REPORT_ROLES)))


def check_can_view(user):
    if user is not None and not can_view_reports(user):
        raise Forbidden(_("Chỉ lãnh đạo, cơ quan nội vụ và đoàn kiểm tra được xem báo cáo."))


def unit_roots(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit and the old units of its level that it succeeded (same rule as ``visible_units``)."""
    return province_roots(unit, include_predecessors=True)


def scoped_unit_ids(filters: Filters) -> list[int] | None:
    """The receiving units a report may read, None for all: the user's units and below
    (``core.permissions.visible_units``), within the asked unit's subtree (with the old units
    it succeeded). Computed once per ``Filters``."""
    cached = filters.__dict__.get("_unit_ids", False)
    if cached is not False:
        return cached
    ids = None
    if filters.user is not None:
        check_can_view(filters.user)
        if not filters.user.is_superuser:
            ids = set(visible_units(filters.user).values_list("pk", flat=True))
    if filters.unit is not None:
        subtree = set(units_under(unit_roots(filters.unit)).values_list("pk", flat=True))
        ids = subtree if ids is None else ids & subtree
    result = None if ids is None else sorted(ids)
    object.__setattr__(filters, "_unit_ids", result)
    return result


def scoped(queryset: QuerySet, filters: Filters, unit_field: str = "unit") -> QuerySet:
    """Records of the units the report may read (``scoped_unit_ids``). A list of ids rather
    than a subquery: with a subquery PostgreSQL tends to loop over the units, repeating the
    index scans of the report once per unit."""
    ids = scoped_unit_ids(filters)
    if ids is not None:
        queryset = queryset.filter(**{f"{unit_field}__in": ids})
    return queryset


def scoped_dossiers(filters: Filters) -> QuerySet[Dossier]:
    """Every dossier the report may read (``scoped``)."""
    return scoped(Dossier.objects.all(), filters).order_by()


# -- units across the reorganisation --------------------------------------------------------


@dataclass
class UnitNode:
    id: int
    era: str
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    successor_ids: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.era}:{self.code}"

    @property
    def sort_key(self):
        # The post-2025 tree first, then the old one; inside a tree by path.
        return (self.era != Era.CURRENT, self.path)


class UnitTree:
    """All administrative units in memory (a few thousand rows): parents, successors, rollups."""

    def __init__(self):
        self.nodes: dict[int, UnitNode] = {
            row[0]: UnitNode(*row) for row in AdministrativeUnit.objects.order_by().values_list(
                "id", "era", "code", "name", "level", "parent_id", "path")
        }
        through = AdministrativeUnit.successors.through
        for from_id, to_id in through.objects.values_list("from_administrativeunit_id",
                                                          "to_administrativeunit_id"):
            if from_id in self.nodes and to_id in self.nodes:
                self.nodes[from_id].successor_ids.append(to_id)
        self.children: dict[int, list[int]] = defaultdict(list)
        for node in self.nodes.values():
            if node.parent_id:
                self.children[node.parent_id].append(node.id)
        self._successor_cache: dict[int, int] = {}

    def ancestor_at(self, node: UnitNode, level: str | None) -> UnitNode:
        if not level:
            return node
        current = node
        while current is not None:
            if current.level == level:
                return current
            current = self.nodes.get(current.parent_id) if current.parent_id else None
        return node

    def _current_successors(self, node: UnitNode) -> list[UnitNode]:
        return [self.nodes[i] for i in node.successor_ids if self.nodes[i].era == Era.CURRENT]

    def _communes_below(self, node: UnitNode) -> list[UnitNode]:
        if node.level == Level.COMMUNE:
            return [node]
        found, stack = [], list(self.children.get(node.id, ()))
        while stack:
            child = self.nodes[stack.pop()]
            if child.level == Level.COMMUNE:
                found.append(child)
            else:
                stack.extend(self.children.get(child.id, ()))
        return found

    def successor(self, node: UnitNode) -> UnitNode:
        """The post-2025 unit an old unit is shown as (module docstring)."""
        if node.era == Era.CURRENT:
            return node
        cached = self._successor_cache.get(node.id)
        if cached is not None:
            return self.nodes[cached]
        candidates = self._current_successors(node)
        shares: Counter = Counter()
        for commune in self._communes_below(node):
            targets = self._current_successors(commune)
            for target in targets:
                shares[target.id] += 1 / len(targets)
        if candidates:
            level = candidates[0].level
            allowed = {c.id for c in candidates}
            lifted: Counter = Counter()
            for target_id, share in shares.items():
                lifted_id = self.ancestor_at(self.nodes[target_id], level).id
                if lifted_id in allowed:
                    lifted[lifted_id] += share
            shares = lifted or Counter({c.id: 1 for c in candidates})
        if shares:
            best = min(shares, key=lambda i: (-round(shares[i], 9), self.nodes[i].code))
            result = self.nodes[best]
        elif node.parent_id and node.parent_id in self.nodes:
            result = self.successor(self.nodes[node.parent_id])
        else:
            result = node
        self._successor_cache[node.id] = result.id
        return result

    def row_unit(self, unit_id: int, mode: str, level: str | None) -> UnitNode:
        node = self.nodes[unit_id]
        if mode == "successors":
            node = self.successor(node)
        return self.ancestor_at(node, level)
