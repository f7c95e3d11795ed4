"""The one-stop documents: forms 01-06 of Thông tư 01/2018/TT-VPCP as renumbered by Thông tư
03/2025/TT-VPCP (PDF, A4) and form 07, the register (Sổ theo dõi hồ sơ: PDF, landscape A4, and
XLSX). The layout is that of Nghị định 30/2020/NĐ-CP: agency block and national motto on top,
number and place/date line, title in bold capitals, Times New Roman 13-14 pt, margins 20 mm
top and bottom, 30 mm left, 15 mm right.

Pure functions of the stored dossier: printing a form twice gives the same document.

Choices where the forms are silent:
- "Số" of forms 01-03 is the dossier's day and daily sequence (``YYMMDD-nnnn``) with the
  form's sign (TNHS, BSHS, TCHS): the desk prints them, nobody else numbers them. Forms 04 and
  05 are letters signed by the head of the agency and numbered by its clerk (văn thư) when
  issued: the number is left blank to be written in.
- "Vào Sổ theo dõi hồ sơ": the register is kept per year, so quyển số is the year of
  reception; the code's sequence restarts every day, so số thứ tự is ``YYMMDD-nnnn``.
- Form 01 shows the return time promised at reception; if an apology later set a new date,
  that date is added next to it (the receipt the citizen holds is not rewritten).
- The register lists the dossiers *received* (``received_at``) in the period; an online
  submission refused before reception was never received and is not listed. "Chuyển hồ sơ"
  is the desk's first hand-over, "nhận kết quả" the approval. The PDF is laid out in memory
  by WeasyPrint, so it is limited to ``REGISTER_PDF_MAX_ROWS`` lines; the XLSX streams.
- Place in the date line: the province (the agency's top unit).
- The QR code of form 01 holds the absolute address of the public lookup page; without a
  request (no host known) it holds the dossier code only.
"""

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.errors import InvalidInput, NotFound
from cchc.org.models import Agency, AgencyKind
from cchc.workcal.calendar import VN_TZ

from .models import OPEN_STATUSES, Channel, Dossier, DossierEvent, DossierStep, Status, Timeliness
from .partitions import dossier_events
from .timeliness import Clock, classify

FORM_NUMBERS = ("01", "02", "03", "04", "05", "06")
REGISTER_PDF_MAX_ROWS = 3000
LOOKUP_PATH = "/mot-cua/tra-cuu/"


class FormNotApplicable(NotFound):
    """The form does not exist for this dossier (e.g. a refusal slip for a received dossier)."""

    code = "form_not_applicable"


# -- formatting ----------------------------------------------------------------------------


def local(value: datetime.datetime | None) -> datetime.datetime | None:
    return value.astimezone(VN_TZ) if value is not None else None


def hm_dmy(value: datetime.datetime | None) -> str:
    """'09:00 24/04/2026' in Việt Nam time."""
    return f"{local(value):%H:%M %d/%m/%Y}" if value is not None else ""


def dmy(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = local(value)
    return f"{value:%d/%m/%Y}"


def date_words(day: datetime.date) -> str:
    """'ngày 24 tháng 4 năm 2026'. ND 30/2020, Phụ lục I: days below 10 and the months 1 and 2
    take a leading zero ('ngày 05 tháng 02 năm 2026')."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def days_text(days) -> str:
    days = Decimal(days or 0)
    if days == 0:
        return "Trong ngày"
    text = f"{days.normalize():f}".replace(".", ",")
    return f"{text} ngày làm việc"


STEP_RESULTS = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}


def _person(user) -> str:
    return user.get_full_name() if user is not None else ""


# -- agencies and places ------------------------------------------------------------------


def parent_agency_name(agency: Agency) -> str:
    """The line above the agency's name (cơ quan chủ quản): its parent, else the People's
    Committee of its unit (a desk or a centre belongs to it); a People's Committee has none."""
    if agency.parent_id:
        return agency.parent.name
    if agency.kind == AgencyKind.PEOPLES_COMMITTEE:
        return ""
    committee = (Agency.objects.filter(unit_id=agency.unit_id, kind=AgencyKind.PEOPLES_COMMITTEE,
                                       active=True).exclude(pk=agency.pk).order_by("pk").first())
    return committee.name if committee else ""


def place_name(agency: Agency) -> str:
    unit = agency.unit
    while unit.parent_id:
        unit = unit.parent
    name = unit.name
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def header(agency: Agency, *, number: str | None = None, day: datetime.date | None = None) -> dict:
    return {
        "parent": parent_agency_name(agency).upper(),
        "agency": agency.name.upper(),
        "number": number,
        "date_line": f"{place_name(agency)}, {date_words(day)}" if day else "",
    }


def implementing_agency(dossier: Dossier) -> Agency:
    return dossier.procedure_version.implementing_agency or dossier.receiving_agency


def implementing_agency_name(version) -> str:
    if version.implementing_agency_id:
        return version.implementing_agency.name
    return version.implementing_agency_name


def day_sequence(code: str) -> str:
    """'000.10.50.H20-260424-0001' -> '260424-0001'."""
    return code.split("-", 1)[1] if "-" in code else code


def lookup_url(dossier: Dossier, request=None) -> str:
    try:
        path = reverse("onestop:lookup")
    except NoReverseMatch:
        path = LOOKUP_PATH
    path = f"{path}?{urlencode({'ma': dossier.code})}"
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "CCHC_PUBLIC_URL", "").rstrip("/")
    return f"{base}{path}" if base else ""


