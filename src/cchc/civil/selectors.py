"""Reads of the civil-status registers. Every list goes through ``core.permissions.scope``.

For other apps: ``book_evidence(units, year)`` (the inspection's evidence per book),
``monthly_counts(units, year)`` (reports), ``search_entries(user, ...)`` (scoped search;
``services.search_register`` runs it and writes the audit row that every search needs).

Choices where the rules are silent:
- Full personal ID numbers are shown only to the civil-status officers of the book's unit:
  a desk officer, specialist or leader whose membership is that unit, or a unit that took
  it over on 1/7/2025. Everyone else (inspectors, Home Affairs, provincial staff, system
  administrators) sees ``0870******34``, and may not print documents that carry them.
- A name search is diacritic- and case-insensitive and works on whole words (Vietnamese
  names are syllables): every word of the query is a word of the subject's or (for a
  marriage) the partner's folded name, in any order ("ngoc anh" finds "Nguyễn Thị Ngọc Anh").
  Parts of a syllable ("nguy") are not searched: on PostgreSQL the words are indexed
  (tsvector GIN, no recheck of rows), which stays fast among millions of names built from the
  same few syllables, where a trigram index and word prefixes did not (bench/README.md).
  Corrected names, dates of birth and ID numbers (marginal notes) are searched too.
- A search returns at most ``MAX_RESULTS`` rows; the count stops there too.
- The registry knows a person by their ID number, and by folded name + date of birth when
  the numbers differ or are missing (``Identity``, ``entries_of_person``): that is how "currently
  married" (a marriage with no divorce or annulment in its margin and no registered death of
  the spouse) and "registered dead" are decided, across all units. Corrected names, dates and
  numbers in marginal notes count too.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Concat, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.permissions import scope, visible_unit_ids, visible_unit_ids_query
from cchc.errors import InvalidInput, NotFound
from cchc.org.models import AdministrativeUnit, Membership, Role
from cchc.org.selectors import units_under
from cchc.textfold import fold
from cchc.workcal.calendar import VN_TZ

from . import rules
from .models import (
    MARRIAGE_ENDING_NOTES,
    CivilRequest,
    EventType,
    MarginalNote,
    NoteKind,
    RegisterBook,
    RegisterEntry,
    RequestStatus,
)

CIVIL_ROLES = (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER)
MAX_RESULTS = 200
ENTRY_COLUMNS = [f.name for f in RegisterEntry._meta.concrete_fields]  # noqa: SLF001


def local_date(instant: datetime.datetime) -> datetime.date:
    return instant.astimezone(VN_TZ).date()


# -- who may see what -------------------------------------------------------------------------


def _officer_units_query(user, roles=CIVIL_ROLES) -> QuerySet:
    own = Membership.objects.filter(user=user, role__in=roles).order_by()
    predecessors = AdministrativeUnit.successors.through.objects.filter(
        to_administrativeunit_id__in=own.values("unit_id"))
    return own.values_list("unit_id", flat=True).union(
        predecessors.values_list("from_administrativeunit_id", flat=True))


def officer_unit_ids(user, roles=CIVIL_ROLES) -> set[int]:
    """Units whose registers the user keeps: their own units in a civil role, and the units
    those succeeded on 1/7/2025 (the new commune keeps the old commune's books). One query."""
    if not user.is_authenticated:
        return set()
    return set(_officer_units_query(user, roles))


def search_units(user) -> tuple[list[int] | None, set[int]]:
    """(units whose entries the user may search — None for a superuser: all —, units whose
    ID numbers the user may see): ``visible_unit_ids`` and ``officer_unit_ids`` read in one
    round trip, as a search needs both."""
    if not user.is_authenticated:
        return [], set()
    if user.is_superuser:
        return None, officer_unit_ids(user)
    rows = (visible_unit_ids_query(user).annotate(officer=Value(False))
            .values_list("pk", "officer")
            .union(Membership.objects.filter(user=user, role__in=CIVIL_ROLES).order_by()
                   .annotate(officer=Value(True)).values_list("unit_id", "officer"),
                   AdministrativeUnit.successors.through.objects.filter(
                       to_administrativeunit__memberships__user=user,
                       to_administrativeunit__memberships__role__in=CIVIL_ROLES)
                   .annotate(officer=Value(True))
                   .values_list("from_administrativeunit_id", "officer"), all=True))
    visible, officer = [], set()
    for unit_id, is_officer in rows:
        (officer.add(unit_id) if is_officer else visible.append(unit_id))
    return visible, officer


def can_see_id_numbers(user, unit_id: int) -> bool:
    return unit_id in officer_unit_ids(user)


def visible_books(user) -> QuerySet[RegisterBook]:
    return scope(RegisterBook.objects.all(), user, "unit").select_related("unit", "closed_by")


def get_book(user, pk) -> RegisterBook:
    book = visible_books(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if book is None:
        raise NotFound(_("Không tìm thấy sổ hộ tịch."))
    return book


def visible_entries(user) -> QuerySet[RegisterEntry]:
    return scope(RegisterEntry.objects.all(), user, "unit")


def get_entry(user, pk) -> RegisterEntry:
    entry = (visible_entries(user).select_related("book", "unit", "dossier", "registered_by")
             .filter(pk=pk).first()) if str(pk).isdigit() else None
    if entry is None:
        raise NotFound(_("Không tìm thấy mục đăng ký hộ tịch."))
    return entry


def book_entries(book: RegisterBook) -> QuerySet[RegisterEntry]:
    return book.entries.select_related("dossier").order_by("number")


def requests_for(user, status: str | None = None) -> QuerySet[CivilRequest]:
    queryset = scope(CivilRequest.objects.all(), user, "unit").select_related(
        "dossier", "unit", "target_entry")
    return queryset.filter(status=status) if status else queryset


def failed_requests(user) -> QuerySet[CivilRequest]:
    return requests_for(user, RequestStatus.FAILED)


# -- an entry as it reads now -----------------------------------------------------------------


def notes_of(entry: RegisterEntry) -> list[MarginalNote]:
    return list(entry.notes.select_related("dossier", "registered_by").order_by("registered_at", "id"))


def current_facts(entry: RegisterEntry, notes: list[MarginalNote] | None = None) -> dict:
    """The entry's columns with the changes of its marginal notes applied in order."""
    facts = {name: getattr(entry, name) for name in ENTRY_COLUMNS}
    for note in notes if notes is not None else notes_of(entry):
        for column, change in (note.changes or {}).items():
            facts[column] = decode_value(column, change.get("new"))
    return facts


def decode_value(column: str, value):
    """A value of a note's ``changes`` (JSON) as the entry column's Python type."""
    if value in (None, ""):
        return None if column.endswith(("_date", "_year", "_time", "_on")) else ""
    field = RegisterEntry._meta.get_field(column)  # noqa: SLF001
    internal = field.get_internal_type()
    if internal == "DateField":
        return rules.parse_date(value)
    if internal == "TimeField":
        return datetime.time.fromisoformat(value)
    if internal == "PositiveSmallIntegerField":
        return int(value)
    return value


def marriage_ended(entry: RegisterEntry) -> bool:
    return entry.notes.filter(kind__in=MARRIAGE_ENDING_NOTES).exists()


# -- the person behind the entries (registry checks) -----------------------------------------


@dataclasses.dataclass(frozen=True)
class Identity:
    """A person as the registry knows them: by ID number, else by folded name + date of birth."""

    full_name: str
    birth_date: datetime.date | None
    id_number: str = ""

    @property
    def folded(self) -> str:
        return fold(self.full_name)


def _note_entry_ids(identity: Identity) -> list[int]:
    query = Q(pk__in=[])
    if identity.id_number:
        query |= Q(id_number=identity.id_number)
    if identity.birth_date and identity.full_name:
        query |= Q(name_folded=identity.folded, birth_date=identity.birth_date)
    return list(MarginalNote.objects.filter(query).values_list("entry_id", flat=True))


def entries_of_person(identity: Identity, *, partner: bool = False) -> QuerySet[RegisterEntry]:
    """Every entry (all units: the registry is one) naming the person as subject, or as
    partner when ``partner``; matched by ID number, and by name + date of birth."""
    query = Q(pk__in=_note_entry_ids(identity)) if not partner else Q(pk__in=[])
    prefix = "partner_" if partner else ""
    if identity.id_number:
        query |= Q(**{f"{prefix}id_number": identity.id_number})
    if identity.birth_date and identity.full_name:
        query |= Q(**{f"{prefix}name_folded": identity.folded,
                      f"{prefix}birth_date": identity.birth_date})
    return RegisterEntry.objects.filter(query).select_related("book", "unit")


def death_entry_of(identity: Identity) -> RegisterEntry | None:
    return entries_of_person(identity).filter(event_type=EventType.DEATH).order_by("pk").first()


def current_marriage_of(identity: Identity, on: datetime.date | None = None
                        ) -> RegisterEntry | None:
    """A registered marriage of the person that has not ended: no divorce or annulment noted
    in its margin, and the other spouse not registered dead."""
    candidates = (entries_of_person(identity) | entries_of_person(identity, partner=True)).filter(
        event_type=EventType.MARRIAGE).order_by("registered_at")
    for marriage in candidates:
        if marriage_ended(marriage):
            continue
        facts = current_facts(marriage)
        as_husband = _same_person(identity, facts, "")
        prefix = "partner_" if as_husband else ""
        spouse = Identity(facts[f"{prefix}full_name"], facts[f"{prefix}birth_date"],
                          facts[f"{prefix}id_number"])
        if death_entry_of(spouse) is not None:
            continue
        return marriage
    return None


def _same_person(identity: Identity, facts: dict, prefix: str) -> bool:
    if identity.id_number and facts.get(f"{prefix}id_number") == identity.id_number:
        return True
    return (fold(facts.get(f"{prefix}full_name", "")) == identity.folded
            and facts.get(f"{prefix}birth_date") == identity.birth_date)


# -- search -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Criteria:
    name: str = ""
    birth_date: datetime.date | None = None
    id_number: str = ""
    book: int | None = None
    number: int | None = None
    event_type: str = ""
    year: int | None = None
    unit: AdministrativeUnit | None = None

    def as_params(self) -> dict:
        params = {
            "name": self.name, "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "id_number": self.id_number, "book": self.book, "number": self.number,
            "event_type": self.event_type, "year": self.year,
            "unit": self.unit.key if self.unit else "",
        }
        return {k: v for k, v in params.items() if v not in (None, "")}

    @property
    def empty(self) -> bool:
        return not self.as_params() or set(self.as_params()) <= {"event_type", "year", "unit"}


def parse_criteria(params) -> Criteria:
    """Search criteria from query parameters; ``InvalidInput`` naming the bad ones."""
    errors = {}
    criteria = Criteria()
    name = str(params.get("name") or "").strip()
    if len(name) > 100 or "\x00" in name:
        errors["name"] = [_("Tối đa 100 ký tự.")]
    elif name and (len(fold(name).replace(" ", "")) < 2 or not name_words(name)):
        errors["name"] = [_("Nhập ít nhất 2 ký tự của họ tên.")]
    criteria.name = name
    try:
        criteria.birth_date = rules.parse_date(params.get("birth_date"))
    except (TypeError, ValueError):
        errors["birth_date"] = [_("Ngày không hợp lệ (dd/mm/yyyy).")]
    id_number = str(params.get("id_number") or "").replace(" ", "").replace(".", "")
    if id_number and not rules.ID_RE.match(id_number):
        errors["id_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    criteria.id_number = id_number
    for key in ("book", "number", "year"):
        value = str(params.get(key) or "").strip()
        if value:
            if not value.isdigit() or int(value) < 1 or len(value) > 9:
                errors[key] = [_("Phải là số nguyên dương.")]
            else:
                setattr(criteria, key, int(value))
    event_type = str(params.get("event_type") or "").strip()
    if event_type and event_type not in EventType.values:
        errors["event_type"] = [_("Chọn khai sinh, kết hôn hoặc khai tử.")]
    criteria.event_type = event_type
    unit = params.get("unit")
    if unit:
        if isinstance(unit, AdministrativeUnit):
            criteria.unit = unit
        else:
            from cchc.org.selectors import unit_by_key

            try:
                criteria.unit = unit_by_key(str(unit))
            except (InvalidInput, NotFound):
                errors["unit"] = [_("Mã đơn vị không đúng (dạng 2025:30280).")]
    if criteria.number and not criteria.book:
        errors.setdefault("book", [_("Tìm theo số cần chọn sổ.")])
    if errors:
        raise InvalidInput(_("Điều kiện tìm kiếm không hợp lệ."), code="invalid_search",
                           fields=errors)
    if criteria.empty:
        raise InvalidInput(
            _("Nhập ít nhất một điều kiện: họ tên, ngày sinh, số định danh, hoặc sổ và số."),
            code="invalid_search", fields={"name": [_("Nhập điều kiện tìm kiếm.")]})
    return criteria


_WORD = re.compile(r"[a-z0-9]+")


def name_words(text: str) -> list[str]:
    """The folded words of a name query ("Nguyễn Thị-Ngọc" -> ["nguyen", "thi", "ngoc"])."""
    return _WORD.findall(fold(text))


def name_matches(name_folded: str, words: list[str]) -> bool:
    """The rule of a name search, in Python: every word of the query is a whole word of the
    name, in any order."""
    tokens = set(_WORD.findall(name_folded or ""))
    return bool(words) and all(word in tokens for word in words)


class _WordsMatch(Func):
    """PostgreSQL: ``to_tsvector('simple', <column>) @@ to_tsquery('simple', <query>)``, the
    expression of the GIN indexes of migration 0002."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        column, query = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        query_sql, query_params = compiler.compile(query)
        return (f"to_tsvector('simple'::regconfig, {column_sql}) @@ "
                f"to_tsquery('simple'::regconfig, {query_sql})", [*column_params, *query_params])


def _name_query(words: list[str], prefix: str) -> Q:
    """``name_matches`` in SQL. PostgreSQL: the word index (tsvector GIN; whole words need no
    recheck of the rows, a prefix query did). Elsewhere: LIKE on the space-padded folded name
    (a scan; fine at the size of an SQLite installation)."""
    column = f"{prefix}name_folded"
    if connection.vendor == "postgresql":
        return Q(_WordsMatch(F(column), Value(" & ".join(words))))
    padded = Concat(Value(" "), F(column), Value(" "), output_field=CharField())
    query = Q()
    for word in words:
        query &= Q(_Like(padded, f"% {word} %"))
    return query


class _Like(Func):
    """``<expression> LIKE <pattern>`` (case-sensitive on folded text; no escaping needed:
    the words hold letters and digits only)."""

    output_field = BooleanField()

    def __init__(self, expression, pattern):
        super().__init__(expression, Value(pattern))

    def as_sql(self, compiler, connection, **extra):
        expression, pattern = self.get_source_expressions()
        expression_sql, expression_params = compiler.compile(expression)
        pattern_sql, pattern_params = compiler.compile(pattern)
        return f"{expression_sql} LIKE {pattern_sql}", [*expression_params, *pattern_params]


def searchable_entries(user, unit_ids: list[int] | None = None) -> QuerySet[RegisterEntry]:
    """``visible_entries`` with the user's units as a literal list of ids: the same scope
    (``core.permissions.scope``), but the planner can estimate a list, not a path-prefix
    subquery (it guessed one unit for a whole province and scanned by unit). ``unit_ids``:
    that list, when already read (``search_units``)."""
    if not user.is_authenticated:
        return RegisterEntry.objects.none()
    if user.is_superuser:
        return RegisterEntry.objects.all()
    if unit_ids is None:
        unit_ids = visible_unit_ids(user)
    return RegisterEntry.objects.filter(unit_id__in=unit_ids)


def _corrected(criteria: Criteria, words: list[str]) -> dict[str, set[int]]:
    """Entries whose marginal notes match a criterion (one query for all criteria): a
    corrected name, date of birth or ID number finds the entry too."""
    query = Q(pk__in=[])
    if words:
        query |= Q(name_folded__contains=words[0])
    if criteria.birth_date:
        query |= Q(birth_date=criteria.birth_date)
    if criteria.id_number:
        query |= Q(id_number=criteria.id_number)
    found: dict[str, set[int]] = {"name": set(), "birth_date": set(), "id_number": set()}
    if not (words or criteria.birth_date or criteria.id_number):
        return found
    rows = MarginalNote.objects.filter(query).values_list("entry_id", "name_folded",
                                                          "birth_date", "id_number")
    for entry_id, name, birth_date, id_number in rows[: MAX_RESULTS * 10]:
        if words and name_matches(name, words):
            found["name"].add(entry_id)
        if criteria.birth_date and birth_date == criteria.birth_date:
            found["birth_date"].add(entry_id)
        if criteria.id_number and id_number == criteria.id_number:
            found["id_number"].add(entry_id)
    return found


def search_entries(user, criteria: Criteria, *,
                   unit_ids: list[int] | None = None) -> QuerySet[RegisterEntry]:
    """Entries the user may see that match every given criterion, newest first.

    Names: every word of the query is a whole word of the subject's or (for a marriage) the
    partner's folded name, in any order ("ngoc anh" and "Anh Nguyen" find "Nguyễn Thị Ngọc
    Anh"; "d" matches "đ")."""
    queryset = searchable_entries(user, unit_ids)
    words = name_words(criteria.name) if criteria.name else []
    corrected = _corrected(criteria, words)
    if words:
        queryset = queryset.filter(_name_query(words, "") | _name_query(words, "partner_")
                                   | Q(pk__in=sorted(corrected["name"])))
    if criteria.birth_date:
        queryset = queryset.filter(Q(birth_date=criteria.birth_date)
                                   | Q(partner_birth_date=criteria.birth_date)
                                   | Q(pk__in=sorted(corrected["birth_date"])))
    if criteria.id_number:
        queryset = queryset.filter(Q(id_number=criteria.id_number)
                                   | Q(partner_id_number=criteria.id_number)
                                   | Q(pk__in=sorted(corrected["id_number"])))
    if criteria.book:
        queryset = queryset.filter(book_id=criteria.book)
    if criteria.number:
        queryset = queryset.filter(number=criteria.number)
    if criteria.event_type:
        queryset = queryset.filter(event_type=criteria.event_type)
    if criteria.year:
        queryset = queryset.filter(book__year=criteria.year)
    if criteria.unit is not None:
        queryset = queryset.filter(unit__in=units_under([criteria.unit]))
    return queryset.order_by("-registered_at", "-pk")


def entries_by_ids(ids) -> list[RegisterEntry]:
    """The entries of ``ids``, in that order."""
    ids = list(ids)
    rows = RegisterEntry.objects.select_related("book", "unit", "dossier").in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def count_capped(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, truncated): counts at most ``cap`` (default ``MAX_RESULTS``) + 1 rows."""
    cap = cap or MAX_RESULTS
    count = queryset.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


# -- statistics and inspection evidence -------------------------------------------------------


def _units_q(units, field: str = "unit") -> Q:
    units = list(units)
    if not units:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": units_under(units)})


def monthly_counts(units, year: int) -> list[dict]:
    """Per registering unit and month of ``year``: entries by event type.

    ``[{"unit": unit, "month": 1..12, "birth": n, "marriage": n, "death": n, "total": n}]``,
    only months with at least one entry, ordered by unit path and month."""
    rows = (RegisterEntry.objects.filter(_units_q(units), book__year=year)
            .annotate(month=ExtractMonth("registered_at", tzinfo=VN_TZ))
            .values("unit", "month", "event_type").annotate(n=Count("pk")))
    table: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for row in rows:
        table[(row["unit"], row["month"])][row["event_type"]] += row["n"]
    unit_map = AdministrativeUnit.objects.in_bulk({unit for unit, _month in table})
    result = []
    for (unit_id, month), counts in table.items():
        result.append({"unit": unit_map[unit_id], "month": month,
                       **{t: counts.get(t, 0) for t in EventType.values},
                       "total": sum(counts.values())})
    return sorted(result, key=lambda r: (r["unit"].era, r["unit"].path, r["month"]))


@dataclasses.dataclass
class BookEvidence:
    """What the inspection checks about one book ("kept clean and correct")."""

    book: RegisterBook
    entries: int
    first_number: int | None
    last_number: int | None
    gaps: list[tuple[int, int]]  # missing numbers as inclusive ranges; none expected
    closed: bool
    unclosed_past: bool  # a book of a past year still open
    corrections: int  # corrections, changes and additions in the margin
    notes_by_kind: dict[str, int]

    @property
    def clean(self) -> bool:
        return not self.gaps and not self.unclosed_past

    def as_dict(self) -> dict:
        book = self.book
        return {
            "book": book.pk, "unit": book.unit.key, "unit_name": book.unit.name,
            "event_type": book.event_type, "year": book.year, "volume": book.volume,
            "entries": self.entries, "first_number": self.first_number,
            "last_number": self.last_number, "gaps": [list(g) for g in self.gaps],
            "closed": self.closed, "closed_at": book.closed_at.isoformat() if book.closed_at else None,
            "total_entries": book.total_entries, "total_pages": book.total_pages,
            "unclosed_past": self.unclosed_past, "corrections": self.corrections,
            "notes_by_kind": self.notes_by_kind, "clean": self.clean,
        }


def numbering_gaps(book: RegisterBook, stats: dict | None = None) -> list[tuple[int, int]]:
    """Missing numbers of the book, without window functions (SQLite too): the counts tell
    whether anything is missing; only then the numbers whose successor is absent are read."""
    entries = RegisterEntry.objects.filter(book=book)
    if stats is None:
        stats = entries.aggregate(n=Count("pk"), low=Min("number"), high=Max("number"))
    if not stats["n"]:
        return []
    expected_low = book.first_number
    if stats["low"] == expected_low and stats["high"] - stats["low"] + 1 == stats["n"]:
        return []
    gaps = []
    if stats["low"] > expected_low:
        gaps.append((expected_low, stats["low"] - 1))
    successor = RegisterEntry.objects.filter(book=book, number=OuterRef("number") + 1)
    ends = (entries.filter(number__lt=stats["high"]).filter(~Exists(successor))
            .values_list("number", flat=True).order_by("number"))
    for end in ends:
        following = entries.filter(number__gt=end).aggregate(m=Min("number"))["m"]
        gaps.append((end + 1, following - 1))
    return gaps


def book_evidence(units, year: int, *, as_of: datetime.date | None = None) -> list[BookEvidence]:
    """Evidence per book of the units (and everything below them) for ``year``, plus the books
    of earlier years still open on ``as_of`` (default today): entries, numbering gaps (there
    must be none), whether the book is closed, corrections in the margin."""
    as_of = as_of or timezone.localdate()
    books = (RegisterBook.objects.filter(_units_q(units))
             .filter(Q(year=year) | Q(year__lt=as_of.year, closed_at__isnull=True))
             .select_related("unit", "closed_by").order_by("unit__path", "event_type", "year",
                                                            "volume"))
    books = list(books)
    stats = {row["book"]: row for row in RegisterEntry.objects.filter(book__in=books)
             .values("book").annotate(n=Count("pk"), low=Min("number"), high=Max("number"))}
    notes: dict[int, Counter] = defaultdict(Counter)
    for row in (MarginalNote.objects.filter(entry__book__in=books)
                .values("entry__book", "kind").annotate(n=Count("pk"))):
        notes[row["entry__book"]][row["kind"]] = row["n"]
    evidence = []
    for book in books:
        row = stats.get(book.pk, {"n": 0, "low": None, "high": None})
        by_kind = dict(notes.get(book.pk, {}))
        evidence.append(BookEvidence(
            book=book, entries=row["n"], first_number=row["low"], last_number=row["high"],
            gaps=numbering_gaps(book, row), closed=book.is_closed,
            unclosed_past=not book.is_closed and book.year < as_of.year,
            corrections=sum(by_kind.get(k, 0) for k in
                            (NoteKind.CORRECTION, NoteKind.CHANGE, NoteKind.ADDITION)),
            notes_by_kind=by_kind,
        ))
    return evidence


def unclosed_past_books(units, *, as_of: datetime.date | None = None) -> QuerySet[RegisterBook]:
    as_of = as_of or timezone.localdate()
    return RegisterBook.objects.filter(_units_q(units), year__lt=as_of.year,
                                       closed_at__isnull=True).select_related("unit")


def report_roots(user):
    """The units a report covers: everything the user may see."""
    if user.is_superuser:
        return AdministrativeUnit.objects.filter(parent__isnull=True)
    from cchc.core.permissions import visible_units

    return visible_units(user)


def years_with_books(user) -> list[int]:
    return sorted(set(visible_books(user).values_list("year", flat=True)), reverse=True)


def annotate_book_counts(queryset: QuerySet[RegisterBook]) -> QuerySet[RegisterBook]:
    return queryset.annotate(count=F("last_number") - F("first_number") + 1)
