"""Reads of the catalog: versions in force, search, postings and their gaps.

Other apps use ``version_in_force`` (a dossier stores the version in force at its reception),
``search_procedures`` and ``posting_gaps`` (inspection evidence: what a desk must post and has
not, or has posted in an outdated version).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import functools
import json

from django.db import connection, connections, router
from django.db.models import (
    BooleanField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import statements
from cchc.errors import InvalidInput, NotFound
from cchc.org.models import REFORM_DATE, AdministrativeUnit, Agency, AgencyKind, Level
from cchc.org.selectors import units_under
from cchc.textfold import fold

from .models import (
    AnnouncementDecision,
    AnnouncementItem,
    DeskPosting,
    DossierComponent,
    FilingMethod,
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    VersionStatus,
)
from .search_index import fts_candidates, sqlite_search_index_ready

DESK_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)
MAX_SEARCH_LENGTH = 200
# Results are counted up to this many; above it a list says "more than 1,000" and pages are
# numbered only that far (the "page window"), then continue with a cursor (keyset pagination).
COUNT_CAP = 1000


def today() -> datetime.date:
    return timezone.localdate()


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


def version_in_force(procedure: Procedure, on: datetime.date | None = None
                     ) -> ProcedureVersion | None:
    """The version of ``procedure`` in force on ``on`` (default today), or None (not yet
    announced, or abolished)."""
    return procedure.versions.filter(in_force_q(on or today())).first()


def procedures_in_force(on: datetime.date | None = None) -> QuerySet[ProcedureVersion]:
    """The versions in force on ``on``: one per procedure that is in force that day."""
    return ProcedureVersion.objects.filter(in_force_q(on or today()))


def status_on(procedure: Procedure, on: datetime.date | None = None) -> str | None:
    on = on or today()
    version = version_in_force(procedure, on)
    if version is not None:
        return version.status
    if procedure.abolished_on is not None and procedure.abolished_on <= on:
        return VersionStatus.ABOLISHED
    return None


def _detail_prefetch(queryset: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
    return queryset.select_related(
        "procedure", "procedure__agency", "procedure__replaced_by", "field",
        "implementing_agency", "item", "item__decision",
    ).prefetch_related(
        Prefetch("methods", queryset=FilingMethod.objects.order_by("channel")),
        Prefetch("components", queryset=DossierComponent.objects.order_by("position")),
    )


def search_procedures(text: str = "", *, on: datetime.date | None = None, field=None,
                      level: str | None = None, agency: Agency | None = None,
                      agency_name: str | None = None, channel: str | None = None,
                      status: str | None = None, prefilter: bool = True
                      ) -> QuerySet[ProcedureVersion]:
    """Versions matching ``text`` on ``on`` (default today), ordered by name.

    Matching is diacritic- and case-insensitive ("khai sinh", "KHAI SINH", "khải sinh" find
    "Đăng ký khai sinh"; "d" matches "đ"): every word of the folded query must occur in the
    folded local code + name. Without ``status`` the procedures in force are listed; with
    ``status="abolished"``, the last version of each procedure abolished by then.
    ``prefilter=False`` (SQLite: same rows, another plan) leaves out the trigram candidate set
    and keeps the period index out of the plan: for a broad query, walking the name index and
    stopping after one page is cheaper than collecting and sorting every candidate.
    """
    on = on or today()
    if len(text) > MAX_SEARCH_LENGTH or "\x00" in text:
        raise InvalidInput(_("Từ khóa tìm kiếm không hợp lệ."), code="invalid_search",
                           fields={"search": [_("Tối đa %(n)s ký tự.") % {"n": MAX_SEARCH_LENGTH}]})
    if status == VersionStatus.ABOLISHED:
        later = ProcedureVersion.objects.filter(procedure=OuterRef("procedure"),
                                                number__gt=OuterRef("number"))
        queryset = ProcedureVersion.objects.filter(procedure__abolished_on__lte=on).filter(
            ~Exists(later))
    elif prefilter or connection.vendor != "sqlite":
        queryset = procedures_in_force(on)
        if status:
            queryset = queryset.filter(status=status)
    else:
        # SQLite would read the period index and sort every match; unary "+" keeps the period
        # out of the plan so that the name index is walked (SQLite's documented idiom).
        table = ProcedureVersion._meta.db_table
        queryset = ProcedureVersion.objects.filter(RawSQL(
            f'+"{table}"."effective_from" <= %s AND (+"{table}"."effective_to" IS NULL '
            f'OR +"{table}"."effective_to" >= %s)', [on.isoformat(), on.isoformat()],
            output_field=BooleanField()))
        if status:
            queryset = queryset.filter(status=status)
    words = fold(text).split()
    if (prefilter and words and connection.vendor == "sqlite"
            and (candidates := fts_candidates(words))):
        if sqlite_search_index_ready():
            queryset = queryset.filter(pk__in=RawSQL(*candidates))
    for word in words:
        queryset = queryset.filter(search_folded__contains=word)
    if field is not None:
        queryset = queryset.filter(field=field)
    if level:
        queryset = queryset.filter(level=level)
    if agency is not None:
        queryset = queryset.filter(Q(implementing_agency=agency) | Q(procedure__agency=agency))
    if agency_name:
        queryset = queryset.filter(implementing_agency_name=agency_name)
    if channel:
        queryset = queryset.filter(
            Exists(FilingMethod.objects.filter(version=OuterRef("pk"), channel=channel)))
    return queryset.order_by("name_folded", "pk")


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact number of rows up to ``cap`` (default ``COUNT_CAP``), else
    (cap, False). Counting stops at cap + 1 rows, so a broad word ("cấp", "đăng ký") costs
    what a narrow one does instead of a scan of every match."""
    cap = COUNT_CAP if cap is None else cap
    found = queryset.order_by()[: cap + 1].count()
    return (found, True) if found <= cap else (cap, False)