def qr_svg(data: str) -> str:
    import segno

    return segno.make(data, error="m").svg_inline(scale=1, border=0, omitsize=True, dark="#000")


# -- the forms ------------------------------------------------------------------------------


def _last_event(dossier: Dossier, *actions: str) -> DossierEvent | None:
    return (dossier_events(dossier).filter(action__in=actions)
            .select_related("actor").order_by("-at", "-id").first())


def _agency_at(dossier: Dossier, at: datetime.datetime) -> Agency:
    """The agency that held the dossier at ``at`` (the step running then)."""
    step = (DossierStep.objects.filter(dossier=dossier, started_at__lte=at)
            .select_related("agency").order_by("-started_at", "-id").first())
    return step.agency if step else dossier.receiving_agency


def _form_01(dossier: Dossier, request) -> dict:
    if dossier.received_at is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s chưa được tiếp nhận nên chưa có Giấy tiếp nhận "
                                  "hồ sơ và hẹn trả kết quả.") % {"code": dossier.code})
    event = _last_event(dossier, "receive", "accept")
    url = lookup_url(dossier, request)
    sequence = day_sequence(dossier.code)
    return {
        "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "header": header(dossier.receiving_agency, number=f"{sequence}/TNHS",
                         day=local(dossier.received_at).date()),
        "components": list(dossier.procedure_version.components.all()),
        "days": days_text(dossier.legal_days),
        "received": hm_dmy(dossier.received_at),
        "due": hm_dmy(dossier.due_at),
        "new_due": hm_dmy(dossier.apology_new_due_at),
        "apology_day": dmy(dossier.apology_issued_at),
        "return_place": dossier.receiving_agency.name,
        "book_volume": str(local(dossier.received_at).year),
        "book_number": sequence,
        "officer": _person(event.actor) if event else "",
        "lookup_url": url,
        "qr": qr_svg(url or dossier.code),
    }


def _form_02(dossier: Dossier, request) -> dict:
    event = _last_event(dossier, "request_supplement")
    if event is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s không có yêu cầu bổ sung, hoàn thiện hồ sơ.")
                                % {"code": dossier.code})
    agency = _agency_at(dossier, event.at)
    return {
        "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "header": header(agency, number=f"{day_sequence(dossier.code)}/BSHS",
                         day=local(event.at).date()),
        "agency_name": agency.name,
        "documents": [str(d) for d in (event.data or {}).get("documents") or []],
        "reason": event.note,
        "officer": _person(event.actor),
        "officer_phone": getattr(event.actor, "phone", "") if event.actor else "",
        "requested": hm_dmy(event.at),
    }


def _form_03(dossier: Dossier, request) -> dict:
    event = _last_event(dossier, "refuse")
    if dossier.status != Status.NOT_RECEIVED or event is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s không bị từ chối tiếp nhận nên không có Phiếu "
                                  "từ chối tiếp nhận giải quyết hồ sơ.") % {"code": dossier.code})
    return {
        "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "header": header(dossier.receiving_agency, number=f"{day_sequence(dossier.code)}/TCHS",
                         day=local(event.at).date()),
        "agency_name": dossier.receiving_agency.name,
        "submitted": hm_dmy(dossier.submitted_at),
        "reason": event.note,
        "officer": _person(event.actor),
    }


