"""Import of procedures from files with the national database's attributes (CSV, JSON, XLSX).

One row per procedure. Columns (header names as below; order free):

  base_code      mã thủ tục, d.dddddd                                        required
  name           tên thủ tục                                                 required
  level          province | district | commune (or "Cấp tỉnh", "Cấp huyện", "Cấp xã")
  agency_code    e-ID of the agency completing the local code (xxx.xx.xx.Hnn) required
  field          lĩnh vực, by code or name                                   required
  time_direct, time_online, time_postal
                 processing time in working days per way of filing (0 = same day, halves
                 allowed); empty = not offered that way; at least one is required
  fee            VND, whole ("50.000" reads as 50000), the same for every way of filing
  components     JSON list of {"name", "originals", "certified_copies", "copies",
                 "form_template"} or "name|original|certified|copy[|form];..."
  subjects, conditions, result, legal_basis, steps, fee_note, time_note   text
  online_level   full | partial | empty (or "toàn trình", "một phần")
  implementing_agency       optional e-ID of the implementing agency
  implementing_agency_name  optional, as published ("Ủy ban nhân dân cấp xã")
  effective_from optional YYYY-MM-DD (default: the --effective-from option, else today)

Row numbers are those the user sees: the header is row 1 of a CSV or XLSX file; in a JSON
array the first object is row 1; in JSON Lines the row is the line number.

Idempotency: a row identical to the recorded procedure changes nothing. A changed row
corrects the recorded version in place only while the procedure has no announcement history;
otherwise the row is rejected as a conflict (changes then come from an announcement decision).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.errors import DomainError, InvalidInput
from cchc.org.models import REFORM_DATE, Agency
from cchc.textfold import fold

from . import services
from .models import Procedure, ProcedureLevel, base_code_validator

REQUIRED_COLUMNS = ("base_code", "name", "level", "agency_code", "field")
COLUMNS = (*REQUIRED_COLUMNS, "time_direct", "time_online", "time_postal", "fee", "components",
           "subjects", "conditions", "result", "legal_basis", "online_level")
OPTIONAL_COLUMNS = ("implementing_agency", "implementing_agency_name", "steps", "fee_note",
                    "time_note", "effective_from")
TIME_COLUMNS = {"time_direct": "direct", "time_online": "online", "time_postal": "postal"}
FORMATS = ("csv", "json", "xlsx")

_LEVEL_WORDS = {
    "province": ProcedureLevel.PROVINCE, "tinh": ProcedureLevel.PROVINCE,
    "cap tinh": ProcedureLevel.PROVINCE,
    "district": ProcedureLevel.DISTRICT, "huyen": ProcedureLevel.DISTRICT,
    "cap huyen": ProcedureLevel.DISTRICT,
    "commune": ProcedureLevel.COMMUNE, "xa": ProcedureLevel.COMMUNE,
    "cap xa": ProcedureLevel.COMMUNE,
}
_ONLINE_WORDS = {"": "", "full": "full", "toan trinh": "full", "partial": "partial",
                 "mot phan": "partial"}
_SAME_DAY = {"trong ngay", "ngay trong ngay", "same day"}
_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        where = _("dòng %(row)s") % {"row": self.row}
        if self.column:
            where += _(", cột %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    written: bool = False

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})


class FileError(InvalidInput):
    code = "unreadable_file"


# --- reading -------------------------------------------------------------------------------


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        return declared
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "json"
    if suffix in FORMATS:
        return suffix
    raise FileError(_("Không nhận ra định dạng tệp %(name)s; hãy dùng --format csv|json|xlsx.")
                    % {"name": path.name})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path, fmt: str | None = None) -> Iterator[tuple[int, dict]]:
    """(row number, {column: value}) for each data row."""
    fmt = detect_format(path, fmt)
    try:
        if fmt == "csv":
            yield from _read_csv(path)
        elif fmt == "json":
            yield from _read_json(path)
        else:
            yield from _read_xlsx(path)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, csv.Error, RecursionError) as exc:
        raise FileError(_("Không đọc được tệp %(name)s: %(error)s")
                        % {"name": path.name, "error": exc}) from None


def _read_csv(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)  # Excel in Vietnamese locales writes ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    _check_header(reader.fieldnames or [])
    for number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue
        yield number, {(k or "").strip(): (v or "").strip() if isinstance(v, str) else v
                       for k, v in row.items() if k is not None}


def _read_json(path: Path):
    text = path.read_text(encoding="utf-8-sig")
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileError(_("Tệp JSON không hợp lệ (dòng %(line)s): %(error)s")
                            % {"line": exc.lineno, "error": exc.msg}) from None
        items = list(enumerate(data, start=1))
    else:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                items.append((number, exc))
    for number, item in items:
        if isinstance(item, json.JSONDecodeError):
            yield number, {"__error__": _("Dòng JSON không hợp lệ: %(error)s") % {"error": item.msg}}
        elif not isinstance(item, dict):
            yield number, {"__error__": _("Mỗi thủ tục phải là một đối tượng JSON.")}
        else:
            yield number, {str(k).strip(): v for k, v in item.items()}


def _read_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError(_("Không đọc được tệp Excel %(name)s: %(error)s")
                        % {"name": path.name, "error": exc}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(h) for h in next(rows, [])]
    _check_header(header)
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        row = {}
        for name, value in zip(header, values, strict=False):
            if not name:
                continue
            if name == "base_code" and isinstance(value, float):
                value = f"{value:.6f}"  # Excel turned 1.001193 into a number
            row[name] = value if isinstance(value, int | float) and name != "base_code" else _cell(value)
        yield number, row
    workbook.close()


def _check_header(header: list[str]):
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileError(_("Dòng 1 (tiêu đề) thiếu cột: %(columns)s.")
                        % {"columns": ", ".join(missing)})


# --- parsing -------------------------------------------------------------------------------


def parse_components(value) -> list[dict]:
    """A JSON list (or the list itself) of components, or "name|original|certified|copy[|form]"
    entries separated by ";" or new lines."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        items = value
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(_("JSON thành phần hồ sơ không hợp lệ: %(error)s")
                                 % {"error": exc.msg}) from None
        else:
            items = [part for part in re.split(r"[;\n]", text) if part.strip()]
    components = []
    for item in items:
        if isinstance(item, dict):
            components.append(item)
            continue
        parts = [p.strip() for p in str(item).split("|")]
        if len(parts) < 4 or len(parts) > 5:
            raise ValueError(_("Thành phần “%(item)s” phải có dạng tên|bản chính|bản sao chứng "
                               "thực|bản sao[|mẫu].") % {"item": str(item)[:80]})
        component = {"name": parts[0], "originals": parts[1], "certified_copies": parts[2],
                     "copies": parts[3]}
        if len(parts) == 5:
            component["form_template"] = parts[4]
        components.append(component)
    return components


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def parse_time(value) -> tuple[object, str | None]:
    """(days or None when not offered, error)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("Thời hạn giải quyết không hợp lệ.")
    if isinstance(value, int | float):
        text = repr(value)
    else:
        text = str(value).strip()
        if fold(text) in _SAME_DAY:
            return 0, None
    if not _NUMBER.match(text.replace(" ", "")):
        return None, _("Thời hạn “%(value)s” phải là số ngày làm việc (0 = trong ngày).") % {
            "value": text[:40]}
    if text.startswith("-"):
        return None, _("Thời hạn giải quyết không được âm.")
    return text.replace(",", "."), None


def parse_row(row: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Row -> ({"base_code", "agency_code", "effective_from", "data"}, [(column, message)])."""
    errors: list[tuple[str, str]] = []
    if "__error__" in row:
        return {}, [("", row["__error__"])]
    base_code = _text(row, "base_code")
    try:
        base_code_validator(base_code)
    except ValidationError as exc:
        errors.append(("base_code", exc.messages[0] if base_code else _("Thiếu mã thủ tục.")))
    agency_code = _text(row, "agency_code")
    if not agency_code:
        errors.append(("agency_code", _("Thiếu mã định danh cơ quan.")))
    elif not Agency.objects.filter(code=agency_code).exists():
        errors.append(("agency_code", _("Không có cơ quan mã “%(code)s”.") % {"code": agency_code}))

    level_text = _text(row, "level")
    level = _LEVEL_WORDS.get(fold(level_text), "")
    if not level:
        errors.append(("level", _("Cấp thực hiện “%(value)s” không hợp lệ (province, district, "
                                  "commune).") % {"value": level_text}))
    online_text = _text(row, "online_level")
    online_level = _ONLINE_WORDS.get(fold(online_text))
    if online_level is None:
        errors.append(("online_level", _("Mức độ trực tuyến “%(value)s” không hợp lệ (full, "
                                         "partial).") % {"value": online_text}))

    fee_errors: list = []
    fee = services.parse_fee(row.get("fee"), fee_errors)
    errors.extend(("fee", message) for message in fee_errors)
    methods = []
    for column, channel in TIME_COLUMNS.items():
        days, error = parse_time(row.get(column))
        if error:
            errors.append((column, error))
        elif days is not None:
            methods.append({"channel": channel, "days": days, "fee": fee})
    if not methods and not any(c for c, _m in errors if c in TIME_COLUMNS):
        errors.append(("time_direct", _("Cần thời hạn giải quyết cho ít nhất một cách thức nộp.")))

    try:
        components = parse_components(row.get("components"))
    except ValueError as exc:
        errors.append(("components", str(exc)))
        components = []

    effective_from = None
    if _text(row, "effective_from"):
        try:
            effective_from = datetime.date.fromisoformat(_text(row, "effective_from"))
        except ValueError:
            errors.append(("effective_from", _("Ngày phải có dạng YYYY-MM-DD.")))

    data = {
        "name": _text(row, "name"), "level": level, "field": _text(row, "field"),
        "online_level": online_level or "", "methods": methods, "components": components,
        "implementing_agency": _text(row, "implementing_agency") or None,
        **{key: _text(row, key) for key in services.TEXT_KEYS},
    }
    parsed = {"base_code": base_code, "agency_code": agency_code,
              "effective_from": effective_from, "data": data}
    return parsed, errors