def encode_cursor(version: ProcedureVersion) -> str:
    """The position after ``version`` in the search order (folded name, id), as an opaque
    URL-safe token."""
    raw = json.dumps([version.name_folded, version.pk], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, int]:
    """The (folded name, id) of a cursor; InvalidInput (code ``invalid_cursor``) otherwise."""
    try:
        if len(token) > 1000:
            raise ValueError
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        name, pk = json.loads(raw)
        if (not isinstance(name, str) or "\x00" in name or len(name) > 500
                or not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidInput(_("Vị trí trang không hợp lệ."), code="invalid_cursor",
                           fields={"cursor": [_("Hãy dùng liên kết “Trang sau”.")]}) from None
    return name, pk


@dataclasses.dataclass
class SearchPage:
    """One page of a search. ``number`` is the page number inside the window (None on a page
    reached by cursor); ``num_pages`` the pages of the window; ``next_number`` or
    ``next_cursor`` (past the window) says how to reach the next page."""

    rows: list
    count: int
    count_exact: bool
    size: int
    number: int | None
    num_pages: int
    next_number: int | None = None
    next_cursor: str | None = None

    @property
    def has_next(self) -> bool:
        return self.next_number is not None or self.next_cursor is not None

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number and self.number > 1 else None


TABLE = ProcedureVersion._meta.db_table
WALK_ROWS = 1000


def _seek(after: tuple[str, int]) -> Q:
    """Rows after ``after`` in the order (folded name, id). The redundant ``>=`` gives both
    databases the start of a range on the (name_folded, id) index; ORM lookups (not SQL text)
    so that the condition also holds inside a subquery, where the table has an alias."""
    name, pk = after
    return Q(name_folded__gte=name) & (Q(name_folded__gt=name) | Q(name_folded=name, pk__gt=pk))


def _bounded_walk(queryset, after, offset: int, limit: int) -> list | None:
    """Rows ``offset``..``offset + limit`` of ``queryset`` in name order, looked for among the
    next ``WALK_ROWS`` entries of the name index only (after ``after``): one index range and as
    many row reads, whatever the planner thinks of the LIKE filters. None when fewer matched
    there (the matches are sparse at that point of the order: "đăng ký" starts late in an
    alphabet of names beginning with "cấp", "chứng thực", ...)."""
    index = ProcedureVersion.objects.order_by("name_folded", "id")
    if after is not None:
        index = index.filter(_seek(after))
    window = index.values("id")[:WALK_ROWS]
    rows = list(queryset.filter(pk__in=window).order_by("name_folded", "pk")
                [offset: offset + limit])
    if len(rows) == limit:
        return rows
    # Fewer than asked: the answer if the window reached the end of the index, else unknown.
    return rows if not index.values("id")[WALK_ROWS - 1: WALK_ROWS].exists() else None


def search_page(text: str = "", *, number: int | None = 1, size: int = 20, cursor: str | None = None,
                strict: bool = False, **filters) -> SearchPage:
    """A page of ``search_procedures(text, **filters)`` with a capped count.

    Pages 1..``num_pages`` (the window: the first ``COUNT_CAP`` results) are read with an
    offset of at most ``COUNT_CAP``; the next page after the window, and every page after it,
    is read from a cursor: the rows after the last one shown, ``(name, id) > (…)``, which
    costs the same at any depth. A page number past the window (or past the last page) is
    clamped (None is the last page of the window), or with ``strict`` an InvalidInput
    (``invalid_page``); a bad cursor is an InvalidInput (``invalid_cursor``).

    Plan: a narrow query is matched through the trigram index and its rows sorted (ordering by
    ``name_folded || ''`` keeps the name index out of that plan; same order, byte-wise on both
    databases). A broad one (more than ``COUNT_CAP`` matches) is ordered by the indexed column
    on PostgreSQL (the planner may walk the (name_folded, id) index and stop at one page); on
    SQLite, whose planner would sort every candidate, it is first looked for among the next
    ``WALK_ROWS`` entries of that index, then matched and sorted if too sparse there.
    """
    after = decode_cursor(cursor) if cursor else None
    queryset = search_procedures(text, **filters)
    count, exact = capped_count(queryset)
    num_pages = max(1, -(-count // size))
    number = num_pages if number is None else number  # None: the last page of the window
    if after is None and not 1 <= number <= num_pages:
        if strict:
            raise InvalidInput(
                _("Trang %(number)s nằm ngoài %(pages)s trang đánh số của kết quả; trang sau "
                  "đó đi theo liên kết “Trang sau”.") % {"number": number, "pages": num_pages},
                code="invalid_page", fields={"page": [_("Trang không hợp lệ.")]})
        number = min(max(number, 1), num_pages)
    offset = 0 if after is not None else (number - 1) * size
    rows = None
    if not exact and connection.vendor == "sqlite":  # broad: a bounded walk of the name index
        rows = _bounded_walk(search_procedures(text, prefilter=False, **filters), after, offset,
                             size + 1)
    if rows is None:
        # Narrow (or SQLite's walk found the matches too sparse): match and sort. A broad query
        # on PostgreSQL orders by the indexed column and lets the planner choose the walk.
        order = (F("name_folded") if not exact and connection.vendor != "sqlite"
                 else RawSQL(f'"{TABLE}"."name_folded" || \'\'', ()))
        ordered = queryset.order_by(order.asc(), "pk")
        if after is not None:
            ordered = ordered.filter(_seek(after))
        rows = list(ordered[offset: offset + size + 1])
    more, rows = len(rows) > size, rows[:size]
    page = SearchPage(rows=search_results(rows), count=count, count_exact=exact, size=size,
                      number=None if after is not None else number, num_pages=num_pages)
    if more:
        if page.number is not None and page.number < num_pages:
            page.next_number = page.number + 1
        else:
            page.next_cursor = encode_cursor(rows[-1])
    return page


def implementing_agency_names() -> list[str]:
    """The implementing agencies as published, for a filter."""
    return list(ProcedureVersion.objects.exclude(implementing_agency_name="")
                .order_by("implementing_agency_name")
                .values_list("implementing_agency_name", flat=True).distinct())


def search_results(versions):
    """What a result list shows for each version, loaded by primary key after the page is
    selected: the page query then has no joins, and its ordering needs no joined rows
    (measured in bench/catalog_search.py). A queryset stays lazy (slice it before or after);
    any other iterable becomes a list."""
    lookups = ("procedure", "field", "implementing_agency",
               Prefetch("methods", queryset=FilingMethod.objects.order_by("channel")))
    if isinstance(versions, QuerySet):
        return versions.prefetch_related(*lookups)
    versions = list(versions)
    prefetch_related_objects(versions, *lookups)
    return versions


def get_procedure(code: str, on: datetime.date | None = None) -> Procedure:
    """A procedure by local code, or by base code when that names one procedure (preferring the
    one in force on ``on``)."""
    code = (code or "").strip()
    try:
        # The local code is unique: ``get`` reads it without the ordering ``first`` would
        # add (compiling it cost more than running the query, bench/README.md intake).
        return Procedure.objects.select_related("agency", "replaced_by").get(code=code)
    except Procedure.DoesNotExist:
        pass
    candidates = list(Procedure.objects.select_related("agency", "replaced_by")
                      .filter(base_code=code)) if code else []
    if len(candidates) > 1:
        in_force = [p for p in candidates if version_in_force(p, on) is not None]
        if len(in_force) == 1:
            return in_force[0]
        raise InvalidInput(
            _("Mã %(code)s ứng với nhiều thủ tục; hãy dùng mã tại địa phương: %(codes)s.")
            % {"code": code, "codes": ", ".join(p.code for p in candidates)},
            code="ambiguous_code",
        )
    if not candidates:
        raise NotFound(_("Không có thủ tục mã “%(code)s”.") % {"code": code})
    return candidates[0]


def version_for_intake(code: str, on: datetime.date
                       ) -> tuple[Procedure, ProcedureVersion | None, dict[str, FilingMethod]]:
    """For a dossier received on ``on``: the procedure ``code`` names (as ``get_procedure``,
    whose errors it raises), its version in force that day (``version_in_force``'s: the
    lowest number, the catalog keeps one per day) and that version's filing methods by
    channel.

    A local code, the usual case, is read in one statement written once (the intake reads it
    on every request; cchc.core.statements says why); a base code goes through
    ``get_procedure``."""
    using = router.db_for_read(Procedure)
    connection = connections[using]
    day = ProcedureVersion._meta.get_field("effective_from").get_db_prep_value(on, connection)
    with connection.cursor() as cursor:
        cursor.execute(_version_for_intake_sql(), [day, day, (code or "").strip()])
        rows = cursor.fetchall()
    if not rows:
        procedure = get_procedure(code, on)
        version = version_in_force(procedure, on)
        return procedure, version, version.methods_by_channel() if version is not None else {}
    version_at = len(Procedure._meta.concrete_fields)
    method_at = version_at + len(ProcedureVersion._meta.concrete_fields)
    procedure = statements.instance(Procedure, rows[0], 0, using)
    version = statements.instance(ProcedureVersion, rows[0], version_at, using)
    if version is None:
        return procedure, None, {}
    version.procedure = procedure
    methods = {}
    for row in rows:
        method = statements.instance(FilingMethod, row, method_at, using)
        if method is not None and method.version_id == version.pk:
            method.version = version
            methods[method.channel] = method
    return procedure, version, methods


@functools.cache
def _version_for_intake_sql() -> str:
    version = ProcedureVersion._meta
    method = FilingMethod._meta
    return (
        f"SELECT {statements.select_list(Procedure, 'p')}, "
        f"{statements.select_list(ProcedureVersion, 'v')}, "
        f"{statements.select_list(FilingMethod, 'm')} "
        f"FROM {Procedure._meta.db_table} p "
        f"LEFT JOIN {version.db_table} v ON v.{version.get_field('procedure').column} = p.id "
        f"AND v.effective_from <= %s AND (v.effective_to IS NULL OR v.effective_to >= %s) "
        f"LEFT JOIN {method.db_table} m ON m.{method.get_field('version').column} = v.id "
        f"WHERE p.code = %s ORDER BY v.number, m.channel"
    )


@dataclasses.dataclass
class ProcedureView:
    """A procedure as of a date: the version shown, its status that day, and its history."""

    procedure: Procedure
    on: datetime.date
    version: ProcedureVersion | None
    status: str | None
    history: list[ProcedureVersion]

    @property
    def status_label(self) -> str:
        return VersionStatus(self.status).label if self.status else _("Chưa có hiệu lực")


def procedure_as_of(procedure: Procedure, on: datetime.date | None = None) -> ProcedureView:
    """The version in force on ``on``; for an abolished procedure its last version, for one not
    yet in force its first, so that the page always has something to show."""
    on = on or today()
    history = list(_detail_prefetch(procedure.versions.order_by("number")))
    version = next((v for v in history if v.is_in_force_on(on)), None)
    shown = version
    if shown is None and history:
        shown = history[-1] if history[0].effective_from <= on else history[0]
    return ProcedureView(procedure=procedure, on=on, version=shown,
                         status=status_on(procedure, on), history=history)


def announcements() -> QuerySet[AnnouncementDecision]:
    return AnnouncementDecision.objects.select_related("issuing_agency").order_by(
        "-issued_on", "-pk")


def announcement_items(decision: AnnouncementDecision) -> QuerySet[AnnouncementItem]:
    return decision.items.select_related("procedure", "replacement").prefetch_related(
        "versions").order_by("position")


# --- postings ---------------------------------------------------------------------------------


def desks() -> QuerySet[Agency]:
    """Agencies where dossiers are received: reception desks and public service centres."""
    return Agency.objects.filter(kind__in=DESK_KINDS, active=True).select_related("unit")


def get_desk(code: str) -> Agency:
    agency = desks().filter(code=code).first()
    if agency is None:
        raise NotFound(_("Không có nơi tiếp nhận mã “%(code)s”.") % {"code": code})
    return agency


def _province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    if unit.level == Level.PROVINCE:
        return unit
    root_code = unit.path.split("/", 1)[0]
    return AdministrativeUnit.objects.get(era=unit.era, code=root_code, level=Level.PROVINCE)


def catalog_provinces(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The provinces whose catalogs apply to a unit: its own province and, across the 1/7/2025
    reorganisation, the provinces merged into it or that it was merged into."""
    province = _province_of(unit)
    return [province, *province.successors.filter(level=Level.PROVINCE),
            *province.predecessors.filter(level=Level.PROVINCE)]


def receiving_levels(agency: Agency, on: datetime.date) -> list[str]:
    """The levels of procedures a desk receives by default. From 1/7/2025 the provincial public
    service centre receives every procedure of the province (ND 118/2025)."""
    level = agency.unit.level
    if level == Level.PROVINCE:
        if agency.kind == AgencyKind.SERVICE_CENTRE and on >= REFORM_DATE:
            return [ProcedureLevel.PROVINCE, ProcedureLevel.COMMUNE]
        return [ProcedureLevel.PROVINCE]
    return [{Level.DISTRICT: ProcedureLevel.DISTRICT, Level.COMMUNE: ProcedureLevel.COMMUNE}[level]]


def required_postings(agency: Agency, on: datetime.date | None = None
                      ) -> QuerySet[ProcedureVersion]:
    """The versions a desk must post on ``on`` (ND 63/2010 Art. 17(1)(b)): those of the
    procedures it receives, in force that day. A procedure with explicit receiving agencies is
    received only there; otherwise by the desks of its level in the catalog's province."""
    on = on or today()
    if not agency.unit.is_valid_on(on) or agency.kind not in DESK_KINDS:
        return ProcedureVersion.objects.none()
    explicit = Procedure.objects.filter(receiving_agencies=agency).values("pk")
    restricted = Procedure.objects.filter(receiving_agencies__isnull=False).values("pk")
    territory = units_under(catalog_provinces(agency.unit))
    implicit = (Q(level__in=receiving_levels(agency, on), procedure__agency__unit__in=territory)
                & ~Q(procedure__in=restricted))
    return procedures_in_force(on).filter(Q(procedure__in=explicit) | implicit)


def active_postings(agency: Agency, on: datetime.date | None = None) -> QuerySet[DeskPosting]:
    on = on or today()
    return DeskPosting.objects.filter(agency=agency, posted_on__lte=on).filter(
        Q(removed_on__isnull=True) | Q(removed_on__gt=on)
    ).select_related("version", "version__procedure")


@dataclasses.dataclass
class PostingGaps:
    agency: Agency
    on: datetime.date
    required: list[ProcedureVersion]
    missing: list[ProcedureVersion]
    outdated: list[tuple[DeskPosting, ProcedureVersion]]  # (what is posted, what is in force)
    obsolete: list[DeskPosting]  # posted, but no longer in force or received there

    @property
    def complete(self) -> bool:
        return not (self.missing or self.outdated or self.obsolete)

    @property
    def posted_count(self) -> int:
        return len(self.required) - len(self.missing)


def posting_gaps(agency: Agency, on: datetime.date | None = None) -> PostingGaps:
    """Inspection evidence for one desk on ``on``: procedures missing from its postings, posted
    in a version other than the one in force, or posted although no longer in force there."""
    on = on or today()
    required = list(required_postings(agency, on).select_related("procedure", "field")
                    .order_by("procedure__code"))
    postings = sorted(active_postings(agency, on), key=lambda p: (p.posted_on, p.pk))
    posted = {p.version.procedure_id: p for p in postings}  # the latest per procedure
    required_ids = {v.procedure_id for v in required}
    return PostingGaps(
        agency=agency, on=on, required=required,
        missing=[v for v in required if v.procedure_id not in posted],
        outdated=[(posted[v.procedure_id], v) for v in required
                  if v.procedure_id in posted and posted[v.procedure_id].version_id != v.pk],
        obsolete=[p for p in postings if p.version.procedure_id not in required_ids
                  or posted[p.version.procedure_id] is not p],
    )