def _form_04(dossier: Dossier, request) -> dict:
    if dossier.apology_issued_at is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s không có văn bản xin lỗi và hẹn lại ngày trả kết "
                                  "quả.") % {"code": dossier.code})
    agency = implementing_agency(dossier)
    return {
        "title": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "header": header(agency, number="", day=local(dossier.apology_issued_at).date()),
        "agency_name": agency.name,
        "receiving_name": dossier.receiving_agency.name,
        "received": dmy(dossier.received_at),
        "due": hm_dmy(dossier.due_at),
        "new_due": hm_dmy(dossier.apology_new_due_at),
        "reason": dossier.apology_reason,
        "copy_to_desk": dossier.receiving_agency_id != agency.pk,
    }


def _form_05(dossier: Dossier, request) -> dict:
    event = _last_event(dossier, "stop")
    if dossier.status != Status.STOPPED or event is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s không bị dừng giải quyết nên không có Thông báo "
                                  "dừng giải quyết hồ sơ.") % {"code": dossier.code})
    agency = implementing_agency(dossier)
    return {
        "title": "THÔNG BÁO",
        "subtitle": "Về việc dừng giải quyết hồ sơ",
        "header": header(agency, number="", day=local(event.at).date()),
        "agency_name": agency.name,
        "receiving_name": dossier.receiving_agency.name,
        "received": dmy(dossier.received_at or dossier.submitted_at),
        "stopped": hm_dmy(event.at),
        "reason": event.note,
        "copy_to_desk": dossier.receiving_agency_id != agency.pk,
    }


@dataclass(frozen=True)
class ControlRow:
    position: int
    name: str
    agency: str
    received: str
    receiver: str
    handed: str
    giver: str
    due: str
    result: str
    note: str


def control_rows(dossier: Dossier) -> list[ControlRow]:
    steps = (DossierStep.objects.filter(dossier=dossier)
             .select_related("agency", "handed_by", "received_by").order_by("started_at", "id"))
    return [
        ControlRow(
            position=index, name=step.name, agency=step.agency.name,
            received=hm_dmy(step.started_at), receiver=_person(step.received_by),
            handed=hm_dmy(step.finished_at), giver=_person(step.handed_by), due=hm_dmy(step.due_at),
            result=STEP_RESULTS.get(step.result, "") if step.finished_at else "Đang xử lý",
            note=step.note,
        )
        for index, step in enumerate(steps, start=1)
    ]


def _form_06(dossier: Dossier, request) -> dict:
    if dossier.received_at is None:
        raise FormNotApplicable(_("Hồ sơ %(code)s chưa được tiếp nhận nên chưa có Phiếu kiểm soát "
                                  "quá trình giải quyết hồ sơ.") % {"code": dossier.code})
    rows = control_rows(dossier)
    main = implementing_agency(dossier)
    others = []
    for row in rows:
        if row.agency not in (main.name, dossier.receiving_agency.name, *others):
            others.append(row.agency)
    return {
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "header": header(dossier.receiving_agency, day=local(dossier.received_at).date()),
        "main_agency": main.name,
        "other_agencies": others,
        "received": hm_dmy(dossier.received_at),
        "due": hm_dmy(dossier.due_at),
        "new_due": hm_dmy(dossier.apology_new_due_at),
        "returned": hm_dmy(dossier.returned_at),
        "rows": rows,
    }


FORMS = {
    "01": ("onestop/forms/form_01.html", _form_01),
    "02": ("onestop/forms/form_02.html", _form_02),
    "03": ("onestop/forms/form_03.html", _form_03),
    "04": ("onestop/forms/form_04.html", _form_04),
    "05": ("onestop/forms/form_05.html", _form_05),
    "06": ("onestop/forms/form_06.html", _form_06),
}


FORM_TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}


def available_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """(number, title) of the forms that exist for the dossier now, for links on its page;
    the same conditions as the renderers, without rendering."""
    received = dossier.received_at is not None
    present = {
        "01": received,
        "02": DossierEvent.objects.filter(dossier=dossier, action="request_supplement").exists(),
        "03": dossier.status == Status.NOT_RECEIVED,
        "04": dossier.apology_issued_at is not None,
        "05": dossier.status == Status.STOPPED,
        "06": received,
    }
    return [(number, FORM_TITLES[number]) for number in FORM_NUMBERS if present[number]]


