"""Exports: the timeliness report as XLSX (the official layout: title rows, the merged group
headers Tiếp nhận / Đã giải quyết / Đang giải quyết, the column numbers, a totals row, numbers
as numbers) and as PDF (A4 landscape, the heading of Nghị định 30/2020/NĐ-CP, Liberation
Serif in place of Times New Roman); and any dashboard table as XLSX.

They are official documents, always in Vietnamese whatever the page language. The heading's
issuer: the Department of Home Affairs of the home province for a province-wide
report, otherwise the People's Committee of the unit the report is restricted to.
"""

from __future__ import annotations

import datetime
import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cchc.org.models import Level
from cchc.org.selectors import home_province
from cchc.textfold import fold

from .selectors.timeliness import TimelinessReport

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
FONT = "Times New Roman"

# Translatable (the report page shows them in the reader's language); the documents
# themselves are rendered under ``translation.override(DOCUMENT_LANGUAGE)``.
DOCUMENT_LANGUAGE = "vi"
GROUP_LABELS = {"unit": gettext_lazy("Đơn vị"), "field": gettext_lazy("Lĩnh vực"),
                "procedure": gettext_lazy("Thủ tục hành chính")}
MODE_LABELS = {
    "as_was": gettext_lazy("Số liệu theo đơn vị tiếp nhận (đơn vị hành chính tại thời điểm "
                           "tiếp nhận)"),
    "successors": gettext_lazy("Số liệu của đơn vị cũ được gộp vào đơn vị kế thừa từ "
                               "01/7/2025"),
}
COLUMNS = [
    ("received", "total", gettext_lazy("Tổng số")),
    ("received", "online", gettext_lazy("Trực tuyến")),
    ("received", "carried_over", gettext_lazy("Từ kỳ trước")),
    ("received", "new_direct_postal", gettext_lazy("Trực tiếp, bưu chính")),
    ("resolved", "total", gettext_lazy("Tổng số")),
    ("resolved", "on_time", gettext_lazy("Trước hạn, đúng hạn")),
    ("resolved", "late", gettext_lazy("Quá hạn")),
    ("pending", "total", gettext_lazy("Tổng số")),
    ("pending", "within", gettext_lazy("Trong hạn")),
    ("pending", "overdue", gettext_lazy("Quá hạn")),
]
GROUPS = [("received", gettext_lazy("Số hồ sơ tiếp nhận"), 4),
          ("resolved", gettext_lazy("Số hồ sơ đã giải quyết"), 3),
          ("pending", gettext_lazy("Số hồ sơ đang giải quyết"), 3)]
MEASURE_OF = {("received", "total"): "received", ("received", "online"): "online",
              ("received", "carried_over"): "carried_over",
              ("received", "new_direct_postal"): "new_direct_postal",
              ("resolved", "total"): "resolved", ("resolved", "on_time"): "on_time",
              ("resolved", "late"): "late", ("pending", "total"): "pending",
              ("pending", "within"): "within", ("pending", "overdue"): "overdue"}


