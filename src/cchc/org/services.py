"""Writes of administrative units and agencies.

Units come from the ``vietnam-provinces`` package. ``load_units`` loads, for one post-2025
province, its two-tier tree (era ``2025``) and the three-tier trees of every pre-2025 province
merged into it (era ``pre2025``), with the ``successors`` links of the package's old->new table.

Choices the package does not make for us:
- Codes are the GSO codes, zero-padded as the GSO publishes them: province 2 digits ("01",
  "82"), district 3 ("868"), commune 5 ("00004", "30280").
- Which old provinces merged into a new one is derived from the commune table (an old province
  merged into the new provinces its communes went to), locating every old commune in the
  package's own pre-2025 tree. The package's province table, built from the province column of
  the commune table, also lists old 82 (Tiền Giang) under new 80 (Tây Ninh) because one row
  there (Phường 4, Thành phố Tân An) carries 82 although that ward is in Long An (old 80).
- Island districts that the package lists without any commune (Bạch Long Vĩ, Cồn Cỏ, Hoàng
  Sa, Lý Sơn, Côn Đảo) have no row in the commune table; each maps to the new unit of the same
  name (the "đặc khu") in its successor province that has no predecessor of its own.
- Nothing is ever deleted: a unit that disappeared from the package stays as it was. Successor
  links of the loaded old units are made to match the package (links to a new unit that is not
  loaded are added when that unit's province is loaded).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.errors import InvalidInput
from cchc.textfold import fold

from .models import (
    OLD_TREE_END,
    REFORM_DATE,
    AdministrativeUnit,
    Agency,
    AgencyKind,
    Era,
    Level,
    agency_code_validator,
)

CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
_BATCH = 500


def unit_code(value: int | str, level: str) -> str:
    """The GSO code as stored: zero-padded to the width of its level ("1" -> "01")."""
    return str(int(value)).zfill(CODE_WIDTH[level])


# --- the package, indexed once per process ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Division:
    code: str
    name: str
    division_type: str


@dataclasses.dataclass(frozen=True)
class _PackageIndex:
    new_provinces: dict[str, _Division]
    new_communes: dict[str, list[_Division]]  # new province -> its communes
    old_provinces: dict[str, _Division]
    old_districts: dict[str, list[_Division]]  # old province -> its districts
    old_communes: dict[str, list[_Division]]  # old district -> its communes
    commune_successors: dict[str, tuple[str, ...]]  # old commune -> new communes
    new_commune_province: dict[str, str]
    new_communes_with_predecessors: frozenset[str]
    province_successors: dict[str, tuple[str, ...]]  # old province -> new provinces
    province_predecessors: dict[str, tuple[str, ...]]  # new province -> old provinces


def _division(item, level: str) -> _Division:
    return _Division(unit_code(item.code.value, level), item.name, str(item.division_type.value))


@functools.cache
def _package() -> _PackageIndex:
    import vietnam_provinces as vp
    from vietnam_provinces import legacy

    new_provinces = {
        p.code: p for p in (_division(p, Level.PROVINCE) for p in vp.Province.iter_all())
    }
    old_provinces = {
        p.code: p for p in (_division(p, Level.PROVINCE) for p in legacy.Province.iter_all())
    }
    old_districts: dict[str, list[_Division]] = defaultdict(list)
    for d in legacy.District.iter_all():
        old_districts[unit_code(d.province_code.value, Level.PROVINCE)].append(
            _division(d, Level.DISTRICT)
        )
    old_communes: dict[str, list[_Division]] = defaultdict(list)
    old_commune_district: dict[str, str] = {}
    for w in legacy.Ward.iter_all():
        district = unit_code(w.district_code.value, Level.DISTRICT)
        old_communes[district].append(_division(w, Level.COMMUNE))
        old_commune_district[unit_code(w.code.value, Level.COMMUNE)] = district
    district_province = {
        d.code: p for p, districts in old_districts.items() for d in districts
    }

    new_communes: dict[str, list[_Division]] = defaultdict(list)
    new_commune_province: dict[str, str] = {}
    successors: dict[str, list[str]] = defaultdict(list)
    for w in vp.Ward.iter_all():
        province = unit_code(w.province_code.value, Level.PROVINCE)
        division = _division(w, Level.COMMUNE)
        new_communes[province].append(division)
        new_commune_province[division.code] = province
        # The public old->new mapping: each new commune lists the old communes it took over.
        for old in w.get_legacy_sources():
            successors[unit_code(old.code.value, Level.COMMUNE)].append(division.code)

    province_successors: dict[str, set[str]] = defaultdict(set)
    for old_code, new_codes in successors.items():
        old_province = district_province[old_commune_district[old_code]]
        province_successors[old_province].update(new_commune_province[c] for c in new_codes)
    province_predecessors: dict[str, set[str]] = defaultdict(set)
    for old_province, new_codes in province_successors.items():
        for new_province in new_codes:
            province_predecessors[new_province].add(old_province)

    return _PackageIndex(
        new_provinces=new_provinces,
        new_communes={k: sorted(v, key=lambda d: d.code) for k, v in new_communes.items()},
        old_provinces=old_provinces,
        old_districts={k: sorted(v, key=lambda d: d.code) for k, v in old_districts.items()},
        old_communes={k: sorted(v, key=lambda d: d.code) for k, v in old_communes.items()},
        commune_successors={k: tuple(sorted(set(v))) for k, v in successors.items()},
        new_commune_province=new_commune_province,
        new_communes_with_predecessors=frozenset(c for v in successors.values() for c in v),
        province_successors={k: tuple(sorted(v)) for k, v in province_successors.items()},
        province_predecessors={k: tuple(sorted(v)) for k, v in province_predecessors.items()},
    )


def province_codes() -> list[str]:
    """The codes of the 34 provinces and centrally-run cities since 1/7/2025."""
    return sorted(_package().new_provinces)


def predecessor_province_codes(province_code: str) -> list[str]:
    """The pre-2025 provinces merged into a post-2025 one (e.g. "82" -> ["82", "87"])."""
    return list(_package().province_predecessors.get(_province_code(province_code), ()))


def _province_code(value: str) -> str:
    text = str(value).strip()
    if text.isdigit() and len(text) <= 2:
        code = unit_code(text, Level.PROVINCE)
        if code in _package().new_provinces:
            return code
    raise InvalidInput(
        _("Mã tỉnh “%(code)s” không đúng: phải là mã của một trong 34 tỉnh, thành phố "
          "từ 01/7/2025: %(codes)s.") % {"code": value, "codes": ", ".join(province_codes())},
        code="unknown_province",
        fields={"province": _("Mã tỉnh không đúng.")},
    )


def _bare_name(division: _Division) -> str:
    """"Huyện Côn Đảo" -> "con dao": the name without its division type, folded."""
    folded, prefix = fold(division.name), fold(division.division_type)
    if folded.startswith(prefix + " "):
        folded = folded[len(prefix) + 1:]
    return folded


# --- loading -----------------------------------------------------------------------------


@dataclasses.dataclass
class LoadResult:
    """What ``load_units`` did. Counts are keyed by (era, level)."""

    province_code: str
    province_name: str
    predecessor_codes: list[str]
    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)
    unchanged: int = 0
    successors_added: int = 0
    successors_removed: int = 0
    seconds: float = 0.0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def changed(self) -> bool:
        return bool(
            self.total_created or self.total_updated
            or self.successors_added or self.successors_removed
        )

    def summary(self) -> str:
        """One line in Vietnamese, for the command line."""
        def label(level: str, n: int) -> str:
            if level == Level.PROVINCE:
                return ngettext("%(n)s tỉnh", "%(n)s tỉnh", n) % {"n": n}
            if level == Level.DISTRICT:
                return ngettext("%(n)s huyện", "%(n)s huyện", n) % {"n": n}
            return ngettext("%(n)s xã", "%(n)s xã", n) % {"n": n}

        def counts(counter: Counter, era: str) -> str:
            parts = [
                label(level, counter[(era, level)])
                for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
                if counter[(era, level)]
            ]
            return ", ".join(parts) or "0"

        return _(
            "%(name)s (%(code)s), gồm các tỉnh cũ %(old)s: "
            "tạo mới %(new_2025)s (từ 01/7/2025) và %(new_old)s (trước 01/7/2025); "
            "cập nhật %(updated)s; giữ nguyên %(unchanged)s; "
            "liên kết kế thừa +%(added)s/−%(removed)s; %(seconds).2f giây."
        ) % {
            "name": self.province_name,
            "code": self.province_code,
            "old": ", ".join(self.predecessor_codes),
            "new_2025": counts(self.created, Era.CURRENT),
            "new_old": counts(self.created, Era.PRE_2025),
            "updated": self.total_updated,
            "unchanged": self.unchanged,
            "added": self.successors_added,
            "removed": self.successors_removed,
            "seconds": self.seconds,
        }


@dataclasses.dataclass(frozen=True)
class _Row:
    era: str
    level: str
    division: _Division
    parent: tuple[str, str] | None  # (era, code)

    @property
    def key(self) -> tuple[str, str]:
        return (self.era, self.division.code)


_UNIT_FIELDS = (
    "name", "division_type", "level", "parent_id", "path", "valid_from", "valid_to", "name_folded",
)


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_units(province_code: str, *, progress: bool = False) -> LoadResult:
    """Load one post-2025 province and the pre-2025 provinces merged into it, idempotently.

    Era ``2025``: the province and its communes (valid from 1/7/2025). Era ``pre2025``: every
    merged old province with its districts and communes (valid until 30/6/2025). Successors:
    old commune -> the new communes that took it over; old district -> the distinct new
    communes of its communes; old province -> the new province. One transaction.
    """
    started = time.monotonic()
    bar = _NoProgress()
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=_("Đọc danh mục đơn vị hành chính"), total=1, unit=" " + _("đơn vị"),
                   file=sys.stderr, leave=False)
    try:
        return _load_units(province_code, bar, started)
    finally:
        bar.close()


def _load_units(province_code: str, bar, started: float) -> LoadResult:
    code = _province_code(province_code)
    index = _package()
    province = index.new_provinces[code]
    old_codes = list(index.province_predecessors.get(code, ()))
    result = LoadResult(code, province.name, old_codes)

    layers: list[list[_Row]] = [[_Row(Era.CURRENT, Level.PROVINCE, province, None)], [], []]
    layers[1] += [
        _Row(Era.CURRENT, Level.COMMUNE, c, (Era.CURRENT, code)) for c in index.new_communes[code]
    ]
    for old_code in old_codes:
        layers[0].append(_Row(Era.PRE_2025, Level.PROVINCE, index.old_provinces[old_code], None))
        for district in index.old_districts.get(old_code, ()):
            layers[1].append(
                _Row(Era.PRE_2025, Level.DISTRICT, district, (Era.PRE_2025, old_code))
            )
            layers[2] += [
                _Row(Era.PRE_2025, Level.COMMUNE, c, (Era.PRE_2025, district.code))
                for c in index.old_communes.get(district.code, ())
            ]

    if not isinstance(bar, _NoProgress):
        bar.total = 1 + 2 * sum(len(layer) for layer in layers)
        bar.set_description(province.name)
    bar.update(1)
    with transaction.atomic():
        known: dict[tuple[str, str], tuple[int, str]] = {}
        for layer in layers:
            _upsert(layer, known, result, bar)
        _sync_successors(layers, known, index, result, bar)
    result.seconds = time.monotonic() - started
    return result


def _upsert(rows: list[_Row], known: dict, result: LoadResult, bar) -> None:
    """Create missing units, update changed ones; record (pk, path) of each in ``known``."""
    existing: dict[tuple[str, str], AdministrativeUnit] = {}
    by_era: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_era[row.era].append(row.division.code)
    for era, codes in by_era.items():
        for chunk in _chunks(codes):
            for unit in AdministrativeUnit.objects.filter(era=era, code__in=chunk):
                existing[(unit.era, unit.code)] = unit

    to_create: list[AdministrativeUnit] = []
    to_update: list[AdministrativeUnit] = []
    for row in rows:
        parent_id, parent_path = known[row.parent] if row.parent else (None, "")
        current = row.era == Era.CURRENT
        values = {
            "name": row.division.name,
            "division_type": row.division.division_type,
            "level": row.level,
            "parent_id": parent_id,
            "path": f"{parent_path}{row.division.code}/",
            "valid_from": REFORM_DATE if current else None,
            "valid_to": None if current else OLD_TREE_END,
            "name_folded": fold(row.division.name),
        }
        unit = existing.get(row.key)
        if unit is None:
            to_create.append(AdministrativeUnit(era=row.era, code=row.division.code, **values))
            continue
        changed = False
        for field, value in values.items():
            if getattr(unit, field) != value:
                setattr(unit, field, value)
                changed = True
        if changed:
            to_update.append(unit)
            result.updated[(row.era, row.level)] += 1
        else:
            result.unchanged += 1
        known[row.key] = (unit.pk, values["path"])

    for chunk in _chunks(to_create):
        AdministrativeUnit.objects.bulk_create(chunk)
        bar.update(len(chunk))
    for chunk in _chunks(to_update):
        AdministrativeUnit.objects.bulk_update(chunk, _UNIT_FIELDS)
        bar.update(len(chunk))
    bar.update(len(rows) - len(to_create) - len(to_update))

    missing_pk = [u for u in to_create if u.pk is None]
    if missing_pk:  # pragma: no cover - only on databases that cannot return ids from inserts
        for unit in missing_pk:
            unit.pk = AdministrativeUnit.objects.only("pk").get(era=unit.era, code=unit.code).pk
    for unit in to_create:
        known[(unit.era, unit.code)] = (unit.pk, unit.path)
        result.created[(unit.era, unit.level)] += 1


def _sync_successors(layers, known: dict, index: _PackageIndex, result: LoadResult, bar) -> None:
    """Make the successor links of the loaded old units match the package."""
    old_rows = [row for layer in layers for row in layer if row.era == Era.PRE_2025]
    if not old_rows:
        return
    wanted: dict[tuple[str, str], set[str]] = {}
    district_communes: dict[str, list[str]] = defaultdict(list)
    for row in old_rows:
        if row.level == Level.COMMUNE:
            successors = set(index.commune_successors.get(row.division.code, ()))
            wanted[row.key] = successors
            district_communes[row.parent[1]].append(row.division.code)
    for row in old_rows:
        if row.level == Level.PROVINCE:
            wanted[row.key] = set(index.province_successors.get(row.division.code, ()))
        elif row.level == Level.DISTRICT:
            successors = set()
            for commune in district_communes.get(row.division.code, ()):
                successors |= wanted[(Era.PRE_2025, commune)]
            if not successors:
                successors = _island_successors(row, index)
            wanted[row.key] = successors

    new_ids = {code: pk for (era, code), (pk, _path) in known.items() if era == Era.CURRENT}
    outside = sorted({c for codes in wanted.values() for c in codes} - set(new_ids))
    for chunk in _chunks(outside):
        new_ids.update(
            AdministrativeUnit.objects.filter(era=Era.CURRENT, code__in=chunk).values_list(
                "code", "pk"
            )
        )
    desired = {
        (known[key][0], new_ids[code])
        for key, codes in wanted.items()
        for code in codes
        if code in new_ids
    }

    through = AdministrativeUnit.successors.through
    roots = Q(pk__in=[])
    for row in layers[0]:
        if row.era == Era.PRE_2025:
            roots |= Q(
                from_administrativeunit__era=Era.PRE_2025,
                from_administrativeunit__path__startswith=f"{row.division.code}/",
            )
    existing = {
        (src, dst): pk
        for pk, src, dst in through.objects.filter(roots).values_list(
            "pk", "from_administrativeunit_id", "to_administrativeunit_id"
        )
    }
    to_add = sorted(desired - set(existing))
    to_remove = [pk for link, pk in existing.items() if link not in desired]
    for chunk in _chunks(to_add, 2000):
        through.objects.bulk_create(
            [through(from_administrativeunit_id=s, to_administrativeunit_id=d) for s, d in chunk],
            ignore_conflicts=True,
        )
    for chunk in _chunks(to_remove):
        through.objects.filter(pk__in=chunk).delete()
    result.successors_added = len(to_add)
    result.successors_removed = len(to_remove)
    bar.update(sum(len(layer) for layer in layers))


def _island_successors(row: _Row, index: _PackageIndex) -> set[str]:
    bare = _bare_name(row.division)
    old_province = row.parent[1]
    return {
        commune.code
        for new_province in index.province_successors.get(old_province, ())
        for commune in index.new_communes.get(new_province, ())
        if commune.code not in index.new_communes_with_predecessors
        and _bare_name(commune) == bare
    }


# --- agencies ----------------------------------------------------------------------------

_AGENCY_FIELDS = ("code", "name", "kind", "parent", "is_home_affairs", "active")
_AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}$")


def normalize_agency_code(code: str | None) -> str:
    return (code or "").strip().upper()


def _agency_errors(
    *, agency: Agency | None, unit: AdministrativeUnit | None, code: str, name: str, kind: str,
    parent: Agency | None, is_home_affairs: bool, active: bool,
) -> dict[str, tuple[str, str]]:
    """Problems as {field: (machine code, Vietnamese message)}."""
    errors: dict[str, tuple[str, str]] = {}
    if unit is None:
        errors["unit"] = ("required", _("Cần chọn đơn vị hành chính."))
    if not _AGENCY_CODE_RE.match(code):
        errors["code"] = ("invalid_agency_code", str(agency_code_validator.message))
    else:
        clash = Agency.objects.filter(code=code)
        if agency is not None:
            clash = clash.exclude(pk=agency.pk)
        if clash.exists():
            errors["code"] = (
                "duplicate_agency_code",
                _("Mã định danh %(code)s đã được dùng cho cơ quan khác.") % {"code": code},
            )
    if not name.strip():
        errors["name"] = ("required", _("Cần nhập tên cơ quan."))
    elif len(name.strip()) > Agency._meta.get_field("name").max_length:
        errors["name"] = ("too_long", _("Tên cơ quan quá dài (tối đa 200 ký tự)."))
    if kind not in AgencyKind.values:
        errors["kind"] = ("invalid_choice", _("Loại cơ quan không hợp lệ."))
    if is_home_affairs and kind not in (AgencyKind.DEPARTMENT, AgencyKind.OFFICE):
        errors["is_home_affairs"] = (
            "invalid_home_affairs",
            _("Chỉ Sở hoặc Phòng chuyên môn mới có thể là cơ quan nội vụ."),
        )
    elif is_home_affairs and active and unit is not None:
        others = Agency.objects.filter(unit=unit, is_home_affairs=True, active=True)
        if agency is not None:
            others = others.exclude(pk=agency.pk)
        if other := others.first():
            errors["is_home_affairs"] = (
                "home_affairs_exists",
                _("Đơn vị này đã có cơ quan nội vụ: %(name)s.") % {"name": other.name},
            )
    if parent is not None and unit is not None:
        if agency is not None and parent.pk == agency.pk:
            errors["parent"] = ("invalid_parent", _("Cơ quan không thể trực thuộc chính nó."))
        elif parent.unit.era != unit.era or not unit.path.startswith(parent.unit.path):
            errors["parent"] = (
                "invalid_parent",
                _("Cơ quan chủ quản phải thuộc cùng đơn vị hoặc đơn vị cấp trên."),
            )
        elif agency is not None and _is_below(parent, agency):
            errors["parent"] = (
                "invalid_parent", _("Cơ quan chủ quản không được là cơ quan cấp dưới của nó."),
            )
    return errors


def _is_below(candidate: Agency, agency: Agency) -> bool:
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.pk == agency.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _raise(errors: dict[str, tuple[str, str]]) -> None:
    if errors:
        first_code, first_message = next(iter(errors.values()))
        raise InvalidInput(
            first_message, code=first_code, fields={f: m for f, (_c, m) in errors.items()}
        )


def validate_agency(*, agency: Agency | None = None, **values) -> None:
    """Check the values of a new (``agency=None``) or changed agency; raise ``InvalidInput``."""
    current = {
        "unit": agency.unit if agency else None,
        "code": agency.code if agency else "",
        "name": agency.name if agency else "",
        "kind": agency.kind if agency else "",
        "parent": agency.parent if agency else None,
        "is_home_affairs": agency.is_home_affairs if agency else False,
        "active": agency.active if agency else True,
    }
    current.update(values)
    current["code"] = normalize_agency_code(current["code"])
    current["name"] = (current["name"] or "").strip()
    _raise(_agency_errors(agency=agency, **current))


def create_agency(
    *, unit: AdministrativeUnit, code: str, name: str, kind: str, parent: Agency | None = None,
    is_home_affairs: bool = False, active: bool = True,
) -> Agency:
    """Create an agency of ``unit`` with its 13-character e-ID ``code``."""
    values = {
        "unit": unit, "code": normalize_agency_code(code), "name": (name or "").strip(),
        "kind": kind, "parent": parent, "is_home_affairs": bool(is_home_affairs),
        "active": bool(active),
    }
    with transaction.atomic():
        validate_agency(**values)
        agency = Agency(**values)
        _save(agency)
    return agency


def update_agency(agency: Agency, **changes) -> Agency:
    """Change ``code``, ``name``, ``kind``, ``parent``, ``is_home_affairs`` or ``active``."""
    unknown = set(changes) - set(_AGENCY_FIELDS)
    if unknown:
        raise InvalidInput(
            _("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
        )
    if "code" in changes:
        changes["code"] = normalize_agency_code(changes["code"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    with transaction.atomic():
        locked = (
            Agency.objects.select_for_update(of=("self",))
            .select_related("unit", "parent")
            .get(pk=agency.pk)
        )
        validate_agency(agency=locked, **changes)
        for field, value in changes.items():
            setattr(locked, field, value)
        _save(locked)
    for field in (*_AGENCY_FIELDS, "name_folded"):
        setattr(agency, field, getattr(locked, field))
    return agency


def _save(agency: Agency) -> None:
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError as exc:  # a concurrent writer took the code or the home-affairs slot
        raise InvalidInput(
            _("Mã định danh hoặc cơ quan nội vụ của đơn vị vừa được người khác sử dụng, "
              "vui lòng kiểm tra lại."),
            code="conflict",
        ) from exc


# --- the usual agencies of a unit, with deterministic e-ID codes -------------------------
#
# Layout A1A2A3.B1B2.C1C2.Hpp (QCVN 102:2016/BTTTT: level-4 . level-3 . level-2 . province).
# Hpp is "H" + the province's GSO code in the unit's era (new 82 -> H82, old 87 -> H87).
# Old and new provinces share codes (old 82 Tiền Giang, new 82 Đồng Tháp), so the eras use
# disjoint halves of C1C2:
#   era 2025     C1C2 00        the province's agencies, B1B2 = 00, C1C2 = slot (see below)
#                C1C2 20-49     communes: the n-th commune of the province by code (n from 0)
#                               has C1C2 = 20 + n // 99 and B1B2 = 01 + n % 99
#   era pre2025  C1C2 50-59     the province's agencies (50 + slot)
#                C1C2 60-99     the j-th district of the province by code (j from 1) has
#                               C1C2 = 59 + j; its offices B1B2 = 01-09; its c-th commune
#                               (c from 1) has B1B2 = 09 + c
# A1A2A3 is 000 for the unit's own agency and 001 for a desk inside a commune.
# Province slots: 00 UBND, 01 Sở Nội vụ, 02 Trung tâm Phục vụ hành chính công, 03+ Sở.
# The real codes are assigned by each province; these are only plausible and unique.

_PROVINCE_DEPARTMENTS = {
    Era.CURRENT: [
        "Sở Tư pháp", "Sở Tài chính", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
        "Sở Y tế", "Sở Giáo dục và Đào tạo",
    ],
    Era.PRE_2025: [
        "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường",
        "Sở Lao động - Thương binh và Xã hội", "Sở Giao thông vận tải", "Sở Y tế",
    ],
}


@dataclasses.dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    is_home_affairs: bool = False
    parent_code: str | None = None


def _of(unit: AdministrativeUnit) -> str:
    """"Tỉnh Đồng Tháp" -> "tỉnh Đồng Tháp"; numbered names keep their capital ("Phường 4")."""
    name = unit.name
    if name and not name.split()[-1].isdigit():
        name = name[0].lower() + name[1:]
    return name


def _province_of(unit: AdministrativeUnit) -> str:
    return unit.path.split("/", 1)[0]


def _rank(unit: AdministrativeUnit, cache: dict) -> int:
    """0-based position of ``unit`` among its siblings, by code."""
    if unit.parent_id not in cache:
        cache[unit.parent_id] = {
            code: i
            for i, code in enumerate(
                AdministrativeUnit.objects.filter(parent_id=unit.parent_id)
                .order_by("code").values_list("code", flat=True)
            )
        }
    return cache[unit.parent_id][unit.code]


def _eid(a: int, b: int, c: int, province: str) -> str:
    return f"{a:03d}.{b:02d}.{c:02d}.H{province}"


def standard_agencies_for(
    unit: AdministrativeUnit, *, _ranks: dict | None = None
) -> list[AgencySpec]:
    """The usual agencies of ``unit`` (not saved), the first being its People's Committee."""
    ranks = {} if _ranks is None else _ranks
    province = _province_of(unit)
    of = _of(unit)
    ubnd = f"Ủy ban nhân dân {of}"
    if unit.level == Level.PROVINCE:
        base = 0 if unit.era == Era.CURRENT else 50
        head = _eid(0, 0, base, province)
        specs = [
            AgencySpec(head, ubnd, AgencyKind.PEOPLES_COMMITTEE),
            AgencySpec(_eid(0, 0, base + 1, province), f"Sở Nội vụ {of}",
                       AgencyKind.DEPARTMENT, True, head),
            AgencySpec(_eid(0, 0, base + 2, province),
                       f"Trung tâm Phục vụ hành chính công {of}", AgencyKind.SERVICE_CENTRE,
                       False, head),
        ]
        specs += [
            AgencySpec(_eid(0, 0, base + 3 + i, province), f"{name} {of}",
                       AgencyKind.DEPARTMENT, False, head)
            for i, name in enumerate(_PROVINCE_DEPARTMENTS[unit.era])
        ]
        return specs
    if unit.level == Level.DISTRICT:
        c = 60 + _rank(unit, ranks)
        head = _eid(0, 0, c, province)
        return [
            AgencySpec(head, ubnd, AgencyKind.PEOPLES_COMMITTEE),
            AgencySpec(_eid(0, 1, c, province), f"Phòng Nội vụ {of}", AgencyKind.OFFICE,
                       True, head),
            AgencySpec(_eid(0, 2, c, province), f"Bộ phận Tiếp nhận và Trả kết quả {of}",
                       AgencyKind.RECEPTION_DESK, False, head),
            AgencySpec(_eid(0, 3, c, province), f"Phòng Tư pháp {of}", AgencyKind.OFFICE,
                       False, head),
        ]
    if unit.era == Era.CURRENT:
        n = _rank(unit, ranks)
        b, c = 1 + n % 99, 20 + n // 99
        desk = AgencySpec(_eid(1, b, c, province), f"Trung tâm Phục vụ hành chính công {of}",
                          AgencyKind.SERVICE_CENTRE, False, _eid(0, b, c, province))
    else:
        district = unit.parent
        b, c = 10 + _rank(unit, ranks), 60 + _rank(district, ranks)
        desk = AgencySpec(_eid(1, b, c, province), f"Bộ phận Tiếp nhận và Trả kết quả {of}",
                          AgencyKind.RECEPTION_DESK, False, _eid(0, b, c, province))
    if b > 99 or c > 99:  # pragma: no cover - no province or district is that large
        raise InvalidInput(_("Đơn vị có quá nhiều đơn vị cùng cấp để sinh mã định danh."))
    return [AgencySpec(_eid(0, b, c, province), ubnd, AgencyKind.PEOPLES_COMMITTEE), desk]