@translation.override("vi")
def form_html(dossier: Dossier, number: str, *, request=None) -> str:
    """The HTML of a form, before it is laid out as PDF: in Vietnamese whatever language the
    page is viewed in (an official document)."""
    if number not in FORMS:
        raise NotFound(_("Không có mẫu số %(number)s (các mẫu in theo hồ sơ: 01 đến 06).")
                       % {"number": number})
    template, build = FORMS[number]
    context = build(dossier, request)
    context.update(dossier=dossier, number=number, version=dossier.procedure_version)
    return render_to_string(template, context)


def render_form(dossier: Dossier, number: str, *, request=None) -> bytes:
    """Form ``number`` ("01".."06") of the dossier as a PDF; ``FormNotApplicable`` (a 404)
    when the dossier's state has no such form."""
    return html_to_pdf(form_html(dossier, number, request=request))


def _no_fetch(url, *args, **kwargs):
    """The documents embed everything they show: nothing is fetched while laying them out."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Refusing to fetch {url!r} while rendering a document.")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


# -- form 07: the register --------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register (Sổ theo dõi hồ sơ); instants are aware."""

    index: int
    code: str
    procedure: str
    sets: int
    applicant: str
    address_phone: str
    agency: str
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    transferred_at: datetime.datetime | None
    result_received_at: datetime.datetime | None
    returned_at: datetime.datetime | None
    note: str


REGISTER_COLUMNS = (
    ("STT", 6),
    ("Mã hồ sơ", 27),
    ("Tên thủ tục hành chính", 42),
    ("Số lượng hồ sơ (bộ)", 9),
    ("Tên cá nhân, tổ chức", 24),
    ("Địa chỉ, số điện thoại", 32),
    ("Cơ quan chủ trì giải quyết", 30),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Trả kết quả cho cá nhân, tổ chức", 17),
    ("Ghi chú", 34),
)


def period_bounds(date_from: datetime.date, date_to: datetime.date):
    if date_from > date_to:
        raise InvalidInput(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."), code="bad_period")
    start = datetime.datetime.combine(date_from, datetime.time.min, VN_TZ)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, VN_TZ)
    return start, end


def register_queryset(agency: Agency, date_from: datetime.date, date_to: datetime.date):
    start, end = period_bounds(date_from, date_to)
    first_transfer = (DossierEvent.objects.filter(dossier=OuterRef("pk"), action="transfer")
                      .order_by("at", "id").values("at")[:1])
    return (Dossier.objects.filter(receiving_agency=agency, received_at__gte=start,
                                   received_at__lt=end)
            .select_related("procedure_version", "procedure_version__implementing_agency")
            .annotate(transferred_at=Subquery(first_transfer))
            .order_by("received_at", "code"))


def _register_note(dossier: Dossier, now: datetime.datetime) -> str:
    notes = []
    if dossier.channel != Channel.DIRECT:
        notes.append(f"Nộp {Channel(dossier.channel).label.lower()}")
    if dossier.status in (Status.SUPPLEMENT, Status.STOPPED, Status.WITHDRAWN, Status.FINANCIAL):
        notes.append(str(Status(dossier.status).label))
    if dossier.status in OPEN_STATUSES:
        if classify(Clock.of(dossier), now) == Timeliness.OVERDUE:
            notes.append("Quá hạn")
    elif dossier.timeliness == Timeliness.LATE:
        notes.append("Trễ hạn")
    if dossier.apology_new_due_at:
        notes.append(f"Hẹn lại {hm_dmy(dossier.apology_new_due_at)} (xin lỗi ngày "
                     f"{dmy(dossier.apology_issued_at)})")
    return "; ".join(notes)


def register_rows(agency: Agency, date_from: datetime.date, date_to: datetime.date, *,
                  now: datetime.datetime | None = None, chunk_size: int = 500):
    """The register's lines, streamed from the database in chunks (a generator)."""
    now = now or timezone.now()
    queryset = register_queryset(agency, date_from, date_to)
    for index, dossier in enumerate(queryset.iterator(chunk_size=chunk_size), start=1):
        address_phone = "; ".join(
            part for part in (dossier.applicant_address,
                              f"ĐT: {dossier.applicant_phone}" if dossier.applicant_phone else "")
            if part)
        processed = dossier.status in (Status.PROCESSED, Status.RETURNED)
        yield RegisterRow(
            index=index, code=dossier.code, procedure=dossier.procedure_version.name,
            sets=dossier.sets, applicant=dossier.applicant_name, address_phone=address_phone,
            agency=implementing_agency_name(dossier.procedure_version),
            received_at=dossier.received_at, due_at=dossier.due_at,
            transferred_at=dossier.transferred_at,
            result_received_at=dossier.finished_at if processed else None,
            returned_at=dossier.returned_at, note=_register_note(dossier, now),
        )