def dmy(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def number(value: int) -> str:
    """12345 -> '12.345' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def period_line(report: TimelinessReport) -> str:
    p = report.period
    return _("Kỳ báo cáo: từ ngày {start} đến ngày {end}").format(start=dmy(p.start),
                                                                  end=dmy(p.end))


def scope_line(report: TimelinessReport) -> str:
    unit = report.filters.unit
    where = unit.name if unit is not None else (home_province().name if home_province() else "")
    parts = [_("Phạm vi: {where}").format(where=where) if where else "",
             str(MODE_LABELS[report.filters.mode])]
    return "; ".join(p for p in parts if p)


_PROVINCE_KINDS = ("tinh ", "thanh pho ")


def province_names() -> tuple[str, str]:
    """("TỈNH ĐỒNG THÁP", "Đồng Tháp"): the heading's form and the place of the date line."""
    province = home_province()
    if province is None:
        return _("TỈNH"), "……"
    name = province.name
    folded = fold(name)
    kind = next((k for k in _PROVINCE_KINDS if folded.startswith(k)), None)
    if kind is None:
        return f"{_('TỈNH')} {name.upper()}", name
    return name.upper(), name[len(kind):].strip()


def header(report: TimelinessReport, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    heading, place = province_names()
    unit = report.filters.unit
    parent = _("ỦY BAN NHÂN DÂN {unit}").format(unit=heading)
    if unit is None or unit.level == Level.PROVINCE:
        agency, sign = _("SỞ NỘI VỤ"), "BC-SNV"
    else:
        agency, sign = _("ỦY BAN NHÂN DÂN {unit}").format(unit=unit.name.upper()), "BC-UBND"
    day = f"{today.day:02d}" if today.day < 10 else str(today.day)
    month = f"{today.month:02d}" if today.month < 3 else str(today.month)
    return {"parent": parent, "agency": agency, "sign": sign,
            "date_line": _("{place}, ngày {day} tháng {month} năm {year}").format(
                place=place, day=day, month=month, year=today.year)}


def _rows(report: TimelinessReport):
    group = report.filters.group
    for row in report.as_json()["rows"]:
        yield row[f"{group}_name"], row


def timeliness_xlsx(report: TimelinessReport) -> bytes:
    """The report as XLSX, in Vietnamese whatever language is active (an official document)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _timeliness_xlsx(report)


def _timeliness_xlsx(report: TimelinessReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Giai quyet TTHC"
    ncols = 2 + len(COLUMNS)
    last = get_column_letter(ncols)
    head = header(report)
    title_font = Font(name=FONT, size=14, bold=True)
    lines = [(head["agency"], Font(name=FONT, size=12, bold=True)),
             (_("BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"), title_font),
             (period_line(report), Font(name=FONT, size=12, italic=True)),
             (scope_line(report), Font(name=FONT, size=11, italic=True))]
    for index, (text, font) in enumerate(lines, start=1):
        ws.merge_cells(f"A{index}:{last}{index}")
        cell = ws.cell(row=index, column=1, value=text)
        cell.font, cell.alignment = font, CENTRE
    top = len(lines) + 2  # a blank row, then the headers
    bold = Font(name=FONT, size=11, bold=True)
    normal = Font(name=FONT, size=11)
    for col, text in ((1, _("STT")), (2, str(GROUP_LABELS[report.filters.group]))):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        ws.cell(row=top, column=col, value=text)
    col = 3
    for _key, label, width in GROUPS:
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + width - 1)
        ws.cell(row=top, column=col, value=str(label))
        col += width
    for index, (_g, _k, label) in enumerate(COLUMNS, start=3):
        ws.cell(row=top + 1, column=index, value=str(label))
    for index in range(1, ncols + 1):
        ws.cell(row=top + 2, column=index, value=f"({index})")
        for r in (top, top + 1, top + 2):
            cell = ws.cell(row=r, column=index)
            cell.font = bold if r < top + 2 else Font(name=FONT, size=10, italic=True)
            cell.alignment, cell.border = CENTRE, BOX
    r = top + 3
    for number, (name, row) in enumerate(_rows(report), start=1):
        values = [number, name] + [row[g][k] for g, k, _l in COLUMNS]
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=index, value=value)
            cell.font, cell.border = normal, BOX
            cell.alignment = Alignment(horizontal="left" if index == 2 else "center", vertical="center",
                                       wrap_text=index == 2)
            if index > 2:
                cell.number_format = "#,##0"
        r += 1
    totals = report.totals.as_dict()
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    ws.cell(row=r, column=1, value=_("Tổng cộng"))
    for index, (g, k, _l) in enumerate(COLUMNS, start=3):
        ws.cell(row=r, column=index, value=totals[g][k]).number_format = "#,##0"
    for index in range(1, ncols + 1):
        cell = ws.cell(row=r, column=index)
        cell.font, cell.border = bold, BOX
        cell.alignment = CENTRE
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 42
    for index in range(3, ncols + 1):
        ws.column_dimensions[get_column_letter(index)].width = 12
    ws.row_dimensions[top + 1].height = 32
    ws.freeze_panes = ws.cell(row=top + 3, column=3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top + 2}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timeliness_pdf(report: TimelinessReport) -> bytes:
    """The report as PDF, in Vietnamese whatever language is active (an official document)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _timeliness_pdf(report)


def _timeliness_pdf(report: TimelinessReport) -> bytes:
    from weasyprint import HTML

    group = report.filters.group
    html = render_to_string("reports/pdf/timeliness.html", {
        "header": header(report), "period_line": period_line(report), "scope_line": scope_line(report),
        "group_label": GROUP_LABELS[group], "groups": GROUPS, "columns": COLUMNS,
        "rows": [(name, [number(row[g][k]) for g, k, _l in COLUMNS]) for name, row in _rows(report)],
        "totals": [number(report.totals.as_dict()[g][k]) for g, k, _l in COLUMNS],
        "numbers": [f"({i})" for i in range(1, 3 + len(COLUMNS))],
    })
    return HTML(string=html).write_pdf()


def table_xlsx(title: str, subtitle: str, headers: list[str], rows: list[list], *,
               sheet: str = "Bang") -> bytes:
    """One table with a title: numbers stay numbers (percentages as plain numbers)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    last = get_column_letter(max(len(headers), 1))
    for index, (text, font) in enumerate(((title, Font(name=FONT, size=14, bold=True)),
                                          (subtitle, Font(name=FONT, size=11, italic=True))), start=1):
        ws.merge_cells(f"A{index}:{last}{index}")
        cell = ws.cell(row=index, column=1, value=text)
        cell.font, cell.alignment = font, CENTRE
    for index, text in enumerate(headers, start=1):
        cell = ws.cell(row=4, column=index, value=text)
        cell.font, cell.alignment, cell.border = Font(name=FONT, size=11, bold=True), CENTRE, BOX
        ws.column_dimensions[get_column_letter(index)].width = 40 if index == 1 else 16
    for r, values in enumerate(rows, start=5):
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=index, value=value)
            cell.font, cell.border = Font(name=FONT, size=11), BOX
            if isinstance(value, int):
                cell.number_format = "#,##0"
            elif isinstance(value, float):
                cell.number_format = "#,##0.0#"
    ws.freeze_panes = "A5"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_name(prefix: str, report_or_period, ext: str) -> str:
    p = getattr(report_or_period, "period", report_or_period)
    return f"{prefix}_{p.start:%Y%m%d}-{p.end:%Y%m%d}.{ext}"