def ensure_standard_agencies(
    units: AdministrativeUnit | Iterable[AdministrativeUnit],
) -> list[Agency]:
    """Create the usual agencies of the given units where missing (matched by code).

    Idempotent: an agency whose code exists is left as it is (an administrator may have
    renamed it). Returns the agencies of the specs, existing or new, in spec order.
    """
    if isinstance(units, AdministrativeUnit):
        units = [units]
    units = list(units)
    ranks: dict = {}
    planned: list[tuple[AdministrativeUnit, AgencySpec]] = [
        (unit, spec) for unit in units for spec in standard_agencies_for(unit, _ranks=ranks)
    ]
    codes = [spec.code for _unit, spec in planned]

    def fetch(wanted: list[str]) -> None:
        for chunk in _chunks(wanted):
            by_code.update((a.code, a) for a in Agency.objects.filter(code__in=chunk))

    with transaction.atomic():
        by_code: dict[str, Agency] = {}
        fetch(codes)
        # A People's Committee has no parent and is every other agency's parent: two passes.
        for depth in (0, 1):
            batch = []
            for unit, spec in planned:
                if spec.code in by_code or (spec.parent_code is None) != (depth == 0):
                    continue
                home_affairs = spec.is_home_affairs and not Agency.objects.filter(
                    unit=unit, is_home_affairs=True, active=True
                ).exists()
                batch.append(Agency(
                    unit=unit, code=spec.code, name=spec.name, name_folded=fold(spec.name),
                    kind=spec.kind, is_home_affairs=home_affairs,
                    parent=by_code.get(spec.parent_code) if spec.parent_code else None,
                ))
            for chunk in _chunks(batch):
                # A concurrent run may have created some: theirs are kept.
                Agency.objects.bulk_create(chunk, ignore_conflicts=True)
            fetch([a.code for a in batch])
    return [by_code[code] for code in codes]