def _period_text(date_from, date_to) -> str:
    return f"Từ ngày {dmy(date_from)} đến ngày {dmy(date_to)}"


@translation.override("vi")
def register_pdf(agency: Agency, date_from: datetime.date, date_to: datetime.date, *,
                 now: datetime.datetime | None = None) -> bytes:
    """Form 07 as a landscape A4 PDF. ``InvalidInput`` when the period holds more lines than
    a PDF can reasonably carry (the XLSX has no limit)."""
    count = register_queryset(agency, date_from, date_to).count()
    if count > REGISTER_PDF_MAX_ROWS:
        raise InvalidInput(
            _("Kỳ đã chọn có %(count)s hồ sơ, quá %(limit)s dòng của bản PDF: hãy chọn kỳ ngắn "
              "hơn hoặc tải bản Excel.") % {"count": count, "limit": REGISTER_PDF_MAX_ROWS},
            code="register_too_long")
    now = now or timezone.now()
    rows = [
        {
            "row": row,
            "code_parts": row.code.split("-"),
            "received": hm_dmy(row.received_at), "due": hm_dmy(row.due_at),
            "transferred": hm_dmy(row.transferred_at),
            "result_received": hm_dmy(row.result_received_at), "returned": hm_dmy(row.returned_at),
        }
        for row in register_rows(agency, date_from, date_to, now=now)
    ]
    html = render_to_string("onestop/forms/register.html", {
        "title": "SỔ THEO DÕI HỒ SƠ",
        "header": header(agency, day=local(now).date()),
        "period": _period_text(date_from, date_to),
        "columns": [name for name, _width in REGISTER_COLUMNS],
        "rows": rows,
    })
    return html_to_pdf(html)


def _excel_time(value: datetime.datetime | None):
    # Excel has no time zones: the local wall-clock time of the province.
    return local(value).replace(tzinfo=None) if value is not None else None


@translation.override("vi")
def register_xlsx(agency: Agency, date_from: datetime.date, date_to: datetime.date, file=None, *,
                  now: datetime.datetime | None = None):
    """Form 07 as an XLSX workbook, written row by row (openpyxl write-only mode) into
    ``file`` (a path or a binary file object); without ``file``, the bytes are returned."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Sổ theo dõi hồ sơ")
    for position, (_name, width) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4

    font = Font(name="Times New Roman", size=11)
    bold = Font(name="Times New Roman", size=11, bold=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(value, *, style=font, number_format=None, alignment=wrap, framed=True):
        item = WriteOnlyCell(sheet, value=value)
        item.font = style
        item.alignment = alignment
        if framed:
            item.border = border
        if number_format:
            item.number_format = number_format
        return item

    title = cell(f"SỔ THEO DÕI HỒ SƠ — {agency.name}",
                 style=Font(name="Times New Roman", size=14, bold=True), framed=False,
                 alignment=Alignment())
    sheet.append([title])
    sheet.append([cell(f"{_period_text(date_from, date_to)} (mã cơ quan {agency.code})",
                       style=Font(name="Times New Roman", size=11, italic=True), framed=False,
                       alignment=Alignment())])
    centred = Alignment(wrap_text=True, horizontal="center", vertical="center")
    sheet.append([cell(name, style=bold, alignment=centred) for name, _width in REGISTER_COLUMNS])

    when = "dd/mm/yyyy hh:mm"
    for row in register_rows(agency, date_from, date_to, now=now):
        sheet.append([
            cell(row.index), cell(row.code), cell(row.procedure), cell(row.sets),
            cell(row.applicant), cell(row.address_phone), cell(row.agency),
            cell(_excel_time(row.received_at), number_format=when),
            cell(_excel_time(row.due_at), number_format=when),
            cell(_excel_time(row.transferred_at), number_format=when),
            cell(_excel_time(row.result_received_at), number_format=when),
            cell(_excel_time(row.returned_at), number_format=when),
            cell(row.note),
        ])
    if file is not None:
        workbook.save(file)
        return None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