_DATA_TO_COLUMN = {"methods.direct": "time_direct", "methods.online": "time_online",
                   "methods.postal": "time_postal", "methods": "time_direct"}


def _column_of(key: str) -> str:
    if key.startswith("components"):
        return "components"
    return _DATA_TO_COLUMN.get(key, key)


# --- importing -----------------------------------------------------------------------------


def import_procedures(rows: Iterable[tuple[int, dict]], *, skip_bad: bool = False,
                      effective_from: datetime.date | None = None) -> ImportReport:
    """Validate every row, then write all of them in one transaction; with errors, write
    nothing unless ``skip_bad`` (then the good rows are written and the rest reported)."""
    default_date = effective_from or datetime.date.today()
    report = ImportReport()
    plan: list[tuple[int, str, dict]] = []  # (row, "create"|"update", parsed)
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        parsed, errors = parse_row(row)
        clean = None
        if not errors:
            key = (parsed["base_code"], parsed["agency_code"])
            if key in seen:
                errors.append(("base_code", _("Trùng mã %(code)s với dòng %(row)s.")
                               % {"code": ".".join(key), "row": seen[key]}))
            else:
                seen[key] = number
        if not errors:
            try:
                clean = services.clean_version_data(parsed["data"])
            except InvalidInput as exc:
                errors.extend((_column_of(k), str(m)) for k, msgs in exc.fields.items()
                              for m in msgs)
        if not errors:
            parsed["effective_from"] = parsed["effective_from"] or default_date
            if (clean["level"] == ProcedureLevel.DISTRICT
                    and parsed["effective_from"] >= REFORM_DATE):
                errors.append(("level", _("Từ ngày 01/7/2025 không còn cấp huyện.")))
        if not errors:
            action = _plan_row(parsed, clean, errors)
            if action == "unchanged":
                report.unchanged += 1
            elif action:
                parsed["clean"] = clean
                plan.append((number, action, parsed))
        report.errors.extend(RowError(number, column, message) for column, message in errors)

    if report.errors and not skip_bad:
        return report
    try:
        with transaction.atomic():
            for number, action, parsed in plan:
                try:
                    _write_row(action, parsed)
                except DomainError as exc:
                    fields = getattr(exc, "fields", {}) or {"": [exc.message]}
                    report.errors.extend(RowError(number, _column_of(k), str(m))
                                         for k, msgs in fields.items() for m in msgs)
                    if not skip_bad:
                        raise _Rollback from None
                    continue
                if action == "create":
                    report.created += 1
                else:
                    report.updated += 1
    except _Rollback:
        report.created = report.updated = 0
        return report
    report.written = True
    return report


class _Rollback(Exception):
    pass


def _plan_row(parsed: dict, clean: dict, errors: list) -> str | None:
    procedure = Procedure.objects.filter(
        base_code=parsed["base_code"], agency__code=parsed["agency_code"]).first()
    if procedure is None:
        return "create"
    current = procedure.versions.order_by("-number").first()
    if services.comparable(services.version_data(current)) == services.comparable(clean):
        return "unchanged"
    if services.has_announcement_history(procedure):
        errors.append(("base_code", _("Thủ tục %(code)s đã có quyết định công bố; dữ liệu khác với "
                                      "bản đang ghi nhận chỉ được thay đổi bằng quyết định công bố.")
                       % {"code": procedure.code}))
        return None
    parsed["procedure"] = procedure
    return "update"


def _write_row(action: str, parsed: dict):
    if action == "create":
        services.register_procedure(base_code=parsed["base_code"], agency=parsed["agency_code"],
                                    data=parsed["data"], effective_from=parsed["effective_from"])
    else:
        services.correct_procedure(parsed["procedure"], parsed["data"], partial=False)
